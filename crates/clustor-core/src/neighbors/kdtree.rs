//! Space-partitioning trees over a row-major buffer with the dimension known at run time: the
//! KD-tree ([`KdTree`], nodes bounded by boxes) and, with the same code and another node
//! bound, the ball tree ([`super::balltree::BallTree`]).
//!
//! The rows are copied once into tree order (each node owns a contiguous range of rows), so a
//! leaf scan reads memory sequentially. Nodes split at the median of their widest dimension
//! until they hold at most `leaf_size` rows; each node keeps a [`Bound`] of its rows in f64:
//! here the tight bounding box. A tree with a single leaf is the brute-force scan: the same
//! traversal code serves both.
//!
//! Exactness: a point is within `r` when its reduced distance (see [`Kernel`]), accumulated
//! in f64 feature by feature in order, is `<= r`. The box bounds are accumulated the same way
//! from per-feature terms that are never larger (lower bound) or never smaller (upper bound)
//! than the point's own terms; rounding is monotonic, so pruning a box whose lower bound
//! exceeds `r`, or accepting a whole box whose upper bound is within `r`, gives exactly the
//! points that the direct test gives.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::marker::PhantomData;
use std::ops::Range;

use crate::float::Float;

/// One node: rows `start..end` in tree order; `left == 0` marks a leaf (the root is node 0,
/// so no child has index 0).
#[derive(Debug, Clone, Copy)]
struct Node {
    start: usize,
    end: usize,
    left: usize,
    right: usize,
}

/// A tree whose nodes are bounded by `B`. Rows are stored in tree order; [`Tree::index`]
/// maps back.
#[derive(Debug, Clone)]
pub struct Tree<T, B> {
    d: usize,
    data: Vec<T>,
    index: Vec<usize>,
    position: Vec<usize>,
    nodes: Vec<Node>,
    /// `B::width(d)` values per node.
    bounds: Vec<f64>,
    shape: PhantomData<fn() -> B>,
}

/// The KD-tree: nodes bounded by boxes.
pub type KdTree<T> = Tree<T, Boxes>;

/// What a node knows of the rows under it, and the bounds of the reduced distance it gives.
pub trait Bound {
    /// f64 values stored per node for `d` features.
    fn width(d: usize) -> usize;
    /// Fits the bound to rows `idx` of `x` (n×d) into `out` (`width(d)` values); returns the
    /// feature of largest spread (max − min) and that spread.
    fn fit<T: Float>(x: &[T], d: usize, idx: &[usize], out: &mut [f64]) -> (usize, f64);
    /// Lower bound of the reduced distance from `q` to any row of the node.
    fn min_rd<K: Kernel>(q: &[f64], b: &[f64]) -> f64;
    /// Upper bound of the reduced distance from `q` to any row of the node; exact in the
    /// sense of [`Kernel::EXACT_BOX`] (only asked when that holds).
    fn max_rd<K: Kernel>(q: &[f64], b: &[f64]) -> f64;
    /// Upper bound of the reduced distance between any two rows of the node (`d` features;
    /// +∞ unless [`Kernel::EXACT_BOX`]).
    fn diameter_rd<K: Kernel>(b: &[f64], d: usize) -> f64;
}

/// Per-feature minimum and maximum of rows `idx` of `x`, and the feature of largest spread.
pub(crate) fn extent<T: Float>(x: &[T], d: usize, idx: &[usize], lo: &mut [f64], hi: &mut [f64]) -> (usize, f64) {
    lo.fill(f64::INFINITY);
    hi.fill(f64::NEG_INFINITY);
    for &i in idx {
        for (f, v) in x[i * d..(i + 1) * d].iter().enumerate() {
            let v = v.as_f64();
            lo[f] = lo[f].min(v);
            hi[f] = hi[f].max(v);
        }
    }
    let mut dim = 0;
    let mut spread = if d == 0 { 0.0 } else { hi[0] - lo[0] };
    for f in 1..d {
        if hi[f] - lo[f] > spread {
            spread = hi[f] - lo[f];
            dim = f;
        }
    }
    (dim, spread)
}

/// Tight bounding boxes, stored as `lo` then `hi`.
#[derive(Debug, Clone, Copy)]
pub struct Boxes;

