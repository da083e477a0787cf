//! Distance kernels: the one place where squared euclidean distances are computed.
//!
//! Two routes, chosen by what the caller needs:
//! - [`sq_dist`]: direct differences, exact to rounding; for reported values (inertia) and
//!   decisions that must not suffer cancellation (Elkan's bounds).
//! - [`PackedCenters::run`]: `‖c‖² − 2·x·c` for a block of rows against all centers with a
//!   register-tiled kernel (the GEMM formulation scikit-learn uses), handing each tile's
//!   values, or each row's closest center, to a [`TileSink`] inlined into the kernel: the
//!   distance block never leaves registers ([`PackedCenters::partial_sq_dists`] stores it).
//!
//! The kernel is written once, generic over the float type and a small vector trait
//! implemented with AVX2 + FMA intrinsics (chosen at run time) and portably.

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

/// Receives the results of the tiled kernel ([`PackedCenters::run`]). The kernel is
/// monomorphised per sink and both hooks are inlined into it, so an unused hook costs nothing
/// and the caller's per-row work (argmin, center sums, potentials) runs while the row is
/// still in L1, without a distance buffer in between.
pub trait TileSink<T> {
    /// Whether the kernel tracks each row's closest center and calls [`TileSink::row_min`].
    const ARGMIN: bool;
    /// `vals[j] = ‖c‖² − 2·x·c` of row `row` (index into the rows given to the kernel) and
    /// center `p·NR + j` of panel `p`; padding centers give +∞.
    #[inline(always)]
    fn panel<const NR: usize>(&mut self, _row: usize, _p: usize, _vals: &[T; NR]) {}
    /// Closest center `j` of `row` (the lowest index on ties) and its `‖c_j‖² − 2·x·c_j`.
    #[inline(always)]
    fn row_min(&mut self, _row: usize, _j: usize, _v: T) {}
}

/// The register tiles of the kernel, per float type.
pub trait Tile: Copy + Sized {
    /// `(MR, NR)` shapes compiled for this type: `MR` rows × `NR` centers (a panel), chosen
    /// per `k` by [`PackedCenters::new`] to waste the fewest padding centers.
    const SHAPES: [(usize, usize); 3];
    /// Runs the kernel with the shape of panel width `nr` (one of [`Tile::SHAPES`]).
    fn run_tiles<S: TileSink<Self>>(
        nr: usize,
        x: &[Self],
        m: usize,
        d: usize,
        panels: &[Self],
        half_norms: &[Self],
        sink: &mut S,
    );
}

