"""How many threads the Rust kernels use.

First match wins:

1. an ``n_threads`` argument, where an estimator or function has one;
2. :func:`set_num_threads` / ``with num_threads(n):`` (per thread of the caller);
3. a :mod:`threadpoolctl` limit (clustor registers a controller with threadpoolctl);
4. the ``CLUSTOR_NUM_THREADS`` environment variable;
5. the ``OMP_NUM_THREADS`` environment variable;
6. all logical CPUs.

Worker pools are started on first use, never at import, and a forked child starts its own.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

__all__ = ["get_num_threads", "num_threads", "set_num_threads"]

_local = threading.local()
# Set by the threadpoolctl controller (process-wide, like other threadpoolctl limits).
_threadpoolctl_limit: int | None = None


def _cpu_count() -> int:
    from . import _core

    return int(_core.available_threads())


def _check_count(n: object, name: str) -> int:
    if isinstance(n, bool) or (not isinstance(n, int) and not hasattr(n, "__index__")):
        raise TypeError(f"{name} must be an int >= 1 or None, got {n!r}")
    n = int(n)  # type: ignore[call-overload]
    if n == -1:
        return _cpu_count()
    if n < 1:
        raise ValueError(f"{name} must be >= 1 (or -1 for all CPUs), got {n}")
    return n


def _env_count(var: str) -> int | None:
    raw = os.environ.get(var, "").strip()
    if not raw:
        return None
    try:
        n = int(raw.split(",")[0])
    except ValueError:
        return None
    return n if n >= 1 else None


def set_num_threads(n: int | None) -> None:
    """Set the number of threads clustor uses in this (Python) thread; None resets."""
    _local.n = None if n is None else _check_count(n, "n")


@contextlib.contextmanager
def num_threads(n: int | None) -> Iterator[None]:
    """Context manager: ``with clustor.num_threads(2): est.fit(X)``."""
    previous = getattr(_local, "n", None)
    set_num_threads(n)
    try:
        yield
    finally:
        _local.n = previous


def _process_count() -> int:
    """The count that applies when no ``n_threads`` and no per-thread setting is given."""
    for candidate in (
        _threadpoolctl_limit,
        _env_count("CLUSTOR_NUM_THREADS"),
        _env_count("OMP_NUM_THREADS"),
    ):
        if candidate is not None:
            return candidate
    return _cpu_count()


def get_num_threads(n_threads: int | None = None) -> int:
    """The thread count a kernel call will use, following the order in the module docstring."""
    if n_threads is not None:
        return _check_count(n_threads, "n_threads")
    local = getattr(_local, "n", None)
    return local if local is not None else _process_count()


def _set_threadpoolctl_limit(n: int | None) -> None:
    global _threadpoolctl_limit
    _threadpoolctl_limit = None
    if n is not None and int(n) != _process_count():
        _threadpoolctl_limit = max(1, int(n))


def _is_own_library(filepath: str | None) -> bool:
    from . import _core

    if not filepath:
        return False
    return os.path.realpath(filepath) == os.path.realpath(_core.__file__)


def _register_threadpoolctl() -> None:
    """Make ``threadpoolctl.threadpool_limits(n)`` limit clustor too (when installed)."""
    try:
        import threadpoolctl
    except ImportError:
        return
    if not hasattr(threadpoolctl, "register") or not hasattr(threadpoolctl, "LibController"):
        return

    class ClustorController(threadpoolctl.LibController):
        user_api = "clustor"
        internal_api = "clustor"
        filename_prefixes = ("_core",)
        # threadpoolctl matches loaded libraries by file-name prefix, then keeps a match only
        # if its handle has one of these symbols. Every extension module named ``_core``
        # exports PyInit__core (SciPy's highspy has one), so set_additional_attributes hides
        # the handle of any file that is not clustor's own.
        check_symbols = ("PyInit__core",)

        def set_additional_attributes(self) -> None:
            if not _is_own_library(self.filepath):
                self.dynlib = None

        def get_num_threads(self) -> int:
            # Process-wide, like every threadpoolctl limit: a per-thread setting from
            # set_num_threads() is not reported, else threadpoolctl would restore it as a
            # process-wide limit when a threadpool_limits() block ends.
            return _process_count()

        def set_num_threads(self, num_threads: int | None) -> None:
            # Restoring the count that applied before a limit (threadpoolctl passes it back
            # on exit) clears the limit, so CLUSTOR_NUM_THREADS/OMP_NUM_THREADS rule again.
            _set_threadpoolctl_limit(num_threads)

        def get_version(self) -> str:
            from . import __version__

            return __version__

    threadpoolctl.register(ClustorController)