impl Bound for Boxes {
    fn width(d: usize) -> usize {
        2 * d
    }
    fn fit<T: Float>(x: &[T], d: usize, idx: &[usize], out: &mut [f64]) -> (usize, f64) {
        let (lo, hi) = out.split_at_mut(d);
        extent(x, d, idx, lo, hi)
    }
    #[inline(always)]
    fn min_rd<K: Kernel>(q: &[f64], b: &[f64]) -> f64 {
        let (lo, hi) = b.split_at(q.len());
        K::box_min(q, lo, hi)
    }
    #[inline(always)]
    fn max_rd<K: Kernel>(q: &[f64], b: &[f64]) -> f64 {
        let (lo, hi) = b.split_at(q.len());
        K::box_max(q, lo, hi)
    }
    fn diameter_rd<K: Kernel>(b: &[f64], d: usize) -> f64 {
        let (lo, hi) = b.split_at(d);
        if K::EXACT_BOX {
            K::box_max(lo, lo, hi)
        } else {
            f64::INFINITY
        }
    }
}

/// How a metric measures points and boxes, in its reduced form (monotonic in the distance:
/// squared euclidean, manhattan, cosine distance of normalised rows).
pub trait Kernel {
    /// Whether [`Kernel::box_max`] is an exact upper bound in floating point, so that a whole
    /// box can be accepted without testing its points.
    const EXACT_BOX: bool;
    /// Reduced distance between a query (f64) and a row.
    fn rdist<T: Float>(q: &[f64], x: &[T]) -> f64;
    /// Reduced distances between a query and four consecutive rows (`x`: 4×d), each the
    /// same as [`Kernel::rdist`] bit for bit (same terms, same order); the four independent
    /// sums overlap in the CPU where one sum waits on each addition.
    #[inline(always)]
    fn rdist4<T: Float>(q: &[f64], x: &[T]) -> [f64; 4] {
        let d = q.len();
        [
            Self::rdist(q, &x[..d]),
            Self::rdist(q, &x[d..2 * d]),
            Self::rdist(q, &x[2 * d..3 * d]),
            Self::rdist(q, &x[3 * d..4 * d]),
        ]
    }
    /// Lower bound of the reduced distance from `q` to any point of the box `[lo, hi]`.
    fn box_min(q: &[f64], lo: &[f64], hi: &[f64]) -> f64;
    /// Upper bound of the reduced distance from `q` to any point of the box.
    fn box_max(q: &[f64], lo: &[f64], hi: &[f64]) -> f64;
    /// Whether balls (see [`super::balltree`]) measure their radius in manhattan distance
    /// rather than euclidean.
    const BALL_L1: bool;
    /// Lower bound of the reduced distance of a point whose ball distance is at least
    /// `lb >= 0`, with the relative slack `eps` of [`super::balltree`].
    fn ball_min(lb: f64, eps: f64) -> f64;
    /// Upper bound of the reduced distance of a point whose ball distance is at most `ub`
    /// (only used when [`Kernel::EXACT_BOX`]).
    fn ball_max(ub: f64, eps: f64) -> f64;
}

/// `Σ term(q_f − x_f)` for four consecutive rows (`x`: 4×d), each sum in feature order.
#[inline(always)]
fn sum4<T: Float>(q: &[f64], x: &[T], term: impl Fn(f64) -> f64) -> [f64; 4] {
    let d = q.len();
    let (x0, x1, x2, x3) = (&x[..d], &x[d..2 * d], &x[2 * d..3 * d], &x[3 * d..4 * d]);
    let mut s = [0.0; 4];
    for f in 0..d {
        let a = q[f];
        let t = [a - x0[f].as_f64(), a - x1[f].as_f64(), a - x2[f].as_f64(), a - x3[f].as_f64()];
        for k in 0..4 {
            s[k] += term(t[k]);
        }
    }
    s
}

/// Squared euclidean distance.
#[derive(Debug, Clone, Copy)]
pub struct SqEuclidean;
/// Manhattan (L1) distance.
#[derive(Debug, Clone, Copy)]
pub struct Manhattan;
/// Cosine distance `1 − q·x` of rows normalised to unit length beforehand, clipped at 0.
#[derive(Debug, Clone, Copy)]
pub struct CosineUnit;

