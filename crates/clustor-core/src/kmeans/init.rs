//! Seeding: greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's local trials)
//! and weighted random choice of k distinct samples.

use crate::distance::{sq_norms, PackedCenters};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::{check_weights, MatRef};
use crate::monitor::Monitor;
use crate::parallel::{self, map_chunks_mut, ChunkPlan};
use crate::rng::Rng;

/// Chosen initial centers (k×d) and the sample index each was copied from.
pub type Seeds<T> = (Vec<T>, Vec<i64>);

fn check<T: Float>(x: MatRef<'_, T>, w: &[T], k: usize) -> Result<()> {
    MatRef::new_finite("X", x.data(), x.rows(), x.cols())?;
    check_weights(w, x.rows())?;
    if k == 0 {
        return Err(ClustorError::InvalidParameter { name: "n_clusters", reason: "must be >= 1".into() });
    }
    if k > x.rows() {
        return Err(ClustorError::TooManyClusters { n_samples: x.rows(), n_clusters: k });
    }
    Ok(())
}

/// First index whose cumulative value reaches `v` (numpy's `searchsorted(side='left')`),
/// clipped to the last index.
fn search(cum: &[f64], v: f64) -> usize {
    cum.partition_point(|&c| c < v).min(cum.len() - 1)
}

/// Greedy k-means++: each new center is the best of `n_local_trials` candidates drawn with
/// probability ∝ weight × squared distance to the nearest chosen center (default
/// `2 + ⌊ln k⌋`), "best" meaning the smallest resulting potential.
pub fn kmeans_plusplus<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    k: usize,
    n_local_trials: Option<usize>,
    seed: u64,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Seeds<T>> {
    check(x, w, k)?;
    let (n, d) = (x.rows(), x.cols());
    let trials = n_local_trials.unwrap_or(2 + (k as f64).ln() as usize).max(1);
    let pool = parallel::pool(n_threads)?;
    let plan = ChunkPlan::new(n, trials * 8);
    let mut rng = Rng::new(seed);
    let x_norms = sq_norms(x);

    let mut centers = Vec::with_capacity(k * d);
    let mut indices = Vec::with_capacity(k);
    let mut cum = vec![0.0f64; n];
    let cumsum = |cum: &mut [f64], vals: &mut dyn Iterator<Item = f64>| {
        let mut acc = 0.0;
        for (c, v) in cum.iter_mut().zip(vals) {
            acc += v;
            *c = acc;
        }
        acc
    };

    let total_w = cumsum(&mut cum, &mut w.iter().map(|v| v.as_f64()));
    let first = search(&cum, rng.uniform() * total_w);
    centers.extend_from_slice(x.row(first));
    indices.push(first as i64);

    // Squared distance of every sample to its closest chosen center, and trial scratch.
    let mut closest = vec![T::zero(); n];
    let mut scratch = vec![T::zero(); n * trials];
    let dists_to = |cand: &[usize], scratch: &mut [T]| {
        let c: Vec<T> = cand.iter().flat_map(|&i| x.row(i).iter().copied()).collect();
        let packed = PackedCenters::new(MatRef::new("candidates", &c, cand.len(), d).expect("shape"));
        let t = cand.len();
        map_chunks_mut(&pool, plan, scratch, t, |rows, out| {
            let kp = packed.padded_k();
            let mut buf = vec![T::zero(); 32usize * kp];
            let mut b = rows.start;
            while b < rows.end {
                let m = 32usize.min(rows.end - b);
                packed.partial_sq_dists(x.rows_slice(b..b + m), m, &mut buf);
                for r in 0..m {
                    for j in 0..t {
                        out[(b - rows.start + r) * t + j] = (buf[r * kp + j] + x_norms[b + r]).max(T::zero());
                    }
                }
                b += m;
            }
        });
    };
    dists_to(&[first], &mut scratch[..n]);
    closest.copy_from_slice(&scratch[..n]);
    let mut pot: f64 = closest.iter().zip(w).map(|(c, wi)| c.as_f64() * wi.as_f64()).sum();

    for _ in 1..k {
        mon.check()?;
        cumsum(&mut cum, &mut closest.iter().zip(w).map(|(c, wi)| c.as_f64() * wi.as_f64()));
        let cand: Vec<usize> = (0..trials).map(|_| search(&cum, rng.uniform() * pot)).collect();
        dists_to(&cand, &mut scratch);
        // Potential of each candidate: Σ w·min(closest, d_candidate), summed in chunk order.
        let parts: Vec<Vec<f64>> = parallel::map_chunks(&pool, plan, |rows| {
            let mut p = vec![0.0f64; trials];
            for i in rows {
                for (t, pt) in p.iter_mut().enumerate() {
                    *pt += closest[i].min(scratch[i * trials + t]).as_f64() * w[i].as_f64();
                }
            }
            p
        });
        let mut cand_pot = vec![0.0f64; trials];
        for p in &parts {
            for (a, b) in cand_pot.iter_mut().zip(p) {
                *a += b;
            }
        }
        let mut best = 0;
        for t in 1..trials {
            if cand_pot[t] < cand_pot[best] {
                best = t;
            }
        }
        pot = cand_pot[best];
        for i in 0..n {
            closest[i] = closest[i].min(scratch[i * trials + best]);
        }
        centers.extend_from_slice(x.row(cand[best]));
        indices.push(cand[best] as i64);
    }
    Ok((centers, indices))
}

