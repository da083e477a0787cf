//! Hierarchical (agglomerative) clustering with SciPy's output.
//!
//! [`linkage`] takes observations, [`linkage_condensed`] a condensed distance vector; both
//! return SciPy's `(n−1)×4` linkage matrix (row-major, f64): the two merged cluster ids
//! (smaller first; leaves are `0..n`, the cluster made by row `k` is `n + k`), the merge
//! distance and the size of the new cluster.
//!
//! Algorithms (Müllner 2011), each the one SciPy uses for the method so that the merges come
//! out in the same order:
//! - single: Prim's minimum spanning tree ([`mst`]), on observations without a matrix;
//! - complete, average, weighted, ward: the nearest-neighbour chain ([`nn_chain`]);
//!   ward on Euclidean observations also without a matrix (centroids and sizes only);
//! - centroid, median: the generic algorithm with a heap of nearest-neighbour candidates
//!   ([`generic`]), on Euclidean observations also without a matrix.
//!
//! Everything is computed in f64 (f32 input is widened once), as SciPy does, so that the
//! distances agree with SciPy's to rounding.

pub mod generic;
pub mod mst;
pub mod nn_chain;

use rayon::prelude::*;

use crate::distance::{chebyshev_dist, cityblock_dist, cosine_dist, dot, sq_dist};
use crate::error::{try_vec_huge, ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::parallel;

/// How the distance between two clusters is defined (SciPy's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Closest pair.
    Single,
    /// Farthest pair.
    Complete,
    /// Mean over all pairs (UPGMA).
    Average,
    /// Mean of the two merged clusters' distances (WPGMA).
    Weighted,
    /// Increase of the within-cluster variance (Ward), reported as SciPy does.
    Ward,
    /// Distance between centroids (UPGMC).
    Centroid,
    /// Distance between midpoints of the merged clusters (WPGMC).
    Median,
}

impl Method {
    /// Parses SciPy's method name.
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "single" => Self::Single,
            "complete" => Self::Complete,
            "average" => Self::Average,
            "weighted" => Self::Weighted,
            "ward" => Self::Ward,
            "centroid" => Self::Centroid,
            "median" => Self::Median,
            other => {
                return Err(ClustorError::InvalidParameter {
                    name: "method",
                    reason: format!(
                        "unknown method {other:?}; use 'single', 'complete', 'average', 'weighted', \
                         'ward', 'centroid' or 'median'"
                    ),
                })
            }
        })
    }

    /// Lance–Williams update: distance from cluster `i` to the union of `x` and `y`, given
    /// `d(x,i)`, `d(y,i)`, `d(x,y)` and the sizes (SciPy's formulas, operation for operation).
    #[inline(always)]
    pub fn update(self, d_xi: f64, d_yi: f64, d_xy: f64, nx: f64, ny: f64, ni: f64) -> f64 {
        match self {
            Self::Single => d_xi.min(d_yi),
            Self::Complete => d_xi.max(d_yi),
            Self::Average => (nx * d_xi + ny * d_yi) / (nx + ny),
            Self::Weighted => 0.5 * (d_xi + d_yi),
            Self::Ward => {
                let t = 1.0 / (nx + ny + ni);
                ((ni + nx) * t * d_xi * d_xi + (ni + ny) * t * d_yi * d_yi - ni * t * d_xy * d_xy).sqrt()
            }
            Self::Centroid => {
                ((((nx * d_xi * d_xi) + (ny * d_yi * d_yi)) - (nx * ny * d_xy * d_xy) / (nx + ny)) / (nx + ny)).sqrt()
            }
            Self::Median => (0.5 * (d_xi * d_xi + d_yi * d_yi) - 0.25 * d_xy * d_xy).sqrt(),
        }
    }
}

/// Distance between observations (SciPy's `metric` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// `‖a − b‖₂`.
    Euclidean,
    /// `‖a − b‖₂²`.
    SqEuclidean,
    /// `1 − ⟨a,b⟩/(‖a‖‖b‖)`; a zero vector is at distance 1 from everything.
    Cosine,
    /// `‖a − b‖₁` (also called manhattan).
    Cityblock,
    /// `‖a − b‖∞`.
    Chebyshev,
}

