//! DBSCAN with scikit-learn's labels, numbering included, in O(n) memory beyond the index.
//!
//! scikit-learn stores every neighbourhood, marks points with at least `min_samples`
//! neighbours (weights) as core, then walks the points in index order: each core point not yet
//! labelled starts a new cluster, expanded depth-first through core points; a non-core point
//! takes the label of the first expansion that reaches it. The result is fully determined by
//! the neighbourhood graph:
//! - clusters are the connected components of core points, numbered by their lowest core
//!   index (a component's expansion starts at its lowest core point and finishes before the
//!   next cluster starts);
//! - a non-core point within `eps` of core points takes the lowest-numbered cluster among them.
//!
//! So no neighbourhood is ever stored. Pass 1 counts neighbours (stopping at `min_samples`);
//! pass 2 joins core points within `eps` with a lock-free union-find; pass 3 gives every
//! non-core point its cluster. All passes run in parallel over tree positions (rows close in
//! space are close in memory), and the result does not depend on the thread count.
//!
//! A precomputed distance matrix may be asymmetric (row `i` is `i`'s neighbourhood, as in
//! scikit-learn); there the expansion follows scikit-learn's walk literally, row by row.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::neighbors::{Algorithm, Bound, Manhattan, Metric, NeighborIndex, SearchTree, SqEuclidean, Tree, Visitor};
use crate::parallel::{self, ChunkPlan};

/// Rows per chunk of the parallel passes.
const CHUNK_ROWS: usize = 512;

/// Distances DBSCAN can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbscanMetric {
    /// A metric of [`crate::neighbors`].
    Index(Metric),
    /// `x` is an n×n matrix of distances; row `i` holds the distances from sample `i`.
    Precomputed,
}

/// Parameters of [`dbscan`].
#[derive(Debug, Clone, Copy)]
pub struct DbscanParams {
    /// Neighbourhood radius (`> 0`); neighbours satisfy `distance <= eps`.
    pub eps: f64,
    /// Neighbours (or total neighbour weight), the point itself included, that make a core
    /// point (`>= 1`).
    pub min_samples: usize,
    /// The distance.
    pub metric: DbscanMetric,
    /// Neighbour search organisation.
    pub algorithm: Algorithm,
    /// Rows per tree leaf (`>= 1`).
    pub leaf_size: usize,
    /// Report progress through the monitor's log.
    pub verbose: bool,
}

/// Result of [`dbscan`].
#[derive(Debug, Clone, PartialEq)]
pub struct Dbscan {
    /// Cluster of every sample, `-1` for noise (n).
    pub labels: Vec<i64>,
    /// Indices of the core samples, ascending.
    pub core_sample_indices: Vec<usize>,
    /// Number of clusters.
    pub n_clusters: usize,
}

fn check(p: &DbscanParams) -> Result<()> {
    if !(p.eps > 0.0) || !p.eps.is_finite() {
        return Err(ClustorError::InvalidParameter {
            name: "eps",
            reason: format!("eps={} must be a finite number > 0", p.eps),
        });
    }
    if p.min_samples == 0 {
        return Err(ClustorError::InvalidParameter {
            name: "min_samples",
            reason: "min_samples=0 must be >= 1".into(),
        });
    }
    if p.leaf_size == 0 {
        return Err(ClustorError::InvalidParameter { name: "leaf_size", reason: "leaf_size=0 must be >= 1".into() });
    }
    Ok(())
}

fn check_weights<T: Float>(w: Option<&[T]>, n: usize) -> Result<()> {
    if let Some(w) = w {
        if w.len() != n {
            return Err(ClustorError::ShapeMismatch {
                name: "sample_weight",
                got: w.len(),
                expected: n,
                shape: format!("({n},)"),
            });
        }
        // Negative weights are allowed: they keep neighbours from being core (scikit-learn).
        if !w.iter().all(|v| v.is_finite()) {
            return Err(ClustorError::NotFinite("sample_weight"));
        }
    }
    Ok(())
}

