"""Ctrl-C stops a long fit within about a second and leaves the estimator unfitted.

The kernels run without the GIL; between iterations (and between k-means++ centers) the
core asks Python to run pending signal handlers, and stops with the exception they raise.
"""

from __future__ import annotations

import _thread
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from clustor import KMeans, kmeans_plusplus

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# Each workload runs for many seconds unless interrupted (checked: the child says FINISHED
# otherwise), with iterations short enough for the ~1 s promise.
_CHILD = """
import sys, time
import numpy as np
import clustor

kind = sys.argv[1]
rng = np.random.default_rng(0)
if kind == "kmeans++":
    X = rng.normal(size=(100_000, 32))
    est = clustor.KMeans(3000, init="k-means++", n_init=1, random_state=0)
else:
    X = rng.normal(size=(100_000, 16))
    init = X[:128].copy() if kind in ("lloyd", "elkan") else "random"
    est = clustor.KMeans(
        128, init=init, n_init=50 if kind == "random" else 1, max_iter=1_000_000, tol=0,
        algorithm="elkan" if kind == "elkan" else "lloyd", random_state=0,
    )
print("READY", flush=True)
t0 = time.perf_counter()
try:
    est.fit(X)
    print("FINISHED", time.perf_counter() - t0, flush=True)
except KeyboardInterrupt:
    print("INTERRUPTED", hasattr(est, "labels_"), hasattr(est, "cluster_centers_"), flush=True)
"""


@pytest.mark.parametrize("kind", ["lloyd", "elkan", "random", "kmeans++"])
def test_sigint_stops_a_long_fit_in_a_subprocess(kind):
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_CHILD), kind],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "READY"
        time.sleep(1.0)
        assert proc.poll() is None, "the fit ended before the signal"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert out.strip() == "INTERRUPTED False False", (out, err)
    assert proc.returncode == 0, err
    # Including the interpreter's exit.
    assert elapsed < 2.0, f"took {elapsed:.2f} s to stop"


def _interrupt_after(delay: float, how: str) -> tuple[threading.Timer, list[float]]:
    fired: list[float] = []

    def fire() -> None:
        fired.append(time.monotonic())
        if how == "interrupt_main":
            _thread.interrupt_main()
        else:
            signal.raise_signal(signal.SIGINT)

    return threading.Timer(delay, fire), fired


def _long_fit_data() -> np.ndarray:
    return np.random.default_rng(1).normal(size=(100_000, 16))  # ~20 s uninterrupted


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="main")
@pytest.mark.parametrize("how", ["interrupt_main", "raise_signal"])
def test_keyboard_interrupt_in_process(how):
    X = _long_fit_data()
    est = KMeans(128, init=X[:128].copy(), n_init=1, max_iter=1_000_000, tol=0)
    timer, fired = _interrupt_after(0.5, how)
    finished = False
    with pytest.raises(KeyboardInterrupt):
        try:
            timer.start()
            est.fit(X)
            finished = True
            time.sleep(5)  # the interrupt must land inside this block whatever happens
        finally:
            timer.cancel()
    caught = time.monotonic()
    assert not finished, "the fit ended before the interrupt"
    assert fired and caught - fired[0] < 1.0
    assert not hasattr(est, "labels_")
    assert not hasattr(est, "cluster_centers_")
    # The thread pools still work after an interrupted fit.
    small = X[:3000]
    a = KMeans(5, init=small[:5].copy(), n_init=1).fit(small)
    b = KMeans(5, init=small[:5].copy(), n_init=1, n_threads=1).fit(small)
    assert_array_equal(a.labels_, b.labels_)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="main")
def test_interrupting_kmeans_plusplus_in_process():
    X = np.random.default_rng(2).normal(size=(60_000, 32))
    timer, fired = _interrupt_after(0.3, "interrupt_main")
    done = False
    with pytest.raises(KeyboardInterrupt):
        try:
            timer.start()
            kmeans_plusplus(X, 5000, random_state=0)
            done = True
            time.sleep(5)
        finally:
            timer.cancel()
    assert not done
    assert time.monotonic() - fired[0] < 1.0


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="main")
def test_the_handlers_exception_is_the_one_raised():
    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop("custom handler")

    previous = signal.signal(signal.SIGINT, handler)
    X = _long_fit_data()
    est = KMeans(128, init=X[:128].copy(), n_init=1, max_iter=1_000_000, tol=0)
    timer, _ = _interrupt_after(0.3, "raise_signal")
    try:
        with pytest.raises(Stop, match="custom handler"):
            try:
                timer.start()
                est.fit(X)
                time.sleep(5)
            finally:
                timer.cancel()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert not hasattr(est, "labels_")


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
def test_interrupt_within_a_second_even_when_one_iteration_is_long(algorithm):
    rng = np.random.default_rng(3)
    # One Lloyd pass over 200 000 × 2000 × 64 takes about 2 s on one core; Elkan's first
    # pass over 100 000 × 500 × 64 (direct distances, bounds of 200 MB) takes longer.
    n, k = (200_000, 2000) if algorithm == "lloyd" else (100_000, 500)
    X = rng.normal(size=(n, 64)).astype(np.float32)
    est = KMeans(
        k, init=X[:k].copy(), n_init=1, max_iter=2, tol=0, n_threads=1, algorithm=algorithm
    )
    timer, fired = _interrupt_after(0.3, "interrupt_main")
    with pytest.raises(KeyboardInterrupt):
        try:
            timer.start()
            est.fit(X)
            time.sleep(5)
        finally:
            timer.cancel()
    assert time.monotonic() - fired[0] < 1.0


def test_subprocess_child_is_clean_when_not_interrupted():
    # Control for the subprocess test: the child script itself runs and fits fine.
    code = textwrap.dedent(_CHILD).replace("100_000", "2_000").replace("3000,", "20,")
    code = code.replace("max_iter=1_000_000", "max_iter=5").replace("n_init=50", "n_init=2")
    for kind in ("lloyd", "kmeans++"):
        proc = subprocess.run(
            [sys.executable, "-c", code, kind],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "CLUSTOR_NUM_THREADS": "1"},
        )
        lines = proc.stdout.split()
        assert proc.returncode == 0, proc.stderr
        assert lines[0] == "READY" and lines[1] == "FINISHED"
