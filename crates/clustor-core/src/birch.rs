//! BIRCH's clustering-feature tree, in flat arrays, built as scikit-learn builds it.
//!
//! Each node stores its subclusters as parallel arrays (sample count, linear sum, squared
//! sum, centroid, squared norm of the centroid, child node); nodes live in one vector and
//! refer to each other by index. The whole tree converts to and from a handful of flat
//! arrays ([`TreeArrays`]), which is how the Python estimator keeps it between
//! `partial_fit` calls and pickles it.
//!
//! Inserts follow scikit-learn's `_CFNode.insert_cf_subcluster` rule for rule, with its
//! float arithmetic (in the data's type, as NumPy computes it for float32 and float64):
//! - the closest subcluster minimises `−2·c·x + ‖c‖²` (first index on ties);
//! - a sample descends into the closest subcluster's child; when the child did not split,
//!   the subcluster absorbs the sample (`centroid = ls / n`);
//! - in a leaf, the sample merges into the closest subcluster when the merged squared radius
//!   `ss/n − ‖(1/n)·ls‖²` is at most `threshold²`, else it starts a new subcluster, and a
//!   node holding more than `branching_factor` subclusters is split;
//! - a split puts the two subclusters farthest apart (first maximum of the squared distance
//!   matrix, computed in f64 as `−2·cᵢ·cⱼ + ‖cᵢ‖² + ‖cⱼ‖²`, clipped at 0, diagonal 0) into two
//!   new nodes and sends every other subcluster to the nearer of them (ties to the second),
//!   keeping the order of the subclusters and of the leaves.
//!
//! The split distances reproduce NumPy's operations bit for bit (their rounding decides the
//! order of the two new nodes). Other dot products are summed left to right, as OpenBLAS's
//! `ddot` does below 16 features; its matrix-vector product (the closest-subcluster search)
//! sums in another order, so a decision within a few ulps of a tie may go the other way.

use crate::distance::sq_dist;
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::parallel::{self, ChunkPlan};

const NONE: usize = usize::MAX;

/// One node: up to `branching_factor + 1` subclusters as parallel arrays.
#[derive(Debug, Clone)]
struct Node<T> {
    is_leaf: bool,
    /// Previous and next leaf in the leaf chain (`NONE` at the ends).
    prev: usize,
    next: usize,
    n: Vec<i64>,
    /// Linear sums, `len × d`.
    ls: Vec<T>,
    ss: Vec<T>,
    /// Centroids, `len × d` (kept, not recomputed: scikit-learn computes them as `(1/n)·ls`
    /// after a merge and `ls / n` after an update, which may differ in the last bit).
    centroid: Vec<T>,
    sq_norm: Vec<T>,
    child: Vec<usize>,
}

impl<T: Float> Node<T> {
    fn new(is_leaf: bool) -> Self {
        Self {
            is_leaf,
            prev: NONE,
            next: NONE,
            n: Vec::new(),
            ls: Vec::new(),
            ss: Vec::new(),
            centroid: Vec::new(),
            sq_norm: Vec::new(),
            child: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.n.len()
    }

    fn push(&mut self, s: &Sub<T>) {
        self.n.push(s.n);
        self.ls.extend_from_slice(&s.ls);
        self.ss.push(s.ss);
        self.centroid.extend_from_slice(&s.centroid);
        self.sq_norm.push(s.sq_norm);
        self.child.push(s.child);
    }

    fn set(&mut self, j: usize, s: &Sub<T>, d: usize) {
        self.n[j] = s.n;
        self.ls[j * d..(j + 1) * d].copy_from_slice(&s.ls);
        self.ss[j] = s.ss;
        self.centroid[j * d..(j + 1) * d].copy_from_slice(&s.centroid);
        self.sq_norm[j] = s.sq_norm;
        self.child[j] = s.child;
    }

    fn get(&self, j: usize, d: usize) -> Sub<T> {
        Sub {
            n: self.n[j],
            ls: self.ls[j * d..(j + 1) * d].to_vec(),
            ss: self.ss[j],
            centroid: self.centroid[j * d..(j + 1) * d].to_vec(),
            sq_norm: self.sq_norm[j],
            child: self.child[j],
        }
    }
}

/// A subcluster outside the tree (while a split moves it).
#[derive(Debug, Clone)]
struct Sub<T> {
    n: i64,
    ls: Vec<T>,
    ss: T,
    centroid: Vec<T>,
    sq_norm: T,
    child: usize,
}

impl<T: Float> Sub<T> {
    /// A subcluster holding one sample.
    fn sample(x: &[T], sq: T) -> Self {
        Self { n: 1, ls: x.to_vec(), ss: sq, centroid: x.to_vec(), sq_norm: sq, child: NONE }
    }
}

/// Dot product summed left to right.
#[inline]
fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    let mut s = T::zero();
    for (&x, &y) in a.iter().zip(b) {
        s += x * y;
    }
    s
}