// Why these shapes: AVX2 has 16 vector registers. A panel of 2 registers (8 f64 / 16 f32
// centers) with 6 rows gives 12 accumulators, which keep both FMA pipes busy across the
// 4-cycle FMA latency (8 would just cover it) and leave room for the broadcast of x and the
// 2 panel registers; it suits large k (k = 32: no padding). A panel of 3 registers (12 f64 /
// 24 f32) suits small k (k = 10 in f64: one panel, 2 padding centers instead of 6, and X is
// streamed exactly once per pass); with it 3 rows (9 accumulators + 3 panel registers + the
// broadcast) is the most that fits: 4 rows spilled an accumulator to the stack every
// iteration (measured 25% slower on K2). A panel of 1 register (4 f64 / 8 f32) suits the
// 2-means splits of bisecting k-means (k = 2: half the FMAs of the 2-register panel, where
// 6 of 8 lanes were padding); 12 rows keep 12 accumulators in flight.
macro_rules! impl_tile {
    ($t:ty, $avx:ty, $lanes:literal, $(($mr:literal, $nv:literal)),+) => {
        impl Tile for $t {
            const SHAPES: [(usize, usize); 3] = [$(($mr, $nv * $lanes)),+];
            fn run_tiles<S: TileSink<$t>>(
                nr: usize,
                x: &[$t],
                m: usize,
                d: usize,
                panels: &[$t],
                half_norms: &[$t],
                sink: &mut S,
            ) {
                #[cfg(target_arch = "x86_64")]
                {
                    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                        #[target_feature(enable = "avx2,fma")]
                        unsafe fn avx2<S: TileSink<$t>>(
                            nr: usize,
                            x: &[$t],
                            m: usize,
                            d: usize,
                            panels: &[$t],
                            half_norms: &[$t],
                            sink: &mut S,
                        ) {
                            $(
                                if nr == $nv * $lanes {
                                    // SAFETY: AVX2 and FMA are enabled in this function.
                                    return unsafe {
                                        tiles::<$t, $avx, S, $mr, $nv, { $nv * $lanes }>(
                                            x, m, d, panels, half_norms, sink,
                                        )
                                    };
                                }
                            )+
                            unreachable!("panel width {nr} is not one of the compiled shapes");
                        }
                        // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                        return unsafe { avx2(nr, x, m, d, panels, half_norms, sink) };
                    }
                }
                type P = Lanes<$t, $lanes>;
                $(
                    if nr == $nv * $lanes {
                        // SAFETY: the portable vectors need no CPU feature.
                        return unsafe {
                            tiles::<$t, P, S, $mr, $nv, { $nv * $lanes }>(x, m, d, panels, half_norms, sink)
                        };
                    }
                )+
                unreachable!("panel width {nr} is not one of the compiled shapes");
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
impl_tile!(f64, simd::F64x4, 4, (6, 2), (3, 3), (12, 1));
#[cfg(target_arch = "x86_64")]
impl_tile!(f32, simd::F32x8, 8, (6, 2), (3, 3), (12, 1));
#[cfg(not(target_arch = "x86_64"))]
impl_tile!(f64, Lanes<f64, 4>, 4, (6, 2), (3, 3), (12, 1));
#[cfg(not(target_arch = "x86_64"))]
impl_tile!(f32, Lanes<f32, 8>, 8, (6, 2), (3, 3), (12, 1));

/// One vector register of `T` as the kernel uses it. Implemented with AVX2 intrinsics for
/// f64 and f32 (module `simd`) and portably by [`Lanes`]; the kernel itself is written once,
/// generic over this trait. (Left to itself, LLVM scalarises the kernel's compare-and-select
/// bookkeeping and spills the tile: measured 2.5× slower.)
///
/// # Safety
/// The methods are `unsafe` because an implementation may need CPU features that the caller
/// must have enabled (AVX2 and FMA for the `simd` types), and because `load`/`store` read
/// and write `LANES` values at a raw pointer.
pub(crate) trait Simd<T>: Copy {
    const LANES: usize;
    unsafe fn splat(v: T) -> Self;
    unsafe fn load(p: *const T) -> Self;
    unsafe fn store(self, p: *mut T);
    unsafe fn add(self, o: Self) -> Self;
    /// `self − a·b`, fused where the hardware has FMA.
    unsafe fn sub_mul(self, a: Self, b: Self) -> Self;
    unsafe fn sub(self, o: Self) -> Self;
    /// `self + a·b`, fused where the hardware has FMA.
    unsafe fn mul_add(self, a: Self, b: Self) -> Self;
    unsafe fn abs(self) -> Self;
    unsafe fn sqrt(self) -> Self;
    /// Per lane `self < o ? self : o`.
    unsafe fn min_lt(self, o: Self) -> Self;
    /// Per lane `a < b ? t : f`.
    unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// Per lane `a == b ? t : f`.
    unsafe fn select_eq(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// Smallest lane.
    unsafe fn hmin(self) -> T;
    /// Per lane `eˣ`. The portable vectors call libm; the AVX2 f64 vector evaluates it in
    /// registers (within 1 ulp of libm, see [`exp_shifted`]). Deterministic per lane.
    unsafe fn exp(self) -> Self;
    /// Hint to fetch the cache line at `p` into L1 (no effect on results; `p` need not be
    /// dereferenceable).
    #[inline(always)]
    unsafe fn prefetch(_p: *const T) {}
}

/// The portable vector: `L` values, operated on lane by lane (separate multiply and add:
/// without hardware FMA `mul_add` is a slow library call).
#[derive(Clone, Copy)]
pub(crate) struct Lanes<T, const L: usize>([T; L]);

impl<T: Float, const L: usize> Simd<T> for Lanes<T, L> {
    const LANES: usize = L;
    #[inline(always)]
    unsafe fn splat(v: T) -> Self {
        Self([v; L])
    }
    #[inline(always)]
    unsafe fn load(p: *const T) -> Self {
        // SAFETY: the caller guarantees L readable values at p.
        Self(unsafe { std::ptr::read_unaligned(p.cast::<[T; L]>()) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut T) {
        // SAFETY: the caller guarantees L writable values at p.
        unsafe { std::ptr::write_unaligned(p.cast::<[T; L]>(), self.0) }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        Self(std::array::from_fn(|i| self.0[i] + o.0[i]))
    }
    #[inline(always)]
    unsafe fn sub_mul(self, a: Self, b: Self) -> Self {
        Self(std::array::from_fn(|i| self.0[i] - a.0[i] * b.0[i]))
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        Self(std::array::from_fn(|i| self.0[i] - o.0[i]))
    }
    #[inline(always)]
    unsafe fn mul_add(self, a: Self, b: Self) -> Self {
        Self(std::array::from_fn(|i| self.0[i] + a.0[i] * b.0[i]))
    }
    #[inline(always)]
    unsafe fn abs(self) -> Self {
        Self(std::array::from_fn(|i| self.0[i].abs()))
    }
    #[inline(always)]
    unsafe fn sqrt(self) -> Self {
        Self(std::array::from_fn(|i| self.0[i].sqrt()))
    }
    #[inline(always)]
    unsafe fn min_lt(self, o: Self) -> Self {
        Self(std::array::from_fn(|i| if self.0[i] < o.0[i] { self.0[i] } else { o.0[i] }))
    }
    #[inline(always)]
    unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        Self(std::array::from_fn(|i| if a.0[i] < b.0[i] { t.0[i] } else { f.0[i] }))
    }
    #[inline(always)]
    unsafe fn select_eq(a: Self, b: Self, t: Self, f: Self) -> Self {
        Self(std::array::from_fn(|i| if a.0[i] == b.0[i] { t.0[i] } else { f.0[i] }))
    }
    #[inline(always)]
    unsafe fn hmin(self) -> T {
        self.0.iter().fold(self.0[0], |m, &v| if v < m { v } else { m })
    }
    #[inline(always)]
    unsafe fn exp(self) -> Self {
        Self(std::array::from_fn(|i| self.0[i].exp()))
    }
}

/// AVX2 + FMA vectors. Every method must be called from a function compiled with those
/// features (the kernel's `avx2` entry points); they are then inlined to single instructions.
#[cfg(target_arch = "x86_64")]
mod simd {
    use super::Simd;
    use std::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub(crate) struct F64x4(__m256d);
    #[derive(Clone, Copy)]
    pub(crate) struct F32x8(__m256);

    // SAFETY (all methods): AVX2/FMA are enabled by the caller; load/store access LANES
    // values at the pointer, which the caller guarantees.
    impl Simd<f64> for F64x4 {
        const LANES: usize = 4;
        #[inline(always)]
        unsafe fn splat(v: f64) -> Self {
            unsafe { Self(_mm256_set1_pd(v)) }
        }
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            unsafe { Self(_mm256_loadu_pd(p)) }
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f64) {
            unsafe { _mm256_storeu_pd(p, self.0) }
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            unsafe { Self(_mm256_add_pd(self.0, o.0)) }
        }
        #[inline(always)]
        unsafe fn sub_mul(self, a: Self, b: Self) -> Self {
            unsafe { Self(_mm256_fnmadd_pd(a.0, b.0, self.0)) }
        }
        #[inline(always)]
        unsafe fn sub(self, o: Self) -> Self {
            unsafe { Self(_mm256_sub_pd(self.0, o.0)) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            unsafe { Self(_mm256_fmadd_pd(a.0, b.0, self.0)) }
        }
        #[inline(always)]
        unsafe fn abs(self) -> Self {
            unsafe { Self(_mm256_andnot_pd(_mm256_set1_pd(-0.0), self.0)) }
        }
        #[inline(always)]
        unsafe fn sqrt(self) -> Self {
            unsafe { Self(_mm256_sqrt_pd(self.0)) }
        }
        #[inline(always)]
        unsafe fn min_lt(self, o: Self) -> Self {
            // minpd returns the second operand unless the first is smaller.
            unsafe { Self(_mm256_min_pd(self.0, o.0)) }
        }
        #[inline(always)]
        unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
            unsafe { Self(_mm256_blendv_pd(f.0, t.0, _mm256_cmp_pd::<_CMP_LT_OQ>(a.0, b.0))) }
        }
        #[inline(always)]
        unsafe fn select_eq(a: Self, b: Self, t: Self, f: Self) -> Self {
            unsafe { Self(_mm256_blendv_pd(f.0, t.0, _mm256_cmp_pd::<_CMP_EQ_OQ>(a.0, b.0))) }
        }
        #[inline(always)]
        unsafe fn prefetch(p: *const f64) {
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) }
        }
        #[inline(always)]
        unsafe fn hmin(self) -> f64 {
            unsafe {
                let m = _mm_min_pd(_mm256_castpd256_pd128(self.0), _mm256_extractf128_pd::<1>(self.0));
                _mm_cvtsd_f64(_mm_min_sd(m, _mm_unpackhi_pd(m, m)))
            }
        }
        /// `eˣ = 2ⁿ·eʳ` with `n = round(x/ln 2)` and `r = x − n·ln 2` (Cody–Waite: ln 2 split
        /// into a high part with trailing zero bits and a low part, each product fused), so
        /// `|r| ≤ ln 2 / 2`; `eʳ` by its Taylor polynomial of degree 13 (truncation < 2⁻⁵⁷),
        /// Horner with FMA; `2ⁿ` built in the exponent bits as `2^⌊n/2⌋ · 2^(n − ⌊n/2⌋)`, two
        /// normal factors, so that the first product is exact and the second rounds once
        /// into the subnormal range (correct subnormals, 0 below e^−745.13). x is first
        /// clamped to [−746, 710] (NaN kept), which gives +∞ above 709.78 and 0 for −∞.
        #[inline(always)]
        unsafe fn exp(self) -> Self {
            // ln 2 = LN2_HI + LN2_LO, the high part with its low 21 bits zero (0x3FE62E42FEE00000;
            // low part 0x3DEA39EF35793C76).
            const LN2_HI: f64 = 0.693_147_180_369_123_8;
            const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
            // 2⁵² + 1023: adding it to an integer m (|m| < 2⁵¹) leaves m + 1023 in the
            // mantissa bits.
            const BIAS: f64 = 4_503_599_627_370_496.0 + 1023.0;
            const C: [f64; 14] = [
                1.0,
                1.0,
                1.0 / 2.0,
                1.0 / 6.0,
                1.0 / 24.0,
                1.0 / 120.0,
                1.0 / 720.0,
                1.0 / 5040.0,
                1.0 / 40320.0,
                1.0 / 362_880.0,
                1.0 / 3_628_800.0,
                1.0 / 39_916_800.0,
                1.0 / 479_001_600.0,
                1.0 / 6_227_020_800.0,
            ];
            unsafe {
                // max(lo, x) returns x when x is NaN (the second operand), min likewise.
                let x = _mm256_min_pd(_mm256_set1_pd(710.0), _mm256_max_pd(_mm256_set1_pd(-746.0), self.0));
                let n = _mm256_round_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(_mm256_mul_pd(
                    x,
                    _mm256_set1_pd(std::f64::consts::LOG2_E),
                ));
                let r = _mm256_fnmadd_pd(n, _mm256_set1_pd(LN2_HI), x);
                let r = _mm256_fnmadd_pd(n, _mm256_set1_pd(LN2_LO), r);
                let mut p = _mm256_set1_pd(C[13]);
                for &c in C[..13].iter().rev() {
                    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c));
                }
                let n1 = _mm256_round_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(_mm256_mul_pd(
                    n,
                    _mm256_set1_pd(0.5),
                ));
                let n2 = _mm256_sub_pd(n, n1);
                let pow2 = |m: __m256d| {
                    _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_castpd_si256(_mm256_add_pd(
                        m,
                        _mm256_set1_pd(BIAS),
                    ))))
                };
                Self(_mm256_mul_pd(_mm256_mul_pd(p, pow2(n1)), pow2(n2)))
            }
        }
    }

    impl Simd<f32> for F32x8 {
        const LANES: usize = 8;
        #[inline(always)]
        unsafe fn splat(v: f32) -> Self {
            unsafe { Self(_mm256_set1_ps(v)) }
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            unsafe { Self(_mm256_loadu_ps(p)) }
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            unsafe { _mm256_storeu_ps(p, self.0) }
        }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self {
            unsafe { Self(_mm256_add_ps(self.0, o.0)) }
        }
        #[inline(always)]
        unsafe fn sub_mul(self, a: Self, b: Self) -> Self {
            unsafe { Self(_mm256_fnmadd_ps(a.0, b.0, self.0)) }
        }
        #[inline(always)]
        unsafe fn sub(self, o: Self) -> Self {
            unsafe { Self(_mm256_sub_ps(self.0, o.0)) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, a: Self, b: Self) -> Self {
            unsafe { Self(_mm256_fmadd_ps(a.0, b.0, self.0)) }
        }
        #[inline(always)]
        unsafe fn abs(self) -> Self {
            unsafe { Self(_mm256_andnot_ps(_mm256_set1_ps(-0.0), self.0)) }
        }
        #[inline(always)]
        unsafe fn sqrt(self) -> Self {
            unsafe { Self(_mm256_sqrt_ps(self.0)) }
        }
        #[inline(always)]
        unsafe fn min_lt(self, o: Self) -> Self {
            unsafe { Self(_mm256_min_ps(self.0, o.0)) }
        }
        #[inline(always)]
        unsafe fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
            unsafe { Self(_mm256_blendv_ps(f.0, t.0, _mm256_cmp_ps::<_CMP_LT_OQ>(a.0, b.0))) }
        }
        #[inline(always)]
        unsafe fn select_eq(a: Self, b: Self, t: Self, f: Self) -> Self {
            unsafe { Self(_mm256_blendv_ps(f.0, t.0, _mm256_cmp_ps::<_CMP_EQ_OQ>(a.0, b.0))) }
        }
        #[inline(always)]
        unsafe fn prefetch(p: *const f32) {
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) }
        }
        #[inline(always)]
        unsafe fn hmin(self) -> f32 {
            unsafe {
                let m = _mm_min_ps(_mm256_castps256_ps128(self.0), _mm256_extractf128_ps::<1>(self.0));
                let m = _mm_min_ps(m, _mm_movehl_ps(m, m));
                _mm_cvtss_f32(_mm_min_ss(m, _mm_movehdup_ps(m)))
            }
        }
        #[inline(always)]
        unsafe fn exp(self) -> Self {
            // Not used by a kernel: lane by lane through libm.
            let mut v = [0.0f32; 8];
            unsafe {
                self.store(v.as_mut_ptr());
                Self::load(v.map(f32::exp).as_ptr())
            }
        }
    }
}

