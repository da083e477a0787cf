//! OPTICS: the cluster ordering with reachability and core distances, and the ξ-steep
//! cluster extraction, reproducing scikit-learn's `compute_optics_graph` and
//! `cluster_optics_xi` value for value.
//!
//! What "the same as scikit-learn" takes:
//! - core distance = distance to the `min_samples`-th nearest neighbour, the point itself
//!   counting as the first; set to +∞ above `max_eps`;
//! - every core and reachability distance rounded like `np.around(v, 15)`
//!   (`rint(v·1e15) / 1e15`, see [`round15`]), which turns near-ties into exact ties;
//! - a point's reachability only ever improves strictly (`<`), so on a tie the earlier
//!   predecessor stays;
//! - the next point is the unprocessed one with the smallest reachability, the smallest
//!   index among equals, +∞ included (a new seed is the lowest unprocessed index).
//!
//! scikit-learn finds the next point by a linear argmin per step in Python. Here the ordering
//! loop runs in one of two ways with that same choice:
//! - dense (`max_eps` infinite or brute force): the unprocessed points are kept compacted
//!   (rows, reachability, predecessor side by side) and one pass per step both updates them
//!   from the new point and finds the next one, as the lexicographic minimum of
//!   (reachability, index) — parallel over fixed chunks, reduced in chunk order;
//! - indexed (finite `max_eps`): each core point's `max_eps`-neighbourhood comes from a
//!   radius query, improved points go into a binary heap keyed by (reachability, index),
//!   stale entries are skipped when popped, and an empty heap falls back to the lowest
//!   unprocessed index.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::distance::{dot_ddot, dot_gemm, dot_gemv, GemvColumn};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::neighbors::{self, Algorithm, NeighborIndex};
use crate::parallel::{self, ChunkPlan};

/// Distance used by OPTICS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// `√Σ(x−y)²` (scikit-learn's 'euclidean', 'l2', and 'minkowski' with p = 2).
    Euclidean,
    /// `Σ|x−y|` ('manhattan', 'cityblock', 'l1', 'minkowski' with p = 1).
    Manhattan,
    /// `max|x−y|` ('chebyshev', 'minkowski' with p = ∞).
    Chebyshev,
    /// `(Σ|x−y|^p)^(1/p)` for a finite p ≥ 1.
    Minkowski(f64),
    /// `1 − ⟨x, y⟩ / (‖x‖‖y‖)` clipped to [0, 2]; a zero row is at distance 1 from every
    /// other row (scikit-learn's convention: it normalises rows, leaving zero rows zero).
    Cosine,
    /// scikit-learn's 'euclidean' to the last bit: `√max(‖x‖² − 2x·y + ‖y‖², 0)` with the
    /// dot products of its BLAS ([`crate::distance::dot_gemv`] and friends) and the squared
    /// row norms NumPy's `einsum` gives (passed to [`compute_graph_with_norms`]).
    EuclideanBlas,
    /// scikit-learn's 'cosine' to the last bit: `clip(1 − x̂·ŷ, 0, 2)` with its BLAS dot
    /// products, on rows the caller has normalised as scikit-learn's `normalize` does.
    CosineBlas,
}

impl Metric {
    fn check(self) -> Result<Self> {
        match self {
            Metric::Minkowski(p) if !(p >= 1.0) || p.is_nan() => {
                Err(ClustorError::InvalidParameter { name: "p", reason: format!("p={p} must be >= 1") })
            }
            Metric::Minkowski(p) => Ok(if p == 1.0 {
                Metric::Manhattan
            } else if p == 2.0 {
                Metric::Euclidean
            } else if p.is_infinite() {
                Metric::Chebyshev
            } else {
                Metric::Minkowski(p)
            }),
            m => Ok(m),
        }
    }
}

/// A distance between two rows of f64 in a reduced form (monotonic in the distance, as
/// scikit-learn's trees compare it: `Σ(x−y)²` for euclidean, `Σ|x−y|^p` for minkowski),
/// features summed in order (as scikit-learn's trees and SciPy's `cdist` do, so that values
/// agree to the last bit in low dimensions).
trait RowDistance: Sync {
    fn rdist(&self, a: &[f64], b: &[f64]) -> f64;
    /// The distance of a reduced distance.
    fn unreduce(&self, rd: f64) -> f64 {
        rd
    }
    /// The reduced form of a distance.
    fn reduce(&self, r: f64) -> f64 {
        r
    }
    /// A distance from the neighbour index brought into this metric's range.
    fn clip(&self, v: f64) -> f64 {
        v
    }
    /// Whether [`RowDistance::reach`] depends on the BLAS column (the position of `q` among
    /// the unprocessed points), as scikit-learn's BLAS-based metrics do.
    const BLAS: bool = false;
    /// Reduced distance between samples `i` and `j` as a k-nearest or radius search computes it.
    #[inline(always)]
    fn pair(&self, _i: usize, a: &[f64], _j: usize, b: &[f64]) -> f64 {
        self.rdist(a, b)
    }
    /// Reduced distance from the processed sample `p` to `q` in a reachability update
    /// (scikit-learn's `pairwise_distances(X[p], X[unprocessed])`), `q` being column `col`.
    #[inline(always)]
    fn reach(&self, _p: usize, a: &[f64], _q: usize, b: &[f64], _col: GemvColumn) -> f64 {
        self.rdist(a, b)
    }
    /// Reduced distance between samples `p` and `q` as a scanning radius search from `p`
    /// computes it, `q` being column `col` of all.
    #[inline(always)]
    fn radius(&self, p: usize, a: &[f64], q: usize, b: &[f64], _col: GemvColumn) -> f64 {
        self.pair(p, a, q, b)
    }
}

