"""Neighbour search against scikit-learn's NearestNeighbors and a brute-force scan."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors as SkNN

import clustor
from clustor.neighbors import NearestNeighbors


def _data(n: int, d: int, seed: int, grid: bool = False) -> np.ndarray:
    rng = np.random.RandomState(seed)
    if grid:
        return rng.randint(0, 6, size=(n, d)).astype(np.float64)
    return rng.normal(size=(n, d))


def test_by_hand():
    X = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 0.0], [0.0, 1.0]])
    nn = NearestNeighbors(n_neighbors=2).fit(X)
    dist, ind = nn.kneighbors([[0.0, 0.0]])
    # (2, 0) and (3, 0)... ties at distance 1 go to the lowest index.
    assert ind.tolist() == [[0, 2]]
    assert dist.tolist() == [[0.0, 1.0]]
    d, i = nn.radius_neighbors([[0.0, 0.0]], radius=5.0, sort_results=True)
    assert i[0].tolist() == [0, 2, 3, 1]
    assert d[0].tolist() == [0.0, 1.0, 1.0, 5.0]
    # The boundary is inside: distance 5 <= radius 5.
    assert nn.radius_neighbors([[0.0, 0.0]], radius=4.999, return_distance=False)[0].size == 3
    d, i = NearestNeighbors(metric="manhattan").fit(X).radius_neighbors([[0.0, 0.0]], 7.0)
    assert i[0].tolist() == [0, 1, 2, 3] and d[0].tolist() == [0.0, 7.0, 1.0, 1.0]


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine"])
@pytest.mark.parametrize("algorithm", ["kd_tree", "brute"])
@pytest.mark.parametrize("d", [2, 5, 20])
def test_kneighbors_matches_sklearn(metric, algorithm, d):
    X = _data(400, d, d)
    Q = _data(50, d, d + 100)
    sk_alg = "brute" if metric == "cosine" else "kd_tree"
    sk = SkNN(n_neighbors=6, metric=metric, algorithm=sk_alg).fit(X)
    ours = NearestNeighbors(n_neighbors=6, metric=metric, algorithm=algorithm).fit(X)
    for q in [Q, None]:
        d_sk, i_sk = sk.kneighbors(q)
        d_us, i_us = ours.kneighbors(q)
        np.testing.assert_array_equal(i_us, i_sk)
        np.testing.assert_allclose(d_us, d_sk, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_radius_neighbors_matches_sklearn_on_ties(metric):
    X = _data(500, 3, 1, grid=True)
    sk = SkNN(metric=metric, algorithm="kd_tree").fit(X)
    for leaf_size in [1, 30]:
        for algorithm in ["kd_tree", "brute", "auto"]:
            ours = NearestNeighbors(metric=metric, algorithm=algorithm, leaf_size=leaf_size).fit(X)
            for q in [X[:60], None]:
                for r in [0.0, 1.0, 2.0]:
                    d_sk, i_sk = sk.radius_neighbors(q, radius=r, sort_results=True)
                    d_us, i_us = ours.radius_neighbors(q, radius=r, sort_results=True)
                    for a, b, c, e in zip(i_us, i_sk, d_us, d_sk):
                        # Equal distances: scikit-learn's order among them is the tree's.
                        assert sorted(a.tolist()) == sorted(b.tolist())
                        np.testing.assert_array_equal(c, e)
                    i_plain = ours.radius_neighbors(q, radius=r, return_distance=False)
                    assert all(np.all(np.diff(a) > 0) for a in i_plain)


def test_float32_threads_and_kneighbors_ties():
    X = _data(800, 2, 3, grid=True)
    ref = NearestNeighbors(n_neighbors=7).fit(X).kneighbors()
    for dtype in [np.float32, np.float64]:
        for n in [1, 2]:
            with clustor.num_threads(n):
                d, i = NearestNeighbors(n_neighbors=7).fit(X.astype(dtype)).kneighbors()
            np.testing.assert_array_equal(i, ref[1])
            np.testing.assert_array_equal(d, ref[0])
    # Ties broken by index: a scan sorted by (distance, index) gives the same neighbours.
    full = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(full, np.inf)
    order = np.lexsort((np.broadcast_to(np.arange(800), full.shape), full), axis=1)[:, :7]
    np.testing.assert_array_equal(ref[1], order)


def test_bad_input():
    nn = NearestNeighbors().fit(_data(10, 2, 0))
    with pytest.raises(ValueError, match="n_neighbors"):
        nn.kneighbors(n_neighbors=10)
    with pytest.raises(ValueError, match="2 features"):
        nn.kneighbors(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        nn.kneighbors([[np.nan, 0.0]])
    with pytest.raises(ValueError, match="radius"):
        nn.radius_neighbors(radius=-1.0)
    with pytest.raises(ValueError, match="NaN"):
        NearestNeighbors().fit([[np.nan, 0.0]])
    with pytest.raises(ValueError, match="metric"):
        NearestNeighbors(metric="chebyshev").fit([[0.0, 0.0]])
    with pytest.raises(clustor.NotFittedError):
        NearestNeighbors().kneighbors([[0.0, 0.0]])
