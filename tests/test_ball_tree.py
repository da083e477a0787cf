"""The ball tree (algorithm='ball_tree'): the same neighbours as the KD-tree and the scan, so
DBSCAN, OPTICS and NearestNeighbors give exactly the results of 'kd_tree', 'brute' and
scikit-learn, ties at exactly eps included."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.cluster import DBSCAN as SkDBSCAN
from sklearn.cluster import OPTICS as SkOPTICS
from sklearn.neighbors import NearestNeighbors as SkNN

import clustor
from clustor import DBSCAN, OPTICS
from clustor.neighbors import NearestNeighbors

INF = math.inf
EPS = {"euclidean": 0.5, "manhattan": 0.8, "cosine": 0.005}


def _blobs(n: int, d: int, seed: int, spread: float = 0.6) -> np.ndarray:
    rng = np.random.RandomState(seed)
    centers = rng.uniform(-5, 5, size=(4, d))
    return centers[rng.randint(0, 4, n)] + rng.normal(scale=spread, size=(n, d))


def _grid(n: int, d: int, seed: int, top: int) -> np.ndarray:
    """Integer coordinates: many distances equal eps exactly."""
    return np.random.RandomState(seed).randint(0, top, size=(n, d)).astype(np.float64)


def _dbscan_all(X, **params):
    """DBSCAN fitted with each algorithm, on 1 and 2 threads; all results equal → the one."""
    out = None
    for algorithm in ("ball_tree", "kd_tree", "brute"):
        for threads in (1, 2):
            with clustor.num_threads(threads):
                est = DBSCAN(algorithm=algorithm, **params).fit(X)
            got = (est.labels_, est.core_sample_indices_)
            if out is None:
                out = got
            else:
                assert_array_equal(got[0], out[0], err_msg=f"{algorithm} {threads}")
                assert_array_equal(got[1], out[1], err_msg=f"{algorithm} {threads}")
    return out


def _sk_dbscan(X, **params):
    # scikit-learn's own ball tree loses some points at exactly eps (its ball bounds have no
    # slack for rounding: with manhattan, d=2, queries X + 0.5 and radius 1 as in
    # test_nearest_neighbors_ball_tree it finds 3015 of 3027); its KD-tree is exact.
    sk_alg = "brute" if params.get("metric") == "cosine" else "kd_tree"
    est = SkDBSCAN(algorithm=sk_alg, **params).fit(X)
    return est.labels_, est.core_sample_indices_


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("d", [2, 3, 16])
def test_dbscan_blobs_equal_every_algorithm_and_sklearn(metric, dtype, d):
    X = _blobs(600, d, seed=d).astype(dtype)
    # eps: the median distance to the 6th neighbour (about half the points are core).
    kth = SkNN(n_neighbors=6, metric=metric, algorithm="brute").fit(X).kneighbors()[0][:, -1]
    eps = float(np.median(kth))
    labels, core = _dbscan_all(X, eps=eps, min_samples=6, metric=metric)
    want = _sk_dbscan(X, eps=eps, min_samples=6, metric=metric)
    assert_array_equal(labels, want[0])
    assert_array_equal(core, want[1])
    assert len(set(labels.tolist())) > 2


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("d", [1, 2, 3, 6])
@pytest.mark.parametrize("leaf_size", [1, 5, 30, 1000])
def test_dbscan_integer_grids_ties_at_eps(metric, d, leaf_size):
    for seed, (eps, ms) in enumerate([(1.0, 3), (2.0, 5), (1.5, 4), (3.0, 9)]):
        X = _grid(400, d, seed, top=int(40 ** (1 / d)) + 6)
        want = _sk_dbscan(X, eps=eps, min_samples=ms, metric=metric)
        for dtype in (np.float64, np.float32):
            labels, core = _dbscan_all(
                X.astype(dtype), eps=eps, min_samples=ms, metric=metric, leaf_size=leaf_size
            )
            assert_array_equal(labels, want[0])
            assert_array_equal(core, want[1])


def test_dbscan_duplicates_single_sample_and_far_offset():
    X = np.repeat(_grid(50, 2, 1, top=5), 3, axis=0)
    labels, _ = _dbscan_all(X, eps=1.0, min_samples=4)
    assert_array_equal(labels, _sk_dbscan(X, eps=1.0, min_samples=4)[0])
    one = DBSCAN(eps=0.5, min_samples=1, algorithm="ball_tree").fit([[1.0, 2.0]])
    assert one.labels_.tolist() == [0]
    # Far from the origin the ball centres are far from the queries; points at exactly eps
    # (all coordinates exact in binary) must still be found.
    Xf = 1e6 + 0.25 * _grid(500, 3, 2, top=8)
    for eps, ms in [(0.25, 3), (0.5, 6), (0.75, 10)]:
        labels, core = _dbscan_all(Xf, eps=eps, min_samples=ms, leaf_size=4)
        want = _sk_dbscan(Xf, eps=eps, min_samples=ms)
        assert_array_equal(labels, want[0])
        assert_array_equal(core, want[1])


def test_dbscan_sample_weight():
    X = _grid(300, 2, 9, top=15)
    w = np.random.RandomState(0).randint(-1, 3, size=300).astype(np.float64)
    ref = DBSCAN(eps=1.5, min_samples=4, algorithm="kd_tree").fit(X, sample_weight=w)
    est = DBSCAN(eps=1.5, min_samples=4, algorithm="ball_tree").fit(X, sample_weight=w)
    assert_array_equal(est.labels_, ref.labels_)
    sk = SkDBSCAN(eps=1.5, min_samples=4).fit(X, sample_weight=w)
    assert_array_equal(est.labels_, sk.labels_)


def _optics_attrs(est):
    return [est.ordering_, est.core_distances_, est.reachability_, est.predecessor_, est.labels_]


@pytest.mark.parametrize("metric", ["minkowski", "euclidean", "manhattan", "cosine"])
@pytest.mark.parametrize("max_eps", [2.0, INF])
def test_optics_ball_tree_equals_kd_tree_and_sklearn(metric, max_eps):
    X = _blobs(300, 3, seed=4)
    if metric == "cosine":
        max_eps = min(max_eps, 0.1)
    kw = {"min_samples": 6, "metric": metric, "max_eps": max_eps, "leaf_size": 7}
    ref = OPTICS(algorithm="kd_tree", **kw).fit(X)
    for dtype in (np.float64, np.float32):
        for threads in (1, 2):
            with clustor.num_threads(threads):
                est = OPTICS(algorithm="ball_tree", **kw).fit(X.astype(dtype))
            if dtype == np.float64:
                for a, b in zip(_optics_attrs(est), _optics_attrs(ref)):
                    assert_array_equal(a, b)
    # scikit-learn, on the integer grid (ties everywhere) and the blobs; its trees measure
    # these metrics exactly, as ours do ('euclidean' and 'cosine' through its BLAS formula,
    # which clustor reproduces only where the BLAS is the modelled one: compared with
    # clustor's own KD-tree above).
    if metric in ("minkowski", "manhattan"):
        for Xs in (X, _grid(250, 2, 5, top=9)):
            ours = OPTICS(algorithm="ball_tree", **kw).fit(Xs)
            with np.errstate(divide="ignore"):  # scikit-learn's ξ divides by 0 on ties
                sk = SkOPTICS(algorithm="kd_tree", **kw).fit(Xs)
            assert_array_equal(ours.ordering_, sk.ordering_)
            assert_array_equal(ours.predecessor_, sk.predecessor_)
            np.testing.assert_allclose(ours.reachability_, sk.reachability_, rtol=1e-12, atol=0)
            np.testing.assert_allclose(ours.core_distances_, sk.core_distances_, rtol=1e-12, atol=0)
            assert_array_equal(ours.labels_, sk.labels_)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine"])
@pytest.mark.parametrize("d", [2, 5, 20, 64])
def test_nearest_neighbors_ball_tree(metric, d):
    X = np.random.RandomState(d).randint(0, 4, size=(400, d)).astype(np.float64)
    X[:399:7] = X[1::7]  # duplicates
    Q = X[:40] + 0.5
    sk_alg = "brute" if metric == "cosine" else "kd_tree"
    sk = SkNN(n_neighbors=6, metric=metric, algorithm=sk_alg).fit(X)
    ball = NearestNeighbors(n_neighbors=6, metric=metric, algorithm="ball_tree", leaf_size=5).fit(X)
    brute = NearestNeighbors(n_neighbors=6, metric=metric, algorithm="brute").fit(X)
    # Radii hit exactly by many points (queries at half-integer offsets).
    r = {"euclidean": 2.0 * math.sqrt(d / 4), "manhattan": float(d // 2), "cosine": 0.1}[metric]
    for q in (Q, None):
        d_b, i_b = ball.kneighbors(q)
        d_s, i_s = brute.kneighbors(q)
        assert_array_equal(i_b, i_s)
        assert_array_equal(d_b, d_s)
        d_sk, _ = sk.kneighbors(q)
        np.testing.assert_allclose(d_b, d_sk, rtol=1e-9, atol=1e-12)
        rd_b, ri_b = ball.radius_neighbors(q, radius=r, sort_results=True)
        rd_s, ri_s = brute.radius_neighbors(q, radius=r, sort_results=True)
        for a, b, c, e in zip(ri_b, ri_s, rd_b, rd_s):
            assert_array_equal(a, b)
            assert_array_equal(c, e)
        if metric != "cosine":
            _, ri_sk = sk.radius_neighbors(q, radius=r)
            for a, b in zip(ri_b, ri_sk):
                assert sorted(a.tolist()) == sorted(b.tolist())
