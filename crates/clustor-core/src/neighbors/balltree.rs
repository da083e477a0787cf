//! Ball tree: the tree of [`super::kdtree`] (same median splits on the widest feature, rows
//! in tree order, same traversals) with nodes bounded by balls instead of boxes, as
//! scikit-learn's `BallTree`: each node keeps the centroid of its rows and two radii, the
//! largest euclidean and the largest manhattan distance from the centroid to a row, so one
//! tree serves every metric of [`super::Metric`] (cosine uses the euclidean radius of the
//! normalised rows). In many dimensions a ball bounds clustered rows far more tightly than
//! their box does.
//!
//! Exactness: the triangle inequality bounds the distance from a query `q` to any row of a
//! node with centre `c` and radius `R` by `|q − c| − R` and `|q − c| + R`. The computed
//! distances are sums of non-negative terms, so each is within a relative `(d + 4)·2⁻⁵³` of
//! its exact value; the bounds are widened by a relative `eps = (d + 16)·2⁻⁵²` of
//! `|q − c| + R`, which covers those errors and the rounding of the bound itself. So a node is
//! pruned only when no row of it can pass the direct test `distance <= r` (a row at exactly
//! the radius is always found) and accepted whole only when every row passes it.

use super::kdtree::{extent, Bound, Kernel, Manhattan, SqEuclidean, Tree};
use crate::float::Float;

/// The ball tree.
pub type BallTree<T> = Tree<T, Balls>;

/// Bounding balls, stored as the centroid (`d` values), then the euclidean and the manhattan
/// radius.
#[derive(Debug, Clone, Copy)]
pub struct Balls;

/// Relative slack of the ball bounds for `d` features (see the module notes).
#[inline(always)]
fn slack(d: usize) -> f64 {
    (d + 16) as f64 * f64::EPSILON
}

/// Distance from `q` to the centre of ball `b` in the ball metric of `K`, its radius, and
/// the slack.
#[inline(always)]
fn centre_gap<K: Kernel>(q: &[f64], b: &[f64]) -> (f64, f64, f64) {
    let d = q.len();
    let c = &b[..d];
    if K::BALL_L1 {
        (Manhattan::rdist(q, c), b[d + 1], slack(d))
    } else {
        (SqEuclidean::rdist(q, c).sqrt(), b[d], slack(d))
    }
}

impl Bound for Balls {
    fn width(d: usize) -> usize {
        d + 2
    }

    fn fit<T: Float>(x: &[T], d: usize, idx: &[usize], out: &mut [f64]) -> (usize, f64) {
        let mut lohi = vec![0.0; 2 * d];
        let (lo, hi) = lohi.split_at_mut(d);
        let split = extent(x, d, idx, lo, hi);
        let (c, radii) = out.split_at_mut(d);
        c.fill(0.0);
        radii.fill(0.0);
        if idx.is_empty() {
            return split;
        }
        for &i in idx {
            for (s, v) in c.iter_mut().zip(&x[i * d..(i + 1) * d]) {
                *s += v.as_f64();
            }
        }
        let m = idx.len() as f64;
        c.iter_mut().for_each(|s| *s /= m);
        for &i in idx {
            let row = &x[i * d..(i + 1) * d];
            radii[0] = radii[0].max(SqEuclidean::rdist(c, row).sqrt());
            radii[1] = radii[1].max(Manhattan::rdist(c, row));
        }
        split
    }

    #[inline(always)]
    fn min_rd<K: Kernel>(q: &[f64], b: &[f64]) -> f64 {
        let (a, r, eps) = centre_gap::<K>(q, b);
        // `max` also turns a NaN (infinite distances) into 0: no pruning.
        K::ball_min((a - r - eps * (a + r)).max(0.0), eps)
    }

    #[inline(always)]
    fn max_rd<K: Kernel>(q: &[f64], b: &[f64]) -> f64 {
        let (a, r, eps) = centre_gap::<K>(q, b);
        K::ball_max(a + r + eps * (a + r), eps)
    }

