//! Bindings of `clustor_core::affinity`.

use clustor_core::affinity::{self, Config};
use numpy::PyArray1;
use pyo3::prelude::*;

use crate::convert::{mat, view, Scalar};
use crate::dispatch;
use crate::error::PyMonitor;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(affinity_propagation_fit, m)?)?;
    Ok(())
}

type ApOut<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>, usize, bool);

/// Affinity propagation on a prepared similarity matrix (preferences on the diagonal,
/// tie-breaking noise added) → (exemplars, labels, n_iter, converged).
#[pyfunction]
#[pyo3(signature = (s, damping, max_iter, convergence_iter, n_threads))]
fn affinity_propagation_fit<'py>(
    s: &Bound<'py, PyAny>,
    damping: f64,
    max_iter: usize,
    convergence_iter: usize,
    n_threads: usize,
) -> PyResult<ApOut<'py>> {
    let cfg = Config { damping, max_iter, convergence_iter, n_threads };
    fn go<'py, T: Scalar>(s: &Bound<'py, PyAny>, cfg: &Config) -> PyResult<ApOut<'py>> {
        let py = s.py();
        let sa = mat::<T>("S", s)?;
        let sv = view("S", &sa)?;
        let mon = PyMonitor::default();
        match py.detach(|| affinity::fit(sv, cfg, &mon)) {
            Ok(f) => Ok((PyArray1::from_vec(py, f.exemplars), PyArray1::from_vec(py, f.labels), f.n_iter, f.converged)),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(s, go(s, &cfg))
}
