//! Density-based clustering.

pub mod optics;
