//! Bindings of `clustor_core::density::dbscan`.

use clustor_core::density::dbscan::{self, DbscanMetric, DbscanParams};
use clustor_core::neighbors::{Algorithm, Metric};
use numpy::PyArray1;
use pyo3::prelude::*;

use crate::convert::{mat, slice, vec1, view, Scalar};
use crate::dispatch;
use crate::error::{to_pyerr, PyMonitor};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dbscan_fit, m)?)?;
    Ok(())
}

type DbscanOut<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>, usize);

/// DBSCAN → (labels, core sample indices, n_clusters). `metric` is 'euclidean',
/// 'manhattan', 'cosine' or 'precomputed' (x then holds the n×n distances).
#[pyfunction]
#[pyo3(signature = (x, sample_weight, eps, min_samples, metric, algorithm, leaf_size, n_threads, verbose))]
fn dbscan_fit<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: Option<&Bound<'py, PyAny>>,
    eps: f64,
    min_samples: usize,
    metric: &str,
    algorithm: &str,
    leaf_size: usize,
    n_threads: usize,
    verbose: bool,
) -> PyResult<DbscanOut<'py>> {
    let metric = match metric {
        "precomputed" => DbscanMetric::Precomputed,
        m => DbscanMetric::Index(Metric::parse(m).map_err(to_pyerr)?),
    };
    let algorithm = Algorithm::parse(algorithm).map_err(to_pyerr)?;
    let params = DbscanParams { eps, min_samples, metric, algorithm, leaf_size, verbose };
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        w: Option<&Bound<'py, PyAny>>,
        p: &DbscanParams,
        nt: usize,
    ) -> PyResult<DbscanOut<'py>> {
        let py = x.py();
        let xa = mat::<T>("X", x)?;
        let wa = w.map(|w| vec1::<T>("sample_weight", w)).transpose()?;
        let xv = view("X", &xa)?;
        let wv = wa.as_ref().map(|w| slice("sample_weight", w)).transpose()?;
        let mon = PyMonitor::default();
        match py.detach(|| dbscan::dbscan(xv, wv, p, nt, &mon)) {
            Ok(r) => {
                let core: Vec<i64> = r.core_sample_indices.iter().map(|&i| i as i64).collect();
                Ok((PyArray1::from_vec(py, r.labels), PyArray1::from_vec(py, core), r.n_clusters))
            }
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, sample_weight, &params, n_threads))
}
