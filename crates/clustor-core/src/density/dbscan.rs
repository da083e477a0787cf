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
//! So no neighbourhood is ever stored. Pass 1 counts neighbours (stopping at `min_samples`),
//! keeping the few neighbours of points that are not core; pass 2 joins core points within
//! `eps` with a lock-free union-find; pass 3 gives every non-core point its cluster. All
//! passes run in parallel over tree (or grid cell) positions (rows close in space are close
//! in memory), and the result does not depend on the thread count.
//!
//! `Algorithm::Auto` in up to 3 features (euclidean, manhattan) uses a grid of cells of side
//! about `eps/√d` (module `density::grid`): a cell holding `min_samples` points is all core without
//! a query, and tight cells are joined pair by pair with an early exit instead of point by
//! point.
//!
//! A precomputed distance matrix may be asymmetric (row `i` is `i`'s neighbourhood, as in
//! scikit-learn); there the expansion follows scikit-learn's walk literally, row by row.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::grid::{BoxPair, Grid, MAX_GRID_FEATURES};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::neighbors::{
    Algorithm, Bound, Boxes, CosineUnit, Kernel, Manhattan, Metric, NeighborIndex, SearchTree, SqEuclidean, Tree,
    Visitor,
};
use crate::parallel::{self, ChunkPlan};

/// Rows per chunk of the parallel passes.
const CHUNK_ROWS: usize = 512;

/// Cells per chunk of the grid's cell-pair pass.
const CELL_CHUNK: usize = 256;

/// Most neighbours kept per non-core point from pass 1 for pass 3 (more are found again).
const LIST_CAP: usize = 32;

/// Above this many points, a cell that is not all core counts against the grid.
const GRID_SPARSE_CELL: usize = 64;

/// Marks a point whose neighbours were not kept.
const NOT_LISTED: u32 = u32::MAX;

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
            if let Some(g) = grid(x, metric, params) {
                if params.verbose {
                    mon.log(&format!("DBSCAN: {} samples in {} grid cells", x.rows(), g.n_cells()));
                }
                return run(&Space::<T, Boxes>::Grid(&g), metric, w.as_deref(), params, n_threads, mon);
            }
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

/// The grid of cells that `Algorithm::Auto` uses in few dimensions (euclidean or manhattan).
fn grid<T: Float>(x: MatRef<'_, T>, metric: Metric, params: &DbscanParams) -> Option<Grid<T>> {
    if params.algorithm != Algorithm::Auto || x.cols() > MAX_GRID_FEATURES {
        return None;
    }
    let r = metric.reduce(params.eps);
    let g = match metric {
        Metric::Euclidean => Grid::build::<SqEuclidean>(x, params.eps, r),
        Metric::Manhattan => Grid::build::<Manhattan>(x, params.eps, r),
        Metric::Cosine => None,
    }?;
    // A query scans a partly covered cell whole, so large cells that are not all core make
    // the counts slower than the tree's: the grid pays where cells are small or dense (the
    // choice changes the time only, never the result).
    let sparse: usize =
        (0..g.n_cells()).map(|c| g.cell(c).len()).filter(|&m| m > GRID_SPARSE_CELL && m < params.min_samples).sum();
    (2 * sparse <= x.rows()).then_some(g)
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
    /// The neighbours met (positions, the point itself left out), up to `cap`.
    found: &'a mut Vec<u32>,
    cap: usize,
    /// More than `cap` neighbours were met.
    full: bool,
}

impl CoreCount<'_> {
    #[inline(always)]
    fn keep(&mut self, r: Range<usize>) {
        if self.full {
            return;
        }
        let me = self.me;
        let k = r.len() - r.contains(&me) as usize;
        if self.found.len() + k > self.cap {
            self.full = true;
        } else {
            self.found.extend(r.filter(|&p| p != me).map(|p| p as u32));
        }
    }
}

