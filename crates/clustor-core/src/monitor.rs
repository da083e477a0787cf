//! How a long computation reports progress and learns that it should stop.

use crate::error::Result;

/// Polled between iterations (and between chunks of long steps).
///
/// The Python binding implements it by briefly taking the GIL to run pending signal
/// handlers, so that Ctrl-C ends a fit within about one iteration.
pub trait Monitor: Sync {
    /// Returns `Err(ClustorError::Interrupted)` when the caller wants the computation to stop.
    fn check(&self) -> Result<()>;
    /// Prints a progress line (used when `verbose` is on).
    fn log(&self, _msg: &str) {}
}

/// A monitor that never interrupts and prints nothing (Rust tests, benchmarks).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Monitor for Silent {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}
