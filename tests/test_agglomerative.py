"""AgglomerativeClustering: identical to scikit-learn's (children, distances, labels)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn import cluster as skc

import clustor
from clustor import AgglomerativeClustering

LINKAGES = ["ward", "complete", "average", "single"]


def both(X, **kw):
    ours = AgglomerativeClustering(**kw).fit(X)
    ref = skc.AgglomerativeClustering(**kw).fit(X)
    return ours, ref


def assert_same(ours, ref):
    np.testing.assert_array_equal(ours.children_, ref.children_)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.labels_.dtype == np.int64
    assert ours.n_clusters_ == ref.n_clusters_
    assert ours.n_leaves_ == ref.n_leaves_
    assert ours.n_connected_components_ == ref.n_connected_components_
    assert ours.n_features_in_ == ref.n_features_in_
    if hasattr(ref, "distances_"):
        np.testing.assert_allclose(ours.distances_, ref.distances_, rtol=1e-10)
    else:
        assert not hasattr(ours, "distances_")


def test_by_hand():
    X = np.array([[1, 2], [1, 4], [1, 0], [4, 2], [4, 4], [4, 0]])
    est = AgglomerativeClustering(n_clusters=2, compute_distances=True).fit(X)
    assert est.labels_.tolist() == [1, 1, 1, 0, 0, 0]
    # Ward merges the two columns of three points last: sqrt(2 * 3*3/6 * 3^2).
    assert est.distances_[-1] == pytest.approx(np.sqrt(27))
    assert est["labels"].tolist() == est.labels_.tolist()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("linkage", LINKAGES)
def test_equals_sklearn_n_clusters(linkage, dtype):
    rng = np.random.default_rng(LINKAGES.index(linkage))
    X = rng.normal(size=(80, 3)).astype(dtype)
    for k in (1, 2, 3, 5, 17, 80):
        assert_same(*both(X, n_clusters=k, linkage=linkage))
    assert_same(*both(X, n_clusters=4, linkage=linkage, compute_distances=True))


@pytest.mark.parametrize("linkage", LINKAGES)
def test_equals_sklearn_distance_threshold(linkage):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(70, 2))
    ref_d = skc.AgglomerativeClustering(linkage=linkage, compute_distances=True).fit(X).distances_
    for t in (0.0, float(np.median(ref_d)), float(ref_d.max()) / 2, float(ref_d.max()) + 1):
        assert_same(*both(X, n_clusters=None, distance_threshold=t, linkage=linkage))


@pytest.mark.parametrize("metric", ["l1", "l2", "manhattan", "cosine", "euclidean"])
@pytest.mark.parametrize("linkage", ["complete", "average", "single"])
def test_equals_sklearn_metrics(linkage, metric):
    X = np.random.default_rng(4).uniform(size=(50, 4))
    assert_same(*both(X, n_clusters=4, linkage=linkage, metric=metric))


@pytest.mark.parametrize("linkage", ["complete", "average", "single"])
def test_precomputed_and_callable(linkage):
    from sklearn.metrics import pairwise_distances

    X = np.random.default_rng(5).uniform(size=(40, 3))
    D = pairwise_distances(X, metric="manhattan")
    ours, ref = both(D, n_clusters=3, linkage=linkage, metric="precomputed")
    assert_same(ours, ref)
    call = AgglomerativeClustering(
        n_clusters=3, linkage=linkage, metric=lambda A: pairwise_distances(A, metric="l1")
    ).fit(X)
    np.testing.assert_array_equal(call.labels_, ref.labels_)


def test_larger_ward_without_matrix_and_threads():
    X = np.random.default_rng(6).normal(size=(3000, 5))
    ours, ref = both(X, n_clusters=20)
    assert_same(ours, ref)
    with clustor.num_threads(1):
        one = AgglomerativeClustering(n_clusters=20, compute_distances=True).fit(X)
    two = AgglomerativeClustering(n_clusters=20, compute_distances=True).fit(X)
    np.testing.assert_array_equal(one.distances_, two.distances_)


def test_errors():
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="Exactly one of n_clusters"):
        AgglomerativeClustering(n_clusters=2, distance_threshold=1.0).fit(X)
    with pytest.raises(ValueError, match="Exactly one of n_clusters"):
        AgglomerativeClustering(n_clusters=None).fit(X)
    with pytest.raises(ValueError, match="Ward can only work with euclidean"):
        AgglomerativeClustering(metric="cosine").fit(X)
    with pytest.raises(ValueError, match="compute_full_tree must be True"):
        AgglomerativeClustering(
            n_clusters=None, distance_threshold=1.0, compute_full_tree=False
        ).fit(X)
    with pytest.raises(ValueError, match="connectivity is not supported"):
        AgglomerativeClustering(connectivity=np.eye(10)).fit(X)
    with pytest.raises(ValueError, match="Cannot extract more clusters"):
        AgglomerativeClustering(n_clusters=11).fit(X)
    with pytest.raises(ValueError, match="minimum of 2"):
        AgglomerativeClustering().fit(X[:1])
    with pytest.raises(ValueError, match="NaN"):
        AgglomerativeClustering().fit(np.array([[0.0], [np.nan], [1.0]]))
    with pytest.raises(ValueError, match="linkage"):
        AgglomerativeClustering(linkage="centroid").fit(X)
    with pytest.raises(ValueError, match="square"):
        AgglomerativeClustering(metric="precomputed", linkage="average").fit(X)


def test_two_points_duplicates_and_pickle():
    est = AgglomerativeClustering(n_clusters=1).fit(np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert est.labels_.tolist() == [0, 0]
    X = np.array([[1.0, 1.0]] * 6 + [[5.0, 5.0]] * 4)
    ours, ref = both(X, n_clusters=2)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    again = pickle.loads(pickle.dumps(ours))
    np.testing.assert_array_equal(again.labels_, ours.labels_)
