//! Internal validation metrics: scores from the data and the labels alone.
//!
//! - [`silhouette_samples`]: the silhouette coefficient of every sample. Rows are streamed in
//!   chunks and each row's per-cluster distance sums are accumulated in f64 over all samples,
//!   so memory stays O(n·d + chunk·k) instead of the n×n distance matrix.
//! - [`calinski_harabasz_score`], [`davies_bouldin_score`]: two passes over the rows, one
//!   for the cluster means and one for the dispersions around them.
//!
//! All passes run on the shared chunked-parallel pattern ([`parallel::map_chunks_mut_state`],
//! [`parallel::map_chunks_polled`]): a chunk plan fixed by the sizes, partial results
//! reduced in chunk order, the monitor polled between batches. So results do not depend on
//! the number of threads.

use crate::distance::{dot, sq_dist, with_avx2, Vectorize};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::parallel::{self, ChunkPlan};

/// How the silhouette measures the distance between two samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Euclidean distance by direct differences (no `‖x‖² − 2x·y + ‖y‖²` cancellation).
    Euclidean,
    /// `1 − ⟨x, y⟩ / (‖x‖‖y‖)` clipped to [0, 2], as scikit-learn computes it (rows are
    /// scaled to unit norm first); a zero row is at distance 1 from every other row.
    Cosine,
    /// Sum of absolute differences (city block).
    Manhattan,
    /// `x` is the n×n matrix of distances itself.
    Precomputed,
}

/// Rows per silhouette chunk. Each row costs a pass over all n samples, so even small
/// chunks amortise the bookkeeping, and small chunks balance the pool.
const CHUNK_ROWS: usize = 32;

/// Samples per column block: a chunk's rows meet one block of samples at a time, so the
/// block stays in cache while every row of the chunk is run against it.
const COL_BLOCK: usize = 256;

/// Labels as cluster indices, checked to lie in `0..k`, with the size of every cluster.
fn checked_labels(labels: &[i64], n: usize, k: usize) -> Result<Vec<usize>> {
    if labels.len() != n {
        return Err(ClustorError::ShapeMismatch {
            name: "labels",
            got: labels.len(),
            expected: n,
            shape: format!("({n},)"),
        });
    }
    let mut counts = vec![0usize; k];
    for &l in labels {
        let c = usize::try_from(l).ok().filter(|&c| c < k).ok_or_else(|| ClustorError::InvalidParameter {
            name: "labels",
            reason: format!("label {l} is outside 0..{k}"),
        })?;
        counts[c] += 1;
    }
    Ok(counts)
}

/// scikit-learn's rule for the internal scores: 2 to n − 1 clusters.
fn check_number_of_labels(k: usize, n: usize) -> Result<()> {
    if (2..n).contains(&k) {
        Ok(())
    } else {
        Err(ClustorError::InvalidParameter {
            name: "labels",
            reason: format!("Number of labels is {k}. Valid values are 2 to n_samples - 1 (inclusive)"),
        })
    }
}

