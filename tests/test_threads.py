"""Thread-count control: precedence, environment, threadpoolctl, import and fork behaviour.

Order (first match wins, see clustor._threads): n_threads argument, set_num_threads /
num_threads (per Python thread), a threadpoolctl limit, CLUSTOR_NUM_THREADS,
OMP_NUM_THREADS, all logical CPUs. Environment and process-level behaviour is checked in
fresh interpreters, so that it does not depend on what the test process already started.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import clustor
from clustor import KMeans, _core, get_num_threads, num_threads, set_num_threads

threadpoolctl = pytest.importorskip("threadpoolctl")

CPUS = int(_core.available_threads())
ENV_VARS = ("CLUSTOR_NUM_THREADS", "OMP_NUM_THREADS")


@pytest.fixture(autouse=True)
def clean_thread_settings(monkeypatch):
    """No env var, no per-thread setting, no threadpoolctl limit around each test."""
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    set_num_threads(None)
    yield
    set_num_threads(None)
    assert clustor._threads._threadpoolctl_limit is None


def _run(code: str, env: dict[str, str] | None = None, timeout: float = 60) -> str:
    """Runs ``code`` in a fresh interpreter; returns its stdout (fails on a non-zero exit)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _data(n: int = 3000, d: int = 4, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) + 3 * rng.integers(0, 4, size=(n, 1))


# --------------------------------------------------------------------------------------
# Precedence
# --------------------------------------------------------------------------------------


def test_default_is_all_cpus():
    assert 1 <= CPUS <= (os.cpu_count() or 1)
    assert get_num_threads() == CPUS


def test_environment_variables(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert get_num_threads() == 3
    monkeypatch.setenv("CLUSTOR_NUM_THREADS", "5")
    assert get_num_threads() == 5  # CLUSTOR_NUM_THREADS before OMP_NUM_THREADS
    monkeypatch.setenv("CLUSTOR_NUM_THREADS", "")
    assert get_num_threads() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "4,2")  # OpenMP's nested form: the outer level
    assert get_num_threads() == 4
    for bad in ("abc", "0", "-2"):
        monkeypatch.setenv("OMP_NUM_THREADS", bad)
        assert get_num_threads() == CPUS


def test_precedence_argument_local_threadpoolctl_env(monkeypatch):
    monkeypatch.setenv("CLUSTOR_NUM_THREADS", "5")
    with threadpoolctl.threadpool_limits(2):
        assert get_num_threads() == 2  # threadpoolctl before the environment
        with num_threads(4):
            assert get_num_threads() == 4  # set_num_threads before threadpoolctl
            assert get_num_threads(n_threads=7) == 7  # the argument before everything
        assert get_num_threads() == 2
    assert get_num_threads() == 5
    assert get_num_threads(n_threads=-1) == CPUS


def test_set_num_threads_and_context_manager():
    set_num_threads(3)
    assert get_num_threads() == 3
    with num_threads(1):
        assert get_num_threads() == 1
        with num_threads(2):
            assert get_num_threads() == 2
        assert get_num_threads() == 1
    assert get_num_threads() == 3
    with pytest.raises(RuntimeError, match="boom"):
        with num_threads(5):
            raise RuntimeError("boom")
    assert get_num_threads() == 3
    with num_threads(None):  # None inside the block: back to the process-wide count
        assert get_num_threads() == CPUS
    assert get_num_threads() == 3
    set_num_threads(-1)
    assert get_num_threads() == CPUS
    set_num_threads(np.int64(2))
    assert get_num_threads() == 2
    set_num_threads(None)
    assert get_num_threads() == CPUS


def test_invalid_counts_are_rejected():
    for bad in (0, -2):
        with pytest.raises(ValueError, match=">= 1"):
            set_num_threads(bad)
        with pytest.raises(ValueError):
            get_num_threads(n_threads=bad)
    for bad in (True, 1.5, "2"):
        with pytest.raises(TypeError):
            set_num_threads(bad)
    assert get_num_threads() == CPUS
    with pytest.raises(ValueError):
        KMeans(2, n_threads=0).fit(_data(50))
    with pytest.raises(ValueError):
        KMeans(2, n_threads=-5).fit(_data(50))