/// An element of `X @ Y.T` as NumPy's BLAS (OpenBLAS) computes it for small matrices: one
/// fused multiply-add per feature, left to right.
#[inline]
fn gemm_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0f64;
    for (&x, &y) in a.iter().zip(b) {
        s = x.mul_add(y, s);
    }
    s
}

/// `‖a‖²` as scikit-learn's `row_norms` (NumPy's `einsum("ij,ij->i")`) computes it: two
/// lanes (even and odd features), blocks of eight features added last-pair-first, then the
/// remaining pairs, then lane 0 + lane 1; plain multiply and add.
#[inline]
fn einsum_sq_norm(a: &[f64]) -> f64 {
    let mut v = [0.0f64; 2];
    let mut i = 0;
    while a.len() - i >= 8 {
        for (l, acc) in v.iter_mut().enumerate() {
            let mut s = *acc;
            for u in (0..4).rev() {
                let x = a[i + 2 * u + l];
                s += x * x;
            }
            *acc = s;
        }
        i += 8;
    }
    while i < a.len() {
        for (l, acc) in v.iter_mut().enumerate() {
            let x = if i + l < a.len() { a[i + l] } else { 0.0 };
            *acc += x * x;
        }
        i += 2;
    }
    v[0] + v[1]
}

/// The CF-tree: nodes, the root, and the head of the leaf chain.
#[derive(Debug, Clone)]
pub struct Tree<T> {
    d: usize,
    threshold: f64,
    branching_factor: usize,
    nodes: Vec<Node<T>>,
    root: usize,
    first_leaf: usize,
}

/// The tree as flat arrays (what the Python estimator stores).
#[derive(Debug, Clone, PartialEq)]
pub struct TreeArrays<T> {
    /// Number of features.
    pub d: usize,
    /// Per node: 1 for a leaf.
    pub node_is_leaf: Vec<u8>,
    /// Per node: its subclusters are `node_ptr[i]..node_ptr[i + 1]` (length nodes + 1).
    pub node_ptr: Vec<i64>,
    /// Per node: previous and next leaf in the chain (-1 at the ends; -1 for inner nodes).
    pub node_prev: Vec<i64>,
    /// See `node_prev`.
    pub node_next: Vec<i64>,
    /// Root node and first leaf.
    pub root: i64,
    /// First node of the leaf chain.
    pub first_leaf: i64,
    /// Per subcluster: number of samples.
    pub sub_n: Vec<i64>,
    /// Per subcluster: linear sum (m×d).
    pub sub_ls: Vec<T>,
    /// Per subcluster: sum of squared norms of its samples.
    pub sub_ss: Vec<T>,
    /// Per subcluster: centroid (m×d).
    pub sub_centroid: Vec<T>,
    /// Per subcluster: squared norm of its centroid.
    pub sub_sq_norm: Vec<T>,
    /// Per subcluster: child node (-1 in leaves).
    pub sub_child: Vec<i64>,
}

fn bad(reason: String) -> ClustorError {
    ClustorError::InvalidParameter { name: "tree", reason }
}

impl<T: Float> Tree<T> {
    /// An empty tree (one empty leaf as root), as a first `fit` or `partial_fit` starts.
    pub fn new(d: usize, threshold: f64, branching_factor: usize) -> Result<Self> {
        check_params(d, threshold, branching_factor)?;
        Ok(Self { d, threshold, branching_factor, nodes: vec![Node::new(true)], root: 0, first_leaf: 0 })
    }

