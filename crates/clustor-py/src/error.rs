//! Core errors → Python exceptions, and the monitor that lets Ctrl-C stop a fit.

use std::sync::Mutex;

use clustor_core::{ClustorError, Monitor};
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// Polls Python's signal handlers between iterations; remembers the exception they raised
/// (or that a Python callback raised: [`PyMonitor::fail`]).
#[derive(Default)]
pub struct PyMonitor {
    raised: Mutex<Option<PyErr>>,
}

impl Monitor for PyMonitor {
    fn check(&self) -> clustor_core::Result<()> {
        Python::attach(|py| py.check_signals()).map_err(|e| {
            *self.raised.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            ClustorError::Interrupted
        })
    }

    fn log(&self, msg: &str) {
        Python::attach(|py| {
            // Printing through Python keeps verbose output in sys.stdout (and capturable).
            let _ = py.import("builtins").and_then(|b| b.getattr("print")?.call1((msg,)).map(|_| ()));
        });
    }
}

impl PyMonitor {
    /// Remembers an exception raised by Python code the core called back (a user's `init`
    /// callable) and returns the error that stops the core: [`Self::into_pyerr`] raises it.
    pub fn fail(&self, e: PyErr) -> ClustorError {
        *self.raised.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        ClustorError::Interrupted
    }

    /// Turns a core error into the Python exception to raise.
    pub fn into_pyerr(self, e: ClustorError) -> PyErr {
        match e {
            ClustorError::Interrupted => self
                .raised
                .into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .unwrap_or_else(|| PyRuntimeError::new_err("interrupted")),
            other => to_pyerr(other),
        }
    }
}

/// Maps a core error to ValueError (bad input), MemoryError or RuntimeError.
pub fn to_pyerr(e: ClustorError) -> PyErr {
    let msg = e.to_string();
    match e {
        ClustorError::OutOfMemory { .. } => PyMemoryError::new_err(msg),
        ClustorError::ThreadPool(..) | ClustorError::Interrupted => PyRuntimeError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}
