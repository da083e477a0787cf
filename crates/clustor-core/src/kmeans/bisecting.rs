//! Bisecting k-means as scikit-learn runs it: starting from one cluster, repeatedly split
//! the leaf with the largest score (its inertia, or its number of samples) with 2-means,
//! until there are `n_clusters` leaves; leaves are numbered in depth-first order.
//!
//! The fit works on a copy of X (shifted by the caller's mean) whose rows are permuted so
//! that every leaf is a contiguous run: each split runs Lloyd's (or Elkan's) iteration on
//! its run, then one pass over the run labels it (unless the iteration's last assignment
//! already did), sums each side's inertia and moves the rows into the same run of a second
//! copy, left side first, both sides keeping their order (so a leaf's rows stay in the
//! order of X, as scikit-learn's `X[indices]`). The two copies alternate level by level:
//! no copy of X per split, and the pass is parallel.
//!
//! Inputs are validated once, at the gate of [`fit`]; the seedings and iterations of the
//! splits run without re-checking them (a check is a pass over the run).
//!
//! The partition of a split is decided by the tiled kernel's closest-of-two-centers (the
//! same values whatever the row's position), and [`predict`] descends the tree with the
//! same kernel on the same shifted values, so `predict(X_train)` equals the fitted labels.

use super::{elkan, init, lloyd, Algorithm};
use crate::distance::{sq_dist, PackedCenters};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::{check_weights, MatRef};
use crate::monitor::Monitor;
use crate::parallel::{self, map_chunks_mut, map_chunks_mut_state, ChunkPlan};
use crate::rng::Rng;

/// Seeding of each 2-means split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// Two distinct samples drawn with probability ∝ weight (scikit-learn's default here).
    Random,
    /// Greedy k-means++.
    KMeansPlusPlus,
}

/// A seeding supplied by the caller (scikit-learn's callable `init`): receives the rows of
/// the leaf being split (m×d, shifted frame, in the order of X) and returns two centers
/// (2×d, row-major). Called once per seeding, on the calling thread.
pub type Seeder<'a, T> = dyn FnMut(MatRef<'_, T>) -> Result<Vec<T>> + Send + 'a;

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
    /// Seeding of each split (unless a [`Seeder`] is given to [`fit_seeded`]).
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
    /// Which of the two working copies holds the node's rows (leaves only).
    copy: usize,
    /// Rows `start..end` of that copy (leaves only).
    start: usize,
    end: usize,
    score: f64,
    inertia: f64,
}

/// A working copy: shifted rows, their weights and original indices, permuted together.
struct Rows<T> {
    x: Vec<T>,
    w: Vec<T>,
    orig: Vec<usize>,
}

impl<T: Float> Rows<T> {
    fn seg(&self, s: usize, e: usize, d: usize) -> Result<(MatRef<'_, T>, &[T])> {
        Ok((MatRef::new("X", &self.x[s * d..e * d], e - s, d)?, &self.w[s..e]))
    }
}

/// One chunk's destination in the split pass: where its left-side rows go, and its right.
struct Dest<'a, T> {
    x: [&'a mut [T]; 2],
    w: [&'a mut [T]; 2],
    orig: [&'a mut [usize]; 2],
}

/// Cuts `out` into consecutive pieces of `len[c] * width` values.
fn cut<'a, A>(mut out: &'a mut [A], lens: &[usize], width: usize) -> Vec<&'a mut [A]> {
    lens.iter()
        .map(|&l| {
            let (head, tail) = std::mem::take(&mut out).split_at_mut(l * width);
            out = tail;
            head
        })
        .collect()
}

