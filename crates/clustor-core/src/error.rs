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
    let mut v = Vec::new();
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    v.try_reserve_exact(len).map_err(|_| ClustorError::OutOfMemory {
        what: what.to_string(),
        bytes,
        advice: advice.to_string(),
    })?;
    v.resize(len, value);
    Ok(v)
}