/// Clusters the rows of `x` (n×d; for `Precomputed`, the n×n distances) with optional
/// `sample_weight` (n; may be negative), on `n_threads` threads (0 = all).
pub fn dbscan<T: Float>(
    x: MatRef<'_, T>,
    sample_weight: Option<&[T]>,
    params: &DbscanParams,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Dbscan> {
    check(params)?;
    let x = MatRef::new_finite("X", x.data(), x.rows(), x.cols())?;
    check_weights(sample_weight, x.rows())?;
    let w: Option<Vec<f64>> = sample_weight.map(|w| w.iter().map(|v| v.as_f64()).collect());
    match params.metric {
        DbscanMetric::Precomputed => precomputed(x, w.as_deref(), params, n_threads, mon),
        DbscanMetric::Index(metric) => {
            let index = NeighborIndex::new(x, metric, params.algorithm, params.leaf_size)?;
            if params.verbose {
                mon.log(&format!(
                    "DBSCAN: {} samples indexed ({:?}, {} nodes)",
                    x.rows(),
                    index.algorithm(),
                    index.tree().n_nodes()
                ));
            }
            with_index(&index, w.as_deref(), params, n_threads, mon)
        }
    }
}

/// Counts neighbours (or their weight) of one point, stopping once it is core.
struct CoreCount<'a> {
    me: usize,
    total: f64,
    need: f64,
    /// Per tree position; `None` counts 1 each.
    w: Option<&'a [f64]>,
    /// Whether the total can only grow (no negative weights), so the count may stop early.
    monotone: bool,
}

impl Visitor for CoreCount<'_> {
    const NODES: bool = true;
    #[inline(always)]
    fn point(&mut self, pos: usize, _: f64) -> bool {
        if pos != self.me {
            self.total += self.w.map_or(1.0, |w| w[pos]);
        }
        !(self.monotone && self.total >= self.need)
    }
    #[inline(always)]
    fn all(&mut self, r: Range<usize>) -> bool {
        match self.w {
            None => self.total += (r.len() - r.contains(&self.me) as usize) as f64,
            Some(w) => {
                for p in r {
                    if p != self.me {
                        self.total += w[p];
                    }
                }
            }
        }
        !(self.monotone && self.total >= self.need)
    }
}

/// A union-find whose unions may run concurrently: roots are linked to the smaller root by
/// compare-and-swap, paths are halved on the way up. The partition it ends with does not
/// depend on the order of the unions.
struct UnionFind {
    parent: Vec<AtomicUsize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self { parent: (0..n).map(AtomicUsize::new).collect() }
    }

    fn find(&self, mut x: usize) -> usize {
        loop {
            let p = self.parent[x].load(Ordering::Acquire);
            if p == x {
                return x;
            }
            let gp = self.parent[p].load(Ordering::Acquire);
            if gp != p {
                let _ = self.parent[x].compare_exchange_weak(p, gp, Ordering::AcqRel, Ordering::Relaxed);
            }
            x = p;
        }
    }

    fn union(&self, a: usize, b: usize) {
        let (mut a, mut b) = (a, b);
        loop {
            a = self.find(a);
            b = self.find(b);
            if a == b {
                return;
            }
            let (hi, lo) = if a > b { (a, b) } else { (b, a) };
            if self.parent[hi].compare_exchange(hi, lo, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return;
            }
            a = hi;
            b = lo;
        }
    }
}

/// Leaves of the tree whose diameter is within `eps` ("tight"): all their points are
/// neighbours of each other, so their core points form one connected group, and a whole
/// such leaf inside a query's radius is handled through one representative.
struct TightLeaves {
    /// Per tree position: the end of its leaf when the leaf is tight, else 0.
    end: Vec<usize>,
    /// Per tree position in a tight leaf: the leaf's first core position (usize::MAX: none).
    rep: Vec<usize>,
}

/// Joins core point `me` with the core points within `eps` (each pair is seen from both
/// ends, so single points are joined only from the lower position).
struct JoinCores<'a> {
    me: usize,
    core: &'a [bool],
    tight: &'a TightLeaves,
    uf: &'a UnionFind,
}