/// How far ahead of the tile being computed its rows are prefetched, at least: one tile of
/// K2 (3 rows of 784 f64, 18 KiB) but three of K1 (6 rows of 16 f64 take ~150 ns, less than
/// a DRAM access; one tile ahead left the FMAs at 55% of peak on K1, three at ~95%).
const PREFETCH_AHEAD_BYTES: usize = 2 << 10;

/// The kernel body: one generic function, compiled per float type, vector type, shape and
/// sink. `MR` rows × `NV` vectors of centers (`NR = NV·LANES` centers) per register tile.
///
/// Each accumulator starts at `½‖c‖²` and has `x_f·c_f` subtracted feature by feature, so
/// that it ends at `½(‖c‖² − 2·x·c)`: no scaling pass over the tile, and doubling (exact)
/// gives the reported value.
///
/// Memory: the pass streams X, and the hardware prefetchers alone left the FMAs waiting
/// (K2, 784 features: ~7 GB/s per core; K1, 16 features: 55% of peak). So while the first
/// panel runs over a tile, the rows [`PREFETCH_AHEAD_BYTES`] ahead are prefetched, one cache
/// line per row every `64 / size_of::<T>()` features (K2 30% faster, K1 ~40%).
/// Blocking over d so that a panel slice stays in L1 was tried and gained nothing here (the
/// panel streams well from L2; the loop reached 85% of peak FMA with X in cache).
///
/// # Safety
/// `V`'s CPU features must be enabled in the caller.
#[inline(always)]
unsafe fn tiles<T: Float, V: Simd<T>, S: TileSink<T>, const MR: usize, const NV: usize, const NR: usize>(
    x: &[T],
    m: usize,
    d: usize,
    panels: &[T],
    half_norms: &[T],
    sink: &mut S,
) {
    let n_panels = half_norms.len() / NR;
    if m == 0 || n_panels == 0 || d == 0 {
        return;
    }
    // The bounds every unchecked access below relies on.
    assert!(NR == NV * V::LANES && x.len() >= m * d && panels.len() == n_panels * d * NR);
    assert!(half_norms.len() == n_panels * NR);
    let l = V::LANES;
    let line = (64 / std::mem::size_of::<T>()).max(1);
    // Prefetch distance: whole tiles, at least PREFETCH_AHEAD_BYTES of rows ahead.
    let tile_bytes = MR * d * std::mem::size_of::<T>();
    let ahead = MR * PREFETCH_AHEAD_BYTES.div_ceil(tile_bytes).max(1);
    // SAFETY: all vector operations run with V's features enabled (the caller's contract);
    // every pointer access stays within the slices as asserted above (prefetches need not).
    unsafe {
        let lane_index: [T; NR] = std::array::from_fn(|j| T::of_f64(j as f64));
        let iota: [V; NV] = std::array::from_fn(|v| V::load(lane_index.as_ptr().add(v * l)));
        let inf = V::splat(T::infinity());
        let mut r0 = 0;
        while r0 < m {
            let mr = MR.min(m - r0);
            // A short last tile repeats its last row, so that every tile has the full
            // register shape; the repeated rows' results are dropped.
            let rows: [*const T; MR] = std::array::from_fn(|r| x.as_ptr().add((r0 + r.min(mr - 1)) * d));
            // Past the slice's end the prefetches run on into the rows that follow in memory (the
            // caller's next block): a prefetch never faults, so the address need not be valid.
            let next: [*const T; MR] = std::array::from_fn(|r| x.as_ptr().wrapping_add((r0 + ahead + r) * d));
            // Per row and lane: smallest value so far and its center index (as T, so that
            // value and index are selected with one compare mask).
            let mut best = [inf; MR];
            let mut best_i = [V::splat(T::zero()); MR];
            for p in 0..n_panels {
                let panel = panels.as_ptr().add(p * d * NR);
                let hn: [V; NV] = std::array::from_fn(|v| V::load(half_norms.as_ptr().add(p * NR + v * l)));
                let mut acc = [hn; MR];
                let mut f0 = 0;
                while f0 < d {
                    // One cache line of features at a time, so that the prefetch test runs
                    // once per line rather than once per feature.
                    if p == 0 {
                        for nx in next {
                            V::prefetch(nx.add(f0));
                        }
                    }
                    for f in f0..(f0 + line).min(d) {
                        let c: [V; NV] = std::array::from_fn(|v| V::load(panel.add(f * NR + v * l)));
                        for r in 0..MR {
                            let xv = V::splat(*rows[r].add(f));
                            for v in 0..NV {
                                acc[r][v] = acc[r][v].sub_mul(xv, c[v]);
                            }
                        }
                    }
                    f0 += line;
                }
                if S::ARGMIN {
                    // The panel's NV vectors folded lane-wise into one, then into the running
                    // minimum: strictly smaller wins, so on ties the lower center index (the
                    // earlier vector, the earlier panel) stays.
                    let base = V::splat(T::of_f64((p * NR) as f64));
                    let idx: [V; NV] = std::array::from_fn(|v| base.add(iota[v]));
                    for r in 0..MR {
                        let (mut mv, mut mi) = (acc[r][0], idx[0]);
                        for v in 1..NV {
                            mi = V::select_lt(acc[r][v], mv, idx[v], mi);
                            mv = acc[r][v].min_lt(mv);
                        }
                        best_i[r] = V::select_lt(mv, best[r], mi, best_i[r]);
                        best[r] = mv.min_lt(best[r]);
                    }
                }
                for r in 0..mr {
                    let mut vals = [T::zero(); NR];
                    for v in 0..NV {
                        acc[r][v].add(acc[r][v]).store(vals.as_mut_ptr().add(v * l));
                    }
                    sink.panel(r0 + r, p, &vals);
                }
            }
            if S::ARGMIN {
                for r in 0..mr {
                    // The smallest value, then the lowest center index among the lanes
                    // holding it. `best` is never NaN (a NaN never wins `min_lt`), so some
                    // lane equals `value` and the index is a finite, small integer.
                    let value = best[r].hmin();
                    let j = V::select_eq(best[r], V::splat(value), best_i[r], inf).hmin();
                    debug_assert!(j >= T::zero() && j < T::of_f64((n_panels * NR) as f64));
                    // SAFETY: j is a whole number in 0..n_panels·NR (see above).
                    let j: usize = j.as_f64().to_int_unchecked();
                    sink.row_min(r0 + r, j, value + value);
                }
            }
            r0 += MR;
        }
    }
}

