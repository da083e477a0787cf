//! Affinity propagation (Frey & Dueck, 2007), iterated as scikit-learn's
//! `_affinity_propagation` does, in one fused pass over the rows per iteration.
//!
//! scikit-learn runs each iteration as some fifteen whole-matrix NumPy operations (about 27
//! reads or writes of an n×n array). Here one row-parallel pass does all of it: for row i it
//! finishes the previous iteration's availability update of row i (it needs only that row of
//! the responsibilities and the column sums of the previous pass), finds the largest and
//! second largest `a + s` of the row, updates the responsibilities of the row, and adds the
//! row's clipped responsibilities to per-chunk column sums. That is five n×n streams per
//! iteration (read S, read and write R and A). The diagonal of the new availabilities, which
//! the convergence test needs, is computed from the column sums in O(n).
//!
//! The arithmetic of every element is scikit-learn's, operation by operation (`r·λ + r'·(1−λ)`,
//! `a·λ − a'·(1−λ)`, first index of the maximum). One thing differs: the column sums of the
//! clipped responsibilities are added in chunks of rows and then chunk by chunk (a fixed plan,
//! so any thread count gives the same bits), where NumPy adds row after row; the two differ
//! in the last bits only.

use rayon::prelude::*;

use crate::distance::{with_avx2, Vectorize};
use crate::error::{try_vec, ClustorError, Result};
use crate::float::Float;
use crate::matrix::MatRef;
use crate::monitor::Monitor;
use crate::parallel::{self, ChunkPlan};

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Damping λ in [0.5, 1): new messages are `λ·old + (1−λ)·update`.
    pub damping: f64,
    /// Maximum number of iterations (≥ 1).
    pub max_iter: usize,
    /// Iterations without change in the set of exemplars that end the run (≥ 1).
    pub convergence_iter: usize,
    /// Threads (0 = all CPUs).
    pub n_threads: usize,
}

/// Outcome of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Indices of the exemplars, ascending (empty when no sample became one).
    pub exemplars: Vec<i64>,
    /// Cluster of each sample: its exemplar's position in `exemplars` (-1 for every sample
    /// when there is no exemplar).
    pub labels: Vec<i64>,
    /// Iterations run.
    pub n_iter: usize,
    /// Whether the exemplars stayed the same for `convergence_iter` iterations.
    pub converged: bool,
}

/// Bytes of the working buffers a run on n samples of `T` allocates besides S: the
/// responsibilities and availabilities (n×n each).
pub fn message_bytes<T>(n: usize) -> usize {
    n.saturating_mul(n).saturating_mul(2 * std::mem::size_of::<T>())
}

