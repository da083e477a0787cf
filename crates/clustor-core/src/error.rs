//! The one error type of the core: a variant per rule, mapped 1:1 to Python exceptions.

use thiserror::Error;

/// Everything that can go wrong in the core. No core function panics on bad input.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ClustorError {
    /// A buffer does not have the length its shape requires.
    #[error("{name} has {got} values, expected {expected} ({shape})")]
    ShapeMismatch {
        /// Which argument.
        name: &'static str,
        /// Length found.
        got: usize,
        /// Length required.
        expected: usize,
        /// The shape, spelled out.
        shape: String,
    },
    /// Empty data where at least one sample is needed.
    #[error("Found array with 0 sample(s) (shape=({0}, {1})) while a minimum of 1 is required")]
    EmptyInput(usize, usize),
    /// Zero features.
    #[error("Found array with 0 feature(s) (shape=({0}, 0)) while a minimum of 1 is required")]
    NoFeatures(usize),
    /// A non-finite value in data the algorithm needs finite.
    #[error("Input {0} contains NaN or infinity")]
    NotFinite(&'static str),
    /// n_clusters larger than the number of samples.
    #[error("n_samples={n_samples} should be >= n_clusters={n_clusters}")]
    TooManyClusters {
        /// Number of samples.
        n_samples: usize,
        /// Number of clusters asked for.
        n_clusters: usize,
    },
    /// A parameter outside its valid range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// What is wrong and what to change.
        reason: String,
    },
    /// Sample weights that cannot be used (negative, or all zero).
    #[error("{0}")]
    InvalidWeights(String),
    /// A requested buffer does not fit in memory.
    #[error("{what} needs {bytes} bytes, which cannot be allocated; {advice}")]
    OutOfMemory {
        /// What was being allocated.
        what: String,
        /// How many bytes were asked for.
        bytes: usize,
        /// What to do instead.
        advice: String,
    },
    /// The worker pool could not be started.
    #[error("could not start a pool of {0} threads: {1}")]
    ThreadPool(usize, String),
    /// The caller asked to stop (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
    /// A mixture component's covariance is not positive definite (scikit-learn's message).
    #[error(
        "Fitting the mixture model failed because some components have ill-defined empirical \
         covariance (for instance caused by singleton or collapsed samples). Try to decrease the \
         number of components, increase reg_covar, or scale the input data."
    )]
    IllDefinedCovariance,
}

/// Result alias of the core.
pub type Result<T> = std::result::Result<T, ClustorError>;

/// Reserves `len` elements, turning an allocation failure into [`ClustorError::OutOfMemory`].
pub fn try_vec<T: Clone>(len: usize, value: T, what: &str, advice: &str) -> Result<Vec<T>> {
    try_vec_paged(len, value, what, advice, false)
}

/// [`try_vec`] for a large buffer read with little locality (a condensed distance matrix read
/// by columns): asks the OS to back it with huge pages where it can (Linux transparent huge
/// pages in `madvise` mode), so that scattered reads do not miss the TLB on every element.
pub fn try_vec_huge<T: Clone>(len: usize, value: T, what: &str, advice: &str) -> Result<Vec<T>> {
    try_vec_paged(len, value, what, advice, true)
}

fn try_vec_paged<T: Clone>(len: usize, value: T, what: &str, advice: &str, huge: bool) -> Result<Vec<T>> {
    let mut v: Vec<T> = Vec::new();
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    v.try_reserve_exact(len).map_err(|_| ClustorError::OutOfMemory {
        what: what.to_string(),
        bytes,
        advice: advice.to_string(),
    })?;
    if huge {
        // Before the first write, so that the pages are huge from the first fault.
        advise_huge_pages(v.as_mut_ptr().cast(), bytes);
    }
    v.resize(len, value);
    Ok(v)
}

/// Hints that `bytes` from `ptr` be backed by transparent huge pages (a no-op where there
/// are none, or for buffers under 4 MiB).
fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    {
        use std::os::raw::{c_int, c_void};
        const PAGE: usize = 4096;
        const MADV_HUGEPAGE: c_int = 14;
        extern "C" {
            fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
        }
        if bytes < 4 << 20 {
            return;
        }
        let start = (ptr as usize).div_ceil(PAGE) * PAGE;
        let end = (ptr as usize + bytes) / PAGE * PAGE;
        // SAFETY: the range lies inside an allocation this process owns; MADV_HUGEPAGE only
        // changes how the kernel backs it, never its contents. Failure (no THP) is harmless.
        unsafe {
            madvise(start as *mut c_void, end - start, MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, bytes);
}