/// Centers laid out for the tiled kernel: panels of `nr` centers, each stored feature-major
/// (d×nr), the last panel padded with zero centers whose norm is +∞ (never the argmin).
#[derive(Debug, Clone)]
pub struct PackedCenters<T> {
    panels: Vec<T>,
    norms: Vec<T>,
    /// `½‖c‖²`, where the kernel's accumulators start (+∞ for padding).
    half_norms: Vec<T>,
    k: usize,
    d: usize,
    nr: usize,
}

impl<T: Float> PackedCenters<T> {
    /// Packs `centers` (k×d), with the panel width that needs the fewest padding centers
    /// (the narrower on ties), or one single-register panel when it holds all k.
    pub fn new(centers: MatRef<'_, T>) -> Self {
        let (k, d) = (centers.rows(), centers.cols());
        // The one-register panel only when it holds all k centers: for larger k, more
        // panels mean more broadcasts of every x value, which costs more than the padding.
        let narrow = T::SHAPES[2].1;
        let nr = T::SHAPES[..2].iter().map(|s| s.1).min_by_key(|&nr| (k.div_ceil(nr) * nr, nr)).map_or(narrow, |nr| {
            if k <= narrow {
                narrow
            } else {
                nr
            }
        });
        let kp = k.div_ceil(nr) * nr;
        let mut panels = vec![T::zero(); kp * d];
        let mut norms = vec![T::infinity(); kp];
        for j in 0..k {
            let (p, jj) = (j / nr, j % nr);
            let c = centers.row(j);
            for f in 0..d {
                panels[p * d * nr + f * nr + jj] = c[f];
            }
            norms[j] = dot(c, c);
        }
        let half = T::one() / (T::one() + T::one());
        let half_norms = norms.iter().map(|&v| v * half).collect();
        Self { panels, norms, half_norms, k, d, nr }
    }

    /// Number of real centers.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Row stride of the output of [`Self::partial_sq_dists`] (k rounded up to a panel).
    pub fn padded_k(&self) -> usize {
        self.norms.len()
    }

    /// Centers per panel.
    pub fn panel_width(&self) -> usize {
        self.nr
    }

    /// Squared norm of center `j`.
    pub fn norm(&self, j: usize) -> T {
        self.norms[j]
    }

    /// Runs the kernel over the `m` rows in `x` (m×d), handing the results to `sink`.
    #[inline]
    pub fn run<S: TileSink<T>>(&self, x: &[T], m: usize, sink: &mut S) {
        assert_eq!(x.len(), m * self.d, "rows do not match the centers' dimension");
        T::run_tiles(self.nr, x, m, self.d, &self.panels, &self.half_norms, sink);
    }

