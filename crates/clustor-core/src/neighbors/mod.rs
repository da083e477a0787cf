//! Neighbour search: radius-count, radius and k-nearest queries over a row-major f32/f64
//! buffer whose dimension is known at run time.
//!
//! [`NeighborIndex`] owns a copy of the rows (normalised for the cosine metric) arranged as a
//! KD-tree ([`kdtree`]) or a ball tree ([`balltree`]), or as a single leaf for the
//! brute-force scan, which the same traversal serves; `Algorithm::Auto` picks the KD-tree up
//! to [`AUTO_BRUTE_FEATURES`] features and the scan above (in many dimensions boxes prune
//! almost nothing). Queries take one point
//! (for sequential algorithms such as OPTICS) or a batch, run in parallel over the query
//! points with the chunk plan of [`crate::parallel`] (results do not depend on the thread
//! count).
//!
//! Distances are computed in f64 whatever the data type, feature by feature in order, and the
//! radius test is `distance <= radius` on the reduced form (`Σ (q − x)² <= r²` for euclidean,
//! as scikit-learn's trees do), so points on the boundary are found exactly. k-nearest ties
//! go to the lowest index.

pub mod balltree;
pub mod kdtree;

use std::ops::Range;

use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::parallel::{self, ChunkPlan};

pub use balltree::{BallTree, Balls};
pub use kdtree::{Bound, Boxes, CosineUnit, KdTree, Kernel, Manhattan, SqEuclidean, Tree, Visitor};

/// Distance between rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// `‖x − y‖₂`.
    Euclidean,
    /// `‖x − y‖₁`.
    Manhattan,
    /// `1 − x·y / (‖x‖‖y‖)`; a zero row has distance 1 to every other row (and 0 to itself).
    Cosine,
}

impl Metric {
    /// Parses `euclidean`/`l2`, `manhattan`/`l1`/`cityblock`, `cosine`.
    pub fn parse(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "euclidean" | "l2" => Ok(Self::Euclidean),
            "manhattan" | "l1" | "cityblock" => Ok(Self::Manhattan),
            "cosine" => Ok(Self::Cosine),
            _ => Err(ClustorError::InvalidParameter {
                name: "metric",
                reason: format!("unknown metric {name:?}; use 'euclidean', 'manhattan' or 'cosine'"),
            }),
        }
    }

    /// The reduced form of a distance (what the trees compare): `r²` for euclidean.
    #[inline]
    pub fn reduce(self, r: f64) -> f64 {
        match self {
            Self::Euclidean => r * r,
            _ => r,
        }
    }

    /// The distance of a reduced distance.
    #[inline]
    pub fn unreduce(self, rd: f64) -> f64 {
        match self {
            Self::Euclidean => rd.sqrt(),
            _ => rd,
        }
    }
}

/// How the index is organised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// KD-tree up to [`AUTO_BRUTE_FEATURES`] features, brute force above.
    Auto,
    /// KD-tree.
    KdTree,
    /// Ball tree (same results as the KD-tree; prunes better in many dimensions).
    BallTree,
    /// Blocked scan of all rows.
    Brute,
}

impl Algorithm {
    /// Parses `auto`, `kd_tree`, `ball_tree`, `brute`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "auto" => Ok(Self::Auto),
            "kd_tree" => Ok(Self::KdTree),
            "ball_tree" => Ok(Self::BallTree),
            "brute" => Ok(Self::Brute),
            _ => Err(ClustorError::InvalidParameter {
                name: "algorithm",
                reason: format!("unknown algorithm {name:?}; use 'auto', 'kd_tree', 'ball_tree' or 'brute'"),
            }),
        }
    }
}

/// Above this many features `Algorithm::Auto` scans instead of building a tree (the rule
/// scikit-learn uses).
pub const AUTO_BRUTE_FEATURES: usize = 15;

/// Rows per chunk of the parallel batch queries.
const QUERY_CHUNK_ROWS: usize = 256;

