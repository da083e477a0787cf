//! The nearest-neighbour chain algorithm (complete, average, weighted, ward).
//!
//! Follow nearest neighbours from a cluster until two clusters are each other's nearest
//! neighbour, merge them, continue from the rest of the chain. Valid for methods whose
//! distances satisfy the reducibility property; the merges come out of order and
//! [`super::label`] sorts them. As SciPy, the merged cluster takes the larger position, the
//! previous chain element is preferred on ties (no cycles), otherwise the lowest index.

use super::{condensed_index, Merge, Method, Points};
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Bound::{Excluded, Unbounded};

use crate::distance::sq_dist;
use crate::error::Result;
use crate::monitor::Monitor;

/// NN-chain on a condensed distance vector of `n` points, updated in place by the
/// Lance–Williams formula of `method`.
///
/// The time goes into reading a column of the condensed matrix (the distances from the
/// chain's tip to the clusters of lower index): one cache line, and without huge pages one
/// TLB entry, per element. The loops are kept short so that many of these independent loads
/// are in flight at once: each live cluster `i` carries its row base `b` (`d(i, j) =
/// d[b + j]` for `j > i`), so an element costs an add and a load, and the next elements are
/// prefetched.
pub(crate) fn nn_chain_condensed(d: &mut [f64], n: usize, method: Method, mon: &dyn Monitor) -> Result<Vec<Merge>> {
    let mut size = vec![1.0f64; n];
    // Live positions in increasing order (dead ones are removed), with their row bases.
    let mut active: Vec<usize> = (0..n).collect();
    let mut bases: Vec<usize> = (0..n).map(|i| row_base(n, i)).collect();
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut merges = Vec::with_capacity(n - 1);
    for k in 0..n - 1 {
        if chain.is_empty() {
            chain.push(active[0]);
        }
        let (x, y, cur) = loop {
            let x = *chain.last().expect("chain is not empty");
            let (mut y, mut cur) = if chain.len() > 1 {
                let p = chain[chain.len() - 2];
                (p, d[condensed_index(n, x, p)])
            } else {
                (usize::MAX, f64::INFINITY)
            };
            // Positions below x read a column of the condensed matrix, those above a row.
            let px = active.partition_point(|&i| i < x);
            if let Some(at) = column_min(d, &bases[..px], x, &mut cur) {
                y = active[at];
            }
            let row = &d[row_base(n, x).wrapping_add(x + 1).min(d.len())..];
            for &i in &active[px + 1..] {
                let dist = row[i - x - 1];
                if dist < cur {
                    cur = dist;
                    y = i;
                }
            }
            if y == usize::MAX {
                // Only NaN distances (impossible for finite input): take any other cluster.
                y = *active.iter().find(|&&i| i != x).expect("two clusters remain");
            }
            if chain.len() > 1 && y == chain[chain.len() - 2] {
                break (x, y, cur);
            }
            chain.push(y);
        };
        chain.truncate(chain.len() - 2);
        let (x, y) = if x < y { (x, y) } else { (y, x) };
        let (nx, ny) = (size[x], size[y]);
        merges.push((x, y, cur));
        size[x] = 0.0;
        size[y] = nx + ny;
        let pos = active.binary_search(&x).expect("x is live");
        active.remove(pos);
        bases.remove(pos);
        // Three stretches: below x (two columns), between x and y, above y (two rows).
        let py = active.partition_point(|&i| i < y);
        let px = pos;
        let (bx, by) = (row_base(n, x), row_base(n, y));
        for (k, &b) in bases[..px].iter().enumerate() {
            prefetch_column(d, &bases[..px], k, x);
            prefetch_column(d, &bases[..py], k, y);
            let (ix, iy) = (b.wrapping_add(x), b.wrapping_add(y));
            d[iy] = method.update(d[ix], d[iy], cur, nx, ny, size[active[k]]);
        }
        for (k, &b) in bases[..py].iter().enumerate().skip(px) {
            prefetch_column(d, &bases[..py], k, y);
            let i = active[k];
            let (ix, iy) = (bx.wrapping_add(i), b.wrapping_add(y));
            d[iy] = method.update(d[ix], d[iy], cur, nx, ny, size[i]);
        }
        for &i in &active[py + 1..] {
            let (ix, iy) = (bx.wrapping_add(i), by.wrapping_add(i));
            d[iy] = method.update(d[ix], d[iy], cur, nx, ny, size[i]);
        }
        if k % 256 == 255 {
            mon.check()?;
        }
    }
    Ok(merges)
}

/// Row base of point `i` in a condensed vector of `n` points: `d(i, j) = d[base + j]` for
/// `j > i` (wrapping: the base of row 0 is −1).
#[inline(always)]
fn row_base(n: usize, i: usize) -> usize {
    (n * i - i * (i + 1) / 2).wrapping_sub(i + 1)
}

/// How far ahead the column loops prefetch (elements; each is a cache miss).
const AHEAD: usize = 24;

/// Minimum of `d[b + x]` over the row bases `b` in `bases`, if below `*cur` (strictly; the
/// first on ties): its position in `bases`, `*cur` updated.
#[inline(always)]
fn column_min(d: &[f64], bases: &[usize], x: usize, cur: &mut f64) -> Option<usize> {
    let mut best = None;
    let mut c = *cur;
    for (k, &b) in bases.iter().enumerate() {
        prefetch_column(d, bases, k, x);
        let dist = d[b.wrapping_add(x)];
        if dist < c {
            c = dist;
            best = Some(k);
        }
    }
    *cur = c;
    best
}