    /// Calls `f(row, j, v)` with the closest center `j` of each row (lowest index on ties)
    /// and `v = ‖c_j‖² − 2·x·c_j`; adding `‖x‖²` gives the squared distance.
    #[inline]
    pub fn for_each_closest<F: FnMut(usize, usize, T)>(&self, x: &[T], m: usize, f: F) {
        struct Closest<F>(F);
        impl<T, F: FnMut(usize, usize, T)> TileSink<T> for Closest<F> {
            const ARGMIN: bool = true;
            #[inline(always)]
            fn row_min(&mut self, row: usize, j: usize, v: T) {
                (self.0)(row, j, v)
            }
        }
        self.run(x, m, &mut Closest(f));
    }

    /// `out[r*padded_k + j] = ‖c_j‖² − 2·x_r·c_j` for the `m` rows in `x` (m×d);
    /// adding `‖x_r‖²` gives the squared distance.
    pub fn partial_sq_dists(&self, x: &[T], m: usize, out: &mut [T]) {
        struct Store<'a, T> {
            out: &'a mut [T],
            ld: usize,
        }
        impl<T: Copy> TileSink<T> for Store<'_, T> {
            const ARGMIN: bool = false;
            #[inline(always)]
            fn panel<const NR: usize>(&mut self, row: usize, p: usize, vals: &[T; NR]) {
                self.out[row * self.ld + p * NR..][..NR].copy_from_slice(vals);
            }
        }
        assert!(out.len() >= m * self.padded_k());
        let ld = self.padded_k();
        self.run(x, m, &mut Store { out, ld });
    }
}

/// A piece of work to compile for AVX2 + FMA where the CPU has them ([`with_avx2`]).
/// Implementations mark `run` `#[inline(always)]`, so that it is compiled into the AVX2
/// context (a closure is not reliably inlined there).
pub trait Vectorize {
    /// What the work returns.
    type Out;
    /// Does the work.
    fn run(self) -> Self::Out;
}

/// Runs `work` compiled for AVX2 + FMA where the CPU has them, so that its loops vectorise
/// 4 f64 / 8 f32 wide instead of the baseline build's SSE2 2 / 4. Results do not depend on
/// the path taken: Rust never fuses `a * b + c` by itself, so the arithmetic is the same,
/// only wider.
#[inline(always)]
pub fn with_avx2<W: Vectorize>(work: W) -> W::Out {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            #[target_feature(enable = "avx2,fma")]
            unsafe fn avx2<W: Vectorize>(work: W) -> W::Out {
                work.run()
            }
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            return unsafe { avx2(work) };
        }
    }
    work.run()
}

/// `v[i] = e^(v[i] − m)` in place: the exponentials of a log-sum-exp. 4 lanes at a time with
/// the AVX2 vector exp where the CPU has AVX2 and FMA (inline it into a [`with_avx2`]
/// context), libm otherwise. The tail is padded into a full vector, so an element's value
/// does not depend on its position (nor on the length of `v`).
#[inline(always)]
pub(crate) fn exp_shifted(v: &mut [f64], m: f64) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA.
            return unsafe { exp_shifted_by::<simd::F64x4>(v, m) };
        }
    }
    for a in v.iter_mut() {
        *a = (*a - m).exp();
    }
}

/// The body of [`exp_shifted`] for one 4-lane vector type.
///
/// # Safety
/// `V`'s CPU features are enabled.
#[inline(always)]
unsafe fn exp_shifted_by<V: Simd<f64>>(v: &mut [f64], m: f64) {
    const L: usize = 4;
    debug_assert_eq!(V::LANES, L);
    // SAFETY: every load and store covers L values inside a chunk of L or the padded tail.
    unsafe {
        let mv = V::splat(m);
        let mut chunks = v.chunks_exact_mut(L);
        for c in &mut chunks {
            V::load(c.as_ptr()).sub(mv).exp().store(c.as_mut_ptr());
        }
        let tail = chunks.into_remainder();
        if !tail.is_empty() {
            let mut t = [0.0f64; L];
            t[..tail.len()].copy_from_slice(tail);
            let e = V::load(t.as_ptr()).sub(mv).exp();
            e.store(t.as_mut_ptr());
            tail.copy_from_slice(&t[..tail.len()]);
        }
    }
}

/// A distance computed feature by feature into partial values, several column samples at a
/// time (one per vector lane), then finished into the distance: the direct-difference kernel
/// of the streamed passes over all pairs (the silhouette), in f64 whatever the input type.
pub(crate) trait ColumnDistance {
    /// Adds the term of one feature, `x` of the row against `c` of the columns, to `acc`.
    ///
    /// # Safety
    /// As for the methods of `V` (its CPU features enabled).
    unsafe fn step<V: Simd<f64>>(acc: V, x: V, c: V) -> V;
    /// The distances from finished partial values.
    ///
    /// # Safety
    /// As for [`ColumnDistance::step`].
    unsafe fn finish<V: Simd<f64>>(v: V) -> V;
}

/// Euclidean distance by direct differences (no `‖x‖² − 2x·y + ‖y‖²` cancellation).
pub(crate) struct Euclid;
impl ColumnDistance for Euclid {
    #[inline(always)]
    unsafe fn step<V: Simd<f64>>(acc: V, x: V, c: V) -> V {
        // SAFETY: forwarded to the caller.
        unsafe {
            let t = x.sub(c);
            acc.mul_add(t, t)
        }
    }
    #[inline(always)]
    unsafe fn finish<V: Simd<f64>>(v: V) -> V {
        // SAFETY: forwarded to the caller.
        unsafe { v.sqrt() }
    }
}

/// Manhattan (city block) distance: the sum of absolute differences.
pub(crate) struct Manhattan;
impl ColumnDistance for Manhattan {
    #[inline(always)]
    unsafe fn step<V: Simd<f64>>(acc: V, x: V, c: V) -> V {
        // SAFETY: forwarded to the caller.
        unsafe { acc.add(x.sub(c).abs()) }
    }
    #[inline(always)]
    unsafe fn finish<V: Simd<f64>>(v: V) -> V {
        v
    }
}

/// Cosine distance of rows already scaled to unit norm: `1 − ⟨u, v⟩`, clipped to [0, 2]
/// as scikit-learn does.
pub(crate) struct UnitCosine;
impl ColumnDistance for UnitCosine {
    #[inline(always)]
    unsafe fn step<V: Simd<f64>>(acc: V, x: V, c: V) -> V {
        // SAFETY: forwarded to the caller.
        unsafe { acc.mul_add(x, c) }
    }
    #[inline(always)]
    unsafe fn finish<V: Simd<f64>>(v: V) -> V {
        // SAFETY: forwarded to the caller.
        unsafe {
            let (zero, two) = (V::splat(0.0), V::splat(2.0));
            let t = V::splat(1.0).sub(v);
            let t = V::select_lt(t, zero, zero, t);
            V::select_lt(two, t, two, t)
        }
    }
}

/// Columns per call of [`column_block`]: two vectors of 4 f64.
pub(crate) const COL_LANES: usize = 8;