/// Runs affinity propagation on the similarity matrix `s` (n×n, row-major), whose diagonal
/// already holds the preferences (and to which scikit-learn's tie-breaking noise has been
/// added by the caller). Polls `mon` between batches of rows.
pub fn fit<T: Float>(s: MatRef<'_, T>, cfg: &Config, mon: &dyn Monitor) -> Result<Fit> {
    let n = s.rows();
    if n == 0 {
        return Err(ClustorError::EmptyInput(0, s.cols()));
    }
    if s.cols() != n {
        return Err(ClustorError::InvalidParameter {
            name: "S",
            reason: format!("The matrix of similarities must be a square array. Got ({n}, {}) instead.", s.cols()),
        });
    }
    if !(0.5..1.0).contains(&cfg.damping) {
        return Err(ClustorError::InvalidParameter {
            name: "damping",
            reason: format!("must be in [0.5, 1.0), got {}", cfg.damping),
        });
    }
    if cfg.max_iter == 0 || cfg.convergence_iter == 0 {
        return Err(ClustorError::InvalidParameter {
            name: "max_iter",
            reason: "max_iter and convergence_iter must be at least 1".into(),
        });
    }
    if !s.data().iter().all(|v| v.is_finite()) {
        return Err(ClustorError::NotFinite("S"));
    }
    let pool = parallel::pool(cfg.n_threads)?;
    let what = format!("the responsibility and availability matrices of affinity propagation ({n}×{n} each)");
    let advice = "fit on fewer samples (AffinityPropagation needs three n×n matrices) or use Birch or KMeans";
    // Row i holds R[i, :] then A[i, :]: one buffer, lent to the chunks row by row.
    let mut ra = try_vec(n.saturating_mul(2 * n), T::zero(), &what, advice)?;
    let plan = row_plan(n);
    let mut states: Vec<RowState<T>> =
        (0..plan.len()).map(|_| RowState { colsum: vec![T::zero(); n], scratch: vec![T::zero(); n] }).collect();
    let lam = T::of_f64(cfg.damping);
    let one_minus = T::of_f64(1.0 - cfg.damping);
    let ci = cfg.convergence_iter;
    let mut colsum = vec![T::zero(); n];
    let mut a_diag = vec![T::zero(); n];
    // e[k·ci + it % ci]: whether k was an exemplar at iteration it (a ring of the last ci).
    let mut e = vec![false; n * ci];
    let mut exemplar = vec![false; n];
    let mut converged = false;
    let mut it = 0;
    while it < cfg.max_iter {
        let first = it == 0;
        let colsum_prev = &colsum;
        parallel::map_chunks_mut_state(&pool, plan, &mut ra, 2 * n, &mut states, 8 * n, mon, |rows, block, st| {
            st.colsum.fill(T::zero());
            for (j, i) in rows.enumerate() {
                let (r, a) = block[j * 2 * n..(j + 1) * 2 * n].split_at_mut(n);
                with_avx2(RowPass {
                    i,
                    s: s.row(i),
                    r,
                    a,
                    colsum_prev,
                    update_a: !first,
                    lam,
                    one_minus,
                    scratch: &mut st.scratch,
                    colsum: &mut st.colsum,
                });
            }
        })?;
        // Column sums of the clipped responsibilities, chunk partials added in chunk order.
        colsum.copy_from_slice(&states[0].colsum);
        for st in &states[1..] {
            for (c, &p) in colsum.iter_mut().zip(&st.colsum) {
                *c += p;
            }
        }
        // Diagonal of this iteration's availabilities: -a'[k,k] = r[k,k] − Σ_i r⁺[i,k].
        let slot = it % ci;
        let mut k_count = 0usize;
        for k in 0..n {
            let row = &ra[k * 2 * n..(k + 1) * 2 * n];
            let (rkk, akk) = (row[k], row[n + k]);
            let t = (rkk - colsum[k]) * one_minus;
            a_diag[k] = akk * lam - t;
            let ex = a_diag[k] + rkk > T::zero();
            exemplar[k] = ex;
            e[k * ci + slot] = ex;
            k_count += ex as usize;
        }
        if it >= ci {
            let stable = (0..n)
                .filter(|&k| {
                    let se = e[k * ci..(k + 1) * ci].iter().filter(|&&b| b).count();
                    se == ci || se == 0
                })
                .count();
            if stable == n && k_count > 0 {
                converged = true;
                break;
            }
        }
        it += 1;
    }
    let n_iter = if converged { it + 1 } else { cfg.max_iter };
    drop(ra);
    let (exemplars, labels) = assign(s, &exemplar, &pool)?;
    Ok(Fit { exemplars, labels, n_iter, converged })
}

/// Per-chunk buffers kept across iterations.
struct RowState<T> {
    /// Partial column sums of the clipped responsibilities of the chunk's rows.
    colsum: Vec<T>,
    /// `a + s` of the row being processed.
    scratch: Vec<T>,
}

/// Rows per chunk: at most 64 chunks (their partial column sums take 64·n values), and small
/// enough chunks to balance the pool when n is small. Depends on n only.
fn row_plan(n: usize) -> ChunkPlan {
    ChunkPlan::with_chunk_rows(n, n.div_ceil(64).max(8))
}

/// One row of one iteration (see the module documentation).
struct RowPass<'a, T> {
    i: usize,
    s: &'a [T],
    r: &'a mut [T],
    a: &'a mut [T],
    colsum_prev: &'a [T],
    update_a: bool,
    lam: T,
    one_minus: T,
    scratch: &'a mut [T],
    colsum: &'a mut [T],
}

