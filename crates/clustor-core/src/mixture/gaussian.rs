//! Gaussian mixture models fitted by expectation-maximisation, iteration for iteration as
//! scikit-learn's `GaussianMixture` (same E-step, same M-step including its `10·eps` added
//! to every component's mass, same stopping rule), with sample weights.
//!
//! One pass over the data per iteration: each row's weighted log-densities are computed
//! through the precision Cholesky factors, normalised by a log-sum-exp, and its
//! responsibilities are added at once to the per-chunk sufficient statistics of the M-step
//! (mass, first and second moments, in f64). All arithmetic is in f64 whatever the data's
//! type; the moments are taken about the data's weighted mean, so that the expanded
//! second moments do not cancel catastrophically for data far from the origin.
//!
//! Layouts (row-major): means k×d; covariances and precision factors: full k×d×d, tied
//! d×d, diag k×d, spherical k. The precision factor `U` is upper triangular with
//! `precision = U·Uᵀ` (scikit-learn's `precisions_cholesky_`).

use super::linalg;
use crate::distance::{exp_shifted, with_avx2, Vectorize};
use crate::error::{ClustorError, Result};
use crate::float::Float;
use crate::matrix::{check_weights, MatRef};
use crate::monitor::Monitor;
use crate::parallel::{self, ChunkPlan};

/// The structure of the components' covariances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CovarianceType {
    /// Each component its own general covariance matrix.
    Full,
    /// One general covariance matrix shared by all components.
    Tied,
    /// Each component its own diagonal covariance.
    Diag,
    /// Each component its own single variance.
    Spherical,
}

impl CovarianceType {
    /// Parses scikit-learn's names: "full", "tied", "diag", "spherical".
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "full" => Ok(Self::Full),
            "tied" => Ok(Self::Tied),
            "diag" => Ok(Self::Diag),
            "spherical" => Ok(Self::Spherical),
            other => Err(ClustorError::InvalidParameter {
                name: "covariance_type",
                reason: format!("{other:?} is not one of 'full', 'tied', 'diag', 'spherical'"),
            }),
        }
    }

    /// Number of values of the covariances (or precision factors) of `k` components.
    pub fn cov_len(self, k: usize, d: usize) -> usize {
        match self {
            Self::Full => k * d * d,
            Self::Tied => d * d,
            Self::Diag => k * d,
            Self::Spherical => k,
        }
    }

    /// Second-moment statistics per row and component: the packed upper triangle of x·xᵀ
    /// (full), the squares (diag, spherical), none (tied: from the total scatter instead).
    fn n_second(self, d: usize) -> usize {
        match self {
            Self::Full => d * (d + 1) / 2,
            Self::Tied => 0,
            Self::Diag | Self::Spherical => d,
        }
    }
}

/// The parameters of a mixture (f64).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Mixing weights, k.
    pub weights: Vec<f64>,
    /// Means, k×d.
    pub means: Vec<f64>,
    /// Covariances (layout of the covariance type).
    pub covariances: Vec<f64>,
    /// Precision Cholesky factors (same layout).
    pub precisions_cholesky: Vec<f64>,
}

/// Settings of one EM run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Covariance structure.
    pub covariance_type: CovarianceType,
    /// Added to the covariances' diagonals.
    pub reg_covar: f64,
    /// Stop when the lower bound changes by less than this.
    pub tol: f64,
    /// Maximum number of iterations.
    pub max_iter: usize,
    /// Lower bound before the first iteration: −∞, or the previous fit's under warm start.
    pub initial_lower_bound: f64,
    /// Threads (0 = all CPUs).
    pub n_threads: usize,
    /// 0: silent; 1: iteration numbers; 2: also time and lower-bound change.
    pub verbose: usize,
    /// Print every this many iterations.
    pub verbose_interval: usize,
}

/// Outcome of one EM run.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Parameters after the last M-step.
    pub params: Params,
    /// Lower bound (weighted mean log-likelihood) of every iteration.
    pub lower_bounds: Vec<f64>,
    /// Whether the change of the lower bound fell below `tol`.
    pub converged: bool,
    /// Iterations run.
    pub n_iter: usize,
}