/// Prefetches the column element `AHEAD` positions after `k` (if any).
#[inline(always)]
fn prefetch_column(d: &[f64], bases: &[usize], k: usize, x: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(&b) = bases.get(k + AHEAD) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = d.as_ptr().wrapping_add(b.wrapping_add(x));
        // SAFETY: a prefetch is a hint; it does not fault, and `p` is inside `d` anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (d, bases, k, x);
}

/// Ward on Euclidean observations without a distance matrix: clusters are centroids and
/// sizes; the criterion between clusters a, b is `na·nb/(na+nb)·‖ca − cb‖²`, reported as
/// SciPy's distance `sqrt(2·that)`. Memory O(n·d).
///
/// Nearest-neighbour searches are pruned along one axis (the coordinate of largest spread):
/// clusters are kept sorted by their centroid's coordinate there, and a search walks outward
/// from the cluster and stops once `nx/(nx+1)·gap²` (a lower bound of the criterion for any
/// cluster at least that far along the axis) exceeds the best value found. The result is the
/// exact minimum with ties to the lowest index, as a full scan.
pub(crate) fn ward_points(pts: &Points, _n_threads: usize, mon: &dyn Monitor) -> Result<Vec<Merge>> {
    let (n, d) = (pts.n, pts.d);
    let mut cent = pts.x.clone();
    let mut size = vec![1.0f64; n];
    let mut live = vec![true; n];
    let axis = widest_axis(pts);
    let key = |cent: &[f64], i: usize| Key(cent[i * d + axis], i);
    let mut order: BTreeSet<Key> = (0..n).map(|i| key(&cent, i)).collect();
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut merges = Vec::with_capacity(n - 1);
    let mut first_live = 0usize;
    let mut work = 0usize;
    let crit = |cent: &[f64], size: &[f64], a: usize, b: usize| {
        let (na, nb) = (size[a], size[b]);
        na * nb / (na + nb) * sq_dist(&cent[a * d..(a + 1) * d], &cent[b * d..(b + 1) * d])
    };
    for _ in 0..n - 1 {
        if chain.is_empty() {
            while !live[first_live] {
                first_live += 1;
            }
            chain.push(first_live);
        }
        let (x, y, cur) = loop {
            let x = *chain.last().expect("chain is not empty");
            let kx = key(&cent, x);
            let sx = size[x];
            let shrink = sx / (sx + 1.0) * (1.0 - 1e-12);
            let mut best = (f64::INFINITY, usize::MAX);
            let visit = |k: &Key, best: &mut (f64, usize)| -> bool {
                let gap = k.0 - kx.0;
                if shrink * gap * gap > best.0 {
                    return false;
                }
                let v = crit(&cent, &size, x, k.1);
                if v < best.0 || (v == best.0 && k.1 < best.1) {
                    *best = (v, k.1);
                }
                true
            };
            for k in order.range((Excluded(kx), Unbounded)) {
                work += d;
                if !visit(k, &mut best) {
                    break;
                }
            }
            for k in order.range((Unbounded, Excluded(kx))).rev() {
                work += d;
                if !visit(k, &mut best) {
                    break;
                }
            }
            let (mut y, mut cur) = if chain.len() > 1 {
                let prev = chain[chain.len() - 2];
                (prev, crit(&cent, &size, x, prev))
            } else {
                (usize::MAX, f64::INFINITY)
            };
            if best.0 < cur {
                (cur, y) = best;
            }
            if y == usize::MAX {
                // Only NaN criteria (impossible for finite input): take the next live cluster.
                y = order.iter().map(|k| k.1).find(|&i| i != x).expect("two clusters remain");
            }
            if chain.len() > 1 && y == chain[chain.len() - 2] {
                break (x, y, cur);
            }
            chain.push(y);
        };
        chain.truncate(chain.len() - 2);
        let (x, y) = if x < y { (x, y) } else { (y, x) };
        let (nx, ny) = (size[x], size[y]);
        merges.push((x, y, (2.0 * cur).sqrt()));
        order.remove(&key(&cent, x));
        order.remove(&key(&cent, y));
        let t = nx + ny;
        for j in 0..d {
            cent[y * d + j] = (nx * cent[x * d + j] + ny * cent[y * d + j]) / t;
        }
        size[x] = 0.0;
        size[y] = t;
        live[x] = false;
        order.insert(key(&cent, y));
        if work > 1 << 24 {
            work = 0;
            mon.check()?;
        }
    }
    Ok(merges)
}

/// A cluster in the sorted order: its coordinate on the pruning axis, then its index.
#[derive(Clone, Copy, Debug)]
struct Key(f64, usize);

impl PartialEq for Key {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.total_cmp(&o.0).then(self.1.cmp(&o.1))
    }
}

/// The coordinate with the largest range (prunes the most).
fn widest_axis(pts: &Points) -> usize {
    let mut best = (0usize, f64::NEG_INFINITY);
    for j in 0..pts.d {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for i in 0..pts.n {
            let v = pts.x[i * pts.d + j];
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi - lo > best.1 {
            best = (j, hi - lo);
        }
    }
    best.0
}