/// One neighbour of a query: its original row index and its distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbor {
    /// Row of the indexed data.
    pub index: usize,
    /// Distance (not reduced) to the query.
    pub distance: f64,
}

/// Neighbourhoods of a batch of queries in compressed rows: the neighbours of query `q` are
/// `indices[offsets[q]..offsets[q + 1]]` with `distances` alongside.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RadiusNeighbors {
    /// `n_queries + 1` offsets.
    pub offsets: Vec<usize>,
    /// Neighbour rows.
    pub indices: Vec<usize>,
    /// Neighbour distances.
    pub distances: Vec<f64>,
}

/// Calls `$body` with the kernel type `$k` of `$metric` in scope.
macro_rules! with_kernel {
    ($metric:expr, $k:ident => $body:expr) => {
        match $metric {
            Metric::Euclidean => {
                type $k = SqEuclidean;
                $body
            }
            Metric::Manhattan => {
                type $k = Manhattan;
                $body
            }
            Metric::Cosine => {
                type $k = CosineUnit;
                $body
            }
        }
    };
}

/// Visitor collecting positions and reduced distances, leaving out one position.
struct Collect<'a> {
    skip: usize,
    out: &'a mut Vec<(usize, f64)>,
}
impl Visitor for Collect<'_> {
    const NODES: bool = false;
    #[inline(always)]
    fn point(&mut self, pos: usize, rd: f64) -> bool {
        if pos != self.skip {
            self.out.push((pos, rd));
        }
        true
    }
}

/// Visitor counting points, leaving out one position.
struct Count {
    skip: usize,
    n: usize,
}
impl Visitor for Count {
    const NODES: bool = true;
    #[inline(always)]
    fn point(&mut self, pos: usize, _: f64) -> bool {
        self.n += (pos != self.skip) as usize;
        true
    }
    #[inline(always)]
    fn all(&mut self, r: Range<usize>) -> bool {
        self.n += r.len() - r.contains(&self.skip) as usize;
        true
    }
}

/// The tree of a [`NeighborIndex`] (the brute-force scan is a KD-tree with one leaf).
#[derive(Debug, Clone)]
pub enum SearchTree<T> {
    /// Nodes bounded by boxes.
    Kd(KdTree<T>),
    /// Nodes bounded by balls.
    Ball(BallTree<T>),
}

