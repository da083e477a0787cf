//! Mini-batch k-means (Sculley 2010) as scikit-learn runs it: each step assigns a batch to
//! the closest centers and moves every center that received samples to the running mean of
//! all samples it has ever received (per-center learning rate `w / count`); centers whose
//! count falls below `reassignment_ratio × max count` are moved to random batch samples;
//! [`fit`] stops early on the exponentially smoothed batch inertia.
//!
//! A step is one parallel pass over the batch: the tiled kernel labels each chunk of rows,
//! and the chunk's rows are added to per-chunk center sums (one scatter-add pass, not a pass
//! per cluster); the sums are reduced in chunk order, so results do not depend on threads.

use super::{assign_rows_inertia, check_inputs, normalize_row, Sums};
use crate::distance::{sq_dist, PackedCenters};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::parallel::{self, map_chunks_mut, map_chunks_mut_state, ChunkPlan};
use crate::rng::Rng;

/// Rows per chunk of a batch: 16 chunks for scikit-learn's default batch of 4096 (enough
/// for any realistic thread count), few enough partial sums to reduce each step.
const BATCH_CHUNK_ROWS: usize = 256;

/// The model a stream of batches trains: what `partial_fit` carries from call to call.
#[derive(Debug, Clone)]
pub struct State<T> {
    /// Centers, k×d row-major.
    pub centers: Vec<T>,
    /// Total sample weight each center has received (its inverse learning rate), f64
    /// whatever the data type so that counts of large streams stay exact.
    pub counts: Vec<f64>,
    /// Samples seen since the last low-count reassignment.
    pub n_since_last_reassign: usize,
}

impl<T: Float> State<T> {
    /// A fresh model at `centers` (k×d): no sample seen yet.
    pub fn new(centers: Vec<T>, k: usize) -> Self {
        Self { centers, counts: vec![0.0; k], n_since_last_reassign: 0 }
    }

    /// scikit-learn's `_random_reassign`: reassign after every `10·k` samples, and whenever
    /// a center has never received a sample. `batch_size` samples count as seen.
    pub fn due_for_reassignment(&mut self, batch_size: usize) -> bool {
        self.n_since_last_reassign += batch_size;
        if self.counts.contains(&0.0) || self.n_since_last_reassign >= 10 * self.counts.len() {
            self.n_since_last_reassign = 0;
            true
        } else {
            false
        }
    }
}

/// Outcome of one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepOut {
    /// Weighted inertia of the batch against the centers before the step.
    pub inertia: f64,
    /// Summed squared distance the centers moved (computed only when asked for).
    pub squared_shift: f64,
    /// Centers moved to random batch samples.
    pub n_reassigned: usize,
}

/// The buffers of a step, allocated once per fit.
struct Workspace<T> {
    plan: ChunkPlan,
    /// Per-chunk center sums, reused from step to step.
    parts: Vec<Sums>,
    labels: Vec<i64>,
    old: Vec<T>,
}

impl<T: Float> Workspace<T> {
    fn new(m: usize, k: usize, d: usize) -> Self {
        let plan = ChunkPlan::with_chunk_rows(m, BATCH_CHUNK_ROWS);
        Self { plan, parts: (0..plan.len()).map(|_| Sums::zeros(k, d)).collect(), labels: vec![0; m], old: Vec::new() }
    }
}

/// Settings of a step beyond the data.
#[derive(Debug, Clone, Copy)]
pub struct StepConfig {
    /// Move low-count centers to random batch samples in this step.
    pub random_reassign: bool,
    /// Centers with count below this fraction of the largest count are reassigned.
    pub reassignment_ratio: f64,
    /// Rescale updated centers to unit norm (spherical k-means, cosine).
    pub spherical: bool,
    /// Also compute [`StepOut::squared_shift`].
    pub want_shift: bool,
    /// Log reassignments through the monitor.
    pub verbose: bool,
}

