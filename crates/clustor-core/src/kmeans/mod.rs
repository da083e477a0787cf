//! k-means: seeding ([`init`]), Lloyd's and Elkan's iterations ([`lloyd`], [`elkan`]), and
//! the pieces they share (the M-step with empty-cluster relocation, inertia, prediction).
//!
//! The iteration follows scikit-learn's `_kmeans_single_*` step for step, so that from the
//! same initial centers both reach scikit-learn's labels, centers, inertia and `n_iter`:
//! each iteration assigns with the current centers and moves them to the weighted means;
//! it stops when labels no longer change (strict convergence) or when the squared center
//! shift falls to `tol`; without strict convergence a last assignment makes the labels
//! match the returned centers.

pub mod bisecting;
pub mod elkan;
pub mod init;
pub mod lloyd;
pub mod minibatch;

use crate::distance::{sq_dist, with_avx2, PackedCenters, TileSink, Vectorize};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::{check_weights, MatRef};
use crate::monitor::Monitor;
use crate::parallel::{self, ChunkPlan};

/// Which iteration to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Assign every point every iteration (blocked distance kernel).
    Lloyd,
    /// Lloyd with Elkan's triangle-inequality bounds (n×k lower bounds kept).
    Elkan,
}

/// Settings of one k-means run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Maximum number of iterations (≥ 1).
    pub max_iter: usize,
    /// Absolute tolerance on the summed squared center shift (scikit-learn scales the
    /// user's relative `tol` by the mean feature variance before passing it here).
    pub tol: f64,
    /// Iteration to run.
    pub algorithm: Algorithm,
    /// Rescale each center to unit norm after every update (spherical k-means, cosine).
    pub spherical: bool,
    /// Threads (0 = all CPUs).
    pub n_threads: usize,
    /// Log one line per iteration through the monitor.
    pub verbose: bool,
}

/// Outcome of one run.
#[derive(Debug, Clone)]
pub struct Fit<T> {
    /// Final centers, k×d row-major.
    pub centers: Vec<T>,
    /// Label of each sample (0..k).
    pub labels: Vec<i64>,
    /// Weighted sum of squared distances to the assigned centers (accumulated in f64).
    pub inertia: f64,
    /// Iterations run.
    pub n_iter: usize,
}

/// Per-chunk center sums, accumulated in f64 whatever the data type.
#[derive(Debug, Clone)]
pub(crate) struct Sums {
    pub sums: Vec<f64>,
    pub weights: Vec<f64>,
}

impl Sums {
    pub fn zeros(k: usize, d: usize) -> Self {
        Self { sums: vec![0.0; k * d], weights: vec![0.0; k] }
    }

    /// Sets every sum to zero (the buffers are reused from pass to pass).
    pub fn clear(&mut self) {
        self.sums.fill(0.0);
        self.weights.fill(0.0);
    }