    /// Rebuilds a tree from its arrays (checking that they describe a tree).
    pub fn from_arrays(a: &TreeArrays<T>, threshold: f64, branching_factor: usize) -> Result<Self> {
        let d = a.d;
        check_params(d, threshold, branching_factor)?;
        let nn = a.node_is_leaf.len();
        let m = a.sub_n.len();
        if nn == 0
            || a.node_ptr.len() != nn + 1
            || a.node_prev.len() != nn
            || a.node_next.len() != nn
            || a.sub_ls.len() != m * d
            || a.sub_centroid.len() != m * d
            || a.sub_ss.len() != m
            || a.sub_sq_norm.len() != m
            || a.sub_child.len() != m
            || a.node_ptr[0] != 0
            || a.node_ptr[nn] != m as i64
        {
            return Err(bad("inconsistent array lengths".into()));
        }
        let node_ref = |v: i64| -> Result<usize> {
            if v == -1 {
                Ok(NONE)
            } else if v >= 0 && (v as usize) < nn {
                Ok(v as usize)
            } else {
                Err(bad(format!("node index {v} out of range")))
            }
        };
        let mut nodes = Vec::with_capacity(nn);
        for i in 0..nn {
            let (s, e) = (a.node_ptr[i], a.node_ptr[i + 1]);
            if s < 0 || e < s || e as usize > m {
                return Err(bad("node_ptr is not increasing".into()));
            }
            let (s, e) = (s as usize, e as usize);
            let child = a.sub_child[s..e].iter().map(|&c| node_ref(c)).collect::<Result<Vec<_>>>()?;
            let is_leaf = a.node_is_leaf[i] != 0;
            if child.iter().any(|&c| (c == NONE) != is_leaf) {
                return Err(bad("leaves have no children, inner subclusters have one".into()));
            }
            nodes.push(Node {
                is_leaf,
                prev: node_ref(a.node_prev[i])?,
                next: node_ref(a.node_next[i])?,
                n: a.sub_n[s..e].to_vec(),
                ls: a.sub_ls[s * d..e * d].to_vec(),
                ss: a.sub_ss[s..e].to_vec(),
                centroid: a.sub_centroid[s * d..e * d].to_vec(),
                sq_norm: a.sub_sq_norm[s..e].to_vec(),
                child,
            });
        }
        let root = node_ref(a.root)?;
        let first_leaf = node_ref(a.first_leaf)?;
        if root == NONE || first_leaf == NONE {
            return Err(bad("no root".into()));
        }
        // The leaf chain must visit leaves only and end.
        let mut seen = 0;
        let mut p = first_leaf;
        while p != NONE {
            if !nodes[p].is_leaf || seen > nn {
                return Err(bad("the leaf chain is broken".into()));
            }
            seen += 1;
            p = nodes[p].next;
        }
        Ok(Self { d, threshold, branching_factor, nodes, root, first_leaf })
    }

    /// The tree as flat arrays.
    pub fn to_arrays(&self) -> TreeArrays<T> {
        let d = self.d;
        let m: usize = self.nodes.iter().map(|n| n.len()).sum();
        let idx = |v: usize| if v == NONE { -1 } else { v as i64 };
        let mut a = TreeArrays {
            d,
            node_is_leaf: Vec::with_capacity(self.nodes.len()),
            node_ptr: Vec::with_capacity(self.nodes.len() + 1),
            node_prev: Vec::with_capacity(self.nodes.len()),
            node_next: Vec::with_capacity(self.nodes.len()),
            root: idx(self.root),
            first_leaf: idx(self.first_leaf),
            sub_n: Vec::with_capacity(m),
            sub_ls: Vec::with_capacity(m * d),
            sub_ss: Vec::with_capacity(m),
            sub_centroid: Vec::with_capacity(m * d),
            sub_sq_norm: Vec::with_capacity(m),
            sub_child: Vec::with_capacity(m),
        };
        a.node_ptr.push(0);
        for node in &self.nodes {
            a.node_is_leaf.push(node.is_leaf as u8);
            a.node_prev.push(idx(node.prev));
            a.node_next.push(idx(node.next));
            a.sub_n.extend_from_slice(&node.n);
            a.sub_ls.extend_from_slice(&node.ls);
            a.sub_ss.extend_from_slice(&node.ss);
            a.sub_centroid.extend_from_slice(&node.centroid);
            a.sub_sq_norm.extend_from_slice(&node.sq_norm);
            a.sub_child.extend(node.child.iter().map(|&c| idx(c)));
            a.node_ptr.push(a.sub_n.len() as i64);
        }
        a
    }

