//! Lloyd's iteration: every point is assigned every iteration with the blocked kernel, and
//! the assignment pass also accumulates the center sums (one pass over X per iteration).

use super::{assign_rows, inertia, update_centers, Config, Convergence, Fit, Sums};
use crate::distance::PackedCenters;
use crate::error::Result;
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::parallel::{map_chunks_mut, ChunkPlan};

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
    // -1: every label counts as changed in the first iteration.
    let mut labels = vec![-1i64; n];
    let mut conv = Convergence { strict: false };
    let mut n_iter = 0;
    for it in 0..cfg.max_iter {
        mon.check()?;
        n_iter = it + 1;
        let packed = PackedCenters::new(MatRef::new("centers", &centers, k, d)?);
        let parts = map_chunks_mut(pool, plan, &mut labels, 1, |rows, lab| {
            let mut s = Sums::zeros(k, d);
            let changed = assign_rows(x, w, &packed, rows, lab, Some(&mut s));
            (s, changed)
        });
        let changed: usize = parts.iter().map(|p| p.1).sum();
        let total = Sums::total(parts.iter().map(|p| &p.0), k, d, pool);
        let (new_centers, shift) = update_centers(x, w, &labels, &centers, total, cfg.spherical, pool);
        if cfg.verbose {
            mon.log(&format!("Iteration {it}, inertia {}.", inertia(x, w, &centers, &labels, pool)));
        }
        centers = new_centers;
        let shift: Vec<f64> = shift.iter().map(|s| s.as_f64()).collect();
        if conv.stop(it, changed == 0, &shift, cfg.tol, cfg, mon) {
            break;
        }
    }
    if !conv.strict {
        // Labels were computed with the previous centers: refresh them.
        let packed = PackedCenters::new(MatRef::new("centers", &centers, k, d)?);
        map_chunks_mut(pool, plan, &mut labels, 1, |rows, lab| {
            assign_rows(x, w, &packed, rows, lab, None);
        });
    }
    let inertia = inertia(x, w, &centers, &labels, pool);
    Ok(Fit { centers, labels, inertia, n_iter })
}
