//! Bisecting k-means as scikit-learn runs it: starting from one cluster, repeatedly split
//! the leaf with the largest score (its inertia, or its number of samples) with 2-means,
//! until there are `n_clusters` leaves; leaves are numbered in depth-first order.
//!
//! The fit works on one copy of X (shifted by the caller's mean) whose rows are permuted in
//! place so that every leaf is a contiguous run: each split runs the ordinary Lloyd/Elkan
//! [`super::fit`] on its run, then partitions the run in place. No copy of X per split.
//!
//! The partition of a split is decided by the tiled kernel's closest-of-two-centers (the
//! same values whatever the row's position), and [`predict`] descends the tree with the
//! same kernel on the same shifted values, so `predict(X_train)` equals the fitted labels.

use super::init;
#[cfg(test)]
use super::Algorithm;
use crate::distance::{sq_dist, PackedCenters};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::{check_weights, MatRef};
use crate::monitor::Monitor;
use crate::parallel::{self, map_chunks_mut, ChunkPlan};
use crate::rng::Rng;

/// Seeding of each 2-means split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// Two distinct samples drawn with probability ∝ weight (scikit-learn's default here).
    Random,
    /// Greedy k-means++.
    KMeansPlusPlus,
}

/// Which leaf to split next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The leaf with the largest weighted inertia.
    BiggestInertia,
    /// The leaf with the most samples.
    LargestCluster,
}

/// Settings of a bisecting k-means fit.
#[derive(Debug, Clone)]
pub struct Config {
    /// Number of leaves (≥ 1).
    pub n_clusters: usize,
    /// Seeding of each split.
    pub init: Init,
    /// Seedings per split; the 2-means with the lowest inertia is kept.
    pub n_init: usize,
    /// Settings of each 2-means run (iterations, tolerance, Lloyd/Elkan, spherical, threads).
    pub kmeans: super::Config,
    /// Leaf to split next.
    pub strategy: Strategy,
    /// Seed of the seedings.
    pub seed: u64,
}

/// The bisection tree, flat: node 0 is the root, each split appends its two children.
#[derive(Debug, Clone)]
pub struct Tree<T> {
    /// `children[2i]`, `children[2i+1]`: the children of node i, or −1 for a leaf.
    pub children: Vec<i64>,
    /// Center of every node, nodes×d (in the shifted frame of the fit).
    pub centers: Vec<T>,
    /// Label of every leaf (−1 for inner nodes).
    pub labels: Vec<i64>,
}

/// Outcome of a fit.
#[derive(Debug, Clone)]
pub struct Fit<T> {
    /// Leaf centers in label order, k×d (in the shifted frame).
    pub centers: Vec<T>,
    /// Label of each sample.
    pub labels: Vec<i64>,
    /// Weighted inertia (direct differences, f64).
    pub inertia: f64,
    /// The tree `predict` descends.
    pub tree: Tree<T>,
    /// Splits made (k − 1).
    pub n_splits: usize,
}

/// A node while the tree grows.
struct Node<T> {
    center: Vec<T>,
    children: Option<(usize, usize)>,
    /// Rows `start..end` of the working copy (leaves only).
    start: usize,
    end: usize,
    score: f64,
    inertia: f64,
}

/// The working copy: shifted rows, their weights and original indices, permuted together.
struct Work<T> {
    x: Vec<T>,
    w: Vec<T>,
    orig: Vec<usize>,
    d: usize,
}

impl<T: Float> Work<T> {
    fn seg(&self, s: usize, e: usize) -> Result<(MatRef<'_, T>, &[T])> {
        Ok((MatRef::new("X", &self.x[s * self.d..e * self.d], e - s, self.d)?, &self.w[s..e]))
    }

    /// Moves the rows of `s..e` whose label is 0 to the front (order not kept); returns how
    /// many there are.
    fn partition(&mut self, s: usize, e: usize, labels: &mut [i64]) -> usize {
        let d = self.d;
        let (mut i, mut j) = (0, e - s);
        while i < j {
            if labels[i] == 0 {
                i += 1;
            } else {
                j -= 1;
                if i == j {
                    break;
                }
                labels.swap(i, j);
                self.w.swap(s + i, s + j);
                self.orig.swap(s + i, s + j);
                let (a, b) = self.x.split_at_mut((s + j) * d);
                a[(s + i) * d..(s + i + 1) * d].swap_with_slice(&mut b[..d]);
            }
        }
        i
    }
}