/// k distinct samples drawn with probability ∝ weight (Efraimidis–Spirakis keys).
pub fn random<T: Float>(x: MatRef<'_, T>, w: &[T], k: usize, seed: u64) -> Result<Seeds<T>> {
    check(x, w, k)?;
    let positive = w.iter().filter(|&&v| v > T::zero()).count();
    if positive < k {
        return Err(ClustorError::InvalidParameter {
            name: "init",
            reason: format!(
                "init='random' needs n_clusters={k} samples with positive weight, only {positive} have one"
            ),
        });
    }
    let mut rng = Rng::new(seed);
    let mut keys: Vec<(f64, usize)> = w
        .iter()
        .enumerate()
        .filter(|(_, &v)| v > T::zero())
        .map(|(i, &v)| ((1.0 - rng.uniform()).ln() / v.as_f64(), i))
        .collect();
    keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let idx: Vec<usize> = keys[..k].iter().map(|&(_, i)| i).collect();
    let centers = idx.iter().flat_map(|&i| x.row(i).iter().copied()).collect();
    Ok((centers, idx.into_iter().map(|i| i as i64).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    #[test]
    fn plusplus_picks_one_point_per_far_group() {
        // Three tight pairs far apart: k-means++ must take one point from each pair.
        let x = [0.0, 0.1, 100.0, 100.1, 200.0, 200.1];
        let w = [1.0; 6];
        for seed in 0..20 {
            let (c, idx) = kmeans_plusplus(MatRef::new("X", &x, 6, 1).unwrap(), &w, 3, None, seed, 1, &Silent).unwrap();
            let mut groups: Vec<i64> = idx.iter().map(|i| i / 2).collect();
            groups.sort();
            assert_eq!(groups, vec![0, 1, 2], "seed {seed}: {c:?}");
        }
    }

    #[test]
    fn plusplus_same_for_any_thread_count_and_skips_zero_weight() {
        let mut r = Rng::new(3);
        let x: Vec<f64> = (0..3000).map(|_| r.uniform()).collect();
        let mut w = vec![1.0; 1000];
        w[..500].iter_mut().for_each(|v| *v = 0.0);
        let m = MatRef::new("X", &x, 1000, 3).unwrap();
        let a = kmeans_plusplus(m, &w, 20, None, 5, 1, &Silent).unwrap();
        let b = kmeans_plusplus(m, &w, 20, None, 5, 2, &Silent).unwrap();
        assert_eq!(a.1, b.1);
        assert!(a.1.iter().all(|&i| i >= 500));
    }

    #[test]
    fn random_distinct_positive_weight() {
        let x: Vec<f64> = (0..10).map(|v| v as f64).collect();
        let mut w = vec![1.0; 10];
        w[3] = 0.0;
        let (_, idx) = random(MatRef::new("X", &x, 10, 1).unwrap(), &w, 9, 1).unwrap();
        let mut s = idx.clone();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), 9);
        assert!(!idx.contains(&3));
        assert!(random(MatRef::new("X", &x, 10, 1).unwrap(), &w, 10, 1).is_err());
    }
}