/// The precision Cholesky factors of `covariances` (scikit-learn's
/// `_compute_precision_cholesky`); [`ClustorError::IllDefinedCovariance`] when a covariance
/// is not positive definite.
pub fn precisions_cholesky(covariances: &[f64], ct: CovarianceType, k: usize, d: usize) -> Result<Vec<f64>> {
    if covariances.len() != ct.cov_len(k, d) {
        return Err(ClustorError::ShapeMismatch {
            name: "covariances",
            got: covariances.len(),
            expected: ct.cov_len(k, d),
            shape: format!("{ct:?} covariances of {k} components in {d} dimensions"),
        });
    }
    match ct {
        CovarianceType::Full | CovarianceType::Tied => {
            let mut out = Vec::with_capacity(covariances.len());
            for c in covariances.chunks_exact(d * d) {
                let l = linalg::cholesky_lower(c, d).ok_or(ClustorError::IllDefinedCovariance)?;
                out.extend(linalg::inverse_lower_transposed(&l, d));
            }
            Ok(out)
        }
        CovarianceType::Diag | CovarianceType::Spherical => {
            if covariances.iter().any(|&c| !(c > 0.0 && c.is_finite())) {
                return Err(ClustorError::IllDefinedCovariance);
            }
            Ok(covariances.iter().map(|c| 1.0 / c.sqrt()).collect())
        }
    }
}

/// The components in the form the E-step uses, for rows shifted by `shift`.
///
/// Diagonal, spherical and full components are stored component-minor ("transposed"), padded
/// to `kp` components (a multiple of the block width `w`), so that the E-step's inner loops
/// run across a block of components in vector registers. Each component's sums are still
/// taken in the same order as a row-by-row loop over features would (0 + t₀ + t₁ + …), so
/// the layout changes the speed, not the values.
struct Model {
    ct: CovarianceType,
    k: usize,
    d: usize,
    /// Components per block of the E-step (4, 8 or 16) and `k` padded to a multiple of it.
    w: usize,
    kp: usize,
    shift: Vec<f64>,
    /// Means − shift: tied k×d; others d×kp (transposed, zero-padded).
    centers: Vec<f64>,
    /// Precision factors: tied d×d; diag d×kp (transposed); spherical the precisions (kp);
    /// full the upper triangles packed by column (entry (i, q), i ≤ q, at q(q+1)/2 + i), each
    /// entry kp wide.
    chol: Vec<f64>,
    /// Tied: (means − shift)·U, k×d.
    nu: Vec<f64>,
    /// ln wₖ + ln det Uₖ − ½·d·ln 2π.
    constant: Vec<f64>,
}

impl Model {
    fn new(p: &Params, ct: CovarianceType, k: usize, d: usize, shift: Vec<f64>) -> Self {
        let centers: Vec<f64> =
            p.means.chunks_exact(d).flat_map(|m| m.iter().zip(&shift).map(|(a, s)| a - s)).collect();
        let chol = &p.precisions_cholesky;
        let log_det: Vec<f64> = match ct {
            CovarianceType::Full => chol.chunks_exact(d * d).map(|u| (0..d).map(|i| u[i * d + i].ln()).sum()).collect(),
            CovarianceType::Tied => vec![(0..d).map(|i| chol[i * d + i].ln()).sum(); k],
            CovarianceType::Diag => chol.chunks_exact(d).map(|u| u.iter().map(|v| v.ln()).sum()).collect(),
            CovarianceType::Spherical => chol.iter().map(|v| d as f64 * v.ln()).collect(),
        };
        let half_log_2pi = 0.5 * d as f64 * (2.0 * std::f64::consts::PI).ln();
        let constant = (0..k).map(|j| p.weights[j].ln() + log_det[j] - half_log_2pi).collect();
        let w = if k > 8 {
            16
        } else if k > 4 {
            8
        } else {
            4
        };
        let kp = k.div_ceil(w) * w;
        let transpose = |a: &[f64], rows: usize| {
            let mut t = vec![0.0; rows * kp];
            for j in 0..k {
                for f in 0..rows {
                    t[f * kp + j] = a[j * rows + f];
                }
            }
            t
        };
        let (centers, chol, nu) = match ct {
            CovarianceType::Tied => {
                let mut nu = vec![0.0; k * d];
                for j in 0..k {
                    upper_product(&centers[j * d..(j + 1) * d], chol, &mut nu[j * d..(j + 1) * d]);
                }
                (centers, chol.clone(), nu)
            }
            CovarianceType::Diag => (transpose(&centers, d), transpose(chol, d), Vec::new()),
            CovarianceType::Spherical => {
                let mut prec = vec![0.0; kp];
                for (o, v) in prec.iter_mut().zip(chol) {
                    *o = v * v;
                }
                (transpose(&centers, d), prec, Vec::new())
            }
            CovarianceType::Full => {
                let mut packed = vec![0.0; d * (d + 1) / 2 * kp];
                for j in 0..k {
                    let u = &chol[j * d * d..(j + 1) * d * d];
                    for q in 0..d {
                        for i in 0..=q {
                            packed[(q * (q + 1) / 2 + i) * kp + j] = u[i * d + q];
                        }
                    }
                }
                (transpose(&centers, d), packed, Vec::new())
            }
        };
        Self { ct, k, d, w, kp, shift, centers, chol, nu, constant }
    }

