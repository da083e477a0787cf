//! Bindings of `clustor_core::mixture::gaussian`. Parameter arrays travel as flat f64
//! vectors in the core's layouts; Python reshapes them and casts to X's float type.

use clustor_core::mixture::gaussian::{self, Config, CovarianceType, Params};
use numpy::PyArray1;
use pyo3::prelude::*;

use crate::convert::{array2, mat, slice, vec1, view, Scalar};
use crate::dispatch;
use crate::error::{to_pyerr, PyMonitor};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(gmm_estimate_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(gmm_precisions_cholesky, m)?)?;
    m.add_function(wrap_pyfunction!(gmm_fit, m)?)?;
    m.add_function(wrap_pyfunction!(gmm_log_prob_resp, m)?)?;
    Ok(())
}

fn f64_vec(name: &'static str, a: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    let ro = vec1::<f64>(name, a)?;
    Ok(slice(name, &ro)?.to_vec())
}

fn cov_type(name: &str) -> PyResult<CovarianceType> {
    CovarianceType::parse(name).map_err(to_pyerr)
}

type Arrays3<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// M-step from responsibilities (n×k, f64) → (masses, means, covariances), flat f64.
#[pyfunction]
fn gmm_estimate_parameters<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: &Bound<'py, PyAny>,
    resp: &Bound<'py, PyAny>,
    covariance_type: &str,
    reg_covar: f64,
    n_threads: usize,
) -> PyResult<Arrays3<'py>> {
    let ct = cov_type(covariance_type)?;
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        w: &Bound<'py, PyAny>,
        r: &Bound<'py, PyAny>,
        ct: CovarianceType,
        reg: f64,
        nt: usize,
    ) -> PyResult<Arrays3<'py>> {
        let py = x.py();
        let (xa, wa, ra) = (mat::<T>("X", x)?, vec1::<T>("sample_weight", w)?, mat::<f64>("resp", r)?);
        let (xv, wv, rv) = (view("X", &xa)?, slice("sample_weight", &wa)?, view("resp", &ra)?);
        let k = rv.cols();
        let (nk, means, cov) =
            py.detach(|| gaussian::estimate_parameters(xv, wv, rv.data(), k, ct, reg, nt)).map_err(to_pyerr)?;
        Ok((PyArray1::from_vec(py, nk), PyArray1::from_vec(py, means), PyArray1::from_vec(py, cov)))
    }
    dispatch!(x, go(x, sample_weight, resp, ct, reg_covar, n_threads))
}

/// Precision Cholesky factors of flat f64 covariances.
#[pyfunction]
fn gmm_precisions_cholesky<'py>(
    py: Python<'py>,
    covariances: &Bound<'py, PyAny>,
    covariance_type: &str,
    n_components: usize,
    n_features: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let ct = cov_type(covariance_type)?;
    let cov = f64_vec("covariances", covariances)?;
    let out = gaussian::precisions_cholesky(&cov, ct, n_components, n_features).map_err(to_pyerr)?;
    Ok(PyArray1::from_vec(py, out))
}

type FitOut<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    bool,
    usize,
);

/// EM from initial parameters → (weights, means, covariances, precisions_cholesky,
/// lower_bounds, converged, n_iter).
#[pyfunction]
#[pyo3(signature = (x, sample_weight, weights, means, covariances, precisions_cholesky, covariance_type,
    reg_covar, tol, max_iter, initial_lower_bound, n_threads, verbose, verbose_interval))]
fn gmm_fit<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: &Bound<'py, PyAny>,
    weights: &Bound<'py, PyAny>,
    means: &Bound<'py, PyAny>,
    covariances: &Bound<'py, PyAny>,
    precisions_cholesky: &Bound<'py, PyAny>,
    covariance_type: &str,
    reg_covar: f64,
    tol: f64,
    max_iter: usize,
    initial_lower_bound: f64,
    n_threads: usize,
    verbose: usize,
    verbose_interval: usize,
) -> PyResult<FitOut<'py>> {
    let covariance_type = cov_type(covariance_type)?;
    let init = Params {
        weights: f64_vec("weights", weights)?,
        means: f64_vec("means", means)?,
        covariances: f64_vec("covariances", covariances)?,
        precisions_cholesky: f64_vec("precisions_cholesky", precisions_cholesky)?,
    };
    let cfg =
        Config { covariance_type, reg_covar, tol, max_iter, initial_lower_bound, n_threads, verbose, verbose_interval };
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        w: &Bound<'py, PyAny>,
        init: &Params,
        cfg: &Config,
    ) -> PyResult<FitOut<'py>> {
        let py = x.py();
        let (xa, wa) = (mat::<T>("X", x)?, vec1::<T>("sample_weight", w)?);
        let (xv, wv) = (view("X", &xa)?, slice("sample_weight", &wa)?);
        let mon = PyMonitor::default();
        match py.detach(|| gaussian::fit(xv, wv, init, cfg, &mon)) {
            Ok(f) => Ok((
                PyArray1::from_vec(py, f.params.weights),
                PyArray1::from_vec(py, f.params.means),
                PyArray1::from_vec(py, f.params.covariances),
                PyArray1::from_vec(py, f.params.precisions_cholesky),
                PyArray1::from_vec(py, f.lower_bounds),
                f.converged,
                f.n_iter,
            )),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, sample_weight, &init, &cfg))
}

/// Per-row log-likelihood (n) and log-responsibilities (n×k), f64.
#[pyfunction]
fn gmm_log_prob_resp<'py>(
    x: &Bound<'py, PyAny>,
    weights: &Bound<'py, PyAny>,
    means: &Bound<'py, PyAny>,
    precisions_cholesky: &Bound<'py, PyAny>,
    covariance_type: &str,
    n_threads: usize,
) -> PyResult<(Bound<'py, PyArray1<f64>>, Bound<'py, PyAny>)> {
    let ct = cov_type(covariance_type)?;
    let params = Params {
        weights: f64_vec("weights", weights)?,
        means: f64_vec("means", means)?,
        covariances: Vec::new(),
        precisions_cholesky: f64_vec("precisions_cholesky", precisions_cholesky)?,
    };
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        p: &Params,
        ct: CovarianceType,
        nt: usize,
    ) -> PyResult<(Bound<'py, PyArray1<f64>>, Bound<'py, PyAny>)> {
        let py = x.py();
        let xa = mat::<T>("X", x)?;
        let xv = view("X", &xa)?;
        let k = p.weights.len();
        let (norm, resp) = py.detach(|| gaussian::log_prob_resp(xv, p, ct, nt)).map_err(to_pyerr)?;
        let resp = array2(py, resp, xv.rows(), k)?;
        Ok((PyArray1::from_vec(py, norm), resp.into_any()))
    }
    dispatch!(x, go(x, &params, ct, n_threads))
}
