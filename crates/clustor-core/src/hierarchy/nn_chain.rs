//! The nearest-neighbour chain algorithm (complete, average, weighted, ward).
//!
//! Follow nearest neighbours from a cluster until two clusters are each other's nearest
//! neighbour, merge them, continue from the rest of the chain. Valid for methods whose
//! distances satisfy the reducibility property; the merges come out of order and
//! [`super::label`] sorts them. As SciPy, the merged cluster takes the larger position, the
//! previous chain element is preferred on ties (no cycles), otherwise the lowest index.

use rayon::prelude::*;

use super::{condensed_index, Merge, Method, Points};
use crate::distance::sq_dist;
use crate::error::Result;
use crate::monitor::Monitor;
use crate::parallel;

/// NN-chain on a condensed distance vector of `n` points, updated in place by the
/// Lance–Williams formula of `method`.
pub(crate) fn nn_chain_condensed(d: &mut [f64], n: usize, method: Method, mon: &dyn Monitor) -> Result<Vec<Merge>> {
    let mut size = vec![1.0f64; n];
    // Live positions in increasing order (dead ones are removed).
    let mut active: Vec<usize> = (0..n).collect();
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
            for &i in &active {
                if i == x {
                    continue;
                }
                let dist = d[condensed_index(n, x, i)];
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
        for &i in &active {
            if i == y {
                continue;
            }
            let (ix, iy) = (condensed_index(n, i, x), condensed_index(n, i, y));
            d[iy] = method.update(d[ix], d[iy], cur, nx, ny, size[i]);
        }
        if k % 256 == 255 {
            mon.check()?;
        }
    }
    Ok(merges)
}

/// Work (clusters × features) below which a nearest-neighbour search runs on one thread.
const PARALLEL_WORK: usize = 1 << 15;
const CHUNK: usize = 1024;

/// Ward on Euclidean observations without a distance matrix: clusters are centroids and
/// sizes; the criterion between clusters a, b is `na·nb/(na+nb)·‖ca − cb‖²`, reported as
/// SciPy's distance `sqrt(2·that)`. Memory O(n·d).
pub(crate) fn ward_points(pts: &Points, n_threads: usize, mon: &dyn Monitor) -> Result<Vec<Merge>> {
    let (n, d) = (pts.n, pts.d);
    let pool = parallel::pool(n_threads)?;
    let mut cent = pts.x.clone();
    let mut size = vec![1.0f64; n];
    let mut active: Vec<usize> = (0..n).collect();
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut merges = Vec::with_capacity(n - 1);
    let mut polled = 0usize;
    for _ in 0..n - 1 {
        if chain.is_empty() {
            chain.push(active[0]);
        }
        let (x, y, cur) = loop {
            let x = *chain.last().expect("chain is not empty");
            let cx = &cent[x * d..(x + 1) * d];
            let sx = size[x];
            let crit = |i: usize| {
                let si = size[i];
                sx * si / (sx + si) * sq_dist(cx, &cent[i * d..(i + 1) * d])
            };
            let scan = |ids: &[usize]| {
                let mut m = (f64::INFINITY, usize::MAX);
                for &i in ids {
                    if i != x {
                        let v = crit(i);
                        if v < m.0 {
                            m = (v, i);
                        }
                    }
                }
                m
            };
            let best = if active.len() * d >= PARALLEL_WORK && pool.current_num_threads() > 1 {
                pool.install(|| {
                    active.par_chunks(CHUNK).map(scan).reduce(
                        || (f64::INFINITY, usize::MAX),
                        |a, b| if b.0 < a.0 || (b.0 == a.0 && b.1 < a.1) { b } else { a },
                    )
                })
            } else {
                scan(&active)
            };
            polled += active.len() * d;
            let (mut y, mut cur) = if chain.len() > 1 {
                let p = chain[chain.len() - 2];
                (p, crit(p))
            } else {
                (usize::MAX, f64::INFINITY)
            };
            if best.0 < cur {
                (cur, y) = best;
            }
            if y == usize::MAX {
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
        merges.push((x, y, (2.0 * cur).sqrt()));
        let t = nx + ny;
        for j in 0..d {
            cent[y * d + j] = (nx * cent[x * d + j] + ny * cent[y * d + j]) / t;
        }
        size[x] = 0.0;
        size[y] = t;
        let pos = active.binary_search(&x).expect("x is live");
        active.remove(pos);
        if polled > 1 << 24 {
            polled = 0;
            mon.check()?;
        }
    }
    Ok(merges)
}