    /// Adds the rows of `x` (row-major, `labels.len()` rows) with their weights to the sums of
    /// their labels, in row order (per element: the same order whatever the blocking).
    ///
    /// The rows are grouped by label first (a counting sort that keeps row order), and each
    /// center's sums are then swept in strips of [`SUM_STRIP`] features held in registers
    /// while that center's rows are added: a sum is loaded and stored once per strip and
    /// block instead of once per row, and each value of X is read once (from L2: the kernel
    /// has just streamed the block). Per element the additions keep row order, so the result
    /// is the one of a plain row-by-row loop, to the bit.
    ///
    /// When all the sums fit in L1 ([`DIRECT_SUM_BYTES`]), the rows are added one by one in
    /// place instead: the counting sort's serial scatter cost more than the additions it
    /// saved (K1, k = 32 × d = 16: the sums' share of a pass fell from 16% to ~5%). Same
    /// order per element, so the same sums.
    #[inline(always)]
    pub fn add_rows<T: Float>(&mut self, x: &[T], w: &[T], labels: &[i64]) {
        let k = self.weights.len().max(1);
        let d = (self.sums.len() / k).max(1);
        let m = labels.len();
        if self.sums.len() * std::mem::size_of::<f64>() <= DIRECT_SUM_BYTES {
            // Plain slices: through `self`, the vectors' pointers were reloaded after every
            // store.
            let (all_sums, weights) = (&mut self.sums[..], &mut self.weights[..]);
            for ((row, &wr), &lab) in x.chunks_exact(d).zip(w).zip(labels) {
                let j = lab as usize;
                weights[j] += wr.as_f64();
                let sums = &mut all_sums[j * d..(j + 1) * d];
                if wr == T::one() {
                    for (s, &v) in sums.iter_mut().zip(row) {
                        *s += v.as_f64();
                    }
                } else {
                    let w64 = wr.as_f64();
                    for (s, &v) in sums.iter_mut().zip(row) {
                        *s += v.as_f64() * w64;
                    }
                }
            }
            return;
        }
        // Row indices grouped by label, each group in row order.
        let mut start = vec![0u32; k + 1];
        for (&wr, &lab) in w.iter().zip(labels) {
            self.weights[lab as usize] += wr.as_f64();
            start[lab as usize + 1] += 1;
        }
        for j in 0..k {
            start[j + 1] += start[j];
        }
        let mut next = start.clone();
        let mut order = vec![0u32; m];
        for (r, &lab) in labels.iter().enumerate() {
            let slot = &mut next[lab as usize];
            order[*slot as usize] = r as u32;
            *slot += 1;
        }
        // Unit weights (the usual case) skip the multiply: `v · 1` is `v`, so the sums are
        // the same to the bit, for a third fewer operations per value.
        let unit = w.iter().all(|&wr| wr == T::one());
        for j in 0..k {
            let rows = &order[start[j] as usize..start[j + 1] as usize];
            if rows.is_empty() {
                continue;
            }
            let sums = &mut self.sums[j * d..(j + 1) * d];
            if unit {
                add_strips(sums, rows, x, d, |v: T, _r: usize| v.as_f64());
            } else {
                add_strips(sums, rows, x, d, |v: T, r: usize| v.as_f64() * w[r].as_f64());
            }
        }
    }

    #[inline]
    pub fn add<T: Float>(&mut self, row: &[T], w: T, label: usize) {
        let d = row.len();
        let w64 = w.as_f64();
        self.weights[label] += w64;
        for (s, &v) in self.sums[label * d..(label + 1) * d].iter_mut().zip(row) {
            *s += v.as_f64() * w64;
        }
    }

    /// The sum of the chunks' partials, each element added up in chunk order, with the elements split among the threads: with
    /// hundreds of chunks a serial merge would be a visible share of a Lloyd iteration.
    pub fn total<'a, I>(parts: I, k: usize, d: usize, pool: &rayon::ThreadPool) -> Self
    where
        I: IntoIterator<Item = &'a Self>,
    {
        use rayon::prelude::*;
        let parts: Vec<&Self> = parts.into_iter().collect();
        let mut total = Self::zeros(k, d);
        // Blocks of 512 elements (4 KiB): enough work per task, and a cache-friendly sweep
        // over the parts.
        const BLOCK: usize = 512;
        pool.install(|| {
            total.sums.par_chunks_mut(BLOCK).enumerate().for_each(|(b, out)| {
                for p in &parts {
                    for (a, v) in out.iter_mut().zip(&p.sums[b * BLOCK..]) {
                        *a += v;
                    }
                }
            })
        });
        for p in &parts {
            for (a, v) in total.weights.iter_mut().zip(&p.weights) {
                *a += v;
            }
        }
        total
    }
}

/// Features per register strip of [`Sums::add_rows`]: 16 f64, four AVX2 vectors (four
/// independent addition chains per row).
const SUM_STRIP: usize = 16;

/// Largest center-sum table (bytes) that [`Sums::add_rows`] updates row by row: half of a
/// 32 KiB L1, leaving room for the rows.
const DIRECT_SUM_BYTES: usize = 16 << 10;