struct Euclid;
struct Manhattan;
struct Chebyshev;
struct Minkowski(f64);
/// Rows are pre-scaled to unit norm.
struct CosineUnit;

impl RowDistance for Euclid {
    #[inline(always)]
    fn rdist(&self, a: &[f64], b: &[f64]) -> f64 {
        let mut s = 0.0;
        for (x, y) in a.iter().zip(b) {
            let t = x - y;
            s += t * t;
        }
        s
    }
    fn unreduce(&self, rd: f64) -> f64 {
        rd.sqrt()
    }
    fn reduce(&self, r: f64) -> f64 {
        r * r
    }
}

impl RowDistance for Manhattan {
    #[inline(always)]
    fn rdist(&self, a: &[f64], b: &[f64]) -> f64 {
        let mut s = 0.0;
        for (x, y) in a.iter().zip(b) {
            s += (x - y).abs();
        }
        s
    }
}

impl RowDistance for Chebyshev {
    #[inline(always)]
    fn rdist(&self, a: &[f64], b: &[f64]) -> f64 {
        let mut s = 0.0f64;
        for (x, y) in a.iter().zip(b) {
            s = s.max((x - y).abs());
        }
        s
    }
}

impl RowDistance for Minkowski {
    #[inline(always)]
    fn rdist(&self, a: &[f64], b: &[f64]) -> f64 {
        let mut s = 0.0;
        for (x, y) in a.iter().zip(b) {
            s += (x - y).abs().powf(self.0);
        }
        s
    }
    fn unreduce(&self, rd: f64) -> f64 {
        rd.powf(1.0 / self.0)
    }
    fn reduce(&self, r: f64) -> f64 {
        r.powf(self.0)
    }
}

/// scikit-learn's 'euclidean' (see [`Metric::EuclideanBlas`]).
struct EuclidBlas<'a> {
    /// Squared row norms as NumPy's `einsum` computes them (`euclidean_distances`).
    einsum: &'a [f64],
    /// Squared row norms as BLAS `ddot` computes them (the k-nearest and radius searches).
    ddot: Vec<f64>,
}

impl RowDistance for EuclidBlas<'_> {
    #[inline(always)]
    fn rdist(&self, a: &[f64], b: &[f64]) -> f64 {
        Euclid.rdist(a, b)
    }
    fn unreduce(&self, rd: f64) -> f64 {
        rd.sqrt()
    }
    fn reduce(&self, r: f64) -> f64 {
        r * r
    }
    const BLAS: bool = true;
    /// scikit-learn's `EuclideanArgKmin` / `EuclideanRadiusNeighbors`: the middle term from
    /// `dgemm` with alpha = −2, added as `(‖x‖² + m) + ‖y‖²`, clipped at 0.
    #[inline(always)]
    fn pair(&self, i: usize, a: &[f64], j: usize, b: &[f64]) -> f64 {
        ((self.ddot[i] + -2.0 * dot_gemm(a, b)) + self.ddot[j]).max(0.0)
    }
    /// `euclidean_distances`: `d = −2·(x @ Y.T); d += ‖x‖²; d += ‖y‖²; max(d, 0)`.
    #[inline(always)]
    fn reach(&self, p: usize, a: &[f64], q: usize, b: &[f64], col: GemvColumn) -> f64 {
        ((-2.0 * dot_gemv(b, a, col) + self.einsum[p]) + self.einsum[q]).max(0.0)
    }
}

/// scikit-learn's 'cosine' on rows normalised by the caller (see [`Metric::CosineBlas`]).
struct CosineBlas;

impl RowDistance for CosineBlas {
    /// `cosine_distances` of a block of rows: `clip(1 − x̂·ŷ, 0, 2)`, the dot from `dgemm`.
    #[inline(always)]
    fn rdist(&self, a: &[f64], b: &[f64]) -> f64 {
        (1.0 - dot_gemm(a, b)).clamp(0.0, 2.0)
    }
    const BLAS: bool = true;
    /// `cosine_distances` of one row against many: the dot from `dgemv`.
    #[inline(always)]
    fn reach(&self, _p: usize, a: &[f64], _q: usize, b: &[f64], col: GemvColumn) -> f64 {
        (1.0 - dot_gemv(b, a, col)).clamp(0.0, 2.0)
    }
    /// Its radius search computes `cosine_distances` of one row against all rows.
    #[inline(always)]
    fn radius(&self, p: usize, a: &[f64], q: usize, b: &[f64], col: GemvColumn) -> f64 {
        self.reach(p, a, q, b, col)
    }
}

impl RowDistance for CosineUnit {
    #[inline(always)]
    fn rdist(&self, a: &[f64], b: &[f64]) -> f64 {
        let mut s = 0.0;
        for (x, y) in a.iter().zip(b) {
            s += x * y;
        }
        (1.0 - s).clamp(0.0, 2.0)
    }
    fn clip(&self, v: f64) -> f64 {
        // Cosine distances of unit rows can round just above 2; scikit-learn clips them.
        v.min(2.0)
    }
}

/// `np.around(v, 15)` for v ≥ 0 (or +∞), bit for bit: `rint(v·1e15) / 1e15`, ties to even.
/// Values above ~1.8e293 overflow to +∞ in the product, as in NumPy.
#[inline(always)]
pub fn round15(v: f64) -> f64 {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let y = v * 1e15;
    // For 0 ≤ y < 2^52, adding and subtracting 2^52 rounds to the nearest integer (ties to
    // even) in the default rounding mode; larger values are integers already. Cheaper than
    // `round_ties_even`, which is a libm call without SSE4.1.
    let r = if y < TWO52 { (y + TWO52) - TWO52 } else { y };
    r / 1e15
}

