//! Distance kernels: the one place where squared euclidean distances are computed.
//!
//! Two routes, chosen by what the caller needs:
//! - [`sq_dist`]: direct differences, exact to rounding; for reported values (inertia) and
//!   decisions that must not suffer cancellation (Elkan's bounds).
//! - [`PackedCenters::partial_sq_dists`]: `‖c‖² − 2·x·c` for a block of rows against all
//!   centers with a register-tiled kernel (the GEMM formulation scikit-learn uses, fused with
//!   the caller's argmin so that the distance block never leaves L1/L2).

use crate::float::Float;
use crate::matrix::MatRef;

/// Squared euclidean distance between two rows, by direct differences.
#[inline]
pub fn sq_dist<T: Float>(a: &[T], b: &[T]) -> T {
    // Four independent accumulators let the compiler vectorise without reassociating.
    let mut acc = [T::zero(); 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            let t = x[l] - y[l];
            acc[l] += t * t;
        }
    }
    let mut tail = T::zero();
    for (&x, &y) in ca.remainder().iter().zip(cb.remainder()) {
        let t = x - y;
        tail += t * t;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Dot product of two rows.
#[inline]
pub fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::zero(); 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = T::zero();
    for (&x, &y) in ca.remainder().iter().zip(cb.remainder()) {
        tail += x * y;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Squared norm of every row of `x` (out: n).
pub fn sq_norms<T: Float>(x: MatRef<'_, T>) -> Vec<T> {
    (0..x.rows()).map(|i| dot(x.row(i), x.row(i))).collect()
}

/// The register tile of the blocked kernel, per float type: `MR` rows × `NR` centers.
pub trait Tile: Copy {
    /// Centers per panel (two AVX2 registers' worth).
    const NR: usize;
    /// `out[r*ldo + j] = norms[j] − 2·x_r·c_j` for rows `x` (m×d) and all packed panels.
    fn tile_block(x: &[Self], m: usize, d: usize, panels: &[Self], norms: &[Self], out: &mut [Self], ldo: usize);
}

/// Rows per register tile.
const MR: usize = 4;

macro_rules! impl_tile {
    ($t:ty, $nr:expr) => {
        impl Tile for $t {
            const NR: usize = $nr;
            fn tile_block(x: &[$t], m: usize, d: usize, panels: &[$t], norms: &[$t], out: &mut [$t], ldo: usize) {
                #[cfg(target_arch = "x86_64")]
                {
                    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                        #[target_feature(enable = "avx2,fma")]
                        unsafe fn avx2(
                            x: &[$t],
                            m: usize,
                            d: usize,
                            panels: &[$t],
                            norms: &[$t],
                            out: &mut [$t],
                            ldo: usize,
                        ) {
                            tile_block_body::<$t, $nr>(x, m, d, panels, norms, out, ldo)
                        }
                        // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                        return unsafe { avx2(x, m, d, panels, norms, out, ldo) };
                    }
                }
                tile_block_body::<$t, $nr>(x, m, d, panels, norms, out, ldo)
            }
        }
    };
}

impl_tile!(f64, 8);
impl_tile!(f32, 16);

/// The kernel body, compiled once per float type and instruction set.
#[inline(always)]
fn tile_block_body<T: Float, const NR: usize>(
    x: &[T],
    m: usize,
    d: usize,
    panels: &[T],
    norms: &[T],
    out: &mut [T],
    ldo: usize,
) {
    let n_panels = norms.len() / NR;
    let two = T::one() + T::one();
    let mut r0 = 0;
    while r0 < m {
        let mr = MR.min(m - r0);
        for p in 0..n_panels {
            let panel = &panels[p * d * NR..(p + 1) * d * NR];
            let mut acc = [[T::zero(); NR]; MR];
            if mr == MR {
                let rows: [&[T]; MR] = std::array::from_fn(|r| &x[(r0 + r) * d..(r0 + r + 1) * d]);
                for f in 0..d {
                    let c: &[T; NR] = panel[f * NR..(f + 1) * NR].try_into().unwrap();
                    for r in 0..MR {
                        let xv = rows[r][f];
                        for j in 0..NR {
                            acc[r][j] += xv * c[j];
                        }
                    }
                }
            } else {
                for r in 0..mr {
                    let row = &x[(r0 + r) * d..(r0 + r + 1) * d];
                    for f in 0..d {
                        let xv = row[f];
                        let c = &panel[f * NR..(f + 1) * NR];
                        for j in 0..NR {
                            acc[r][j] += xv * c[j];
                        }
                    }
                }
            }
            for r in 0..mr {
                let o = &mut out[(r0 + r) * ldo + p * NR..(r0 + r) * ldo + (p + 1) * NR];
                for j in 0..NR {
                    o[j] = norms[p * NR + j] - two * acc[r][j];
                }
            }
        }
        r0 += MR;
    }
}

/// Centers laid out for the tiled kernel: panels of `NR` centers, each stored feature-major
/// (d×NR), the last panel padded with zero centers whose norm is +∞ (never the argmin).
#[derive(Debug, Clone)]
pub struct PackedCenters<T> {
    panels: Vec<T>,
    norms: Vec<T>,
    k: usize,
    d: usize,
}

impl<T: Float + Tile> PackedCenters<T> {
    /// Packs `centers` (k×d).
    pub fn new(centers: MatRef<'_, T>) -> Self {
        let (k, d) = (centers.rows(), centers.cols());
        let kp = k.div_ceil(T::NR) * T::NR;
        let mut panels = vec![T::zero(); kp * d];
        let mut norms = vec![T::infinity(); kp];
        for j in 0..k {
            let (p, jj) = (j / T::NR, j % T::NR);
            let c = centers.row(j);
            for f in 0..d {
                panels[p * d * T::NR + f * T::NR + jj] = c[f];
            }
            norms[j] = dot(c, c);
        }
        Self { panels, norms, k, d }
    }

    /// Number of real centers.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Row stride of the output of [`Self::partial_sq_dists`] (k rounded up to a panel).
    pub fn padded_k(&self) -> usize {
        self.norms.len()
    }

    /// Squared norm of center `j`.
    pub fn norm(&self, j: usize) -> T {
        self.norms[j]
    }

    /// `out[r*padded_k + j] = ‖c_j‖² − 2·x_r·c_j` for the `m` rows in `x` (m×d);
    /// adding `‖x_r‖²` gives the squared distance.
    pub fn partial_sq_dists(&self, x: &[T], m: usize, out: &mut [T]) {
        debug_assert_eq!(x.len(), m * self.d);
        debug_assert!(out.len() >= m * self.padded_k());
        T::tile_block(x, m, self.d, &self.panels, &self.norms, out, self.padded_k());
    }
}

/// Index and value of the first minimum of `v` (ties go to the lowest index).
#[inline]
pub fn argmin<T: Float>(v: &[T]) -> (usize, T) {
    let mut best = 0;
    let mut best_v = v[0];
    for (j, &x) in v.iter().enumerate().skip(1) {
        if x < best_v {
            best_v = x;
            best = j;
        }
    }
    (best, best_v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn random(n: usize, seed: u64) -> Vec<f64> {
        let mut r = Rng::new(seed);
        (0..n).map(|_| r.uniform() * 2.0 - 1.0).collect()
    }

    #[test]
    fn sq_dist_by_hand() {
        assert_eq!(sq_dist(&[0.0, 0.0, 0.0], &[1.0, 2.0, 2.0]), 9.0);
        assert_eq!(sq_dist(&[1.0f32, 1.0, 1.0, 1.0, 1.0], &[0.0, 0.0, 0.0, 0.0, 3.0]), 8.0);
    }

    #[test]
    fn tiled_matches_direct_for_awkward_shapes() {
        for &(m, k, d) in &[(1, 1, 1), (5, 3, 7), (9, 17, 16), (13, 8, 33), (4, 33, 2)] {
            let x = random(m * d, 1);
            let c = random(k * d, 2);
            let packed = PackedCenters::new(MatRef::new("c", &c, k, d).unwrap());
            let mut out = vec![0.0; m * packed.padded_k()];
            packed.partial_sq_dists(&x, m, &mut out);
            for r in 0..m {
                let xr = &x[r * d..(r + 1) * d];
                for j in 0..k {
                    let want = sq_dist(xr, &c[j * d..(j + 1) * d]);
                    let got = out[r * packed.padded_k() + j] + dot(xr, xr);
                    assert!((want - got).abs() < 1e-12, "{m} {k} {d}: {want} vs {got}");
                }
                for j in k..packed.padded_k() {
                    assert_eq!(out[r * packed.padded_k() + j], f64::INFINITY);
                }
            }
            let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let cf: Vec<f32> = c.iter().map(|&v| v as f32).collect();
            let pf = PackedCenters::new(MatRef::new("c", &cf, k, d).unwrap());
            let mut of = vec![0.0f32; m * pf.padded_k()];
            pf.partial_sq_dists(&xf, m, &mut of);
            for r in 0..m {
                for j in 0..k {
                    let a = of[r * pf.padded_k() + j] as f64;
                    let b = out[r * packed.padded_k() + j];
                    assert!((a - b).abs() < 1e-4, "{a} {b}");
                }
            }
        }
    }

    #[test]
    fn argmin_first_of_ties() {
        assert_eq!(argmin(&[3.0, 1.0, 1.0, 2.0]), (1, 1.0));
    }
}