impl Visitor for CoreCount<'_> {
    const NODES: bool = true;
    #[inline(always)]
    fn point(&mut self, pos: usize, _: f64) -> bool {
        if pos != self.me {
            self.total += self.w.map_or(1.0, |w| w[pos]);
            self.keep(pos..pos + 1);
        }
        !(self.monotone && self.total >= self.need)
    }
    #[inline(always)]
    fn all(&mut self, r: Range<usize>) -> bool {
        self.keep(r.clone());
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

/// Leaves of the tree or cells of the grid whose diameter is within `eps` ("tight"): all
/// their points are neighbours of each other, so their core points form one connected group,
/// and a whole such group inside a query's radius is handled through one representative.
struct TightLeaves {
    /// Per tree position: the end of its leaf when the leaf is tight, else 0.
    end: Vec<usize>,
    /// Per tree position in a tight leaf: the leaf's first core position (usize::MAX: none).
    rep: Vec<usize>,
}

/// Joins core point `me` with the core points within `eps`: with `lower_only`, single
/// points only at higher positions (when every core point queries, each pair is seen from
/// both ends).
struct JoinCores<'a> {
    me: usize,
    core: &'a [bool],
    tight: &'a TightLeaves,
    uf: &'a UnionFind,
    lower_only: bool,
}