    /// Inserts every row of `x` (n×d) in order. Polls `mon` every few thousand rows.
    pub fn insert_all(&mut self, x: MatRef<'_, T>, mon: &dyn Monitor) -> Result<()> {
        if x.cols() != self.d {
            return Err(ClustorError::InvalidParameter {
                name: "X",
                reason: format!("X has {} features, but the tree has {}", x.cols(), self.d),
            });
        }
        if !x.data().iter().all(|v| v.is_finite()) {
            return Err(ClustorError::NotFinite("X"));
        }
        for i in 0..x.rows() {
            if i % 4096 == 0 {
                mon.check()?;
            }
            self.insert(x.row(i));
        }
        Ok(())
    }

    /// Inserts one sample (scikit-learn's `Birch._fit` loop body).
    pub fn insert(&mut self, x: &[T]) {
        let sq = dot(x, x);
        if self.insert_into(self.root, x, sq) {
            let (s1, s2) = self.split(self.root);
            let mut root = Node::new(false);
            root.push(&s1);
            root.push(&s2);
            self.nodes.push(root);
            self.root = self.nodes.len() - 1;
        }
    }

    /// `_CFNode.insert_cf_subcluster` for a one-sample subcluster; true when `id` now holds
    /// more than `branching_factor` subclusters and must be split by its parent.
    fn insert_into(&mut self, id: usize, x: &[T], sq: T) -> bool {
        let d = self.d;
        let node = &self.nodes[id];
        if node.len() == 0 {
            self.nodes[id].push(&Sub::sample(x, sq));
            return false;
        }
        let minus_two = T::of_f64(-2.0);
        let mut closest = 0;
        let mut best = T::infinity();
        for j in 0..node.len() {
            let v = dot(&node.centroid[j * d..(j + 1) * d], x) * minus_two + node.sq_norm[j];
            if v < best || j == 0 {
                best = v;
                closest = j;
            }
        }
        let child = node.child[closest];
        if child != NONE {
            if !self.insert_into(child, x, sq) {
                // The child absorbed the sample: so does this subcluster (`update`).
                let node = &mut self.nodes[id];
                node.n[closest] += 1;
                let n = T::of_f64(node.n[closest] as f64);
                let (ls, c) =
                    (&mut node.ls[closest * d..(closest + 1) * d], &mut node.centroid[closest * d..(closest + 1) * d]);
                for f in 0..d {
                    ls[f] += x[f];
                    c[f] = ls[f] / n;
                }
                node.ss[closest] += sq;
                node.sq_norm[closest] = dot(c, c);
                return false;
            }
            let (s1, s2) = self.split(child);
            let node = &mut self.nodes[id];
            node.set(closest, &s1, d);
            node.push(&s2);
            return node.len() > self.branching_factor;
        }
        // A leaf: merge into the closest subcluster if the radius stays within threshold.
        let node = &mut self.nodes[id];
        let new_n = node.n[closest] + 1;
        let inv = T::of_f64(1.0 / new_n as f64);
        let new_ss = node.ss[closest] + sq;
        let ls = &node.ls[closest * d..(closest + 1) * d];
        let new_ls: Vec<T> = ls.iter().zip(x).map(|(&a, &b)| a + b).collect();
        let new_c: Vec<T> = new_ls.iter().map(|&v| inv * v).collect();
        let new_sq = dot(&new_c, &new_c);
        let sq_radius = new_ss / T::of_f64(new_n as f64) - new_sq;
        if sq_radius <= T::of_f64(self.threshold * self.threshold) {
            node.n[closest] = new_n;
            node.ss[closest] = new_ss;
            node.ls[closest * d..(closest + 1) * d].copy_from_slice(&new_ls);
            node.centroid[closest * d..(closest + 1) * d].copy_from_slice(&new_c);
            node.sq_norm[closest] = new_sq;
            return false;
        }
        node.push(&Sub::sample(x, sq));
        node.len() > self.branching_factor
    }