/// Distances from `R` rows (`rows[r]`: d values each) to the [`COL_LANES`] columns
/// `j..j + 8` of a feature-major matrix `xt` (feature `l` of column `j` at
/// `xt[l * stride + j]`); out: R × 8. The R rows share every load of the columns and keep
/// 2·R independent accumulators in registers (one row alone waits on the latency of its
/// adds: measured 6 cycles per pair instead of 2). AVX2 + FMA vectors where the CPU has
/// them (inline it into a [`with_avx2`] context), portable ones otherwise.
#[inline(always)]
pub(crate) fn column_block<M: ColumnDistance, const R: usize>(
    rows: &[&[f64]; R],
    xt: &[f64],
    stride: usize,
    j: usize,
) -> [[f64; COL_LANES]; R] {
    let d = rows.first().map_or(0, |r| r.len());
    assert!(rows.iter().all(|r| r.len() == d) && j + COL_LANES <= stride);
    assert!(d == 0 || (d - 1) * stride + j + COL_LANES <= xt.len());
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA; the bounds are checked above.
            return unsafe { block::<simd::F64x4, M, R>(rows, xt, stride, j) };
        }
    }
    // SAFETY: the portable vectors need no CPU feature; the bounds are checked above.
    unsafe { block::<Lanes<f64, 4>, M, R>(rows, xt, stride, j) }
}

/// The body of [`column_block`] for one vector type of 4 lanes.
///
/// # Safety
/// `V`'s CPU features are enabled; the rows have equal lengths d and
/// `(d − 1)·stride + j + 8 <= xt.len()`.
#[inline(always)]
unsafe fn block<V: Simd<f64>, M: ColumnDistance, const R: usize>(
    rows: &[&[f64]; R],
    xt: &[f64],
    stride: usize,
    j: usize,
) -> [[f64; COL_LANES]; R] {
    debug_assert_eq!(V::LANES * 2, COL_LANES);
    let d = rows.first().map_or(0, |r| r.len());
    let mut out = [[0.0f64; COL_LANES]; R];
    // SAFETY: the caller's guarantees cover every read and write below.
    unsafe {
        let mut acc = [[V::splat(0.0); 2]; R];
        let p = xt.as_ptr().add(j);
        for l in 0..d {
            let c0 = V::load(p.add(l * stride));
            let c1 = V::load(p.add(l * stride + 4));
            for r in 0..R {
                let x = V::splat(*rows[r].get_unchecked(l));
                acc[r][0] = M::step(acc[r][0], x, c0);
                acc[r][1] = M::step(acc[r][1], x, c1);
            }
        }
        for (o, a) in out.iter_mut().zip(&acc) {
            M::finish(a[0]).store(o.as_mut_ptr());
            M::finish(a[1]).store(o.as_mut_ptr().add(4));
        }
    }
    out
}

/// Distance from one row (d values) to column `j` of a feature-major matrix, with the
/// operations of the portable [`column_block`] (no fused multiply-add).
#[inline(always)]
pub(crate) fn column_single<M: ColumnDistance>(row: &[f64], xt: &[f64], stride: usize, j: usize) -> f64 {
    let mut acc = Lanes([0.0f64]);
    for (l, &x) in row.iter().enumerate() {
        // SAFETY: the portable vectors need no CPU feature.
        acc = unsafe { M::step(acc, Lanes([x]), Lanes([xt[l * stride + j]])) };
    }
    // SAFETY: as above.
    unsafe { M::finish(acc) }.0[0]
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

/// Manhattan (cityblock, L1) distance between two rows: `Σ |a_i − b_i|`.
#[inline]
pub fn cityblock_dist<T: Float>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::zero(); 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            acc[l] += (x[l] - y[l]).abs();
        }
    }
    let mut tail = T::zero();
    for (&x, &y) in ca.remainder().iter().zip(cb.remainder()) {
        tail += (x - y).abs();
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Chebyshev (L∞) distance between two rows: `max |a_i − b_i|`.
#[inline]
pub fn chebyshev_dist<T: Float>(a: &[T], b: &[T]) -> T {
    a.iter().zip(b).fold(T::zero(), |m, (&x, &y)| m.max((x - y).abs()))
}

/// Cosine distance `1 − ⟨a, b⟩ / (‖a‖‖b‖)` given both squared norms, clamped to [0, 2].
/// A zero vector is at distance 1 from everything (the seed toolkit's convention).
#[inline]
pub fn cosine_dist<T: Float>(a: &[T], b: &[T], sq_norm_a: T, sq_norm_b: T) -> T {
    let denom = (sq_norm_a * sq_norm_b).sqrt();
    if denom == T::zero() {
        return T::one();
    }
    let sim = dot(a, b) / denom;
    let two = T::one() + T::one();
    (T::one() - sim).max(T::zero()).min(two)
}

// --- scikit-learn's BLAS dot products, operation for operation -------------------------------
//
// scikit-learn computes 'euclidean' and 'cosine' distances through BLAS (NumPy's and SciPy's
// OpenBLAS): `‖x‖² − 2x·y + ‖y‖²` and `1 − x̂·ŷ`. Their last bits depend on the order in which
// the BLAS kernel accumulates the dot product, and OPTICS results (orderings decided by ties
// of distances rounded to 15 decimals) depend on those bits. The three functions below
// reproduce the orders of OpenBLAS's x86-64 kernels (Haswell/Zen, in the builds NumPy and
// SciPy ship), established against them for d = 1..64: every multiply, fused multiply-add
// and addition happens in the same order, so the results are the same to the last bit.

/// Dot product as OpenBLAS's `dgemm` micro-kernel accumulates one element of `A·Bᵀ`: one
/// fused multiply-add chain over the features in order (exact for d ≤ 64; larger d is split
/// into blocks by the BLAS).
#[inline]
pub fn dot_gemm(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0f64;
    for (&x, &y) in a.iter().zip(b) {
        s = x.mul_add(y, s);
    }
    s
}

/// Dot product as OpenBLAS's `ddot` computes it (NumPy's dot of two vectors, scikit-learn's
/// `_sqeuclidean_row_norms`): blocks of 16 features in 4×4 fused multiply-add lanes, the
/// lanes reduced pairwise, then the remaining features added one by one (unfused).
#[inline]
pub fn dot_ddot(a: &[f64], b: &[f64]) -> f64 {
    let n1 = a.len() & !15;
    let mut dot = 0.0f64;
    if n1 > 0 {
        let mut acc = [[0.0f64; 4]; 4];
        for (ca, cb) in a[..n1].chunks_exact(16).zip(b[..n1].chunks_exact(16)) {
            for k in 0..4 {
                for l in 0..4 {
                    acc[k][l] = ca[4 * k + l].mul_add(cb[4 * k + l], acc[k][l]);
                }
            }
        }
        let h: [[f64; 2]; 4] = std::array::from_fn(|k| [acc[k][0] + acc[k][2], acc[k][1] + acc[k][3]]);
        let s01 = [h[0][0] + h[1][0], h[0][1] + h[1][1]];
        let s23 = [h[2][0] + h[3][0], h[2][1] + h[3][1]];
        dot = (s01[0] + s23[0]) + (s01[1] + s23[1]);
    }
    for (&x, &y) in a[n1..].iter().zip(&b[n1..]) {
        dot += x * y;
    }
    dot
}

/// Which kernel of OpenBLAS's transposed `dgemv` computes a column of `Y·x` (NumPy's
/// `(1×d) @ (d×m)` product): columns go by groups of four; the last `m mod 4` take the 2-
/// and 1-column kernels, and a single column (m = 1) is a `ddot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GemvColumn {
    /// In a group of four (4 fused lanes).
    Four,
    /// One of the two columns of the 2-column kernel (2 unfused lanes).
    Two,
    /// The last column of an odd count (4 unfused lanes).
    One,
    /// The only column (`ddot`).
    Single,
}