/// `sums[f] += term(x[r·d + f], r)` for every row `r` of `rows`, in that order, strip by strip.
#[inline(always)]
fn add_strips<T: Float, F: Fn(T, usize) -> f64>(sums: &mut [f64], rows: &[u32], x: &[T], d: usize, term: F) {
    let mut f0 = 0;
    while f0 + SUM_STRIP <= d {
        let mut acc: [f64; SUM_STRIP] = sums[f0..f0 + SUM_STRIP].try_into().expect("strip");
        for &r in rows {
            let r = r as usize;
            let row = &x[r * d + f0..r * d + f0 + SUM_STRIP];
            for l in 0..SUM_STRIP {
                acc[l] += term(row[l], r);
            }
        }
        sums[f0..f0 + SUM_STRIP].copy_from_slice(&acc);
        f0 += SUM_STRIP;
    }
    if f0 < d {
        for &r in rows {
            let r = r as usize;
            for (s, &v) in sums[f0..].iter_mut().zip(&x[r * d + f0..(r + 1) * d]) {
                *s += term(v, r);
            }
        }
    }
}

pub(crate) use crate::prep::all_finite;

/// Validates the data of a run: finite x (n×d, n ≥ 1), weights, centers (k×d, 1 ≤ k ≤ n).
pub(crate) fn check_inputs<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    centers: MatRef<'_, T>,
    pool: &rayon::ThreadPool,
) -> Result<()> {
    check_inputs_with(x, w, centers, pool, false)
}

/// [`check_inputs`], skipping the scan of X for non-finite values when the caller has
/// already made it (`x_known_finite`): on K2's 376 MB that scan is 15 ms, half a Lloyd pass.
pub(crate) fn check_inputs_with<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    centers: MatRef<'_, T>,
    pool: &rayon::ThreadPool,
    x_known_finite: bool,
) -> Result<()> {
    MatRef::new("X", x.data(), x.rows(), x.cols())?;
    if x.rows() == 0 {
        return Err(ClustorError::EmptyInput(x.rows(), x.cols()));
    }
    if x.cols() == 0 {
        return Err(ClustorError::NoFeatures(x.rows()));
    }
    if !x_known_finite && !all_finite(x.data(), pool) {
        return Err(ClustorError::NotFinite("X"));
    }
    check_weights(w, x.rows())?;
    if centers.cols() != x.cols() {
        return Err(ClustorError::InvalidParameter {
            name: "init",
            reason: format!("the initial centers have {} features but X has {}", centers.cols(), x.cols()),
        });
    }
    if centers.rows() == 0 {
        return Err(ClustorError::InvalidParameter { name: "n_clusters", reason: "must be >= 1".into() });
    }
    if centers.rows() > x.rows() {
        return Err(ClustorError::TooManyClusters { n_samples: x.rows(), n_clusters: centers.rows() });
    }
    if !centers.data().iter().all(|v| v.is_finite()) {
        return Err(ClustorError::NotFinite("init"));
    }
    Ok(())
}