/// Silhouette coefficient of every sample (out: n), as scikit-learn defines it.
///
/// `x`: n×d samples (n×n distances under [`Metric::Precomputed`]); `labels`: n values in
/// `0..n_clusters`. For sample i with label c, `a` is its mean distance to the other members
/// of c, `b` the smallest mean distance to the members of another (non-empty) cluster, and
/// `s = (b − a) / max(a, b)`; a sample alone in its cluster, or with `a = b = 0`, gets 0.
/// Requires `2 <= n_clusters <= n − 1`. Polls `mon` between batches of rows.
pub fn silhouette_samples<T: Float>(
    x: MatRef<'_, T>,
    labels: &[i64],
    n_clusters: usize,
    metric: Metric,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Vec<f64>> {
    let x = MatRef::new_finite("X", x.data(), x.rows(), x.cols())?;
    let n = x.rows();
    let counts = checked_labels(labels, n, n_clusters)?;
    if metric == Metric::Precomputed && x.cols() != n {
        return Err(ClustorError::InvalidParameter {
            name: "X",
            reason: format!("a precomputed distance matrix must be square, got shape ({n}, {})", x.cols()),
        });
    }
    check_number_of_labels(n_clusters, n)?;
    let pool = parallel::pool(n_threads)?;
    match metric {
        Metric::Precomputed => precomputed_stream(x, labels, &counts, &pool, mon),
        Metric::Euclidean => sorted_stream::<Euclid, T>(x.data(), n, x.cols(), labels, &counts, &pool, mon),
        Metric::Manhattan => sorted_stream::<Manhattan, T>(x.data(), n, x.cols(), labels, &counts, &pool, mon),
        Metric::Cosine => {
            let unit = unit_rows(x);
            sorted_stream::<Cosine, T>(&unit, n, x.cols(), labels, &counts, &pool, mon)
        }
    }
}

/// Rows of `x` scaled to unit euclidean norm (zero rows stay zero), in `T` like
/// scikit-learn's `normalize`.
fn unit_rows<T: Float>(x: MatRef<'_, T>) -> Vec<T> {
    let mut out = x.data().to_vec();
    for row in out.chunks_exact_mut(x.cols().max(1)) {
        let norm = dot(row, row).sqrt();
        if norm > T::zero() {
            row.iter_mut().for_each(|v| *v /= norm);
        }
    }
    out
}

/// A distance computed feature by feature into a buffer of partial values, one per column
/// sample, then finished into distances and summed. Written so that the loops over the
/// columns vectorise (4 f64 wide under AVX2).
trait ColumnDistance {
    /// Adds feature `xl` of the row against the same feature of the columns.
    fn add(xl: f64, col: &[f64], buf: &mut [f64]);
    /// The distance from a finished partial value.
    fn finish(v: f64) -> f64;
}

struct Euclid;
impl ColumnDistance for Euclid {
    #[inline(always)]
    fn add(xl: f64, col: &[f64], buf: &mut [f64]) {
        for (b, &v) in buf.iter_mut().zip(col) {
            let t = xl - v;
            *b += t * t;
        }
    }
    #[inline(always)]
    fn finish(v: f64) -> f64 {
        v.sqrt()
    }
}

struct Manhattan;
impl ColumnDistance for Manhattan {
    #[inline(always)]
    fn add(xl: f64, col: &[f64], buf: &mut [f64]) {
        for (b, &v) in buf.iter_mut().zip(col) {
            *b += (xl - v).abs();
        }
    }
    #[inline(always)]
    fn finish(v: f64) -> f64 {
        v
    }
}

struct Cosine;
impl ColumnDistance for Cosine {
    #[inline(always)]
    fn add(xl: f64, col: &[f64], buf: &mut [f64]) {
        for (b, &v) in buf.iter_mut().zip(col) {
            *b += xl * v;
        }
    }
    #[inline(always)]
    fn finish(v: f64) -> f64 {
        // 1 − ⟨u, v⟩ of unit rows, clipped to [0, 2] as scikit-learn does.
        (1.0 - v).clamp(0.0, 2.0)
    }
}

/// Silhouette of every sample from per-cluster distance sums, with the columns (all
/// samples) sorted by cluster and transposed to f64 (d × n, O(n·d) memory): each row's sum
/// over a cluster is then a run of contiguous columns, computed a block at a time by
/// vectorised loops, with no scattered adds. Rows go in chunks of [`CHUNK_ROWS`] on the
/// shared pattern; every (row, cluster) sum runs in a fixed order on one thread, so neither
/// the batching nor the thread count changes a bit. Distances are in f64 for every `T`
/// (scikit-learn also computes float32 euclidean distances in float64).
fn sorted_stream<M: ColumnDistance, T: Float>(
    x: &[T],
    n: usize,
    d: usize,
    labels: &[i64],
    counts: &[usize],
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Vec<f64>> {
    let k = counts.len();
    let mut offsets = vec![0usize; k + 1];
    for c in 0..k {
        offsets[c + 1] = offsets[c] + counts[c];
    }
    let mut next = offsets.clone();
    let mut xt = vec![0.0f64; n * d];
    for (i, &l) in labels.iter().enumerate() {
        let p = next[l as usize];
        next[l as usize] += 1;
        for (f, &v) in x[i * d..(i + 1) * d].iter().enumerate() {
            xt[f * n + p] = v.as_f64();
        }
    }
    let plan = ChunkPlan::with_chunk_rows(n, CHUNK_ROWS);
    let mut out = vec![0.0f64; n];
    let mut states = vec![(); plan.len()];
    let work_per_row = n.saturating_mul(d.max(1));
    parallel::map_chunks_mut_state(pool, plan, &mut out, 1, &mut states, work_per_row, mon, |rows, s, _| {
        let xr: Vec<f64> = x[rows.start * d..rows.end * d].iter().map(|v| v.as_f64()).collect();
        let mut sums = vec![0.0f64; rows.len() * k];
        with_avx2(SortedSums::<M> {
            xt: &xt,
            n,
            d,
            xr: &xr,
            offsets: &offsets,
            sums: &mut sums,
            metric: std::marker::PhantomData,
        });
        for (r, i) in rows.enumerate() {
            let own = labels[i] as usize;
            // The row met itself among its cluster's columns: take that term back out
            // (0 for euclidean and manhattan; for cosine, 1 for a zero row).
            let row = &xr[r * d..(r + 1) * d];
            let mut own_buf = [0.0f64];
            for &v in row {
                M::add(v, &[v], &mut own_buf);
            }
            let acc = &mut sums[r * k..(r + 1) * k];
            acc[own] -= M::finish(own_buf[0]);
            s[r] = coefficient(acc, own, counts);
        }
    })?;
    Ok(out)
}

/// Columns handled together by [`SortedSums`]: their partial values stay in registers
/// (two AVX2 vectors of f64) across all the features.
const LANES: usize = 8;

/// Distance sums of a chunk's rows (`xr`: rows × d, f64) to every cluster (out: rows × k),
/// run through [`with_avx2`]. Each (row, cluster) sum keeps [`LANES`] lane totals, one per
/// column position modulo [`LANES`], plus a tail, combined in a fixed order at the end.
struct SortedSums<'a, M> {
    xt: &'a [f64],
    n: usize,
    d: usize,
    xr: &'a [f64],
    offsets: &'a [usize],
    sums: &'a mut [f64],
    metric: std::marker::PhantomData<M>,
}

impl<M: ColumnDistance> Vectorize for SortedSums<'_, M> {
    type Out = ();
    #[inline(always)]
    fn run(self) {
        let (n, d) = (self.n, self.d);
        let k = self.offsets.len() - 1;
        let rows = self.xr.len() / d.max(1);
        let mut lanes = vec![[0.0f64; LANES]; rows * k];
        let mut tails = vec![0.0f64; rows * k];
        for c in 0..k {
            let (first, last) = (self.offsets[c], self.offsets[c + 1]);
            let full_end = first + (last - first) / LANES * LANES;
            let mut start = first;
            // Blocks of columns that stay in L1 while every row of the chunk meets them.
            while start < full_end {
                let end = (start + COL_BLOCK).min(full_end);
                for r in 0..rows {
                    let xi = &self.xr[r * d..(r + 1) * d];
                    let mut tot = lanes[r * k + c];
                    let mut j = start;
                    while j < end {
                        let mut acc = [0.0f64; LANES];
                        for (l, &xl) in xi.iter().enumerate() {
                            let col: &[f64; LANES] = self.xt[l * n + j..l * n + j + LANES].try_into().unwrap();
                            M::add(xl, col, &mut acc);
                        }
                        for q in 0..LANES {
                            tot[q] += M::finish(acc[q]);
                        }
                        j += LANES;
                    }
                    lanes[r * k + c] = tot;
                }
                start = end;
            }
            for r in 0..rows {
                let xi = &self.xr[r * d..(r + 1) * d];
                for j in full_end..last {
                    let mut acc = [0.0f64];
                    for (l, &xl) in xi.iter().enumerate() {
                        M::add(xl, &self.xt[l * n + j..l * n + j + 1], &mut acc);
                    }
                    tails[r * k + c] += M::finish(acc[0]);
                }
            }
        }
        for ((s, t), tail) in self.sums.iter_mut().zip(&lanes).zip(&tails) {
            *s = (((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))) + tail;
        }
    }
}

