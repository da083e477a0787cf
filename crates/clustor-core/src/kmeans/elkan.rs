//! Elkan's iteration: per point an upper bound on the distance to its center and lower
//! bounds to every other center; distances are computed only where the triangle inequality
//! cannot rule a center out. The pruning tests are scikit-learn's, so the labels match Lloyd's.

use super::lloyd::Part;
use super::{inertia, update_centers, Config, Convergence, Fit};
use crate::distance::sq_dist;
use crate::error::Result;
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::parallel::{map_chunks_mut_state, ChunkPlan};

/// Half the distance between every pair of centers (k×k), and for each center half the
/// distance to its nearest other center.
fn half_distances<T: Float>(centers: &[T], k: usize, d: usize) -> (Vec<T>, Vec<T>) {
    let two = T::one() + T::one();
    let mut half = vec![T::zero(); k * k];
    for a in 0..k {
        for b in (a + 1)..k {
            let h = sq_dist(&centers[a * d..(a + 1) * d], &centers[b * d..(b + 1) * d]).sqrt() / two;
            half[a * k + b] = h;
            half[b * k + a] = h;
        }
    }
    let next =
        (0..k).map(|a| (0..k).filter(|&b| b != a).map(|b| half[a * k + b]).fold(T::infinity(), T::min)).collect();
    (half, next)
}

/// Per-iteration state shared by all chunks.
struct Step<'a, T> {
    x: MatRef<'a, T>,
    w: &'a [T],
    centers: &'a [T],
    half: &'a [T],
    next: &'a [T],
    /// Center shifts of the previous update, not yet applied to the bounds.
    shift: Option<&'a [T]>,
}

impl<T: Float> Step<'_, T> {
    fn dist(&self, i: usize, j: usize) -> T {
        let d = self.x.cols();
        sq_dist(self.x.row(i), &self.centers[j * d..(j + 1) * d]).sqrt()
    }

    /// First assignment: bounds from scratch, skipping centers the triangle inequality excludes.
    fn init_rows(&self, rows: std::ops::Range<usize>, labels: &mut [i64], bounds: &mut [T]) {
        let k = self.next.len();
        for (r, i) in rows.enumerate() {
            let b = &mut bounds[r * (k + 1)..(r + 1) * (k + 1)];
            let mut best = 0;
            let mut min_dist = self.dist(i, 0);
            b[1] = min_dist;
            for j in 1..k {
                if min_dist > self.half[best * k + j] {
                    let dist = self.dist(i, j);
                    b[1 + j] = dist;
                    if dist < min_dist {
                        min_dist = dist;
                        best = j;
                    }
                }
            }
            labels[r] = best as i64;
            b[0] = min_dist;
        }
    }

    /// One Elkan pass over `rows`: applies the pending shifts to the bounds, relabels the
    /// points the bounds cannot settle, and brings the center sums of `sums` up to date when
    /// given, as Lloyd's pass does (all rows, or the moves of those that changed label:
    /// the same decisions on the same labels, so the two stay identical to the bit).
    fn iter_rows(
        &self,
        rows: std::ops::Range<usize>,
        labels: &mut [i64],
        bounds: &mut [T],
        mut sums: Option<(&mut Part, bool)>,
    ) {
        let k = self.next.len();
        let m = rows.len();
        let full = sums.as_mut().map(|(p, unit)| p.begin(m, *unit));
        let mut changed = 0;
        for (r, i) in rows.enumerate() {
            let before = labels[r] as usize;
            let b = &mut bounds[r * (k + 1)..(r + 1) * (k + 1)];
            let mut label = labels[r] as usize;
            if let Some(shift) = self.shift {
                b[0] += shift[label];
                for j in 0..k {
                    b[1 + j] = (b[1 + j] - shift[j]).max(T::zero());
                }
            }
            let mut upper = b[0];
            if !(self.next[label] >= upper) {
                let mut tight = false;
                for j in 0..k {
                    if j != label && upper > b[1 + j] && upper > self.half[label * k + j] {
                        if !tight {
                            upper = self.dist(i, label);
                            b[1 + label] = upper;
                            tight = true;
                        }
                        if upper > b[1 + j] || upper > self.half[label * k + j] {
                            let dist = self.dist(i, j);
                            b[1 + j] = dist;
                            if dist < upper {
                                label = j;
                                upper = dist;
                            }
                        }
                    }
                }
                labels[r] = label as i64;
                b[0] = upper;
            }
            changed += usize::from(label != before);
            if let (Some((p, _)), Some(full)) = (sums.as_mut(), full) {
                if full {
                    p.sums_mut().add(self.x.row(i), self.w[i], label);
                } else if label != before {
                    p.move_row(self.x.row(i), before, label);
                }
            }
        }
        if let (Some((p, _)), Some(full)) = (sums, full) {
            p.end(m, changed, full);
        }
    }
}