    /// Scratch values [`Self::weighted_log_prob`] needs.
    fn scratch_len(&self) -> usize {
        self.d * self.w.max(1)
    }

    /// Weighted log-probabilities ln wⱼ + ln N(x | j) of one shifted row `x` into `out` (k).
    /// `y` is scratch of [`Self::scratch_len`] values.
    #[inline(always)]
    fn weighted_log_prob(&self, x: &[f64], out: &mut [f64], y: &mut [f64]) {
        match (self.ct, self.w) {
            (CovarianceType::Tied, _) => {
                let d = self.d;
                let y = &mut y[..d];
                upper_product(x, &self.chol, y);
                for j in 0..self.k {
                    let nu = &self.nu[j * d..(j + 1) * d];
                    let s: f64 = y.iter().zip(nu).map(|(a, b)| (a - b) * (a - b)).sum();
                    out[j] = self.constant[j] - 0.5 * s;
                }
            }
            (_, 16) => self.blocks::<16>(x, out, y),
            (_, 8) => self.blocks::<8>(x, out, y),
            _ => self.blocks::<4>(x, out, y),
        }
    }

    /// The E-step of diagonal, spherical and full components, `W` components at a time.
    #[inline(always)]
    fn blocks<const W: usize>(&self, x: &[f64], out: &mut [f64], v: &mut [f64]) {
        let (k, d, kp) = (self.k, self.d, self.kp);
        let block = |a: &[f64], at: usize| -> [f64; W] { a[at..at + W].try_into().unwrap() };
        for jb in (0..kp).step_by(W) {
            let mut acc = [0.0f64; W];
            match self.ct {
                CovarianceType::Diag => {
                    for (f, &xf) in x.iter().enumerate() {
                        let (c, p) = (block(&self.centers, f * kp + jb), block(&self.chol, f * kp + jb));
                        for l in 0..W {
                            let t = (xf - c[l]) * p[l];
                            acc[l] += t * t;
                        }
                    }
                }
                CovarianceType::Spherical => {
                    for (f, &xf) in x.iter().enumerate() {
                        let c = block(&self.centers, f * kp + jb);
                        for l in 0..W {
                            let t = xf - c[l];
                            acc[l] += t * t;
                        }
                    }
                    let p = block(&self.chol, jb);
                    for l in 0..W {
                        acc[l] *= p[l];
                    }
                }
                CovarianceType::Full => {
                    // v[i] = xᵢ − cᵢ per component; y_q = Σ_{i ≤ q} vᵢ·U[i, q]; acc = Σ y_q².
                    let v = &mut v[..d * W];
                    for (i, &xi) in x.iter().enumerate() {
                        let c = block(&self.centers, i * kp + jb);
                        for l in 0..W {
                            v[i * W + l] = xi - c[l];
                        }
                    }
                    let mut at = 0;
                    for q in 0..d {
                        let mut y = [0.0f64; W];
                        for i in 0..=q {
                            let u = block(&self.chol, at * kp + jb);
                            let vi = block(v, i * W);
                            for l in 0..W {
                                y[l] += vi[l] * u[l];
                            }
                            at += 1;
                        }
                        for l in 0..W {
                            acc[l] += y[l] * y[l];
                        }
                    }
                }
                CovarianceType::Tied => unreachable!("tied components are not blocked"),
            }
            for (l, &a) in acc.iter().enumerate().take(k.saturating_sub(jb)) {
                out[jb + l] = self.constant[jb + l] - 0.5 * a;
            }
        }
    }

    /// Row `x` (data type) shifted, in f64, into `out`.
    #[inline(always)]
    fn shifted<T: Float>(&self, x: &[T], out: &mut [f64]) {
        for ((o, &v), s) in out.iter_mut().zip(x).zip(&self.shift) {
            *o = v.as_f64() - s;
        }
    }
}

/// `out = x·U` for an upper-triangular d×d `u`.
#[inline(always)]
fn upper_product(x: &[f64], u: &[f64], out: &mut [f64]) {
    let d = x.len();
    out.fill(0.0);
    for i in 0..d {
        let v = x[i];
        for (o, &uu) in out[i..].iter_mut().zip(&u[i * d + i..(i + 1) * d]) {
            *o += v * uu;
        }
    }
}