/// The M-step: turns the summed partials into new centers, relocating empty clusters to
/// the points farthest from their old centers as scikit-learn does. Returns the new centers
/// and each center's shift (euclidean distance moved).
pub(crate) fn update_centers<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    labels: &[i64],
    old: &[T],
    mut total: Sums,
    spherical: bool,
    pool: &rayon::ThreadPool,
) -> (Vec<T>, Vec<T>) {
    let (k, d) = (total.weights.len(), x.cols());
    let empty: Vec<usize> = (0..k).filter(|&j| total.weights[j] == 0.0).collect();
    if !empty.is_empty() {
        let plan = ChunkPlan::new(x.rows(), 0);
        let far: Vec<Vec<(T, usize)>> = parallel::map_chunks(pool, plan, |rows| {
            rows.map(|i| (sq_dist(x.row(i), &old[labels[i] as usize * d..][..d]), i)).collect()
        });
        let mut far: Vec<(T, usize)> = far.into_iter().flatten().collect();
        // Farthest first; equal distances by index, so the choice is reproducible.
        far.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(&b.1)));
        // Every sample sits on its center (more clusters than distinct samples): moving one
        // would not help, and scikit-learn does not.
        if far.first().is_some_and(|f| f.0 == T::zero()) {
            far.clear();
        }
        for (&new_j, &(_, i)) in empty.iter().zip(&far) {
            let old_j = labels[i] as usize;
            let wi = w[i].as_f64();
            for (f, &v) in x.row(i).iter().enumerate() {
                total.sums[old_j * d + f] -= v.as_f64() * wi;
                total.sums[new_j * d + f] = v.as_f64() * wi;
            }
            total.weights[new_j] = wi;
            total.weights[old_j] -= wi;
        }
    }
    let mut centers = vec![T::zero(); k * d];
    for j in 0..k {
        let c = &mut centers[j * d..(j + 1) * d];
        let s = &total.sums[j * d..(j + 1) * d];
        if total.weights[j] > 0.0 {
            let alpha = 1.0 / total.weights[j];
            for f in 0..d {
                c[f] = T::of_f64(s[f] * alpha);
            }
            if spherical {
                normalize_row(c);
            }
        }
    }
    // A cluster still without weight (drained by a relocation, or not relocated) goes to the
    // center of the heaviest cluster (the first one on ties), as scikit-learn's averaging
    // intends. scikit-learn copies that cluster's unaveraged sum when its index is higher;
    // the mean is used here whatever the order.
    let heaviest = (0..k).fold(0, |b, j| if total.weights[j] > total.weights[b] { j } else { b });
    for j in 0..k {
        if !(total.weights[j] > 0.0) && j != heaviest {
            centers.copy_within(heaviest * d..(heaviest + 1) * d, j * d);
        }
    }
    let shift = (0..k).map(|j| sq_dist(&centers[j * d..(j + 1) * d], &old[j * d..(j + 1) * d]).sqrt()).collect();
    (centers, shift)
}

/// Scales a row to unit euclidean norm; a zero row stays zero.
pub fn normalize_row<T: Float>(c: &mut [T]) {
    let n: f64 = c.iter().map(|v| v.as_f64() * v.as_f64()).sum::<f64>().sqrt();
    if n > 0.0 {
        for v in c.iter_mut() {
            *v = T::of_f64(v.as_f64() / n);
        }
    }
}

/// Weighted sum of squared distances of each sample to its labelled center (direct
/// differences, f64 accumulation, chunk-ordered reduction).
pub fn inertia<T: Float>(x: MatRef<'_, T>, w: &[T], centers: &[T], labels: &[i64], pool: &rayon::ThreadPool) -> f64 {
    let d = x.cols();
    let plan = ChunkPlan::new(x.rows(), 0);
    parallel::map_chunks(pool, plan, |rows| {
        rows.map(|i| {
            let j = labels[i] as usize;
            sq_dist(x.row(i), &centers[j * d..(j + 1) * d]).as_f64() * w[i].as_f64()
        })
        .sum::<f64>()
    })
    .into_iter()
    .sum()
}

/// Labels of `rows` (closest center, ties to the lowest index) written to `labels`, and the
/// rows' contributions to the center sums when `sums` is given. Returns how many labels
/// changed (the strict-convergence test, without keeping the previous labels).
pub(crate) fn assign_rows<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    packed: &PackedCenters<T>,
    rows: std::ops::Range<usize>,
    labels: &mut [i64],
    sums: Option<&mut Sums>,
) -> usize {
    assign_rows_inertia(x, w, packed, rows, labels, sums, None).0
}

/// Bytes of X per kernel call in [`assign_rows_inertia`]: the block's rows are read again
/// for the center sums and the inertia right after the kernel, from L2 (K2: 40 rows of 784
/// f64; K1: the whole 256-row chunk).
const ASSIGN_BLOCK_BYTES: usize = 256 << 10;

/// Rows per kernel call for rows of `row_bytes`: about [`ASSIGN_BLOCK_BYTES`] of X, a
/// multiple of 6 (both register tiles' row counts divide it, so no tile is padded but the
/// chunk's last).
pub(crate) fn assign_block_rows(row_bytes: usize) -> usize {
    let rows = ASSIGN_BLOCK_BYTES / row_bytes.max(1);
    (rows / 6 * 6).max(6)
}

