"""clustor.hierarchy: linkage equal to SciPy's, cuts, memory refusal, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.cluster import hierarchy as sch
from scipy.spatial.distance import pdist

import clustor
from clustor import hierarchy as ch

METHODS = ["single", "complete", "average", "weighted", "ward", "centroid", "median"]
METRICS = ["euclidean", "sqeuclidean", "cosine", "cityblock", "chebyshev"]


def scipy_linkage(y, method, metric="euclidean"):
    with warnings.catch_warnings():
        # SciPy warns that centroid/median/ward are meant for Euclidean distances.
        warnings.simplefilter("ignore")
        return sch.linkage(y, method=method, metric=metric)


def assert_same_linkage(Z, ref):
    assert Z.shape == ref.shape and Z.dtype == np.float64
    np.testing.assert_array_equal(Z[:, [0, 1, 3]], ref[:, [0, 1, 3]])
    np.testing.assert_allclose(Z[:, 2], ref[:, 2], rtol=1e-10, atol=0, equal_nan=True)


def test_by_hand():
    # Points 0, 1, 3, 7 on a line.
    X = np.array([[0.0], [1.0], [3.0], [7.0]])
    single = ch.linkage(X, "single")
    np.testing.assert_array_equal(single, [[0, 1, 1, 2], [2, 4, 2, 3], [3, 5, 4, 4]])
    complete = ch.linkage(X, "complete")
    np.testing.assert_array_equal(complete, [[0, 1, 1, 2], [2, 4, 3, 3], [3, 5, 7, 4]])
    average = ch.linkage(X, "average")
    # {0,1} to 3: (3 + 2) / 2; {0,1,3} to 7: (7 + 6 + 4) / 3.
    np.testing.assert_allclose(average[:, 2], [1, 2.5, 17 / 3])
    ward = ch.linkage(X, "ward")
    # {0,1} with 3: sqrt(2 * 2*1/3 * (3 - 0.5)^2); then with 7: centroid 4/3, sizes 3 and 1.
    np.testing.assert_allclose(
        ward[:, 2], [1, np.sqrt(2 * 2 / 3 * 2.5**2), np.sqrt(2 * 3 / 4 * (7 - 4 / 3) ** 2)]
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("method", METHODS)
def test_equals_scipy_on_observations(method, metric, dtype):
    rng = np.random.default_rng(METHODS.index(method) * 10 + METRICS.index(metric))
    X = rng.normal(size=(60, 4)).astype(dtype)
    if method in ("ward", "centroid", "median") and metric != "euclidean":
        # Defined for Euclidean distances only (SciPy refuses the same way).
        with pytest.raises(ValueError, match="requires the distance metric to be Euclidean"):
            ch.linkage(X, method, metric)
        return
    assert_same_linkage(ch.linkage(X, method, metric), scipy_linkage(X, method, metric))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("method", METHODS)
def test_equals_scipy_on_condensed(method, dtype):
    rng = np.random.default_rng(5)
    y = pdist(rng.uniform(size=(50, 3))).astype(dtype)
    assert_same_linkage(ch.linkage(y, method), scipy_linkage(y, method))


@pytest.mark.parametrize("method", ["single", "ward", "centroid", "median", "average"])
def test_larger_input_matrix_free_routes(method):
    # Enough points for the parallel scans (chunks) to run.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1500, 24))
    Z = ch.linkage(X, method)
    assert_same_linkage(Z, scipy_linkage(X, method))
    with clustor.num_threads(1):
        assert np.array_equal(ch.linkage(X, method), Z)


@pytest.mark.parametrize("method", METHODS)
def test_ties_give_valid_tree_with_scipy_heights(method):
    # A grid: many equal distances.
    g = np.arange(5.0)
    X = np.array([[a, b] for a in g for b in g])
    Z = ch.linkage(X, method)
    ref = scipy_linkage(X, method)
    assert sch.is_valid_linkage(Z)
    np.testing.assert_allclose(np.sort(Z[:, 2]), np.sort(ref[:, 2]), rtol=1e-10)
    np.testing.assert_array_equal(np.sort(Z[:, 3]), np.sort(ref[:, 3]))


@pytest.mark.parametrize("method", METHODS)
def test_duplicates_and_two_points(method):
    X = np.array([[1.0, 2.0]] * 5 + [[3.0, 2.0]])
    Z = ch.linkage(X, method)
    assert_same_linkage(Z, scipy_linkage(X, method))
    Z2 = ch.linkage(np.array([[0.0, 0.0], [3.0, 4.0]]), method)
    np.testing.assert_allclose(Z2, [[0, 1, 5, 2]])


def test_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        ch.linkage(np.array([[0.0], [np.nan]]))
    with pytest.raises(ValueError, match="minimum of 2"):
        ch.linkage(np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="n\\(n-1\\)/2"):
        ch.linkage(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="at least 2 observations"):
        ch.linkage(np.array([], dtype=float))
    with pytest.raises(ValueError, match="Invalid method"):
        ch.linkage(np.zeros((3, 2)), "nearest")
    with pytest.raises(ValueError, match="Unsupported metric"):
        ch.linkage(np.zeros((3, 2)), "single", "minkowski")
    with pytest.raises(ValueError, match="infinity"):
        ch.linkage(np.array([1.0, np.inf, 2.0]))


def test_memory_error_up_front(monkeypatch):
    monkeypatch.setattr(ch, "_available_memory", lambda: 1000)
    X = np.random.default_rng(0).normal(size=(100, 3))
    with pytest.raises(MemoryError, match=r"average.*GiB.*method='ward'"):
        ch.linkage(X, "average")
    with pytest.raises(MemoryError, match="condensed distance matrix"):
        clustor.AgglomerativeClustering(linkage="complete").fit(X)
    # The matrix-free routes still run.
    for method in ("single", "ward", "centroid", "median"):
        assert ch.linkage(X, method).shape == (99, 4)
    assert clustor.AgglomerativeClustering(n_clusters=3).fit(X).n_clusters_ == 3


@pytest.mark.parametrize("method", METHODS)
def test_cuts_and_leaves_match_scipy(method):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    Z = ch.linkage(X, method)
    np.testing.assert_array_equal(ch.leaves_list(Z), sch.leaves_list(Z))
    for k in (1, 2, 3, 7, 40, 50):
        np.testing.assert_array_equal(
            ch.fcluster(Z, k, criterion="maxclust"), sch.fcluster(Z, k, criterion="maxclust")
        )
    for t in (0.0, 0.3, 0.8, 2.0, 100.0):
        np.testing.assert_array_equal(
            ch.fcluster(Z, t, criterion="distance"), sch.fcluster(Z, t, criterion="distance")
        )
    np.testing.assert_allclose(ch.cophenet(Z), sch.cophenet(Z), rtol=0, atol=0)


def test_cut_errors():
    Z = ch.linkage(np.array([[0.0], [1.0], [5.0]]), "single")
    with pytest.raises(ValueError, match="criterion"):
        ch.fcluster(Z, 2, criterion="inconsistent")
    with pytest.raises(ValueError, match="maxclust"):
        ch.fcluster(Z, 0, criterion="maxclust")
    with pytest.raises(ValueError, match="shape"):
        ch.leaves_list(np.zeros((2, 3)))


def test_seed_alias():
    X = np.random.default_rng(2).normal(size=(30, 3))
    np.testing.assert_array_equal(clustor.hac_dendrogram(X), ch.linkage(X, "average"))
    np.testing.assert_array_equal(
        clustor.hac_dendrogram(X, method="ward", metric="euclidean"), ch.linkage(X, "ward")
    )