/// Labels of the rows of `x` against two `centers` (2×d) by the tiled kernel (ties go to
/// center 0), and each side's weighted inertia by direct differences.
fn assign_two<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    centers: &[T],
    pool: &rayon::ThreadPool,
) -> Result<(Vec<i64>, [f64; 2])> {
    let d = x.cols();
    let packed = PackedCenters::new(MatRef::new("centers", centers, 2, d)?);
    let plan = ChunkPlan::new(x.rows(), 0);
    let mut labels = vec![0i64; x.rows()];
    let parts = map_chunks_mut(pool, plan, &mut labels, 1, |rows, lab| {
        let s = rows.start;
        packed.for_each_closest(x.rows_slice(rows.clone()), rows.len(), |r, j, _| lab[r] = j as i64);
        let mut acc = [0.0f64; 2];
        for (r, &l) in lab.iter().enumerate() {
            let l = l as usize;
            acc[l] += sq_dist(x.row(s + r), &centers[l * d..(l + 1) * d]).as_f64() * w[s + r].as_f64();
        }
        acc
    });
    let mut inertia = [0.0; 2];
    for p in parts {
        inertia[0] += p[0];
        inertia[1] += p[1];
    }
    Ok((labels, inertia))
}

/// The best 2-means of a segment over `n_init` seedings: its two centers, or None when the
/// segment has fewer than two samples of positive weight (nothing to split).
fn two_means<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    cfg: &Config,
    rng: &mut Rng,
    mon: &dyn Monitor,
) -> Result<Option<Vec<T>>> {
    if w.iter().filter(|&&v| v > T::zero()).count() < 2 {
        return Ok(None);
    }
    let mut best: Option<(Vec<T>, f64)> = None;
    for _ in 0..cfg.n_init.max(1) {
        let seed = rng.next_u64();
        let (mut c0, _) = match cfg.init {
            Init::Random => init::random(x, w, 2, seed)?,
            Init::KMeansPlusPlus => init::kmeans_plusplus(x, w, 2, None, seed, cfg.kmeans.n_threads, mon)?,
        };
        if cfg.kmeans.spherical {
            for c in c0.chunks_mut(x.cols()) {
                super::normalize_row(c);
            }
        }
        let f = super::fit(x, w, MatRef::new("init", &c0, 2, x.cols())?, &cfg.kmeans, mon)?;
        // scikit-learn's rule: a later seeding must be better by more than rounding.
        if best.as_ref().map_or(true, |b| f.inertia < b.1 * (1.0 - 1e-6)) {
            best = Some((f.centers, f.inertia));
        }
    }
    Ok(best.map(|b| b.0))
}

/// Leaves in depth-first order (left before right).
fn leaves<T>(nodes: &[Node<T>]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack = vec![0usize];
    while let Some(i) = stack.pop() {
        match nodes[i].children {
            Some((l, r)) => {
                stack.push(r);
                stack.push(l);
            }
            None => out.push(i),
        }
    }
    out
}

