//! Bindings of `clustor_core::metrics`.

use clustor_core::metrics::{self, Metric};
use clustor_core::{MatRef, Monitor, Result as CoreResult};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::convert::{mat, view, Scalar};
use crate::dispatch;
use crate::error::PyMonitor;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(silhouette_samples, m)?)?;
    m.add_function(wrap_pyfunction!(calinski_harabasz_score, m)?)?;
    m.add_function(wrap_pyfunction!(davies_bouldin_score, m)?)?;
    m.add_function(wrap_pyfunction!(expected_mutual_information, m)?)?;
    Ok(())
}

fn labels_slice<'a>(labels: &'a PyReadonlyArray1<'_, i64>) -> PyResult<&'a [i64]> {
    labels.as_slice().map_err(|e| PyTypeError::new_err(format!("labels: {e}")))
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
        "manhattan" => Metric::Manhattan,
        "precomputed" => Metric::Precomputed,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown metric {other:?}; use 'euclidean', 'cosine', 'manhattan' or 'precomputed'"
            )))
        }
    };
    let lab = labels_slice(&labels)?;
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

/// Runs a score over (X, labels) without the GIL, for either float type.
fn score<T: Scalar>(
    x: &Bound<'_, PyAny>,
    lab: &[i64],
    f: impl FnOnce(MatRef<'_, T>, &[i64], &dyn Monitor) -> CoreResult<f64> + Send,
) -> PyResult<f64> {
    let xa = mat::<T>("X", x)?;
    let xv = view("X", &xa)?;
    let mon = PyMonitor::default();
    x.py().detach(|| f(xv, lab, &mon)).map_err(|e| mon.into_pyerr(e))
}

/// Calinski–Harabasz score of labels in 0..n_clusters.
#[pyfunction]
#[pyo3(signature = (x, labels, n_clusters, n_threads))]
fn calinski_harabasz_score(
    x: &Bound<'_, PyAny>,
    labels: PyReadonlyArray1<'_, i64>,
    n_clusters: usize,
    n_threads: usize,
) -> PyResult<f64> {
    let lab = labels_slice(&labels)?;
    fn go<T: Scalar>(x: &Bound<'_, PyAny>, lab: &[i64], k: usize, nt: usize) -> PyResult<f64> {
        score::<T>(x, lab, |xv, l, mon| metrics::calinski_harabasz_score(xv, l, k, nt, mon))
    }
    dispatch!(x, go(x, lab, n_clusters, n_threads))
}

/// Davies–Bouldin score of labels in 0..n_clusters.
#[pyfunction]
#[pyo3(signature = (x, labels, n_clusters, n_threads))]
fn davies_bouldin_score(
    x: &Bound<'_, PyAny>,
    labels: PyReadonlyArray1<'_, i64>,
    n_clusters: usize,
    n_threads: usize,
) -> PyResult<f64> {
    let lab = labels_slice(&labels)?;
    fn go<T: Scalar>(x: &Bound<'_, PyAny>, lab: &[i64], k: usize, nt: usize) -> PyResult<f64> {
        score::<T>(x, lab, |xv, l, mon| metrics::davies_bouldin_score(xv, l, k, nt, mon))
    }
    dispatch!(x, go(x, lab, n_clusters, n_threads))
}

/// Expected mutual information of two labelings with cluster sizes `a` and `b` over `n`.
#[pyfunction]
#[pyo3(signature = (a, b, n, n_threads))]
fn expected_mutual_information(
    py: Python<'_>,
    a: PyReadonlyArray1<'_, i64>,
    b: PyReadonlyArray1<'_, i64>,
    n: i64,
    n_threads: usize,
) -> PyResult<f64> {
    let a = a.as_slice().map_err(|e| PyTypeError::new_err(format!("a: {e}")))?;
    let b = b.as_slice().map_err(|e| PyTypeError::new_err(format!("b: {e}")))?;
    let mon = PyMonitor::default();
    py.detach(|| metrics::expected_mutual_information(a, b, n, n_threads, &mon)).map_err(|e| mon.into_pyerr(e))
}
