//! `clustor._core`: PyO3 glue over clustor-core. Each function borrows NumPy arrays
//! read-only, releases the GIL around the core call, maps errors, and returns NumPy arrays.
//! No algorithm lives here.

mod affinity;
mod birch;
mod bisecting;
mod convert;
mod dbscan;
mod error;
mod hierarchy;
mod kmeans;
mod metrics;
mod minibatch;
mod mixture;
mod neighbors;
mod optics;
mod prep;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(available_threads, m)?)?;
    kmeans::register(m)?;
    metrics::register(m)?;
    prep::register(m)?;
    minibatch::register(m)?;
    bisecting::register(m)?;
    hierarchy::register(m)?;
    dbscan::register(m)?;
    neighbors::register(m)?;
    optics::register(m)?;
    mixture::register(m)?;
    affinity::register(m)?;
    birch::register(m)?;
    Ok(())
}

/// Number of logical CPUs the core sees.
#[pyfunction]
fn available_threads() -> usize {
    clustor_core::parallel::available_threads()
}