/// One step on the batch `x` (m×d, weights `w`) in `ws`'s buffers.
fn step_in<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    state: &mut State<T>,
    cfg: &StepConfig,
    rng: &mut Rng,
    ws: &mut Workspace<T>,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<StepOut> {
    let (m, d, k) = (x.rows(), x.cols(), state.counts.len());
    let packed = PackedCenters::new(MatRef::new("centers", &state.centers, k, d)?);
    let centers = &state.centers;
    let inertia: f64 =
        map_chunks_mut_state(pool, ws.plan, &mut ws.labels[..m], 1, &mut ws.parts, k * d, mon, |rows, lab, p| {
            p.clear();
            assign_rows_inertia(x, w, &packed, rows, lab, Some(p), Some(centers)).1
        })?
        .into_iter()
        .sum();
    let total = Sums::total(&ws.parts, k, d, pool);
    if cfg.want_shift {
        ws.old.clear();
        ws.old.extend_from_slice(&state.centers);
    }
    // scikit-learn's update: undo the count scaling, add the batch's weighted rows, divide by
    // the new count; a center without samples in this batch stays where it is.
    for j in 0..k {
        let wsum = total.weights[j];
        if wsum > 0.0 {
            let count = state.counts[j];
            let new_count = count + wsum;
            let alpha = 1.0 / new_count;
            let c = &mut state.centers[j * d..(j + 1) * d];
            for (cf, &s) in c.iter_mut().zip(&total.sums[j * d..(j + 1) * d]) {
                *cf = T::of_f64((cf.as_f64() * count + s) * alpha);
            }
            state.counts[j] = new_count;
            if cfg.spherical {
                normalize_row(c);
            }
        }
    }
    let n_reassigned = if cfg.random_reassign && cfg.reassignment_ratio > 0.0 {
        reassign(x, state, cfg.reassignment_ratio, rng)
    } else {
        0
    };
    if cfg.verbose && n_reassigned > 0 {
        mon.log(&format!("[MiniBatchKMeans] Reassigning {n_reassigned} cluster centers."));
    }
    let squared_shift = if cfg.want_shift {
        (0..k).map(|j| sq_dist(&state.centers[j * d..(j + 1) * d], &ws.old[j * d..(j + 1) * d]).as_f64()).sum()
    } else {
        0.0
    };
    Ok(StepOut { inertia, squared_shift, n_reassigned })
}

/// scikit-learn's low-count reassignment: centers whose count is below `ratio × max count`
/// (at most half the batch size of them, the lowest counts first) move to distinct batch
/// samples drawn uniformly, and their counts are raised to the smallest remaining count so
/// that they are not reassigned again at once. Returns how many centers moved.
fn reassign<T: Float>(x: MatRef<'_, T>, state: &mut State<T>, ratio: f64, rng: &mut Rng) -> usize {
    let (m, d, k) = (x.rows(), x.cols(), state.counts.len());
    let max = state.counts.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut chosen: Vec<bool> = state.counts.iter().map(|&c| c < ratio * max).collect();
    let limit = m / 2;
    if chosen.iter().filter(|&&c| c).count() > limit {
        // Keep only the `limit` lowest counts (lower index first on ties).
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| state.counts[a].total_cmp(&state.counts[b]).then(a.cmp(&b)));
        for &j in &order[limit..] {
            chosen[j] = false;
        }
    }
    let targets: Vec<usize> = (0..k).filter(|&j| chosen[j]).collect();
    if targets.is_empty() {
        return 0;
    }
    // Distinct batch rows: the first draws of a partial Fisher–Yates shuffle.
    let mut rows: Vec<usize> = (0..m).collect();
    for (t, &j) in targets.iter().enumerate() {
        let r = t + rng.below(m - t);
        rows.swap(t, r);
        state.centers[j * d..(j + 1) * d].copy_from_slice(x.row(rows[t]));
    }
    // With every center reassigned (reassignment_ratio > 1) scikit-learn fails on an empty
    // minimum; the counts are left as they are instead.
    let floor = (0..k).filter(|&j| !chosen[j]).map(|j| state.counts[j]).fold(f64::INFINITY, f64::min);
    if floor.is_finite() {
        for &j in &targets {
            state.counts[j] = floor;
        }
    }
    targets.len()
}

fn check_state<T: Float>(state: &State<T>, d: usize) -> Result<()> {
    let k = state.counts.len();
    if state.centers.len() != k * d {
        return Err(ClustorError::ShapeMismatch {
            name: "centers",
            got: state.centers.len(),
            expected: k * d,
            shape: format!("{k}×{d}"),
        });
    }
    if !state.counts.iter().all(|&c| c.is_finite() && c >= 0.0) {
        return Err(ClustorError::InvalidParameter { name: "counts", reason: "must be finite and >= 0".into() });
    }
    Ok(())
}

