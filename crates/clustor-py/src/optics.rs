//! Bindings of `clustor_core::density::optics`.

use clustor_core::density::optics::{self, Metric, Params};
use clustor_core::neighbors::Algorithm;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::convert::{mat, view, Scalar};
use crate::dispatch;
use crate::error::{to_pyerr, PyMonitor};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(optics_graph, m)?)?;
    m.add_function(wrap_pyfunction!(optics_xi, m)?)?;
    m.add_function(wrap_pyfunction!(sklearn_tree_order, m)?)?;
    Ok(())
}

type GraphOut<'py> =
    (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<i64>>);

fn parse_metric(metric: &str, p: f64) -> PyResult<Metric> {
    Ok(match metric {
        "euclidean" => Metric::Euclidean,
        "manhattan" => Metric::Manhattan,
        "chebyshev" => Metric::Chebyshev,
        "cosine" => Metric::Cosine,
        "euclidean_blas" => Metric::EuclideanBlas,
        "cosine_blas" => Metric::CosineBlas,
        "minkowski" => Metric::Minkowski(p),
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown metric {other:?}; use 'euclidean', 'manhattan', 'chebyshev', 'minkowski', 'cosine', \
                 'euclidean_blas' or 'cosine_blas'"
            )))
        }
    })
}

/// OPTICS reachability graph → (ordering, core_distances, reachability, predecessor).
/// `sq_norms`: squared row norms for 'euclidean_blas' (NumPy's einsum values).
#[pyfunction]
#[pyo3(signature = (x, min_samples, max_eps, metric, p, algorithm, leaf_size, n_threads, sq_norms=None))]
#[allow(clippy::too_many_arguments)]
fn optics_graph<'py>(
    x: &Bound<'py, PyAny>,
    min_samples: usize,
    max_eps: f64,
    metric: &str,
    p: f64,
    algorithm: &str,
    leaf_size: usize,
    n_threads: usize,
    sq_norms: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<GraphOut<'py>> {
    let norms = match &sq_norms {
        Some(a) => Some(a.as_slice().map_err(|e| PyTypeError::new_err(format!("sq_norms: {e}")))?),
        None => None,
    };
    let params = Params {
        min_samples,
        max_eps,
        metric: parse_metric(metric, p)?,
        search: Algorithm::parse(algorithm).map_err(to_pyerr)?,
        leaf_size,
        n_threads,
    };
    fn go<'py, T: Scalar>(x: &Bound<'py, PyAny>, params: &Params, norms: Option<&[f64]>) -> PyResult<GraphOut<'py>> {
        let py = x.py();
        let xa = mat::<T>("X", x)?;
        let xv = view("X", &xa)?;
        let mon = PyMonitor::default();
        match py.detach(|| optics::compute_graph_with_norms(xv, params, norms, &mon)) {
            Ok(g) => Ok((
                PyArray1::from_vec(py, g.ordering),
                PyArray1::from_vec(py, g.core_distances),
                PyArray1::from_vec(py, g.reachability),
                PyArray1::from_vec(py, g.predecessor),
            )),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, &params, norms))
}

type XiOut<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray2<i64>>);

/// ξ-steep extraction → (labels per sample, clusters m×2 as [start, end] positions).
#[pyfunction]
#[pyo3(signature = (reachability_plot, predecessor_plot, ordering, xi, min_samples, min_cluster_size, predecessor_correction))]
fn optics_xi<'py>(
    py: Python<'py>,
    reachability_plot: PyReadonlyArray1<'py, f64>,
    predecessor_plot: PyReadonlyArray1<'py, i64>,
    ordering: PyReadonlyArray1<'py, i64>,
    xi: f64,
    min_samples: usize,
    min_cluster_size: usize,
    predecessor_correction: bool,
) -> PyResult<XiOut<'py>> {
    let err = |name: &str, e: numpy::AsSliceError| PyTypeError::new_err(format!("{name}: {e}"));
    let r = reachability_plot.as_slice().map_err(|e| err("reachability", e))?;
    let p = predecessor_plot.as_slice().map_err(|e| err("predecessor", e))?;
    let o = ordering.as_slice().map_err(|e| err("ordering", e))?;
    let (labels, clusters) = py
        .detach(|| {
            let c = optics::xi_clusters(r, p, o, xi, min_samples, min_cluster_size, predecessor_correction)?;
            Ok((optics::xi_labels(o, &c)?, c))
        })
        .map_err(to_pyerr)?;
    let flat: Vec<i64> = clusters.iter().flat_map(|&(s, e)| [s as i64, e as i64]).collect();
    let m = clusters.len();
    Ok((PyArray1::from_vec(py, labels), PyArray1::from_vec(py, flat).reshape([m, 2])?))
}

/// scikit-learn's `KDTree`/`BallTree` point order (`idx_array`) for `x` (n×d, f64) and
/// `leaf_size`: what OPTICS reproduces for its BLAS metrics (exposed for the tests).
#[pyfunction]
fn sklearn_tree_order<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    leaf_size: usize,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    if leaf_size == 0 {
        return Err(PyValueError::new_err("leaf_size=0 must be >= 1"));
    }
    let (n, d) = (x.shape()[0], x.shape()[1]);
    let data = x.as_slice().map_err(|e| PyTypeError::new_err(format!("x: {e}")))?;
    let order = py.detach(|| optics::sklearn_tree_order(data, n, d, leaf_size));
    Ok(PyArray1::from_vec(py, order.into_iter().map(|i| i as i64).collect()))
}
