//! Clustering quality metrics.
//!
//! - [`internal`]: scores computed from the data and the labels alone (silhouette,
//!   Calinski–Harabasz, Davies–Bouldin).
//! - [`external`]: the expected mutual information of two labelings, the costly part of
//!   the adjusted mutual information. The other external scores (comparing two labelings,
//!   such as the adjusted Rand index) need only a contingency table and live in Python.

pub mod external;
pub mod internal;

pub use external::expected_mutual_information;
pub use internal::{calinski_harabasz_score, davies_bouldin_score, silhouette_samples, Metric};