/// Evaluates `$body` with `$t` bound to the concrete tree of a [`SearchTree`].
macro_rules! with_tree {
    ($tree:expr, $t:ident => $body:expr) => {
        match $tree {
            $crate::neighbors::SearchTree::Kd($t) => $body,
            $crate::neighbors::SearchTree::Ball($t) => $body,
        }
    };
}
impl<T: Float> SearchTree<T> {
    fn build(x: &[T], n: usize, d: usize, leaf_size: usize, ball: bool) -> Self {
        if ball {
            Self::Ball(BallTree::build(x, n, d, leaf_size))
        } else {
            Self::Kd(KdTree::build(x, n, d, leaf_size))
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        with_tree!(self, t => t.len())
    }

    /// True when the tree holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of features.
    pub fn dim(&self) -> usize {
        with_tree!(self, t => t.dim())
    }

    /// Number of nodes (1 for the brute-force scan).
    pub fn n_nodes(&self) -> usize {
        with_tree!(self, t => t.n_nodes())
    }

    /// Original row of tree position `pos`.
    #[inline(always)]
    pub fn index(&self, pos: usize) -> usize {
        with_tree!(self, t => t.index(pos))
    }

    /// Tree position of original row `i`.
    #[inline(always)]
    pub fn position(&self, i: usize) -> usize {
        with_tree!(self, t => t.position(i))
    }

    /// Row at tree position `pos`.
    #[inline(always)]
    pub fn row(&self, pos: usize) -> &[T] {
        with_tree!(self, t => t.row(pos))
    }
}

/// A spatial index over the rows of a matrix, for one metric.
#[derive(Debug, Clone)]
pub struct NeighborIndex<T> {
    metric: Metric,
    algorithm: Algorithm,
    tree: SearchTree<T>,
}

impl<T: Float> NeighborIndex<T> {
    /// Indexes the rows of `x` (n×d; at least one row and one feature, finite values).
    /// `leaf_size >= 1` is the most rows a tree leaf holds.
    pub fn new(x: MatRef<'_, T>, metric: Metric, algorithm: Algorithm, leaf_size: usize) -> Result<Self> {
        let x = MatRef::new_finite("X", x.data(), x.rows(), x.cols())?;
        if leaf_size == 0 {
            return Err(ClustorError::InvalidParameter {
                name: "leaf_size",
                reason: "leaf_size=0 must be >= 1".into(),
            });
        }
        let (n, d) = (x.rows(), x.cols());
        // `Auto` never picks the ball tree: with the same median splits as the KD-tree its
        // balls pruned less than the boxes on every shape measured (DBSCAN on D1/D2-shaped
        // data and on blobs with 16 to 64 features, euclidean and cosine; k-nearest on
        // blobs), and on unstructured data with 16+ features the scan beat both trees.
        let algorithm = match algorithm {
            Algorithm::Auto if d > AUTO_BRUTE_FEATURES => Algorithm::Brute,
            Algorithm::Auto => Algorithm::KdTree,
            a => a,
        };
        let leaf = if algorithm == Algorithm::Brute { n.max(1) } else { leaf_size };
        let ball = algorithm == Algorithm::BallTree;
        let tree = if metric == Metric::Cosine {
            let mut unit = Vec::with_capacity(n * d);
            let mut buf = vec![0.0; d];
            for i in 0..n {
                normalize_into(x.row(i), &mut buf);
                unit.extend(buf.iter().map(|&v| T::of_f64(v)));
            }
            SearchTree::build(&unit, n, d, leaf, ball)
        } else {
            SearchTree::build(x.data(), n, d, leaf, ball)
        };
        Ok(Self { metric, algorithm, tree })
    }

    /// The metric.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// The organisation chosen (`KdTree`, `BallTree` or `Brute`; `Auto` resolved).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Number of indexed rows.
    pub fn n_samples(&self) -> usize {
        self.tree.len()
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.tree.dim()
    }

    /// The underlying tree (rows in tree order; normalised rows for cosine), for algorithms
    /// that traverse it directly with their own [`Visitor`].
    pub fn tree(&self) -> &SearchTree<T> {
        &self.tree
    }

    /// The query in the form the kernels take: f64, normalised for cosine.
    pub fn prepare(&self, q: &[T], out: &mut Vec<f64>) {
        assert_eq!(q.len(), self.n_features(), "query length must equal the number of features");
        out.clear();
        if self.metric == Metric::Cosine {
            out.resize(q.len(), 0.0);
            normalize_into(q, out);
        } else {
            out.extend(q.iter().map(|v| v.as_f64()));
        }
    }

    /// The stored row `i` prepared as a query (exactly the values the index holds).
    fn prepare_row(&self, i: usize, out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.tree.row(self.tree.position(i)).iter().map(|v| v.as_f64()));
    }

    fn within_prepared(&self, q: &[f64], radius: f64, skip: usize, out: &mut Vec<(usize, f64)>) {
        let r = self.metric.reduce(radius);
        let mut c = Collect { skip, out };
        with_kernel!(self.metric, K => with_tree!(&self.tree, t => { t.visit_within::<K, _>(q, r, &mut c); }));
    }

    fn count_prepared(&self, q: &[f64], radius: f64, skip: usize) -> usize {
        let r = self.metric.reduce(radius);
        let mut c = Count { skip, n: 0 };
        with_kernel!(self.metric, K => with_tree!(&self.tree, t => { t.visit_within::<K, _>(q, r, &mut c); }));
        c.n
    }

    fn nearest_prepared(&self, q: &[f64], k: usize, seed: Option<(usize, usize)>) -> Vec<(f64, usize)> {
        with_kernel!(self.metric, K => with_tree!(&self.tree, t => t.nearest::<K>(q, k, seed)))
    }

