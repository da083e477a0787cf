//! Borrowing NumPy arrays as core views and handing results back as NumPy arrays.

use clustor_core::{Float, MatRef};
use numpy::{
    Element, PyArray1, PyArray2, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::error::to_pyerr;

/// A float type the bindings accept.
pub trait Scalar: Float + Element {}
impl Scalar for f32 {}
impl Scalar for f64 {}

/// Borrows a C-contiguous 2-D array of `T` read-only.
pub fn mat<'py, T: Scalar>(name: &str, a: &Bound<'py, PyAny>) -> PyResult<PyReadonlyArray2<'py, T>> {
    let arr = a
        .cast::<PyArray2<T>>()
        .map_err(|_| PyTypeError::new_err(format!("{name} must be a 2-D {} array", std::any::type_name::<T>())))?;
    let ro = arr.try_readonly().map_err(|e| PyTypeError::new_err(format!("{name}: {e}")))?;
    if !ro.is_c_contiguous() {
        return Err(PyTypeError::new_err(format!("{name} must be C-contiguous")));
    }
    Ok(ro)
}

/// Borrows a C-contiguous 2-D array of `T` writably (an output buffer the caller allocated).
pub fn mat_mut<'py, T: Scalar>(name: &str, a: &Bound<'py, PyAny>) -> PyResult<numpy::PyReadwriteArray2<'py, T>> {
    let arr = a
        .cast::<PyArray2<T>>()
        .map_err(|_| PyTypeError::new_err(format!("{name} must be a 2-D {} array", std::any::type_name::<T>())))?;
    let rw = arr.try_readwrite().map_err(|e| PyTypeError::new_err(format!("{name}: {e}")))?;
    if !rw.is_c_contiguous() {
        return Err(PyTypeError::new_err(format!("{name} must be C-contiguous")));
    }
    Ok(rw)
}

/// Borrows a contiguous 1-D array of `T` read-only.
pub fn vec1<'py, T: Scalar>(name: &str, a: &Bound<'py, PyAny>) -> PyResult<PyReadonlyArray1<'py, T>> {
    let arr = a
        .cast::<PyArray1<T>>()
        .map_err(|_| PyTypeError::new_err(format!("{name} must be a 1-D {} array", std::any::type_name::<T>())))?;
    let ro = arr.try_readonly().map_err(|e| PyTypeError::new_err(format!("{name}: {e}")))?;
    if !ro.is_contiguous() {
        return Err(PyTypeError::new_err(format!("{name} must be contiguous")));
    }
    Ok(ro)
}

/// The core's view of a borrowed 2-D array.
pub fn view<'a, T: Scalar>(name: &'static str, a: &'a PyReadonlyArray2<'_, T>) -> PyResult<MatRef<'a, T>> {
    let s = a.shape();
    let data = a.as_slice().map_err(|e| PyTypeError::new_err(format!("{name}: {e}")))?;
    MatRef::new(name, data, s[0], s[1]).map_err(to_pyerr)
}

/// Slice of a borrowed 1-D array.
pub fn slice<'a, T: Scalar>(name: &'static str, a: &'a PyReadonlyArray1<'_, T>) -> PyResult<&'a [T]> {
    a.as_slice().map_err(|e| PyTypeError::new_err(format!("{name}: {e}")))
}

/// A rows×cols NumPy array owning `v`.
pub fn array2<T: Scalar>(py: Python<'_>, v: Vec<T>, rows: usize, cols: usize) -> PyResult<Bound<'_, PyArray2<T>>> {
    PyArray1::from_vec(py, v).reshape([rows, cols])
}

/// Whether `a` is a float64 array (else float32 is tried).
pub fn is_f64(a: &Bound<'_, PyAny>) -> bool {
    a.cast::<numpy::PyUntypedArray>().map(|u| u.dtype().is_equiv_to(&numpy::dtype::<f64>(a.py()))).unwrap_or(false)
}

/// Calls `$f::<f64>` or `$f::<f32>` according to the dtype of `$x`.
#[macro_export]
macro_rules! dispatch {
    ($x:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        if $crate::convert::is_f64($x) { $f::<f64>($($arg),*) } else { $f::<f32>($($arg),*) }
    };
}