impl Visitor for JoinCores<'_> {
    const NODES: bool = true;
    #[inline(always)]
    fn point(&mut self, pos: usize, _: f64) -> bool {
        if pos > self.me && self.core[pos] {
            self.uf.union(self.me, pos);
        }
        true
    }
    #[inline(always)]
    fn all(&mut self, r: Range<usize>) -> bool {
        // A node's range is a run of whole leaves.
        let mut p = r.start;
        while p < r.end {
            let end = self.tight.end[p];
            if end != 0 {
                let rep = self.tight.rep[p];
                if rep != usize::MAX {
                    self.uf.union(self.me, rep);
                }
                p = end;
            } else {
                if p != self.me && self.core[p] {
                    self.uf.union(self.me, p);
                }
                p += 1;
            }
        }
        true
    }
}

/// Finds the lowest cluster among the core points within `eps` of a non-core point.
struct LowestCluster<'a> {
    cluster: &'a [i64],
    tight: &'a TightLeaves,
    best: i64,
}

impl Visitor for LowestCluster<'_> {
    const NODES: bool = true;
    #[inline(always)]
    fn point(&mut self, pos: usize, _: f64) -> bool {
        let c = self.cluster[pos];
        if c >= 0 && c < self.best {
            self.best = c;
        }
        self.best != 0
    }
    #[inline(always)]
    fn all(&mut self, r: Range<usize>) -> bool {
        let mut p = r.start;
        while p < r.end {
            let end = self.tight.end[p];
            if end != 0 {
                // The core points of a tight leaf share one cluster.
                let rep = self.tight.rep[p];
                if rep != usize::MAX && !self.point(rep, 0.0) {
                    return false;
                }
                p = end;
            } else {
                if !self.point(p, 0.0) {
                    return false;
                }
                p += 1;
            }
        }
        true
    }
}

/// Runs `f` over the tree positions in parallel chunks (polling `mon`), results in order.
fn per_position<R: Send>(
    n: usize,
    n_threads: usize,
    work: usize,
    mon: &dyn Monitor,
    f: impl Fn(usize, &mut Vec<f64>) -> R + Sync,
) -> Result<Vec<R>> {
    let pool = parallel::pool(n_threads)?;
    let plan = ChunkPlan::with_chunk_rows(n, CHUNK_ROWS);
    let parts = parallel::map_chunks_polled(&pool, plan, work, mon, |rows| {
        let mut q = Vec::new();
        rows.map(|p| f(p, &mut q)).collect::<Vec<R>>()
    })?;
    Ok(parts.into_iter().flatten().collect())
}