impl Visitor for JoinCores<'_> {
    const NODES: bool = true;
    #[inline(always)]
    fn point(&mut self, pos: usize, _: f64) -> bool {
        if (pos > self.me || (!self.lower_only && pos != self.me)) && self.core[pos] {
            self.uf.union(self.me, pos);
        }
        true
    }
    const RANGES: bool = true;
    #[inline(always)]
    fn wants(&mut self, r: Range<usize>) -> bool {
        // From the lower end only: a pair with a lower point is joined from there.
        !self.lower_only || r.end > self.me + 1
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

/// Runs `f` over the positions in parallel chunks (polling `mon`), results in order.
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

/// Where the rows are and how a neighbourhood is visited: the tree (KD or ball) of an index,
/// or a grid of cells (few features). Positions are tree or cell order.
enum Space<'a, T, B> {
    Tree(&'a Tree<T, B>),
    Grid(&'a Grid<T>),
}

impl<T: Float, B: Bound> Space<'_, T, B> {
    fn len(&self) -> usize {
        match self {
            Space::Tree(t) => t.len(),
            Space::Grid(g) => g.len(),
        }
    }

    #[inline(always)]
    fn index(&self, pos: usize) -> usize {
        match self {
            Space::Tree(t) => t.index(pos),
            Space::Grid(g) => g.index(pos),
        }
    }

    #[inline(always)]
    fn row(&self, pos: usize) -> &[T] {
        match self {
            Space::Tree(t) => t.row(pos),
            Space::Grid(g) => g.row(pos),
        }
    }

    /// Leaves or cells: positions and an upper bound of the reduced distance between any
    /// two of their rows (exact like the distances it bounds; none for cosine).
    fn groups(&self, metric: Metric) -> Vec<(Range<usize>, f64)> {
        match (self, metric) {
            (_, Metric::Cosine) => Vec::new(),
            (Space::Tree(t), Metric::Euclidean) => t.leaves::<SqEuclidean>().collect(),
            (Space::Tree(t), Metric::Manhattan) => t.leaves::<Manhattan>().collect(),
            (Space::Grid(g), Metric::Euclidean) => {
                g.cells().map(|(range, lo, hi)| (range, SqEuclidean::box_max(lo, lo, hi))).collect()
            }
            (Space::Grid(g), Metric::Manhattan) => {
                g.cells().map(|(range, lo, hi)| (range, Manhattan::box_max(lo, lo, hi))).collect()
            }
        }
    }

    /// Visits the points within `r` of `q`, the row at position `pos`.
    #[inline(always)]
    fn visit<K: Kernel, V: Visitor>(&self, q: &[f64], pos: usize, r: f64, v: &mut V) -> bool {
        match self {
            Space::Tree(t) => t.visit_within::<K, V>(q, r, v),
            Space::Grid(g) => g.visit_within::<K, V>(q, g.cell_of(pos), r, v),
        }
    }
}

fn with_index<T: Float>(
    index: &NeighborIndex<T>,
    w: Option<&[f64]>,
    params: &DbscanParams,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Dbscan> {
    match index.tree() {
        SearchTree::Kd(t) => run(&Space::Tree(t), index.metric(), w, params, n_threads, mon),
        SearchTree::Ball(t) => run(&Space::Tree(t), index.metric(), w, params, n_threads, mon),
    }
}

/// Joins the core points of tight cells near each other: a pair of cells not yet in one
/// component is joined by the first core pair within `r` (or at once when their boxes are).
fn join_cells<T: Float, K: BoxPair>(
    g: &Grid<T>,
    r: f64,
    core: &[bool],
    tight: &TightLeaves,
    uf: &UnionFind,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<()> {
    // The representative of a tight cell with core points.
    let rep = |c: usize| {
        let s = g.cell(c).start;
        (tight.end[s] != 0 && tight.rep[s] != usize::MAX).then(|| tight.rep[s])
    };
    let pool = parallel::pool(n_threads)?;
    let plan = ChunkPlan::with_chunk_rows(g.n_cells(), CELL_CHUNK);
    parallel::map_chunks_polled(&pool, plan, 32 * CHUNK_ROWS, mon, |cells| {
        let mut q = Vec::new();
        for a in cells {
            let Some(ra) = rep(a) else { continue };
            let (alo, ahi) = g.bbox(a);
            for &b in g.near(a).iter().filter(|&&b| b as usize > a) {
                let b = b as usize;
                let Some(rb) = rep(b) else { continue };
                // Joined already (a component only grows, so a stale answer costs only time).
                if uf.find(ra) == uf.find(rb) {
                    continue;
                }
                let (blo, bhi) = g.bbox(b);
                if K::pair_max(alo, ahi, blo, bhi) <= r {
                    uf.union(ra, rb);
                    continue;
                }
                'pairs: for pa in g.cell(a).filter(|&p| core[p]) {
                    q.clear();
                    q.extend(g.row(pa).iter().map(|v| v.as_f64()));
                    if K::box_min(&q, blo, bhi) > r {
                        continue;
                    }
                    for pb in g.cell(b).filter(|&p| core[p]) {
                        if K::rdist(&q, g.row(pb)) <= r {
                            uf.union(ra, rb);
                            break 'pairs;
                        }
                    }
                }
            }
        }
    })?;
    Ok(())
}

fn run<T: Float, B: Bound>(
    space: &Space<'_, T, B>,
    metric: Metric,
    w: Option<&[f64]>,
    params: &DbscanParams,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Dbscan> {
    let n = space.len();
    let r = metric.reduce(params.eps);
    let need = params.min_samples as f64;
    let wpos: Option<Vec<f64>> = w.map(|w| (0..n).map(|p| w[space.index(p)]).collect());
    let monotone = !w.is_some_and(|w| w.iter().any(|&v| v < 0.0));
    let d = if n > 0 { space.row(0).len() } else { 1 };
    let work = 64 * d * params.min_samples.max(8);
    let load = |p: usize, q: &mut Vec<f64>| {
        q.clear();
        q.extend(space.row(p).iter().map(|v| v.as_f64()));
    };
    macro_rules! visit {
        ($q:expr, $pos:expr, $v:expr) => {
            match metric {
                Metric::Euclidean => space.visit::<SqEuclidean, _>($q, $pos, r, $v),
                Metric::Manhattan => space.visit::<Manhattan, _>($q, $pos, r, $v),
                Metric::Cosine => space.visit::<CosineUnit, _>($q, $pos, r, $v),
            }
        };
    }

    // Tight leaves or cells (exact: the bound is accumulated like the distances it bounds).
    let mut tight = TightLeaves { end: vec![0; n], rep: vec![usize::MAX; n] };
    let mut dense = vec![false; n];
    for (range, diameter) in space.groups(metric) {
        if range.is_empty() || !(diameter <= r) {
            continue;
        }
        let total: f64 = wpos.as_ref().map_or(range.len() as f64, |w| w[range.clone()].iter().sum());
        for p in range.clone() {
            tight.end[p] = range.end;
            // With no negative weight, a tight group holding min_samples is all core.
            dense[p] = monotone && total >= need;
        }
    }

    // Pass 1: core points (the point itself always counts: its distance to itself is 0).
    // The neighbours of a point that is not core are kept for pass 3 when they are few
    // (always, without weights: fewer than min_samples).
    let cap = if n < u32::MAX as usize { LIST_CAP } else { 0 };
    let pool = parallel::pool(n_threads)?;
    let mut core: Vec<bool> = Vec::with_capacity(n);
    let mut listed: Vec<bool> = Vec::with_capacity(n);
    let mut list_start: Vec<usize> = Vec::with_capacity(n + 1);
    let mut lists: Vec<u32> = Vec::new();
    let plan = ChunkPlan::with_chunk_rows(n, CHUNK_ROWS);
    parallel::fold_chunks_polled(
        &pool,
        plan,
        work,
        mon,
        |rows| {
            let (mut q, mut found) = (Vec::new(), Vec::new());
            let (mut is_core, mut lens, mut nb) =
                (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()), Vec::new());
            for p in rows {
                let own = wpos.as_ref().map_or(1.0, |w| w[p]);
                if dense[p] || (monotone && own >= need) {
                    is_core.push(true);
                    lens.push(NOT_LISTED);
                    continue;
                }
                load(p, &mut q);
                found.clear();
                let mut c = CoreCount {
                    me: p,
                    total: own,
                    need,
                    w: wpos.as_deref(),
                    monotone,
                    found: &mut found,
                    cap,
                    full: false,
                };
                visit!(&q, p, &mut c);
                let (yes, full) = (c.total >= need, c.full);
                is_core.push(yes);
                if yes || full {
                    lens.push(NOT_LISTED);
                } else {
                    lens.push(found.len() as u32);
                    nb.extend_from_slice(&found);
                }
            }
            (is_core, lens, nb)
        },
        |_, (is_core, lens, nb)| {
            core.extend(is_core);
            let mut at = lists.len();
            for len in lens {
                list_start.push(at);
                listed.push(len != NOT_LISTED);
                if len != NOT_LISTED {
                    at += len as usize;
                }
            }
            lists.extend(nb);
        },
    )?;
    list_start.push(lists.len());
    let n_core = core.iter().filter(|&&c| c).count();
    if params.verbose {
        mon.log(&format!("DBSCAN: {n_core} core samples"));
    }
    drop(dense);

    // Pass 2: connected components of the core points, tight groups joined first.
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
    match space {
        Space::Tree(_) => {
            // Each pair is seen from both ends: single points are joined from the lower one.
            per_position(n, n_threads, work * 4, mon, |p, q| {
                if core[p] {
                    load(p, q);
                    visit!(q, p, &mut JoinCores { me: p, core: &core, tight: &tight, uf: &uf, lower_only: true });
                }
            })?;
        }
        Space::Grid(g) => {
            // Core points of cells that are not tight (rare: rounding) join all their core
            // neighbours; tight cells join each other cell by cell.
            per_position(n, n_threads, work * 4, mon, |p, q| {
                if core[p] && (tight.end[p] == 0 || metric == Metric::Cosine) {
                    load(p, q);
                    visit!(q, p, &mut JoinCores { me: p, core: &core, tight: &tight, uf: &uf, lower_only: false });
                }
            })?;
            match metric {
                Metric::Euclidean => join_cells::<T, SqEuclidean>(g, r, &core, &tight, &uf, n_threads, mon)?,
                Metric::Manhattan => join_cells::<T, Manhattan>(g, r, &core, &tight, &uf, n_threads, mon)?,
                Metric::Cosine => {}
            }
        }
    }

    // Clusters numbered by their lowest core index.
    let mut lowest = vec![usize::MAX; n];
    for p in (0..n).filter(|&p| core[p]) {
        let root = uf.find(p);
        lowest[root] = lowest[root].min(space.index(p));
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
        let best = if listed[p] {
            lists[list_start[p]..list_start[p + 1]].iter().map(|&j| cluster[j as usize]).filter(|&c| c >= 0).min()
        } else {
            load(p, q);
            let mut v = LowestCluster { cluster: &cluster, tight: &tight, best: i64::MAX };
            visit!(q, p, &mut v);
            (v.best != i64::MAX).then_some(v.best)
        };
        best.unwrap_or(-1)
    })?;

    let mut labels = vec![-1i64; n];
    let mut core_idx = Vec::with_capacity(n_core);
    for p in 0..n {
        labels[space.index(p)] = label_pos[p];
        if core[p] {
            core_idx.push(space.index(p));
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
        reference_metric(x, n, d, eps, min_samples, w, Metric::Euclidean)
    }

    fn reference_metric(
        x: &[f64],
        n: usize,
        d: usize,
        eps: f64,
        min_samples: usize,
        w: Option<&[f64]>,
        metric: Metric,
    ) -> Dbscan {
        let nb: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                (0..n)
                    .filter(|&j| match metric {
                        Metric::Manhattan => (0..d).map(|f| (x[i * d + f] - x[j * d + f]).abs()).sum::<f64>() <= eps,
                        _ => (0..d).map(|f| (x[i * d + f] - x[j * d + f]).powi(2)).sum::<f64>() <= eps * eps,
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
    fn grid_matches_the_reference_and_the_tree() {
        // Integer grids (many pairs at exactly eps), blobs of varying density, weights with
        // negative values, f32 and f64, 1 and 2 threads, 1 to 3 features.
        let mut rng = Rng::new(11);
        for trial in 0..12 {
            let d = 1 + trial % 3;
            let n = 250 + 40 * trial;
            let x: Vec<f64> = if trial % 2 == 0 {
                (0..n * d).map(|_| rng.below(12) as f64 * 0.5).collect()
            } else {
                let centres: Vec<f64> = (0..4 * d).map(|_| rng.uniform() * 10.0).collect();
                (0..n)
                    .flat_map(|i| {
                        let c = i % 4;
                        let sd = 0.2 + 0.4 * c as f64;
                        (0..d).map(|f| centres[c * d + f] + sd * (rng.uniform() - 0.5) * 3.0).collect::<Vec<_>>()
                    })
                    .collect()
            };
            let w: Vec<f64> = (0..n).map(|_| rng.below(4) as f64 * 0.75 - 0.5).collect();
            let wpos: Vec<f64> = w.iter().map(|v| v.abs() + 0.25).collect();
            for (eps, ms) in [(0.5, 3), (1.0, 5), (1.5, 12), (0.7, 1)] {
                for metric in [Metric::Euclidean, Metric::Manhattan] {
                    for wopt in [None, Some(&w[..]), Some(&wpos[..])] {
                        let want = reference_metric(&x, n, d, eps, ms, wopt, metric);
                        let m = MatRef::new("X", &x, n, d).unwrap();
                        let p = params(eps, ms, DbscanMetric::Index(metric), Algorithm::Auto);
                        assert!(grid(m, metric, &p).is_some());
                        for t in [1, 2] {
                            let got = dbscan(m, wopt, &p, t, &Silent).unwrap();
                            assert_eq!(got, want, "trial {trial} eps {eps} {metric:?} threads {t}");
                        }
                        let tree = params(eps, ms, DbscanMetric::Index(metric), Algorithm::KdTree);
                        assert_eq!(dbscan(m, wopt, &tree, 2, &Silent).unwrap(), want);
                        // f32 rows holding the same (exactly representable) values.
                        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
                        if trial % 2 == 0 {
                            let w32: Option<Vec<f32>> = wopt.map(|w| w.iter().map(|&v| v as f32).collect());
                            let m32 = MatRef::new("X", &x32, n, d).unwrap();
                            assert_eq!(dbscan(m32, w32.as_deref(), &p, 2, &Silent).unwrap(), want);
                        }
                    }
                }
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