    fn to_neighbors(&self, found: &[(usize, f64)], out: &mut Vec<Neighbor>) {
        out.extend(
            found.iter().map(|&(p, rd)| Neighbor { index: self.tree.index(p), distance: self.metric.unreduce(rd) }),
        );
    }

    /// Appends the rows within `radius` of `q` (any point, `d` values) to `out`, in no
    /// particular order.
    pub fn within(&self, q: &[T], radius: f64, out: &mut Vec<Neighbor>) {
        let mut qb = Vec::new();
        self.prepare(q, &mut qb);
        let mut found = Vec::new();
        self.within_prepared(&qb, radius, usize::MAX, &mut found);
        self.to_neighbors(&found, out);
    }

    /// Appends the rows within `radius` of indexed row `i` to `out`, row `i` itself first
    /// (at distance 0), the others in no particular order.
    pub fn within_row(&self, i: usize, radius: f64, out: &mut Vec<Neighbor>) {
        let mut qb = Vec::new();
        self.prepare_row(i, &mut qb);
        let mut found = vec![(self.tree.position(i), 0.0)];
        self.within_prepared(&qb, radius, self.tree.position(i), &mut found);
        self.to_neighbors(&found, out);
    }

    /// Number of rows within `radius` of `q`.
    pub fn count_within(&self, q: &[T], radius: f64) -> usize {
        let mut qb = Vec::new();
        self.prepare(q, &mut qb);
        self.count_prepared(&qb, radius, usize::MAX)
    }

    /// Number of rows within `radius` of indexed row `i`, itself included.
    pub fn count_within_row(&self, i: usize, radius: f64) -> usize {
        let mut qb = Vec::new();
        self.prepare_row(i, &mut qb);
        1 + self.count_prepared(&qb, radius, self.tree.position(i))
    }

    /// Appends the `min(k, n)` rows nearest to `q` to `out`, sorted by distance, ties by
    /// lowest row index.
    pub fn nearest(&self, q: &[T], k: usize, out: &mut Vec<Neighbor>) {
        let mut qb = Vec::new();
        self.prepare(q, &mut qb);
        let found = self.nearest_prepared(&qb, k, None);
        out.extend(found.iter().map(|&(rd, i)| Neighbor { index: i, distance: self.metric.unreduce(rd) }));
    }

    /// Like [`NeighborIndex::nearest`] for indexed row `i`, which is its own first neighbour
    /// at distance 0 (as scikit-learn's `kneighbors(X)` with X given).
    pub fn nearest_row(&self, i: usize, k: usize, out: &mut Vec<Neighbor>) {
        let mut qb = Vec::new();
        self.prepare_row(i, &mut qb);
        let found = self.nearest_prepared(&qb, k, Some((self.tree.position(i), i)));
        out.extend(found.iter().map(|&(rd, i)| Neighbor { index: i, distance: self.metric.unreduce(rd) }));
    }

    fn check_queries(&self, queries: Option<MatRef<'_, T>>) -> Result<usize> {
        match queries {
            None => Ok(self.n_samples()),
            Some(q) => {
                let q = MatRef::new_finite("queries", q.data(), q.rows(), q.cols())?;
                if q.cols() != self.n_features() {
                    return Err(ClustorError::InvalidParameter {
                        name: "X",
                        reason: format!(
                            "X has {} features, but the index was built with {} features",
                            q.cols(),
                            self.n_features()
                        ),
                    });
                }
                Ok(q.rows())
            }
        }
    }

    fn check_radius(radius: f64) -> Result<()> {
        if radius.is_nan() || radius < 0.0 {
            return Err(ClustorError::InvalidParameter {
                name: "radius",
                reason: format!("radius={radius} must be a non-negative number"),
            });
        }
        Ok(())
    }

    /// Work per query row for the poll interval of the batch passes.
    fn work_per_row(&self) -> usize {
        if self.algorithm == Algorithm::Brute {
            self.n_samples() * self.n_features()
        } else {
            64 * self.n_features()
        }
    }

