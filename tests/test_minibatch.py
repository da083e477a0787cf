"""MiniBatchKMeans: a step by hand, the step against scikit-learn's, fit and partial_fit
against scikit-learn's inertia, variants (f32/f64, threads), bad input."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans
from sklearn.cluster._kmeans import _mini_batch_step
from sklearn.datasets import make_blobs

import clustor
from clustor import MiniBatchKMeans, NotFittedError, _core


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(6000, centers=8, n_features=6, random_state=3)
    return X, y


def _core_step(X, w, centers, counts, ratio=0.0, threads=1):
    return _core.minibatch_partial_fit(
        X, w, centers, counts, 0, X.shape[0], ratio, False, 0, threads, False
    )


def test_one_step_by_hand():
    # Fresh counts: center 0 gets 1 (w 1) and 2 (w 3): (1 + 6) / 4 = 1.75; center 1 gets 9.
    est = MiniBatchKMeans(2, init=np.array([[0.0], [10.0]]), reassignment_ratio=0.0)
    est.partial_fit([[1.0], [2.0], [9.0]], sample_weight=[1.0, 3.0, 1.0])
    assert est.cluster_centers_.tolist() == [[1.75], [9.0]]
    assert est._counts.tolist() == [4.0, 1.0]
    assert est.labels_.tolist() == [0, 0, 1]
    # Inertia of the chunk against the updated centers: 0.75² + 3·0.25² + 0.
    assert est.inertia_ == pytest.approx(0.5625 + 3 * 0.0625)
    assert est.n_steps_ == 1
    # Second chunk: center 1 (count 1) gets 11: (9 + 11) / 2 = 10.
    est.partial_fit([[11.0]])
    assert est.cluster_centers_.tolist() == [[1.75], [10.0]]
    assert est._counts.tolist() == [4.0, 2.0]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_step_equals_sklearn_mini_batch_step(dtype):
    rng = np.random.RandomState(0)
    X = rng.randn(2000, 7).astype(dtype)
    w = (rng.rand(2000) + 0.2).astype(dtype)
    centers = X[rng.choice(2000, 9, replace=False)].copy()
    counts = (rng.rand(9) * 50).astype(dtype)
    counts[[1, 4]] = 0  # fresh centers take their first samples as they come
    sk_centers, sk_counts = centers.copy(), counts.copy()
    ours, our_counts = centers.copy(), counts.astype(np.float64)
    # A sequence of batches of different sizes, each step from the previous state.
    for start, size in [(0, 300), (300, 50), (350, 1024), (1374, 7)]:
        xb, wb = X[start : start + size], w[start : start + size]
        new = np.empty_like(sk_centers)
        sk_inertia = _mini_batch_step(
            xb, wb, sk_centers, new, sk_counts, np.random.RandomState(0), random_reassign=False
        )
        sk_centers = new
        ours, our_counts, _, inertia, n_re = _core_step(xb, wb, ours, our_counts)
        assert n_re == 0
        if dtype == np.float64:
            np.testing.assert_allclose(ours, sk_centers, rtol=0, atol=1e-10)
            np.testing.assert_allclose(our_counts, sk_counts, rtol=1e-12)
            assert inertia == pytest.approx(sk_inertia, rel=1e-10)
        else:
            # scikit-learn accumulates float32 in float32; clustor in float64.
            np.testing.assert_allclose(ours, sk_centers, rtol=0, atol=1e-4)
            assert inertia == pytest.approx(sk_inertia, rel=1e-4)


def test_reassignment_moves_low_count_center_to_batch_sample():
    rng = np.random.RandomState(1)
    X = rng.randn(400, 2)
    centers = np.array([[0.0, 0.0], [1e3, 1e3]])
    counts = np.array([500.0, 1.0])  # 1 < 0.01 · 500
    new, new_counts, n_since, _, n_re = _core.minibatch_partial_fit(
        X, np.ones(400), centers, counts, 0, 400, 0.01, False, 5, 1, False
    )
    assert n_re == 1 and n_since == 0
    assert any((new[1] == row).all() for row in X)
    # Its count becomes the smallest count left (center 0's, after its update).
    assert new_counts.tolist() == [900.0, 900.0]
    # Below 10·k samples since the last reassignment and no empty count: no reassignment.
    _, _, n_since, _, n_re = _core.minibatch_partial_fit(
        X[:5], np.ones(5), new, new_counts, 0, 5, 0.01, False, 5, 1, False
    )
    assert (n_re, n_since) == (0, 5)


def test_fit_inertia_within_one_percent_of_sklearn(blobs):
    X, y = blobs
    ours = MiniBatchKMeans(8, batch_size=512, random_state=0, n_init=3).fit(X)
    theirs = SkMiniBatchKMeans(8, batch_size=512, random_state=0, n_init=3).fit(X)
    assert ours.inertia_ <= theirs.inertia_ * 1.01
    assert clustor.adjusted_rand_score(y, ours.labels_) > 0.99
    assert ours.labels_.dtype == np.int64
    np.testing.assert_array_equal(ours.predict(X), ours.labels_)
    assert ours.score(X) == pytest.approx(-ours.inertia_)
    assert ours["centers"] is ours.cluster_centers_ and ours["n_iter"] == ours.n_iter_
    assert ours.n_iter_ == int(np.ceil(ours.n_steps_ * 512 / X.shape[0]))


def test_partial_fit_over_chunks_reaches_comparable_inertia(blobs):
    X, _ = blobs
    rng = np.random.RandomState(0)
    Xs = X[rng.permutation(len(X))]
    stream = MiniBatchKMeans(8, random_state=0, n_init=3)
    for chunk in np.array_split(Xs, 40):
        stream.partial_fit(chunk)
    assert stream.n_steps_ == 40
    fitted = SkMiniBatchKMeans(8, random_state=0, n_init=3).fit(X)
    assert -stream.score(X) <= fitted.inertia_ * 1.02


def test_max_steps_caps_steps_and_tol_stops(blobs):
    X, _ = blobs
    est = MiniBatchKMeans(8, batch_size=100, max_steps=7, max_no_improvement=None).fit(X)
    assert est.n_steps_ == 7 and est.n_iter_ == 1
    est = MiniBatchKMeans(8, batch_size=100, max_no_improvement=None, max_iter=2).fit(X)
    assert est.n_steps_ == 2 * 6000 // 100
    est = MiniBatchKMeans(8, batch_size=100, max_no_improvement=None, tol=1e9).fit(X)
    assert est.n_steps_ == 2  # the first step only measures the seeding


def test_f32_and_threads(blobs):
    X, _ = blobs
    init = X[:8].copy()
    kw = dict(init=init, batch_size=256, random_state=4, max_no_improvement=None, max_iter=3)
    with clustor.num_threads(1):
        a = MiniBatchKMeans(8, **kw).fit(X)
    with clustor.num_threads(2):
        b = MiniBatchKMeans(8, **kw).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    c = MiniBatchKMeans(8, **{**kw, "init": init.astype(np.float32)}).fit(X.astype(np.float32))
    assert c.cluster_centers_.dtype == np.float32
    assert clustor.adjusted_rand_score(a.labels_, c.labels_) > 0.99
    assert c.inertia_ == pytest.approx(a.inertia_, rel=1e-3)


def test_sample_weight_zero_rows_are_never_drawn():
    # The far blob has weight 0: no seed, batch or reassignment ever reaches it.
    rng = np.random.RandomState(2)
    X = np.vstack([rng.randn(500, 2), rng.randn(500, 2) + 100])
    w = np.r_[np.ones(500), np.zeros(500)]
    est = MiniBatchKMeans(3, batch_size=64, random_state=0).fit(X, sample_weight=w)
    assert (np.abs(est.cluster_centers_) < 10).all()


def test_compute_labels_false_and_cosine(blobs):
    X, _ = blobs
    est = MiniBatchKMeans(8, compute_labels=False, random_state=0).fit(X)
    assert not hasattr(est, "labels_") and est.inertia_ > 0
    assert est.predict(X[:5]).shape == (5,)
    # Directions: two rays, scaled; cosine clusters by direction only.
    rng = np.random.RandomState(0)
    scale = rng.rand(400, 1) * 10 + 1
    Xc = np.vstack([[1.0, 0.05], [0.05, 1.0]])[np.repeat([0, 1], 200)] * scale
    cos = MiniBatchKMeans(2, metric="cosine", random_state=0, batch_size=64).fit(Xc)
    assert clustor.adjusted_rand_score(np.repeat([0, 1], 200), cos.labels_) == 1.0
    np.testing.assert_allclose(np.linalg.norm(cos.cluster_centers_, axis=1), 1.0, rtol=1e-6)


def test_bad_input():
    est = MiniBatchKMeans(3)
    with pytest.raises(NotFittedError):
        est.predict([[0.0]])
    with pytest.raises(ValueError, match="NaN"):
        est.fit([[np.nan], [1.0], [2.0]])
    with pytest.raises(ValueError, match="n_samples=2 should be >= n_clusters=3"):
        est.fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match="first chunk"):
        MiniBatchKMeans(3).partial_fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match="batch_size"):
        MiniBatchKMeans(3, batch_size=0).fit([[0.0], [1.0], [2.0]])
    with pytest.raises(ValueError, match="reassignment_ratio"):
        MiniBatchKMeans(3, reassignment_ratio=-1).fit([[0.0], [1.0], [2.0]])
    with pytest.raises(ValueError, match="Negative"):
        est.fit([[0.0], [1.0], [2.0]], sample_weight=[1, -1, 1])
    fitted = MiniBatchKMeans(2, random_state=0).partial_fit([[0.0, 0], [1, 1], [5, 5]])
    with pytest.raises(ValueError, match="features"):
        fitted.partial_fit([[0.0]])
    with pytest.raises(ValueError, match="infinity"):
        fitted.partial_fit([[np.inf, 0.0]])
    # After seeding, any chunk size works, including a single row.
    fitted.partial_fit([[0.5, 0.5]])
    assert fitted.n_steps_ == 2
    with pytest.warns(RuntimeWarning, match="init_size"):
        MiniBatchKMeans(3, init_size=2, random_state=0).fit(np.arange(30.0).reshape(-1, 1))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 40),
    d=st.integers(1, 4),
    k=st.integers(1, 6),
    batch=st.integers(1, 50),
    f32=st.booleans(),
    special=st.sampled_from([None, "nan", "inf", "dup"]),
)
def test_hypothesis_fit_or_documented_error(n, d, k, batch, f32, special):
    rng = np.random.RandomState(n * 7 + d)
    X = rng.randn(n, d).astype(np.float32 if f32 else np.float64)
    if special == "nan":
        X[0, 0] = np.nan
    elif special == "inf":
        X[-1, -1] = np.inf
    elif special == "dup":
        X[:] = X[0]
    est = MiniBatchKMeans(k, batch_size=batch, random_state=0, max_iter=3)
    try:
        est.fit(X)
    except ValueError:
        assert special in ("nan", "inf") or k > n
        return
    assert est.cluster_centers_.shape == (k, d) and est.cluster_centers_.dtype == X.dtype
    assert np.isfinite(est.cluster_centers_).all()
    assert ((0 <= est.labels_) & (est.labels_ < k)).all()
    est.partial_fit(X[:1])


_INTERRUPT_CHILD = """
import sys, time
import numpy as np
import clustor

X = np.random.default_rng(0).normal(size=(100_000, 16))
if sys.argv[1] == "minibatch":
    est = clustor.MiniBatchKMeans(
        128, batch_size=2048, max_iter=100_000, max_no_improvement=None, random_state=0
    )
else:
    est = clustor.BisectingKMeans(20_000, max_iter=100_000, tol=0, random_state=0)
print("READY", flush=True)
t0 = time.perf_counter()
try:
    est.fit(X)
    print("FINISHED", time.perf_counter() - t0, flush=True)
except KeyboardInterrupt:
    print("INTERRUPTED", hasattr(est, "cluster_centers_"), flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("kind", ["minibatch", "bisecting"])
def test_sigint_stops_a_long_fit(kind):
    proc = subprocess.Popen(
        [sys.executable, "-c", _INTERRUPT_CHILD, kind],
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
    assert out.strip() == "INTERRUPTED False", (out, err)
    assert elapsed < 2.0, f"took {elapsed:.2f} s to stop"
