//! Bindings of `clustor_core::birch`: the CF-tree travels as a dict of NumPy arrays.

use clustor_core::birch::{self, Tree, TreeArrays};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{array2, mat, vec1, view, Scalar};
use crate::dispatch;
use crate::error::PyMonitor;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(birch_insert, m)?)?;
    m.add_function(wrap_pyfunction!(birch_nearest, m)?)?;
    Ok(())
}

fn item<'py>(t: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    t.get_item(key)?.ok_or_else(|| PyKeyError::new_err(format!("tree is missing {key:?}")))
}

fn ints(t: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<i64>> {
    let a = item(t, key)?;
    let a: PyReadonlyArray1<'_, i64> =
        a.extract().map_err(|_| PyTypeError::new_err(format!("tree[{key:?}] must be a 1-D int64 array")))?;
    Ok(a.as_array().to_vec())
}

fn floats<T: Scalar>(t: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<T>> {
    let a = item(t, key)?;
    if let Ok(m) = mat::<T>(key, &a) {
        return Ok(m.as_array().iter().copied().collect());
    }
    Ok(vec1::<T>(key, &a)?.as_array().to_vec())
}

fn from_dict<T: Scalar>(t: &Bound<'_, PyDict>, d: usize) -> PyResult<TreeArrays<T>> {
    let meta = ints(t, "meta")?;
    if meta.len() != 2 {
        return Err(PyTypeError::new_err("tree['meta'] must hold [root, first_leaf]"));
    }
    Ok(TreeArrays {
        d,
        node_is_leaf: ints(t, "node_is_leaf")?.into_iter().map(|v| (v != 0) as u8).collect(),
        node_ptr: ints(t, "node_ptr")?,
        node_prev: ints(t, "node_prev")?,
        node_next: ints(t, "node_next")?,
        root: meta[0],
        first_leaf: meta[1],
        sub_n: ints(t, "sub_n")?,
        sub_ls: floats(t, "sub_ls")?,
        sub_ss: floats(t, "sub_ss")?,
        sub_centroid: floats(t, "sub_centroid")?,
        sub_sq_norm: floats(t, "sub_sq_norm")?,
        sub_child: ints(t, "sub_child")?,
    })
}

fn to_dict<'py, T: Scalar>(py: Python<'py>, a: TreeArrays<T>) -> PyResult<Bound<'py, PyDict>> {
    let t = PyDict::new(py);
    let (d, m) = (a.d, a.sub_n.len());
    t.set_item("node_is_leaf", PyArray1::from_vec(py, a.node_is_leaf.iter().map(|&v| v as i64).collect()))?;
    t.set_item("node_ptr", PyArray1::from_vec(py, a.node_ptr))?;
    t.set_item("node_prev", PyArray1::from_vec(py, a.node_prev))?;
    t.set_item("node_next", PyArray1::from_vec(py, a.node_next))?;
    t.set_item("meta", PyArray1::from_vec(py, vec![a.root, a.first_leaf]))?;
    t.set_item("sub_n", PyArray1::from_vec(py, a.sub_n))?;
    t.set_item("sub_ls", array2(py, a.sub_ls, m, d)?)?;
    t.set_item("sub_ss", PyArray1::from_vec(py, a.sub_ss))?;
    t.set_item("sub_centroid", array2(py, a.sub_centroid, m, d)?)?;
    t.set_item("sub_sq_norm", PyArray1::from_vec(py, a.sub_sq_norm))?;
    t.set_item("sub_child", PyArray1::from_vec(py, a.sub_child))?;
    Ok(t)
}

type InsertOut<'py> = (Bound<'py, PyDict>, Bound<'py, PyAny>);

/// Inserts the rows of X into the CF-tree `tree` (None: a new tree) → (tree, leaf centroids
/// in leaf order).
#[pyfunction]
#[pyo3(signature = (x, tree, threshold, branching_factor))]
fn birch_insert<'py>(
    x: &Bound<'py, PyAny>,
    tree: Option<Bound<'py, PyDict>>,
    threshold: f64,
    branching_factor: usize,
) -> PyResult<InsertOut<'py>> {
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        tree: Option<Bound<'py, PyDict>>,
        threshold: f64,
        bf: usize,
    ) -> PyResult<InsertOut<'py>> {
        let py = x.py();
        let xa = mat::<T>("X", x)?;
        let xv = view("X", &xa)?;
        let d = xv.cols();
        let arrays = tree.map(|t| from_dict::<T>(&t, d)).transpose()?;
        let mon = PyMonitor::default();
        let out = py.detach(|| {
            let mut t = match &arrays {
                Some(a) => Tree::from_arrays(a, threshold, bf)?,
                None => Tree::new(d, threshold, bf)?,
            };
            t.insert_all(xv, &mon)?;
            Ok((t.leaf_centroids(), t.to_arrays()))
        });
        match out {
            Ok((c, a)) => {
                let m = c.len() / d;
                Ok((to_dict(py, a)?, array2(py, c, m, d)?.into_any()))
            }
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, tree, threshold, branching_factor))
}

/// Index of the nearest center (exact, lowest index on ties) of every row of X.
#[pyfunction]
fn birch_nearest<'py>(
    x: &Bound<'py, PyAny>,
    centers: &Bound<'py, PyAny>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    fn go<'py, T: Scalar>(
        x: &Bound<'py, PyAny>,
        c: &Bound<'py, PyAny>,
        nt: usize,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let py = x.py();
        let (xa, ca) = (mat::<T>("X", x)?, mat::<T>("centers", c)?);
        let (xv, cv) = (view("X", &xa)?, view("centers", &ca)?);
        let mon = PyMonitor::default();
        match py.detach(|| birch::nearest_centers(xv, cv, nt, &mon)) {
            Ok(l) => Ok(PyArray1::from_vec(py, l)),
            Err(e) => Err(mon.into_pyerr(e)),
        }
    }
    dispatch!(x, go(x, centers, n_threads))
}