def test_setting_is_per_python_thread():
    set_num_threads(3)
    seen = {}

    def worker():
        seen["before"] = get_num_threads()
        set_num_threads(1)
        seen["after"] = get_num_threads()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == {"before": CPUS, "after": 1}
    assert get_num_threads() == 3


def test_concurrent_fits_from_python_threads_agree():
    # Fits release the GIL; several Python threads with different counts, at once, must
    # each get the single-threaded result.
    X = _data(4000, 6)
    ref = KMeans(12, random_state=0, tol=0).fit(X)
    results: dict[int, KMeans] = {}
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            with num_threads(1 + i % 3):
                results[i] = KMeans(12, random_state=0, tol=0).fit(X)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len(results) == 6
    for km in results.values():
        assert_array_equal(km.cluster_centers_, ref.cluster_centers_)
        assert_array_equal(km.labels_, ref.labels_)


# --------------------------------------------------------------------------------------
# threadpoolctl
# --------------------------------------------------------------------------------------


def _clustor_info() -> list[dict]:
    return [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "clustor"]


def test_threadpoolctl_lists_clustor_once():
    # Another extension module named _core (SciPy's HiGHS wrapper) must not be taken for
    # clustor's.
    pytest.importorskip("scipy.optimize")
    try:
        import scipy.optimize._highspy._core  # noqa: F401
    except ImportError:
        pass
    info = _clustor_info()
    assert len(info) == 1, info
    assert os.path.realpath(info[0]["filepath"]) == os.path.realpath(_core.__file__)
    assert info[0]["internal_api"] == "clustor"
    assert info[0]["version"] == clustor.__version__
    assert info[0]["num_threads"] == CPUS


def test_threadpool_limits_limits_clustor():
    with threadpoolctl.threadpool_limits(1):
        assert get_num_threads() == 1
        assert _clustor_info()[0]["num_threads"] == 1
    assert get_num_threads() == CPUS
    with threadpoolctl.threadpool_limits(limits=1, user_api="clustor"):
        assert get_num_threads() == 1
    with threadpoolctl.threadpool_limits(limits={"clustor": 2}):
        assert get_num_threads() == 2
    controller = threadpoolctl.ThreadpoolController()
    with controller.select(internal_api="clustor").limit(limits=1):
        assert get_num_threads() == 1
    with threadpoolctl.threadpool_limits(1):
        with threadpoolctl.threadpool_limits(3):
            assert get_num_threads() == 3
        assert get_num_threads() == 1
    assert get_num_threads() == CPUS


def test_threadpoolctl_restore_does_not_leak_per_thread_setting(monkeypatch):
    # threadpoolctl restores the count it read on entry; a per-thread setting must not be
    # read as that count, or it would become a process-wide limit after the block.
    with num_threads(1):
        with threadpoolctl.threadpool_limits(2):
            assert get_num_threads() == 1  # the per-thread setting still wins
    assert get_num_threads() == CPUS
    assert clustor._threads._threadpoolctl_limit is None
    # And once a limit is gone the environment is read again.
    with threadpoolctl.threadpool_limits(1):
        pass
    monkeypatch.setenv("CLUSTOR_NUM_THREADS", "6")
    assert get_num_threads() == 6


# --------------------------------------------------------------------------------------
# The count reaches the kernels; nothing at import; fork
# --------------------------------------------------------------------------------------

_COUNT_THREADS = """
import os
def workers():
    names = []
    for t in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{t}/comm") as f:
                names.append(f.read().strip())
        except FileNotFoundError:
            pass
    return sum(n.startswith("clustor-") for n in names)
def settled_workers(expected, timeout=10.0):
    # A worker names itself once it first runs: on a loaded machine that can come after the
    # pool is built and used. Wait (bounded) for the count to reach the expected one.
    import time
    end = time.monotonic() + timeout
    n = workers()
    while n < expected and time.monotonic() < end:
        time.sleep(0.01)
        n = workers()
    return n
def tasks():
    return len(os.listdir("/proc/self/task"))
"""