/// The reachability graph of OPTICS (scikit-learn's `compute_optics_graph` outputs).
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// Sample indices in cluster order.
    pub ordering: Vec<i64>,
    /// Core distance of each sample (+∞ when above `max_eps`), indexed by sample.
    pub core_distances: Vec<f64>,
    /// Reachability distance of each sample (+∞ for seeds and unreachable points).
    pub reachability: Vec<f64>,
    /// Sample each one was reached from (−1 for seeds).
    pub predecessor: Vec<i64>,
}

/// Settings of [`compute_graph`].
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Neighbours (the point included) that make a point core; ≥ 1 and ≤ n.
    pub min_samples: usize,
    /// Largest neighbourhood radius (may be +∞); ≥ 0.
    pub max_eps: f64,
    /// Distance.
    pub metric: Metric,
    /// Neighbourhood search (results do not depend on it).
    pub search: Algorithm,
    /// Points per leaf of a tree index (≥ 1).
    pub leaf_size: usize,
    /// Threads (0 = all CPUs).
    pub n_threads: usize,
}

pub use super::sklearn_tree::tree_order as sklearn_tree_order;

/// Computes the OPTICS ordering, core distances, reachability and predecessors of `x`
/// (n×d, row-major, finite). Distances are computed in f64 whatever `T` is, as
/// scikit-learn does (it converts input to float64).
pub fn compute_graph<T: Float>(x: MatRef<'_, T>, params: &Params, mon: &dyn Monitor) -> Result<Graph> {
    compute_graph_with_norms(x, params, None, mon)
}

/// [`compute_graph`] with the squared row norms [`Metric::EuclideanBlas`] needs (n values,
/// as NumPy's `np.einsum("ij,ij->i", X, X)` gives them for X in f64; without them, the
/// norms are summed in feature order, which agrees with NumPy's in most but not all bits).
pub fn compute_graph_with_norms<T: Float>(
    x: MatRef<'_, T>,
    params: &Params,
    sq_norms: Option<&[f64]>,
    mon: &dyn Monitor,
) -> Result<Graph> {
    let (n, d) = (x.rows(), x.cols());
    let x = MatRef::new_finite("X", x.data(), n, d)?;
    let metric = params.metric.check()?;
    if params.min_samples < 1 || params.min_samples > n {
        return Err(ClustorError::InvalidParameter {
            name: "min_samples",
            reason: format!("min_samples={} must be between 1 and n_samples={n}", params.min_samples),
        });
    }
    if params.max_eps.is_nan() || params.max_eps < 0.0 {
        return Err(ClustorError::InvalidParameter {
            name: "max_eps",
            reason: format!("max_eps={} must be >= 0", params.max_eps),
        });
    }
    if let Some(v) = sq_norms {
        if v.len() != n {
            return Err(ClustorError::ShapeMismatch {
                name: "sq_norms",
                got: v.len(),
                expected: n,
                shape: format!("({n},), one per row of X"),
            });
        }
    }
    let pool = parallel::pool(params.n_threads)?;
    let raw: Vec<f64> = x.data().iter().map(|v| v.as_f64()).collect();
    // scikit-learn's searches: its 'auto' scans (brute force) above 15 features or when
    // min_samples ≥ n/2, otherwise uses a tree; 'cosine' is always scanned. Its trees give
    // exact distances (as ours do); its scans give the BLAS values of `pair`.
    let scanned = match metric {
        Metric::CosineBlas => true,
        Metric::EuclideanBlas => match params.search {
            Algorithm::Brute => true,
            Algorithm::Auto => d > neighbors::AUTO_BRUTE_FEATURES || params.min_samples >= n / 2,
            _ => false,
        },
        _ => false,
    };
    // The neighbour index serves the metrics it has; distances there are computed exactly as
    // here (in f64, features in order), so both loops see the same values.
    let index_metric = match metric {
        Metric::Euclidean => Some(neighbors::Metric::Euclidean),
        Metric::EuclideanBlas if !scanned => Some(neighbors::Metric::Euclidean),
        Metric::Manhattan => Some(neighbors::Metric::Manhattan),
        Metric::Cosine => Some(neighbors::Metric::Cosine),
        _ => None,
    };
    let index = match index_metric {
        Some(m) => Some(NeighborIndex::new(MatRef::new("X", &raw, n, d)?, m, params.search, params.leaf_size)?),
        None => None,
    };
    let unit;
    let rows: &[f64] = if metric == Metric::Cosine {
        unit = unit_rows(&raw, d);
        &unit
    } else {
        &raw
    };
    let ix = index.as_ref();
    match metric {
        Metric::Euclidean => run(rows, d, params, &Euclid, ix, &pool, mon),
        Metric::Manhattan => run(rows, d, params, &Manhattan, ix, &pool, mon),
        Metric::Chebyshev => run(rows, d, params, &Chebyshev, ix, &pool, mon),
        Metric::Minkowski(p) => run(rows, d, params, &Minkowski(p), ix, &pool, mon),
        Metric::Cosine => run(rows, d, params, &CosineUnit, ix, &pool, mon),
        Metric::EuclideanBlas => {
            let ddot: Vec<f64> = rows.chunks_exact(d.max(1)).map(|r| dot_ddot(r, r)).collect();
            let own;
            let einsum = match sq_norms {
                Some(v) => v,
                None => {
                    own = rows.chunks_exact(d.max(1)).map(|r| r.iter().fold(0.0, |s, v| s + v * v)).collect::<Vec<_>>();
                    &own
                }
            };
            // Where scikit-learn searches with a tree, its candidates come in the tree's order.
            let rank = (!scanned).then(|| {
                let order = super::sklearn_tree::tree_order(rows, n, d, params.leaf_size);
                let mut rank = vec![0; n];
                for (pos, &i) in order.iter().enumerate() {
                    rank[i] = pos;
                }
                rank
            });
            run_blas(rows, d, params, &EuclidBlas { einsum, ddot }, ix, rank.as_deref(), &pool, mon)
        }
        Metric::CosineBlas => run_blas(rows, d, params, &CosineBlas, None, None, &pool, mon),
    }
}