/// [`assign_rows`], also summing the rows' weighted squared distances to their new centers
/// (`centers`, k×d, direct differences) when `centers` is given. Returns (labels changed,
/// inertia of the rows).
///
/// The kernel's sink only writes labels; the sums and the inertia follow per block of rows
/// in plain loops over slices. (Doing them in the sink, per row, made LLVM reload the sink's
/// fields after every store into the sums: measured slower.)
pub(crate) fn assign_rows_inertia<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    packed: &PackedCenters<T>,
    rows: std::ops::Range<usize>,
    labels: &mut [i64],
    mut sums: Option<&mut Sums>,
    centers: Option<&[T]>,
) -> (usize, f64) {
    /// Fused into the kernel: the closest center of each row, and whether it changed.
    struct Assign<'a> {
        labels: &'a mut [i64],
        changed: usize,
    }
    impl<T: Float> TileSink<T> for Assign<'_> {
        const ARGMIN: bool = true;
        #[inline(always)]
        fn row_min(&mut self, r: usize, j: usize, _v: T) {
            let lab = j as i64;
            self.changed += usize::from(self.labels[r] != lab);
            self.labels[r] = lab;
        }
    }
    let d = x.cols();
    let block = assign_block_rows(d * std::mem::size_of::<T>());
    let (mut changed, mut inertia) = (0, 0.0f64);
    let mut b = rows.start;
    while b < rows.end {
        let e = (b + block).min(rows.end);
        let (xb, wb) = (x.rows_slice(b..e), &w[b..e]);
        let lb = &mut labels[b - rows.start..e - rows.start];
        let mut sink = Assign { labels: lb, changed: 0 };
        packed.run(xb, e - b, &mut sink);
        changed += sink.changed;
        let lb = &*lb;
        inertia += with_avx2(SumsAndInertia { sums: sums.as_deref_mut(), centers, x: xb, w: wb, labels: lb });
        b = e;
    }
    (changed, inertia)
}

/// The rows' contributions to the center sums (when `sums` is given) and their inertia to
/// their labelled `centers` (when given; direct differences), run through [`with_avx2`].
struct SumsAndInertia<'a, T> {
    sums: Option<&'a mut Sums>,
    centers: Option<&'a [T]>,
    x: &'a [T],
    w: &'a [T],
    labels: &'a [i64],
}

impl<T: Float> Vectorize for SumsAndInertia<'_, T> {
    type Out = f64;
    #[inline(always)]
    fn run(self) -> f64 {
        if let Some(s) = self.sums {
            s.add_rows(self.x, self.w, self.labels);
        }
        let mut inertia = 0.0;
        if let Some(c) = self.centers {
            let d = self.x.len() / self.labels.len().max(1);
            for ((row, &wr), &lab) in self.x.chunks_exact(d.max(1)).zip(self.w).zip(self.labels) {
                let j = lab as usize;
                inertia += sq_dist(row, &c[j * d..(j + 1) * d]).as_f64() * wr.as_f64();
            }
        }
        inertia
    }
}

/// Labels every sample with its closest center of `packed` (= `centers`) and returns the
/// weighted inertia, in one pass over X (chunk-ordered sum).
pub(crate) fn assign_with_inertia<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    packed: &PackedCenters<T>,
    centers: &[T],
    labels: &mut [i64],
    pool: &rayon::ThreadPool,
) -> f64 {
    let plan = ChunkPlan::new(x.rows(), 0);
    parallel::map_chunks_mut(pool, plan, labels, 1, |rows, lab| {
        assign_rows_inertia(x, w, packed, rows, lab, None, Some(centers)).1
    })
    .into_iter()
    .sum()
}

/// Closest center of every sample and the weighted inertia: `predict` and `score`.
pub fn predict<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    centers: MatRef<'_, T>,
    n_threads: usize,
) -> Result<(Vec<i64>, f64)> {
    predict_with(x, w, centers, n_threads, false)
}

