"""KMeans: cases worked by hand, agreement between variants, agreement with scikit-learn.

scikit-learn's KMeans is the reference: from the same initial centers clustor runs the same
iteration, so labels, centers, inertia and n_iter_ must match (to rounding). Tests that
compare with it avoid exact distance ties, where the two libraries may break ties apart.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import clustor
from clustor import KMeans, kmeans, kmeans_plusplus

sk_cluster = pytest.importorskip("sklearn.cluster")
sk_metrics = pytest.importorskip("sklearn.metrics")
SKKMeans = sk_cluster.KMeans

ALGORITHMS = ["lloyd", "elkan"]


def _structured(n: int, d: int, seed: int, dtype=np.float64) -> np.ndarray:
    """Gaussian noise around a handful of offsets: clustered, but with no exact ties."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + 2.0 * rng.integers(0, 5, size=(n, 1))
    return X.astype(dtype)


def _init_rows(X: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return X[rng.choice(X.shape[0], k, replace=False)].copy()


def _blobs(n: int, centers: np.ndarray, std: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(centers), size=n)
    return centers[y] + std * rng.normal(size=(n, centers.shape[1])), y


def _assert_close_centers(a: np.ndarray, b: np.ndarray, rtol: float) -> None:
    """Centers equal to ``rtol`` relative to the data scale (entries near 0 included)."""
    scale = max(1.0, float(np.abs(b).max()))
    assert_allclose(a, b, rtol=rtol, atol=rtol * scale)


# --------------------------------------------------------------------------------------
# 1. Cases worked by hand
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_1d_worked_by_hand(algorithm):
    # From centers 0 and 1: {0} {1, 10, 11} → centers 0, 22/3; then {0, 1} {10, 11} →
    # 0.5, 10.5; the third assignment changes nothing (strict convergence at iteration 2).
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    km = KMeans(2, init=np.array([[0.0], [1.0]]), n_init=1, tol=0, algorithm=algorithm).fit(X)
    assert_array_equal(km.cluster_centers_, [[0.5], [10.5]])
    assert_array_equal(km.labels_, [0, 0, 1, 1])
    assert km.labels_.dtype == np.int64
    assert km.inertia_ == 1.0
    assert km.n_iter_ == 3

    one = KMeans(2, init=np.array([[0.0], [1.0]]), n_init=1, max_iter=1, algorithm=algorithm)
    one.fit(X)
    # One update: centers 0 and 22/3; the labels are refreshed against them.
    assert_allclose(one.cluster_centers_, [[0.0], [22 / 3]], rtol=1e-15, atol=1e-15)
    assert_array_equal(one.labels_, [0, 0, 1, 1])
    assert one.n_iter_ == 1
    assert one.inertia_ == pytest.approx(1 + (22 / 3 - 10) ** 2 + (11 - 22 / 3) ** 2, rel=1e-14)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_2d_worked_by_hand(algorithm):
    # a(0,0) b(0,1) c(1,0) d(4,4) e(4,5) f(5,4) from centers (0,0), (0,1):
    # iteration 0: {a, c} {b, d, e, f} → (0.5, 0), (3.25, 3.5)
    # iteration 1: {a, b, c} {d, e, f} → (1/3, 1/3), (13/3, 13/3)
    # iteration 2: no change. Inertia: each triangle contributes 2/9 + 5/9 + 5/9 = 4/3.
    X = np.array([[0, 0], [0, 1], [1, 0], [4, 4], [4, 5], [5, 4]], dtype=np.float64)
    init = np.array([[0.0, 0.0], [0.0, 1.0]])
    km = KMeans(2, init=init, n_init=1, tol=0, algorithm=algorithm).fit(X)
    assert_allclose(km.cluster_centers_, [[1 / 3, 1 / 3], [13 / 3, 13 / 3]], rtol=1e-14)
    assert_array_equal(km.labels_, [0, 0, 0, 1, 1, 1])
    assert km.inertia_ == pytest.approx(8 / 3, rel=1e-14)
    assert km.n_iter_ == 3

    one = KMeans(2, init=init, n_init=1, max_iter=1, algorithm=algorithm).fit(X)
    assert_allclose(one.cluster_centers_, [[0.5, 0.0], [3.25, 3.5]], rtol=1e-14, atol=1e-15)
    # Refreshed labels against (0.5, 0), (3.25, 3.5): b is now closer to the first center.
    assert_array_equal(one.labels_, [0, 0, 0, 1, 1, 1])
    # 0.25 + 1.25 + 0.25 + 0.8125 + 2.8125 + 3.3125
    assert one.inertia_ == pytest.approx(8.6875, rel=1e-14)


def test_2d_tolerance_stops_when_centers_do_not_move():
    # The centers are already the means: the first shift is 0 <= tol, so the run stops
    # after one iteration (not strictly converged: the labels moved from "none").
    X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]], dtype=np.float64)
    init = np.array([[1.0, 2.0], [10.0, 2.0]])
    for tol in (0.0, 1e-4):
        km = KMeans(2, init=init, n_init=1, tol=tol).fit(X)
        assert_array_equal(km.cluster_centers_, init)
        assert_array_equal(km.labels_, [0, 0, 0, 1, 1, 1])
        assert km.inertia_ == 16.0
        assert km.n_iter_ == 1


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_empty_clusters_take_the_farthest_points(algorithm):
    # Centers 1000 and 2000 get no point. Distances to the assigned centers (0 and 1):
    # 20 → 361, 10 → 81, 2 → 1: 20 goes to the first empty cluster, 10 to the second,
    # and the cluster they left keeps {1, 2} → 1.5. Iteration 1 relabels 1 and 2, 10, 20
    # without moving a center: a zero shift, within tol=0, ends the run.
    X = np.array([[0.0], [1.0], [2.0], [10.0], [20.0]])
    init = np.array([[0.0], [1.0], [1000.0], [2000.0]])
    one = KMeans(4, init=init, n_init=1, max_iter=1, algorithm=algorithm).fit(X)
    assert_allclose(one.cluster_centers_, [[0.0], [1.5], [20.0], [10.0]], atol=1e-14)
    assert_array_equal(one.labels_, [0, 1, 1, 3, 2])
    assert one.n_iter_ == 1

    km = KMeans(4, init=init, n_init=1, tol=0, algorithm=algorithm).fit(X)
    assert_allclose(km.cluster_centers_, [[0.0], [1.5], [20.0], [10.0]], atol=1e-14)
    assert_array_equal(km.labels_, [0, 1, 1, 3, 2])
    assert km.inertia_ == pytest.approx(0.5, rel=1e-13)
    assert km.n_iter_ == 2

    ref = SKKMeans(4, init=init, n_init=1, tol=0, algorithm=algorithm).fit(X)
    assert_allclose(km.cluster_centers_, ref.cluster_centers_, atol=1e-13)
    assert_array_equal(km.labels_, ref.labels_)
    assert km.n_iter_ == ref.n_iter_


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_drained_cluster_moves_to_the_heaviest_cluster(algorithm):
    # Center 1000 is empty; the farthest point is 10, alone in the cluster of center 12, so
    # relocating it drains that cluster, which then sits on the heaviest cluster's mean 0.1.
    X = np.array([[0.0], [0.1], [0.2], [10.0]])

    init = np.array([[0.1], [12.0], [1000.0]])  # drained cluster after the heaviest
    with pytest.warns(clustor.ConvergenceWarning, match=r"distinct clusters \(2\)"):
        km = KMeans(3, init=init, n_init=1, max_iter=1, algorithm=algorithm).fit(X)
    assert_allclose(km.cluster_centers_, [[0.1], [0.1], [10.0]], rtol=1e-13)
    assert_array_equal(km.labels_, [0, 0, 0, 2])  # ties go to the lowest index
    with pytest.warns(Warning, match="distinct clusters"):
        ref = SKKMeans(3, init=init, n_init=1, max_iter=1, algorithm=algorithm).fit(X)
    assert_allclose(km.cluster_centers_, ref.cluster_centers_, rtol=1e-13)
    assert_array_equal(km.labels_, ref.labels_)

    # Drained cluster before the heaviest: the same rule. (scikit-learn 1.9 copies the
    # heaviest cluster's weighted *sum* here, -4.85, before averaging it: a bug we do not copy.)
    init = np.array([[12.0], [0.1], [1000.0]])
    with pytest.warns(clustor.ConvergenceWarning):
        km = KMeans(3, init=init, n_init=1, max_iter=1, algorithm=algorithm).fit(X)
    assert_allclose(km.cluster_centers_, [[0.1], [0.1], [10.0]], rtol=1e-13)
    # The two centers coincide: Lloyd gives ties to the lowest index, Elkan keeps the
    # current label unless another center is strictly closer (scikit-learn's rules both).
    assert_array_equal(km.labels_, [0, 0, 0, 2] if algorithm == "lloyd" else [1, 1, 1, 2])