impl Metric {
    /// Parses a metric name (`manhattan`/`l1` and `l2` are accepted aliases).
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "euclidean" | "l2" => Self::Euclidean,
            "sqeuclidean" => Self::SqEuclidean,
            "cosine" => Self::Cosine,
            "cityblock" | "manhattan" | "l1" => Self::Cityblock,
            "chebyshev" => Self::Chebyshev,
            other => {
                return Err(ClustorError::InvalidParameter {
                    name: "metric",
                    reason: format!(
                        "unknown metric {other:?}; use 'euclidean', 'sqeuclidean', 'cosine', \
                         'cityblock' (or 'manhattan') or 'chebyshev'"
                    ),
                })
            }
        })
    }
}

/// Observations widened to f64 with what the metric needs precomputed.
pub(crate) struct Points {
    pub(crate) x: Vec<f64>,
    pub(crate) d: usize,
    pub(crate) n: usize,
    metric: Metric,
    sq_norms: Vec<f64>,
}

impl Points {
    pub(crate) fn new<T: Float>(x: MatRef<'_, T>, metric: Metric) -> Self {
        let xs: Vec<f64> = x.data().iter().map(|v| v.as_f64()).collect();
        let (n, d) = (x.rows(), x.cols());
        let sq_norms = if metric == Metric::Cosine {
            (0..n).map(|i| dot(&xs[i * d..][..d], &xs[i * d..][..d])).collect()
        } else {
            Vec::new()
        };
        Self { x: xs, d, n, metric, sq_norms }
    }

    #[inline(always)]
    pub(crate) fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// Distance between observations `i` and `j`.
    #[inline(always)]
    pub(crate) fn dist(&self, i: usize, j: usize) -> f64 {
        let (a, b) = (self.row(i), self.row(j));
        match self.metric {
            Metric::Euclidean => sq_dist(a, b).sqrt(),
            Metric::SqEuclidean => sq_dist(a, b),
            Metric::Cosine => cosine_dist(a, b, self.sq_norms[i], self.sq_norms[j]),
            Metric::Cityblock => cityblock_dist(a, b),
            Metric::Chebyshev => chebyshev_dist(a, b),
        }
    }
}

/// Index of the pair `i < j` in a condensed distance vector of `n` points.
#[inline(always)]
pub fn condensed_index(n: usize, i: usize, j: usize) -> usize {
    let (i, j) = if i < j { (i, j) } else { (j, i) };
    n * i - i * (i + 1) / 2 + (j - i - 1)
}

/// Bytes of the condensed distance vector of `n` points (saturating).
pub fn condensed_bytes(n: usize) -> usize {
    (n.saturating_mul(n.saturating_sub(1)) / 2).saturating_mul(8)
}

/// The advice given when a condensed matrix does not fit.
pub const MATRIX_ADVICE: &str = "use method='single' (any metric), or method='ward', 'centroid' or \
    'median' with metric='euclidean' on observations: these never build the n(n-1)/2 distance matrix";

/// Condensed pairwise distances of the rows of `x` (out: n(n−1)/2, f64), rows in parallel.
pub fn pdist<T: Float>(x: MatRef<'_, T>, metric: Metric, n_threads: usize, mon: &dyn Monitor) -> Result<Vec<f64>> {
    let pts = Points::new(x, metric);
    pdist_points(&pts, n_threads, mon)
}

pub(crate) fn pdist_points(pts: &Points, n_threads: usize, mon: &dyn Monitor) -> Result<Vec<f64>> {
    let n = pts.n;
    let len = n * n.saturating_sub(1) / 2;
    let mut out = try_vec_huge(len, 0.0f64, "the condensed distance matrix", MATRIX_ADVICE)?;
    let pool = parallel::pool(n_threads)?;
    // Row i owns out[ci(i, i+1) .. ci(i, i+1) + n-i-1]; cut the vector into row slices.
    let mut rows: Vec<(usize, &mut [f64])> = Vec::with_capacity(n);
    let mut rest: &mut [f64] = &mut out;
    for i in 0..n.saturating_sub(1) {
        let (head, tail) = rest.split_at_mut(n - i - 1);
        rows.push((i, head));
        rest = tail;
    }
    // Batches of rows of about equal work, polled between batches.
    let per_batch = 1usize << 22;
    let mut start = 0;
    while start < rows.len() {
        let mut work = 0usize;
        let mut end = start;
        while end < rows.len() && work < per_batch {
            work += (n - rows[end].0) * pts.d.max(1);
            end += 1;
        }
        pool.install(|| {
            rows[start..end].par_iter_mut().for_each(|(i, row)| {
                let i = *i;
                for (k, v) in row.iter_mut().enumerate() {
                    *v = pts.dist(i, i + 1 + k);
                }
            })
        });
        mon.check()?;
        start = end;
    }
    Ok(out)
}