impl<T: Float> Vectorize for RowPass<'_, T> {
    type Out = ();

    #[inline(always)]
    fn run(self) -> Self::Out {
        let RowPass { i, s, r, a, colsum_prev, update_a, lam, one_minus, scratch, colsum } = self;
        let zero = T::zero();
        // Availabilities of the previous iteration: -a' = max(r⁺ − Σr⁺, 0) off the diagonal,
        // r − Σr⁺ on it (scikit-learn's `tmp -= sum; clip; diag = dA`).
        if update_a {
            let aii = a[i] * lam - (r[i] - colsum_prev[i]) * one_minus;
            for k in 0..a.len() {
                let rp = if r[k] > zero { r[k] } else { zero };
                let t = rp - colsum_prev[k];
                let t = if t > zero { t } else { zero };
                a[k] = a[k] * lam - t * one_minus;
            }
            a[i] = aii;
        }
        for k in 0..a.len() {
            scratch[k] = a[k] + s[k];
        }
        let (best, y) = first_max(scratch);
        scratch[best] = T::neg_infinity();
        let y2 = max_value(scratch);
        let r_best = r[best];
        for k in 0..r.len() {
            r[k] = r[k] * lam + (s[k] - y) * one_minus;
        }
        r[best] = r_best * lam + (s[best] - y2) * one_minus;
        // The chunk's share of Σ_i r⁺[i, k]; the diagonal enters unclipped, so a negative
        // r[i, i] is added after the clipped 0 (exactly r[i, i] either way).
        for k in 0..r.len() {
            colsum[k] += if r[k] > zero { r[k] } else { zero };
        }
        if !(r[i] > zero) {
            colsum[i] += r[i];
        }
    }
}

/// Largest value of `v` (non-empty, no NaN), with 8 independent lanes so that it vectorises.
#[inline(always)]
fn max_value<T: Float>(v: &[T]) -> T {
    let mut lanes = [T::neg_infinity(); 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        for l in 0..8 {
            lanes[l] = if c[l] > lanes[l] { c[l] } else { lanes[l] };
        }
    }
    let mut m = T::neg_infinity();
    for &x in lanes.iter().chain(chunks.remainder()) {
        if x > m {
            m = x;
        }
    }
    m
}

/// First index of the largest value of `v`, and that value (NumPy's `argmax`).
#[inline(always)]
fn first_max<T: Float>(v: &[T]) -> (usize, T) {
    let m = max_value(v);
    let idx = v.iter().position(|&x| x == m).unwrap_or(0);
    (idx, m)
}