def test_more_clusters_than_distinct_points_warns_and_does_not_relocate():
    X = np.array([[0.0], [0.0], [5.0]])
    init = np.array([[0.0], [5.0], [9.0]])
    for algorithm in ALGORITHMS:
        with pytest.warns(Warning, match=r"Number of distinct clusters \(2\) found smaller"):
            km = KMeans(3, init=init, n_init=1, algorithm=algorithm).fit(X)
        # Every point sits on its center: no relocation; the empty cluster joins the
        # heaviest one, as scikit-learn does.
        assert_array_equal(km.cluster_centers_, [[0.0], [5.0], [0.0]])
        assert_array_equal(km.labels_, [0, 0, 1])
        assert km.inertia_ == 0.0
        with pytest.warns(Warning):
            ref = SKKMeans(3, init=init, n_init=1, algorithm=algorithm).fit(X)
        assert_array_equal(km.cluster_centers_, ref.cluster_centers_)
        assert km.n_iter_ == ref.n_iter_
    with pytest.warns(clustor.ConvergenceWarning):
        KMeans(3, init=init, n_init=1).fit(X)


def test_weighted_worked_by_hand():
    # {0 (w=1), 1 (w=3)} → 0.75; {10}. Inertia 1·0.75² + 3·0.25² = 0.75.
    X = np.array([[0.0], [1.0], [10.0]])
    for algorithm in ALGORITHMS:
        km = KMeans(2, init=np.array([[0.0], [10.0]]), n_init=1, tol=0, algorithm=algorithm)
        km.fit(X, sample_weight=[1.0, 3.0, 1.0])
        assert_allclose(km.cluster_centers_, [[0.75], [10.0]], rtol=1e-15)
        assert_array_equal(km.labels_, [0, 0, 1])
        assert km.inertia_ == pytest.approx(0.75, rel=1e-14)
        assert km.n_iter_ == 2
        assert km.score(X, sample_weight=[1.0, 3.0, 1.0]) == pytest.approx(-0.75, rel=1e-14)
        assert km.score(X) == pytest.approx(-(0.75**2 + 0.25**2), rel=1e-14)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_integer_weights_equal_repeated_rows(algorithm, dtype):
    X = _structured(300, 3, seed=1, dtype=dtype)
    w = np.random.default_rng(2).integers(1, 5, size=300)
    init = _init_rows(X, 6, seed=3)
    # tol=0: the relative tolerance scales with the (unweighted) variance of X, which
    # repeating rows changes.
    a = KMeans(6, init=init, n_init=1, tol=0, algorithm=algorithm).fit(X, sample_weight=w)
    b = KMeans(6, init=init, n_init=1, tol=0, algorithm=algorithm).fit(np.repeat(X, w, axis=0))
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    _assert_close_centers(a.cluster_centers_, b.cluster_centers_, rtol)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=rtol)
    assert_array_equal(np.repeat(a.labels_, w), b.labels_)
    assert a.n_iter_ == b.n_iter_


def test_zero_weights_equal_dropped_rows_and_scaling_weights_scales_inertia():
    X = _structured(400, 4, seed=4)
    w = np.random.default_rng(5).uniform(0.5, 2.0, size=400)
    w[::7] = 0.0
    init = _init_rows(X[w > 0], 5, seed=6)
    a = KMeans(5, init=init, n_init=1, tol=0).fit(X, sample_weight=w)
    b = KMeans(5, init=init, n_init=1, tol=0).fit(X[w > 0], sample_weight=w[w > 0])
    _assert_close_centers(a.cluster_centers_, b.cluster_centers_, 1e-12)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-12)
    assert_array_equal(a.labels_[w > 0], b.labels_)

    c = KMeans(5, init=init, n_init=1, tol=0).fit(X, sample_weight=4 * w)
    assert_array_equal(a.labels_, c.labels_)
    _assert_close_centers(a.cluster_centers_, c.cluster_centers_, 1e-12)
    assert c.inertia_ == pytest.approx(4 * a.inertia_, rel=1e-12)


