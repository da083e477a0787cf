//! Bindings of `clustor_core::kmeans::bisecting`.

use clustor_core::kmeans::bisecting::{self, Config, Init, Seeder, Strategy};
use clustor_core::kmeans::{self, Algorithm};
use clustor_core::MatRef;
use numpy::PyArray1;
use numpy::{PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::convert::{array2, mat, slice, vec1, view, Scalar};
use crate::dispatch;
use crate::error::{to_pyerr, PyMonitor};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(bisecting_fit, m)?)?;
    m.add_function(wrap_pyfunction!(bisecting_predict, m)?)?;
    Ok(())
}

type FitOut<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyArray1<i64>>,
    f64,
    usize,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyAny>,
    Bound<'py, PyArray1<i64>>,
);

/// Bisecting k-means of `x - shift` → (centers, labels, inertia, n_splits, tree children
/// (2 per node), tree centers (nodes×d), tree leaf labels); centers in the shifted frame.
/// `seeder`, when given, seeds every split instead of `init`: called with the leaf's rows
/// (a new m×d array), it returns a C-contiguous 2×d array of X's dtype.
#[pyfunction]
#[pyo3(signature = (x, sample_weight, shift, n_clusters, init, n_init, max_iter, tol, algorithm, strategy, spherical, seed, n_threads, verbose, seeder=None))]
#[allow(clippy::too_many_arguments)]
fn bisecting_fit<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: &Bound<'py, PyAny>,
    shift: &Bound<'py, PyAny>,
    n_clusters: usize,
    init: &str,
    n_init: usize,
    max_iter: usize,
    tol: f64,
    algorithm: &str,
    strategy: &str,
    spherical: bool,
    seed: u64,
    n_threads: usize,
    verbose: bool,
    seeder: Option<Py<PyAny>>,
) -> PyResult<FitOut<'py>> {
    let bad = |what: &str, v: &str, ok: &str| PyValueError::new_err(format!("unknown {what} {v:?}; use {ok}"));
    let init = match init {
        "random" => Init::Random,
        "k-means++" => Init::KMeansPlusPlus,
        v => return Err(bad("init", v, "'random' or 'k-means++'")),
    };
    let algorithm = match algorithm {
        "lloyd" => Algorithm::Lloyd,
        "elkan" => Algorithm::Elkan,
        v => return Err(bad("algorithm", v, "'lloyd' or 'elkan'")),
    };
    let strategy = match strategy {
        "biggest_inertia" => Strategy::BiggestInertia,
        "largest_cluster" => Strategy::LargestCluster,
        v => return Err(bad("bisecting_strategy", v, "'biggest_inertia' or 'largest_cluster'")),
    };
    let kmeans = kmeans::Config { max_iter, tol, algorithm, spherical, n_threads, verbose };
    let cfg = Config { n_clusters, init, n_init, kmeans, strategy, seed };
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        w: &Bound<'py, PyAny>,
        s: &Bound<'py, PyAny>,
        cfg: &Config,
        seeder: Option<&Py<PyAny>>,
    ) -> PyResult<FitOut<'py>> {
        let py = x.py();
        let (xa, wa, sa) = (mat::<T>("X", x)?, vec1::<T>("sample_weight", w)?, vec1::<T>("shift", s)?);
        let (xv, wv, sv) = (view("X", &xa)?, slice("sample_weight", &wa)?, slice("shift", &sa)?);
        let mon = PyMonitor::default();
        // The callback takes the GIL for the call; an exception it raises ends the fit and
        // is raised as is.
        let mut call = seeder.map(|f| {
            let mon = &mon;
            move |xs: MatRef<'_, T>| -> clustor_core::Result<Vec<T>> {
                Python::attach(|py| -> PyResult<Vec<T>> {
                    let rows = array2(py, xs.data().to_vec(), xs.rows(), xs.cols())?;
                    let out = f.bind(py).call1((rows,))?;
                    let c = mat::<T>("init", &out)?;
                    Ok(c.as_slice().map_err(|e| PyTypeError::new_err(format!("init: {e}")))?.to_vec())
                })
                .map_err(|e| mon.fail(e))
            }
        });
        let seeder = call.as_mut().map(|c| c as &mut Seeder<'_, T>);
        match py.detach(|| bisecting::fit_seeded(xv, wv, sv, cfg, seeder, &mon)) {
            Ok(f) => {
                let (k, d, m) = (cfg.n_clusters, xv.cols(), f.tree.labels.len());
                Ok((
                    array2(py, f.centers, k, d)?.into_any(),
                    PyArray1::from_vec(py, f.labels),
                    f.inertia,
                    f.n_splits,
                    PyArray1::from_vec(py, f.tree.children),
                    array2(py, f.tree.centers, m, d)?.into_any(),
                    PyArray1::from_vec(py, f.tree.labels),
                ))
            }
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, sample_weight, shift, &cfg, seeder.as_ref()))
}

/// Labels of `x - shift` by descending the tree from the root.
#[pyfunction]
fn bisecting_predict<'py>(
    x: &Bound<'py, PyAny>,
    shift: &Bound<'py, PyAny>,
    children: &Bound<'py, PyAny>,
    centers: &Bound<'py, PyAny>,
    labels: &Bound<'py, PyAny>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        s: &Bound<'py, PyAny>,
        ch: &Bound<'py, PyAny>,
        c: &Bound<'py, PyAny>,
        l: &Bound<'py, PyAny>,
        nt: usize,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let py = x.py();
        let (xa, sa, ca) = (mat::<T>("X", x)?, vec1::<T>("shift", s)?, mat::<T>("centers", c)?);
        let (cha, la) = (ints("children", ch)?, ints("labels", l)?);
        let (xv, sv, cv) = (view("X", &xa)?, slice("shift", &sa)?, view("centers", &ca)?);
        let (chv, lv) = (ints_slice("children", &cha)?, ints_slice("labels", &la)?);
        let out = py.detach(|| bisecting::predict(xv, sv, chv, cv, lv, nt)).map_err(to_pyerr)?;
        Ok(PyArray1::from_vec(py, out))
    }
    dispatch!(x, go(x, shift, children, centers, labels, n_threads))
}

/// Borrows a 1-D int64 array read-only.
fn ints<'py>(name: &str, a: &Bound<'py, PyAny>) -> PyResult<PyReadonlyArray1<'py, i64>> {
    let arr =
        a.cast::<PyArray1<i64>>().map_err(|_| PyTypeError::new_err(format!("{name} must be a 1-D int64 array")))?;
    arr.try_readonly().map_err(|e| PyTypeError::new_err(format!("{name}: {e}")))
}

fn ints_slice<'a>(name: &str, a: &'a PyReadonlyArray1<'_, i64>) -> PyResult<&'a [i64]> {
    a.as_slice().map_err(|e| PyTypeError::new_err(format!("{name}: {e}")))
}
