//! External validation metrics: the part of the comparison of two labelings that is worth
//! native code, the expected mutual information under the permutation model (the chance
//! correction of the adjusted mutual information). Everything else is a single pass over
//! the labels and stays in Python.

use crate::error::{ClustorError, Result};
use crate::monitor::Monitor;
use crate::parallel::{self, ChunkPlan};

/// `ln Γ(x)` from the C library: the function scikit-learn's inner loop calls, so that the
/// terms of the sum are the same numbers.
fn ln_gamma(x: f64) -> f64 {
    #[cfg(unix)]
    {
        extern "C" {
            fn lgamma_r(x: f64, sign: *mut std::os::raw::c_int) -> f64;
        }
        let mut sign = 0;
        // SAFETY: lgamma_r is a pure function of its argument; `sign` is a valid out-pointer.
        unsafe { lgamma_r(x, &mut sign) }
    }
    #[cfg(not(unix))]
    {
        extern "C" {
            fn lgamma(x: f64) -> f64;
        }
        // SAFETY: lgamma is a pure function of its argument (it may set a sign global).
        unsafe { lgamma(x) }
    }
}

/// `ln Γ(m)` for the integers m the sum needs: those up to `low_max` and those from `high_min`
/// to N + 1 (the sum never needs the ones between, so two short tables replace N + 2 values).
struct LnGammaTable {
    low: Vec<f64>,
    high_min: usize,
    high: Vec<f64>,
}

impl LnGammaTable {
    fn new(low_max: usize, high_min: usize, high_max: usize) -> Self {
        let high_min = high_min.max(low_max + 1);
        Self {
            low: (0..=low_max).map(|m| ln_gamma(m as f64)).collect(),
            high_min,
            high: (high_min..=high_max.max(high_min)).map(|m| ln_gamma(m as f64)).collect(),
        }
    }

    #[inline]
    fn at(&self, m: usize) -> f64 {
        if m < self.low.len() {
            self.low[m]
        } else {
            self.high[m - self.high_min]
        }
    }
}

/// Terms whose hypergeometric weight is below `exp(-TAIL)` times the weight at the mode are
/// not summed: the weights are log-concave in n_ij, so the left-out tails are below
/// `exp(-TAIL)` × N of the largest term (negligible at f64 precision for any N < 2⁶³).
const TAIL: f64 = 80.0;

