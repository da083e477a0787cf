//! Seeding: greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's local trials)
//! and weighted random choice of k distinct samples.

use crate::distance::{dot, PackedCenters, TileSink};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::{check_weights, MatRef};
use crate::monitor::Monitor;
use crate::parallel::{self, map_chunks_mut, ChunkPlan};
use crate::rng::Rng;

/// Chosen initial centers (k×d) and the sample index each was copied from.
pub type Seeds<T> = (Vec<T>, Vec<i64>);

/// Validates X (finite, checked on `pool` when given), the weights and k.
fn check<T: Float>(x: MatRef<'_, T>, w: &[T], k: usize, pool: Option<&rayon::ThreadPool>) -> Result<()> {
    match pool {
        Some(pool) => {
            MatRef::new("X", x.data(), x.rows(), x.cols())?;
            if x.rows() == 0 {
                return Err(ClustorError::EmptyInput(x.rows(), x.cols()));
            }
            if x.cols() == 0 {
                return Err(ClustorError::NoFeatures(x.rows()));
            }
            if !super::all_finite(x.data(), pool) {
                return Err(ClustorError::NotFinite("X"));
            }
        }
        None => {
            MatRef::new_finite("X", x.data(), x.rows(), x.cols())?;
        }
    }
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

/// Rows per chunk of the seeding passes. Each step makes one pass over X and draws by
/// scanning single chunks, so chunks are larger than the default: fewer partial results to
/// allocate and reduce per step (k steps), while 200 chunks of 1024 rows still balance any
/// realistic thread count.
const SEED_CHUNK_ROWS: usize = 1024;

/// Fused into the kernel: per row, folds the last chosen center (lane 0, when `fold`) into
/// the closest distance, then adds the row's `w·min(closest, d_j)` to every lane's
/// potential. Distances are the kernel's `‖x‖² − 2x·c + ‖c‖²`, clamped at 0 (scikit-learn's
/// form); every pass computes a given (row, center) distance with the same operations, so
/// the values agree bit for bit between passes.
struct Potentials<'a, T> {
    /// First row of the chunk (global index).
    start: usize,
    x_norms: &'a [T],
    w: &'a [T],
    closest: &'a mut [T],
    fold: bool,
    /// Row index of the center in lane 0 (its own distance is set to exactly 0).
    lane0_row: usize,
    pot: Vec<f64>,
}

impl<T: Float> Potentials<'_, T> {
    #[inline(always)]
    fn dist(v: T, xn: T) -> T {
        let d = v + xn;
        if d > T::zero() {
            d
        } else {
            T::zero()
        }
    }
}

impl<T: Float> TileSink<T> for Potentials<'_, T> {
    const ARGMIN: bool = false;
    #[inline(always)]
    fn panel<const NR: usize>(&mut self, r: usize, p: usize, vals: &[T; NR]) {
        let xn = self.x_norms[r];
        let mut cl = self.closest[r];
        if self.fold && p == 0 {
            let d = if self.start + r == self.lane0_row { T::zero() } else { Self::dist(vals[0], xn) };
            if d < cl {
                cl = d;
            }
            self.closest[r] = cl;
        }
        let wr = self.w[r].as_f64();
        let pot: &mut [f64; NR] = (&mut self.pot[p * NR..(p + 1) * NR]).try_into().unwrap();
        for j in 0..NR {
            // Padding lanes give +∞, so min keeps `closest`: harmless, and unread.
            let d = Self::dist(vals[j], xn);
            let m = if d < cl { d } else { cl };
            pot[j] += m.as_f64() * wr;
        }
    }
}

/// Greedy k-means++: each new center is the best of `n_local_trials` candidates drawn with
/// probability ∝ weight × squared distance to the nearest chosen center (default
/// `2 + ⌊ln k⌋`), "best" meaning the smallest resulting potential.
///
/// One pass over X per step (the pass is bound by reading X): the tiled kernel computes the
/// distances to the candidates and to the previous winner together, folds the winner into
/// the closest distances and sums every candidate's potential per chunk. The winner's
/// per-chunk potentials are the chunk masses the next draws need; a draw finds its chunk by
/// a prefix sum over chunks and scans only that chunk (recomputing the pending winner's
/// distances there with the same kernel, hence the same values). No n × trials distance
/// matrix and no sequential cumulative sum over all n samples per step.
pub fn kmeans_plusplus<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    k: usize,
    n_local_trials: Option<usize>,
    seed: u64,
    n_threads: usize,
    mon: &dyn Monitor,
) -> Result<Seeds<T>> {
    let pool = parallel::pool(n_threads)?;
    check(x, w, k, Some(&pool))?;
    kmeans_plusplus_unchecked(x, w, k, n_local_trials, seed, &pool, mon)
}