/// [`predict`] for an X the caller has already checked to be finite (`x_known_finite`:
/// clustor's Python validation does), without scanning it again.
pub fn predict_with<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    centers: MatRef<'_, T>,
    n_threads: usize,
    x_known_finite: bool,
) -> Result<(Vec<i64>, f64)> {
    let pool = parallel::pool(n_threads)?;
    check_inputs_with(x, w, centers, &pool, x_known_finite).or_else(|e| match e {
        // Predicting more clusters than samples is fine.
        ClustorError::TooManyClusters { .. } => Ok(()),
        e => Err(e),
    })?;
    let packed = PackedCenters::new(centers);
    let mut labels = vec![0i64; x.rows()];
    let inertia = assign_with_inertia(x, w, &packed, centers.data(), &mut labels, &pool);
    Ok((labels, inertia))
}

/// Euclidean distance of every sample to every center (out: n×k), by direct differences.
pub fn transform<T: Float>(x: MatRef<'_, T>, centers: MatRef<'_, T>, n_threads: usize) -> Result<Vec<T>> {
    MatRef::new_finite("X", x.data(), x.rows(), x.cols())?;
    if centers.cols() != x.cols() {
        return Err(ClustorError::InvalidParameter {
            name: "X",
            reason: format!("X has {} features, but the model expects {}", x.cols(), centers.cols()),
        });
    }
    let pool = parallel::pool(n_threads)?;
    let k = centers.rows();
    let plan = ChunkPlan::new(x.rows(), 0);
    let mut out = vec![T::zero(); x.rows() * k];
    parallel::map_chunks_mut(&pool, plan, &mut out, k, |rows, o| {
        for (r, i) in rows.enumerate() {
            for j in 0..k {
                o[r * k + j] = sq_dist(x.row(i), centers.row(j)).sqrt();
            }
        }
    });
    Ok(out)
}

/// Runs k-means from `centers_init` (k×d) to convergence or `max_iter`.
pub fn fit<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    centers_init: MatRef<'_, T>,
    cfg: &Config,
    mon: &dyn Monitor,
) -> Result<Fit<T>> {
    fit_with(x, w, centers_init, cfg, mon, false)
}

/// [`fit`] for an X the caller has already checked to be finite (`x_known_finite`:
/// clustor's Python validation does), without scanning it again.
pub fn fit_with<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    centers_init: MatRef<'_, T>,
    cfg: &Config,
    mon: &dyn Monitor,
    x_known_finite: bool,
) -> Result<Fit<T>> {
    if cfg.max_iter == 0 {
        return Err(ClustorError::InvalidParameter { name: "max_iter", reason: "must be >= 1".into() });
    }
    if !(cfg.tol >= 0.0) {
        return Err(ClustorError::InvalidParameter { name: "tol", reason: "must be >= 0".into() });
    }
    let pool = parallel::pool(cfg.n_threads)?;
    check_inputs_with(x, w, centers_init, &pool, x_known_finite)?;
    // Elkan needs a second center to bound against; scikit-learn also falls back to Lloyd.
    if cfg.algorithm == Algorithm::Elkan && centers_init.rows() > 1 {
        elkan::run(x, w, centers_init, cfg, &pool, mon)
    } else {
        lloyd::run(x, w, centers_init, cfg, &pool, mon)
    }
}

/// Shared convergence bookkeeping of both iterations.
pub(crate) struct Convergence {
    pub strict: bool,
}

