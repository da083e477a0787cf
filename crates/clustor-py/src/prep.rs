//! Bindings of `clustor_core::prep`: the whole-array passes that validation and the
//! estimators run before an algorithm.

use clustor_core::{parallel, prep};
use numpy::PyArray1;
use pyo3::prelude::*;

use pyo3::exceptions::PyTypeError;

use crate::convert::{mat, mat_mut, slice, vec1, view, Scalar};
use crate::dispatch;
use crate::error::to_pyerr;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(all_finite, m)?)?;
    m.add_function(wrap_pyfunction!(column_stats, m)?)?;
    m.add_function(wrap_pyfunction!(center_rows, m)?)?;
    Ok(())
}

/// Whether every value of a contiguous 1-D float array is finite.
#[pyfunction]
fn all_finite(a: &Bound<'_, PyAny>, n_threads: usize) -> PyResult<bool> {
    fn go<T: Scalar>(a: &Bound<'_, PyAny>, nt: usize) -> PyResult<bool> {
        let arr = vec1::<T>("a", a)?;
        let v = slice("a", &arr)?;
        let pool = parallel::pool(nt).map_err(to_pyerr)?;
        Ok(a.py().detach(|| prep::all_finite(v, &pool)))
    }
    dispatch!(a, go(a, n_threads))
}

type Stats<'py> = (f64, f64, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// (min, max, column sums, column sums of squares) of X in float64, in one parallel pass;
/// the sums of squares are empty unless `squares`.
#[pyfunction]
#[pyo3(signature = (x, n_threads, squares = false))]
fn column_stats<'py>(x: &Bound<'py, PyAny>, n_threads: usize, squares: bool) -> PyResult<Stats<'py>> {
    fn go<'py, T: Scalar>(x: &Bound<'py, PyAny>, nt: usize, squares: bool) -> PyResult<Stats<'py>> {
        let xa = mat::<T>("X", x)?;
        let xv = view("X", &xa)?;
        let pool = parallel::pool(nt).map_err(to_pyerr)?;
        let s = x.py().detach(|| prep::column_stats(xv, squares, &pool));
        Ok((s.min, s.max, PyArray1::from_vec(x.py(), s.sums), PyArray1::from_vec(x.py(), s.squares)))
    }
    dispatch!(x, go(x, n_threads, squares))
}

/// Writes `X − shift` into `out` (a C-contiguous array shaped like X, of X's type; shift:
/// one value per column); returns the column sums of squares of `out`, in float64.
#[pyfunction]
fn center_rows<'py>(
    x: &Bound<'py, PyAny>,
    shift: &Bound<'py, PyAny>,
    out: &Bound<'py, PyAny>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        shift: &Bound<'py, PyAny>,
        out: &Bound<'py, PyAny>,
        nt: usize,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (xa, sa) = (mat::<T>("X", x)?, vec1::<T>("shift", shift)?);
        let (xv, sv) = (view("X", &xa)?, slice("shift", &sa)?);
        let mut oa = mat_mut::<T>("out", out)?;
        let o = oa.as_slice_mut().map_err(|e| PyTypeError::new_err(format!("out: {e}")))?;
        let pool = parallel::pool(nt).map_err(to_pyerr)?;
        let squares = x.py().detach(|| prep::center_rows(xv, sv, o, &pool)).map_err(to_pyerr)?;
        Ok(PyArray1::from_vec(x.py(), squares))
    }
    dispatch!(x, go(x, shift, out, n_threads))
}
