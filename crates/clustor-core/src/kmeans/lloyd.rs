//! Lloyd's iteration: every point is assigned every iteration with the blocked kernel, and
//! the assignment pass also brings the center sums up to date (one pass over X per
//! iteration): by summing every row, or, once few labels change, by moving only the rows
//! that changed cluster ([`Part`]).

use super::{
    assign_block_rows, assign_rows, assign_with_inertia, inertia, update_centers, Config, Convergence, Fit, Sums,
};
use crate::distance::{with_avx2, PackedCenters, TileSink, Vectorize};
use crate::error::Result;
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::parallel::{map_chunks_mut_state, ChunkPlan};

pub(crate) fn run<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    init: MatRef<'_, T>,
    cfg: &Config,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Fit<T>> {
    let it = iterate(x, w, init, cfg, pool, mon)?;
    let (k, d) = (init.rows(), init.cols());
    let Iterated { centers, mut labels, n_iter, fresh } = it;
    let inertia = if fresh {
        inertia(x, w, &centers, &labels, pool)
    } else {
        // Labels were computed with the previous centers: refresh them, and sum the inertia
        // in the same pass.
        let packed = PackedCenters::new(MatRef::new("centers", &centers, k, d)?);
        assign_with_inertia(x, w, &packed, &centers, &mut labels, pool)
    };
    Ok(Fit { centers, labels, inertia, n_iter })
}

/// Lloyd's iterations without the closing pass over X of [`run`] (the inertia, or the
/// final assignment with it): for callers that make their own closing pass (bisecting
/// k-means labels, partitions and sums each side's inertia in one).
pub(crate) struct Iterated<T> {
    /// Final centers, k×d.
    pub centers: Vec<T>,
    /// Labels of the last assignment.
    pub labels: Vec<i64>,
    /// Iterations run.
    pub n_iter: usize,
    /// Whether `labels` are the closest of `centers` by the tiled kernel: strict convergence
    /// (no label changed, so the update reproduced the centers the labels were computed
    /// with, bit for bit; checked, not assumed).
    pub fresh: bool,
}

/// Runs the iterations of [`run`] on validated inputs.
pub(crate) fn iterate<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    init: MatRef<'_, T>,
    cfg: &Config,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Iterated<T>> {
    let (n, d, k) = (x.rows(), x.cols(), init.rows());
    let plan = ChunkPlan::balanced(n, (k * d + k) * 8);
    let mut centers = init.data().to_vec();
    // -1: every label counts as changed in the first iteration.
    let mut labels = vec![-1i64; n];
    // One partial-sums buffer per chunk, kept from iteration to iteration (and updated only
    // for the rows that changed label, where few did: see [`Part`]).
    let mut parts: Vec<Part> = (0..plan.len()).map(|_| Part::new(k, d)).collect();
    let unit = w.iter().all(|&v| v == T::one());
    let mut conv = Convergence { strict: false };
    let mut n_iter = 0;
    let mut fresh = false;
    for it in 0..cfg.max_iter {
        mon.check()?;
        n_iter = it + 1;
        let packed = PackedCenters::new(MatRef::new("centers", &centers, k, d)?);
        let changed: usize =
            map_chunks_mut_state(pool, plan, &mut labels, 1, &mut parts, k * d, mon, |rows, lab, part| {
                part.assign(x, w, &packed, rows, lab, unit)
            })?
            .into_iter()
            .sum();
        let total = Part::total(&parts, k, d, pool);
        let (new_centers, shift) = update_centers(x, w, &labels, &centers, total, cfg.spherical, pool);
        if cfg.verbose {
            mon.log(&format!("Iteration {it}, inertia {}.", inertia(x, w, &centers, &labels, pool)));
        }
        let same = new_centers == centers;
        centers = new_centers;
        let shift: Vec<f64> = shift.iter().map(|s| s.as_f64()).collect();
        if conv.stop(it, changed == 0, &shift, cfg.tol, cfg, mon) {
            fresh = conv.strict && same;
            break;
        }
    }
    Ok(Iterated { centers, labels, n_iter, fresh })
}

