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
    if isinstance(n, bool) or not isinstance(n, (int,)) and not hasattr(n, "__index__"):
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


def get_num_threads(n_threads: int | None = None) -> int:
    """The thread count a kernel call will use, following the order in the module docstring."""
    if n_threads is not None:
        return _check_count(n_threads, "n_threads")
    for candidate in (
        getattr(_local, "n", None),
        _threadpoolctl_limit,
        _env_count("CLUSTOR_NUM_THREADS"),
        _env_count("OMP_NUM_THREADS"),
    ):
        if candidate is not None:
            return candidate
    return _cpu_count()


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

        def get_num_threads(self) -> int:
            return get_num_threads()

        def set_num_threads(self, num_threads: int | None) -> None:
            global _threadpoolctl_limit
            _threadpoolctl_limit = None if num_threads is None else max(1, int(num_threads))

        def get_version(self) -> str:
            from . import __version__

            return __version__

        def set_additional_attributes(self) -> None:
            pass

    threadpoolctl.register(ClustorController)