    /// Runs `f(query index, prepared query, own tree position or usize::MAX)` for every
    /// query in parallel chunks; results come back in query order.
    fn for_queries<R, F>(
        &self,
        queries: Option<MatRef<'_, T>>,
        n_threads: usize,
        mon: &dyn Monitor,
        f: F,
    ) -> Result<Vec<Vec<R>>>
    where
        R: Send,
        F: Fn(usize, &[f64], usize) -> R + Sync,
    {
        let nq = self.check_queries(queries)?;
        let pool = parallel::pool(n_threads)?;
        let plan = ChunkPlan::with_chunk_rows(nq, QUERY_CHUNK_ROWS);
        parallel::map_chunks_polled(&pool, plan, self.work_per_row(), mon, |rows| {
            let mut qb = Vec::with_capacity(self.n_features());
            rows.map(|i| match queries {
                Some(q) => {
                    self.prepare(q.row(i), &mut qb);
                    f(i, &qb, usize::MAX)
                }
                None => {
                    self.prepare_row(i, &mut qb);
                    f(i, &qb, self.tree.position(i))
                }
            })
            .collect()
        })
    }

    /// Number of rows within `radius` of every query (`None`: of every indexed row, itself
    /// included), in parallel.
    pub fn radius_counts(
        &self,
        queries: Option<MatRef<'_, T>>,
        radius: f64,
        n_threads: usize,
        mon: &dyn Monitor,
    ) -> Result<Vec<usize>> {
        Self::check_radius(radius)?;
        let parts = self.for_queries(queries, n_threads, mon, |_, q, skip| {
            (skip != usize::MAX) as usize + self.count_prepared(q, radius, skip)
        })?;
        Ok(parts.concat())
    }

    /// The rows within `radius` of every query (`None`: of every indexed row, itself
    /// included), in parallel; each neighbourhood sorted by distance (ties by index) when
    /// `sort`, else by row index.
    pub fn radius_neighbors(
        &self,
        queries: Option<MatRef<'_, T>>,
        radius: f64,
        sort: bool,
        n_threads: usize,
        mon: &dyn Monitor,
    ) -> Result<RadiusNeighbors> {
        Self::check_radius(radius)?;
        let parts = self.for_queries(queries, n_threads, mon, |_, q, skip| {
            let mut found = Vec::new();
            if skip != usize::MAX {
                found.push((skip, 0.0));
            }
            self.within_prepared(q, radius, skip, &mut found);
            let mut nb: Vec<(usize, f64)> =
                found.iter().map(|&(p, rd)| (self.tree.index(p), self.metric.unreduce(rd))).collect();
            if sort {
                nb.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            } else {
                nb.sort_unstable_by_key(|a| a.0);
            }
            nb
        })?;
        let mut out = RadiusNeighbors { offsets: vec![0], ..Default::default() };
        for nb in parts.into_iter().flatten() {
            out.indices.extend(nb.iter().map(|a| a.0));
            out.distances.extend(nb.iter().map(|a| a.1));
            out.offsets.push(out.indices.len());
        }
        Ok(out)
    }

    /// The `k` nearest rows of every query (`None`: of every indexed row, itself first),
    /// in parallel → (indices, distances), both `n_queries × k` row-major, sorted by
    /// distance, ties by lowest index. Requires `1 <= k <= n_samples`.
    pub fn kneighbors(
        &self,
        queries: Option<MatRef<'_, T>>,
        k: usize,
        n_threads: usize,
        mon: &dyn Monitor,
    ) -> Result<(Vec<usize>, Vec<f64>)> {
        if k == 0 || k > self.n_samples() {
            return Err(ClustorError::InvalidParameter {
                name: "n_neighbors",
                reason: format!("Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, n_samples_fit = {}; n_neighbors must be >= 1", self.n_samples()),
            });
        }
        let parts = self.for_queries(queries, n_threads, mon, |i, q, skip| {
            let seed = (skip != usize::MAX).then_some((skip, i));
            self.nearest_prepared(q, k, seed)
        })?;
        let nq = parts.iter().map(|p| p.len()).sum::<usize>();
        let mut idx = Vec::with_capacity(nq * k);
        let mut dist = Vec::with_capacity(nq * k);
        for found in parts.into_iter().flatten() {
            idx.extend(found.iter().map(|a| a.1));
            dist.extend(found.iter().map(|a| self.metric.unreduce(a.0)));
        }
        Ok((idx, dist))
    }
}