/// ln Σ exp(v) (−∞ when every value is −∞); `e` is scratch of v's length.
#[inline(always)]
fn log_sum_exp(v: &[f64], e: &mut [f64]) -> f64 {
    let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    e.copy_from_slice(v);
    exp_shifted(e, m);
    m + e.iter().sum::<f64>().ln()
}

/// Per-chunk sums of one pass: Σ w·ln p(x), and per component the M-step statistics
/// [Σ r, Σ r·x (d), second moments (n_second)] with r = w·responsibility.
struct Partial {
    log_lik: f64,
    stats: Vec<f64>,
}

/// Where a pass gets the responsibilities from.
enum Resp<'a> {
    /// Computed from the model (the E-step).
    Model(&'a Model),
    /// Given (initialisation), n×k.
    Given { resp: &'a [f64], shift: &'a [f64], k: usize },
}

struct PassChunk<'a, T> {
    x: MatRef<'a, T>,
    w: &'a [T],
    rows: std::ops::Range<usize>,
    resp: &'a Resp<'a>,
    ct: CovarianceType,
}

impl<T: Float> Vectorize for PassChunk<'_, T> {
    type Out = Partial;

    #[inline(always)]
    fn run(self) -> Partial {
        let d = self.x.cols();
        let k = match self.resp {
            Resp::Model(m) => m.k,
            Resp::Given { k, .. } => *k,
        };
        let n2 = self.ct.n_second(d);
        let stride = 1 + d + n2;
        let mut stats = vec![0.0; k * stride];
        let mut log_lik = 0.0;
        let scratch = match self.resp {
            Resp::Model(m) => m.scratch_len(),
            Resp::Given { .. } => 0,
        };
        let (mut xr, mut y, mut lp, mut second) = (vec![0.0; d], vec![0.0; scratch], vec![0.0; k], vec![0.0; n2]);
        for i in self.rows.clone() {
            let wi = self.w[i].as_f64();
            match self.resp {
                Resp::Model(m) => {
                    m.shifted(self.x.row(i), &mut xr);
                    m.weighted_log_prob(&xr, &mut lp, &mut y);
                    // Responsibilities exp(lpⱼ − m) / Σ exp(lp − m): one exp per component.
                    let m = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    if !m.is_finite() {
                        // Every density underflowed (or a weight is zero everywhere):
                        // scikit-learn's NaN/−∞ propagate the same way.
                        log_lik += wi * m;
                        for v in lp.iter_mut() {
                            *v = wi * (*v - m).exp();
                        }
                    } else {
                        exp_shifted(&mut lp, m);
                        let sum: f64 = lp.iter().sum();
                        log_lik += wi * (m + sum.ln());
                        let scale = wi / sum;
                        for v in lp.iter_mut() {
                            *v *= scale;
                        }
                    }
                }
                Resp::Given { resp, shift, .. } => {
                    for ((o, &v), s) in xr.iter_mut().zip(self.x.row(i)).zip(shift.iter()) {
                        *o = v.as_f64() - s;
                    }
                    for (v, &r) in lp.iter_mut().zip(&resp[i * k..(i + 1) * k]) {
                        *v = wi * r;
                    }
                }
            }
            if wi == 0.0 {
                continue;
            }
            match self.ct {
                CovarianceType::Full => {
                    let mut p = 0;
                    for a in 0..d {
                        for b in a..d {
                            second[p] = xr[a] * xr[b];
                            p += 1;
                        }
                    }
                }
                CovarianceType::Diag | CovarianceType::Spherical => {
                    for (s, v) in second.iter_mut().zip(&xr) {
                        *s = v * v;
                    }
                }
                CovarianceType::Tied => {}
            }
            for (j, &r) in lp.iter().enumerate() {
                if r == 0.0 {
                    continue;
                }
                let st = &mut stats[j * stride..(j + 1) * stride];
                st[0] += r;
                for (s, &v) in st[1..1 + d].iter_mut().zip(&xr) {
                    *s += r * v;
                }
                for (s, &v) in st[1 + d..].iter_mut().zip(&second) {
                    *s += r * v;
                }
            }
        }
        Partial { log_lik, stats }
    }
}

/// Data-dependent constants of a fit: the weighted mean (the shift), the total weight, and
/// for tied covariances the total scatter Σ w·(x − m)(x − m)ᵀ.
struct DataSummary {
    shift: Vec<f64>,
    total_weight: f64,
    scatter: Vec<f64>,
}