    fn diameter_rd<K: Kernel>(b: &[f64], d: usize) -> f64 {
        if !K::EXACT_BOX {
            return f64::INFINITY;
        }
        let r = if K::BALL_L1 { b[d + 1] } else { b[d] };
        let eps = slack(d);
        K::ball_max(r + r + eps * (r + r), eps)
    }
}

#[cfg(test)]
mod tests {
    use super::super::kdtree::tests::{Collect, Count};
    use super::super::kdtree::{CosineUnit, KdTree};
    use super::*;
    use crate::rng::Rng;

    /// Integer grid values (many exact ties), as `T`.
    fn grid<T: Float>(n: usize, d: usize, k: usize, seed: u64) -> Vec<T> {
        let mut r = Rng::new(seed);
        (0..n * d).map(|_| T::of_f64(r.below(k) as f64)).collect()
    }

    fn unit<T: Float>(x: &[T], d: usize) -> Vec<T> {
        x.chunks_exact(d)
            .flat_map(|row| {
                let s: f64 = row.iter().map(|v| v.as_f64() * v.as_f64()).sum::<f64>().sqrt();
                let s = if s == 0.0 { 1.0 } else { s };
                row.iter().map(move |v| T::of_f64(v.as_f64() / s))
            })
            .collect()
    }

    /// Radius, count and k-nearest queries of the ball tree against a direct scan (and the
    /// KD-tree), for kernel `K`, every row as the query.
    fn check<T: Float, K: Kernel>(x: &[T], n: usize, d: usize, leaf: usize, radii: &[f64]) {
        let t = BallTree::build(x, n, d, leaf);
        let kd = KdTree::build(x, n, d, leaf);
        assert_eq!(t.len(), n);
        assert_eq!(t.dim(), d);
        for p in 0..n {
            assert_eq!(t.position(t.index(p)), p);
            assert_eq!(t.row(p), &x[t.index(p) * d..(t.index(p) + 1) * d]);
            // Same splits as the KD-tree: same permutation.
            assert_eq!(t.index(p), kd.index(p));
        }
        let step = (n / 40).max(1);
        for qi in (0..n).step_by(step) {
            let q: Vec<f64> = x[qi * d..(qi + 1) * d].iter().map(|v| v.as_f64()).collect();
            let all: Vec<(f64, usize)> = (0..n).map(|j| (K::rdist(&q, &x[j * d..(j + 1) * d]), j)).collect();
            for &r in radii {
                let want: Vec<usize> = all.iter().filter(|a| a.0 <= r).map(|a| a.1).collect();
                let mut c = Collect(Vec::new());
                assert!(t.visit_within::<K, _>(&q, r, &mut c));
                for &(p, rd) in &c.0 {
                    assert_eq!(rd, all[t.index(p)].0);
                }
                let mut got: Vec<usize> = c.0.iter().map(|&(p, _)| t.index(p)).collect();
                got.sort_unstable();
                assert_eq!(got, want, "radius {r} query {qi}");
                let mut cnt = Count(0, Vec::new());
                t.visit_within::<K, _>(&q, r, &mut cnt);
                assert_eq!(cnt.0, want.len(), "count radius {r} query {qi}");
                for range in cnt.1 {
                    assert!(range.clone().all(|p| all[t.index(p)].0 <= r));
                }
            }
            let mut sorted = all.clone();
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for k in [1, 2, 7, n] {
                let k = k.min(n);
                assert_eq!(t.nearest::<K>(&q, k, None), sorted[..k].to_vec(), "k {k} query {qi}");
                let seeded = t.nearest::<K>(&q, k, Some((t.position(qi), qi)));
                assert_eq!(seeded[0], (0.0, qi));
                let others: Vec<(f64, usize)> = sorted.iter().copied().filter(|a| a.1 != qi).take(k - 1).collect();
                assert_eq!(&seeded[1..], &others[..]);
            }
        }
        // Leaf diameters bound every pair.
        for (range, diam) in t.leaves::<K>() {
            for a in range.clone() {
                let qa: Vec<f64> = t.row(a).iter().map(|v| v.as_f64()).collect();
                for b in range.clone() {
                    assert!(K::rdist(&qa, t.row(b)) <= diam);
                }
            }
        }
    }