    /// `_split_node`: node `id` becomes the first of two nodes (keeping its place in the leaf
    /// chain), a new node the second; returns the two parent subclusters summarising them.
    fn split(&mut self, id: usize) -> (Sub<T>, Sub<T>) {
        let d = self.d;
        let old = std::mem::replace(&mut self.nodes[id], Node::new(true));
        let m = old.len();
        // Squared distances as scikit-learn's euclidean_distances computes them (in f64, for
        // float32 too, then stored in the data's type), bit for bit: the matrix is not
        // exactly symmetric, and which of the farthest pair comes first decides the order of
        // the new nodes.
        let c64: Vec<f64> = old.centroid.iter().map(|v| v.as_f64()).collect();
        let norms: Vec<f64> = (0..m).map(|i| einsum_sq_norm(&c64[i * d..(i + 1) * d])).collect();
        let mut dist = vec![T::zero(); m * m];
        for i in 0..m {
            for j in 0..m {
                if i != j {
                    let g = gemm_dot(&c64[i * d..(i + 1) * d], &c64[j * d..(j + 1) * d]);
                    let v = -2.0 * g + norms[i] + norms[j];
                    dist[i * m + j] = T::of_f64(if v > 0.0 { v } else { 0.0 });
                }
            }
        }
        let mut far = 0;
        for k in 1..m * m {
            if dist[k] > dist[far] {
                far = k;
            }
        }
        let (f1, f2) = (far / m, far % m);
        let new_id = self.nodes.len();
        let mut n1 = Node::new(old.is_leaf);
        let mut n2 = Node::new(old.is_leaf);
        if old.is_leaf {
            n1.prev = old.prev;
            n1.next = new_id;
            n2.prev = id;
            n2.next = old.next;
            if old.next != NONE {
                self.nodes[old.next].prev = new_id;
            }
        }
        let mut sums = [
            Sub { n: 0, ls: vec![T::zero(); d], ss: T::zero(), centroid: Vec::new(), sq_norm: T::zero(), child: id },
            Sub {
                n: 0,
                ls: vec![T::zero(); d],
                ss: T::zero(),
                centroid: Vec::new(),
                sq_norm: T::zero(),
                child: new_id,
            },
        ];
        for j in 0..m {
            let to_first = j == f1 || dist[f1 * m + j] < dist[f2 * m + j];
            let s = old.get(j, d);
            let (node, sum) = if to_first { (&mut n1, &mut sums[0]) } else { (&mut n2, &mut sums[1]) };
            node.push(&s);
            sum.n += s.n;
            for f in 0..d {
                sum.ls[f] += s.ls[f];
            }
            sum.ss += s.ss;
        }
        for sum in &mut sums {
            let n = T::of_f64(sum.n as f64);
            sum.centroid = sum.ls.iter().map(|&v| v / n).collect();
            sum.sq_norm = dot(&sum.centroid, &sum.centroid);
        }
        self.nodes[id] = n1;
        self.nodes.push(n2);
        let [s1, s2] = sums;
        (s1, s2)
    }

    /// Centroids of the leaf subclusters in leaf-chain order (scikit-learn's
    /// `subcluster_centers_`), `m × d`.
    pub fn leaf_centroids(&self) -> Vec<T> {
        let mut out = Vec::new();
        let mut p = self.first_leaf;
        while p != NONE {
            out.extend_from_slice(&self.nodes[p].centroid);
            p = self.nodes[p].next;
        }
        out
    }
}

/// Rows per leaf of [`CenterTree`].
const LEAF_SIZE: usize = 16;

/// A k-d tree over the subcluster centers, for the exact nearest center of each sample
/// (`labels_`, `predict`): 200k samples against 80k subclusters by brute force is 1.6·10¹⁰
/// distances; the tree visits a few hundred centers per sample.
struct CenterTree<'a, T> {
    c: MatRef<'a, T>,
    /// Center indices, permuted so that every node's centers are contiguous.
    idx: Vec<usize>,
    /// Per node: range in `idx`, children (`NONE` for a leaf), bounding box (lo, hi: d each).
    start: Vec<usize>,
    end: Vec<usize>,
    left: Vec<usize>,
    right: Vec<usize>,
    lo: Vec<T>,
    hi: Vec<T>,
}

impl<'a, T: Float> CenterTree<'a, T> {
    fn new(c: MatRef<'a, T>) -> Self {
        let mut t = Self {
            c,
            idx: (0..c.rows()).collect(),
            start: Vec::new(),
            end: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
            lo: Vec::new(),
            hi: Vec::new(),
        };
        t.build(0, c.rows());
        t
    }

