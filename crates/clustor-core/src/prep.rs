//! Whole-array passes that prepare data for the algorithms: the finiteness test, column
//! statistics and centering. Each is one parallel pass over X at memory speed (the NumPy
//! equivalents run on one core: on 60k×784 f64 the four passes they replace took ~0.25 s).

use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::parallel::{self, ChunkPlan};

/// Values per chunk of the elementwise passes.
const CHUNK_VALUES: usize = 1 << 16;

/// Whether every value is finite. One vectorisable pass: `v − v` is 0 for finite `v` and NaN
/// for ±∞ and NaN, so a chunk is finite iff the sum of `v − v` over it is 0. (A scalar
/// `all(is_finite)` does not vectorise: it cost half a Lloyd iteration on K2's 47 M values.)
#[allow(clippy::eq_op)] // `v - v` is the test itself.
pub fn all_finite<T: Float>(data: &[T], pool: &rayon::ThreadPool) -> bool {
    let plan = ChunkPlan::with_chunk_rows(data.len(), CHUNK_VALUES);
    parallel::map_chunks(pool, plan, |r| {
        let mut acc = [T::zero(); 8];
        let mut it = data[r].chunks_exact(8);
        for c in &mut it {
            for l in 0..8 {
                acc[l] += c[l] - c[l];
            }
        }
        let tail = it.remainder().iter().fold(T::zero(), |a, &v| a + (v - v));
        acc.iter().fold(tail, |a, &v| a + v) == T::zero()
    })
    .into_iter()
    .all(|ok| ok)
}

/// Smallest and largest value of X, its column sums and (on request) its column sums of
/// squares, accumulated in f64.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnStats {
    /// Smallest value of X (+∞ when X is empty).
    pub min: f64,
    /// Largest value of X (−∞ when X is empty).
    pub max: f64,
    /// Sum of each column, in f64.
    pub sums: Vec<f64>,
    /// Sum of the squares of each column, in f64 (empty unless asked for).
    pub squares: Vec<f64>,
}

/// [`ColumnStats`] of X in one pass (`squares`: also the column sums of squares). The column
/// sums are added four rows at a time within a chunk (one load and store of a column's
/// accumulators per four values: with one per value the pass was bound by those stores)
/// and the chunks' sums in chunk order, so the result does not depend on the thread count.
/// The range is kept per vector lane, not per column. X is expected finite: a NaN makes its
/// column's sums NaN (min and max skip it), never a panic.
pub fn column_stats<T: Float>(x: MatRef<'_, T>, squares: bool, pool: &rayon::ThreadPool) -> ColumnStats {
    let d = x.cols();
    let rows = (CHUNK_VALUES / d.max(1)).max(4) / 4 * 4;
    let plan = ChunkPlan::with_chunk_rows(x.rows(), rows);
    let parts = parallel::map_chunks(pool, plan, |r| {
        let block = x.rows_slice(r);
        if squares {
            chunk_stats::<T, true>(block, d)
        } else {
            chunk_stats::<T, false>(block, d)
        }
    });
    let mut out = ColumnStats {
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        sums: vec![0.0; d],
        squares: vec![0.0; if squares { d } else { 0 }],
    };
    for part in parts {
        out.min = out.min.min(part.min);
        out.max = out.max.max(part.max);
        for (o, s) in out.sums.iter_mut().zip(part.sums) {
            *o += s;
        }
        for (o, s) in out.squares.iter_mut().zip(part.squares) {
            *o += s;
        }
    }
    out
}

/// [`column_stats`] of one block of whole rows.
fn chunk_stats<T: Float, const SQ: bool>(block: &[T], d: usize) -> ColumnStats {
    let mut sums = vec![0.0f64; d];
    let mut sq = vec![0.0f64; if SQ { d } else { 0 }];
    // Per column, so that the loop over a row vectorises (a compare-and-select, not
    // `f64::min`, whose NaN rule keeps LLVM scalar).
    let mut lo = vec![f64::INFINITY; d];
    let mut hi = vec![f64::NEG_INFINITY; d];
    let min = |a: f64, b: f64| if a < b { a } else { b };
    let max = |a: f64, b: f64| if a > b { a } else { b };
    if d > 0 {
        let mut quads = block.chunks_exact(4 * d);
        for q in &mut quads {
            let (a, rest) = q.split_at(d);
            let (b, rest) = rest.split_at(d);
            let (c, e) = rest.split_at(d);
            for j in 0..d {
                let (p, q, s, t) = (a[j].as_f64(), b[j].as_f64(), c[j].as_f64(), e[j].as_f64());
                sums[j] += (p + q) + (s + t);
                if SQ {
                    sq[j] += (p * p + q * q) + (s * s + t * t);
                }
                lo[j] = min(min(min(p, q), min(s, t)), lo[j]);
                hi[j] = max(max(max(p, q), max(s, t)), hi[j]);
            }
        }
        for row in quads.remainder().chunks_exact(d) {
            for j in 0..d {
                let p = row[j].as_f64();
                sums[j] += p;
                if SQ {
                    sq[j] += p * p;
                }
                lo[j] = min(p, lo[j]);
                hi[j] = max(p, hi[j]);
            }
        }
    }
    let fold = |a: &[f64], init: f64, pick: fn(f64, f64) -> f64| a.iter().fold(init, |m, &v| pick(m, v));
    let (min, max) = (fold(&lo, f64::INFINITY, f64::min), fold(&hi, f64::NEG_INFINITY, f64::max));
    ColumnStats { min, max, sums, squares: sq }
}