    fn check_all<T: Float>(seed: u64) {
        for (n, d, k, leaf) in [(500, 2, 7, 5), (300, 3, 4, 1), (200, 16, 3, 10), (60, 5, 3, 100), (1, 3, 5, 1)] {
            let x: Vec<T> = grid(n, d, k, seed + n as u64);
            check::<T, SqEuclidean>(&x, n, d, leaf, &[0.0, 1.0, 2.0, 4.0, 5.0, 13.0]);
            check::<T, Manhattan>(&x, n, d, leaf, &[0.0, 1.0, 2.0, 3.0, 7.0]);
            let u = unit(&x, d);
            check::<T, CosineUnit>(&u, n, d, leaf, &[0.0, 1e-3, 0.05, 0.2, 1.0]);
        }
    }

    #[test]
    fn queries_match_a_scan_f64() {
        check_all::<f64>(11);
    }

    #[test]
    fn queries_match_a_scan_f32() {
        check_all::<f32>(12);
    }

    #[test]
    fn exact_radius_ties_on_an_offset_grid() {
        // Points on a grid far from the origin: the centroid distances are large next to the
        // radius, where a bound without slack would lose points at exactly the radius.
        let (n, d) = (400, 3);
        let mut r = Rng::new(3);
        let x: Vec<f64> = (0..n * d).map(|_| 1e6 + 0.125 * r.below(9) as f64).collect();
        check::<f64, SqEuclidean>(&x, n, d, 4, &[0.0, 0.015625, 0.03125, 0.0625, 0.125]);
        check::<f64, Manhattan>(&x, n, d, 4, &[0.0, 0.125, 0.25, 0.375]);
    }

    #[test]
    fn duplicates_and_identical_rows() {
        let x = vec![1.0f32; 2 * 50];
        let t = BallTree::build(&x, 50, 2, 3);
        assert_eq!(t.n_nodes(), 1);
        let mut c = Count(0, Vec::new());
        t.visit_within::<SqEuclidean, _>(&[1.0, 1.0], 0.0, &mut c);
        assert_eq!(c.0, 50);
        // Half the rows duplicated.
        let mut x: Vec<f64> = grid(100, 2, 5, 4);
        let dup = x.clone();
        x.extend_from_slice(&dup);
        check::<f64, SqEuclidean>(&x, 200, 2, 3, &[0.0, 1.0, 2.0]);
        check::<f64, Manhattan>(&x, 200, 2, 1, &[0.0, 1.0, 2.0]);
    }

    #[test]
    fn empty_tree() {
        let t = BallTree::<f64>::build(&[], 0, 2, 3);
        assert!(t.is_empty());
        assert!(t.nearest::<SqEuclidean>(&[0.0, 0.0], 3, None).is_empty());
        let mut c = Count(0, Vec::new());
        assert!(t.visit_within::<SqEuclidean, _>(&[0.0, 0.0], 1.0, &mut c));
        assert_eq!(c.0, 0);
    }

    #[test]
    fn balls_are_sound() {
        let (n, d) = (300, 4);
        let x: Vec<f64> = grid(n, d, 6, 8);
        let mut b = vec![0.0; Balls::width(d)];
        let idx: Vec<usize> = (0..n).collect();
        Balls::fit(&x, d, &idx, &mut b);
        for i in 0..n {
            let row = &x[i * d..(i + 1) * d];
            assert!(SqEuclidean::rdist(&b[..d], row).sqrt() <= b[d]);
            assert!(Manhattan::rdist(&b[..d], row) <= b[d + 1]);
        }
        // A query far away: both bounds bracket every distance.
        let q = [10.0, -3.0, 2.5, 7.0];
        let (lo, hi) = (Balls::min_rd::<SqEuclidean>(&q, &b), Balls::max_rd::<SqEuclidean>(&q, &b));
        assert!(lo > 0.0);
        for i in 0..n {
            let rd = SqEuclidean::rdist(&q, &x[i * d..(i + 1) * d]);
            assert!(lo <= rd && rd <= hi);
        }
    }
}