    /// Adds the node holding `idx[s..e]` (and its subtree); returns its id.
    fn build(&mut self, s: usize, e: usize) -> usize {
        let d = self.c.cols();
        let id = self.start.len();
        let (mut lo, mut hi) = (self.c.row(self.idx[s]).to_vec(), self.c.row(self.idx[s]).to_vec());
        for &i in &self.idx[s + 1..e] {
            for (f, &v) in self.c.row(i).iter().enumerate() {
                lo[f] = if v < lo[f] { v } else { lo[f] };
                hi[f] = if v > hi[f] { v } else { hi[f] };
            }
        }
        self.start.push(s);
        self.end.push(e);
        self.left.push(NONE);
        self.right.push(NONE);
        let dim = (0..d).max_by(|&a, &b| (hi[a] - lo[a]).partial_cmp(&(hi[b] - lo[b])).unwrap()).unwrap_or(0);
        let spread = hi[dim] - lo[dim];
        self.lo.extend_from_slice(&lo);
        self.hi.extend_from_slice(&hi);
        if e - s > LEAF_SIZE && spread > T::zero() {
            let mid = s + (e - s) / 2;
            let c = self.c;
            self.idx[s..e].select_nth_unstable_by(mid - s, |&a, &b| {
                c.row(a)[dim].partial_cmp(&c.row(b)[dim]).unwrap().then(a.cmp(&b))
            });
            let l = self.build(s, mid);
            let r = self.build(mid, e);
            self.left[id] = l;
            self.right[id] = r;
        }
        id
    }

    /// Squared distance from `x` to the bounding box of node `n`.
    #[inline]
    fn box_dist(&self, n: usize, x: &[T]) -> T {
        let d = x.len();
        let (lo, hi) = (&self.lo[n * d..(n + 1) * d], &self.hi[n * d..(n + 1) * d]);
        let mut s = T::zero();
        for f in 0..d {
            let t = if x[f] < lo[f] {
                lo[f] - x[f]
            } else if x[f] > hi[f] {
                x[f] - hi[f]
            } else {
                T::zero()
            };
            s += t * t;
        }
        s
    }

    /// Index of the center nearest to `x` (the lowest index among equally near ones).
    fn nearest(&self, x: &[T], stack: &mut Vec<usize>) -> usize {
        let (mut best, mut best_d) = (usize::MAX, T::infinity());
        stack.clear();
        stack.push(0);
        while let Some(n) = stack.pop() {
            // Equal distance can still hold a lower index: prune only what is strictly farther.
            if self.box_dist(n, x) > best_d {
                continue;
            }
            if self.left[n] == NONE {
                for &i in &self.idx[self.start[n]..self.end[n]] {
                    let dd = sq_dist(self.c.row(i), x);
                    if dd < best_d || (dd == best_d && i < best) {
                        best = i;
                        best_d = dd;
                    }
                }
                continue;
            }
            let (l, r) = (self.left[n], self.right[n]);
            // Push the farther child first so that the nearer one is searched first.
            if self.box_dist(l, x) <= self.box_dist(r, x) {
                stack.push(r);
                stack.push(l);
            } else {
                stack.push(l);
                stack.push(r);
            }
        }
        best
    }
}

/// Index of the nearest row of `centers` (m×d) for every row of `x` (n×d), by exact
/// euclidean distance (direct differences; the lowest index on ties), via a k-d tree.
pub fn nearest_centers<T: Float>(
    x: MatRef<'_, T>,
    centers: MatRef<'_, T>,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Vec<i64>> {
    if centers.rows() == 0 {
        return Err(ClustorError::EmptyInput(0, centers.cols()));
    }
    if x.cols() != centers.cols() {
        return Err(ClustorError::InvalidParameter {
            name: "X",
            reason: format!("X has {} features, but the centers have {}", x.cols(), centers.cols()),
        });
    }
    if !x.data().iter().chain(centers.data()).all(|v| v.is_finite()) {
        return Err(ClustorError::NotFinite("X"));
    }
    let tree = CenterTree::new(centers);
    let pool = parallel::pool(n_threads)?;
    let plan = ChunkPlan::with_chunk_rows(x.rows(), 1024);
    let mut out = vec![0i64; x.rows()];
    let mut states = vec![Vec::new(); plan.len()];
    let work = 64 * x.cols().max(1) * (centers.rows().ilog2() as usize + 1);
    parallel::map_chunks_mut_state(&pool, plan, &mut out, 1, &mut states, work, mon, |rows, o, stack| {
        for (j, i) in rows.enumerate() {
            o[j] = tree.nearest(x.row(i), stack) as i64;
        }
    })?;
    Ok(out)
}