/// One mini-batch step on `x` (m×d, weights `w`): scikit-learn's `_mini_batch_step`.
/// `state` is updated in place; `seed` drives the reassignment draws.
pub fn partial_fit<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    state: &mut State<T>,
    cfg: &StepConfig,
    seed: u64,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<StepOut> {
    if !(cfg.reassignment_ratio >= 0.0) {
        return Err(ClustorError::InvalidParameter { name: "reassignment_ratio", reason: "must be >= 0".into() });
    }
    let pool = parallel::pool(n_threads)?;
    let (m, d, k) = (x.rows(), x.cols(), state.counts.len());
    check_state(state, d)?;
    // A batch may hold fewer samples than there are clusters.
    check_inputs(x, w, MatRef::new("centers", &state.centers, k, d)?, &pool).or_else(|e| match e {
        ClustorError::TooManyClusters { .. } => Ok(()),
        e => Err(e),
    })?;
    let mut ws = Workspace::new(m, k, d);
    step_in(x, w, state, cfg, &mut Rng::new(seed), &mut ws, &pool, mon)
}

/// Settings of a [`fit`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Samples per batch (≤ n).
    pub batch_size: usize,
    /// Steps to run at most: scikit-learn's `max_iter · n / batch_size`, capped by the seed
    /// toolkit's `max_steps`.
    pub n_steps: usize,
    /// Stop once the summed squared center shift of a step is at most this (0 = never).
    pub tol: f64,
    /// Stop after this many steps without improvement of the smoothed inertia.
    pub max_no_improvement: Option<usize>,
    /// See [`StepConfig::reassignment_ratio`].
    pub reassignment_ratio: f64,
    /// See [`StepConfig::spherical`].
    pub spherical: bool,
    /// Threads (0 = all CPUs).
    pub n_threads: usize,
    /// Log one line per step.
    pub verbose: bool,
    /// Seed of the batch draws and reassignments.
    pub seed: u64,
}

/// Outcome of a [`fit`].
#[derive(Debug, Clone)]
pub struct Fit<T> {
    /// The trained model.
    pub state: State<T>,
    /// Steps run.
    pub n_steps: usize,
    /// Exponentially smoothed mean batch inertia (None after a single step).
    pub ewa_inertia: Option<f64>,
    /// Mean inertia of the last batch.
    pub last_batch_inertia: f64,
}

/// scikit-learn's `_mini_batch_convergence`: early stopping on the squared center shift
/// and on the lack of improvement of the smoothed mean batch inertia.
struct EarlyStop {
    ewa: Option<f64>,
    ewa_min: Option<f64>,
    no_improvement: usize,
}

impl EarlyStop {
    fn stop(
        &mut self,
        step: usize,
        mean_inertia: f64,
        squared_shift: f64,
        n: usize,
        cfg: &Config,
        mon: &dyn Monitor,
    ) -> bool {
        let step = step + 1;
        let n_steps = cfg.n_steps;
        // The first batch measures the initialisation, not the training.
        if step == 1 {
            if cfg.verbose {
                mon.log(&format!("Minibatch step {step}/{n_steps}: mean batch inertia: {mean_inertia}"));
            }
            return false;
        }
        let alpha = (cfg.batch_size as f64 * 2.0 / (n as f64 + 1.0)).min(1.0);
        let ewa = match self.ewa {
            None => mean_inertia,
            Some(e) => e * (1.0 - alpha) + mean_inertia * alpha,
        };
        self.ewa = Some(ewa);
        if cfg.verbose {
            mon.log(&format!(
                "Minibatch step {step}/{n_steps}: mean batch inertia: {mean_inertia}, ewa inertia: {ewa}"
            ));
        }
        if cfg.tol > 0.0 && squared_shift <= cfg.tol {
            if cfg.verbose {
                mon.log(&format!("Converged (small centers change) at step {step}/{n_steps}"));
            }
            return true;
        }
        if self.ewa_min.map_or(true, |m| ewa < m) {
            self.no_improvement = 0;
            self.ewa_min = Some(ewa);
        } else {
            self.no_improvement += 1;
        }
        if cfg.max_no_improvement.is_some_and(|m| self.no_improvement >= m) {
            if cfg.verbose {
                mon.log(&format!("Converged (lack of improvement in inertia) at step {step}/{n_steps}"));
            }
            return true;
        }
        false
    }
}