def test_functional_kmeans_returns_the_estimator_results():
    centers, labels, inertia, n_iter = kmeans([[0.0], [1.0], [10.0], [11.0]], 2, random_state=0)
    assert sorted(centers.ravel().tolist()) == [0.5, 10.5]
    assert inertia == 1.0
    assert labels[0] == labels[1] != labels[2] == labels[3]
    assert isinstance(n_iter, int) and n_iter >= 1

    X = _structured(500, 3, seed=7)
    init = _init_rows(X, 4, seed=8)
    out = kmeans(X, 4, init=init, tol=0, algorithm="elkan")
    est = KMeans(4, init=init, tol=0, algorithm="elkan").fit(X)
    assert_array_equal(out[0], est.cluster_centers_)
    assert_array_equal(out[1], est.labels_)
    assert out[2] == est.inertia_
    assert out[3] == est.n_iter_
    # The seed toolkit's key access reads the same results.
    assert_array_equal(est["centers"], est.cluster_centers_)
    assert_array_equal(est["labels"], est.labels_)
    assert est["inertia"] == est.inertia_
    assert est["n_iter"] == est.n_iter_

    w = np.random.default_rng(9).uniform(size=500)
    out = kmeans(X, 4, sample_weight=w, init=init)
    est = KMeans(4, init=init).fit(X, sample_weight=w)
    assert_array_equal(out[0], est.cluster_centers_)
    assert out[2] == est.inertia_


def test_kmeans_plusplus_picks_rows_one_per_far_group():
    X = np.array([[0.0], [0.1], [100.0], [100.1], [200.0], [200.1]])
    for seed in range(10):
        centers, idx = kmeans_plusplus(X, 3, random_state=seed)
        assert idx.dtype == np.int64 and centers.dtype == np.float64
        assert_array_equal(centers, X[idx])
        assert sorted((idx // 2).tolist()) == [0, 1, 2]


def test_kmeans_plusplus_shapes_weights_and_errors():
    X = _structured(1000, 5, seed=10, dtype=np.float32)
    centers, idx = kmeans_plusplus(X, 20, random_state=0)
    assert centers.shape == (20, 5) and centers.dtype == np.float32
    assert len(set(idx.tolist())) == 20
    assert_array_equal(centers, X[idx])

    # The probability of a row is ∝ weight: zero-weight rows are never chosen, and with a
    # single positive weight the first center is that row.
    w = np.ones(1000)
    w[:600] = 0
    _, idx = kmeans_plusplus(X, 30, sample_weight=w, random_state=1)
    assert (idx >= 600).all()
    one_hot = np.zeros(1000)
    one_hot[123] = 1.0
    for seed in range(3):
        _, idx = kmeans_plusplus(X, 1, sample_weight=one_hot, random_state=seed)
        assert idx.tolist() == [123]

    _, idx1 = kmeans_plusplus(X, 5, n_local_trials=1, random_state=3)
    assert len(set(idx1.tolist())) == 5
    with pytest.raises(ValueError, match="n_samples=1000 should be >= n_clusters=1001"):
        kmeans_plusplus(X, 1001)
    with pytest.raises(ValueError):
        kmeans_plusplus(X, 0)


def test_kmeans_plusplus_first_center_drawn_in_proportion_to_weight():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    rng = np.random.default_rng(0)
    picks = [kmeans_plusplus(X, 1, sample_weight=w, random_state=rng)[1][0] for _ in range(4000)]
    freq = np.bincount(picks, minlength=4) / 4000
    # Binomial standard deviation is at most 0.008 here: allow 4 of them.
    assert_allclose(freq, w / w.sum(), atol=0.032)


def test_kmeans_plusplus_potential_distribution_matches_sklearn():
    # Different generators, same algorithm: the mean potential over many seeds agrees.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 5)) + 4 * rng.normal(size=(15, 5))[rng.integers(0, 15, 2000)]
    w = rng.uniform(0.1, 2.0, size=2000)

    def potential(centers):
        return float((w * ((X[:, None] - centers[None]) ** 2).sum(-1).min(axis=1)).sum())

    for trials in (None, 1):
        ours = [
            potential(
                kmeans_plusplus(X, 15, sample_weight=w, n_local_trials=trials, random_state=s)[0]
            )
            for s in range(100)
        ]
        ref = [
            potential(
                sk_cluster.kmeans_plusplus(
                    X, 15, sample_weight=w, n_local_trials=trials, random_state=s
                )[0]
            )
            for s in range(100)
        ]
        stderr = math.hypot(np.std(ours), np.std(ref)) / 10
        assert abs(np.mean(ours) - np.mean(ref)) < 4 * stderr


def test_kmeans_plusplus_seeding_is_a_good_start():
    # Greedy k-means++ on well-separated blobs puts one seed in every blob.
    true_centers = np.array([[0, 0], [20, 0], [0, 20], [20, 20], [10, 40]], dtype=float)
    X, _ = _blobs(1000, true_centers, 0.5, seed=11)
    for seed in range(5):
        centers, _ = kmeans_plusplus(X, 5, random_state=seed)
        nearest = np.argmin(((centers[:, None] - true_centers[None]) ** 2).sum(-1), axis=1)
        assert sorted(nearest.tolist()) == [0, 1, 2, 3, 4]


# --------------------------------------------------------------------------------------
# 2. Agreement with scikit-learn
# --------------------------------------------------------------------------------------

SHAPES = [(500, 1, 3), (2000, 2, 8), (3000, 16, 32), (2000, 50, 256), (1000, 784, 10)]


def _fit_both(X, init, sample_weight=None, **params):
    k = init.shape[0]
    ours = KMeans(k, init=init, n_init=1, **params).fit(X, sample_weight=sample_weight)
    ref = SKKMeans(k, init=init, n_init=1, **params).fit(X, sample_weight=sample_weight)
    return ours, ref


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}-d{}-k{}".format(*s))
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_same_run_as_sklearn_float64(shape, algorithm):
    n, d, k = shape
    X = _structured(n, d, seed=n + d + k)
    init = _init_rows(X, k, seed=k)
    ours, ref = _fit_both(X, init, tol=0, algorithm=algorithm)
    assert ours.cluster_centers_.dtype == np.float64
    assert_array_equal(ours.labels_, ref.labels_)
    _assert_close_centers(ours.cluster_centers_, ref.cluster_centers_, 1e-10)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)
    assert ours.n_iter_ == ref.n_iter_
    assert ours.n_iter_ > 1