fn check_params(d: usize, threshold: f64, branching_factor: usize) -> Result<()> {
    if d == 0 {
        return Err(ClustorError::NoFeatures(0));
    }
    if !(threshold > 0.0 && threshold.is_finite()) {
        return Err(ClustorError::InvalidParameter {
            name: "threshold",
            reason: format!("must be a finite number > 0, got {threshold}"),
        });
    }
    if branching_factor < 2 {
        return Err(ClustorError::InvalidParameter {
            name: "branching_factor",
            reason: format!("must be an integer > 1, got {branching_factor}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    fn build(x: &[f64], d: usize, threshold: f64, bf: usize) -> Tree<f64> {
        let mut t = Tree::new(d, threshold, bf).unwrap();
        t.insert_all(MatRef::new("X", x, x.len() / d, d).unwrap(), &Silent).unwrap();
        t
    }

    #[test]
    fn merges_within_threshold_by_hand() {
        // 0 and 1 merge (radius 0.5 ≤ 0.6); 5 is too far (radius of {0,1,5} is 2.16);
        // 5.5 merges into 5's subcluster.
        let t = build(&[0.0, 1.0, 5.0, 5.5], 1, 0.6, 3);
        assert_eq!(t.leaf_centroids(), vec![0.5, 5.25]);
    }

    #[test]
    fn split_by_farthest_pair_by_hand() {
        // Threshold too small to merge anything, branching factor 2: the third sample splits
        // the root leaf. Farthest pair (0, 10): 1 is nearer 0, so leaves [0, 1], [10].
        let t = build(&[0.0, 10.0, 1.0], 1, 0.1, 2);
        assert_eq!(t.leaf_centroids(), vec![0.0, 1.0, 10.0]);
        assert!(!t.nodes[t.root].is_leaf);
        assert_eq!(t.nodes[t.root].n, vec![2, 1]);
        assert_eq!(t.nodes[t.root].centroid, vec![0.5, 10.0]);
    }

    #[test]
    fn arrays_round_trip_and_continue() {
        let mut r = crate::rng::Rng::new(5);
        let x: Vec<f64> = (0..2000 * 3).map(|_| r.uniform() * 10.0).collect();
        let whole = build(&x, 3, 0.5, 5);
        let mut first = build(&x[..3000], 3, 0.5, 5);
        let arrays = first.to_arrays();
        first = Tree::from_arrays(&arrays, 0.5, 5).unwrap();
        assert_eq!(first.to_arrays(), arrays);
        first.insert_all(MatRef::new("X", &x[3000..], 1000, 3).unwrap(), &Silent).unwrap();
        assert_eq!(first.to_arrays(), whole.to_arrays());
        // Every sample is counted once.
        let a = whole.to_arrays();
        let leaves: i64 = (0..a.node_is_leaf.len())
            .filter(|&i| a.node_is_leaf[i] == 1)
            .map(|i| a.sub_n[a.node_ptr[i] as usize..a.node_ptr[i + 1] as usize].iter().sum::<i64>())
            .sum();
        assert_eq!(leaves, 2000);
    }

    #[test]
    fn nearest_centers_match_brute_force() {
        let mut r = crate::rng::Rng::new(9);
        let c: Vec<f64> = (0..700 * 3).map(|_| (r.uniform() * 20.0).round() / 2.0).collect();
        let x: Vec<f64> = (0..500 * 3).map(|_| (r.uniform() * 20.0).round() / 2.0).collect();
        let (cm, xm) = (MatRef::new("C", &c, 700, 3).unwrap(), MatRef::new("X", &x, 500, 3).unwrap());
        let got = nearest_centers(xm, cm, 2, &Silent).unwrap();
        for i in 0..500 {
            // Coarse grid values: many ties, which go to the lowest index.
            let d: Vec<f64> = (0..700).map(|j| sq_dist(xm.row(i), cm.row(j))).collect();
            assert_eq!(got[i] as usize, crate::distance::argmin(&d).0);
        }
        assert_eq!(got, nearest_centers(xm, cm, 1, &Silent).unwrap());
    }

    #[test]
    fn bad_arrays_are_refused() {
        let t = build(&[0.0, 10.0, 1.0], 1, 0.1, 2);
        let mut a = t.to_arrays();
        a.sub_child[0] = 99;
        assert!(Tree::from_arrays(&a, 0.1, 2).is_err());
        assert!(Tree::<f64>::new(1, 0.0, 2).is_err());
        assert!(Tree::<f64>::new(1, 0.5, 1).is_err());
    }
}