/// The split pass: labels rows `s..e` of `src` against two `centers` (2×d) by the tiled
/// kernel (ties go to center 0) unless `labels` already holds them, and moves them to rows
/// `s..e` of `dst`, center 0's first, each side in its order. Returns how many rows went
/// left and each side's weighted inertia (direct differences, chunk-ordered sums).
#[allow(clippy::too_many_arguments)]
fn split_rows<T: Float>(
    src: &Rows<T>,
    dst: &mut Rows<T>,
    (s, e, d): (usize, usize, usize),
    centers: &[T],
    labels: Option<Vec<i64>>,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<(usize, [f64; 2])> {
    let (xs, ws) = src.seg(s, e, d)?;
    let m = e - s;
    let plan = ChunkPlan::new(m, 0);
    let (labels, left) = match labels {
        Some(l) => {
            let left = parallel::map_chunks(pool, plan, |rows| l[rows].iter().filter(|&&v| v == 0).count());
            (l, left)
        }
        None => {
            let packed = PackedCenters::new(MatRef::new("centers", centers, 2, d)?);
            let mut l = vec![0i64; m];
            let left = map_chunks_mut(pool, plan, &mut l, 1, |rows, lab| {
                packed.for_each_closest(xs.rows_slice(rows.clone()), rows.len(), |r, j, _| lab[r] = j as i64);
                lab.iter().filter(|&&v| v == 0).count()
            });
            (l, left)
        }
    };
    let n_left: usize = left.iter().sum();
    let right: Vec<usize> = (0..plan.len()).map(|c| plan.range(c).len() - left[c]).collect();
    let (xl, xr) = dst.x[s * d..e * d].split_at_mut(n_left * d);
    let (wl, wr) = dst.w[s..e].split_at_mut(n_left);
    let (ol, or) = dst.orig[s..e].split_at_mut(n_left);
    let mut dests: Vec<Dest<'_, T>> = cut(xl, &left, d)
        .into_iter()
        .zip(cut(xr, &right, d))
        .zip(cut(wl, &left, 1).into_iter().zip(cut(wr, &right, 1)))
        .zip(cut(ol, &left, 1).into_iter().zip(cut(or, &right, 1)))
        .map(|(((xl, xr), (wl, wr)), (ol, or))| Dest { x: [xl, xr], w: [wl, wr], orig: [ol, or] })
        .collect();
    let orig = &src.orig[s..e];
    let mut labels = labels;
    let parts = map_chunks_mut_state(pool, plan, &mut labels, 1, &mut dests, d, mon, |rows, lab, dest| {
        let mut at = [0usize; 2];
        let mut inertia = [0.0f64; 2];
        for (r, i) in rows.enumerate() {
            let side = lab[r] as usize;
            let row = xs.row(i);
            let c = &centers[side * d..(side + 1) * d];
            inertia[side] += sq_dist(row, c).as_f64() * ws[i].as_f64();
            let a = at[side];
            dest.x[side][a * d..(a + 1) * d].copy_from_slice(row);
            dest.w[side][a] = ws[i];
            dest.orig[side][a] = orig[i];
            at[side] += 1;
        }
        inertia
    })?;
    let mut inertia = [0.0; 2];
    for p in parts {
        inertia[0] += p[0];
        inertia[1] += p[1];
    }
    Ok((n_left, inertia))
}

/// A split's two centers (2×d), and the labels of its rows when they are already the
/// kernel's closest of those centers.
type Split<T> = (Vec<T>, Option<Vec<i64>>);

/// The best 2-means of a segment over `n_init` seedings; None when the segment has fewer
/// than two samples of positive weight (nothing to split).
#[allow(clippy::too_many_arguments)]
fn two_means<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    cfg: &Config,
    seeder: &mut Option<&mut Seeder<'_, T>>,
    rng: &mut Rng,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Option<Split<T>>> {
    if w.iter().filter(|&&v| v > T::zero()).count() < 2 {
        return Ok(None);
    }
    let d = x.cols();
    let mut best: Option<(Vec<T>, Option<Vec<i64>>, f64)> = None;
    let n_init = cfg.n_init.max(1);
    for _ in 0..n_init {
        let seed = rng.next_u64();
        let mut c0 = match seeder.as_deref_mut() {
            Some(f) => {
                let c = f(x)?;
                if c.len() != 2 * d || !c.iter().all(|v| v.is_finite()) {
                    return Err(ClustorError::InvalidParameter {
                        name: "init",
                        reason: format!("the callable must return 2×{d} finite centers"),
                    });
                }
                c
            }
            None => match cfg.init {
                Init::Random => init::random_unchecked(x, w, 2, seed)?.0,
                Init::KMeansPlusPlus => init::kmeans_plusplus_unchecked(x, w, 2, None, seed, pool, mon)?.0,
            },
        };
        if cfg.kmeans.spherical {
            for c in c0.chunks_mut(d) {
                super::normalize_row(c);
            }
        }
        let c0 = MatRef::new("init", &c0, 2, d)?;
        // One seeding needs no inertia to compare: the split pass sums it, and labels the
        // rows unless Lloyd's last assignment already did.
        let (centers, labels, inertia) = match cfg.kmeans.algorithm {
            Algorithm::Lloyd if n_init == 1 => {
                let it = lloyd::iterate(x, w, c0, &cfg.kmeans, pool, mon)?;
                (it.centers, it.fresh.then_some(it.labels), 0.0)
            }
            Algorithm::Lloyd => {
                let f = lloyd::run(x, w, c0, &cfg.kmeans, pool, mon)?;
                (f.centers, Some(f.labels), f.inertia)
            }
            // Elkan's labels come from exact distances, not the kernel's: relabel.
            Algorithm::Elkan => {
                let f = elkan::run(x, w, c0, &cfg.kmeans, pool, mon)?;
                (f.centers, None, f.inertia)
            }
        };
        // scikit-learn's rule: a later seeding must be better by more than rounding.
        if best.as_ref().map_or(true, |b| inertia < b.2 * (1.0 - 1e-6)) {
            best = Some((centers, labels, inertia));
        }
    }
    Ok(best.map(|b| (b.0, b.1)))
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
    fit_seeded(x, w, shift, cfg, None, mon)
}

/// [`fit`], with every split seeded by `seeder` when one is given (instead of `cfg.init`).
pub fn fit_seeded<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    shift: &[T],
    cfg: &Config,
    mut seeder: Option<&mut Seeder<'_, T>>,
    mon: &dyn Monitor,
) -> Result<Fit<T>> {
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
    if cfg.kmeans.max_iter == 0 {
        return Err(ClustorError::InvalidParameter { name: "max_iter", reason: "must be >= 1".into() });
    }
    if !(cfg.kmeans.tol >= 0.0) {
        return Err(ClustorError::InvalidParameter { name: "tol", reason: "must be >= 0".into() });
    }
    let mut xw = crate::error::try_vec(n * d, T::zero(), "the working copy of X", "use fewer samples")?;
    map_chunks_mut(&pool, ChunkPlan::new(n, 0), &mut xw, d, |rows, out| {
        for (o, i) in out.chunks_exact_mut(d).zip(rows) {
            for ((v, &a), &m) in o.iter_mut().zip(x.row(i)).zip(shift) {
                *v = a - m;
            }
        }
    });
    // The second copy: each split moves its rows there (or back).
    let other = if k > 1 {
        crate::error::try_vec(n * d, T::zero(), "the second working copy of X", "use fewer samples")?
    } else {
        Vec::new()
    };
    let mut copies = [
        Rows { x: xw, w: w.to_vec(), orig: (0..n).collect() },
        Rows { x: other, w: vec![T::zero(); n], orig: vec![0; n] },
    ];
    let root_center = {
        let tot: f64 = w.iter().map(|v| v.as_f64()).sum();
        let mut c = vec![0.0f64; d];
        for i in 0..n {
            let wi = w[i].as_f64();
            for (cf, &v) in c.iter_mut().zip(&copies[0].x[i * d..(i + 1) * d]) {
                *cf += v.as_f64() * wi;
            }
        }
        c.iter().map(|&v| T::of_f64(v / tot)).collect()
    };
    let mut nodes =
        vec![Node { center: root_center, children: None, copy: 0, start: 0, end: n, score: 0.0, inertia: 0.0 }];
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
        let (s, e, from) = (nodes[t].start, nodes[t].end, nodes[t].copy);
        let [c0, c1] = &mut copies;
        let (src, dst) = if from == 0 { (&*c0, c1) } else { (&*c1, c0) };
        let (xs, ws) = src.seg(s, e, d)?;
        let (centers, labels) = match two_means(xs, ws, cfg, &mut seeder, &mut rng, &pool, mon)? {
            Some(c) => c,
            // Fewer than two weighted samples: both children at the parent's center, every
            // sample left (the kernel sends ties to the first center, as predict will).
            None => ([nodes[t].center.clone(), nodes[t].center.clone()].concat(), None),
        };
        let (n_left, inertia) = split_rows(src, dst, (s, e, d), &centers, labels, &pool, mon)?;
        if cfg.kmeans.verbose {
            mon.log(&format!("Split {split}: cluster of {} samples into {n_left} and {}.", e - s, e - s - n_left));
        }
        let score = |m: usize, i: f64| match cfg.strategy {
            Strategy::BiggestInertia => i,
            Strategy::LargestCluster => m as f64,
        };
        let (l, r) = (nodes.len(), nodes.len() + 1);
        let child = |c: &[T], start, end, inertia| Node {
            center: c.to_vec(),
            children: None,
            copy: 1 - from,
            start,
            end,
            score: score(end - start, inertia),
            inertia,
        };
        nodes.push(child(&centers[..d], s, s + n_left, inertia[0]));
        nodes.push(child(&centers[d..], s + n_left, e, inertia[1]));
        nodes[t].children = Some((l, r));
    }
    let mut labels = vec![-1i64; n];
    let mut centers = Vec::with_capacity(k * d);
    let mut tree_labels = vec![-1i64; nodes.len()];
    let mut inertia = 0.0;
    for (label, leaf) in leaves(&nodes).into_iter().enumerate() {
        let node = &nodes[leaf];
        for &i in &copies[node.copy].orig[node.start..node.end] {
            labels[i] = label as i64;
        }
        centers.extend_from_slice(&node.center);
        tree_labels[leaf] = label as i64;
        inertia += node.inertia;
    }
    if k == 1 {
        let xs = MatRef::new("X", &copies[0].x, n, d)?;
        inertia = super::inertia(xs, &copies[0].w, &nodes[0].center, &vec![0; n], &pool);
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
    fn seeder_gets_each_leaf_in_the_order_of_x() {
        // Column 1 holds the row index (shifted by 0): every leaf the seeder sees must list
        // its rows in increasing index, as scikit-learn's X[indices] does. Seeding with the
        // first and last rows of four separated groups recovers the groups.
        let n = 400;
        let x: Vec<f64> = (0..n).flat_map(|i| [((i * 7) % 4) as f64 * 100.0, i as f64 * 1e-3]).collect();
        let w = vec![1.0; n];
        let mut sizes = Vec::new();
        let mut seeder = |xs: MatRef<'_, f64>| -> Result<Vec<f64>> {
            let m = xs.rows();
            assert!((1..m).all(|r| xs.row(r)[1] > xs.row(r - 1)[1]));
            sizes.push(m);
            Ok([xs.row(0), xs.row(m - 1)].concat())
        };
        for t in [1, 2] {
            let f = fit_seeded(
                MatRef::new("X", &x, n, 2).unwrap(),
                &w,
                &[0.0, 0.0],
                &cfg(4, Strategy::BiggestInertia, t),
                Some(&mut seeder),
                &Silent,
            )
            .unwrap();
            for i in 0..n {
                assert_eq!(f.labels[i], f.labels[i % 4], "row {i}");
            }
            let mut groups: Vec<i64> = (0..4).map(|i| f.labels[i]).collect();
            groups.sort();
            assert_eq!(groups, vec![0, 1, 2, 3]);
        }
        assert_eq!(sizes.len(), 6, "3 splits per fit");
        assert_eq!(sizes[0], n);
        // A seeding of the wrong size, or not finite, is refused; an error it returns ends
        // the fit as is.
        let x = MatRef::new("X", &x, n, 2).unwrap();
        for bad in [vec![0.0; 3], vec![f64::NAN; 4]] {
            let mut s = |_: MatRef<'_, f64>| -> Result<Vec<f64>> { Ok(bad.clone()) };
            let e = fit_seeded(x, &w, &[0.0, 0.0], &cfg(3, Strategy::BiggestInertia, 1), Some(&mut s), &Silent);
            assert!(matches!(e, Err(ClustorError::InvalidParameter { name: "init", .. })), "{e:?}");
        }
        let mut s = |_: MatRef<'_, f64>| -> Result<Vec<f64>> { Err(ClustorError::Interrupted) };
        let e = fit_seeded(x, &w, &[0.0, 0.0], &cfg(3, Strategy::BiggestInertia, 1), Some(&mut s), &Silent);
        assert_eq!(e.unwrap_err(), ClustorError::Interrupted);
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
