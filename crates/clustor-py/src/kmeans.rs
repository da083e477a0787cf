//! Bindings of `clustor_core::kmeans`.

use clustor_core::kmeans::{self, init, Algorithm, Config};
use numpy::{PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::{array2, mat, slice, vec1, view, Scalar};
use crate::dispatch;
use crate::error::{to_pyerr, PyMonitor};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(kmeans_plusplus, m)?)?;
    m.add_function(wrap_pyfunction!(kmeans_random_init, m)?)?;
    m.add_function(wrap_pyfunction!(kmeans_fit, m)?)?;
    m.add_function(wrap_pyfunction!(kmeans_predict, m)?)?;
    m.add_function(wrap_pyfunction!(kmeans_transform, m)?)?;
    Ok(())
}

type Seeds<'py> = (Bound<'py, PyAny>, Bound<'py, PyArray1<i64>>);

/// k-means++ seeding → (centers k×d, sample indices).
#[pyfunction]
#[pyo3(signature = (x, sample_weight, n_clusters, n_local_trials, seed, n_threads))]
fn kmeans_plusplus<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: &Bound<'py, PyAny>,
    n_clusters: usize,
    n_local_trials: Option<usize>,
    seed: u64,
    n_threads: usize,
) -> PyResult<Seeds<'py>> {
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        w: &Bound<'py, PyAny>,
        k: usize,
        t: Option<usize>,
        seed: u64,
        nt: usize,
    ) -> PyResult<Seeds<'py>> {
        let py = x.py();
        let (xa, wa) = (mat::<T>("X", x)?, vec1::<T>("sample_weight", w)?);
        let (xv, wv) = (view("X", &xa)?, slice("sample_weight", &wa)?);
        let mon = PyMonitor::default();
        let d = xv.cols();
        match py.detach(|| init::kmeans_plusplus(xv, wv, k, t, seed, nt, &mon)) {
            Ok((c, idx)) => Ok((array2(py, c, k, d)?.into_any(), PyArray1::from_vec(py, idx))),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, sample_weight, n_clusters, n_local_trials, seed, n_threads))
}

/// k distinct samples drawn with probability ∝ weight → (centers k×d, sample indices).
#[pyfunction]
fn kmeans_random_init<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: &Bound<'py, PyAny>,
    n_clusters: usize,
    seed: u64,
) -> PyResult<Seeds<'py>> {
    fn go<'py, T: Scalar>(x: &Bound<'py, PyAny>, w: &Bound<'py, PyAny>, k: usize, seed: u64) -> PyResult<Seeds<'py>> {
        let py = x.py();
        let (xa, wa) = (mat::<T>("X", x)?, vec1::<T>("sample_weight", w)?);
        let (xv, wv) = (view("X", &xa)?, slice("sample_weight", &wa)?);
        let d = xv.cols();
        let (c, idx) = py.detach(|| init::random(xv, wv, k, seed)).map_err(to_pyerr)?;
        Ok((array2(py, c, k, d)?.into_any(), PyArray1::from_vec(py, idx)))
    }
    dispatch!(x, go(x, sample_weight, n_clusters, seed))
}

type FitOut<'py> = (Bound<'py, PyAny>, Bound<'py, PyArray1<i64>>, f64, usize);

/// One k-means run from given centers → (centers, labels, inertia, n_iter). `checked`: X
/// was validated (finite) by the caller, so the core does not scan it again.
#[pyfunction]
#[pyo3(signature = (x, sample_weight, centers, max_iter, tol, algorithm, spherical, n_threads, verbose, checked=false))]
fn kmeans_fit<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: &Bound<'py, PyAny>,
    centers: &Bound<'py, PyAny>,
    max_iter: usize,
    tol: f64,
    algorithm: &str,
    spherical: bool,
    n_threads: usize,
    verbose: bool,
    checked: bool,
) -> PyResult<FitOut<'py>> {
    let algorithm = match algorithm {
        "lloyd" => Algorithm::Lloyd,
        "elkan" => Algorithm::Elkan,
        other => return Err(PyValueError::new_err(format!("unknown algorithm {other:?}; use 'lloyd' or 'elkan'"))),
    };
    let cfg = Config { max_iter, tol, algorithm, spherical, n_threads, verbose };
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        w: &Bound<'py, PyAny>,
        c: &Bound<'py, PyAny>,
        cfg: &Config,
        checked: bool,
    ) -> PyResult<FitOut<'py>> {
        let py = x.py();
        let (xa, wa, ca) = (mat::<T>("X", x)?, vec1::<T>("sample_weight", w)?, mat::<T>("init", c)?);
        let (xv, wv, cv) = (view("X", &xa)?, slice("sample_weight", &wa)?, view("init", &ca)?);
        let mon = PyMonitor::default();
        match py.detach(|| kmeans::fit_with(xv, wv, cv, cfg, &mon, checked)) {
            Ok(f) => Ok((
                array2(py, f.centers, cv.rows(), cv.cols())?.into_any(),
                PyArray1::from_vec(py, f.labels),
                f.inertia,
                f.n_iter,
            )),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, sample_weight, centers, &cfg, checked))
}

/// Closest center of each sample → (labels, weighted inertia). `checked`: X was validated
/// (finite) by the caller, so the core does not scan it again.
#[pyfunction]
#[pyo3(signature = (x, sample_weight, centers, n_threads, checked=false))]
fn kmeans_predict<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: &Bound<'py, PyAny>,
    centers: &Bound<'py, PyAny>,
    n_threads: usize,
    checked: bool,
) -> PyResult<(Bound<'py, PyArray1<i64>>, f64)> {
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        w: &Bound<'py, PyAny>,
        c: &Bound<'py, PyAny>,
        nt: usize,
        checked: bool,
    ) -> PyResult<(Bound<'py, PyArray1<i64>>, f64)> {
        let py = x.py();
        let (xa, wa, ca) = (mat::<T>("X", x)?, vec1::<T>("sample_weight", w)?, mat::<T>("centers", c)?);
        let (xv, wv, cv) = (view("X", &xa)?, slice("sample_weight", &wa)?, view("centers", &ca)?);
        let (labels, inertia) = py.detach(|| kmeans::predict_with(xv, wv, cv, nt, checked)).map_err(to_pyerr)?;
        Ok((PyArray1::from_vec(py, labels), inertia))
    }
    dispatch!(x, go(x, sample_weight, centers, n_threads, checked))
}

/// Euclidean distances of each sample to each center (n×k).
#[pyfunction]
fn kmeans_transform<'py>(
    x: &Bound<'py, PyAny>,
    centers: &Bound<'py, PyAny>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyAny>> {
    fn go<'py, T: Scalar>(x: &Bound<'py, PyAny>, c: &Bound<'py, PyAny>, nt: usize) -> PyResult<Bound<'py, PyAny>> {
        let py = x.py();
        let (xa, ca) = (mat::<T>("X", x)?, mat::<T>("centers", c)?);
        let (xv, cv) = (view("X", &xa)?, view("centers", &ca)?);
        let out = py.detach(|| kmeans::transform(xv, cv, nt)).map_err(to_pyerr)?;
        let a: Bound<'py, PyArray2<T>> = array2(py, out, xv.rows(), cv.rows())?;
        Ok(a.into_any())
    }
    dispatch!(x, go(x, centers, n_threads))
}