def _near_tie(X: np.ndarray, centers: np.ndarray, rows: np.ndarray) -> bool:
    """Whether every row in ``rows`` has two centers within float32 rounding of each other
    (gap of squared distances <= 2^-20 of the squared norms involved)."""
    Xd, C = X.astype(np.float64), centers.astype(np.float64)
    for i in rows:
        d2 = ((Xd[i] - C) ** 2).sum(axis=1)
        a, b = np.argsort(d2)[:2]
        scale = (Xd[i] ** 2).sum() + (C[a] ** 2).sum() + (C[b] ** 2).sum()
        if d2[b] - d2[a] > scale * 2.0**-20:
            return False
    return True


def _assert_same_float32_run(fit_a, fit_b, X, init) -> None:
    """Two float32 runs from ``init`` (``fit_x(max_iter)`` returns a fitted estimator) agree.

    float32 cannot order two centers whose distances differ by less than its rounding, so
    two correct implementations may label such a point differently, after which their runs
    go apart. So: if the labels differ at the end, the first step where they differ must
    concern only such near-ties (in the centered coordinates both compute in, against the
    centers of that step or of the one before); up to it, the centers agree to 1e-4.
    """
    a, b = fit_a(None), fit_b(None)
    if np.array_equal(a.labels_, b.labels_):
        _assert_close_centers(a.cluster_centers_, b.cluster_centers_, 1e-4)
        assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-4)
        assert a.n_iter_ == b.n_iter_
        return
    mean = X.astype(np.float64).mean(axis=0)
    Xc = X - mean
    previous = init
    for m in range(1, b.n_iter_ + 1):
        am, bm = fit_a(m), fit_b(m)
        differ = np.flatnonzero(am.labels_ != bm.labels_)
        if len(differ):
            centers = [c - mean for c in (previous, bm.cluster_centers_)]
            assert any(_near_tie(Xc, c, differ) for c in centers), (m, differ)
            break
        _assert_close_centers(am.cluster_centers_, bm.cluster_centers_, 1e-4)
        previous = bm.cluster_centers_
    else:
        raise AssertionError("the final labels differ but no step does")
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-3)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}-d{}-k{}".format(*s))
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_same_run_as_sklearn_float32(shape, algorithm):
    n, d, k = shape
    X = _structured(n, d, seed=n + d + k, dtype=np.float32)
    init = _init_rows(X, k, seed=k)

    def fit(cls):
        def run(max_iter):
            est = cls(k, init=init, n_init=1, tol=0, algorithm=algorithm)
            return est.set_params(max_iter=max_iter or 300).fit(X)

        return run

    ours = fit(KMeans)(None)
    assert ours.cluster_centers_.dtype == np.float32
    _assert_same_float32_run(fit(KMeans), fit(SKKMeans), X, init)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("tol", [1e-4, 1e-2])
def test_same_run_as_sklearn_with_tolerance(algorithm, tol):
    for n, d, k in [(2000, 2, 8), (3000, 16, 32)]:
        X = _structured(n, d, seed=n * d)
        init = _init_rows(X, k, seed=d)
        ours, ref = _fit_both(X, init, tol=tol, algorithm=algorithm)
        assert ours.n_iter_ == ref.n_iter_
        assert_array_equal(ours.labels_, ref.labels_)
        _assert_close_centers(ours.cluster_centers_, ref.cluster_centers_, 1e-10)
        assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("tol", [0.0, 1e-3])
def test_same_run_as_sklearn_with_sample_weight(algorithm, tol):
    for n, d, k in [(1500, 3, 10), (1000, 40, 64)]:
        X = _structured(n, d, seed=k)
        w = np.random.default_rng(d).uniform(0.1, 3.0, size=n)
        init = _init_rows(X, k, seed=n)
        ours, ref = _fit_both(X, init, sample_weight=w, tol=tol, algorithm=algorithm)
        assert ours.n_iter_ == ref.n_iter_
        assert_array_equal(ours.labels_, ref.labels_)
        _assert_close_centers(ours.cluster_centers_, ref.cluster_centers_, 1e-10)
        assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_predict_transform_score_match_sklearn(dtype):
    X = _structured(2000, 6, seed=12, dtype=dtype)
    X_new = _structured(700, 6, seed=13, dtype=dtype)
    w_new = np.random.default_rng(14).uniform(size=700).astype(dtype)
    init = _init_rows(X, 12, seed=15)
    ours, ref = _fit_both(X, init)
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    labels = ours.predict(X_new)
    assert labels.dtype == np.int64
    if dtype == np.float64:
        assert_array_equal(labels, ref.predict(X_new))
    else:
        assert np.mean(labels == ref.predict(X_new)) >= 0.999
    dist = ours.transform(X_new)
    assert dist.dtype == dtype and dist.shape == (700, 12)
    assert_allclose(dist, ref.transform(X_new), rtol=rtol, atol=rtol)
    assert ours.score(X_new) == pytest.approx(ref.score(X_new), rel=rtol)
    assert ours.score(X_new, sample_weight=w_new) == pytest.approx(
        ref.score(X_new, sample_weight=w_new), rel=rtol
    )
    # transform is the distance to every center; predict its argmin; score its -Σ min².
    assert_array_equal(np.argmin(dist, axis=1), labels)
    assert ours.score(X_new) == pytest.approx(
        -np.sum(dist.min(axis=1).astype(float) ** 2), rel=rtol
    )
    ft = KMeans(12, init=init, n_init=1).fit_transform(X)
    assert_allclose(ft, ref.transform(X), rtol=rtol, atol=rtol)
    assert_array_equal(KMeans(12, init=init, n_init=1).fit_predict(X), ours.labels_)


