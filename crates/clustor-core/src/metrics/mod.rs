//! Clustering quality metrics.
//!
//! - [`internal`]: scores computed from the data and the labels alone (silhouette).
//!
//! External scores (comparing two labelings, such as the adjusted Rand index) need only a
//! contingency table and live in Python.

pub mod internal;

pub use internal::{silhouette_samples, Metric};