impl Kernel for SqEuclidean {
    const EXACT_BOX: bool = true;
    const BALL_L1: bool = false;
    #[inline(always)]
    fn ball_min(lb: f64, eps: f64) -> f64 {
        lb * lb * (1.0 - eps)
    }
    #[inline(always)]
    fn ball_max(ub: f64, eps: f64) -> f64 {
        ub * ub * (1.0 + eps)
    }
    #[inline(always)]
    fn rdist<T: Float>(q: &[f64], x: &[T]) -> f64 {
        let mut s = 0.0;
        for (a, b) in q.iter().zip(x) {
            let t = a - b.as_f64();
            s += t * t;
        }
        s
    }
    #[inline(always)]
    fn rdist4<T: Float>(q: &[f64], x: &[T]) -> [f64; 4] {
        sum4(q, x, |t| t * t)
    }
    #[inline(always)]
    fn box_min(q: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
        let mut s = 0.0;
        for ((&a, &l), &h) in q.iter().zip(lo).zip(hi) {
            let t = if a < l {
                a - l
            } else if a > h {
                a - h
            } else {
                0.0
            };
            s += t * t;
        }
        s
    }
    #[inline(always)]
    fn box_max(q: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
        let mut s = 0.0;
        for ((&a, &l), &h) in q.iter().zip(lo).zip(hi) {
            let t = (a - l).abs().max((a - h).abs());
            s += t * t;
        }
        s
    }
}

impl Kernel for Manhattan {
    const EXACT_BOX: bool = true;
    const BALL_L1: bool = true;
    #[inline(always)]
    fn ball_min(lb: f64, _eps: f64) -> f64 {
        lb
    }
    #[inline(always)]
    fn ball_max(ub: f64, _eps: f64) -> f64 {
        ub
    }
    #[inline(always)]
    fn rdist<T: Float>(q: &[f64], x: &[T]) -> f64 {
        let mut s = 0.0;
        for (a, b) in q.iter().zip(x) {
            s += (a - b.as_f64()).abs();
        }
        s
    }
    #[inline(always)]
    fn rdist4<T: Float>(q: &[f64], x: &[T]) -> [f64; 4] {
        sum4(q, x, f64::abs)
    }
    #[inline(always)]
    fn box_min(q: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
        let mut s = 0.0;
        for ((&a, &l), &h) in q.iter().zip(lo).zip(hi) {
            s += if a < l {
                l - a
            } else if a > h {
                a - h
            } else {
                0.0
            };
        }
        s
    }
    #[inline(always)]
    fn box_max(q: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
        let mut s = 0.0;
        for ((&a, &l), &h) in q.iter().zip(lo).zip(hi) {
            s += (a - l).abs().max((a - h).abs());
        }
        s
    }
}

/// Slack of the cosine box bound: rows stored as f32 after normalising are unit length only
/// to ~1e-7, so `‖q − x‖²/2` and `1 − q·x` differ by that much.
const COSINE_SLACK: f64 = 1e-5;

impl Kernel for CosineUnit {
    const EXACT_BOX: bool = false;
    const BALL_L1: bool = false;
    #[inline(always)]
    fn ball_min(lb: f64, _eps: f64) -> f64 {
        // As in `box_min`: ‖q − x‖²/2 <= 1 − q·x for |q|, |x| <= 1.
        0.5 * lb * lb - COSINE_SLACK
    }
    #[inline(always)]
    fn ball_max(_ub: f64, _eps: f64) -> f64 {
        f64::INFINITY
    }
    #[inline(always)]
    fn rdist<T: Float>(q: &[f64], x: &[T]) -> f64 {
        let mut s = 0.0;
        for (a, b) in q.iter().zip(x) {
            s += a * b.as_f64();
        }
        (1.0 - s).max(0.0)
    }
    #[inline(always)]
    fn box_min(q: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
        // For |q|, |x| <= 1: ‖q − x‖²/2 = (|q|² + |x|²)/2 − q·x <= 1 − q·x.
        0.5 * SqEuclidean::box_min(q, lo, hi) - COSINE_SLACK
    }
    #[inline(always)]
    fn box_max(_q: &[f64], _lo: &[f64], _hi: &[f64]) -> f64 {
        f64::INFINITY
    }
}

/// What a radius traversal does with what it finds.
pub trait Visitor {
    /// Whether the visitor takes whole boxes ([`Visitor::all`]) without their distances.
    const NODES: bool;
    /// A point at tree position `pos` within the radius, with its reduced distance.
    /// Returns false to stop the traversal.
    fn point(&mut self, pos: usize, rd: f64) -> bool;
    /// All points at tree positions `range` are within the radius (only when
    /// [`Visitor::NODES`]). Returns false to stop the traversal.
    fn all(&mut self, range: Range<usize>) -> bool {
        range.into_iter().all(|p| self.point(p, f64::NAN))
    }
    /// Whether the visitor asks [`Visitor::wants`] before entering a node.
    const RANGES: bool = false;
    /// Whether any point at tree positions `range` matters to the visitor (only when
    /// [`Visitor::RANGES`]); a node it does not want is skipped with its points.
    fn wants(&mut self, _range: Range<usize>) -> bool {
        true
    }
}