/// The silhouette from a precomputed distance matrix: each row's distances added to its
/// clusters' sums in sample order (the matrix is read once, row by row).
fn precomputed_stream<T: Float>(
    x: MatRef<'_, T>,
    labels: &[i64],
    counts: &[usize],
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Vec<f64>> {
    let n = x.rows();
    let k = counts.len();
    let plan = ChunkPlan::with_chunk_rows(n, CHUNK_ROWS);
    let mut out = vec![0.0f64; n];
    let mut states = vec![(); plan.len()];
    parallel::map_chunks_mut_state(pool, plan, &mut out, 1, &mut states, n, mon, |rows, s, _| {
        let mut acc = vec![0.0f64; k];
        for (r, i) in rows.enumerate() {
            acc.fill(0.0);
            for (j, (&v, &l)) in x.row(i).iter().zip(labels).enumerate() {
                // The diagonal is left out (checked to be about 0 by the caller).
                if j != i {
                    acc[l as usize] += v.as_f64();
                }
            }
            s[r] = coefficient(&acc, labels[i] as usize, counts);
        }
    })?;
    Ok(out)
}

/// `(b − a) / max(a, b)` from one row's per-cluster distance sums, with scikit-learn's
/// operations in scikit-learn's order (sum / (count − 1) for `a`, sum / count for `b`).
fn coefficient(sums: &[f64], own: usize, counts: &[usize]) -> f64 {
    if counts[own] <= 1 {
        return 0.0;
    }
    let a = sums[own] / (counts[own] - 1) as f64;
    let b = (0..counts.len())
        .filter(|&c| c != own && counts[c] > 0)
        .map(|c| sums[c] / counts[c] as f64)
        .fold(f64::INFINITY, f64::min);
    let m = a.max(b);
    if m == 0.0 || !m.is_finite() {
        return 0.0;
    }
    (b - a) / m
}

/// Size (k) and f64 mean (k×d) of every cluster, with the overall mean (d): one pass of
/// per-chunk sums reduced in chunk order.
struct ClusterMeans {
    counts: Vec<usize>,
    means: Vec<f64>,
    overall: Vec<f64>,
}

/// Checks shared by the two dispersion scores; the cluster means.
fn cluster_means<T: Float>(
    x: MatRef<'_, T>,
    labels: &[i64],
    k: usize,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<ClusterMeans> {
    let (n, d) = (x.rows(), x.cols());
    let counts = checked_labels(labels, n, k)?;
    check_number_of_labels(k, n)?;
    let plan = ChunkPlan::new(n, k * d * 8);
    let parts = parallel::map_chunks_polled(pool, plan, d, mon, |rows| {
        let mut s = vec![0.0f64; k * d];
        for i in rows {
            let c = labels[i] as usize;
            for (acc, &v) in s[c * d..(c + 1) * d].iter_mut().zip(x.row(i)) {
                *acc += v.as_f64();
            }
        }
        s
    })?;
    let mut sums = vec![0.0f64; k * d];
    for p in &parts {
        sums.iter_mut().zip(p).for_each(|(a, b)| *a += b);
    }
    let mut overall = vec![0.0f64; d];
    for c in 0..k {
        overall.iter_mut().zip(&sums[c * d..(c + 1) * d]).for_each(|(a, b)| *a += b);
    }
    overall.iter_mut().for_each(|v| *v /= n as f64);
    let mut means = sums;
    for c in 0..k {
        means[c * d..(c + 1) * d].iter_mut().for_each(|v| *v /= counts[c] as f64);
    }
    Ok(ClusterMeans { counts, means, overall })
}

/// Squared euclidean distance from a row (in `T`) to a mean (in f64), by direct differences.
#[inline(always)]
fn sq_dist_to_mean<T: Float>(row: &[T], mean: &[f64]) -> f64 {
    row.iter().zip(mean).map(|(&v, &m)| (v.as_f64() - m) * (v.as_f64() - m)).sum()
}

/// Calinski–Harabasz score (variance ratio criterion), as scikit-learn computes it.
///
/// `x`: n×d samples; `labels`: n values in `0..n_clusters`, every cluster non-empty.
/// `(B / (k − 1)) / (W / (n − k))` with B the between-cluster dispersion
/// `Σ_c n_c ‖μ_c − μ‖²` and W the within-cluster dispersion `Σ_i ‖x_i − μ_{c(i)}‖²`; 1.0 when
/// W is 0. Sums in f64 for every float type. Requires `2 <= n_clusters <= n − 1`.
pub fn calinski_harabasz_score<T: Float>(
    x: MatRef<'_, T>,
    labels: &[i64],
    n_clusters: usize,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<f64> {
    let x = MatRef::new_finite("X", x.data(), x.rows(), x.cols())?;
    let (n, d, k) = (x.rows(), x.cols(), n_clusters);
    let pool = parallel::pool(n_threads)?;
    let cm = cluster_means(x, labels, k, &pool, mon)?;
    let plan = ChunkPlan::new(n, 8);
    let within: f64 = parallel::map_chunks_polled(&pool, plan, d, mon, |rows| {
        rows.map(|i| {
            let c = labels[i] as usize;
            sq_dist_to_mean(x.row(i), &cm.means[c * d..(c + 1) * d])
        })
        .sum::<f64>()
    })?
    .into_iter()
    .sum();
    let between: f64 = (0..k)
        .map(|c| {
            let m = &cm.means[c * d..(c + 1) * d];
            cm.counts[c] as f64 * m.iter().zip(&cm.overall).map(|(a, b)| (a - b) * (a - b)).sum::<f64>()
        })
        .sum();
    if within == 0.0 {
        return Ok(1.0);
    }
    Ok(between * (n - k) as f64 / (within * (k as f64 - 1.0)))
}

/// Davies–Bouldin score, as scikit-learn computes it.
///
/// `x`: n×d samples; `labels`: n values in `0..n_clusters`, every cluster non-empty. With
/// `s_c` the mean distance of cluster c's members to its centroid and `d_ce` the distance
/// between centroids, the mean over c of `max_{e ≠ c} (s_c + s_e) / d_ce`; coincident
/// centroids are left out of the max, and the score is 0 when every `s_c` or every `d_ce`
/// is within 1e-8 of 0 (scikit-learn's `allclose`). Requires `2 <= n_clusters <= n − 1`.
pub fn davies_bouldin_score<T: Float>(
    x: MatRef<'_, T>,
    labels: &[i64],
    n_clusters: usize,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<f64> {
    let x = MatRef::new_finite("X", x.data(), x.rows(), x.cols())?;
    let (n, d, k) = (x.rows(), x.cols(), n_clusters);
    let pool = parallel::pool(n_threads)?;
    let cm = cluster_means(x, labels, k, &pool, mon)?;
    let plan = ChunkPlan::new(n, k * 8);
    let parts = parallel::map_chunks_polled(&pool, plan, d, mon, |rows| {
        let mut s = vec![0.0f64; k];
        for i in rows {
            let c = labels[i] as usize;
            s[c] += sq_dist_to_mean(x.row(i), &cm.means[c * d..(c + 1) * d]).sqrt();
        }
        s
    })?;
    let mut intra = vec![0.0f64; k];
    for p in &parts {
        intra.iter_mut().zip(p).for_each(|(a, b)| *a += b);
    }
    intra.iter_mut().zip(&cm.counts).for_each(|(s, &c)| *s /= c as f64);
    let centroid = |c: usize| &cm.means[c * d..(c + 1) * d];
    let between = |c: usize, e: usize| if c == e { 0.0 } else { sq_dist(centroid(c), centroid(e)).sqrt() };
    let close = 1e-8;
    let all_centroids_close = (0..k).all(|c| (0..k).all(|e| between(c, e) <= close));
    if intra.iter().all(|s| s.abs() <= close) || all_centroids_close {
        return Ok(0.0);
    }
    let scores: f64 = (0..k)
        .map(|c| {
            (0..k)
                .map(|e| {
                    let dce = between(c, e);
                    // scikit-learn sets zero centroid distances to infinity.
                    let dce = if dce == 0.0 { f64::INFINITY } else { dce };
                    (intra[c] + intra[e]) / dce
                })
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .sum();
    Ok(scores / k as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;
    use crate::rng::Rng;

    fn sil(x: &[f64], d: usize, labels: &[i64], k: usize, metric: Metric, threads: usize) -> Result<Vec<f64>> {
        let m = MatRef::new("X", x, x.len() / d, d).unwrap();
        silhouette_samples(m, labels, k, metric, threads, &Silent)
    }

    #[test]
    fn worked_by_hand() {
        // Points 0, 1 | 10, 11 on a line. For 0: a = 1, b = (10 + 11) / 2.
        let s = sil(&[0.0, 1.0, 10.0, 11.0], 1, &[0, 0, 1, 1], 2, Metric::Euclidean, 1).unwrap();
        assert!((s[0] - 9.5 / 10.5).abs() < 1e-15);
        assert!((s[1] - (9.5 - 1.0) / 9.5).abs() < 1e-15);
        assert_eq!(s[0], s[3]);
        assert_eq!(s[1], s[2]);
        // In one dimension, manhattan is euclidean.
        assert_eq!(sil(&[0.0, 1.0, 10.0, 11.0], 1, &[0, 0, 1, 1], 2, Metric::Manhattan, 1).unwrap(), s);
    }

    #[test]
    fn manhattan_by_hand() {
        // (0,0), (1,1) | (3,0), (3,1): for (0,0), a = 2, b = (3 + 4) / 2.
        let s = sil(&[0.0, 0.0, 1.0, 1.0, 3.0, 0.0, 3.0, 1.0], 2, &[0, 0, 1, 1], 2, Metric::Manhattan, 1).unwrap();
        assert!((s[0] - 1.5 / 3.5).abs() < 1e-15);
    }

    #[test]
    fn singleton_and_coincident_points_score_zero() {
        let s = sil(&[0.0, 0.0, 5.0], 1, &[0, 0, 1], 2, Metric::Euclidean, 1).unwrap();
        assert_eq!(s, vec![1.0, 1.0, 0.0]);
        let s = sil(&[1.0, 1.0, 1.0], 1, &[0, 0, 1], 2, Metric::Euclidean, 1).unwrap();
        assert_eq!(s, vec![0.0, 0.0, 0.0]);
    }

    #[test]
    fn threads_and_precomputed_agree() {
        let (n, d, k) = (700, 3, 4);
        let mut r = Rng::new(7);
        let x: Vec<f64> = (0..n * d).map(|_| r.uniform()).collect();
        let labels: Vec<i64> = (0..n).map(|i| (i % k) as i64).collect();
        let one = sil(&x, d, &labels, k, Metric::Euclidean, 1).unwrap();
        let two = sil(&x, d, &labels, k, Metric::Euclidean, 2).unwrap();
        assert_eq!(one, two);
        let dm: Vec<f64> = (0..n * n).map(|p| sq_dist(&x[p / n * d..][..d], &x[p % n * d..][..d]).sqrt()).collect();
        // Same distances, summed in another order.
        for (a, b) in sil(&dm, n, &labels, k, Metric::Precomputed, 2).unwrap().iter().zip(&one) {
            assert!((a - b).abs() < 1e-13);
        }
        let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let f = silhouette_samples(MatRef::new("X", &xf, n, d).unwrap(), &labels, k, Metric::Euclidean, 2, &Silent);
        for (a, b) in f.unwrap().iter().zip(&one) {
            assert!((a - b).abs() < 1e-5);
        }
    }

    #[test]
    fn cosine_ignores_scale_and_defines_zero_rows() {
        let x = [1.0, 0.0, 2.0, 0.1, 0.0, 1.0, 0.1, 3.0];
        let scaled: Vec<f64> = x.iter().map(|v| v * 5.0).collect();
        let a = sil(&x, 2, &[0, 0, 1, 1], 2, Metric::Cosine, 1).unwrap();
        let b = sil(&scaled, 2, &[0, 0, 1, 1], 2, Metric::Cosine, 1).unwrap();
        for (u, v) in a.iter().zip(&b) {
            assert!((u - v).abs() < 1e-12);
        }
        // A zero row is at distance 1 from everything: a = 1, b = 1 → 0.
        let z = sil(&[0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 2.0], 2, &[0, 0, 1, 1], 2, Metric::Cosine, 1).unwrap();
        assert_eq!(z[0], 0.0);
    }

    struct Stop;
    impl Monitor for Stop {
        fn check(&self) -> Result<()> {
            Err(ClustorError::Interrupted)
        }
    }

    #[test]
    fn monitor_stops_between_batches() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let m = MatRef::new("X", &x, 4, 1).unwrap();
        let labels = [0, 0, 1, 1];
        assert_eq!(silhouette_samples(m, &labels, 2, Metric::Euclidean, 1, &Stop), Err(ClustorError::Interrupted));
        assert_eq!(calinski_harabasz_score(m, &labels, 2, 1, &Stop), Err(ClustorError::Interrupted));
        assert_eq!(davies_bouldin_score(m, &labels, 2, 1, &Stop), Err(ClustorError::Interrupted));
    }

    #[test]
    fn bad_input_is_an_error() {
        let x = [0.0, 1.0, 2.0];
        assert!(matches!(sil(&x, 1, &[0, 0, 0], 1, Metric::Euclidean, 1), Err(ClustorError::InvalidParameter { .. })));
        assert!(matches!(sil(&x, 1, &[0, 1, 2], 3, Metric::Euclidean, 1), Err(ClustorError::InvalidParameter { .. })));
        assert!(matches!(sil(&x, 1, &[0, 1, 5], 2, Metric::Euclidean, 1), Err(ClustorError::InvalidParameter { .. })));
        assert!(matches!(sil(&x, 1, &[0, -1, 1], 2, Metric::Euclidean, 1), Err(ClustorError::InvalidParameter { .. })));
        assert!(matches!(sil(&x, 1, &[0, 1], 2, Metric::Euclidean, 1), Err(ClustorError::ShapeMismatch { .. })));
        assert!(matches!(sil(&x, 3, &[0], 2, Metric::Precomputed, 1), Err(ClustorError::InvalidParameter { .. })));
        assert!(matches!(
            sil(&[0.0, f64::NAN, 1.0], 1, &[0, 1, 1], 2, Metric::Euclidean, 1),
            Err(ClustorError::NotFinite(_))
        ));
        let m = MatRef::new("X", &x, 3, 1).unwrap();
        assert!(matches!(
            calinski_harabasz_score(m, &[0, 1, 2], 3, 1, &Silent),
            Err(ClustorError::InvalidParameter { .. })
        ));
        assert!(matches!(
            davies_bouldin_score(m, &[0, 1, 7], 2, 1, &Silent),
            Err(ClustorError::InvalidParameter { .. })
        ));
    }

    #[test]
    fn dispersion_scores_by_hand() {
        // Clusters {0, 2} and {10, 12} on a line: means 1 and 11, overall mean 6.
        // W = 4 · 1 = 4, B = 2 · 25 + 2 · 25 = 100; CH = (100 / 1) / (4 / 2) = 50.
        let x = [0.0, 2.0, 10.0, 12.0];
        let m = MatRef::new("X", &x, 4, 1).unwrap();
        let labels = [0, 0, 1, 1];
        assert_eq!(calinski_harabasz_score(m, &labels, 2, 1, &Silent).unwrap(), 50.0);
        // s = 1 for both, centroid distance 10: DB = (1 + 1) / 10.
        assert_eq!(davies_bouldin_score(m, &labels, 2, 1, &Silent).unwrap(), 0.2);
        // No spread inside the clusters: CH is defined as 1, DB as 0.
        let m = MatRef::new("X", &[1.0, 1.0, 3.0], 3, 1).unwrap();
        assert_eq!(calinski_harabasz_score(m, &[0, 0, 1], 2, 1, &Silent).unwrap(), 1.0);
        assert_eq!(davies_bouldin_score(m, &[0, 0, 1], 2, 1, &Silent).unwrap(), 0.0);
    }

    #[test]
    fn dispersion_scores_do_not_depend_on_threads() {
        let (n, d, k) = (20_000, 5, 7);
        let mut r = Rng::new(3);
        let x: Vec<f64> = (0..n * d).map(|_| r.uniform()).collect();
        let labels: Vec<i64> = (0..n).map(|i| ((i * 7919) % k) as i64).collect();
        let m = MatRef::new("X", &x, n, d).unwrap();
        let ch1 = calinski_harabasz_score(m, &labels, k, 1, &Silent).unwrap();
        assert_eq!(ch1, calinski_harabasz_score(m, &labels, k, 2, &Silent).unwrap());
        let db1 = davies_bouldin_score(m, &labels, k, 1, &Silent).unwrap();
        assert_eq!(db1, davies_bouldin_score(m, &labels, k, 2, &Silent).unwrap());
    }
}