/// [`kmeans_plusplus`] on inputs already validated (finite X, valid weights,
/// 1 ≤ k ≤ n): for callers that checked them once for many seedings (bisecting k-means).
pub(crate) fn kmeans_plusplus_unchecked<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    k: usize,
    n_local_trials: Option<usize>,
    seed: u64,
    pool: &rayon::ThreadPool,
    mon: &dyn Monitor,
) -> Result<Seeds<T>> {
    let (n, d) = (x.rows(), x.cols());
    let trials = n_local_trials.unwrap_or(2 + (k as f64).ln() as usize).max(1);
    let plan = ChunkPlan::with_chunk_rows(n, SEED_CHUNK_ROWS);
    let mut rng = Rng::new(seed);
    let mut x_norms = vec![T::zero(); n];
    map_chunks_mut(pool, plan, &mut x_norms, 1, |rows, out| {
        for (o, i) in out.iter_mut().zip(rows) {
            *o = dot(x.row(i), x.row(i));
        }
    });

    let mut centers = Vec::with_capacity(k * d);
    let mut indices = Vec::with_capacity(k);
    // The first center: drawn with probability ∝ weight.
    let mut cum = vec![0.0f64; n];
    let mut total_w = 0.0;
    for (c, v) in cum.iter_mut().zip(w) {
        total_w += v.as_f64();
        *c = total_w;
    }
    let first = search(&cum, rng.uniform() * total_w);
    centers.extend_from_slice(x.row(first));
    indices.push(first as i64);

    // closest: distance to the chosen centers except `pending`, the last winner, which the
    // next pass folds in; chunk_mass/prefix: the masses including `pending`.
    let mut closest = vec![T::infinity(); n];
    let mut pending: Option<usize> = None;
    // One pass: lane 0 = `fold_row` (folded into closest), then `cand`; returns the
    // per-chunk potentials of every lane.
    let pass = |fold_row: Option<usize>, cand: &[usize], closest: &mut [T]| -> Result<Vec<Vec<f64>>> {
        let rows: Vec<usize> = fold_row.iter().copied().chain(cand.iter().copied()).collect();
        let c: Vec<T> = rows.iter().flat_map(|&i| x.row(i).iter().copied()).collect();
        let packed = PackedCenters::new(MatRef::new("candidates", &c, rows.len(), d)?);
        let kp = packed.padded_k();
        Ok(map_chunks_mut(pool, plan, closest, 1, |r, cl| {
            let mut sink = Potentials {
                start: r.start,
                x_norms: &x_norms[r.clone()],
                w: &w[r.clone()],
                closest: cl,
                fold: fold_row.is_some(),
                lane0_row: fold_row.unwrap_or(usize::MAX),
                pot: vec![0.0; kp],
            };
            packed.run(x.rows_slice(r.clone()), r.len(), &mut sink);
            sink.pot
        }))
    };
    let parts = pass(Some(first), &[], &mut closest)?;
    let mut chunk_mass: Vec<f64> = parts.iter().map(|p| p[0]).collect();

    for _ in 1..k {
        mon.check()?;
        let mut prefix = Vec::with_capacity(chunk_mass.len() + 1);
        let mut total = 0.0;
        for &m in &chunk_mass {
            prefix.push(total);
            total += m;
        }
        prefix.push(total);
        let cand: Vec<usize> = (0..trials)
            .map(|_| {
                let u = rng.uniform();
                if total > 0.0 {
                    draw(x, w, &x_norms, &closest, pending, plan, &chunk_mass, &prefix, u * total)
                } else {
                    // Every sample sits on a chosen center: fall back to the weights.
                    Ok(search(&cum, u * total_w))
                }
            })
            .collect::<Result<_>>()?;
        let parts = pass(pending, &cand, &mut closest)?;
        let off = usize::from(pending.is_some());
        let mut cand_pot = vec![0.0f64; trials];
        for p in &parts {
            for (a, b) in cand_pot.iter_mut().zip(&p[off..]) {
                *a += b;
            }
        }
        let mut best = 0;
        for t in 1..trials {
            if cand_pot[t] < cand_pot[best] {
                best = t;
            }
        }
        chunk_mass = parts.iter().map(|p| p[off + best]).collect();
        pending = Some(cand[best]);
        centers.extend_from_slice(x.row(cand[best]));
        indices.push(cand[best] as i64);
    }
    Ok((centers, indices))
}