/// Visits the rows at positions `range` of `data` (rows of `d` values) whose reduced
/// distance to `q` is `<= r`, four rows at a time. Returns false when the visitor stopped.
#[inline(always)]
pub fn scan_within<K: Kernel, T: Float, V: Visitor>(
    q: &[f64],
    data: &[T],
    d: usize,
    range: Range<usize>,
    r: f64,
    v: &mut V,
) -> bool {
    let mut p = range.start;
    while p + 4 <= range.end {
        let rd = K::rdist4(q, &data[p * d..(p + 4) * d]);
        for (k, &rd) in rd.iter().enumerate() {
            if rd <= r && !v.point(p + k, rd) {
                return false;
            }
        }
        p += 4;
    }
    for p in p..range.end {
        let rd = K::rdist(q, &data[p * d..(p + 1) * d]);
        if rd <= r && !v.point(p, rd) {
            return false;
        }
    }
    true
}

/// A candidate of a k-nearest query, ordered by (reduced distance, original index).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cand(f64, usize);
impl Eq for Cand {}
impl PartialOrd for Cand {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Cand {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.total_cmp(&o.0).then(self.1.cmp(&o.1))
    }
}

impl<T: Float, B: Bound> Tree<T, B> {
    /// Builds the tree over `x` (n×d, row-major; finite values). `leaf_size >= 1`; a
    /// `leaf_size >= n` gives a single leaf (the brute-force scan).
    pub fn build(x: &[T], n: usize, d: usize, leaf_size: usize) -> Self {
        let leaf_size = leaf_size.max(1);
        let w = B::width(d);
        let mut index: Vec<usize> = (0..n).collect();
        let mut nodes = Vec::with_capacity(2 * n.div_ceil(leaf_size) + 1);
        let mut bounds = Vec::with_capacity(nodes.capacity() * w);
        // Explicit stack of (node id, start, end); nodes are created parent first.
        nodes.push(Node { start: 0, end: n, left: 0, right: 0 });
        let mut stack = vec![0usize];
        bounds.resize(w, 0.0);
        while let Some(id) = stack.pop() {
            let Node { start, end, .. } = nodes[id];
            let (dim, spread) = B::fit(x, d, &index[start..end], &mut bounds[w * id..w * (id + 1)]);
            if n == 0 || end - start <= leaf_size {
                continue;
            }
            if !(spread > 0.0) {
                // All rows identical: nothing to split.
                continue;
            }
            let mid = start + (end - start) / 2;
            index[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
                x[a * d + dim].partial_cmp(&x[b * d + dim]).unwrap_or(Ordering::Equal).then(a.cmp(&b))
            });
            let left = nodes.len();
            nodes.push(Node { start, end: mid, left: 0, right: 0 });
            nodes.push(Node { start: mid, end, left: 0, right: 0 });
            bounds.resize(bounds.len() + 2 * w, 0.0);
            nodes[id].left = left;
            nodes[id].right = left + 1;
            stack.push(left + 1);
            stack.push(left);
        }
        let mut data = Vec::with_capacity(n * d);
        for &i in &index {
            data.extend_from_slice(&x[i * d..(i + 1) * d]);
        }
        let mut position = vec![0; n];
        for (p, &i) in index.iter().enumerate() {
            position[i] = p;
        }
        Self { d, data, index, position, nodes, bounds, shape: PhantomData }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when the tree holds no rows.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Number of features.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Number of nodes (1 for the brute-force scan).
    pub fn n_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// Original row of tree position `pos`.
    #[inline(always)]
    pub fn index(&self, pos: usize) -> usize {
        self.index[pos]
    }

    /// Original rows of all tree positions.
    pub fn indices(&self) -> &[usize] {
        &self.index
    }

    /// Tree position of original row `i`.
    #[inline(always)]
    pub fn position(&self, i: usize) -> usize {
        self.position[i]
    }

