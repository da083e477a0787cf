//! clustor-core: the compute layer of clustor.
//!
//! Pure Rust, no Python. Every algorithm is generic over [`Float`] (f32 and f64), reads its
//! data from row-major slices described by [`MatRef`], runs on a rayon pool chosen by thread
//! count ([`parallel`]), and reports bad input as a [`ClustorError`] instead of panicking.
//! Results do not depend on the number of threads: rows are cut into a fixed chunk plan and
//! partial results are reduced in chunk order.

pub mod affinity;
pub mod birch;
pub mod density;
pub mod distance;
pub mod error;
pub mod float;
pub mod hierarchy;
pub mod kmeans;
pub mod matrix;
pub mod metrics;
pub mod mixture;
pub mod monitor;
pub mod neighbors;
pub mod parallel;
pub mod prep;
pub mod rng;

pub use error::{ClustorError, Result};
pub use float::Float;
pub use matrix::MatRef;
pub use monitor::{Monitor, Silent};
