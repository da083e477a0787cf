//! Bindings of `clustor_core::neighbors`: batch queries of a [`NeighborIndex`] built per
//! call (the index is cheap next to the queries).

use clustor_core::neighbors::{Algorithm, Metric, NeighborIndex};
use clustor_core::MatRef;
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;

use crate::convert::{mat, view, Scalar};
use crate::dispatch;
use crate::error::PyMonitor;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(neighbors_radius, m)?)?;
    m.add_function(wrap_pyfunction!(neighbors_kneighbors, m)?)?;
    Ok(())
}

type RadiusOut<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>);

fn build<T: Scalar>(
    x: MatRef<'_, T>,
    metric: &str,
    algorithm: &str,
    leaf_size: usize,
) -> clustor_core::Result<NeighborIndex<T>> {
    NeighborIndex::new(x, Metric::parse(metric)?, Algorithm::parse(algorithm)?, leaf_size)
}

/// Rows of `x` within `radius` of each query (None: of each row of x, itself included)
/// → (offsets, indices, distances), neighbourhoods sorted by distance when `sort`, else by index.
#[pyfunction]
#[pyo3(signature = (x, queries, radius, sort, metric, algorithm, leaf_size, n_threads))]
fn neighbors_radius<'py>(
    x: &Bound<'py, PyAny>,
    queries: Option<&Bound<'py, PyAny>>,
    radius: f64,
    sort: bool,
    metric: &str,
    algorithm: &str,
    leaf_size: usize,
    n_threads: usize,
) -> PyResult<RadiusOut<'py>> {
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        q: Option<&Bound<'py, PyAny>>,
        args: (f64, bool, &str, &str, usize, usize),
    ) -> PyResult<RadiusOut<'py>> {
        let (radius, sort, metric, algorithm, leaf_size, nt) = args;
        let py = x.py();
        let xa = mat::<T>("X", x)?;
        let qa = q.map(|q| mat::<T>("queries", q)).transpose()?;
        let (xv, qv) = (view("X", &xa)?, qa.as_ref().map(|q| view("queries", q)).transpose()?);
        let mon = PyMonitor::default();
        let r = py.detach(|| build(xv, metric, algorithm, leaf_size)?.radius_neighbors(qv, radius, sort, nt, &mon));
        let r = r.map_err(|e| mon.into_pyerr(e))?;
        let cast = |v: Vec<usize>| v.into_iter().map(|i| i as i64).collect::<Vec<i64>>();
        Ok((
            PyArray1::from_vec(py, cast(r.offsets)),
            PyArray1::from_vec(py, cast(r.indices)),
            PyArray1::from_vec(py, r.distances),
        ))
    }
    dispatch!(x, go(x, queries, (radius, sort, metric, algorithm, leaf_size, n_threads)))
}

type KnnOut<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<i64>>);

/// The `k` nearest rows of `x` to each query (None: to each row, itself first)
/// → (distances, indices), each n_queries×k, ties by lowest index.
#[pyfunction]
#[pyo3(signature = (x, queries, k, metric, algorithm, leaf_size, n_threads))]
fn neighbors_kneighbors<'py>(
    x: &Bound<'py, PyAny>,
    queries: Option<&Bound<'py, PyAny>>,
    k: usize,
    metric: &str,
    algorithm: &str,
    leaf_size: usize,
    n_threads: usize,
) -> PyResult<KnnOut<'py>> {
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        q: Option<&Bound<'py, PyAny>>,
        args: (usize, &str, &str, usize, usize),
    ) -> PyResult<KnnOut<'py>> {
        let (k, metric, algorithm, leaf_size, nt) = args;
        let py = x.py();
        let xa = mat::<T>("X", x)?;
        let qa = q.map(|q| mat::<T>("queries", q)).transpose()?;
        let (xv, qv) = (view("X", &xa)?, qa.as_ref().map(|q| view("queries", q)).transpose()?);
        let nq = qv.map_or(xv.rows(), |q| q.rows());
        let mon = PyMonitor::default();
        let r = py.detach(|| build(xv, metric, algorithm, leaf_size)?.kneighbors(qv, k, nt, &mon));
        let (idx, dist) = r.map_err(|e| mon.into_pyerr(e))?;
        let idx: Vec<i64> = idx.into_iter().map(|i| i as i64).collect();
        Ok((PyArray1::from_vec(py, dist).reshape([nq, k])?, PyArray1::from_vec(py, idx).reshape([nq, k])?))
    }
    dispatch!(x, go(x, queries, (k, metric, algorithm, leaf_size, n_threads)))
}