    /// Row at tree position `pos`.
    #[inline(always)]
    pub fn row(&self, pos: usize) -> &[T] {
        &self.data[pos * self.d..(pos + 1) * self.d]
    }

    /// The leaves, in tree order: their tree positions and an upper bound of the reduced
    /// distance between any two of their rows (+∞ unless [`Kernel::EXACT_BOX`]), exact like
    /// the distances it bounds.
    pub fn leaves<K: Kernel>(&self) -> impl Iterator<Item = (Range<usize>, f64)> + '_ {
        (0..self.nodes.len())
            .filter(|&id| self.nodes[id].left == 0)
            .map(move |id| (self.nodes[id].start..self.nodes[id].end, B::diameter_rd::<K>(self.bound(id), self.d)))
    }

    #[inline(always)]
    fn bound(&self, node: usize) -> &[f64] {
        let w = B::width(self.d);
        &self.bounds[w * node..w * (node + 1)]
    }

    /// Visits every point whose reduced distance to `q` is `<= r`.
    /// Returns false when the visitor stopped the traversal.
    #[inline]
    pub fn visit_within<K: Kernel, V: Visitor>(&self, q: &[f64], r: f64, v: &mut V) -> bool {
        if self.is_empty() {
            return true;
        }
        self.visit_node::<K, V>(0, q, r, v)
    }

    fn visit_node<K: Kernel, V: Visitor>(&self, id: usize, q: &[f64], r: f64, v: &mut V) -> bool {
        let node = self.nodes[id];
        if V::RANGES && !v.wants(node.start..node.end) {
            return true;
        }
        let b = self.bound(id);
        if B::min_rd::<K>(q, b) > r {
            return true;
        }
        if V::NODES && K::EXACT_BOX && B::max_rd::<K>(q, b) <= r {
            return v.all(node.start..node.end);
        }
        if node.left == 0 {
            return scan_within::<K, T, V>(q, &self.data, self.d, node.start..node.end, r, v);
        }
        self.visit_node::<K, V>(node.left, q, r, v) && self.visit_node::<K, V>(node.right, q, r, v)
    }

    /// The `k` points nearest to `q` as (reduced distance, original index), sorted by
    /// distance then index (so ties resolve to the lowest index, whatever the tree shape).
    /// `seed = Some((pos, i))` makes row `i` (the query's own row, at tree position `pos`,
    /// not measured) the first of the `k`, at distance 0, before the `k − 1` nearest others.
    pub fn nearest<K: Kernel>(&self, q: &[f64], k: usize, seed: Option<(usize, usize)>) -> Vec<(f64, usize)> {
        if k == 0 {
            return Vec::new();
        }
        // The seed is kept apart, first, even when other rows tie with it at distance 0.
        let (others, skip) = match seed {
            Some((pos, _)) => (k - 1, pos),
            None => (k, usize::MAX),
        };
        let mut heap = BinaryHeap::with_capacity(others + 1);
        if !self.is_empty() && others > 0 {
            self.nearest_node::<K>(0, B::min_rd::<K>(q, self.bound(0)), q, others, skip, &mut heap);
        }
        let mut out: Vec<(f64, usize)> = heap.into_vec().into_iter().map(|c| (c.0, c.1)).collect();
        out.sort_by_key(|a| Cand(a.0, a.1));
        if let Some((_, i)) = seed {
            out.insert(0, (0.0, i));
        }
        out
    }

    fn nearest_node<K: Kernel>(
        &self,
        id: usize,
        bound: f64,
        q: &[f64],
        k: usize,
        skip: usize,
        heap: &mut BinaryHeap<Cand>,
    ) {
        // Strict test: a box at exactly the k-th distance may still hold a lower index.
        if heap.len() == k && bound > heap.peek().map_or(f64::INFINITY, |c| c.0) {
            return;
        }
        let node = self.nodes[id];
        if node.left == 0 {
            for p in node.start..node.end {
                if p == skip {
                    continue;
                }
                let c = Cand(K::rdist(q, self.row(p)), self.index[p]);
                if heap.len() < k {
                    heap.push(c);
                } else if heap.peek().is_some_and(|w| c < *w) {
                    heap.pop();
                    heap.push(c);
                }
            }
            return;
        }
        let bl = B::min_rd::<K>(q, self.bound(node.left));
        let br = B::min_rd::<K>(q, self.bound(node.right));
        if bl <= br {
            self.nearest_node::<K>(node.left, bl, q, k, skip, heap);
            self.nearest_node::<K>(node.right, br, q, k, skip, heap);
        } else {
            self.nearest_node::<K>(node.right, br, q, k, skip, heap);
            self.nearest_node::<K>(node.left, bl, q, k, skip, heap);
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Collects positions and reduced distances.
    pub(crate) struct Collect(pub(crate) Vec<(usize, f64)>);
    impl Visitor for Collect {
        const NODES: bool = false;
        fn point(&mut self, pos: usize, rd: f64) -> bool {
            self.0.push((pos, rd));
            true
        }
    }

    /// Counts with whole nodes, recording them.
    pub(crate) struct Count(pub(crate) usize, pub(crate) Vec<Range<usize>>);
    impl Visitor for Count {
        const NODES: bool = true;
        fn point(&mut self, _: usize, _: f64) -> bool {
            self.0 += 1;
            true
        }
        fn all(&mut self, r: Range<usize>) -> bool {
            self.0 += r.len();
            self.1.push(r);
            true
        }
    }

    fn grid(n: usize, d: usize, seed: u64) -> Vec<f64> {
        let mut r = Rng::new(seed);
        (0..n * d).map(|_| r.below(7) as f64).collect()
    }

    #[test]
    fn tree_is_a_permutation_with_tight_leaves() {
        let (n, d) = (1000, 3);
        let x = grid(n, d, 1);
        let t = KdTree::build(&x, n, d, 10);
        let mut seen = vec![false; n];
        for p in 0..n {
            assert!(!seen[t.index(p)]);
            seen[t.index(p)] = true;
            assert_eq!(t.position(t.index(p)), p);
            assert_eq!(t.row(p), &x[t.index(p) * d..(t.index(p) + 1) * d]);
        }
        assert!(t.n_nodes() > 1);
    }

    #[test]
    fn radius_and_count_match_a_scan_on_ties() {
        let (n, d) = (700, 2);
        let x = grid(n, d, 2);
        let t = KdTree::build(&x, n, d, 5);
        for qi in (0..n).step_by(37) {
            let q: Vec<f64> = x[qi * d..(qi + 1) * d].to_vec();
            for r in [0.0, 1.0, 2.0, 4.0, 5.0] {
                let want: Vec<usize> =
                    (0..n).filter(|&j| SqEuclidean::rdist(&q, &x[j * d..(j + 1) * d]) <= r).collect();
                let mut c = Collect(Vec::new());
                t.visit_within::<SqEuclidean, _>(&q, r, &mut c);
                let mut got: Vec<usize> = c.0.iter().map(|&(p, _)| t.index(p)).collect();
                got.sort_unstable();
                assert_eq!(got, want);
                let mut cnt = Count(0, Vec::new());
                t.visit_within::<SqEuclidean, _>(&q, r, &mut cnt);
                assert_eq!(cnt.0, want.len());
                let wm = (0..n).filter(|&j| Manhattan::rdist(&q, &x[j * d..(j + 1) * d]) <= r).count();
                let mut cm = Count(0, Vec::new());
                t.visit_within::<Manhattan, _>(&q, r, &mut cm);
                assert_eq!(cm.0, wm);
            }
        }
    }

    #[test]
    fn nearest_breaks_ties_by_index() {
        let (n, d) = (500, 2);
        let x = grid(n, d, 3);
        let t = KdTree::build(&x, n, d, 4);
        for qi in (0..n).step_by(29) {
            let q: Vec<f64> = x[qi * d..(qi + 1) * d].to_vec();
            let mut all: Vec<(f64, usize)> =
                (0..n).map(|j| (SqEuclidean::rdist(&q, &x[j * d..(j + 1) * d]), j)).collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for k in [1, 7, 30] {
                assert_eq!(t.nearest::<SqEuclidean>(&q, k, None), all[..k].to_vec());
            }
        }
    }

    #[test]
    fn empty_and_identical_rows() {
        let t = KdTree::<f64>::build(&[], 0, 2, 3);
        assert!(t.nearest::<SqEuclidean>(&[0.0, 0.0], 3, None).is_empty());
        let x = vec![1.0f32; 2 * 50];
        let t = KdTree::build(&x, 50, 2, 3);
        assert_eq!(t.n_nodes(), 1);
        let mut c = Count(0, Vec::new());
        t.visit_within::<SqEuclidean, _>(&[1.0, 1.0], 0.0, &mut c);
        assert_eq!(c.0, 50);
    }
}
