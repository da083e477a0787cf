//! The floating-point trait every kernel is generic over (implemented for f32 and f64).

use std::fmt::Debug;
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

/// f32 or f64. Kernels compute in `Self`; sums that decide reported values go through f64.
pub trait Float:
    num_traits::Float
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Default
    + Debug
    + Send
    + Sync
    + crate::distance::Tile
    + 'static
{
    /// Widens to f64 (exact).
    fn as_f64(self) -> f64;
    /// Narrows from f64 (rounds to nearest for f32).
    fn of_f64(v: f64) -> Self;
}

impl Float for f64 {
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn of_f64(v: f64) -> Self {
        v
    }
}

impl Float for f32 {
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn of_f64(v: f64) -> Self {
        v as f32
    }
}