impl Convergence {
    /// Decides after iteration `it` (0-based) whether to stop, logging like scikit-learn;
    /// `unchanged` says that no label changed in this iteration.
    pub fn stop(
        &mut self,
        it: usize,
        unchanged: bool,
        shift: &[f64],
        tol: f64,
        cfg: &Config,
        mon: &dyn Monitor,
    ) -> bool {
        if unchanged {
            self.strict = true;
            if cfg.verbose {
                mon.log(&format!("Converged at iteration {it}: strict convergence."));
            }
            return true;
        }
        let tot: f64 = shift.iter().map(|s| s * s).sum();
        if tot <= tol {
            if cfg.verbose {
                mon.log(&format!("Converged at iteration {it}: center shift {tot:e} within tolerance {tol:e}."));
            }
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    fn cfg(algorithm: Algorithm, n_threads: usize) -> Config {
        Config { max_iter: 100, tol: 0.0, algorithm, spherical: false, n_threads, verbose: false }
    }

    #[test]
    fn lloyd_bit_identical_for_any_thread_count() {
        // Enough rows for many chunks; k = 13 and d = 7 exercise padding and both tiles.
        let mut r = crate::rng::Rng::new(5);
        let (n, d, k) = (20_000, 7, 13);
        let x: Vec<f64> = (0..n * d).map(|_| r.uniform() * 4.0).collect();
        let w: Vec<f64> = (0..n).map(|i| 1.0 + (i % 4) as f64 * 0.25).collect();
        let c = &x[..k * d];
        let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let wf: Vec<f32> = w.iter().map(|&v| v as f32).collect();
        let cfg = |t| Config { max_iter: 15, ..cfg(Algorithm::Lloyd, t) };
        let run =
            |t| fit(MatRef::new("X", &x, n, d).unwrap(), &w, MatRef::new("c", c, k, d).unwrap(), &cfg(t), &Silent);
        let (a, b) = (run(1).unwrap(), run(2).unwrap());
        assert_eq!(
            (&a.centers, &a.labels, a.inertia.to_bits(), a.n_iter),
            (&b.centers, &b.labels, b.inertia.to_bits(), b.n_iter)
        );
        let runf = |t| {
            fit(
                MatRef::new("X", &xf, n, d).unwrap(),
                &wf,
                MatRef::new("c", &xf[..k * d], k, d).unwrap(),
                &cfg(t),
                &Silent,
            )
        };
        let (a, b) = (runf(1).unwrap(), runf(2).unwrap());
        assert_eq!((&a.centers, &a.labels, a.inertia.to_bits()), (&b.centers, &b.labels, b.inertia.to_bits()));
        // The reported inertia is that of the returned labels and centers.
        let pool = parallel::pool(1).unwrap();
        let direct = inertia(MatRef::new("X", &xf, n, d).unwrap(), &wf, &a.centers, &a.labels, &pool);
        assert!((direct - a.inertia).abs() <= 1e-9 * direct);
    }

    #[test]
    fn blocked_center_sums_equal_row_by_row_sums() {
        let mut r = crate::rng::Rng::new(2);
        // Rows shorter than a strip, a strip and a tail, many strips; unit and other weights.
        // Tables of up to 16 KiB are summed row by row, larger ones by label groups.
        for (n, d, k) in [(50, 784, 10), (37, 1, 3), (40, 15, 4), (41, 16, 5), (43, 17, 32), (9, 40, 12), (60, 100, 30)]
        {
            let x: Vec<f64> = (0..n * d).map(|_| r.uniform()).collect();
            let labels: Vec<i64> = (0..n).map(|_| r.below(k) as i64).collect();
            // Weights: all 1, none 1, or a mix (the row-by-row path tests each row's weight).
            for mode in 0..3 {
                let w: Vec<f64> =
                    (0..n).map(|i| if mode == 1 || (mode == 2 && i % 3 == 0) { 1.0 } else { r.uniform() }).collect();
                let mut a = Sums::zeros(k, d);
                a.add_rows(&x, &w, &labels);
                let mut b = Sums::zeros(k, d);
                for i in 0..n {
                    b.add(&x[i * d..(i + 1) * d], w[i], labels[i] as usize);
                }
                assert_eq!(a.sums, b.sums, "n={n} d={d} k={k} weights mode {mode}");
                assert_eq!(a.weights, b.weights);
            }
        }
    }

    #[test]
    fn finite_check_finds_every_position() {
        let pool = parallel::pool(2).unwrap();
        let mut v = vec![1.5f64; 200_003];
        assert!(all_finite(&v, &pool));
        for &(i, bad) in &[(0, f64::NAN), (7, f64::INFINITY), (131_072, f64::NEG_INFINITY), (200_002, f64::NAN)] {
            v[i] = bad;
            assert!(!all_finite(&v, &pool), "{i}");
            v[i] = 1.5;
        }
        assert!(!all_finite(&[1.0f32, f32::NAN], &pool));
    }

    #[test]
    fn worked_by_hand_1d() {
        // Points 0, 1, 10, 11 from centers 0 and 1: first assignment {0} {1,10,11},
        // centers 0 and 22/3; then {0,1} {10,11}: centers 0.5 and 10.5; then stable.
        let x = [0.0, 1.0, 10.0, 11.0];
        let w = [1.0; 4];
        for alg in [Algorithm::Lloyd, Algorithm::Elkan] {
            let f = fit(
                MatRef::new("X", &x, 4, 1).unwrap(),
                &w,
                MatRef::new("c", &[0.0, 1.0], 2, 1).unwrap(),
                &cfg(alg, 1),
                &Silent,
            )
            .unwrap();
            assert_eq!(f.centers, vec![0.5, 10.5]);
            assert_eq!(f.labels, vec![0, 0, 1, 1]);
            assert_eq!(f.inertia, 1.0);
            assert_eq!(f.n_iter, 3);
        }
    }

    #[test]
    fn empty_cluster_takes_farthest_point() {
        // Center 2 at 100 gets no point; the point farthest from its center (9) moves there.
        let x = [0.0, 1.0, 9.0];
        let w = [1.0; 3];
        let c = [0.0, 1.0, 100.0];
        let f = fit(
            MatRef::new("X", &x, 3, 1).unwrap(),
            &w,
            MatRef::new("c", &c, 3, 1).unwrap(),
            &Config { max_iter: 1, ..cfg(Algorithm::Lloyd, 1) },
            &Silent,
        )
        .unwrap();
        assert_eq!(f.centers, vec![0.0, 1.0, 9.0]);
        assert_eq!(f.labels, vec![0, 1, 2]);
    }

    #[test]
    fn drained_cluster_joins_heaviest() {
        // Center 2 is empty; the farthest point (10, alone in cluster 0) moves there, which
        // drains cluster 0: it takes the mean of the heaviest cluster, {0, 1, 2} → 1.
        let x = [0.0, 1.0, 2.0, 10.0];
        let w = [1.0; 4];
        let c = [12.0, 1.0, 1000.0];
        let f = fit(
            MatRef::new("X", &x, 4, 1).unwrap(),
            &w,
            MatRef::new("c", &c, 3, 1).unwrap(),
            &Config { max_iter: 1, ..cfg(Algorithm::Lloyd, 1) },
            &Silent,
        )
        .unwrap();
        assert_eq!(f.centers, vec![1.0, 1.0, 10.0]);
        assert_eq!(f.labels, vec![0, 0, 0, 2]);
    }

    #[test]
    fn no_relocation_when_every_sample_is_on_its_center() {
        // Two distinct values, three clusters: nothing to gain by moving a sample.
        let x = [0.0, 0.0, 5.0];
        let w = [1.0; 3];
        let c = [0.0, 5.0, 9.0];
        let f = fit(
            MatRef::new("X", &x, 3, 1).unwrap(),
            &w,
            MatRef::new("c", &c, 3, 1).unwrap(),
            &Config { max_iter: 1, ..cfg(Algorithm::Lloyd, 1) },
            &Silent,
        )
        .unwrap();
        assert_eq!(f.centers, vec![0.0, 5.0, 0.0]);
        assert_eq!(f.labels, vec![0, 0, 1]);
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        let w = [1.0; 2];
        let c = MatRef::new("c", &[0.0], 1, 1).unwrap();
        let nan = [f64::NAN, 1.0];
        assert_eq!(
            fit(MatRef::new("X", &nan, 2, 1).unwrap(), &w, c, &cfg(Algorithm::Lloyd, 1), &Silent).unwrap_err(),
            ClustorError::NotFinite("X")
        );
        let x = [0.0, 1.0];
        let c3 = [0.0, 1.0, 2.0];
        assert!(matches!(
            fit(
                MatRef::new("X", &x, 2, 1).unwrap(),
                &w,
                MatRef::new("c", &c3, 3, 1).unwrap(),
                &cfg(Algorithm::Lloyd, 1),
                &Silent
            ),
            Err(ClustorError::TooManyClusters { .. })
        ));
        assert!(matches!(
            fit(MatRef::new("X", &x, 2, 1).unwrap(), &[-1.0, 1.0], c, &cfg(Algorithm::Lloyd, 1), &Silent),
            Err(ClustorError::InvalidWeights(_))
        ));
    }
}