/// Rows (n×d, f64) scaled to unit norm (zero rows stay zero), as scikit-learn's `normalize`
/// and the neighbour index do it.
fn unit_rows(raw: &[f64], d: usize) -> Vec<f64> {
    let mut out = raw.to_vec();
    for row in out.chunks_exact_mut(d.max(1)) {
        let mut s = 0.0;
        for v in row.iter() {
            s += v * v;
        }
        let norm = s.sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|v| *v /= norm);
        }
    }
    out
}

/// Core distances from the index's k-nearest search (`None` without an index: by scan).
fn core_distances<D: RowDistance>(
    rows: &[f64],
    d: usize,
    params: &Params,
    dist: &D,
    index: Option<&NeighborIndex<f64>>,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Vec<f64>> {
    let (k, max_eps) = (params.min_samples, params.max_eps);
    match index {
        Some(ix) => {
            let (_, dists) = ix.kneighbors(None, k, params.n_threads, mon)?;
            Ok(dists
                .chunks_exact(k)
                .map(|row| {
                    let kth = dist.clip(row[k - 1]);
                    if kth > max_eps {
                        f64::INFINITY
                    } else {
                        round15(kth)
                    }
                })
                .collect())
        }
        None => core_distances_brute(rows, d, k, max_eps, dist, pool, mon),
    }
}

fn run<D: RowDistance>(
    rows: &[f64],
    d: usize,
    params: &Params,
    dist: &D,
    index: Option<&NeighborIndex<f64>>,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Graph> {
    let max_eps = params.max_eps;
    let clip = |v: f64| dist.clip(v);
    let core = core_distances(rows, d, params, dist, index, pool, mon)?;
    let indexed = index.filter(|_| max_eps.is_finite() && params.search != Algorithm::Brute);
    let (ordering, reachability, predecessor) = match indexed {
        Some(ix) => {
            let mut buf = Vec::new();
            order_indexed(
                &core,
                |p, _, out| {
                    buf.clear();
                    ix.within_row(p, max_eps, &mut buf);
                    out.extend(buf.iter().map(|nb| (nb.index, clip(nb.distance))));
                    Ok(())
                },
                mon,
            )?
        }
        None => order_dense(rows, d, &core, max_eps, dist, None, pool, mon)?,
    };
    Ok(Graph { ordering, core_distances: core, reachability, predecessor })
}

/// The loop for scikit-learn's BLAS-based metrics. Each step takes the unprocessed
/// neighbours of the new point in scikit-learn's order (index order for its scans, its
/// tree's order when `rank` is given: see [`super::sklearn_tree`]) and computes their
/// distances as one `dgemv` column each, by position.
#[allow(clippy::too_many_arguments)]
fn run_blas<D: RowDistance>(
    rows: &[f64],
    d: usize,
    params: &Params,
    dist: &D,
    index: Option<&NeighborIndex<f64>>,
    rank: Option<&[usize]>,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Graph> {
    let max_eps = params.max_eps;
    let core = core_distances(rows, d, params, dist, index, pool, mon)?;
    let (ordering, reachability, predecessor) = if max_eps.is_finite() {
        let n = core.len();
        let row = |i: usize| &rows[i * d..(i + 1) * d];
        let eps_r = dist.reduce(max_eps);
        let mut buf = Vec::new();
        let mut ids: Vec<usize> = Vec::new();
        order_indexed(
            &core,
            |p, processed, out| {
                ids.clear();
                match index {
                    Some(ix) => {
                        buf.clear();
                        ix.within_row(p, max_eps, &mut buf);
                        ids.extend(buf.iter().map(|nb| nb.index).filter(|&q| !processed[q]));
                        match rank {
                            Some(r) => ids.sort_unstable_by_key(|&q| r[q]),
                            None => ids.sort_unstable(),
                        }
                    }
                    None => {
                        let a = row(p);
                        for q in 0..n {
                            let v = dist.radius(p, a, q, row(q), GemvColumn::of(q, n));
                            if v <= eps_r && !processed[q] {
                                ids.push(q);
                            }
                        }
                    }
                }
                let m = ids.len();
                let a = row(p);
                out.extend(
                    ids.iter()
                        .enumerate()
                        .map(|(j, &q)| (q, dist.unreduce(dist.reach(p, a, q, row(q), GemvColumn::of(j, m))))),
                );
                Ok(())
            },
            mon,
        )?
    } else {
        order_dense(rows, d, &core, max_eps, dist, rank, pool, mon)?
    };
    Ok(Graph { ordering, core_distances: core, reachability, predecessor })
}

/// Query rows per chunk of the brute-force k-nearest search.
const KNN_CHUNK_ROWS: usize = 64;
/// Reference rows per block of the brute-force k-nearest search (stays in L1/L2).
const KNN_COL_BLOCK: usize = 1024;

/// Core distances by brute force: the `k`-th smallest distance of every row to all rows
/// (itself included), +∞ above `max_eps`, rounded by [`round15`].
fn core_distances_brute<D: RowDistance>(
    rows: &[f64],
    d: usize,
    k: usize,
    max_eps: f64,
    dist: &D,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Vec<f64>> {
    let n = rows.len() / d.max(1);
    let mut out = vec![0.0f64; n];
    let plan = ChunkPlan::with_chunk_rows(n, KNN_CHUNK_ROWS);
    let mut states = vec![(); plan.len()];
    parallel::map_chunks_mut_state(
        pool,
        plan,
        &mut out,
        1,
        &mut states,
        n.saturating_mul(d.max(1)),
        mon,
        |range, out_c, _| {
            // Per query row, the k smallest distances so far, sorted ascending.
            let m = range.len();
            let mut best = vec![f64::INFINITY; m * k];
            let mut start = 0;
            while start < n {
                let end = (start + KNN_COL_BLOCK).min(n);
                for (r, i) in range.clone().enumerate() {
                    let a = &rows[i * d..(i + 1) * d];
                    let b = &mut best[r * k..(r + 1) * k];
                    for j in start..end {
                        let v = dist.pair(i, a, j, &rows[j * d..(j + 1) * d]);
                        if v < b[k - 1] {
                            let mut pos = k - 1;
                            while pos > 0 && b[pos - 1] > v {
                                b[pos] = b[pos - 1];
                                pos -= 1;
                            }
                            b[pos] = v;
                        }
                    }
                }
                start = end;
            }
            for r in 0..m {
                let kth = dist.unreduce(best[r * k + k - 1]);
                out_c[r] = if kth > max_eps { f64::INFINITY } else { round15(kth) };
            }
        },
    )?;
    Ok(out)
}

/// Unprocessed points per chunk of one dense step; steps over fewer points than two chunks
/// run on the calling thread (a parallel step costs a few microseconds of scheduling).
const DENSE_CHUNK: usize = 4096;
/// Steps between two polls of the monitor in the dense loop.
const DENSE_POLL_STEPS: usize = 256;

/// The best (lowest reachability, then lowest sample index) unprocessed point seen so far:
/// (reachability, sample index, compact position).
#[derive(Clone, Copy)]
struct Best(f64, usize, usize);

impl Best {
    const NONE: Best = Best(f64::INFINITY, usize::MAX, usize::MAX);
    #[inline(always)]
    fn offer(&mut self, r: f64, id: usize, pos: usize) {
        if r < self.0 || (r == self.0 && id < self.1) {
            *self = Best(r, id, pos);
        }
    }
}

/// The ordering loop without an index: see the module documentation.
/// Returns (ordering, reachability, predecessor).
///
/// `rank` (BLAS metrics only): each sample's position in scikit-learn's list of candidates
/// (its tree's order); `None` is index order.
#[allow(clippy::too_many_arguments)]
fn order_dense<D: RowDistance>(
    rows: &[f64],
    d: usize,
    core: &[f64],
    max_eps: f64,
    dist: &D,
    rank: Option<&[usize]>,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<(Vec<i64>, Vec<f64>, Vec<i64>)> {
    let rank_of = |id: usize| rank.map_or(id, |r| r[id]);
    let n = core.len();
    // Compact state of the unprocessed points (rows alongside, in `xs`).
    let mut slots: Vec<Slot> =
        (0..n).map(|id| Slot { reach: f64::INFINITY, thr: f64::INFINITY, pred: -1, id }).collect();
    let mut xs = rows.to_vec();
    let mut ordering = Vec::with_capacity(n);
    let mut reach = vec![f64::INFINITY; n];
    let mut pred = vec![-1i64; n];
    let mut p_row = vec![0.0f64; d];
    let eps_r = dist.reduce(max_eps);
    // For BLAS metrics (max_eps = +∞ there): scikit-learn's `X[unprocessed]` lists the
    // unprocessed samples in index order (scans) or its tree's order (`rank`), and the
    // `dgemv` kernel of a column depends on its position: only the last `m mod 4` (the
    // highest ranks) and a lone one differ. `done`, `top` and `tail` are in rank space.
    let mut done = vec![false; if D::BLAS { n } else { 0 }];
    let mut top = n;
    let mut tail: Vec<(usize, GemvColumn)> = Vec::with_capacity(3);
    // All reachabilities start at +∞: the first point is sample 0, at position 0.
    let mut cur = 0usize;
    for step in 0..n {
        if step % DENSE_POLL_STEPS == 0 {
            mon.check()?;
        }
        let s = slots.swap_remove(cur);
        let p = s.id;
        ordering.push(p as i64);
        reach[p] = s.reach;
        pred[p] = s.pred;
        p_row.copy_from_slice(&xs[cur * d..(cur + 1) * d]);
        // Remove p's row the way swap_remove removed its slot.
        let last = slots.len();
        if cur != last {
            xs.copy_within(last * d..(last + 1) * d, cur * d);
        }
        xs.truncate(last * d);
        let m = slots.len();
        if m == 0 {
            break;
        }
        let cp = core[p];
        if D::BLAS {
            done[rank_of(p)] = true;
            while done[top - 1] {
                top -= 1;
            }
            tail.clear();
            let mut q = top;
            while tail.len() < m % 4 {
                q -= 1;
                if !done[q] {
                    tail.push((q, GemvColumn::Four));
                }
            }
            tail.reverse();
            for (k, t) in tail.iter_mut().enumerate() {
                t.1 = GemvColumn::of(m - m % 4 + k, m);
            }
        }
        let tail_min = tail.first().map_or(usize::MAX, |t| t.0);
        let column = |id: usize| -> GemvColumn {
            let r = rank_of(id);
            if m == 1 {
                GemvColumn::Single
            } else if r < tail_min {
                GemvColumn::Four
            } else {
                tail.iter().find(|t| t.0 == r).map_or(GemvColumn::Four, |t| t.1)
            }
        };
        let step_chunk = |range: std::ops::Range<usize>, sc: &mut [Slot]| -> Best {
            let mut best = Best::NONE;
            if cp.is_finite() {
                let xr = &xs[range.start * d..range.end * d];
                for (j, (x, s)) in xr.chunks_exact(d.max(1)).zip(sc.iter_mut()).enumerate() {
                    let rj = if D::BLAS { dist.reach(p, &p_row, s.id, x, column(s.id)) } else { dist.rdist(&p_row, x) };
                    // `thr` bounds from above the reduced distances whose rounded
                    // reachability could beat the current one: most points skip the square
                    // root and the rounding.
                    if rj < s.thr && rj <= eps_r {
                        let rd = round15(dist.unreduce(rj).max(cp));
                        if rd < s.reach {
                            s.reach = rd;
                            s.thr = threshold(dist, rd);
                            s.pred = p as i64;
                        }
                    }
                    best.offer(s.reach, s.id, range.start + j);
                }
            } else {
                for (j, s) in sc.iter().enumerate() {
                    best.offer(s.reach, s.id, range.start + j);
                }
            }
            best
        };
        let best = if m < 2 * DENSE_CHUNK {
            step_chunk(0..m, &mut slots)
        } else {
            let plan = ChunkPlan::with_chunk_rows(m, DENSE_CHUNK);
            let parts = parallel::map_chunks_mut(pool, plan, &mut slots, 1, step_chunk);
            parts.into_iter().fold(Best::NONE, |mut b, o| {
                b.offer(o.0, o.1, o.2);
                b
            })
        };
        cur = best.2;
    }
    Ok((ordering, reach, pred))
}

/// An unprocessed point of the dense loop.
#[derive(Clone, Copy)]
struct Slot {
    /// Current reachability.
    reach: f64,
    /// [`threshold`] of `reach`.
    thr: f64,
    /// Current predecessor (−1: none).
    pred: i64,
    /// Sample index.
    id: usize,
}

/// A reduced distance above which no reachability can round below `reach`: `round15(v)` is
/// at least `v·(1 − 2⁻⁵²) − 5e-16`, so any `v > reach·(1 + 1e-14) + 1e-14` rounds above
/// `reach` (+∞ stays +∞).
#[inline]
fn threshold<D: RowDistance>(dist: &D, reach: f64) -> f64 {
    dist.reduce(reach + reach * 1e-14 + 1e-14)
}

/// A heap entry of the indexed loop: min-ordered by (reachability, sample index).
#[derive(Clone, Copy, PartialEq)]
struct Candidate(f64, usize);

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap. Reachabilities are never NaN.
        other.0.partial_cmp(&self.0).unwrap_or(Ordering::Equal).then_with(|| other.1.cmp(&self.1))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The ordering loop with neighbourhoods from `neighbors(p, processed, out)`, which fills
/// `out` with (sample, distance) of every sample within `max_eps` of sample `p` (it may
/// leave out the samples already processed).
/// Returns (ordering, reachability, predecessor).
pub fn order_indexed<F>(core: &[f64], mut neighbors: F, mon: &dyn Monitor) -> Result<(Vec<i64>, Vec<f64>, Vec<i64>)>
where
    F: FnMut(usize, &[bool], &mut Vec<(usize, f64)>) -> Result<()>,
{
    let n = core.len();
    let mut processed = vec![false; n];
    let mut reach = vec![f64::INFINITY; n];
    let mut pred = vec![-1i64; n];
    let mut ordering = Vec::with_capacity(n);
    let mut heap = BinaryHeap::new();
    let mut next_seed = 0usize;
    let mut nbrs = Vec::new();
    for step in 0..n {
        if step % DENSE_POLL_STEPS == 0 {
            mon.check()?;
        }
        let p = loop {
            match heap.pop() {
                Some(Candidate(_, q)) if processed[q] => continue,
                Some(Candidate(_, q)) => break q,
                None => {
                    while processed[next_seed] {
                        next_seed += 1;
                    }
                    break next_seed;
                }
            }
        };
        processed[p] = true;
        ordering.push(p as i64);
        let cp = core[p];
        if !cp.is_finite() {
            continue;
        }
        nbrs.clear();
        neighbors(p, &processed, &mut nbrs)?;
        for &(q, dq) in nbrs.iter() {
            if processed[q] {
                continue;
            }
            let rd = round15(dq.max(cp));
            if rd < reach[q] {
                reach[q] = rd;
                pred[q] = p as i64;
                heap.push(Candidate(rd, q));
            }
        }
    }
    Ok((ordering, reach, pred))
}

// --- ξ extraction -----------------------------------------------------------------------

/// Clusters found by the ξ-steep method (scikit-learn's `_xi_cluster`), as inclusive
/// `[start, end]` positions in the ordering, smaller nested clusters before larger ones.
///
/// `reach_plot` and `pred_plot` are reachability and predecessor in cluster order;
/// `ordering` maps positions to samples. `min_samples` and `min_cluster_size` are absolute
/// (≥ 2 in scikit-learn). Predecessor correction (Schubert & Gertz 2018) trims a cluster's
/// end until its last point's predecessor lies inside it.
pub fn xi_clusters(
    reach_plot: &[f64],
    pred_plot: &[i64],
    ordering: &[i64],
    xi: f64,
    min_samples: usize,
    min_cluster_size: usize,
    predecessor_correction: bool,
) -> Result<Vec<(usize, usize)>> {
    let n = reach_plot.len();
    if pred_plot.len() != n || ordering.len() != n {
        return Err(ClustorError::ShapeMismatch {
            name: "predecessor/ordering",
            got: pred_plot.len().min(ordering.len()),
            expected: n,
            shape: format!("({n},) like reachability"),
        });
    }
    if !(0.0..=1.0).contains(&xi) {
        return Err(ClustorError::InvalidParameter { name: "xi", reason: format!("xi={xi} must be in [0, 1]") });
    }
    if reach_plot.iter().any(|v| v.is_nan()) {
        return Err(ClustorError::NotFinite("reachability"));
    }
    // Position of each sample in the ordering (to test "predecessor inside [s, e)" in O(1)).
    let mut pos = vec![usize::MAX; n];
    for (i, &o) in ordering.iter().enumerate() {
        if o < 0 || o as usize >= n || pos[o as usize] != usize::MAX {
            return Err(ClustorError::InvalidParameter {
                name: "ordering",
                reason: "ordering must be a permutation of 0..n_samples".into(),
            });
        }
        pos[o as usize] = i;
    }
    // The plot with +∞ appended, so that a cluster can end at the last point.
    let mut r = Vec::with_capacity(n + 1);
    r.extend_from_slice(reach_plot);
    r.push(f64::INFINITY);
    let xc = 1.0 - xi;
    // ratio r[i] / r[i+1] (NaN for ∞/∞ and 0/0 makes every test false, as in NumPy).
    let ratio: Vec<f64> = (0..n).map(|i| r[i] / r[i + 1]).collect();
    let steep_up: Vec<bool> = ratio.iter().map(|&q| q <= xc).collect();
    let steep_down: Vec<bool> = ratio.iter().map(|&q| q >= 1.0 / xc).collect();
    let downward: Vec<bool> = ratio.iter().map(|&q| q > 1.0).collect();
    let upward: Vec<bool> = ratio.iter().map(|&q| q < 1.0).collect();

    struct Sda {
        start: usize,
        end: usize,
        mib: f64,
    }
    let py_max = |a: f64, b: f64| if b > a { b } else { a };
    let filter_sdas = |sdas: &mut Vec<Sda>, mib: f64, r: &[f64]| {
        if mib.is_infinite() {
            sdas.clear();
            return;
        }
        sdas.retain(|s| mib <= r[s.start] * xc);
        for s in sdas.iter_mut() {
            s.mib = py_max(s.mib, mib);
        }
    };
    let correct = |s: usize, mut e: usize| -> Option<(usize, usize)> {
        while s < e {
            if r[s] > r[e] {
                return Some((s, e));
            }
            let p_e = pred_plot[e];
            if p_e >= 0 && (p_e as usize) < n {
                let at = pos[p_e as usize];
                if at >= s && at < e {
                    return Some((s, e));
                }
            }
            e -= 1;
        }
        None
    };

    let mut sdas: Vec<Sda> = Vec::new();
    let mut clusters = Vec::new();
    let mut index = 0usize;
    let mut mib = 0.0f64;
    for steep in (0..n).filter(|&i| steep_up[i] || steep_down[i]) {
        if steep < index {
            continue;
        }
        let seg_max = r[index..=steep].iter().fold(f64::NEG_INFINITY, |m, &v| py_max(m, v));
        mib = py_max(mib, seg_max);
        filter_sdas(&mut sdas, mib, &r);
        if steep_down[steep] {
            let end = extend_region(&steep_down, &upward, steep, min_samples);
            sdas.push(Sda { start: steep, end, mib: 0.0 });
            index = end + 1;
            mib = r[index];
        } else {
            let u_start = steep;
            let u_end = extend_region(&steep_up, &downward, u_start, min_samples);
            index = u_end + 1;
            mib = r[index];
            let mut found = Vec::new();
            for sda in &sdas {
                let mut c_start = sda.start;
                let mut c_end = u_end;
                if r[c_end + 1] * xc < sda.mib {
                    continue;
                }
                let d_max = r[sda.start];
                if d_max * xc >= r[c_end + 1] {
                    while r[c_start + 1] > r[c_end + 1] && c_start < sda.end {
                        c_start += 1;
                    }
                } else if r[c_end + 1] * xc >= d_max {
                    while c_end > u_start && r[c_end - 1] > d_max {
                        c_end -= 1;
                    }
                }
                if predecessor_correction {
                    match correct(c_start, c_end) {
                        Some((s, e)) => {
                            c_start = s;
                            c_end = e;
                        }
                        None => continue,
                    }
                }
                if c_end - c_start + 1 < min_cluster_size || c_start > sda.end || c_end < u_start {
                    continue;
                }
                found.push((c_start, c_end));
            }
            found.reverse();
            clusters.extend(found);
        }
    }
    Ok(clusters)
}

/// Extends a steep region from `start` while at most `min_samples` consecutive non-steep
/// points follow that do not turn the other way; returns its last steep position.
fn extend_region(steep: &[bool], other_way: &[bool], start: usize, min_samples: usize) -> usize {
    let mut non_steep = 0usize;
    let mut end = start;
    for i in start..steep.len() {
        if steep[i] {
            non_steep = 0;
            end = i;
        } else if !other_way[i] {
            non_steep += 1;
            if non_steep > min_samples {
                break;
            }
        } else {
            return end;
        }
    }
    end
}

/// Labels from ξ clusters (scikit-learn's `_extract_xi_labels`): clusters are taken in
/// order (smaller first), each one that overlaps no labelled point gets the next label;
/// everything else is noise (−1). Returned per sample.
pub fn xi_labels(ordering: &[i64], clusters: &[(usize, usize)]) -> Result<Vec<i64>> {
    let n = ordering.len();
    let mut by_pos = vec![-1i64; n];
    let mut label = 0i64;
    for &(s, e) in clusters {
        if s > e || e >= n {
            return Err(ClustorError::InvalidParameter {
                name: "clusters",
                reason: format!("cluster [{s}, {e}] is not within 0..{n}"),
            });
        }
        if by_pos[s..=e].iter().all(|&l| l == -1) {
            by_pos[s..=e].iter_mut().for_each(|l| *l = label);
            label += 1;
        }
    }
    let mut out = vec![-1i64; n];
    for (i, &o) in ordering.iter().enumerate() {
        if o < 0 || o as usize >= n {
            return Err(ClustorError::InvalidParameter {
                name: "ordering",
                reason: "ordering must be a permutation of 0..n_samples".into(),
            });
        }
        out[o as usize] = by_pos[i];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    fn graph(x: &[f64], d: usize, k: usize, max_eps: f64, metric: Metric, threads: usize) -> Graph {
        let m = MatRef::new("X", x, x.len() / d, d).unwrap();
        let params =
            Params { min_samples: k, max_eps, metric, search: Algorithm::Auto, leaf_size: 30, n_threads: threads };
        compute_graph(m, &params, &Silent).unwrap()
    }

    #[test]
    fn round15_matches_numpy() {
        assert_eq!(round15(0.1 + 0.2), 0.3);
        assert_eq!(round15(1e-16), 0.0);
        assert_eq!(round15(f64::INFINITY), f64::INFINITY);
        assert_eq!(round15(1e300), f64::INFINITY);
        // ties to even at the 15th decimal: 2.5e-15 → 2e-15
        assert_eq!(round15(2.5e-15), 2e-15);
    }

    #[test]
    fn worked_by_hand_line() {
        // Points on a line at 0, 1, 3, 10; min_samples 2 → core distance = nearest other.
        let g = graph(&[0.0, 1.0, 3.0, 10.0], 1, 2, f64::INFINITY, Metric::Euclidean, 1);
        assert_eq!(g.core_distances, vec![1.0, 1.0, 2.0, 7.0]);
        // 0 (seed) → 1 (reach max(1, 1) = 1) → 2 (from 1: max(2, 1) = 2) → 3 (from 2: 7).
        assert_eq!(g.ordering, vec![0, 1, 2, 3]);
        assert_eq!(g.reachability, vec![f64::INFINITY, 1.0, 2.0, 7.0]);
        assert_eq!(g.predecessor, vec![-1, 0, 1, 2]);
    }

    #[test]
    fn ties_go_to_the_lowest_index_and_first_predecessor() {
        // A square: every point has two neighbours at 1; ties everywhere.
        let x = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
        let g = graph(&x, 2, 2, f64::INFINITY, Metric::Euclidean, 1);
        assert_eq!(g.ordering, vec![0, 1, 2, 3]);
        assert_eq!(g.predecessor, vec![-1, 0, 0, 1]);
    }

    #[test]
    fn max_eps_makes_new_seeds() {
        let g = graph(&[0.0, 1.0, 10.0, 11.0], 1, 2, 2.0, Metric::Euclidean, 1);
        assert_eq!(g.ordering, vec![0, 1, 2, 3]);
        assert_eq!(g.reachability, vec![f64::INFINITY, 1.0, f64::INFINITY, 1.0]);
        assert_eq!(g.predecessor, vec![-1, 0, -1, 2]);
    }

    #[test]
    fn threads_agree_on_large_data() {
        let mut rng = crate::rng::Rng::new(3);
        let x: Vec<f64> = (0..2 * 10_000).map(|_| (rng.uniform() * 20.0).floor()).collect();
        let a = graph(&x, 2, 5, f64::INFINITY, Metric::Euclidean, 1);
        let b = graph(&x, 2, 5, f64::INFINITY, Metric::Euclidean, 2);
        assert_eq!(a, b);
    }

    #[test]
    fn indexed_loop_equals_dense_loop() {
        let mut rng = crate::rng::Rng::new(7);
        let x: Vec<f64> = (0..2 * 500).map(|_| (rng.uniform() * 10.0).floor()).collect();
        let max_eps = 2.5;
        let g = graph(&x, 2, 4, max_eps, Metric::Euclidean, 1);
        let n = 500;
        let (o, r, p) = order_indexed(
            &g.core_distances,
            |i, _, out| {
                for j in 0..n {
                    let v = Euclid.rdist(&x[2 * i..2 * i + 2], &x[2 * j..2 * j + 2]).sqrt();
                    if v <= max_eps {
                        out.push((j, v));
                    }
                }
                Ok(())
            },
            &Silent,
        )
        .unwrap();
        assert_eq!((o, r, p), (g.ordering, g.reachability, g.predecessor));
    }

    #[test]
    fn bad_input_is_an_error() {
        let x = [0.0, f64::NAN];
        let m = MatRef::new("X", &x[..], 2, 1).unwrap();
        let params = Params {
            min_samples: 2,
            max_eps: 1.0,
            metric: Metric::Euclidean,
            search: Algorithm::Auto,
            leaf_size: 30,
            n_threads: 1,
        };
        assert_eq!(compute_graph(m, &params, &Silent).unwrap_err(), ClustorError::NotFinite("X"));
        let x = [0.0, 1.0];
        let m = MatRef::new("X", &x[..], 2, 1).unwrap();
        let p3 = Params { min_samples: 3, ..params };
        assert!(compute_graph(m, &p3, &Silent).is_err());
        let bad_p = Params { metric: Metric::Minkowski(0.5), ..params };
        assert!(compute_graph(m, &bad_p, &Silent).is_err());
        assert!(xi_clusters(&[1.0], &[0], &[3], 0.05, 2, 2, true).is_err());
    }

    #[test]
    fn xi_finds_two_valleys() {
        // Two dense groups separated by a high reachability.
        let r = [f64::INFINITY, 1.0, 1.0, 1.0, 10.0, 1.0, 1.0, 1.0];
        let pred = [-1, 0, 1, 2, 3, 4, 5, 6];
        let ord: Vec<i64> = (0..8).collect();
        let c = xi_clusters(&r, &pred, &ord, 0.05, 2, 2, true).unwrap();
        assert_eq!(c, vec![(0, 3), (4, 7), (0, 7)]);
        assert_eq!(xi_labels(&ord, &c).unwrap(), vec![0, 0, 0, 0, 1, 1, 1, 1]);
    }
}
