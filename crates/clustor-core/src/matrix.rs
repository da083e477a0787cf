//! A borrowed row-major matrix: the one way the core receives data.

use crate::error::{ClustorError, Result};
use crate::float::Float;

/// Read-only view of an `rows × cols` row-major matrix.
#[derive(Debug, Clone, Copy)]
pub struct MatRef<'a, T> {
    data: &'a [T],
    rows: usize,
    cols: usize,
}

impl<'a, T: Float> MatRef<'a, T> {
    /// Wraps `data` (rows×cols, row-major), checking its length.
    pub fn new(name: &'static str, data: &'a [T], rows: usize, cols: usize) -> Result<Self> {
        let expected = rows.checked_mul(cols).ok_or(ClustorError::ShapeMismatch {
            name,
            got: data.len(),
            expected: usize::MAX,
            shape: format!("{rows}×{cols}"),
        })?;
        if data.len() != expected {
            return Err(ClustorError::ShapeMismatch {
                name,
                got: data.len(),
                expected,
                shape: format!("{rows}×{cols}"),
            });
        }
        Ok(Self { data, rows, cols })
    }

    /// Like [`MatRef::new`], also requiring at least one row and one column and finite values.
    pub fn new_finite(name: &'static str, data: &'a [T], rows: usize, cols: usize) -> Result<Self> {
        let m = Self::new(name, data, rows, cols)?;
        if rows == 0 {
            return Err(ClustorError::EmptyInput(rows, cols));
        }
        if cols == 0 {
            return Err(ClustorError::NoFeatures(rows));
        }
        if !data.iter().all(|v| v.is_finite()) {
            return Err(ClustorError::NotFinite(name));
        }
        Ok(m)
    }

    /// Number of rows.
    #[inline(always)]
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// Number of columns.
    #[inline(always)]
    pub fn cols(&self) -> usize {
        self.cols
    }
    /// The whole buffer.
    #[inline(always)]
    pub fn data(&self) -> &'a [T] {
        self.data
    }
    /// Row `i`.
    #[inline(always)]
    pub fn row(&self, i: usize) -> &'a [T] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
    /// Rows `r` as one contiguous slice.
    #[inline(always)]
    pub fn rows_slice(&self, r: std::ops::Range<usize>) -> &'a [T] {
        &self.data[r.start * self.cols..r.end * self.cols]
    }
}

/// Checks sample weights: length n, finite, non-negative, positive sum.
pub fn check_weights<T: Float>(w: &[T], n: usize) -> Result<()> {
    if w.len() != n {
        return Err(ClustorError::ShapeMismatch {
            name: "sample_weight",
            got: w.len(),
            expected: n,
            shape: format!("({n},)"),
        });
    }
    if !w.iter().all(|v| v.is_finite()) {
        return Err(ClustorError::NotFinite("sample_weight"));
    }
    if w.iter().any(|&v| v < T::zero()) {
        return Err(ClustorError::InvalidWeights("Negative values in data passed to sample_weight".into()));
    }
    if !w.iter().any(|&v| v > T::zero()) {
        return Err(ClustorError::InvalidWeights(
            "sample_weight must have a positive sum; all weights are zero".into(),
        ));
    }
    Ok(())
}