/// Fits bisecting k-means on `x` (n×d, weights `w`) shifted by `shift` (d values, subtracted
/// from every row before clustering: the caller's mean, for accurate distances).
pub fn fit<T: Float>(x: MatRef<'_, T>, w: &[T], shift: &[T], cfg: &Config, mon: &dyn Monitor) -> Result<Fit<T>> {
    let (n, d, k) = (x.rows(), x.cols(), cfg.n_clusters);
    let pool = parallel::pool(cfg.kmeans.n_threads)?;
    MatRef::new("X", x.data(), n, d)?;
    if n == 0 {
        return Err(ClustorError::EmptyInput(n, d));
    }
    if d == 0 {
        return Err(ClustorError::NoFeatures(n));
    }
    if !super::all_finite(x.data(), &pool) {
        return Err(ClustorError::NotFinite("X"));
    }
    check_weights(w, n)?;
    if shift.len() != d || !shift.iter().all(|v| v.is_finite()) {
        return Err(ClustorError::InvalidParameter { name: "shift", reason: format!("must be {d} finite values") });
    }
    if k == 0 {
        return Err(ClustorError::InvalidParameter { name: "n_clusters", reason: "must be >= 1".into() });
    }
    if k > n {
        return Err(ClustorError::TooManyClusters { n_samples: n, n_clusters: k });
    }
    let mut xw = crate::error::try_vec(n * d, T::zero(), "the working copy of X", "use fewer samples")?;
    map_chunks_mut(&pool, ChunkPlan::new(n, 0), &mut xw, d, |rows, out| {
        for (o, i) in out.chunks_exact_mut(d).zip(rows) {
            for ((v, &a), &m) in o.iter_mut().zip(x.row(i)).zip(shift) {
                *v = a - m;
            }
        }
    });
    let mut work = Work { x: xw, w: w.to_vec(), orig: (0..n).collect(), d };
    let root_center = {
        let tot: f64 = w.iter().map(|v| v.as_f64()).sum();
        let mut c = vec![0.0f64; d];
        for i in 0..n {
            let wi = w[i].as_f64();
            for (cf, &v) in c.iter_mut().zip(&work.x[i * d..(i + 1) * d]) {
                *cf += v.as_f64() * wi;
            }
        }
        c.iter().map(|&v| T::of_f64(v / tot)).collect()
    };
    let mut nodes = vec![Node { center: root_center, children: None, start: 0, end: n, score: 0.0, inertia: 0.0 }];
    let mut rng = Rng::new(cfg.seed);
    for split in 0..k - 1 {
        mon.check()?;
        // The first leaf (depth-first) with the strictly largest score.
        let mut target = None;
        for leaf in leaves(&nodes) {
            if target.map_or(true, |t: usize| nodes[leaf].score > nodes[t].score) {
                target = Some(leaf);
            }
        }
        let t = target.expect("the tree has a leaf");
        let (s, e) = (nodes[t].start, nodes[t].end);
        let (xs, ws) = work.seg(s, e)?;
        let centers = match two_means(xs, ws, cfg, &mut rng, mon)? {
            Some(c) => c,
            // Fewer than two weighted samples: both children at the parent's center, every
            // sample left (the kernel sends ties to the first center, as predict will).
            None => [nodes[t].center.clone(), nodes[t].center.clone()].concat(),
        };
        let (mut labels, inertia) = assign_two(xs, ws, &centers, &pool)?;
        let n_left = work.partition(s, e, &mut labels);
        if cfg.kmeans.verbose {
            mon.log(&format!("Split {split}: cluster of {} samples into {n_left} and {}.", e - s, e - s - n_left));
        }
        let score = |m: usize, i: f64| match cfg.strategy {
            Strategy::BiggestInertia => i,
            Strategy::LargestCluster => m as f64,
        };
        let (l, r) = (nodes.len(), nodes.len() + 1);
        nodes.push(Node {
            center: centers[..d].to_vec(),
            children: None,
            start: s,
            end: s + n_left,
            score: score(n_left, inertia[0]),
            inertia: inertia[0],
        });
        nodes.push(Node {
            center: centers[d..].to_vec(),
            children: None,
            start: s + n_left,
            end: e,
            score: score(e - s - n_left, inertia[1]),
            inertia: inertia[1],
        });
        nodes[t].children = Some((l, r));
    }
    let mut labels = vec![-1i64; n];
    let mut centers = Vec::with_capacity(k * d);
    let mut tree_labels = vec![-1i64; nodes.len()];
    let mut inertia = 0.0;
    for (label, leaf) in leaves(&nodes).into_iter().enumerate() {
        let node = &nodes[leaf];
        for &i in &work.orig[node.start..node.end] {
            labels[i] = label as i64;
        }
        centers.extend_from_slice(&node.center);
        tree_labels[leaf] = label as i64;
        inertia += node.inertia;
    }
    if k == 1 {
        let xs = MatRef::new("X", &work.x, n, d)?;
        inertia = super::inertia(xs, &work.w, &nodes[0].center, &vec![0; n], &pool);
    }
    let children = nodes
        .iter()
        .flat_map(|nd| match nd.children {
            Some((l, r)) => [l as i64, r as i64],
            None => [-1, -1],
        })
        .collect();
    let tree_centers = nodes.iter().flat_map(|nd| nd.center.iter().copied()).collect();
    Ok(Fit {
        centers,
        labels,
        inertia,
        tree: Tree { children, centers: tree_centers, labels: tree_labels },
        n_splits: k - 1,
    })
}

