//! Mixture models: Gaussian mixtures fitted by expectation-maximisation ([`gaussian`]) and
//! the small dense linear algebra they need ([`linalg`]).

pub mod gaussian;
pub mod linalg;