def test_kmeans_plusplus_agrees_with_sklearn_on_separated_blobs():
    true_centers = np.array([[0, 0, 0], [15, 0, 0], [0, 15, 0], [0, 0, 15], [15, 15, 15]], float)
    X, y = _blobs(3000, true_centers, 1.0, seed=16)
    for seed in range(3):
        ours = KMeans(5, random_state=seed).fit(X)
        ref = SKKMeans(5, random_state=seed).fit(X)
        assert sk_metrics.adjusted_rand_score(ours.labels_, ref.labels_) == 1.0
        assert sk_metrics.adjusted_rand_score(ours.labels_, y) == 1.0
        assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_kmeans_plusplus_inertia_close_to_sklearn_on_overlapping_blobs(algorithm):
    rng = np.random.default_rng(17)
    X, _ = _blobs(2000, rng.uniform(-4, 4, size=(12, 5)), 1.5, seed=18)
    ours = KMeans(12, n_init=5, random_state=0, algorithm=algorithm).fit(X)
    ref = SKKMeans(12, n_init=5, random_state=0, algorithm=algorithm).fit(X)
    assert abs(ours.inertia_ - ref.inertia_) <= 0.01 * ref.inertia_
    # The reported inertia is that of the reported centers and labels.
    d2 = ((X - ours.cluster_centers_[ours.labels_]) ** 2).sum()
    assert ours.inertia_ == pytest.approx(d2, rel=1e-10)
    assert_array_equal(ours.labels_, ours.predict(X))


def test_random_init_and_callable_init():
    X = _structured(1500, 4, seed=19)
    km = KMeans(6, init="random", n_init=4, random_state=0).fit(X)
    assert km.cluster_centers_.shape == (6, 4)
    assert km.inertia_ == pytest.approx(-km.score(X), rel=1e-12)
    ref = SKKMeans(6, init="random", n_init=4, random_state=0).fit(X)
    assert abs(km.inertia_ - ref.inertia_) <= 0.02 * ref.inertia_

    calls = []

    def pick_first(X_, k, random_state):
        calls.append((X_.shape, k))
        return X_[:k]

    km = KMeans(3, init=pick_first, n_init=2, random_state=0, tol=0).fit(X)
    assert calls == [((1500, 4), 3), ((1500, 4), 3)]
    ref = SKKMeans(3, init=X[:3].copy(), n_init=1, tol=0).fit(X)
    # X[:k] of the centered data is X[:k] of X, shifted: the same run as scikit-learn's.
    assert_array_equal(km.labels_, ref.labels_)
    _assert_close_centers(km.cluster_centers_, ref.cluster_centers_, 1e-10)


def test_array_init_with_n_init_warns_like_sklearn():
    X = _structured(200, 2, seed=20)
    init = _init_rows(X, 3, seed=21)
    with pytest.warns(RuntimeWarning, match="performing only one init"):
        km = KMeans(3, init=init, n_init=5).fit(X)
    assert_array_equal(km.labels_, KMeans(3, init=init, n_init=1).fit(X).labels_)


def test_elkan_with_one_cluster_runs_lloyd():
    # Elkan's bounds need two centers; with one cluster the run is Lloyd's (no warning).
    X = _structured(300, 3, seed=22)
    km = KMeans(1, algorithm="elkan", n_init=1, random_state=0).fit(X)
    ref = KMeans(1, algorithm="lloyd", n_init=1, random_state=0).fit(X)
    assert_array_equal(km.cluster_centers_, ref.cluster_centers_)
    assert_allclose(km.cluster_centers_, X.mean(axis=0, keepdims=True), rtol=1e-12, atol=1e-14)
    assert_array_equal(km.labels_, np.zeros(300, dtype=np.int64))
    assert km.inertia_ == pytest.approx(((X - X.mean(axis=0)) ** 2).sum(), rel=1e-12)


# --------------------------------------------------------------------------------------
# 3. Agreement between variants
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3000, 2, 10), (2000, 30, 40)], ids=str)
def test_lloyd_and_elkan_identical(shape):
    n, d, k = shape
    X = _structured(n, d, seed=23)
    w = np.random.default_rng(24).uniform(0.5, 1.5, size=n)
    init = _init_rows(X, k, seed=25)
    for sample_weight in (None, w):
        a = KMeans(k, init=init, tol=0, algorithm="lloyd").fit(X, sample_weight=sample_weight)
        b = KMeans(k, init=init, tol=0, algorithm="elkan").fit(X, sample_weight=sample_weight)
        assert_array_equal(a.labels_, b.labels_)
        assert_array_equal(a.cluster_centers_, b.cluster_centers_)
        assert a.inertia_ == b.inertia_
        assert a.n_iter_ == b.n_iter_


def test_moved_sums_match_sklearn_threads_and_elkan():
    """Once few labels change, each chunk moves the changed rows between the center sums
    instead of summing all rows again (``lloyd.rs``, ``Part``). On a long run with many such
    iterations, over many chunks and far from the origin (where lost low bits would show):
    scikit-learn's centers to 1e-10, the same labels and iterations, bit-identical results
    with 1 and 2 threads, and Elkan (which makes the same moves) identical to Lloyd."""
    rng = np.random.default_rng(41)
    X = rng.normal(size=(30_000, 6)) + 3.0 * rng.integers(0, 6, size=(30_000, 1)) + 1e4
    init = _init_rows(X, 12, seed=42)
    ref = SKKMeans(12, init=init, n_init=1, tol=0, max_iter=300, algorithm="lloyd").fit(X)
    assert ref.n_iter_ > 20  # many iterations where few labels move
    runs = {}
    for algorithm in ("lloyd", "elkan"):
        for threads in (1, 2):
            km = KMeans(12, init=init, tol=0, max_iter=300, algorithm=algorithm, n_threads=threads)
            runs[algorithm, threads] = km.fit(X)
    a = runs["lloyd", 2]
    assert_array_equal(a.labels_, ref.labels_)
    assert a.n_iter_ == ref.n_iter_
    _assert_close_centers(a.cluster_centers_, ref.cluster_centers_, 1e-10)
    assert a.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)
    for other in runs.values():
        assert_array_equal(other.labels_, a.labels_)
        assert_array_equal(other.cluster_centers_, a.cluster_centers_)
        assert other.inertia_ == a.inertia_
        assert other.n_iter_ == a.n_iter_


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_non_finite_x_rejected_with_sklearn_message(bad, metric):
    """fit reads X's finiteness off its column statistics (no separate scan) under
    euclidean; the messages stay check_array's, whichever way it is found."""
    X = _structured(5000, 4, seed=43)
    X[4321, 2] = bad
    message = "contains NaN" if np.isnan(bad) else "contains infinity"
    with pytest.raises(ValueError, match=message):
        KMeans(3, n_init=1, metric=metric).fit(X)
    # Finite values whose column sums overflow are accepted by the finiteness test.
    Y = np.zeros((4, 2))
    Y[:, 0] = [1.5e308, 1.5e308, -1.5e308, 0.0]
    with pytest.raises(ValueError) as err:
        KMeans(2, n_init=1, init=Y[:2].copy()).fit(Y)
    assert "NaN" not in str(err.value) and "infinity" not in str(err.value)