fn summarize<T: Float>(x: MatRef<'_, T>, w: &[T], ct: CovarianceType, pool: &rayon::ThreadPool) -> DataSummary {
    let d = x.cols();
    let plan = ChunkPlan::balanced(x.rows(), 8 * (d + 1));
    let parts = parallel::map_chunks(pool, plan, |rows| {
        let mut s = vec![0.0; d + 1];
        for i in rows {
            let wi = w[i].as_f64();
            s[d] += wi;
            for (a, &v) in s[..d].iter_mut().zip(x.row(i)) {
                *a += wi * v.as_f64();
            }
        }
        s
    });
    let mut tot = vec![0.0; d + 1];
    for p in &parts {
        for (a, b) in tot.iter_mut().zip(p) {
            *a += b;
        }
    }
    let total_weight = tot[d];
    let shift: Vec<f64> = tot[..d].iter().map(|s| s / total_weight).collect();
    let scatter = if ct == CovarianceType::Tied {
        let plan = ChunkPlan::balanced(x.rows(), 8 * d * d);
        let parts = parallel::map_chunks(pool, plan, |rows| {
            let mut s = vec![0.0; d * d];
            let mut xr = vec![0.0; d];
            for i in rows {
                let wi = w[i].as_f64();
                for ((o, &v), m) in xr.iter_mut().zip(x.row(i)).zip(&shift) {
                    *o = v.as_f64() - m;
                }
                for a in 0..d {
                    let wa = wi * xr[a];
                    for b in a..d {
                        s[a * d + b] += wa * xr[b];
                    }
                }
            }
            s
        });
        let mut s = vec![0.0; d * d];
        for p in &parts {
            for (a, b) in s.iter_mut().zip(p) {
                *a += b;
            }
        }
        for a in 0..d {
            for b in 0..a {
                s[a * d + b] = s[b * d + a];
            }
        }
        s
    } else {
        Vec::new()
    };
    DataSummary { shift, total_weight, scatter }
}

/// One pass: the partial sums of every chunk, added up in chunk order.
fn pass<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    resp: &Resp<'_>,
    ct: CovarianceType,
    k: usize,
    pool: &rayon::ThreadPool,
) -> Partial {
    let d = x.cols();
    let stride = 1 + d + ct.n_second(d);
    let plan = ChunkPlan::balanced(x.rows(), 8 * k * stride);
    let parts = parallel::map_chunks(pool, plan, |rows| with_avx2(PassChunk { x, w, rows, resp, ct }));
    let mut total = Partial { log_lik: 0.0, stats: vec![0.0; k * stride] };
    for p in &parts {
        total.log_lik += p.log_lik;
        for (a, b) in total.stats.iter_mut().zip(&p.stats) {
            *a += b;
        }
    }
    total
}