linux_only = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs /proc")


@linux_only
def test_nothing_started_at_import_and_pools_follow_the_count():
    out = _run(
        _COUNT_THREADS
        + """
import numpy as np
import threadpoolctl
before = tasks()
import clustor
X = np.random.default_rng(0).normal(size=(2000, 3))
est = clustor.KMeans(4, random_state=0)
n = clustor.get_num_threads()
print(before, tasks(), workers())
est.fit(X)
print(settled_workers(n))
with clustor.num_threads(1):
    est.fit(X)
print(settled_workers(n + 1))
est.set_params(n_threads=3).fit(X)
print(settled_workers(n + 4))
"""
    )
    lines = out.splitlines()
    before, after_import, workers_at_import = map(int, lines[0].split())
    assert after_import == before
    assert workers_at_import == 0
    # Pools are cached per count: CPUS workers, then 1 more, then 3 more.
    assert [int(v) for v in lines[1:]] == [CPUS, CPUS + 1, CPUS + 4]


@linux_only
@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, CPUS),
        ({"OMP_NUM_THREADS": "3"}, 3),
        ({"CLUSTOR_NUM_THREADS": "2", "OMP_NUM_THREADS": "3"}, 2),
        ({"CLUSTOR_NUM_THREADS": "5"}, 5),
    ],
)
def test_environment_in_a_fresh_process(env, expected):
    out = _run(
        _COUNT_THREADS
        + """
import numpy as np, clustor
print(clustor.get_num_threads())
clustor.KMeans(3, random_state=0).fit(np.random.default_rng(0).normal(size=(1000, 2)))
print(settled_workers(clustor.get_num_threads()))
""",
        env=env,
    )
    assert out.split() == [str(expected), str(expected)]


def test_threadpool_limits_in_a_fresh_process_with_environment():
    out = _run(
        """
import clustor, threadpoolctl
print(clustor.get_num_threads())
with threadpoolctl.threadpool_limits(1):
    print(clustor.get_num_threads())
print(clustor.get_num_threads())
print(sum(i["user_api"] == "clustor" for i in threadpoolctl.threadpool_info()))
""",
        env={"CLUSTOR_NUM_THREADS": "3"},
    )
    assert out.split() == ["3", "1", "3", "1"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fit_in_forked_child_after_fit_in_parent():
    out = _run(
        """
import os, sys, time, warnings
import numpy as np, clustor
warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (Python >= 3.12)
rng = np.random.default_rng(0)
X = rng.normal(size=(4000, 5)) + 3 * rng.integers(0, 4, size=(4000, 1))
with clustor.num_threads(2):
    parent = clustor.KMeans(10, random_state=0, tol=0).fit(X)   # the parent's pool runs
pid = os.fork()
if pid == 0:
    code = 1
    try:
        with clustor.num_threads(2):
            child = clustor.KMeans(10, random_state=0, tol=0).fit(X)
        code = 0 if np.array_equal(child.cluster_centers_, parent.cluster_centers_) else 2
    finally:
        os._exit(code)
deadline = time.monotonic() + 30
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    if time.monotonic() > deadline:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        sys.exit("the forked child hung")
    time.sleep(0.02)
print(os.waitstatus_to_exitcode(status))
""",
        timeout=60,
    )
    assert out == "0"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_multiprocessing_fork_pool():
    out = _run(
        """
import multiprocessing as mp, warnings
import numpy as np, clustor
warnings.simplefilter("ignore", DeprecationWarning)
rng = np.random.default_rng(1)
X = rng.normal(size=(3000, 4)) + 3 * rng.integers(0, 4, size=(3000, 1))

def fit(seed):
    return clustor.KMeans(6, random_state=seed, tol=0).fit(X).cluster_centers_

if __name__ == "__main__":
    expected = [fit(s) for s in range(4)]          # the parent has started its pool
    with mp.get_context("fork").Pool(2) as pool:
        got = pool.map_async(fit, range(4)).get(timeout=30)
    print(all(np.array_equal(a, b) for a, b in zip(expected, got)))
""",
        timeout=60,
    )
    assert out == "True"