/// One merge as the algorithms produce it: two representatives (leaf indices that stand for
/// the clusters at that moment) and the distance.
pub(crate) type Merge = (usize, usize, f64);

/// SciPy's `label`: (optionally) sorts the merges by distance, stably, then names the clusters
/// with a union-find in merge order (smaller id first) and counts their sizes. Out: (n−1)×4.
pub(crate) fn label(merges: Vec<Merge>, n: usize, sort: bool) -> Vec<f64> {
    label_pairs(merges, n, sort, true)
}

/// [`label`], with the ids of each merge in the order of the merge's representatives
/// (`min_first = false`: scikit-learn's single linkage) or smaller first (SciPy).
pub(crate) fn label_pairs(mut merges: Vec<Merge>, n: usize, sort: bool, min_first: bool) -> Vec<f64> {
    if sort {
        // NaN last, as NumPy's argsort.
        merges.sort_by(|a, b| a.2.partial_cmp(&b.2).unwrap_or_else(|| a.2.is_nan().cmp(&b.2.is_nan())));
    }
    let mut parent: Vec<usize> = (0..2 * n.max(1) - 1).collect();
    let mut size = vec![1usize; 2 * n.max(1) - 1];
    let find = |parent: &mut Vec<usize>, mut x: usize| {
        let mut root = x;
        while parent[root] != root {
            root = parent[root];
        }
        while parent[x] != root {
            let next = parent[x];
            parent[x] = root;
            x = next;
        }
        root
    };
    let mut z = Vec::with_capacity(merges.len() * 4);
    for (k, &(x, y, dist)) in merges.iter().enumerate() {
        let (rx, ry) = (find(&mut parent, x), find(&mut parent, y));
        let (a, b) = if rx < ry || !min_first { (rx, ry) } else { (ry, rx) };
        let new = n + k;
        parent[a] = new;
        parent[b] = new;
        size[new] = size[a] + size[b];
        z.extend_from_slice(&[a as f64, b as f64, dist, size[new] as f64]);
    }
    z
}

