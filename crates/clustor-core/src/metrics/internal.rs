//! Internal validation metrics: scores from the data and the labels alone.
//!
//! - [`silhouette_samples`]: the silhouette coefficient of every sample. Rows are streamed in
//!   strips and each distance, computed once, is added in f64 to both samples' per-cluster
//!   sums, so memory stays O(n·d + n·k) instead of the n×n distance matrix.
//! - [`calinski_harabasz_score`], [`davies_bouldin_score`]: two passes over the rows, one
//!   for the cluster means and one for the dispersions around them.
//!
//! All passes run on the shared chunked-parallel pattern ([`parallel::map_chunks_mut_state`],
//! [`parallel::map_chunks_polled`], [`parallel::fold_chunks_polled`]): a chunk plan fixed by
//! the sizes, partial results
//! reduced in chunk order, the monitor polled between batches. So results do not depend on
//! the number of threads.

use crate::distance::{
    column_block, column_single, dot, sq_dist, with_avx2, ColumnDistance, Euclid, Manhattan, UnitCosine, Vectorize,
    COL_LANES,
};
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

/// Rows per chunk of the precomputed silhouette. Each row costs a pass over all n samples,
/// so even small chunks amortise the bookkeeping, and small chunks balance the pool.
const CHUNK_ROWS: usize = 32;

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
    let sym = n.saturating_mul(n_clusters) <= SYMMETRIC_BUDGET;
    let d = x.cols();
    match metric {
        Metric::Precomputed => precomputed_stream(x, labels, &counts, &pool, mon),
        Metric::Euclidean => sorted_stream::<Euclid, T>(x.data(), n, d, labels, &counts, sym, &pool, mon),
        Metric::Manhattan => sorted_stream::<Manhattan, T>(x.data(), n, d, labels, &counts, sym, &pool, mon),
        Metric::Cosine => {
            let unit = unit_rows(x);
            sorted_stream::<UnitCosine, T>(&unit, n, d, labels, &counts, sym, &pool, mon)
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

/// Silhouette of every sample from per-cluster distance sums, with the samples sorted by
/// cluster (each cluster a run of positions), kept both row-major and feature-major in f64
/// (O(n·d) memory). Distances are in f64 for every `T` (scikit-learn also computes float32
/// euclidean distances in float64).
///
/// Each distance is computed once: strip p (rows `s..e` of the sorted order, a chunk of the
/// shared pattern) meets the samples from `s` on. Against its own rows it adds to its row
/// sums only; against the samples after `e` it adds every distance both to its row's sum
/// for the column's cluster and to a per-strip column sum (one value per later sample and
/// per cluster of the strip). The strips' results are folded on the calling thread in strip
/// order: a strip's column sums into the k×n totals, and its rows' coefficients finished
/// from their row sums and the column totals of the earlier strips (all folded by then).
/// Every value is thus summed in a fixed order, whatever the thread count or the batching.
///
/// With `symmetric` false (chosen when the k×n totals would pass [`SYMMETRIC_BUDGET`]),
/// every strip meets all the samples instead (each distance computed twice) and memory
/// stays O(n·d + strip·k).
#[allow(clippy::too_many_arguments)]
fn sorted_stream<M: ColumnDistance, T: Float>(
    x: &[T],
    n: usize,
    d: usize,
    labels: &[i64],
    counts: &[usize],
    symmetric: bool,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Vec<f64>> {
    let k = counts.len();
    let mut offsets = vec![0usize; k + 1];
    for c in 0..k {
        offsets[c + 1] = offsets[c] + counts[c];
    }
    // order[p]: the sample at sorted position p (stable within a cluster).
    let mut next = offsets.clone();
    let mut order = vec![0usize; n];
    for (i, &l) in labels.iter().enumerate() {
        order[next[l as usize]] = i;
        next[l as usize] += 1;
    }
    let cluster: Vec<usize> = order.iter().map(|&i| labels[i] as usize).collect();
    let mut xt = vec![0.0f64; n * d];
    let mut xs = vec![0.0f64; n * d];
    for (p, &i) in order.iter().enumerate() {
        for (f, &v) in x[i * d..(i + 1) * d].iter().enumerate() {
            xt[f * n + p] = v.as_f64();
            xs[p * d + f] = v.as_f64();
        }
    }
    let plan = ChunkPlan::with_chunk_rows(n, STRIP_ROWS);
    let mut col_totals = if symmetric { vec![0.0f64; n * k] } else { Vec::new() };
    let mut out = vec![0.0f64; n];
    let mut acc = vec![0.0f64; k];
    let work_per_row = (if symmetric { n / 2 } else { n }).max(1).saturating_mul(d.max(1));
    let (xt, xs, offsets, cluster) = (&xt, &xs, &offsets, &cluster);
    parallel::fold_chunks_polled(
        pool,
        plan,
        work_per_row,
        mon,
        |rows| {
            let (cols_from, partial_from) = if symmetric { (rows.start, rows.end) } else { (0, n) };
            let strip_clusters = cluster[rows.end - 1] - cluster[rows.start] + 1;
            let mut row_sums = vec![0.0f64; rows.len() * k];
            let mut col_sums = vec![0.0f64; strip_clusters * (n - partial_from)];
            with_avx2(StripSums::<M> {
                xt,
                xs,
                n,
                d,
                offsets,
                cluster,
                rows,
                cols_from,
                partial_from,
                row_sums: &mut row_sums,
                col_sums: &mut col_sums,
                metric: std::marker::PhantomData,
            });
            (row_sums, col_sums)
        },
        |c, (row_sums, col_sums)| {
            let rows = plan.range(c);
            for (r, p) in rows.clone().enumerate() {
                let own = cluster[p];
                let mine = &row_sums[r * k..(r + 1) * k];
                if symmetric {
                    for (c, (a, &v)) in acc.iter_mut().zip(mine).enumerate() {
                        *a = col_totals[c * n + p] + v;
                    }
                } else {
                    acc.copy_from_slice(mine);
                }
                // The row met itself among its cluster's columns: take that term back out
                // (0 for euclidean and manhattan; for cosine, 1 for a zero row).
                acc[own] -= column_single::<M>(&xs[p * d..(p + 1) * d], xt, n, p);
                out[order[p]] = coefficient(&acc, own, counts);
            }
            let w = n - rows.end;
            if symmetric && w > 0 {
                for (a, part) in (cluster[rows.start]..).zip(col_sums.chunks_exact(w)) {
                    for (t, &v) in col_totals[a * n + rows.end..(a + 1) * n].iter_mut().zip(part) {
                        *t += v;
                    }
                }
            }
        },
    )?;
    Ok(out)
}

/// Rows per strip of the silhouette pass: 16 groups of [`ROW_GROUP`]; small enough that the
/// strips of one batch balance the pool and their column sums stay small.
const STRIP_ROWS: usize = 64;

/// Rows run together through [`column_block`].
const ROW_GROUP: usize = 4;

/// Largest n·k for the symmetric silhouette pass: its column totals take n·k f64 (256 MiB).
const SYMMETRIC_BUDGET: usize = 1 << 25;

/// One strip's distance sums (see [`sorted_stream`]), run through [`with_avx2`]: its rows
/// (`rows`, sorted positions) against the columns from `cols_from` on. Out: `row_sums`
/// (rows × k), and for the columns from `partial_from` on, `col_sums` (one run of
/// `n − partial_from` values per cluster of the strip, from its first).
struct StripSums<'a, M> {
    xt: &'a [f64],
    xs: &'a [f64],
    n: usize,
    d: usize,
    offsets: &'a [usize],
    cluster: &'a [usize],
    rows: std::ops::Range<usize>,
    cols_from: usize,
    partial_from: usize,
    row_sums: &'a mut [f64],
    col_sums: &'a mut [f64],
    metric: std::marker::PhantomData<M>,
}

impl<M: ColumnDistance> Vectorize for StripSums<'_, M> {
    type Out = ();
    #[inline(always)]
    fn run(mut self) {
        let mut r0 = self.rows.start;
        while r0 < self.rows.end {
            if r0 + ROW_GROUP <= self.rows.end {
                self.group::<ROW_GROUP>(r0);
                r0 += ROW_GROUP;
            } else {
                self.group::<1>(r0);
                r0 += 1;
            }
        }
    }
}

impl<M: ColumnDistance> StripSums<'_, M> {
    /// Rows `r0..r0 + R` against the columns, cluster by cluster. Each (row, cluster) sum
    /// keeps [`COL_LANES`] lane totals, one per column position modulo 8, plus a tail,
    /// combined in a fixed order; each column sum adds the rows in order.
    #[inline(always)]
    fn group<const R: usize>(&mut self, r0: usize) {
        let (xt, xs, n, d) = (self.xt, self.xs, self.n, self.d);
        let k = self.offsets.len() - 1;
        let first = self.cluster[self.rows.start];
        let w = n - self.partial_from;
        let xr: [&[f64]; R] = std::array::from_fn(|r| &xs[(r0 + r) * d..(r0 + r + 1) * d]);
        let ca: [usize; R] = std::array::from_fn(|r| (self.cluster[r0 + r] - first) * w);
        let lr = r0 - self.rows.start;
        for b in self.cluster[self.cols_from]..k {
            let lo = self.offsets[b].max(self.cols_from);
            let hi = self.offsets[b + 1];
            // Columns of the strip itself give row sums only; later ones both.
            for (lo, hi, both) in [(lo, hi.min(self.partial_from), false), (lo.max(self.partial_from), hi, true)] {
                if lo >= hi {
                    continue;
                }
                let mut tot = [[0.0f64; COL_LANES]; R];
                let mut tail = [0.0f64; R];
                let mut j = lo;
                while j + COL_LANES <= hi {
                    let dist = column_block::<M, R>(&xr, xt, n, j);
                    for (t, dr) in tot.iter_mut().zip(&dist) {
                        for q in 0..COL_LANES {
                            t[q] += dr[q];
                        }
                    }
                    if both {
                        let at = j - self.partial_from;
                        for (&base, dr) in ca.iter().zip(&dist) {
                            let cs: &mut [f64; COL_LANES] =
                                (&mut self.col_sums[base + at..base + at + COL_LANES]).try_into().unwrap();
                            for q in 0..COL_LANES {
                                cs[q] += dr[q];
                            }
                        }
                    }
                    j += COL_LANES;
                }
                while j < hi {
                    for r in 0..R {
                        let v = column_single::<M>(xr[r], xt, n, j);
                        tail[r] += v;
                        if both {
                            self.col_sums[ca[r] + j - self.partial_from] += v;
                        }
                    }
                    j += 1;
                }
                for (r, t) in tot.iter().enumerate() {
                    self.row_sums[(lr + r) * k + b] +=
                        (((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))) + tail[r];
                }
            }
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
        // Four sums per cluster, by column position modulo 4, combined in a fixed order:
        // consecutive columns of one cluster then do not wait on each other's adds.
        let mut acc = vec![[0.0f64; 4]; k];
        let mut sums = vec![0.0f64; k];
        for (r, i) in rows.enumerate() {
            acc.fill([0.0; 4]);
            for (j, (&v, &l)) in x.row(i).iter().zip(labels).enumerate() {
                // The diagonal is left out (checked to be about 0 by the caller).
                acc[l as usize][j & 3] += if j == i { 0.0 } else { v.as_f64() };
            }
            for (t, a) in sums.iter_mut().zip(&acc) {
                *t = (a[0] + a[1]) + (a[2] + a[3]);
            }
            s[r] = coefficient(&sums, labels[i] as usize, counts);
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

    /// The silhouette from every pair, computed the textbook way (one distance at a time).
    fn brute(x: &[f64], d: usize, labels: &[i64], k: usize, metric: Metric) -> Vec<f64> {
        let n = labels.len();
        let unit: Vec<f64> =
            if metric == Metric::Cosine { unit_rows(MatRef::new("X", x, n, d).unwrap()) } else { x.to_vec() };
        let row = |i: usize| &unit[i * d..(i + 1) * d];
        let mut counts = vec![0usize; k];
        labels.iter().for_each(|&l| counts[l as usize] += 1);
        (0..n)
            .map(|i| {
                let mut sums = vec![0.0f64; k];
                for j in (0..n).filter(|&j| j != i) {
                    sums[labels[j] as usize] += match metric {
                        Metric::Euclidean => sq_dist(row(i), row(j)).sqrt(),
                        Metric::Manhattan => crate::distance::cityblock_dist(row(i), row(j)),
                        _ => (1.0 - dot(row(i), row(j))).clamp(0.0, 2.0),
                    };
                }
                coefficient(&sums, labels[i] as usize, &counts)
            })
            .collect()
    }

    #[test]
    fn symmetric_pass_agrees_with_every_pair_and_with_threads() {
        // Sizes off every multiple (strip 64, row group 4, 8 lanes), clusters of 1 and of
        // sizes straddling strips, an empty cluster code (3), labels in no particular order.
        for &(n, d, k) in &[(203, 3, 5), (131, 16, 7), (67, 1, 2), (5, 2, 3)] {
            let mut r = Rng::new(n as u64);
            let x: Vec<f64> = (0..n * d).map(|_| r.uniform() * 4.0 - 1.0).collect();
            let mut labels: Vec<i64> = (0..n).map(|i| ((i * 7 + i / 3) % k) as i64).collect();
            labels[0] = k as i64 - 1; // clusters of uneven size
            labels[n - 1] = 0;
            if k > 4 {
                labels.iter_mut().filter(|l| **l == 3).for_each(|l| *l = 4); // empty code 3
                labels[n / 2] = k as i64; // a cluster of one sample
            }
            let kk = if k > 4 { k + 1 } else { k };
            let mut counts = vec![0usize; kk];
            labels.iter().for_each(|&l| counts[l as usize] += 1);
            for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Cosine] {
                let want = brute(&x, d, &labels, kk, metric);
                let one = sil(&x, d, &labels, kk, metric, 1).unwrap();
                let two = sil(&x, d, &labels, kk, metric, 2).unwrap();
                assert_eq!(one, two, "{n} {d} {k} {metric:?}");
                for (a, b) in one.iter().zip(&want) {
                    assert!((a - b).abs() <= 1e-13 * b.abs().max(1e-2), "{n} {d} {k} {metric:?}: {a} {b}");
                }
                if k > 4 {
                    assert_eq!(one[n / 2], 0.0);
                }
                // The pass that computes every pair twice (for huge k) agrees too.
                let pool = parallel::pool(2).unwrap();
                let twice = match metric {
                    Metric::Euclidean => {
                        sorted_stream::<Euclid, f64>(&x, n, d, &labels, &counts, false, &pool, &Silent)
                    }
                    Metric::Manhattan => {
                        sorted_stream::<Manhattan, f64>(&x, n, d, &labels, &counts, false, &pool, &Silent)
                    }
                    _ => {
                        let unit = unit_rows(MatRef::new("X", &x, n, d).unwrap());
                        sorted_stream::<UnitCosine, f64>(&unit, n, d, &labels, &counts, false, &pool, &Silent)
                    }
                };
                for (a, b) in twice.unwrap().iter().zip(&want) {
                    assert!((a - b).abs() <= 1e-13 * b.abs().max(1e-2), "{n} {d} {k} {metric:?}: {a} {b}");
                }
            }
        }
    }

    #[test]
    fn equal_nearest_clusters_by_hand() {
        // 0, 2 | -5 | 5: from 0, clusters 1 and 2 are both at mean distance 5 (b = 5, a = 2);
        // from 2, cluster 2 at 3 is nearer than cluster 1 at 7 (b = 3, a = 2).
        let s = sil(&[0.0, 2.0, -5.0, 5.0], 1, &[0, 0, 1, 2], 3, Metric::Euclidean, 2).unwrap();
        assert_eq!(s, vec![3.0 / 5.0, 1.0 / 3.0, 0.0, 0.0]);
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