/// scikit-learn's `_estimate_gaussian_parameters` from the summed statistics: masses
/// (Σ r + 10·eps), means and covariances (with `reg_covar` on the diagonal).
fn m_step(
    stats: &[f64],
    k: usize,
    d: usize,
    ct: CovarianceType,
    reg_covar: f64,
    data: &DataSummary,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let stride = 1 + d + ct.n_second(d);
    let eps10 = 10.0 * f64::EPSILON;
    let m = &data.shift;
    let mut nk = vec![0.0; k];
    let mut means = vec![0.0; k * d];
    // aⱼ = meanⱼ − m = (S1ⱼ − 10·eps·m) / nkⱼ, without cancellation.
    let mut a = vec![0.0; k * d];
    for j in 0..k {
        let st = &stats[j * stride..(j + 1) * stride];
        let s0 = st[0];
        nk[j] = s0 + eps10;
        for f in 0..d {
            means[j * d + f] = (st[1 + f] + s0 * m[f]) / nk[j];
            a[j * d + f] = (st[1 + f] - eps10 * m[f]) / nk[j];
        }
    }
    let covariances = match ct {
        CovarianceType::Full => {
            // Σ r (x − μ)(x − μ)ᵀ = S2 − S1·aᵀ − a·S1ᵀ + s0·a·aᵀ (all about m).
            let mut cov = vec![0.0; k * d * d];
            for j in 0..k {
                let st = &stats[j * stride..(j + 1) * stride];
                let (s0, s1, s2) = (st[0], &st[1..1 + d], &st[1 + d..]);
                let aj = &a[j * d..(j + 1) * d];
                let c = &mut cov[j * d * d..(j + 1) * d * d];
                let mut p = 0;
                for r in 0..d {
                    for q in r..d {
                        let v = (s2[p] - s1[r] * aj[q] - aj[r] * s1[q] + s0 * aj[r] * aj[q]) / nk[j];
                        c[r * d + q] = v;
                        c[q * d + r] = v;
                        p += 1;
                    }
                    c[r * d + r] += reg_covar;
                }
            }
            cov
        }
        CovarianceType::Diag | CovarianceType::Spherical => {
            let mut cov = vec![0.0; k * d];
            for j in 0..k {
                let st = &stats[j * stride..(j + 1) * stride];
                let (s0, s1, s2) = (st[0], &st[1..1 + d], &st[1 + d..]);
                for f in 0..d {
                    let af = a[j * d + f];
                    cov[j * d + f] = (s2[f] - 2.0 * af * s1[f] + s0 * af * af) / nk[j] + reg_covar;
                }
            }
            if ct == CovarianceType::Spherical {
                cov.chunks_exact(d).map(|c| c.iter().sum::<f64>() / d as f64).collect()
            } else {
                cov
            }
        }
        CovarianceType::Tied => {
            // scikit-learn: (Σ w·x·xᵀ − Σ nk·μ·μᵀ) / Σ nk. About m, with u = Σ nk·a:
            // S_tot − Σ nk·a·aᵀ + (W − Σ nk)·m·mᵀ − u·mᵀ − m·uᵀ, where the last three terms
            // vanish in EM (responsibilities summing to one) but not for a one-hot start.
            let sum_nk: f64 = nk.iter().sum();
            let mut u = vec![0.0; d];
            for j in 0..k {
                for f in 0..d {
                    u[f] += nk[j] * a[j * d + f];
                }
            }
            let sum_s0: f64 = (0..k).map(|j| stats[j * stride]).sum();
            let excess = (data.total_weight - sum_s0) - k as f64 * eps10;
            let mut cov = data.scatter.clone();
            for r in 0..d {
                for q in 0..d {
                    let mut v = cov[r * d + q];
                    for j in 0..k {
                        v -= nk[j] * a[j * d + r] * a[j * d + q];
                    }
                    v += excess * m[r] * m[q] - u[r] * m[q] - m[r] * u[q];
                    cov[r * d + q] = v / sum_nk;
                }
                cov[r * d + r] += reg_covar;
            }
            cov
        }
    };
    (nk, means, covariances)
}

fn check_data<T: Float>(x: MatRef<'_, T>, w: &[T], k: usize, pool: &rayon::ThreadPool) -> Result<()> {
    if x.rows() == 0 {
        return Err(ClustorError::EmptyInput(x.rows(), x.cols()));
    }
    if x.cols() == 0 {
        return Err(ClustorError::NoFeatures(x.rows()));
    }
    if !crate::kmeans::all_finite(x.data(), pool) {
        return Err(ClustorError::NotFinite("X"));
    }
    check_weights(w, x.rows())?;
    if k == 0 {
        return Err(ClustorError::InvalidParameter { name: "n_components", reason: "must be >= 1".into() });
    }
    Ok(())
}

fn check_params(p: &Params, ct: CovarianceType, k: usize, d: usize) -> Result<()> {
    let shape = |name: &'static str, got: usize, expected: usize| {
        if got == expected {
            Ok(())
        } else {
            Err(ClustorError::ShapeMismatch { name, got, expected, shape: format!("{k} components × {d} features") })
        }
    };
    shape("weights", p.weights.len(), k)?;
    shape("means", p.means.len(), k * d)?;
    shape("precisions_cholesky", p.precisions_cholesky.len(), ct.cov_len(k, d))?;
    if !(p.means.iter().chain(&p.precisions_cholesky).all(|v| v.is_finite())) {
        return Err(ClustorError::NotFinite("initial parameters"));
    }
    Ok(())
}

/// scikit-learn's M-step from given responsibilities `resp` (n×k, rows of X weighted by
/// `w`): returns (masses Σ w·r + 10·eps, means, covariances). The initialisation of a fit.
pub fn estimate_parameters<T: Float>(
    x: MatRef<'_, T>,
    w: &[T],
    resp: &[f64],
    k: usize,
    ct: CovarianceType,
    reg_covar: f64,
    n_threads: usize,
) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let pool = parallel::pool(n_threads)?;
    check_data(x, w, k, &pool)?;
    if resp.len() != x.rows() * k {
        return Err(ClustorError::ShapeMismatch {
            name: "resp",
            got: resp.len(),
            expected: x.rows() * k,
            shape: format!("({}, {k})", x.rows()),
        });
    }
    let data = summarize(x, w, ct, &pool);
    let given = Resp::Given { resp, shift: &data.shift, k };
    let total = pass(x, w, &given, ct, k, &pool);
    Ok(m_step(&total.stats, k, x.cols(), ct, reg_covar, &data))
}