/// Writes `X − shift` (each row minus the vector `shift`) into `out` (n×d, row-major), in
/// parallel, and returns the column sums of squares of what it wrote, in f64 (the variance
/// of the centered data comes with the copy, whose time is that of its stores). The caller
/// allocates `out` (NumPy backs large arrays with huge pages: filling a 376 MB Vec of 4 KiB
/// pages cost 3× NumPy's `X − mean` in page faults alone).
pub fn center_rows<T: Float>(
    x: MatRef<'_, T>,
    shift: &[T],
    out: &mut [T],
    pool: &rayon::ThreadPool,
) -> Result<Vec<f64>> {
    let d = x.cols();
    if shift.len() != d || out.len() != x.rows() * d {
        return Err(ClustorError::InvalidParameter {
            name: "shift",
            reason: format!(
                "X is {}×{d} but the shift has {} values and the output {}",
                x.rows(),
                shift.len(),
                out.len()
            ),
        });
    }
    let rows = (CHUNK_VALUES / d.max(1)).max(1);
    let plan = ChunkPlan::with_chunk_rows(x.rows(), rows);
    let parts = parallel::map_chunks_mut(pool, plan, out, d, |r, o| {
        let mut sq = vec![0.0f64; d];
        for (orow, xrow) in o.chunks_exact_mut(d.max(1)).zip(x.rows_slice(r).chunks_exact(d.max(1))) {
            for (((o, &v), &m), s) in orow.iter_mut().zip(xrow).zip(shift).zip(sq.iter_mut()) {
                *o = v - m;
                let c = o.as_f64();
                *s += c * c;
            }
        }
        sq
    });
    let mut squares = vec![0.0f64; d];
    for part in parts {
        for (o, s) in squares.iter_mut().zip(part) {
            *o += s;
        }
    }
    Ok(squares)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_and_not() {
        let pool = parallel::pool(2).unwrap();
        let mut v = vec![1.0f64; 100_000];
        assert!(all_finite(&v, &pool));
        v[77_777] = f64::INFINITY;
        assert!(!all_finite(&v, &pool));
        v[77_777] = f64::NAN;
        assert!(!all_finite(&v, &pool));
        assert!(all_finite::<f32>(&[], &pool));
    }

    #[test]
    fn stats_by_hand_and_thread_independent() {
        let data = [1.0f64, -2.0, 3.0, 4.0, 5.0, -6.0];
        let x = MatRef::new("X", &data, 3, 2).unwrap();
        let s = column_stats(x, true, &parallel::pool(1).unwrap());
        assert_eq!(s, ColumnStats { min: -6.0, max: 5.0, sums: vec![9.0, -4.0], squares: vec![35.0, 56.0] });
        assert_eq!(column_stats(x, false, &parallel::pool(1).unwrap()).squares, Vec::<f64>::new());
        let big: Vec<f32> = (0..300_000u64).map(|i| ((i * 7919) % 1000) as f32 * 0.37).collect();
        let x = MatRef::new("X", &big, 100_000, 3).unwrap();
        let (one, two) =
            (column_stats(x, true, &parallel::pool(1).unwrap()), column_stats(x, true, &parallel::pool(2).unwrap()));
        assert_eq!(one, two);
        // Against plain sums, on integers (exact in f64 whatever the order): 4-row groups,
        // leftover rows, a width that is not a multiple of the lanes, and the range.
        let (n, d) = (10_003, 11);
        let ints: Vec<f64> = (0..n * d).map(|i| ((i * 7919 + 13) % 2001) as f64 - 1000.0).collect();
        let x = MatRef::new("X", &ints, n, d).unwrap();
        let s = column_stats(x, true, &parallel::pool(2).unwrap());
        for j in 0..d {
            let col = ints.iter().skip(j).step_by(d);
            assert_eq!(s.sums[j], col.clone().sum::<f64>());
            assert_eq!(s.squares[j], col.map(|v| v * v).sum::<f64>());
        }
        assert_eq!((s.min, s.max), (-1000.0, 1000.0));
        let mut nan = ints.clone();
        nan[5 * d + 3] = f64::NAN;
        let s = column_stats(MatRef::new("X", &nan, n, d).unwrap(), false, &parallel::pool(2).unwrap());
        assert!(s.sums[3].is_nan() && s.sums[2].is_finite() && s.min == -1000.0);
    }

    #[test]
    fn centering() {
        let data = [1.0f32, 2.0, 3.0, 4.0];
        let x = MatRef::new("X", &data, 2, 2).unwrap();
        let pool = parallel::pool(2).unwrap();
        let mut out = [0.0f32; 4];
        let squares = center_rows(x, &[1.0, 3.0], &mut out, &pool).unwrap();
        assert_eq!(out, [0.0, -1.0, 2.0, 1.0]);
        assert_eq!(squares, [4.0, 2.0]);
        assert!(center_rows(x, &[1.0], &mut out, &pool).is_err());
        assert!(center_rows(x, &[1.0, 3.0], &mut out[..3], &pool).is_err());
    }
}