/// One chunk's share of the center sums, kept across Lloyd iterations.
///
/// Once labels settle, few rows change cluster per iteration (K2: under 0.5% after the
/// fifth), yet summing every row again cost a fifth of a pass. So a chunk whose previous
/// pass changed few labels (under 1/[`DELTA_SHARE`] of its rows) only moves the rows that
/// change: each is subtracted from its old cluster's sums and added to its new one's.
///
/// Exactness: the moves use error-free additions (Knuth's TwoSum) and keep the rounding
/// errors in `low`, so `sums + low` is the exact sum of the chunk's rows to within ~2⁻¹⁰⁶
/// relative to the values moved, whatever was added and taken away (a far outlier passing
/// through a cluster leaves no trace in its mean). That is at least as accurate as the
/// plain summation of a full pass, but not bit-identical to it, so a run's centers can
/// differ from those of summing every row in the last bits (well inside the 1e-10 of the
/// agreement with scikit-learn). Weight totals are exact: moves are used only with unit
/// weights (integer counts), so an emptied cluster has weight exactly zero. A chunk sums
/// all its rows again after moves of as many rows as it holds, which bounds the rounding
/// of `low` itself and the work (at most twice a full pass's additions).
pub(crate) struct Part {
    sums: Sums,
    /// The rounding errors of the moves (`weights` unused): the sums are `sums + low`.
    low: Sums,
    low_dirty: bool,
    /// Whether `sums` holds the chunk's rows (false before the first pass).
    filled: bool,
    /// Labels changed by the previous pass.
    changed_last: usize,
    /// Rows moved since the last full sum.
    moved: usize,
    /// (row in the block, old label, new label) of the rows that changed in a block.
    moves: Vec<(u32, u32, u32)>,
}

/// A chunk moves rows instead of summing all of them when its previous pass changed fewer
/// than 1/`DELTA_SHARE` of its labels: a move is two TwoSum updates of scattered sums,
/// several times the cost of adding a row in a full pass.
const DELTA_SHARE: usize = 8;

impl Part {
    pub(crate) fn new(k: usize, d: usize) -> Self {
        Self {
            sums: Sums::zeros(k, d),
            low: Sums::zeros(k, d),
            low_dirty: false,
            filled: false,
            changed_last: 0,
            moved: 0,
            moves: Vec::new(),
        }
    }

    /// The center sums of all chunks: the chunks' sums, then their rounding errors, each
    /// added up in chunk order.
    pub(crate) fn total<'a, I>(parts: I, k: usize, d: usize, pool: &rayon::ThreadPool) -> Sums
    where
        I: IntoIterator<Item = &'a Self>,
        I::IntoIter: Clone,
    {
        let parts = parts.into_iter();
        let mut total = Sums::total(parts.clone().map(|p| &p.sums), k, d, pool);
        if parts.clone().any(|p| p.low_dirty) {
            let low = Sums::total(parts.map(|p| &p.low), k, d, pool);
            for (t, l) in total.sums.iter_mut().zip(&low.sums) {
                *t += l;
            }
        }
        total
    }

    /// Starts a pass over the chunk's `m` rows: whether it sums all of them (true; the sums
    /// are cleared) or moves the rows that change label (false).
    pub(crate) fn begin(&mut self, m: usize, unit: bool) -> bool {
        let full = !unit || !self.filled || self.changed_last * DELTA_SHARE >= m || self.moved >= m;
        if full {
            self.sums.clear();
            if self.low_dirty {
                self.low.clear();
                self.low_dirty = false;
            }
            self.moved = 0;
        }
        full
    }

    /// Ends a pass that changed `changed` of the chunk's `m` labels. The first pass counts
    /// every row as changed (the labels the sums follow did not exist before it), whatever
    /// the caller's labels held.
    pub(crate) fn end(&mut self, m: usize, changed: usize, full: bool) {
        self.changed_last = if self.filled { changed } else { m };
        self.filled = true;
        if !full {
            self.moved += changed;
        }
    }

    /// Moves one row (unit weight) from cluster `old` to cluster `new` (see [`Part`]).
    #[inline]
    pub(crate) fn move_row<T: Float>(&mut self, row: &[T], old: usize, new: usize) {
        with_avx2(Moves {
            sums: &mut self.sums,
            low: &mut self.low.sums,
            x: row,
            d: row.len(),
            moves: &[(0, old as u32, new as u32)],
        });
        self.low_dirty = true;
    }

    /// The sums, for a full pass to add rows to.
    pub(crate) fn sums_mut(&mut self) -> &mut Sums {
        &mut self.sums
    }

    /// Labels `rows` with their closest center of `packed` and brings the sums up to date
    /// (all rows again, or the moves of the rows that changed); returns the labels changed.
    fn assign<T: Float>(
        &mut self,
        x: MatRef<'_, T>,
        w: &[T],
        packed: &PackedCenters<T>,
        rows: std::ops::Range<usize>,
        labels: &mut [i64],
        unit: bool,
    ) -> usize {
        let m = rows.len();
        let full = self.begin(m, unit);
        let changed = if full {
            assign_rows(x, w, packed, rows, labels, Some(&mut self.sums))
        } else {
            self.assign_moving(x, packed, rows, labels)
        };
        self.end(m, changed, full);
        changed
    }