def test_float32_close_to_float64():
    X = _structured(3000, 8, seed=26)
    init = _init_rows(X, 10, seed=27)

    def fit(dtype):
        def run(max_iter):
            est = KMeans(10, init=init.astype(dtype), tol=0, max_iter=max_iter or 300)
            return est.fit(X.astype(dtype))

        return run

    assert fit(np.float32)(None).cluster_centers_.dtype == np.float32
    _assert_same_float32_run(fit(np.float32), fit(np.float64), X.astype(np.float32), init)
    # Integers and bools are clustered as float64.
    Xi = np.round(X * 10).astype(np.int64)
    assert KMeans(3, n_init=1, random_state=0).fit(Xi).cluster_centers_.dtype == np.float64


def _fit_under_threads(n, **params):
    X = params.pop("X")
    sample_weight = params.pop("sample_weight", None)
    with clustor.num_threads(n):
        km = KMeans(**params).fit(X, sample_weight=sample_weight)
        return km, km.predict(X[:500]), km.transform(X[:500]), km.score(X)


@pytest.mark.parametrize(
    "params",
    [
        dict(algorithm="lloyd", init="k-means++"),
        dict(algorithm="elkan", init="k-means++"),
        dict(algorithm="lloyd", init="random", n_init=3),
        dict(algorithm="lloyd", dtype=np.float32),
        dict(algorithm="elkan", weighted=True),
        dict(algorithm="lloyd", metric="cosine"),
    ],
    ids=["lloyd", "elkan", "random", "float32", "elkan-weighted", "cosine"],
)
def test_thread_count_does_not_change_results(params):
    params = dict(params)
    dtype = params.pop("dtype", np.float64)
    weighted = params.pop("weighted", False)
    # Several chunks of rows, so that the reduction order matters.
    X = _structured(5000, 7, seed=28, dtype=dtype)
    if weighted:
        params["sample_weight"] = np.random.default_rng(29).uniform(size=5000)
    runs = [
        _fit_under_threads(t, X=X, n_clusters=20, random_state=7, tol=0, **params)
        for t in (1, 2, 3)
    ]
    km1, labels1, dist1, score1 = runs[0]
    for km, labels, dist, score in runs[1:]:
        assert_array_equal(km.cluster_centers_, km1.cluster_centers_)
        assert_array_equal(km.labels_, km1.labels_)
        assert km.inertia_ == km1.inertia_
        assert km.n_iter_ == km1.n_iter_
        assert_array_equal(labels, labels1)
        assert_array_equal(dist, dist1)
        assert score == score1
    # The n_threads argument gives the same result too.
    km = KMeans(
        20,
        random_state=7,
        tol=0,
        n_threads=2,
        **{k: v for k, v in params.items() if k != "sample_weight"},
    ).fit(X, sample_weight=params.get("sample_weight"))
    assert_array_equal(km.cluster_centers_, km1.cluster_centers_)


def test_kmeans_plusplus_same_for_any_thread_count():
    X = _structured(6000, 5, seed=30)
    w = np.random.default_rng(31).uniform(size=6000)
    ref = kmeans_plusplus(X, 50, sample_weight=w, random_state=3, n_threads=1)
    for t in (2, 3):
        with clustor.num_threads(t):
            c, idx = kmeans_plusplus(X, 50, sample_weight=w, random_state=3)
        assert_array_equal(idx, ref[1])
        assert_array_equal(c, ref[0])
    c, idx = kmeans_plusplus(X, 50, sample_weight=w, random_state=3, n_threads=2)
    assert_array_equal(idx, ref[1])


def test_random_state_int_randomstate_generator_and_none():
    X = _structured(2000, 3, seed=32)

    def fit(rs, init="k-means++"):
        return KMeans(8, random_state=rs, init=init, n_init=2).fit(X)

    a, b = fit(0), fit(0)
    assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert_array_equal(a.labels_, b.labels_)
    assert a.inertia_ == b.inertia_
    # An int seeds a RandomState, as in scikit-learn.
    c = fit(np.random.RandomState(0))
    assert_array_equal(a.cluster_centers_, c.cluster_centers_)
    g1, g2 = fit(np.random.default_rng(5)), fit(np.random.default_rng(5))
    assert_array_equal(g1.cluster_centers_, g2.cluster_centers_)
    assert_array_equal(g1.labels_, g2.labels_)
    r1, r2 = fit(1, init="random"), fit(1, init="random")
    assert_array_equal(r1.cluster_centers_, r2.cluster_centers_)
    # None draws from NumPy's global RandomState.
    np.random.seed(11)  # noqa: NPY002 - the global state is what None uses
    n1 = fit(None)
    np.random.seed(11)  # noqa: NPY002
    n2 = fit(None)
    assert_array_equal(n1.cluster_centers_, n2.cluster_centers_)
    # A generator passed in is advanced: two fits with it differ in their seeds.
    _, i1 = kmeans_plusplus(X, 8, random_state=0)
    _, i2 = kmeans_plusplus(X, 8, random_state=1)
    assert i1.tolist() != i2.tolist()
    gen = np.random.default_rng(3)
    _, j1 = kmeans_plusplus(X, 8, random_state=gen)
    _, j2 = kmeans_plusplus(X, 8, random_state=gen)
    assert j1.tolist() != j2.tolist()
    with pytest.raises(ValueError):
        KMeans(2, random_state="seed").fit(X)


# --------------------------------------------------------------------------------------
# 4. Cosine metric and normalisation
# --------------------------------------------------------------------------------------

