//! Density-based clustering: DBSCAN and OPTICS, built on [`crate::neighbors`].

pub mod dbscan;
mod grid;
pub mod optics;
pub(crate) mod sklearn_tree;