    /// The kernel over `rows` block by block, recording the rows whose label changes, then
    /// moving each block's rows between the sums while the block is still in cache.
    fn assign_moving<T: Float>(
        &mut self,
        x: MatRef<'_, T>,
        packed: &PackedCenters<T>,
        rows: std::ops::Range<usize>,
        labels: &mut [i64],
    ) -> usize {
        /// Fused into the kernel: the closest center of each row, recording changes.
        struct Record<'a> {
            labels: &'a mut [i64],
            moves: &'a mut Vec<(u32, u32, u32)>,
        }
        impl<T: Float> TileSink<T> for Record<'_> {
            const ARGMIN: bool = true;
            #[inline(always)]
            fn row_min(&mut self, r: usize, j: usize, _v: T) {
                let old = self.labels[r];
                if old != j as i64 {
                    // Labels are in 0..k here: this path runs only after a full pass.
                    self.moves.push((r as u32, old as u32, j as u32));
                    self.labels[r] = j as i64;
                }
            }
        }
        let d = x.cols();
        let block = assign_block_rows(d * std::mem::size_of::<T>());
        let mut changed = 0;
        let mut b = rows.start;
        while b < rows.end {
            let e = (b + block).min(rows.end);
            let xb = x.rows_slice(b..e);
            self.moves.clear();
            let lb = &mut labels[b - rows.start..e - rows.start];
            packed.run(xb, e - b, &mut Record { labels: lb, moves: &mut self.moves });
            if !self.moves.is_empty() {
                changed += self.moves.len();
                with_avx2(Moves { sums: &mut self.sums, low: &mut self.low.sums, x: xb, d, moves: &self.moves });
                self.low_dirty = true;
            }
            b = e;
        }
        changed
    }
}

/// The moves of one block ([`Part::assign_moving`]), run through [`with_avx2`].
struct Moves<'a, T> {
    sums: &'a mut Sums,
    low: &'a mut [f64],
    x: &'a [T],
    d: usize,
    moves: &'a [(u32, u32, u32)],
}

impl<T: Float> Vectorize for Moves<'_, T> {
    type Out = ();
    #[inline(always)]
    fn run(self) {
        let d = self.d;
        for &(r, old, new) in self.moves {
            let row = &self.x[r as usize * d..][..d];
            let (old, new) = (old as usize, new as usize);
            self.sums.weights[old] -= 1.0;
            self.sums.weights[new] += 1.0;
            two_sum_row(&mut self.sums.sums[old * d..][..d], &mut self.low[old * d..][..d], row, -1.0);
            two_sum_row(&mut self.sums.sums[new * d..][..d], &mut self.low[new * d..][..d], row, 1.0);
        }
    }
}

/// `hi[f] + low[f] += sign·row[f]` for every feature, error-free: the rounding error of
/// each addition (TwoSum) goes into `low`.
#[inline(always)]
fn two_sum_row<T: Float>(hi: &mut [f64], low: &mut [f64], row: &[T], sign: f64) {
    for ((h, l), &v) in hi.iter_mut().zip(low.iter_mut()).zip(row) {
        let b = sign * v.as_f64();
        let s = *h + b;
        let bb = s - *h;
        *l += (*h - (s - bb)) + (b - bb);
        *h = s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moves keep `sums + low` exact: a far outlier joins a cluster and leaves again, and the
    /// cluster's sum is that of its other rows to the last bit (plain add-then-subtract
    /// loses everything below 1e12's ulp, ~1e-4). Weights stay exact counts.
    #[test]
    fn moves_are_exact() {
        let d = 3;
        let rows: Vec<f64> = vec![0.1, -0.2, 0.3, 0.25, 0.5, -0.75, 1e12, -3e12, 7e11, 0.125, 0.0625, 0.3];
        let mut part = Part::new(2, d);
        assert!(part.begin(4, true));
        let labels = [0i64, 0, 1, 0];
        part.sums_mut().add_rows(&rows, &[1.0; 4], &labels);
        part.end(4, 4, true);
        // The first pass counts every row as changed.
        assert_eq!(part.changed_last, 4);
        part.changed_last = 0;
        assert!(!part.begin(4, true));
        part.move_row(&rows[6..9], 1, 0); // the outlier joins cluster 0
        part.move_row(&rows[6..9], 0, 1); // and leaves again
        part.end(4, 2, false);
        let total = Part::total([&part], 2, d, &crate::parallel::pool(1).unwrap());
        for f in 0..d {
            let want = rows[f] + rows[3 + f] + rows[9 + f];
            assert_eq!(total.sums[f], want, "feature {f}");
            assert_eq!(total.sums[d + f], rows[6 + f]);
        }
        assert_eq!(total.weights, vec![3.0, 1.0]);
        // Moves of as many rows as the chunk holds bring back a full pass.
        part.moved = 4;
        assert!(part.begin(4, true));
        // Weighted runs always sum every row.
        part.end(4, 0, true);
        assert!(part.begin(4, false));
    }
}