# Unit directions (1,0), (0.8,0.6) | (0,1), (-0.6,0.8), and a zero row.
COS_X = np.array([[2.0, 0.0], [4.0, 3.0], [0.0, 5.0], [-3.0, 4.0], [0.0, 0.0]])
COS_INIT = np.array([[1.0, 0.0], [0.0, 1.0]])
R10 = math.sqrt(10)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_cosine_worked_by_hand(algorithm):
    # Normalised rows: the means of each pair are (0.9, 0.3) and (-0.3, 0.9), directions
    # (3, 1)/√10 and (-1, 3)/√10; every row has cosine 3/√10 to its center, and the zero
    # row has distance 1 (label 0: ties go to the lowest index).
    km = KMeans(2, init=COS_INIT, n_init=1, tol=0, metric="cosine", algorithm=algorithm)
    km.fit(COS_X)
    assert_allclose(km.cluster_centers_, [[3 / R10, 1 / R10], [-1 / R10, 3 / R10]], rtol=1e-14)
    assert_allclose(np.linalg.norm(km.cluster_centers_, axis=1), 1.0, rtol=1e-15)
    assert_array_equal(km.labels_, [0, 0, 1, 1, 0])
    assert km.inertia_ == pytest.approx(4 * (1 - 3 / R10) + 1, rel=1e-13)
    assert km.n_iter_ == 2
    expected = np.array(
        [
            [1 - 3 / R10, 1 + 1 / R10],
            [1 - 3 / R10, 1 - 1 / R10],
            [1 - 1 / R10, 1 - 3 / R10],
            [1 + 1 / R10, 1 - 3 / R10],
            [1.0, 1.0],
        ]
    )
    assert_allclose(km.transform(COS_X), expected, rtol=1e-13, atol=1e-15)
    assert km.score(COS_X) == pytest.approx(-km.inertia_, rel=1e-13)
    w = np.array([1.0, 2.0, 1.0, 1.0, 3.0])
    assert km.score(COS_X, sample_weight=w) == pytest.approx(-(5 * (1 - 3 / R10) + 3), rel=1e-13)
    # Scale does not matter under cosine.
    assert_array_equal(
        km.predict(COS_X * np.array([[7.0], [0.1], [3.0], [2.0], [1.0]])), km.labels_
    )


def test_cosine_weighted_and_unnormalised_centers():
    w = np.array([1.0, 3.0, 1.0, 1.0, 2.0])
    km = KMeans(2, init=COS_INIT, n_init=1, tol=0, metric="cosine").fit(COS_X, sample_weight=w)
    # Weighted mean of (1,0)·1 and (0.8,0.6)·3 (the zero row adds weight, not direction).
    d = np.array([1 + 2.4, 1.8]) / np.hypot(3.4, 1.8)
    assert_allclose(km.cluster_centers_[0], d, rtol=1e-14)
    cos0 = np.array([d[0], 0.8 * d[0] + 0.6 * d[1]])
    assert km.inertia_ == pytest.approx(
        1 * (1 - cos0[0]) + 3 * (1 - cos0[1]) + 2 * (1 - 3 / R10) + 2 * 1.0, rel=1e-13
    )

    raw = KMeans(2, init=COS_INIT, n_init=1, tol=0, metric="cosine", normalize_centers=False)
    raw.fit(COS_X)
    # The same spherical run, reporting the means of the normalised rows.
    assert_allclose(raw.cluster_centers_, [[1.8 / 3, 0.6 / 3], [-0.3, 0.9]], rtol=1e-14)
    assert_array_equal(raw.labels_, [0, 0, 1, 1, 0])
    assert raw.inertia_ == pytest.approx(4 * (1 - 3 / R10) + 1, rel=1e-13)
    assert_array_equal(raw.predict(COS_X), raw.labels_)


def test_cosine_on_random_data_is_spherical_kmeans():
    rng = np.random.default_rng(33)
    X = rng.normal(size=(1500, 6)) + 3 * rng.normal(size=(5, 6))[rng.integers(0, 5, 1500)]
    w = rng.uniform(0.5, 2, size=1500)
    km = KMeans(5, metric="cosine", random_state=0, n_init=2).fit(X, sample_weight=w)
    C = km.cluster_centers_
    assert_allclose(np.linalg.norm(C, axis=1), 1.0, rtol=1e-12)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    cos = Xn @ C.T
    assert_array_equal(km.labels_, np.argmax(cos, axis=1))
    assert km.inertia_ == pytest.approx(np.sum(w * (1 - cos.max(axis=1))), rel=1e-10)
    # Each center is the direction of the weighted mean of its normalised rows.
    for j in range(5):
        m = (w[km.labels_ == j, None] * Xn[km.labels_ == j]).sum(axis=0)
        assert_allclose(C[j], m / np.linalg.norm(m), rtol=1e-10, atol=1e-12)
    # Invariant to positive row scaling.
    scaled = KMeans(5, metric="cosine", random_state=0, n_init=2)
    scaled.fit(X * rng.uniform(0.1, 10, size=(1500, 1)), sample_weight=w)
    assert_array_equal(scaled.labels_, km.labels_)
    _assert_close_centers(scaled.cluster_centers_, C, 1e-10)


def test_metric_spellings():
    X = _structured(800, 3, seed=34)
    base = KMeans(4, random_state=0).fit(X)
    for spelling in ("l2", "EUCLIDEAN", "Euclidean", "L2"):
        km = KMeans(4, random_state=0, metric=spelling).fit(X)
        assert_array_equal(km.cluster_centers_, base.cluster_centers_)
        assert km.inertia_ == base.inertia_
    cos = KMeans(4, random_state=0, metric="cosine").fit(X)
    for spelling in ("COSINE", "Cosine"):
        km = KMeans(4, random_state=0, metric=spelling).fit(X)
        assert_array_equal(km.cluster_centers_, cos.cluster_centers_)
    with pytest.raises(ValueError, match="metric"):
        KMeans(4, metric="manhattan").fit(X)


def test_normalize_input_and_normalize_centers_under_euclidean():
    X = _structured(1000, 4, seed=35) + 1.0
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    init = _init_rows(Xn, 5, seed=36)
    a = KMeans(5, init=init, n_init=1, tol=0, normalize_input=True).fit(X)
    b = KMeans(5, init=init, n_init=1, tol=0).fit(Xn)
    assert_array_equal(a.labels_, b.labels_)
    _assert_close_centers(a.cluster_centers_, b.cluster_centers_, 1e-12)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-12)
    X_new = _structured(200, 4, seed=37) + 1.0
    X_new_n = X_new / np.linalg.norm(X_new, axis=1, keepdims=True)
    assert_array_equal(a.predict(X_new), b.predict(X_new_n))
    assert_allclose(a.transform(X_new), b.transform(X_new_n), rtol=1e-12)

    c = KMeans(5, init=init, n_init=1, tol=0, normalize_centers=True).fit(X)
    assert_allclose(np.linalg.norm(c.cluster_centers_, axis=1), 1.0, rtol=1e-12)
    # Reported inertia and labels are those of the reported (unit) centers.
    d2 = ((X[:, None, :] - c.cluster_centers_[None]) ** 2).sum(-1)
    assert_array_equal(c.labels_, d2.argmin(axis=1))
    assert c.inertia_ == pytest.approx(d2.min(axis=1).sum(), rel=1e-10)


