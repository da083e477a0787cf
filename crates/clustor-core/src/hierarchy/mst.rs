//! Single linkage by Prim's minimum spanning tree, O(n) working memory.
//!
//! As SciPy: start from point 0; at each step every point outside the tree lowers its
//! distance to the tree with the point added last, and the closest one (lowest index on
//! ties) joins. The recorded pair is (point added last, point joining); [`super::label`]
//! sorts the edges by length and names the clusters.

use rayon::prelude::*;

use super::{condensed_index, Merge, Points};
use crate::error::Result;
use crate::monitor::Monitor;
use crate::parallel;

/// Work (points × features) below which a step runs on one thread.
const PARALLEL_WORK: usize = 1 << 15;

/// Prim on a condensed distance vector of `n` points.
pub(crate) fn prim_condensed(d: &[f64], n: usize, mon: &dyn Monitor) -> Result<Vec<Merge>> {
    let mut best = vec![f64::INFINITY; n];
    let mut outside: Vec<usize> = (1..n).collect();
    let mut merges = Vec::with_capacity(n - 1);
    let mut x = 0usize;
    for k in 0..n - 1 {
        let (mut y, mut cur, mut pos) = (usize::MAX, f64::INFINITY, 0);
        for (p, &i) in outside.iter().enumerate() {
            let dist = d[condensed_index(n, x, i)];
            if best[i] > dist {
                best[i] = dist;
            }
            if best[i] < cur {
                y = i;
                cur = best[i];
                pos = p;
            }
        }
        if y == usize::MAX {
            y = outside[0];
        }
        outside.remove(pos);
        merges.push((x, y, cur));
        x = y;
        if k % 1024 == 1023 {
            mon.check()?;
        }
    }
    Ok(merges)
}

/// Prim on observations, distances computed on the fly (rows in parallel for large n·d).
pub(crate) fn prim_points(pts: &Points, n_threads: usize, mon: &dyn Monitor) -> Result<Vec<Merge>> {
    let n = pts.n;
    let pool = parallel::pool(n_threads)?;
    // Points outside the tree, with their distance to it. Removal swaps with the last entry;
    // ties are broken by point index, so the order of the list does not matter.
    let mut idx: Vec<usize> = (1..n).collect();
    let mut best: Vec<f64> = vec![f64::INFINITY; n - 1];
    let mut merges = Vec::with_capacity(n - 1);
    let mut x = 0usize;
    const CHUNK: usize = 1024;
    let mut polled = 0usize;
    for _ in 0..n - 1 {
        let step = |ids: &[usize], bs: &mut [f64], off: usize| -> (f64, usize, usize) {
            let mut m = (f64::INFINITY, usize::MAX, usize::MAX);
            for (p, (&i, b)) in ids.iter().zip(bs.iter_mut()).enumerate() {
                let dist = pts.dist(x, i);
                if *b > dist {
                    *b = dist;
                }
                if lex_less((*b, i), (m.0, m.1)) {
                    m = (*b, i, off + p);
                }
            }
            m
        };
        let len = idx.len();
        let (cur, y, pos) = if len * pts.d >= PARALLEL_WORK && pool.current_num_threads() > 1 {
            let ids = &idx;
            pool.install(|| {
                best.par_chunks_mut(CHUNK)
                    .enumerate()
                    .map(|(c, bs)| step(&ids[c * CHUNK..c * CHUNK + bs.len()], bs, c * CHUNK))
                    .reduce(
                        || (f64::INFINITY, usize::MAX, usize::MAX),
                        |a, b| if lex_less((b.0, b.1), (a.0, a.1)) { b } else { a },
                    )
            })
        } else {
            step(&idx, &mut best, 0)
        };
        // All distances NaN cannot happen (finite input); keep a valid choice regardless.
        let pos = if pos == usize::MAX { 0 } else { pos };
        let y = if y == usize::MAX { idx[0] } else { y };
        idx.swap_remove(pos);
        best.swap_remove(pos);
        merges.push((x, y, cur));
        x = y;
        polled += len * pts.d;
        if polled > 1 << 24 {
            polled = 0;
            mon.check()?;
        }
    }
    Ok(merges)
}

/// `(value, index)` strictly before `other`: smaller value, or equal value and lower index.
#[inline(always)]
fn lex_less(a: (f64, usize), b: (f64, usize)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}