/// Expected mutual information (nats) of two labelings with cluster sizes `a` (R rows of
/// the contingency table) and `b` (C columns) over `n` samples, under random permutation.
///
/// `E[MI] = Σ_ij Σ_{n_ij} (n_ij / N) ln(N n_ij / (a_i b_j)) · P(n_ij)`, with `P` the
/// hypergeometric probability, computed through `ln Γ` as scikit-learn's
/// `expected_mutual_information` computes it (same terms, same C library `lgamma`), except
/// that each (i, j) sum starts at the mode of `P` and walks outwards until `P` is
/// negligible (see [`TAIL`]) instead of running over every n_ij from max(1, a_i + b_j − N)
/// to min(a_i, b_j): about 20 terms instead of up to min(a_i, b_j).
///
/// Rows are summed in parallel chunks reduced in chunk order (deterministic for any thread
/// count); `mon` is polled between batches. `a` and `b` must be positive and both sum to `n`.
pub fn expected_mutual_information(a: &[i64], b: &[i64], n: i64, n_threads: usize, mon: &dyn Monitor) -> Result<f64> {
    let bad = |reason: String| Err(ClustorError::InvalidParameter { name: "contingency", reason });
    if a.iter().chain(b).any(|&v| v <= 0) {
        return bad("cluster sizes must be positive".into());
    }
    if a.iter().sum::<i64>() != n || b.iter().sum::<i64>() != n {
        return bad(format!("cluster sizes must add up to n_samples={n}"));
    }
    if a.len() <= 1 || b.len() <= 1 {
        return Ok(0.0);
    }
    let nu = n as usize;
    let amax = *a.iter().max().unwrap_or(&1) as usize;
    let bmax = *b.iter().max().unwrap_or(&1) as usize;
    let low_max = amax.max(bmax) + 1;
    let high_min = (nu + 2).saturating_sub(amax + bmax).max(1);
    let lg = LnGammaTable::new(low_max, high_min, nu + 1);
    let nf = n as f64;
    let ln_n = nf.ln();
    let gln_n1 = lg.at(nu + 1);
    let pool = parallel::pool(n_threads)?;
    let plan = ChunkPlan::with_chunk_rows(a.len(), 4);
    let parts = parallel::map_chunks_polled(&pool, plan, b.len() * 32, mon, |rows| {
        let mut emi = 0.0f64;
        for i in rows {
            let ai = a[i] as usize;
            let (log_a, gln_a, gln_na) = ((ai as f64).ln(), lg.at(ai + 1), lg.at(nu - ai + 1));
            for &bj in b {
                let bj = bj as usize;
                let (log_b, gln_b, gln_nb) = ((bj as f64).ln(), lg.at(bj + 1), lg.at(nu - bj + 1));
                let start = (ai + bj).saturating_sub(nu).max(1);
                let end = ai.min(bj);
                if start > end {
                    continue;
                }
                let gln = |nij: usize| {
                    gln_a + gln_b + gln_na + gln_nb
                        - (lg.at(nij + 1) + gln_n1)
                        - lg.at(ai - nij + 1)
                        - lg.at(bj - nij + 1)
                        - lg.at(nu + nij + 1 - ai - bj)
                };
                let term = |nij: usize, g: f64| {
                    let x = nij as f64;
                    let term2 = (ln_n + x.ln()) - log_a - log_b;
                    (x / nf) * term2 * g.exp()
                };
                // The mode of the hypergeometric weight: floor((a + 1)(b + 1) / (N + 2)).
                let mode = (((ai as u128 + 1) * (bj as u128 + 1)) / (nu as u128 + 2)) as usize;
                let mode = mode.clamp(start, end);
                let g_mode = gln(mode);
                let floor = g_mode - TAIL;
                let mut cell = term(mode, g_mode);
                let mut m = mode;
                while m > start {
                    m -= 1;
                    let g = gln(m);
                    if g < floor {
                        break;
                    }
                    cell += term(m, g);
                }
                let mut m = mode;
                while m < end {
                    m += 1;
                    let g = gln(m);
                    if g < floor {
                        break;
                    }
                    cell += term(m, g);
                }
                emi += cell;
            }
        }
        emi
    })?;
    Ok(parts.into_iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    /// The full sum, term by term in scikit-learn's order and with its expressions, for
    /// small N.
    fn brute(a: &[i64], b: &[i64], n: i64) -> f64 {
        let nf = n as f64;
        let lg = |m: i64| ln_gamma(m as f64);
        let mut emi = 0.0;
        for &ai in a {
            for &bj in b {
                for nij in (ai + bj - n).max(1)..=ai.min(bj) {
                    let x = nij as f64;
                    let gln = lg(ai + 1) + lg(bj + 1) + lg(n - ai + 1) + lg(n - bj + 1)
                        - (lg(nij + 1) + lg(n + 1))
                        - lg(ai - nij + 1)
                        - lg(bj - nij + 1)
                        - lg(n - ai - bj + nij + 1);
                    let term2 = (nf.ln() + x.ln()) - (ai as f64).ln() - (bj as f64).ln();
                    emi += x / nf * term2 * gln.exp();
                }
            }
        }
        emi
    }

    #[test]
    fn ln_gamma_of_factorials() {
        assert_eq!(ln_gamma(1.0), 0.0);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-14);
    }

    #[test]
    fn worked_by_hand() {
        // Two samples, each labeling splits them: n_ij ∈ {0, 1} with P(n_ij = 1) = 1/2 for
        // every cell, each such cell worth (1/2) ln(2·1/(1·1)); E[MI] = 4 · 1/2 · 1/2 ln 2.
        let e = expected_mutual_information(&[1, 1], &[1, 1], 2, 1, &Silent).unwrap();
        assert!((e - 2f64.ln()).abs() < 1e-15, "{e}");
    }

    #[test]
    fn equals_the_full_sum() {
        let cases: [(&[i64], &[i64]); 4] = [
            (&[3, 4, 5], &[6, 6]),
            (&[1, 1, 1, 9], &[2, 10]),
            (&[50, 30, 20], &[10, 20, 30, 40]),
            (&[99, 1], &[1, 99]),
        ];
        for (a, b) in cases {
            let n = a.iter().sum();
            let e = expected_mutual_information(a, b, n, 2, &Silent).unwrap();
            let f = brute(a, b, n);
            assert!((e - f).abs() <= 1e-13 * f.abs().max(1e-300), "{a:?} {b:?}: {e} vs {f}");
        }
    }

    #[test]
    fn threads_identical_and_one_cluster_is_zero() {
        let a: Vec<i64> = (1..=300).collect();
        let b: Vec<i64> = (0..150).map(|j| if j == 0 { 45150 - 149 * 300 } else { 300 }).collect();
        let n = a.iter().sum();
        let one = expected_mutual_information(&a, &b, n, 1, &Silent).unwrap();
        assert_eq!(one, expected_mutual_information(&a, &b, n, 2, &Silent).unwrap());
        assert!(one > 0.0);
        assert_eq!(expected_mutual_information(&[5], &[2, 3], 5, 1, &Silent).unwrap(), 0.0);
    }

    #[test]
    fn bad_sizes_are_an_error() {
        assert!(expected_mutual_information(&[2, 0], &[1, 1], 2, 1, &Silent).is_err());
        assert!(expected_mutual_information(&[2, 2], &[1, 1], 2, 1, &Silent).is_err());
    }
}