/// Runs EM from `init` (weights, means and precision factors; its covariances are
/// returned unchanged when `max_iter` is 0).
pub fn fit<T: Float>(x: MatRef<'_, T>, w: &[T], init: &Params, cfg: &Config, mon: &dyn Monitor) -> Result<Fit> {
    let (k, d, ct) = (init.weights.len(), x.cols(), cfg.covariance_type);
    let pool = parallel::pool(cfg.n_threads)?;
    check_data(x, w, k, &pool)?;
    check_params(init, ct, k, d)?;
    let data = summarize(x, w, ct, &pool);
    let mut params = init.clone();
    let mut lower_bound = cfg.initial_lower_bound;
    let mut lower_bounds = Vec::new();
    let mut converged = false;
    let mut n_iter = 0;
    let mut clock = std::time::Instant::now();
    for it in 1..=cfg.max_iter {
        mon.check()?;
        let model = Model::new(&params, ct, k, d, data.shift.clone());
        let total = pass(x, w, &Resp::Model(&model), ct, k, &pool);
        let new_bound = total.log_lik / data.total_weight;
        let (nk, means, covariances) = m_step(&total.stats, k, d, ct, cfg.reg_covar, &data);
        let precisions_cholesky = precisions_cholesky(&covariances, ct, k, d)?;
        let sum_nk: f64 = nk.iter().sum();
        let weights = nk.iter().map(|v| v / sum_nk).collect();
        params = Params { weights, means, covariances, precisions_cholesky };
        let change = new_bound - lower_bound;
        lower_bound = new_bound;
        lower_bounds.push(new_bound);
        n_iter = it;
        if cfg.verbose > 0 && it % cfg.verbose_interval.max(1) == 0 {
            if cfg.verbose == 1 {
                mon.log(&format!("  Iteration {it}"));
            } else {
                let now = std::time::Instant::now();
                let lapse = now.duration_since(clock).as_secs_f64();
                clock = now;
                mon.log(&format!("  Iteration {it}\t time lapse {lapse:.5}s\t ll change {change:.5}"));
            }
        }
        if change.abs() < cfg.tol {
            converged = true;
            break;
        }
    }
    Ok(Fit { params, lower_bounds, converged, n_iter })
}

/// Rows `rows` of [`log_prob_resp`]: ln p(x) into `norm`, log-responsibilities into
/// `log_resp` (k per row).
struct LogRespChunk<'a, T> {
    x: MatRef<'a, T>,
    model: &'a Model,
    rows: std::ops::Range<usize>,
    norm: &'a mut [f64],
    log_resp: &'a mut [f64],
}

impl<T: Float> Vectorize for LogRespChunk<'_, T> {
    type Out = ();

    #[inline(always)]
    fn run(self) {
        let (model, k) = (self.model, self.model.k);
        let (mut xr, mut y, mut e) = (vec![0.0; model.d], vec![0.0; model.scratch_len()], vec![0.0; k]);
        for (r, i) in self.rows.enumerate() {
            model.shifted(self.x.row(i), &mut xr);
            let lp = &mut self.log_resp[r * k..(r + 1) * k];
            model.weighted_log_prob(&xr, lp, &mut y);
            let lse = log_sum_exp(lp, &mut e);
            self.norm[r] = lse;
            for v in lp.iter_mut() {
                *v -= lse;
            }
        }
    }
}

