//! Small dense linear algebra for covariance matrices (d up to a few hundred): Cholesky
//! factors and triangular inverses, row-major, in f64.
//!
//! Hand-written: at the sizes of a mixture's covariances (d ≤ ~64) the cost is a few
//! microseconds per component per iteration, far below one pass over the data.

/// Lower Cholesky factor `L` (row-major d×d, `a = L·Lᵀ`) of the symmetric matrix `a`, read
/// from its lower triangle. `None` when `a` is not (numerically) positive definite: a pivot
/// that is not a finite positive number.
pub fn cholesky_lower(a: &[f64], d: usize) -> Option<Vec<f64>> {
    debug_assert_eq!(a.len(), d * d);
    let mut l = vec![0.0; d * d];
    for j in 0..d {
        let s = a[j * d + j] - l[j * d..j * d + j].iter().map(|v| v * v).sum::<f64>();
        if !(s > 0.0 && s.is_finite()) {
            return None;
        }
        let pivot = s.sqrt();
        l[j * d + j] = pivot;
        for i in j + 1..d {
            let dot: f64 = (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum();
            l[i * d + j] = (a[i * d + j] - dot) / pivot;
        }
    }
    Some(l)
}

/// `(L⁻¹)ᵀ` for a lower-triangular `l` with a positive diagonal: the upper-triangular `U`
/// with `U·Uᵀ = (L·Lᵀ)⁻¹` (the precision's Cholesky factor in scikit-learn's convention).
pub fn inverse_lower_transposed(l: &[f64], d: usize) -> Vec<f64> {
    let mut u = vec![0.0; d * d];
    // Column c of L⁻¹ by forward substitution; stored as row c of U.
    let mut col = vec![0.0; d];
    for c in 0..d {
        col.fill(0.0);
        col[c] = 1.0 / l[c * d + c];
        for i in c + 1..d {
            let s: f64 = (c..i).map(|k| l[i * d + k] * col[k]).sum();
            col[i] = -s / l[i * d + i];
        }
        u[c * d..(c + 1) * d].copy_from_slice(&col);
    }
    u
}

/// `U·Uᵀ` for a d×d matrix `u` (row-major): the precision from its Cholesky factor.
pub fn times_own_transpose(u: &[f64], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = u[i * d..(i + 1) * d].iter().zip(&u[j * d..(j + 1) * d]).map(|(a, b)| a * b).sum();
            out[i * d + j] = s;
            out[j * d + i] = s;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_by_hand() {
        // [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]].
        let l = cholesky_lower(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
        assert_eq!(l[0], 2.0);
        assert_eq!(l[2], 1.0);
        assert!((l[3] - 2f64.sqrt()).abs() < 1e-15);
        assert_eq!(l[1], 0.0);
        assert!(cholesky_lower(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
        assert!(cholesky_lower(&[0.0], 1).is_none());
        assert!(cholesky_lower(&[f64::NAN], 1).is_none());
    }

    #[test]
    fn precision_factor_inverts_covariance() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0];
        let l = cholesky_lower(&a, 3).unwrap();
        let u = inverse_lower_transposed(&l, 3);
        // Upper triangular.
        assert_eq!(u[3], 0.0);
        assert_eq!(u[6], 0.0);
        assert_eq!(u[7], 0.0);
        let p = times_own_transpose(&u, 3);
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| a[i * 3 + k] * p[k * 3 + j]).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((s - want).abs() < 1e-12, "{i} {j} {s}");
            }
        }
    }
}