impl GemvColumn {
    /// The kernel of column `j` (0-based) among `m` columns.
    #[inline]
    pub fn of(j: usize, m: usize) -> Self {
        let full = m & !3;
        if m == 1 {
            GemvColumn::Single
        } else if j < full {
            GemvColumn::Four
        } else if m & 2 != 0 && j < full + 2 {
            GemvColumn::Two
        } else {
            GemvColumn::One
        }
    }
}

/// Dot product `a·x` as OpenBLAS's transposed `dgemv` computes column `a` in kernel `col`:
/// the first `d − d mod 4` features in lanes (feature i in lane i mod 4, or mod 2), reduced
/// as (l0 + l2) + (l1 + l3), then the last `d mod 4` features as its C tail code compiles:
/// `fma(a0, x0, y)`, `y + fma(a0, x0, a1·x1)` or `y + fma(a2, x2, fma(a0, x0, a1·x1))`.
#[inline]
pub fn dot_gemv(a: &[f64], x: &[f64], col: GemvColumn) -> f64 {
    if col == GemvColumn::Single {
        return dot_ddot(a, x);
    }
    let m1 = a.len() & !3;
    let mut y = 0.0f64;
    if m1 > 0 {
        match col {
            GemvColumn::Four | GemvColumn::One | GemvColumn::Single => {
                let mut l = [0.0f64; 4];
                for (ca, cx) in a[..m1].chunks_exact(4).zip(x[..m1].chunks_exact(4)) {
                    for r in 0..4 {
                        l[r] = if col == GemvColumn::Four { ca[r].mul_add(cx[r], l[r]) } else { l[r] + ca[r] * cx[r] };
                    }
                }
                y = (l[0] + l[2]) + (l[1] + l[3]);
            }
            GemvColumn::Two => {
                let mut l = [0.0f64; 2];
                for (ca, cx) in a[..m1].chunks_exact(2).zip(x[..m1].chunks_exact(2)) {
                    l[0] += ca[0] * cx[0];
                    l[1] += ca[1] * cx[1];
                }
                y = l[0] + l[1];
            }
        }
    }
    let (t, u) = (&a[m1..], &x[m1..]);
    match t.len() {
        1 => t[0].mul_add(u[0], y),
        2 => y + t[0].mul_add(u[0], t[1] * u[1]),
        3 => y + t[2].mul_add(u[2], t[0].mul_add(u[0], t[1] * u[1])),
        _ => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Distance in units in the last place between two non-negative doubles (or NaNs).
    fn ulps(a: f64, b: f64) -> u64 {
        if a.is_nan() || b.is_nan() {
            return if a.is_nan() && b.is_nan() { 0 } else { u64::MAX };
        }
        assert!(a >= 0.0 && b >= 0.0, "{a} {b}");
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn vector_exp_against_libm() {
        // A dense sweep of [−745.2, 710] (2²¹ steps, each nudged off the grid) plus the
        // edges: overflow at 709.7827…, the last subnormal at −745.1332…, the subnormal
        // range below −708.4, ±0, tiny arguments and the special values.
        let steps = 1usize << 21;
        let (lo, hi) = (-745.2f64, 710.0f64);
        let mut xs: Vec<f64> = (0..=steps)
            .map(|i| lo + (hi - lo) * (i as f64 + 0.37 * ((i * 7919 % 101) as f64 / 101.0)) / steps as f64)
            .collect();
        let edges = [
            709.782712893384,
            709.78271289338,
            709.7827128933841,
            709.79,
            -745.1332191019411,
            -745.1332191019412,
            -745.0,
            -744.440_071_921_381_2,
            -708.3964185322641,
            -708.4,
            -720.5,
            -0.5 * std::f64::consts::LN_2,
            0.5 * std::f64::consts::LN_2,
            1e-300,
            -1e-300,
            5e-324,
            1e-17,
            -1e-17,
            0.0,
            -0.0,
            1.0,
            -1.0,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            -1e6,
            1e6,
        ];
        xs.extend_from_slice(&edges);
        let want: Vec<f64> = xs.iter().map(|x| x.exp()).collect();

        // The portable vector is libm, bit for bit.
        for c in xs.chunks_exact(4) {
            let mut out = [0.0; 4];
            // SAFETY: portable vectors; 4 values read and written.
            unsafe { Lanes::<f64, 4>::load(c.as_ptr()).exp().store(out.as_mut_ptr()) };
            for (o, x) in out.iter().zip(c) {
                assert_eq!(ulps(*o, x.exp()), 0, "portable exp({x})");
            }
        }

        // The path exp_shifted takes on this CPU (AVX2 where present): within 1 ulp over the
        // whole range, subnormals included; the special values exact.
        struct Sweep<'a>(&'a mut [f64]);
        impl Vectorize for Sweep<'_> {
            type Out = ();
            #[inline(always)]
            fn run(self) {
                exp_shifted(self.0, 0.0);
            }
        }
        let mut got = xs.clone();
        with_avx2(Sweep(&mut got));
        let (mut worst, mut at) = (0u64, 0.0);
        for ((&x, &g), &w) in xs.iter().zip(&got).zip(&want) {
            let u = ulps(g, w);
            if u > worst {
                (worst, at) = (u, x);
            }
        }
        assert!(worst <= 1, "max error {worst} ulp at exp({at})");
        let n = xs.len() - edges.len();
        for (x, g) in edges.iter().zip(&got[n..]) {
            if x.is_nan() {
                assert!(g.is_nan());
            } else if *x > 709.8 || *x < -745.14 || *x == 0.0 {
                assert_eq!(g.to_bits(), x.exp().to_bits(), "exp({x})");
            }
        }
        // Underflow to 0 and overflow to +∞ exactly where libm has them.
        for ((&x, &g), &w) in xs.iter().zip(&got).zip(&want) {
            if w == 0.0 || w.is_infinite() || g == 0.0 || g.is_infinite() {
                assert_eq!(g.to_bits(), w.to_bits(), "exp({x})");
            }
        }

        // An element's value does not depend on its position or on the slice's length.
        let base = [-3.25, 0.125, -700.0, -744.9, 2.5, -0.0, 40.0];
        for len in 1..=base.len() {
            for s in 0..len {
                let mut v = base[..len].to_vec();
                v.rotate_left(s);
                exp_shifted(&mut v, 1.5);
                for (i, &e) in v.iter().enumerate() {
                    let mut one = [base[(i + s) % len]];
                    exp_shifted(&mut one, 1.5);
                    assert_eq!(e.to_bits(), one[0].to_bits());
                }
            }
        }
    }

    #[test]
    fn blas_dot_orders_by_hand() {
        // Columns: groups of four, then the 2- and 1-column kernels, a lone column is a ddot.
        use GemvColumn::*;
        let kinds: Vec<_> = (0..7).map(|j| GemvColumn::of(j, 7)).collect();
        assert_eq!(kinds, vec![Four, Four, Four, Four, Two, Two, One]);
        assert_eq!(GemvColumn::of(0, 1), Single);
        assert_eq!(GemvColumn::of(4, 5), One);
        // Two features: gemv fuses the first product, ddot fuses nothing, gemm fuses both.
        let (a, x) = ([0.1f64, 0.7], [0.3f64, 0.9]);
        assert_eq!(dot_gemv(&a, &x, Four), a[0].mul_add(x[0], a[1] * x[1]));
        assert_eq!(dot_ddot(&a, &x), a[0] * x[0] + a[1] * x[1]);
        assert_eq!(dot_gemm(&a, &x), a[1].mul_add(x[1], a[0] * x[0]));
        // Lanes: eight features in four fused lanes, reduced (l0 + l2) + (l1 + l3).
        let a: Vec<f64> = (1..=8).map(|i| 1.0 / i as f64).collect();
        let l: Vec<f64> = (0..4).map(|r| a[r + 4].mul_add(a[r + 4], a[r] * a[r])).collect();
        assert_eq!(dot_gemv(&a, &a, Four), (l[0] + l[2]) + (l[1] + l[3]));
        let u: Vec<f64> = (0..4).map(|r| a[r] * a[r] + a[r + 4] * a[r + 4]).collect();
        assert_eq!(dot_gemv(&a, &a, One), (u[0] + u[2]) + (u[1] + u[3]));
        // All agree with the exact sum of small integers.
        let b: Vec<f64> = (0..37).map(|i| (i % 7) as f64).collect();
        let exact: f64 = b.iter().map(|v| v * v).sum();
        for col in [Four, Two, One, Single] {
            assert_eq!(dot_gemv(&b, &b, col), exact);
        }
        assert_eq!(dot_gemm(&b, &b), exact);
    }

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

    /// Small integer coordinates: every distance is exact, so ties are exact too; centers
    /// repeat (j and j + 9 coincide), so ties also fall across lanes and panels.
    fn grid(n: usize, d: usize, seed: u64) -> Vec<f64> {
        let mut r = Rng::new(seed);
        (0..n * d).map(|_| r.below(5) as f64 - 2.0).collect()
    }

    fn brute_closest(x: &[f64], c: &[f64], d: usize) -> Vec<(usize, f64)> {
        x.chunks_exact(d)
            .map(|xr| {
                let dists: Vec<f64> = c.chunks_exact(d).map(|cj| sq_dist(xr, cj)).collect();
                argmin(&dists)
            })
            .collect()
    }

    #[test]
    fn closest_is_the_first_minimum_for_every_shape_and_type() {
        for &k in &[1, 3, 8, 9, 10, 12, 17, 24, 32, 33, 50] {
            for &d in &[1, 3, 16, 40] {
                let m = 29;
                let x = grid(m, d, k as u64);
                let mut c = grid(k, d, 100 + d as u64);
                for j in 9..k {
                    let (a, b) = c.split_at_mut(j * d);
                    b[..d].copy_from_slice(&a[(j - 9) * d..(j - 8) * d]);
                }
                let want = brute_closest(&x, &c, d);
                let packed = PackedCenters::new(MatRef::new("c", &c, k, d).unwrap());
                let mut got = vec![(usize::MAX, 0.0); m];
                packed.for_each_closest(&x, m, |r, j, v| got[r] = (j, v));
                for r in 0..m {
                    let xn = dot(&x[r * d..(r + 1) * d], &x[r * d..(r + 1) * d]);
                    assert_eq!(got[r].0, want[r].0, "f64 k={k} d={d} row {r}");
                    assert_eq!(got[r].1 + xn, want[r].1, "f64 k={k} d={d} row {r}");
                }
                let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
                let cf: Vec<f32> = c.iter().map(|&v| v as f32).collect();
                let pf = PackedCenters::new(MatRef::new("c", &cf, k, d).unwrap());
                let mut gf = vec![usize::MAX; m];
                pf.for_each_closest(&xf, m, |r, j, _| gf[r] = j);
                let wj: Vec<usize> = want.iter().map(|w| w.0).collect();
                assert_eq!(gf, wj, "f32 k={k} d={d}");
            }
        }
    }

    #[test]
    fn panel_width_wastes_the_fewest_padding_centers() {
        let width = |k: usize| {
            let c = vec![0.0f64; k * 2];
            PackedCenters::new(MatRef::new("c", &c, k, 2).unwrap()).panel_width()
        };
        assert_eq!((width(1), width(8), width(10), width(12), width(32), width(36)), (4, 8, 12, 12, 8, 12));
        assert_eq!((width(2), width(4), width(5), width(17)), (4, 4, 8, 8));
        let width32 = |k: usize| {
            let c = vec![0.0f32; k * 2];
            PackedCenters::new(MatRef::new("c", &c, k, 2).unwrap()).panel_width()
        };
        assert_eq!((width32(2), width32(8), width32(9), width32(10)), (8, 8, 16, 16));
    }

    /// The portable build of the kernel (used where the CPU lacks AVX2/FMA) against the
    /// dispatched one: the same labels, values within rounding (no fused multiply-add).
    #[test]
    fn portable_kernel_agrees_with_the_dispatched_one() {
        struct Collect(Vec<(usize, f64)>);
        impl TileSink<f64> for Collect {
            const ARGMIN: bool = true;
            fn row_min(&mut self, r: usize, j: usize, v: f64) {
                self.0[r] = (j, v);
            }
        }
        for &(k, d) in &[(2, 16), (3, 5), (7, 5), (10, 16), (32, 16), (33, 3)] {
            let m = 23;
            let x = random(m * d, 7);
            let c = random(k * d, 8);
            let packed = PackedCenters::new(MatRef::new("c", &c, k, d).unwrap());
            let mut fast = Collect(vec![(0, 0.0); m]);
            packed.run(&x, m, &mut fast);
            let mut slow = Collect(vec![(0, 0.0); m]);
            let (panels, hn) = (&packed.panels, &packed.half_norms);
            // SAFETY: the portable vectors need no CPU feature.
            unsafe {
                if packed.panel_width() == 4 {
                    tiles::<f64, Lanes<f64, 4>, _, 12, 1, 4>(&x, m, d, panels, hn, &mut slow)
                } else if packed.panel_width() == 8 {
                    tiles::<f64, Lanes<f64, 4>, _, 6, 2, 8>(&x, m, d, panels, hn, &mut slow)
                } else {
                    tiles::<f64, Lanes<f64, 4>, _, 3, 3, 12>(&x, m, d, panels, hn, &mut slow)
                }
            }
            for r in 0..m {
                assert_eq!(fast.0[r].0, slow.0[r].0, "k={k} d={d} row {r}");
                assert!((fast.0[r].1 - slow.0[r].1).abs() < 1e-12);
            }
        }
    }
}
