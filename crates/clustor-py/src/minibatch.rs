//! Bindings of `clustor_core::kmeans::minibatch`.

use clustor_core::kmeans::minibatch::{self, Config, State, StepConfig};
use numpy::PyArray1;
use pyo3::prelude::*;

use crate::convert::{array2, mat, slice, vec1, view, Scalar};
use crate::dispatch;
use crate::error::PyMonitor;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(minibatch_partial_fit, m)?)?;
    m.add_function(wrap_pyfunction!(minibatch_fit, m)?)?;
    Ok(())
}

type StepOut<'py> = (Bound<'py, PyAny>, Bound<'py, PyArray1<f64>>, usize, f64, usize);

/// One mini-batch step on `x` from (centers, counts, samples since the last reassignment)
/// → (centers, counts, samples since the last reassignment, batch inertia, reassigned).
#[pyfunction]
#[pyo3(signature = (x, sample_weight, centers, counts, n_since_last_reassign, batch_size, reassignment_ratio, spherical, seed, n_threads, verbose))]
#[allow(clippy::too_many_arguments)]
fn minibatch_partial_fit<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: &Bound<'py, PyAny>,
    centers: &Bound<'py, PyAny>,
    counts: &Bound<'py, PyAny>,
    n_since_last_reassign: usize,
    batch_size: usize,
    reassignment_ratio: f64,
    spherical: bool,
    seed: u64,
    n_threads: usize,
    verbose: bool,
) -> PyResult<StepOut<'py>> {
    let cfg = StepConfig { random_reassign: false, reassignment_ratio, spherical, want_shift: false, verbose };
    #[allow(clippy::too_many_arguments)]
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        w: &Bound<'py, PyAny>,
        c: &Bound<'py, PyAny>,
        counts: &Bound<'py, PyAny>,
        since: usize,
        batch_size: usize,
        cfg: StepConfig,
        seed: u64,
        nt: usize,
    ) -> PyResult<StepOut<'py>> {
        let py = x.py();
        let (xa, wa, ca) = (mat::<T>("X", x)?, vec1::<T>("sample_weight", w)?, mat::<T>("centers", c)?);
        let na = vec1::<f64>("counts", counts)?;
        let (xv, wv, cv) = (view("X", &xa)?, slice("sample_weight", &wa)?, view("centers", &ca)?);
        let mut state =
            State { centers: cv.data().to_vec(), counts: slice("counts", &na)?.to_vec(), n_since_last_reassign: since };
        let cfg = StepConfig { random_reassign: state.due_for_reassignment(batch_size), ..cfg };
        let mon = PyMonitor::default();
        match py.detach(|| minibatch::partial_fit(xv, wv, &mut state, &cfg, seed, nt, &mon)) {
            Ok(out) => Ok((
                array2(py, state.centers, cv.rows(), cv.cols())?.into_any(),
                PyArray1::from_vec(py, state.counts),
                state.n_since_last_reassign,
                out.inertia,
                out.n_reassigned,
            )),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, sample_weight, centers, counts, n_since_last_reassign, batch_size, cfg, seed, n_threads))
}

type FitOut<'py> = (Bound<'py, PyAny>, Bound<'py, PyArray1<f64>>, usize, usize, Option<f64>, f64);

/// Mini-batch k-means from `centers` → (centers, counts, samples since the last
/// reassignment, steps run, smoothed mean batch inertia, last mean batch inertia).
#[pyfunction]
#[pyo3(signature = (x, sample_weight, centers, batch_size, n_steps, tol, max_no_improvement, reassignment_ratio, spherical, seed, n_threads, verbose))]
#[allow(clippy::too_many_arguments)]
fn minibatch_fit<'py>(
    x: &Bound<'py, PyAny>,
    sample_weight: &Bound<'py, PyAny>,
    centers: &Bound<'py, PyAny>,
    batch_size: usize,
    n_steps: usize,
    tol: f64,
    max_no_improvement: Option<usize>,
    reassignment_ratio: f64,
    spherical: bool,
    seed: u64,
    n_threads: usize,
    verbose: bool,
) -> PyResult<FitOut<'py>> {
    let cfg = Config {
        batch_size,
        n_steps,
        tol,
        max_no_improvement,
        reassignment_ratio,
        spherical,
        n_threads,
        verbose,
        seed,
    };
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        w: &Bound<'py, PyAny>,
        c: &Bound<'py, PyAny>,
        cfg: &Config,
    ) -> PyResult<FitOut<'py>> {
        let py = x.py();
        let (xa, wa, ca) = (mat::<T>("X", x)?, vec1::<T>("sample_weight", w)?, mat::<T>("init", c)?);
        let (xv, wv, cv) = (view("X", &xa)?, slice("sample_weight", &wa)?, view("init", &ca)?);
        let mon = PyMonitor::default();
        match py.detach(|| minibatch::fit(xv, wv, cv, cfg, &mon)) {
            Ok(f) => Ok((
                array2(py, f.state.centers, cv.rows(), cv.cols())?.into_any(),
                PyArray1::from_vec(py, f.state.counts),
                f.state.n_since_last_reassign,
                f.n_steps,
                f.ewa_inertia,
                f.last_batch_inertia,
            )),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, sample_weight, centers, &cfg))
}