/// Linkage matrix of the observations `x` (n×d) under `method` and `metric` (out: (n−1)×4).
///
/// Single linkage (any metric), and ward, centroid and median with the Euclidean metric,
/// work from the observations in O(n·d) memory; the other combinations build the condensed
/// distance matrix (n(n−1)/2 f64), failing with [`ClustorError::OutOfMemory`] if it cannot
/// be allocated.
pub fn linkage<T: Float>(
    x: MatRef<'_, T>,
    method: Method,
    metric: Metric,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Vec<f64>> {
    linkage_opts(x, method, metric, true, n_threads, mon)
}

/// [`linkage`]; with `min_first = false`, single linkage names each merge's clusters in the
/// order (tree side, joining point) of Prim's edge, as scikit-learn's `AgglomerativeClustering`
/// does (its `children_`), instead of SciPy's smaller-id-first.
pub fn linkage_opts<T: Float>(
    x: MatRef<'_, T>,
    method: Method,
    metric: Metric,
    min_first: bool,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Vec<f64>> {
    let x = MatRef::new_finite("X", x.data(), x.rows(), x.cols())?;
    let n = x.rows();
    if n < 2 {
        return Err(too_few(n));
    }
    let pts = Points::new(x, metric);
    match (method, metric) {
        (Method::Single, _) => Ok(label_pairs(mst::prim_points(&pts, n_threads, mon)?, n, true, min_first)),
        (Method::Ward, Metric::Euclidean) => Ok(label(nn_chain::ward_points(&pts, n_threads, mon)?, n, true)),
        (Method::Centroid | Method::Median, Metric::Euclidean) => {
            Ok(label(generic::centroid_points(&pts, method, n_threads, mon)?, n, false))
        }
        _ => {
            let mut d = pdist_points(&pts, n_threads, mon)?;
            drop(pts);
            linkage_condensed_owned(&mut d, n, method, mon)
        }
    }
}

/// Linkage matrix of a condensed distance vector `d` of `n` points (out: (n−1)×4).
/// `d` is used as working memory (its values are overwritten).
pub fn linkage_condensed_owned(d: &mut [f64], n: usize, method: Method, mon: &dyn Monitor) -> Result<Vec<f64>> {
    check_condensed(d, n)?;
    if n < 2 {
        return Err(too_few(n));
    }
    Ok(match method {
        Method::Single => label(mst::prim_condensed(d, n, mon)?, n, true),
        Method::Complete | Method::Average | Method::Weighted | Method::Ward => {
            label(nn_chain::nn_chain_condensed(d, n, method, mon)?, n, true)
        }
        Method::Centroid | Method::Median => label(generic::generic_condensed(d, n, method, mon)?, n, false),
    })
}

/// Like [`linkage_condensed_owned`] for a borrowed vector (copied once, as SciPy does).
pub fn linkage_condensed<T: Float>(d: &[T], n: usize, method: Method, mon: &dyn Monitor) -> Result<Vec<f64>> {
    let mut work = try_vec_huge(d.len(), 0.0f64, "a copy of the condensed distance matrix", MATRIX_ADVICE)?;
    for (w, v) in work.iter_mut().zip(d) {
        *w = v.as_f64();
    }
    linkage_condensed_owned(&mut work, n, method, mon)
}

fn check_condensed(d: &[f64], n: usize) -> Result<()> {
    if d.len() != n * n.saturating_sub(1) / 2 {
        return Err(ClustorError::ShapeMismatch {
            name: "y",
            got: d.len(),
            expected: n * n.saturating_sub(1) / 2,
            shape: format!("n(n-1)/2 for n={n}"),
        });
    }
    if !d.iter().all(|v| v.is_finite()) {
        return Err(ClustorError::NotFinite("y"));
    }
    Ok(())
}

fn too_few(n: usize) -> ClustorError {
    ClustorError::InvalidParameter { name: "X", reason: format!("linkage needs at least 2 observations, got {n}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;
    use crate::rng::Rng;

    fn random(n: usize, d: usize, seed: u64) -> Vec<f64> {
        let mut r = Rng::new(seed);
        (0..n * d).map(|_| r.uniform() * 10.0).collect()
    }

    #[test]
    fn by_hand_single_and_complete() {
        // Points on a line: 0, 1, 3, 7.
        let x = [0.0, 1.0, 3.0, 7.0];
        let m = MatRef::new("x", &x, 4, 1).unwrap();
        let z = linkage(m, Method::Single, Metric::Euclidean, 1, &Silent).unwrap();
        assert_eq!(z, vec![0.0, 1.0, 1.0, 2.0, 2.0, 4.0, 2.0, 3.0, 3.0, 5.0, 4.0, 4.0]);
        let z = linkage(m, Method::Complete, Metric::Euclidean, 1, &Silent).unwrap();
        assert_eq!(z, vec![0.0, 1.0, 1.0, 2.0, 2.0, 4.0, 3.0, 3.0, 3.0, 5.0, 7.0, 4.0]);
        let z = linkage(m, Method::Average, Metric::Euclidean, 1, &Silent).unwrap();
        assert_eq!(z[6], 2.5);
        assert_eq!(z[10], (7.0 + 6.0 + 4.0) / 3.0);
    }

    #[test]
    fn observation_routes_match_matrix_routes() {
        let (n, d) = (60, 3);
        let x = random(n, d, 7);
        let m = MatRef::new("x", &x, n, d).unwrap();
        for method in [Method::Single, Method::Ward, Method::Centroid, Method::Median] {
            let a = linkage(m, method, Metric::Euclidean, 2, &Silent).unwrap();
            let mut dm = pdist(m, Metric::Euclidean, 1, &Silent).unwrap();
            let b = linkage_condensed_owned(&mut dm, n, method, &Silent).unwrap();
            for r in 0..n - 1 {
                assert_eq!(a[4 * r], b[4 * r], "{method:?} row {r}");
                assert_eq!(a[4 * r + 1], b[4 * r + 1], "{method:?} row {r}");
                assert!((a[4 * r + 2] - b[4 * r + 2]).abs() <= 1e-10 * b[4 * r + 2].abs(), "{method:?}");
                assert_eq!(a[4 * r + 3], b[4 * r + 3]);
            }
        }
    }

    /// Naive O(n³) agglomeration: merge the globally closest live pair (the merged cluster
    /// takes the larger position), update by Lance–Williams.
    fn naive(d0: &[f64], n: usize, method: Method) -> Vec<f64> {
        let mut d = vec![f64::INFINITY; n * n];
        for i in 0..n {
            for j in i + 1..n {
                d[i * n + j] = d0[condensed_index(n, i, j)];
                d[j * n + i] = d[i * n + j];
            }
        }
        let mut size = vec![1.0; n];
        let mut live = vec![true; n];
        let mut merges = Vec::new();
        for _ in 0..n - 1 {
            let mut best = (f64::INFINITY, 0, 0);
            for i in (0..n).filter(|&i| live[i]) {
                for j in (i + 1..n).filter(|&j| live[j]) {
                    if d[i * n + j] < best.0 {
                        best = (d[i * n + j], i, j);
                    }
                }
            }
            let (dxy, x, y) = best;
            let (nx, ny) = (size[x], size[y]);
            live[x] = false;
            for i in (0..n).filter(|&i| live[i] && i != y) {
                let v = method.update(d[i * n + x], d[i * n + y], dxy, nx, ny, size[i]);
                d[i * n + y] = v;
                d[y * n + i] = v;
            }
            size[y] = nx + ny;
            merges.push((x, y, dxy));
        }
        label(merges, n, false)
    }

    #[test]
    fn nn_chain_matches_naive_agglomeration() {
        // Small and larger n: the chain's column loops and their prefetches cross the first
        // row (base −1), the last row, and stretches shorter than the prefetch distance.
        for (n, seed) in [(2, 1), (3, 2), (5, 3), (40, 4), (301, 5)] {
            let x = random(n, 3, seed);
            let m = MatRef::new("x", &x, n, 3).unwrap();
            let d0 = pdist(m, Metric::Euclidean, 1, &Silent).unwrap();
            for method in [Method::Complete, Method::Average, Method::Weighted, Method::Ward] {
                let want = naive(&d0, n, method);
                let got = linkage_condensed(&d0, n, method, &Silent).unwrap();
                for r in 0..n - 1 {
                    let (a, b) = (&got[4 * r..4 * r + 4], &want[4 * r..4 * r + 4]);
                    assert_eq!((a[0], a[1], a[3]), (b[0], b[1], b[3]), "{method:?} n={n} row {r}");
                    assert!((a[2] - b[2]).abs() <= 1e-12 * b[2], "{method:?} n={n} row {r}: {a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn threads_do_not_change_results() {
        let (n, d) = (3000, 2);
        let x = random(n, d, 3);
        let m = MatRef::new("x", &x, n, d).unwrap();
        for method in [Method::Single, Method::Ward] {
            let a = linkage(m, method, Metric::Euclidean, 1, &Silent).unwrap();
            let b = linkage(m, method, Metric::Euclidean, 2, &Silent).unwrap();
            assert_eq!(a, b);
        }
    }

    #[test]
    fn rejects_bad_input() {
        let x = [0.0, f64::NAN];
        assert!(linkage(MatRef::new("x", &x, 2, 1).unwrap(), Method::Single, Metric::Euclidean, 1, &Silent).is_err());
        let x = [0.0];
        assert!(linkage(MatRef::new("x", &x, 1, 1).unwrap(), Method::Single, Metric::Euclidean, 1, &Silent).is_err());
        assert!(linkage_condensed(&[1.0, 2.0], 3, Method::Average, &Silent).is_err());
    }
}