fn with_index<T: Float>(
    index: &NeighborIndex<T>,
    w: Option<&[f64]>,
    params: &DbscanParams,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Dbscan> {
    match index.tree() {
        SearchTree::Kd(t) => with_tree(t, index.metric(), w, params, n_threads, mon),
        SearchTree::Ball(t) => with_tree(t, index.metric(), w, params, n_threads, mon),
    }
}

fn with_tree<T: Float, B: Bound>(
    tree: &Tree<T, B>,
    metric: Metric,
    w: Option<&[f64]>,
    params: &DbscanParams,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Dbscan> {
    let n = tree.len();
    let r = metric.reduce(params.eps);
    let need = params.min_samples as f64;
    let wpos: Option<Vec<f64>> = w.map(|w| (0..n).map(|p| w[tree.index(p)]).collect());
    let monotone = !w.is_some_and(|w| w.iter().any(|&v| v < 0.0));
    let work = 64 * tree.dim() * params.min_samples.max(8);
    let load = |p: usize, q: &mut Vec<f64>| {
        q.clear();
        q.extend(tree.row(p).iter().map(|v| v.as_f64()));
    };
    macro_rules! visit {
        ($q:expr, $v:expr) => {
            match metric {
                Metric::Euclidean => tree.visit_within::<crate::neighbors::SqEuclidean, _>($q, r, $v),
                Metric::Manhattan => tree.visit_within::<crate::neighbors::Manhattan, _>($q, r, $v),
                Metric::Cosine => tree.visit_within::<crate::neighbors::CosineUnit, _>($q, r, $v),
            }
        };
    }

    // Tight leaves (exact: the bound is accumulated like the distances it bounds).
    let mut tight = TightLeaves { end: vec![0; n], rep: vec![usize::MAX; n] };
    let mut dense = vec![false; n];
    let leaves: Vec<(Range<usize>, f64)> = match metric {
        Metric::Euclidean => tree.leaves::<SqEuclidean>().collect(),
        Metric::Manhattan => tree.leaves::<Manhattan>().collect(),
        Metric::Cosine => Vec::new(),
    };
    for (range, diameter) in leaves {
        if range.len() < 2 || !(diameter <= r) {
            continue;
        }
        let total: f64 = wpos.as_ref().map_or(range.len() as f64, |w| w[range.clone()].iter().sum());
        for p in range.clone() {
            tight.end[p] = range.end;
            // With no negative weight, a tight leaf holding min_samples is all core.
            dense[p] = monotone && total >= need;
        }
    }

    // Pass 1: core points (the point itself always counts: its distance to itself is 0).
    let core: Vec<bool> = per_position(n, n_threads, work, mon, |p, q| {
        let own = wpos.as_ref().map_or(1.0, |w| w[p]);
        if dense[p] || (monotone && own >= need) {
            return true;
        }
        load(p, q);
        let mut c = CoreCount { me: p, total: own, need, w: wpos.as_deref(), monotone };
        visit!(q, &mut c);
        c.total >= need
    })?;
    let n_core = core.iter().filter(|&&c| c).count();
    if params.verbose {
        mon.log(&format!("DBSCAN: {n_core} core samples"));
    }

    drop(dense);

    // Pass 2: connected components of the core points, tight leaves joined first.
    let uf = UnionFind::new(n);
    let mut p = 0;
    while p < n {
        let end = tight.end[p];
        if end == 0 {
            p += 1;
            continue;
        }
        if let Some(rep) = (p..end).find(|&i| core[i]) {
            for i in p..end {
                tight.rep[i] = rep;
                if core[i] {
                    uf.union(rep, i);
                }
            }
        }
        p = end;
    }
    per_position(n, n_threads, work * 4, mon, |p, q| {
        if core[p] {
            load(p, q);
            visit!(q, &mut JoinCores { me: p, core: &core, tight: &tight, uf: &uf });
        }
    })?;

    // Clusters numbered by their lowest core index.
    let mut lowest = vec![usize::MAX; n];
    for p in (0..n).filter(|&p| core[p]) {
        let root = uf.find(p);
        lowest[root] = lowest[root].min(tree.index(p));
    }
    let mut roots: Vec<usize> = (0..n).filter(|&p| lowest[p] != usize::MAX).collect();
    roots.sort_unstable_by_key(|&p| lowest[p]);
    let mut number = vec![-1i64; n];
    for (c, &root) in roots.iter().enumerate() {
        number[root] = c as i64;
    }
    let cluster: Vec<i64> = (0..n).map(|p| if core[p] { number[uf.find(p)] } else { -1 }).collect();
    drop(number);
    drop(lowest);
    if params.verbose {
        mon.log(&format!("DBSCAN: {} clusters", roots.len()));
    }

    // Pass 3: non-core points join the lowest cluster among their core neighbours.
    let label_pos: Vec<i64> = per_position(n, n_threads, work * 4, mon, |p, q| {
        if core[p] {
            return cluster[p];
        }
        load(p, q);
        let mut v = LowestCluster { cluster: &cluster, tight: &tight, best: i64::MAX };
        visit!(q, &mut v);
        if v.best == i64::MAX {
            -1
        } else {
            v.best
        }
    })?;

    let mut labels = vec![-1i64; n];
    let mut core_idx = Vec::with_capacity(n_core);
    for p in 0..n {
        labels[tree.index(p)] = label_pos[p];
        if core[p] {
            core_idx.push(tree.index(p));
        }
    }
    core_idx.sort_unstable();
    Ok(Dbscan { labels, core_sample_indices: core_idx, n_clusters: roots.len() })
}

fn precomputed<T: Float>(
    x: MatRef<'_, T>,
    w: Option<&[f64]>,
    params: &DbscanParams,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Dbscan> {
    let n = x.rows();
    if x.cols() != n {
        return Err(ClustorError::InvalidParameter {
            name: "X",
            reason: format!("a precomputed distance matrix must be square, got shape ({n}, {})", x.cols()),
        });
    }
    // scikit-learn compares the matrix with eps in the matrix's own type.
    let eps = T::of_f64(params.eps);
    let need = params.min_samples as f64;
    let monotone = !w.is_some_and(|w| w.iter().any(|&v| v < 0.0));
    let core: Vec<bool> = per_position(n, n_threads, n, mon, |i, _| {
        let mut total = 0.0;
        for (j, &dij) in x.row(i).iter().enumerate() {
            if dij <= eps {
                total += w.map_or(1.0, |w| w[j]);
                if monotone && total >= need {
                    return true;
                }
            }
        }
        total >= need
    })?;
    if params.verbose {
        mon.log(&format!("DBSCAN: {} core samples", core.iter().filter(|&&c| c).count()));
    }

    // scikit-learn's walk; a point is labelled when first reached, which gives the same
    // labels as labelling it when taken off the stack, and keeps the stack within n.
    let mut labels = vec![-1i64; n];
    let mut stack = Vec::new();
    let mut n_clusters = 0usize;
    for i in 0..n {
        if labels[i] != -1 || !core[i] {
            continue;
        }
        mon.check()?;
        let c = n_clusters as i64;
        labels[i] = c;
        stack.push(i);
        while let Some(p) = stack.pop() {
            for (j, &dpj) in x.row(p).iter().enumerate() {
                if dpj <= eps && labels[j] == -1 {
                    labels[j] = c;
                    if core[j] {
                        stack.push(j);
                    }
                }
            }
        }
        n_clusters += 1;
    }
    let core_idx = (0..n).filter(|&i| core[i]).collect();
    Ok(Dbscan { labels, core_sample_indices: core_idx, n_clusters })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;
    use crate::rng::Rng;

    /// scikit-learn's procedure, literally: all neighbourhoods stored, depth-first walk.
    fn reference(x: &[f64], n: usize, d: usize, eps: f64, min_samples: usize, w: Option<&[f64]>) -> Dbscan {
        let nb: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                (0..n)
                    .filter(|&j| {
                        let s: f64 = (0..d).map(|f| (x[i * d + f] - x[j * d + f]).powi(2)).sum();
                        s <= eps * eps
                    })
                    .collect()
            })
            .collect();
        let core: Vec<bool> =
            (0..n).map(|i| nb[i].iter().map(|&j| w.map_or(1.0, |w| w[j])).sum::<f64>() >= min_samples as f64).collect();
        let mut labels = vec![-1i64; n];
        let mut c = 0;
        for start in 0..n {
            if labels[start] != -1 || !core[start] {
                continue;
            }
            let mut stack = vec![];
            let mut i = start;
            loop {
                if labels[i] == -1 {
                    labels[i] = c;
                    if core[i] {
                        for &v in &nb[i] {
                            if labels[v] == -1 {
                                stack.push(v);
                            }
                        }
                    }
                }
                match stack.pop() {
                    Some(v) => i = v,
                    None => break,
                }
            }
            c += 1;
        }
        Dbscan { labels, core_sample_indices: (0..n).filter(|&i| core[i]).collect(), n_clusters: c as usize }
    }

    fn params(eps: f64, min_samples: usize, metric: DbscanMetric, algorithm: Algorithm) -> DbscanParams {
        DbscanParams { eps, min_samples, metric, algorithm, leaf_size: 4, verbose: false }
    }

    #[test]
    fn by_hand() {
        // Two pairs of core points and a border point (index 2) between them, nearer in
        // index to the second cluster's lowest core point but reachable from both.
        let x = vec![0.0, 1.0, 2.0, 3.0, 4.0, 10.0];
        let m = MatRef::new("X", &x, 6, 1).unwrap();
        let r = dbscan(m, None, &params(1.0, 2, DbscanMetric::Index(Metric::Euclidean), Algorithm::KdTree), 1, &Silent)
            .unwrap();
        assert_eq!(r.labels, vec![0, 0, 0, 0, 0, -1]);
        let r = dbscan(m, None, &params(1.0, 3, DbscanMetric::Index(Metric::Euclidean), Algorithm::KdTree), 1, &Silent)
            .unwrap();
        assert_eq!(r.core_sample_indices, vec![1, 2, 3]);
        assert_eq!(r.labels, vec![0, 0, 0, 0, 0, -1]);
        let x = vec![0.0, 1.0, 2.0, 3.0, 4.0];
        let w = vec![2.0, 0.0, 0.0, 0.0, 2.0];
        let m = MatRef::new("X", &x, 5, 1).unwrap();
        let r =
            dbscan(m, Some(&w), &params(1.0, 2, DbscanMetric::Index(Metric::Euclidean), Algorithm::KdTree), 1, &Silent)
                .unwrap();
        // 0 and 4 are core by their own weight, 1 and 3 by their neighbour's; 2 (weight 0
        // around it) is a border point of both clusters and takes the first.
        assert_eq!(r.core_sample_indices, vec![0, 1, 3, 4]);
        assert_eq!(r.labels, vec![0, 0, 0, 1, 1]);
        assert_eq!(r.n_clusters, 2);
    }

    #[test]
    fn matches_the_reference_walk_on_ties() {
        let mut rng = Rng::new(4);
        for trial in 0..6 {
            let (n, d) = (300, 2);
            let x: Vec<f64> = (0..n * d).map(|_| rng.below(20) as f64).collect();
            let w: Vec<f64> = (0..n).map(|_| rng.below(3) as f64 - 0.5).collect();
            for (eps, ms) in [(1.0, 3), (1.5, 4), (2.0, 6)] {
                let wopt = (trial % 2 == 1).then_some(&w[..]);
                let want = reference(&x, n, d, eps, ms, wopt);
                let m = MatRef::new("X", &x, n, d).unwrap();
                for alg in [Algorithm::KdTree, Algorithm::BallTree, Algorithm::Brute] {
                    for t in [1, 2] {
                        let p = params(eps, ms, DbscanMetric::Index(Metric::Euclidean), alg);
                        let got = dbscan(m, wopt, &p, t, &Silent).unwrap();
                        assert_eq!(got, want, "trial {trial} eps {eps} {alg:?}");
                    }
                }
                // The same distances as a matrix.
                let dm: Vec<f64> = (0..n * n)
                    .map(|k| {
                        let (i, j) = (k / n, k % n);
                        (0..d).map(|f| (x[i * d + f] - x[j * d + f]).powi(2)).sum::<f64>().sqrt()
                    })
                    .collect();
                let pm = MatRef::new("X", &dm, n, n).unwrap();
                let got = dbscan(pm, wopt, &params(eps, ms, DbscanMetric::Precomputed, Algorithm::Brute), 2, &Silent)
                    .unwrap();
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn bad_parameters() {
        let x = vec![0.0, 1.0];
        let m = MatRef::new("X", &x, 2, 1).unwrap();
        let e = DbscanMetric::Index(Metric::Euclidean);
        assert!(dbscan(m, None, &params(0.0, 2, e, Algorithm::Auto), 1, &Silent).is_err());
        assert!(dbscan(m, None, &params(f64::NAN, 2, e, Algorithm::Auto), 1, &Silent).is_err());
        assert!(dbscan(m, None, &params(1.0, 0, e, Algorithm::Auto), 1, &Silent).is_err());
        assert!(dbscan(m, Some(&[1.0]), &params(1.0, 1, e, Algorithm::Auto), 1, &Silent).is_err());
        assert!(dbscan(m, None, &params(1.0, 1, DbscanMetric::Precomputed, Algorithm::Auto), 1, &Silent).is_err());
    }
}