/// scikit-learn's final assignment: each sample to its most similar exemplar, each cluster's
/// exemplar refined to the member with the largest summed similarity to the other members,
/// then the assignment repeated. Returns the sorted exemplars and labels into them.
fn assign<T: Float>(s: MatRef<'_, T>, exemplar: &[bool], pool: &rayon::ThreadPool) -> Result<(Vec<i64>, Vec<i64>)> {
    let n = s.rows();
    let mut ex: Vec<usize> = (0..n).filter(|&k| exemplar[k]).collect();
    if ex.is_empty() {
        return Ok((Vec::new(), vec![-1; n]));
    }
    let nearest = |ex: &[usize]| -> Vec<usize> {
        let mut c: Vec<usize> = pool.install(|| {
            (0..n)
                .into_par_iter()
                .map(|i| {
                    let row = s.row(i);
                    let mut best = 0;
                    for (j, &k) in ex.iter().enumerate().skip(1) {
                        if row[k] > row[ex[best]] {
                            best = j;
                        }
                    }
                    best
                })
                .collect()
        });
        for (j, &k) in ex.iter().enumerate() {
            c[k] = j;
        }
        c
    };
    let c = nearest(&ex);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); ex.len()];
    for (i, &cl) in c.iter().enumerate() {
        members[cl].push(i);
    }
    let refined: Vec<usize> = pool.install(|| {
        members
            .par_iter()
            .map(|ii| {
                // Column sums of S[ii][:, ii], added row after row as NumPy does.
                let mut sums = vec![T::zero(); ii.len()];
                for &r in ii {
                    let row = s.row(r);
                    for (acc, &col) in sums.iter_mut().zip(ii) {
                        *acc += row[col];
                    }
                }
                let mut best = 0;
                for j in 1..sums.len() {
                    if sums[j] > sums[best] {
                        best = j;
                    }
                }
                ii[best]
            })
            .collect()
    });
    ex = refined;
    let c = nearest(&ex);
    // Exemplars sorted, labels renumbered to their positions (NumPy's unique + searchsorted).
    let mut order: Vec<usize> = (0..ex.len()).collect();
    order.sort_by_key(|&j| ex[j]);
    let mut rank = vec![0i64; ex.len()];
    for (pos, &j) in order.iter().enumerate() {
        rank[j] = pos as i64;
    }
    let labels = c.iter().map(|&j| rank[j]).collect();
    let exemplars = order.iter().map(|&j| ex[j] as i64).collect();
    Ok((exemplars, labels))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    fn neg_sq_dists(x: &[f64], d: usize) -> Vec<f64> {
        let n = x.len() / d;
        let mut s = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                s[i * n + j] = -crate::distance::sq_dist(&x[i * d..(i + 1) * d], &x[j * d..(j + 1) * d]);
            }
        }
        s
    }

    fn cfg(n_threads: usize) -> Config {
        Config { damping: 0.5, max_iter: 200, convergence_iter: 15, n_threads }
    }

    #[test]
    fn two_groups_by_hand() {
        // Two tight groups on a line; preference −10 (far below the in-group similarities
        // of −1, well above the cross-group −100): the middle point of each group wins.
        let x = [0.0, 1.0, 2.0, 20.0, 21.0, 22.0];
        let mut s = neg_sq_dists(&x, 1);
        for i in 0..6 {
            s[i * 6 + i] = -10.0;
        }
        let f = fit(MatRef::new("S", &s, 6, 6).unwrap(), &cfg(1), &Silent).unwrap();
        assert!(f.converged);
        assert_eq!(f.exemplars, vec![1, 4]);
        assert_eq!(f.labels, vec![0, 0, 0, 1, 1, 1]);
    }

    #[test]
    fn same_result_for_any_thread_count() {
        let mut rng = crate::rng::Rng::new(3);
        let n = 300;
        let x: Vec<f64> = (0..n * 2).map(|_| rng.uniform() * 10.0).collect();
        let mut s = neg_sq_dists(&x, 2);
        for i in 0..n {
            s[i * n + i] = -30.0;
        }
        let m = MatRef::new("S", &s, n, n).unwrap();
        let one = fit(m, &cfg(1), &Silent).unwrap();
        let two = fit(m, &cfg(2), &Silent).unwrap();
        assert_eq!(one, two);
        assert!(one.exemplars.len() > 1);
    }

    #[test]
    fn no_exemplar_gives_minus_one() {
        // One iteration cannot converge; a tiny preference leaves no exemplar.
        let s = vec![-1e9, -1.0, -1.0, -1e9];
        let c = Config { damping: 0.5, max_iter: 1, convergence_iter: 1, n_threads: 1 };
        let f = fit(MatRef::new("S", &s, 2, 2).unwrap(), &c, &Silent).unwrap();
        assert!(!f.converged);
        assert_eq!(f.n_iter, 1);
        assert!(f.exemplars.is_empty());
        assert_eq!(f.labels, vec![-1, -1]);
    }

    #[test]
    fn bad_input_is_an_error() {
        let s = vec![0.0; 6];
        assert!(fit(MatRef::new("S", &s, 2, 3).unwrap(), &cfg(1), &Silent).is_err());
        let s = vec![0.0, f64::NAN, 0.0, 0.0];
        assert_eq!(fit(MatRef::new("S", &s, 2, 2).unwrap(), &cfg(1), &Silent), Err(ClustorError::NotFinite("S")));
        let c = Config { damping: 1.0, ..cfg(1) };
        let s = vec![0.0; 4];
        assert!(fit(MatRef::new("S", &s, 2, 2).unwrap(), &c, &Silent).is_err());
    }
}
