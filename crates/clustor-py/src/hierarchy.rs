//! Bindings of `clustor_core::hierarchy`.

use clustor_core::hierarchy::{self, Method, Metric};
use numpy::PyArray2;
use pyo3::prelude::*;

use crate::convert::{array2, mat, slice, vec1, view, Scalar};
use crate::dispatch;
use crate::error::{to_pyerr, PyMonitor};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(linkage_observations, m)?)?;
    m.add_function(wrap_pyfunction!(linkage_condensed, m)?)?;
    Ok(())
}

/// SciPy-style linkage matrix ((n-1)×4, float64) of the observations `x` (n×d).
#[pyfunction]
#[pyo3(signature = (x, method, metric, n_threads, min_first=true))]
fn linkage_observations<'py>(
    x: &Bound<'py, PyAny>,
    method: &str,
    metric: &str,
    n_threads: usize,
    min_first: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let method = Method::parse(method).map_err(to_pyerr)?;
    let metric = Metric::parse(metric).map_err(to_pyerr)?;
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        method: Method,
        metric: Metric,
        min_first: bool,
        nt: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let py = x.py();
        let xa = mat::<T>("X", x)?;
        let xv = view("X", &xa)?;
        let n = xv.rows();
        let mon = PyMonitor::default();
        match py.detach(|| hierarchy::linkage_opts(xv, method, metric, min_first, nt, &mon)) {
            Ok(z) => array2(py, z, n.saturating_sub(1), 4),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, method, metric, min_first, n_threads))
}

/// SciPy-style linkage matrix of a condensed distance vector `y` of `n` points.
#[pyfunction]
#[pyo3(signature = (y, n, method))]
fn linkage_condensed<'py>(y: &Bound<'py, PyAny>, n: usize, method: &str) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let method = Method::parse(method).map_err(to_pyerr)?;
    fn go<'py, T: Scalar>(y: &Bound<'py, PyAny>, n: usize, method: Method) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let py = y.py();
        let ya = vec1::<T>("y", y)?;
        let yv = slice("y", &ya)?;
        let mon = PyMonitor::default();
        match py.detach(|| hierarchy::linkage_condensed(yv, n, method, &mon)) {
            Ok(z) => array2(py, z, n.saturating_sub(1), 4),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(y, go(y, n, method))
}
