//! Bindings of `clustor_core::metrics`.

use clustor_core::metrics::{self, Metric};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::convert::{mat, view, Scalar};
use crate::dispatch;
use crate::error::PyMonitor;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(silhouette_samples, m)?)?;
    Ok(())
}

/// Silhouette coefficient of every sample (float64, n) for labels in 0..n_clusters.
#[pyfunction]
#[pyo3(signature = (x, labels, n_clusters, metric, n_threads))]
fn silhouette_samples<'py>(
    x: &Bound<'py, PyAny>,
    labels: PyReadonlyArray1<'py, i64>,
    n_clusters: usize,
    metric: &str,
    n_threads: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let metric = match metric {
        "euclidean" => Metric::Euclidean,
        "cosine" => Metric::Cosine,
        "precomputed" => Metric::Precomputed,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown metric {other:?}; use 'euclidean', 'cosine' or 'precomputed'"
            )))
        }
    };
    let lab = labels.as_slice().map_err(|e| PyTypeError::new_err(format!("labels: {e}")))?;
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        lab: &[i64],
        k: usize,
        metric: Metric,
        nt: usize,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let py = x.py();
        let xa = mat::<T>("X", x)?;
        let xv = view("X", &xa)?;
        let mon = PyMonitor::default();
        match py.detach(|| metrics::silhouette_samples(xv, lab, k, metric, nt, &mon)) {
            Ok(s) => Ok(PyArray1::from_vec(py, s)),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, lab, n_clusters, metric, n_threads))
}