/// Checks that a tree given from outside is one [`fit`] can have made: children after their
/// parent, every node reached once, leaves labelled.
fn check_tree<T: Float>(children: &[i64], centers: MatRef<'_, T>, labels: &[i64]) -> Result<()> {
    let m = labels.len();
    let bad = |reason: &str| Err(ClustorError::InvalidParameter { name: "tree", reason: reason.into() });
    if m == 0 || children.len() != 2 * m || centers.rows() != m {
        return bad("children, centers and labels must describe the same nodes");
    }
    if !centers.data().iter().all(|v| v.is_finite()) {
        return Err(ClustorError::NotFinite("tree centers"));
    }
    let mut seen = vec![false; m];
    for i in 0..m {
        let (l, r) = (children[2 * i], children[2 * i + 1]);
        if (l < 0) != (r < 0) {
            return bad("a node has one child");
        }
        if l < 0 {
            if labels[i] < 0 {
                return bad("a leaf has no label");
            }
            continue;
        }
        for c in [l, r] {
            let c = c as usize;
            if c <= i || c >= m || seen[c] {
                return bad("child indices must follow their parent and appear once");
            }
            seen[c] = true;
        }
    }
    Ok(())
}

/// Labels of the rows of `x` (n×d) by descending `tree` (flat, as [`Tree`]) from the root,
/// each row shifted by `shift` as in [`fit`]: at every inner node the closer child by the
/// tiled kernel (ties to the left), as the fit partitioned its samples.
pub fn predict<T: Float>(
    x: MatRef<'_, T>,
    shift: &[T],
    children: &[i64],
    centers: MatRef<'_, T>,
    labels: &[i64],
    n_threads: usize,
) -> Result<Vec<i64>> {
    let (n, d) = (x.rows(), x.cols());
    MatRef::new_finite("X", x.data(), n, d)?;
    if centers.cols() != d || shift.len() != d {
        return Err(ClustorError::InvalidParameter {
            name: "X",
            reason: format!("X has {d} features, but the model expects {}", centers.cols()),
        });
    }
    check_tree(children, centers, labels)?;
    let pool = parallel::pool(n_threads)?;
    let m = labels.len();
    let mut packs: Vec<Option<PackedCenters<T>>> = Vec::with_capacity(m);
    for i in 0..m {
        let (l, r) = (children[2 * i], children[2 * i + 1]);
        packs.push(if l >= 0 {
            let c = [centers.row(l as usize), centers.row(r as usize)].concat();
            Some(PackedCenters::new(MatRef::new("centers", &c, 2, d)?))
        } else {
            None
        });
    }
    let mut out = vec![-1i64; n];
    map_chunks_mut(&pool, ChunkPlan::new(n, 0), &mut out, 1, |rows, lab| {
        let mut own = Vec::with_capacity(rows.len() * d);
        for i in rows.clone() {
            own.extend(x.row(i).iter().zip(shift).map(|(&a, &s)| a - s));
        }
        let mut stack = vec![(0usize, (0..rows.len()).collect::<Vec<usize>>())];
        let mut buf: Vec<T> = Vec::new();
        while let Some((node, idx)) = stack.pop() {
            let Some(pack) = &packs[node] else {
                for i in idx {
                    lab[i] = labels[node];
                }
                continue;
            };
            buf.clear();
            for &i in &idx {
                buf.extend_from_slice(&own[i * d..(i + 1) * d]);
            }
            let mut left = vec![false; idx.len()];
            pack.for_each_closest(&buf, idx.len(), |r, j, _| left[r] = j == 0);
            let (mut l, mut r) = (Vec::new(), Vec::new());
            for (&i, &g) in idx.iter().zip(&left) {
                if g {
                    l.push(i)
                } else {
                    r.push(i)
                }
            }
            stack.push((children[2 * node + 1] as usize, r));
            stack.push((children[2 * node] as usize, l));
        }
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    fn cfg(k: usize, strategy: Strategy, t: usize) -> Config {
        Config {
            n_clusters: k,
            init: Init::Random,
            n_init: 1,
            kmeans: super::super::Config {
                max_iter: 100,
                tol: 0.0,
                algorithm: Algorithm::Lloyd,
                spherical: false,
                n_threads: t,
                verbose: false,
            },
            strategy,
            seed: 3,
        }
    }

    #[test]
    fn splits_by_hand_1d() {
        // 0, 1 | 10, 11 | 30: the first split separates {0,1,10,11} from {30} (or
        // {0,1} from the rest): either way three clusters {0,1}, {10,11}, {30}.
        let x = [0.0, 1.0, 10.0, 11.0, 30.0];
        let w = [1.0; 5];
        for strategy in [Strategy::BiggestInertia, Strategy::LargestCluster] {
            let f = fit(MatRef::new("X", &x, 5, 1).unwrap(), &w, &[0.0], &cfg(3, strategy, 1), &Silent).unwrap();
            let l = &f.labels;
            assert!(l[0] == l[1] && l[2] == l[3] && l[0] != l[2] && l[4] != l[0] && l[4] != l[2], "{l:?}");
            assert_eq!(f.inertia, 1.0);
            assert_eq!(f.n_splits, 2);
            let p = predict(
                MatRef::new("X", &x, 5, 1).unwrap(),
                &[0.0],
                &f.tree.children,
                MatRef::new("c", &f.tree.centers, f.tree.labels.len(), 1).unwrap(),
                &f.tree.labels,
                2,
            )
            .unwrap();
            assert_eq!(&p, l);
        }
    }

    #[test]
    fn same_for_any_thread_count() {
        let mut r = Rng::new(1);
        let (n, d) = (5000, 4);
        let x: Vec<f32> = (0..n * d).map(|i| ((i / d) % 5) as f32 * 7.0 + r.uniform() as f32).collect();
        let w = vec![1.0f32; n];
        let run = |t| {
            fit(MatRef::new("X", &x, n, d).unwrap(), &w, &[1.0; 4], &cfg(6, Strategy::BiggestInertia, t), &Silent)
                .unwrap()
        };
        let (a, b) = (run(1), run(2));
        assert_eq!((a.labels, a.centers, a.inertia.to_bits()), (b.labels, b.centers, b.inertia.to_bits()));
    }

    #[test]
    fn duplicates_and_bad_input() {
        // Four equal points into three clusters: splits of zero-inertia leaves work.
        let x = [2.0; 4];
        let f =
            fit(MatRef::new("X", &x, 4, 1).unwrap(), &[1.0; 4], &[0.0], &cfg(3, Strategy::BiggestInertia, 1), &Silent)
                .unwrap();
        assert_eq!(f.inertia, 0.0);
        assert!(f.labels.iter().all(|&l| (0..3).contains(&l)));
        let e = fit(
            MatRef::new("X", &[f64::NAN], 1, 1).unwrap(),
            &[1.0],
            &[0.0],
            &cfg(1, Strategy::BiggestInertia, 1),
            &Silent,
        );
        assert_eq!(e.unwrap_err(), ClustorError::NotFinite("X"));
        let e =
            fit(MatRef::new("X", &[1.0], 1, 1).unwrap(), &[1.0], &[0.0], &cfg(2, Strategy::BiggestInertia, 1), &Silent);
        assert!(matches!(e, Err(ClustorError::TooManyClusters { .. })));
        let c = [0.0, 1.0];
        let e = predict(
            MatRef::new("X", &[1.0], 1, 1).unwrap(),
            &[0.0],
            &[1, 0, -1, -1],
            MatRef::new("c", &c, 2, 1).unwrap(),
            &[-1, 0],
            1,
        );
        assert!(matches!(e, Err(ClustorError::InvalidParameter { .. })));
    }
}