/// Draws batch rows with probability ∝ weight, with replacement (scikit-learn's sampling;
/// the steps then use unit weights, so that weights are not counted twice).
enum Sampler {
    Uniform(usize),
    /// Cumulative weights.
    Weighted(Vec<f64>),
}

impl Sampler {
    fn new<T: Float>(w: &[T]) -> Self {
        if w.iter().all(|&v| v == w[0]) {
            return Self::Uniform(w.len());
        }
        let mut acc = 0.0;
        Self::Weighted(
            w.iter()
                .map(|&v| {
                    acc += v.as_f64();
                    acc
                })
                .collect(),
        )
    }

    fn draw(&self, rng: &mut Rng) -> usize {
        match self {
            Self::Uniform(n) => rng.below(*n),
            Self::Weighted(cum) => {
                let v = rng.uniform() * cum[cum.len() - 1];
                // The first row whose cumulative weight exceeds v: never a zero-weight row.
                cum.partition_point(|&c| c <= v).min(cum.len() - 1)
            }
        }
    }
}

/// Trains mini-batch k-means on `x` (n×d, weights `w`) from `init` (k×d): up to
/// `cfg.n_steps` steps on batches drawn by weight, stopping early as scikit-learn does.
pub fn fit<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    init: MatRef<'_, T>,
    cfg: &Config,
    mon: &dyn Monitor,
) -> Result<Fit<T>> {
    if cfg.batch_size == 0 {
        return Err(ClustorError::InvalidParameter { name: "batch_size", reason: "must be >= 1".into() });
    }
    if cfg.n_steps == 0 {
        return Err(ClustorError::InvalidParameter { name: "max_steps", reason: "must be >= 1".into() });
    }
    if !(cfg.tol >= 0.0) {
        return Err(ClustorError::InvalidParameter { name: "tol", reason: "must be >= 0".into() });
    }
    if !(cfg.reassignment_ratio >= 0.0) {
        return Err(ClustorError::InvalidParameter { name: "reassignment_ratio", reason: "must be >= 0".into() });
    }
    let pool = parallel::pool(cfg.n_threads)?;
    check_inputs(x, w, init, &pool)?;
    let (n, d, k) = (x.rows(), x.cols(), init.rows());
    let m = cfg.batch_size.min(n);
    let mut state = State::new(init.data().to_vec(), k);
    let mut ws = Workspace::new(m, k, d);
    let mut batch = vec![T::zero(); m * d];
    let mut idx = vec![0usize; m];
    let ones = vec![T::one(); m];
    let sampler = Sampler::new(w);
    let mut rng = Rng::new(cfg.seed);
    let mut early = EarlyStop { ewa: None, ewa_min: None, no_improvement: 0 };
    let gather_plan = ChunkPlan::with_chunk_rows(m, BATCH_CHUNK_ROWS);
    let mut n_steps = 0;
    let mut last = 0.0;
    for i in 0..cfg.n_steps {
        mon.check()?;
        n_steps = i + 1;
        for v in idx.iter_mut() {
            *v = sampler.draw(&mut rng);
        }
        let idx_ref = &idx;
        // Random rows of a large X: the copy waits on memory, so it is spread over threads.
        map_chunks_mut(&pool, gather_plan, &mut batch, d, |rows, out| {
            for (o, &i) in out.chunks_exact_mut(d).zip(&idx_ref[rows]) {
                o.copy_from_slice(x.row(i));
            }
        });
        let step_cfg = StepConfig {
            random_reassign: state.due_for_reassignment(m),
            reassignment_ratio: cfg.reassignment_ratio,
            spherical: cfg.spherical,
            want_shift: cfg.tol > 0.0,
            verbose: cfg.verbose,
        };
        let xb = MatRef::new("batch", &batch, m, d)?;
        let out = step_in(xb, &ones, &mut state, &step_cfg, &mut rng, &mut ws, &pool, mon)?;
        last = out.inertia / m as f64;
        if early.stop(i, last, out.squared_shift, n, cfg, mon) {
            break;
        }
    }
    Ok(Fit { state, n_steps, ewa_inertia: early.ewa, last_batch_inertia: last })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    fn step_cfg() -> StepConfig {
        StepConfig {
            random_reassign: false,
            reassignment_ratio: 0.01,
            spherical: false,
            want_shift: true,
            verbose: false,
        }
    }

    #[test]
    fn one_step_by_hand() {
        // Centers 0 (count 1) and 10 (count 0). Batch 1, 2 (w 1, 2) → center 0; 9 → center 1.
        // Center 0: (0·1 + 1·1 + 2·2) / (1 + 3) = 5/4; center 1: 9 (its first sample).
        let x = [1.0, 2.0, 9.0];
        let w = [1.0, 2.0, 1.0];
        let mut s = State { centers: vec![0.0, 10.0], counts: vec![1.0, 0.0], n_since_last_reassign: 0 };
        let out = partial_fit(MatRef::new("X", &x, 3, 1).unwrap(), &w, &mut s, &step_cfg(), 0, 1, &Silent).unwrap();
        assert_eq!(s.centers, vec![1.25, 9.0]);
        assert_eq!(s.counts, vec![4.0, 1.0]);
        // Inertia before the update: 1·1 + 2·4 + 1·1.
        assert_eq!(out.inertia, 10.0);
        assert_eq!(out.squared_shift, 1.5625 + 1.0);
    }

    #[test]
    fn low_count_centers_move_to_batch_rows() {
        // Center 1 has count 0 < 0.01 × 100: it moves to a batch row and gets count 100.
        let x = [0.0, 1.0, 2.0, 3.0];
        let w = [1.0; 4];
        let mut s = State { centers: vec![1.5, 50.0], counts: vec![100.0, 0.0], n_since_last_reassign: 0 };
        let cfg = StepConfig { random_reassign: true, ..step_cfg() };
        let out = partial_fit(MatRef::new("X", &x, 4, 1).unwrap(), &w, &mut s, &cfg, 3, 1, &Silent).unwrap();
        assert_eq!(out.n_reassigned, 1);
        assert!(x.contains(&s.centers[1]));
        assert_eq!(s.counts, vec![104.0, 104.0]);
    }

    #[test]
    fn fit_same_for_any_thread_count_and_finds_blobs() {
        let mut r = Rng::new(4);
        let (n, d, k) = (3000, 3, 3);
        let x: Vec<f64> = (0..n * d).map(|i| ((i / d) % k) as f64 * 20.0 + r.uniform()).collect();
        let w = vec![1.0; n];
        let init = [x[0..3].to_vec(), x[3..6].to_vec(), x[6..9].to_vec()].concat();
        let cfg = |t| Config {
            batch_size: 512,
            n_steps: 40,
            tol: 0.0,
            max_no_improvement: None,
            reassignment_ratio: 0.01,
            spherical: false,
            n_threads: t,
            verbose: false,
            seed: 9,
        };
        let run = |t| {
            fit(MatRef::new("X", &x, n, d).unwrap(), &w, MatRef::new("c", &init, k, d).unwrap(), &cfg(t), &Silent)
                .unwrap()
        };
        let (a, b) = (run(1), run(2));
        assert_eq!(a.state.centers, b.state.centers);
        assert_eq!(a.n_steps, 40);
        let mut firsts: Vec<f64> = a.state.centers.chunks(d).map(|c| c[0]).collect();
        firsts.sort_by(f64::total_cmp);
        for (j, c) in firsts.iter().enumerate() {
            assert!((c - (j as f64 * 20.0 + 0.5)).abs() < 0.1, "{firsts:?}");
        }
    }

    #[test]
    fn rejects_bad_input() {
        let x = [f64::NAN, 1.0];
        let mut s = State { centers: vec![0.0], counts: vec![0.0], n_since_last_reassign: 0 };
        let e = partial_fit(MatRef::new("X", &x, 2, 1).unwrap(), &[1.0; 2], &mut s, &step_cfg(), 0, 1, &Silent);
        assert_eq!(e.unwrap_err(), ClustorError::NotFinite("X"));
        let mut s = State { centers: vec![0.0, 1.0], counts: vec![0.0], n_since_last_reassign: 0 };
        let e = partial_fit(MatRef::new("X", &[1.0], 1, 1).unwrap(), &[1.0], &mut s, &step_cfg(), 0, 1, &Silent);
        assert!(matches!(e, Err(ClustorError::ShapeMismatch { .. })));
    }
}