# --------------------------------------------------------------------------------------
# 5. verbose
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verbose_prints_sklearn_like_progress(algorithm, capfd):
    X = np.array([[0, 0], [0, 1], [1, 0], [4, 4], [4, 5], [5, 4]], dtype=np.float64)
    init = np.array([[0.0, 0.0], [0.0, 1.0]])
    KMeans(2, init=init, n_init=1, tol=0, verbose=1, algorithm=algorithm).fit(X)
    lines = capfd.readouterr().out.splitlines()
    assert lines[0] == "Initialization complete"
    assert [line.split(",")[0] for line in lines[1:4]] == [
        "Iteration 0",
        "Iteration 1",
        "Iteration 2",
    ]
    # Iteration i reports the inertia of its labels against the centers it started from:
    # 0 + 0 + 1 + 25 + 32 + 34, then 8.6875 (see test_2d_worked_by_hand), then 8/3.
    inertias = [float(line.split("inertia ")[1].rstrip(".")) for line in lines[1:4]]
    assert inertias == pytest.approx([92.0, 8.6875, 8 / 3], rel=1e-12)
    assert lines[4] == "Converged at iteration 2: strict convergence."
    assert len(lines) == 5

    Xr = np.random.default_rng(0).normal(size=(200, 2))
    KMeans(3, init=Xr[:3].copy(), n_init=1, tol=1e-2, verbose=1, algorithm=algorithm).fit(Xr)
    lines = capfd.readouterr().out.splitlines()
    assert lines[0] == "Initialization complete"
    m = re.fullmatch(
        r"Converged at iteration (\d+): center shift (\S+) within tolerance (\S+)\.", lines[-1]
    )
    assert m is not None, lines[-1]
    assert int(m.group(1)) == len(lines) - 3
    assert 0 <= float(m.group(2)) <= float(m.group(3))
    assert float(m.group(3)) == pytest.approx(1e-2 * np.var(Xr, axis=0).mean(), rel=1e-12)

    KMeans(2, init=init, n_init=1, tol=0).fit(X)
    assert capfd.readouterr().out == ""


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("offset", [0.0, 3.0, 50.0])
def test_centering_only_where_it_gains_and_tolerance_as_sklearn(monkeypatch, dtype, offset):
    """fit centers X (a copy) only where the mean row's squared norm exceeds the summed
    column variance (centering gains more than a bit in ‖x‖² − 2x·c + ‖c‖²); else the
    kernels get X itself. Either way the tolerance is scikit-learn's (from the column
    statistics, or the centering pass) and the result agrees with scikit-learn."""
    from sklearn.cluster._kmeans import _tolerance as sk_tolerance

    rng = np.random.default_rng(44)
    # Four groups around the origin, summed column variance ~76: an offset of 3 keeps
    # ‖μ‖² (45) below it, 50 does not.
    X = 2 * rng.normal(size=(4000, 5)) + 3.0 * rng.integers(0, 4, size=(4000, 1)) - 4.5
    X = (X + offset).astype(dtype)
    mean_sq = float((X.mean(0, dtype=np.float64) ** 2).sum())
    variance = float(X.var(0, dtype=np.float64).sum())
    seen = {}
    fit = clustor._core.kmeans_fit

    def spy(X_kernel, w, centers0, max_iter, tol, *args, **kwargs):
        seen["shares"], seen["tol"] = np.shares_memory(X_kernel, X), tol
        seen["mean_sq"] = float((X_kernel.mean(0, dtype=np.float64) ** 2).sum())
        return fit(X_kernel, w, centers0, max_iter, tol, *args, **kwargs)

    monkeypatch.setattr(clustor._core, "kmeans_fit", spy)
    init = X[[0, 1000, 2000, 3000]].copy()
    km = KMeans(4, init=init, n_init=1, tol=1e-3).fit(X)
    centered = mean_sq > variance
    assert centered == (offset == 50.0)
    assert seen["shares"] == (not centered)
    if centered:
        assert seen["mean_sq"] < 1e-6 * variance
    rel = 1e-12 if dtype == np.float64 else 1e-6
    assert seen["tol"] == pytest.approx(sk_tolerance(X, 1e-3), rel=rel)
    ref = SKKMeans(4, init=init, n_init=1, tol=1e-3).fit(X)
    assert_array_equal(km.labels_, ref.labels_)
    assert km.n_iter_ == ref.n_iter_
    _assert_close_centers(km.cluster_centers_, ref.cluster_centers_, rel)
    # tol=0 is passed as it is; MiniBatchKMeans's tolerance is the same figure.
    KMeans(4, init=init, n_init=1, tol=0).fit(X)
    assert seen["tol"] == 0.0
    from clustor.cluster._kmeans import _tolerance

    assert _tolerance(X, 1e-3) == pytest.approx(sk_tolerance(X, 1e-3), rel=rel)


def test_one_pass_variance_cancels_only_where_refused():
    """The one-pass variance is accurate where ‖μ‖² ≤ V and refused elsewhere (where
    Σx²/n − μ² cancels), so a huge offset falls back to the two-pass variance."""
    from clustor.cluster._kmeans import _one_pass_variance, _tolerance

    rng = np.random.default_rng(45)
    X = rng.normal(size=(20_000, 7)) * np.arange(1, 8)
    for shift, accepted in ((0.0, True), (2.0, True), (1e6, False)):
        Y = X + shift
        _, _, sums, squares = clustor._core.column_stats(Y, 2, squares=True)
        v = _one_pass_variance(sums, squares, len(Y))
        assert (v is not None) == accepted
        if accepted:
            assert v == pytest.approx(Y.var(0).sum(), rel=1e-13)
        assert _tolerance(Y, 1e-4) == pytest.approx(Y.var(0).mean() * 1e-4, rel=1e-9)