/// `prefix[c]`: mass of the chunks before `c` (n_chunks + 1 entries).
///
/// The sample where the cumulative mass `Σ w·min(closest, d_pending)` first reaches `v`
/// (0 < v ≤ total), never one with zero mass (so never a chosen row): the chunk from the
/// prefix sums, then a scan of that chunk whose masses are computed as the pass computed
/// them (same kernel, same order of summation).
#[allow(clippy::too_many_arguments)]
fn draw<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    x_norms: &[T],
    closest: &[T],
    pending: Option<usize>,
    plan: ChunkPlan,
    chunk_mass: &[f64],
    prefix: &[f64],
    v: f64,
) -> Result<usize> {
    let n_chunks = chunk_mass.len();
    // First chunk whose end (prefix[c + 1]) reaches v, moved to one with mass.
    let mut c = prefix[1..].partition_point(|&p| p < v).min(n_chunks - 1);
    while c + 1 < n_chunks && chunk_mass[c] <= 0.0 {
        c += 1;
    }
    while c > 0 && chunk_mass[c] <= 0.0 {
        c -= 1;
    }
    let rows = plan.range(c);
    let mut cl: Vec<T> = closest[rows.clone()].to_vec();
    if let Some(pr) = pending {
        let packed = PackedCenters::new(MatRef::new("center", x.row(pr), 1, x.cols())?);
        let mut sink = Potentials {
            start: rows.start,
            x_norms: &x_norms[rows.clone()],
            w: &w[rows.clone()],
            closest: &mut cl,
            fold: true,
            lane0_row: usize::MAX,
            pot: vec![0.0; packed.padded_k()],
        };
        packed.run(x.rows_slice(rows.clone()), rows.len(), &mut sink);
    }
    let target = v - prefix[c];
    let mut acc = 0.0;
    let mut last = rows.start;
    for (i, &ci) in rows.clone().zip(&cl) {
        let m = ci.as_f64() * w[i].as_f64();
        if m > 0.0 && Some(i) != pending {
            acc += m;
            last = i;
            if acc >= target {
                return Ok(i);
            }
        }
    }
    // Rounding left the target just past the chunk's last sample with mass.
    Ok(last)
}

/// k distinct samples drawn with probability ∝ weight (Efraimidis–Spirakis keys).
pub fn random<T: Float>(x: MatRef<'_, T>, w: &[T], k: usize, seed: u64) -> Result<Seeds<T>> {
    check(x, w, k, None)?;
    random_unchecked(x, w, k, seed)
}

/// [`random`] on inputs already validated (finite X, valid weights, 1 ≤ k ≤ n).
///
/// The k largest keys are selected in O(n) and then sorted, rather than sorting all n keys
/// (bisecting k-means draws 2 of every leaf it splits: the full sort was 14% of its fit).
/// The order is total (ties by index), so the selection equals the first k of a full sort.
pub(crate) fn random_unchecked<T: Float>(x: MatRef<'_, T>, w: &[T], k: usize, seed: u64) -> Result<Seeds<T>> {
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
    let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if k < keys.len() {
        keys.select_nth_unstable_by(k - 1, order);
    }
    keys[..k].sort_by(order);
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
    fn plusplus_across_chunks_distinct_and_thread_independent() {
        // Several sampling chunks, duplicated rows (zero mass once a twin is chosen) and
        // more centers than trials: indices stay distinct, the same for 1 and 2 threads,
        // and the seeding's potential is far below that of the first center alone.
        let mut r = Rng::new(11);
        let n = 5000;
        let mut x: Vec<f64> = (0..n * 4).map(|_| r.uniform() * 10.0).collect();
        x.copy_within(0..400, 400);
        let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 3) as f64).collect();
        let m = MatRef::new("X", &x, n, 4).unwrap();
        let a = kmeans_plusplus(m, &w, 60, None, 9, 1, &Silent).unwrap();
        let b = kmeans_plusplus(m, &w, 60, None, 9, 2, &Silent).unwrap();
        assert_eq!(a, b);
        let mut idx = a.1.clone();
        idx.sort();
        idx.dedup();
        assert_eq!(idx.len(), 60);
        for (j, &i) in a.1.iter().enumerate() {
            assert_eq!(&a.0[j * 4..(j + 1) * 4], m.row(i as usize));
        }
        let pot = |k: usize| -> f64 {
            (0..n)
                .map(|i| {
                    (0..k)
                        .map(|j| crate::distance::sq_dist(m.row(i), &a.0[j * 4..(j + 1) * 4]))
                        .fold(f64::MAX, f64::min)
                        * w[i]
                })
                .sum()
        };
        assert!(pot(60) < 0.1 * pot(1), "{} {}", pot(60), pot(1));
    }

    #[test]
    fn random_selection_equals_the_full_sort() {
        // Keys computed as `random` computes them, fully sorted: the selection must give the
        // same samples in the same order, for every k (weights with ties and zeros).
        let mut r = Rng::new(4);
        let n = 3000;
        let x: Vec<f64> = (0..n * 2).map(|_| r.uniform()).collect();
        let w: Vec<f64> = (0..n).map(|i| [0.0, 1.0, 2.5, 1.0][i % 4]).collect();
        let m = MatRef::new("X", &x, n, 2).unwrap();
        for k in [1, 2, 3, 17, 2250] {
            let mut rng = Rng::new(9);
            let mut keys: Vec<(f64, usize)> =
                (0..n).filter(|&i| w[i] > 0.0).map(|i| ((1.0 - rng.uniform()).ln() / w[i], i)).collect();
            keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let want: Vec<i64> = keys[..k].iter().map(|&(_, i)| i as i64).collect();
            let (c, idx) = random(m, &w, k, 9).unwrap();
            assert_eq!(idx, want, "k={k}");
            assert_eq!(&c[..2], m.row(want[0] as usize));
        }
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