/// What each chunk keeps across iterations: the bounds of its rows (`1 + k` per row: the
/// upper bound, then the lower bound per center) and its partial center sums.
struct ChunkState<T> {
    bounds: Vec<T>,
    sums: Part,
}

pub(crate) fn run<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    init: MatRef<'_, T>,
    cfg: &Config,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Fit<T>> {
    let (n, d, k) = (x.rows(), x.cols(), init.rows());
    let plan = ChunkPlan::new(n, (k * d + k) * 8);
    let mut centers = init.data().to_vec();
    let mut labels = vec![0i64; n];
    // The bounds live with their chunks; the full size is asked for first, so that a too
    // large problem fails with one clear message before anything is allocated.
    drop(crate::error::try_vec(
        n * (k + 1),
        T::zero(),
        "algorithm='elkan' bounds (n_samples × (n_clusters+1))",
        "use algorithm='lloyd', which needs no per-cluster bounds",
    )?);
    let mut states: Vec<ChunkState<T>> = (0..plan.len())
        .map(|c| ChunkState { bounds: vec![T::zero(); plan.range(c).len() * (k + 1)], sums: Part::new(k, d) })
        .collect();
    // Work per row of a pass, at worst (every distance computed): sets how often Ctrl-C is polled.
    let work = k * d;
    let (mut half, mut next) = half_distances(&centers, k, d);
    {
        let step = Step { x, w, centers: &centers, half: &half, next: &next, shift: None };
        map_chunks_mut_state(pool, plan, &mut labels, 1, &mut states, work, mon, |rows, lab, st| {
            step.init_rows(rows, lab, &mut st.bounds)
        })?;
    }
    let mut old = vec![-1i64; n];
    let mut shift: Option<Vec<T>> = None;
    let unit = w.iter().all(|&v| v == T::one());
    let mut conv = Convergence { strict: false };
    let mut n_iter = 0;
    for it in 0..cfg.max_iter {
        mon.check()?;
        n_iter = it + 1;
        {
            let step = Step { x, w, centers: &centers, half: &half, next: &next, shift: shift.as_deref() };
            map_chunks_mut_state(pool, plan, &mut labels, 1, &mut states, work, mon, |rows, lab, st| {
                step.iter_rows(rows, lab, &mut st.bounds, Some((&mut st.sums, unit)))
            })?;
        }
        let total = Part::total(states.iter().map(|st| &st.sums), k, d, pool);
        let (new_centers, sh) = update_centers(x, w, &labels, &centers, total, cfg.spherical, pool);
        (half, next) = half_distances(&new_centers, k, d);
        if cfg.verbose {
            mon.log(&format!("Iteration {it}, inertia {}.", inertia(x, w, &centers, &labels, pool)));
        }
        centers = new_centers;
        let sh64: Vec<f64> = sh.iter().map(|s| s.as_f64()).collect();
        shift = Some(sh);
        if conv.stop(it, labels == old, &sh64, cfg.tol, cfg, mon) {
            break;
        }
        old.copy_from_slice(&labels);
    }
    if !conv.strict {
        let step = Step { x, w, centers: &centers, half: &half, next: &next, shift: shift.as_deref() };
        map_chunks_mut_state(pool, plan, &mut labels, 1, &mut states, work, mon, |rows, lab, st| {
            step.iter_rows(rows, lab, &mut st.bounds, None)
        })?;
    }
    let inertia = inertia(x, w, &centers, &labels, pool);
    Ok(Fit { centers, labels, inertia, n_iter })
}