/// Per-row ln p(x) (n) and log-responsibilities (n×k) under `params`.
pub fn log_prob_resp<T: Float>(
    x: MatRef<'_, T>,
    params: &Params,
    ct: CovarianceType,
    n_threads: usize,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let (k, d, n) = (params.weights.len(), x.cols(), x.rows());
    let pool = parallel::pool(n_threads)?;
    check_params(params, ct, k, d)?;
    if !crate::kmeans::all_finite(x.data(), &pool) {
        return Err(ClustorError::NotFinite("X"));
    }
    // Rows about the means' centroid: only the tied form expands the product.
    let mut shift = vec![0.0; d];
    for m in params.means.chunks_exact(d.max(1)) {
        for (s, v) in shift.iter_mut().zip(m) {
            *s += v / k as f64;
        }
    }
    let model = Model::new(params, ct, k, d, shift);
    let mut norm = vec![0.0; n];
    let mut log_resp = vec![0.0; n * k];
    let plan = ChunkPlan::new(n, 0);
    parallel::map_chunks_mut2(&pool, plan, &mut norm, 1, &mut log_resp, k, |rows, cn, cr| {
        with_avx2(LogRespChunk { x, model: &model, rows, norm: cn, log_resp: cr })
    });
    Ok((norm, log_resp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Silent;

    fn cfg(ct: CovarianceType, max_iter: usize, n_threads: usize) -> Config {
        Config {
            covariance_type: ct,
            reg_covar: 1e-6,
            tol: 0.0,
            max_iter,
            initial_lower_bound: f64::NEG_INFINITY,
            n_threads,
            verbose: 0,
            verbose_interval: 10,
        }
    }

    #[test]
    fn one_component_1d_by_hand() {
        // x = 0, 1, 2, 3: mean 1.5, variance 1.25 (+ reg).
        let x = [0.0, 1.0, 2.0, 3.0];
        let xv = MatRef::new("X", &x, 4, 1).unwrap();
        let w = [1.0; 4];
        let resp = [1.0; 4];
        for ct in [CovarianceType::Full, CovarianceType::Tied, CovarianceType::Diag, CovarianceType::Spherical] {
            let (nk, means, cov) = estimate_parameters(xv, &w, &resp, 1, ct, 0.0, 1).unwrap();
            assert!((nk[0] - 4.0).abs() < 1e-14);
            assert!((means[0] - 1.5).abs() < 1e-14);
            assert!((cov[0] - 1.25).abs() < 1e-14, "{ct:?} {cov:?}");
        }
        // EM with one component converges in one step to the same; the lower bound of the
        // second iteration is the Gaussian log-likelihood at the MLE: −½(ln(2π·1.25) + 1).
        let chol = precisions_cholesky(&[1.25], CovarianceType::Full, 1, 1).unwrap();
        let init = Params { weights: vec![1.0], means: vec![1.5], covariances: vec![1.25], precisions_cholesky: chol };
        let mut c = cfg(CovarianceType::Full, 2, 1);
        c.reg_covar = 0.0;
        let f = fit(xv, &w, &init, &c, &Silent).unwrap();
        let want = -0.5 * ((2.0 * std::f64::consts::PI * 1.25).ln() + 1.0);
        assert!((f.lower_bounds[1] - want).abs() < 1e-14, "{:?}", f.lower_bounds);
    }

    #[test]
    fn threads_do_not_change_results() {
        let mut r = crate::rng::Rng::new(3);
        let (n, d, k) = (3000, 3, 4);
        let x: Vec<f64> = (0..n * d).map(|i| r.uniform() + (i % 7) as f64).collect();
        let w: Vec<f64> = (0..n).map(|_| 1.0 + r.uniform()).collect();
        let xv = MatRef::new("X", &x, n, d).unwrap();
        for ct in [CovarianceType::Full, CovarianceType::Tied, CovarianceType::Diag, CovarianceType::Spherical] {
            let resp: Vec<f64> = (0..n * k).map(|i| if i % k == (i / k) % k { 1.0 } else { 0.0 }).collect();
            let (nk, means, cov) = estimate_parameters(xv, &w, &resp, k, ct, 1e-6, 1).unwrap();
            let chol = precisions_cholesky(&cov, ct, k, d).unwrap();
            let s: f64 = nk.iter().sum();
            let init = Params {
                weights: nk.iter().map(|v| v / s).collect(),
                means,
                covariances: cov,
                precisions_cholesky: chol,
            };
            let a = fit(xv, &w, &init, &cfg(ct, 5, 1), &Silent).unwrap();
            let b = fit(xv, &w, &init, &cfg(ct, 5, 2), &Silent).unwrap();
            assert_eq!(a.params, b.params);
            assert_eq!(a.lower_bounds, b.lower_bounds);
            assert!(a.lower_bounds.windows(2).all(|p| p[1] >= p[0] - 1e-12), "{ct:?} {:?}", a.lower_bounds);
        }
    }

    #[test]
    fn collapsed_covariance_is_an_error() {
        assert_eq!(
            precisions_cholesky(&[1.0, 1.0, 1.0, 1.0], CovarianceType::Tied, 1, 2).unwrap_err(),
            ClustorError::IllDefinedCovariance
        );
        assert_eq!(
            precisions_cholesky(&[0.0], CovarianceType::Diag, 1, 1).unwrap_err(),
            ClustorError::IllDefinedCovariance
        );
    }
}