/// `x / ‖x‖` in f64 (a zero row stays zero), as scikit-learn's `normalize`; rows whose
/// squared norm overflows or underflows are scaled by their largest value first.
fn normalize_into<T: Float>(x: &[T], out: &mut [f64]) {
    let mut s = 0.0;
    for v in x {
        let v = v.as_f64();
        s += v * v;
    }
    let mut scale = 1.0;
    if !s.is_finite() || (s < f64::MIN_POSITIVE && s > 0.0) || (s == 0.0 && x.iter().any(|v| *v != T::zero())) {
        scale = x.iter().fold(0.0f64, |m, v| m.max(v.as_f64().abs()));
        s = x.iter().map(|v| (v.as_f64() / scale).powi(2)).sum();
    }
    let norm = s.sqrt();
    let norm = if norm == 0.0 { 1.0 } else { norm };
    for (o, v) in out.iter_mut().zip(x) {
        *o = v.as_f64() / scale / norm;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;
    use crate::rng::Rng;

    fn blobs(n: usize, d: usize, seed: u64) -> Vec<f64> {
        let mut r = Rng::new(seed);
        (0..n * d).map(|_| (r.below(9) as f64) * 0.5 + r.uniform() * 0.01).collect()
    }

    fn scan(x: &[f64], d: usize, q: &[f64], metric: Metric) -> Vec<(usize, f64)> {
        let norm = |v: &[f64]| {
            let mut o = vec![0.0; d];
            normalize_into(v, &mut o);
            o
        };
        x.chunks_exact(d)
            .enumerate()
            .map(|(j, xr)| {
                let dist = match metric {
                    Metric::Euclidean => SqEuclidean::rdist(q, xr).sqrt(),
                    Metric::Manhattan => Manhattan::rdist(q, xr),
                    Metric::Cosine => CosineUnit::rdist(&norm(q), &norm(xr)),
                };
                (j, dist)
            })
            .collect()
    }

    #[test]
    fn batch_queries_match_a_scan_for_every_metric_and_algorithm() {
        let (n, d) = (600, 3);
        let x = blobs(n, d, 5);
        let xm = MatRef::new("X", &x, n, d).unwrap();
        for metric in [Metric::Euclidean, Metric::Manhattan, Metric::Cosine] {
            let radius = if metric == Metric::Cosine { 0.01 } else { 0.8 };
            for alg in [Algorithm::KdTree, Algorithm::BallTree, Algorithm::Brute] {
                let idx = NeighborIndex::new(xm, metric, alg, 7).unwrap();
                let counts = idx.radius_counts(None, radius, 2, &Silent).unwrap();
                let nb = idx.radius_neighbors(None, radius, false, 1, &Silent).unwrap();
                let (ki, kd) = idx.kneighbors(None, 5, 2, &Silent).unwrap();
                for i in 0..n {
                    let mut all = scan(&x, d, &x[i * d..(i + 1) * d], metric);
                    all[i].1 = 0.0;
                    let want: Vec<usize> = all.iter().filter(|a| a.1 <= radius).map(|a| a.0).collect();
                    assert_eq!(counts[i], want.len(), "{metric:?} {alg:?} row {i}");
                    assert_eq!(&nb.indices[nb.offsets[i]..nb.offsets[i + 1]], &want[..]);
                    all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                    for j in 0..5 {
                        if metric != Metric::Cosine {
                            assert_eq!(ki[i * 5 + j], all[j].0, "{metric:?} {alg:?} row {i}");
                        }
                        assert!((kd[i * 5 + j] - all[j].1).abs() < 1e-6);
                    }
                }
            }
        }
    }

    #[test]
    fn single_queries_and_threads_agree() {
        let (n, d) = (400, 2);
        let x = blobs(n, d, 9);
        let xm = MatRef::new("X", &x, n, d).unwrap();
        let idx = NeighborIndex::new(xm, Metric::Euclidean, Algorithm::Auto, 10).unwrap();
        assert_eq!(idx.algorithm(), Algorithm::KdTree);
        let q = MatRef::new("q", &x[..20 * d], 20, d).unwrap();
        let a = idx.radius_neighbors(Some(q), 0.6, true, 1, &Silent).unwrap();
        let b = idx.radius_neighbors(Some(q), 0.6, true, 2, &Silent).unwrap();
        assert_eq!(a, b);
        for i in 0..20 {
            assert_eq!(idx.count_within(q.row(i), 0.6), a.offsets[i + 1] - a.offsets[i]);
            assert_eq!(idx.count_within_row(i, 0.6), a.offsets[i + 1] - a.offsets[i]);
            let mut nb = Vec::new();
            idx.nearest_row(i, 3, &mut nb);
            assert_eq!(nb[0], Neighbor { index: i, distance: 0.0 });
            let mut w = Vec::new();
            idx.within_row(i, 0.6, &mut w);
            assert_eq!(w[0].index, i);
            assert_eq!(w.len(), a.offsets[i + 1] - a.offsets[i]);
        }
    }

    #[test]
    fn f32_rows_are_measured_in_f64() {
        let x: Vec<f32> = vec![0.0, 0.0, 0.1, 0.0, 0.3, 0.0];
        let xm = MatRef::new("X", &x, 3, 2).unwrap();
        let idx = NeighborIndex::new(xm, Metric::Euclidean, Algorithm::KdTree, 1).unwrap();
        // 0.1f32 as f64 is 0.10000000149…, so a radius of 0.1 (f64) leaves it out.
        assert_eq!(idx.count_within(&[0.0, 0.0], 0.1), 1);
        assert_eq!(idx.count_within(&[0.0, 0.0], 0.1f32 as f64), 2);
    }

    #[test]
    fn huge_and_tiny_rows_normalise() {
        let mut out = [0.0; 2];
        normalize_into(&[3e300, 4e300], &mut out);
        assert!((out[0] - 0.6).abs() < 1e-15 && (out[1] - 0.8).abs() < 1e-15);
        normalize_into(&[3e-300, 4e-300], &mut out);
        assert!((out[0] - 0.6).abs() < 1e-15 && (out[1] - 0.8).abs() < 1e-15);
    }

    #[test]
    fn zero_rows_under_cosine() {
        let x = vec![0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0];
        let xm = MatRef::new("X", &x, 4, 2).unwrap();
        let idx = NeighborIndex::new(xm, Metric::Cosine, Algorithm::KdTree, 1).unwrap();
        // A zero row is its own neighbour only; the two rows along x coincide.
        assert_eq!(idx.radius_counts(None, 0.5, 1, &Silent).unwrap(), vec![1, 2, 1, 2]);
    }

    #[test]
    fn bad_input_is_an_error() {
        let x = vec![0.0, f64::NAN];
        assert!(
            NeighborIndex::new(MatRef::new("X", &x, 1, 2).unwrap(), Metric::Euclidean, Algorithm::Auto, 10).is_err()
        );
        let x = vec![0.0, 1.0];
        let idx =
            NeighborIndex::new(MatRef::new("X", &x, 1, 2).unwrap(), Metric::Euclidean, Algorithm::Auto, 10).unwrap();
        assert!(idx.radius_counts(None, -1.0, 1, &Silent).is_err());
        assert!(idx.kneighbors(None, 2, 1, &Silent).is_err());
        assert!(Metric::parse("minkowski").is_err());
        assert!(NeighborIndex::new(MatRef::new("X", &x, 1, 2).unwrap(), Metric::Euclidean, Algorithm::Auto, 0).is_err());
    }
}
