//! Lloyd's iteration: every point is assigned every iteration with the blocked kernel, and
//! the assignment pass also accumulates the center sums (one pass over X per iteration).

use super::{assign_rows, assign_with_inertia, inertia, update_centers, Config, Convergence, Fit, Sums};
use crate::distance::PackedCenters;
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
    // One partial-sums buffer per chunk, reused every iteration.
    let mut parts: Vec<Sums> = (0..plan.len()).map(|_| Sums::zeros(k, d)).collect();
    let mut conv = Convergence { strict: false };
    let mut n_iter = 0;
    let mut fresh = false;
    for it in 0..cfg.max_iter {
        mon.check()?;
        n_iter = it + 1;
        let packed = PackedCenters::new(MatRef::new("centers", &centers, k, d)?);
        let changed: usize =
            map_chunks_mut_state(pool, plan, &mut labels, 1, &mut parts, k * d, mon, |rows, lab, s| {
                s.clear();
                assign_rows(x, w, &packed, rows, lab, Some(s))
            })?
            .into_iter()
            .sum();
        let total = Sums::total(&parts, k, d, pool);
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
