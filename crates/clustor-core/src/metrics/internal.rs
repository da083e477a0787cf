//! Internal validation metrics: the silhouette coefficient of every sample.
//!
//! The silhouette needs, for each sample, the sum of its distances to every cluster. The
//! rows are streamed in chunks and each row's per-cluster sums are accumulated in f64 over
//! all samples, so memory stays O(n·d + chunk·k) instead of the n×n distance matrix. Every
//! row's sums are computed by one thread in a fixed sample order, so the result does not
//! depend on the number of threads.

use crate::distance::{dot, sq_dist};
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
    /// `x` is the n×n matrix of distances itself.
    Precomputed,
}

/// Rows per chunk. Each row costs a pass over all n samples, so even small chunks amortise
/// the bookkeeping, and small chunks balance the pool.
const CHUNK_ROWS: usize = 32;

/// Samples per column block: a chunk's rows meet one block of samples at a time, so the
/// block stays in cache while every row of the chunk is run against it.
const COL_BLOCK: usize = 256;

/// Distance terms (pairs × features) per batch between two polls of the monitor: well under
/// a second of work on one core, so Ctrl-C is felt quickly.
const BATCH_WORK: usize = 1 << 28;

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
    if labels.len() != n {
        return Err(ClustorError::ShapeMismatch {
            name: "labels",
            got: labels.len(),
            expected: n,
            shape: format!("({n},)"),
        });
    }
    if metric == Metric::Precomputed && x.cols() != n {
        return Err(ClustorError::InvalidParameter {
            name: "X",
            reason: format!("a precomputed distance matrix must be square, got shape ({n}, {})", x.cols()),
        });
    }
    if !(2..n).contains(&n_clusters) {
        return Err(ClustorError::InvalidParameter {
            name: "labels",
            reason: format!("Number of labels is {n_clusters}. Valid values are 2 to n_samples - 1 (inclusive)"),
        });
    }
    let mut counts = vec![0usize; n_clusters];
    let mut lab = Vec::with_capacity(n);
    for &l in labels {
        let c = usize::try_from(l).ok().filter(|&c| c < n_clusters).ok_or_else(|| ClustorError::InvalidParameter {
            name: "labels",
            reason: format!("label {l} is outside 0..{n_clusters}"),
        })?;
        counts[c] += 1;
        lab.push(c);
    }
    let pool = parallel::pool(n_threads)?;
    // One monomorphised stream per metric, so that the distance inlines into the inner loop.
    match metric {
        Metric::Euclidean => {
            stream(n, x.cols(), &lab, &counts, |i, j| sq_dist(x.row(i), x.row(j)).sqrt().as_f64(), &pool, mon)
        }
        Metric::Precomputed => stream(n, 1, &lab, &counts, |i, j| x.row(i)[j].as_f64(), &pool, mon),
        Metric::Cosine => {
            let unit = unit_rows(x);
            let d = x.cols();
            let two = T::one() + T::one();
            let dist = |i: usize, j: usize| {
                let s = dot(&unit[i * d..(i + 1) * d], &unit[j * d..(j + 1) * d]);
                (T::one() - s).max(T::zero()).min(two).as_f64()
            };
            stream(n, x.cols(), &lab, &counts, dist, &pool, mon)
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

/// Streams over the rows in batches of chunks: per-cluster distance sums of each row, then
/// its coefficient. Each row is independent of the others, so the batching (which follows
/// the thread count) cannot change the result.
fn stream<D: Fn(usize, usize) -> f64 + Sync>(
    n: usize,
    d: usize,
    lab: &[usize],
    counts: &[usize],
    dist: D,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Vec<f64>> {
    let k = counts.len();
    // The monitor is polled on the calling thread between batches (Python only delivers
    // Ctrl-C to its main thread): a batch holds about BATCH_WORK distance terms, and at
    // least a few chunks per worker to keep them all busy.
    let by_work = BATCH_WORK / n.saturating_mul(d.max(1)).max(1);
    let batch = by_work.max(4 * pool.current_num_threads() * CHUNK_ROWS).next_multiple_of(CHUNK_ROWS);
    let mut out = vec![0.0f64; n];
    for (b, out_b) in out.chunks_mut(batch).enumerate() {
        mon.check()?;
        let first = b * batch;
        let plan = ChunkPlan::with_chunk_rows(out_b.len(), CHUNK_ROWS);
        parallel::map_chunks_mut(pool, plan, out_b, 1, |local, s| {
            let rows = first + local.start..first + local.end;
            let mut sums = vec![0.0f64; rows.len() * k];
            let mut start = 0;
            while start < n {
                let end = (start + COL_BLOCK).min(n);
                for (r, i) in rows.clone().enumerate() {
                    let acc = &mut sums[r * k..(r + 1) * k];
                    for j in start..end {
                        // The self-distance is left out (it is 0 by definition; a precomputed
                        // diagonal is checked to be 0 by the caller).
                        if j != i {
                            acc[lab[j]] += dist(i, j);
                        }
                    }
                }
                start = end;
            }
            for (r, i) in rows.enumerate() {
                s[r] = coefficient(&sums[r * k..(r + 1) * k], lab[i], counts);
            }
        });
    }
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
        assert_eq!(sil(&dm, n, &labels, k, Metric::Precomputed, 2).unwrap(), one);
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

    #[test]
    fn monitor_stops_between_batches() {
        struct Stop;
        impl Monitor for Stop {
            fn check(&self) -> Result<()> {
                Err(ClustorError::Interrupted)
            }
        }
        let x = [0.0, 1.0, 2.0, 3.0];
        let m = MatRef::new("X", &x, 4, 1).unwrap();
        assert_eq!(
            silhouette_samples(m, &[0, 0, 1, 1], 2, Metric::Euclidean, 1, &Stop),
            Err(ClustorError::Interrupted)
        );
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
    }
}
