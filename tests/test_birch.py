"""Birch: hand-worked trees, agreement with scikit-learn (fit, partial_fit, global step),
float32/float64, pickling mid-stream, bad input."""

from __future__ import annotations

import pickle
import warnings

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from clustor import Birch, ConvergenceWarning, KMeans, birch

sk_cluster = pytest.importorskip("sklearn.cluster")


def _blobs(n, d, k, seed, sd=1.0):
    rng = np.random.RandomState(seed)
    centers = rng.uniform(-10, 10, (k, d))
    return centers[rng.randint(k, size=n)] + rng.randn(n, d) * sd


def _leaves(node):
    out = []
    if node.is_leaf:
        return [node]
    for sub in node.subclusters_:
        out += _leaves(sub.child_)
    return out


def test_hand_worked_merge():
    # threshold 0.6: 0 and 1 merge (radius 0.5); 5 would give radius 2.16, so it starts a
    # subcluster; 5.5 joins it (radius 0.25).
    b = Birch(threshold=0.6, n_clusters=None).fit([[0.0], [1.0], [5.0], [5.5]])
    assert b.subcluster_centers_.tolist() == [[0.5], [5.25]]
    assert b.labels_.tolist() == [0, 0, 1, 1]
    assert b["n_subclusters"] == 2
    sub = b.root_.subclusters_[0]
    assert (sub.n_samples_, sub.squared_sum_, sub.linear_sum_.tolist()) == (2, 1.0, [1.0])
    assert sub.radius == 0.5


def test_hand_worked_split():
    # Nothing merges; branching factor 2: the third sample splits the root leaf along its
    # farthest pair (0, 10); 1 is nearer 0. Leaves [0, 1] and [10] under a new root.
    b = Birch(threshold=0.1, branching_factor=2, n_clusters=None).fit([[0.0], [10.0], [1.0]])
    assert b.subcluster_centers_.ravel().tolist() == [0.0, 1.0, 10.0]
    root = b.root_
    assert not root.is_leaf
    assert [s.n_samples_ for s in root.subclusters_] == [2, 1]
    assert root.centroids_.ravel().tolist() == [0.5, 10.0]
    first = b.dummy_leaf_.next_leaf_
    assert first.centroids_.ravel().tolist() == [0.0, 1.0]
    assert first.next_leaf_.centroids_.ravel().tolist() == [10.0]
    assert first.next_leaf_.next_leaf_ is None


@pytest.mark.parametrize(
    "threshold, branching_factor, d", [(0.5, 50, 2), (1.0, 8, 3), (0.3, 3, 5), (2.0, 20, 4)]
)
def test_subclusters_equal_sklearn(threshold, branching_factor, d):
    X = _blobs(1500, d, 6, seed=d)
    params = dict(threshold=threshold, branching_factor=branching_factor, n_clusters=None)
    cl = Birch(**params).fit(X)
    sk = sk_cluster.Birch(**params).fit(X)
    assert cl.subcluster_centers_.shape == sk.subcluster_centers_.shape
    np.testing.assert_allclose(cl.subcluster_centers_, sk.subcluster_centers_, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(cl.labels_, sk.labels_)
    np.testing.assert_array_equal(cl.subcluster_labels_, sk.subcluster_labels_)
    # Same tree shape: root fan-out and leaf sizes.
    assert len(cl.root_.subclusters_) == len(sk.root_.subclusters_)
    assert [len(leaf.subclusters_) for leaf in _leaves(cl.root_)] == [
        len(leaf.subclusters_) for leaf in _leaves(sk.root_)
    ]
    Y = _blobs(200, d, 6, seed=d + 100)
    np.testing.assert_array_equal(cl.predict(Y), sk.predict(Y))
    np.testing.assert_allclose(cl.transform(Y), sk.transform(Y), rtol=1e-9, atol=1e-9)


def test_partial_fit_equals_sklearn_partial_fit_and_fit():
    X = _blobs(1200, 3, 5, seed=11)
    cl, sk = Birch(n_clusters=None, threshold=0.7), sk_cluster.Birch(n_clusters=None, threshold=0.7)
    for chunk in np.array_split(X, 7):
        cl.partial_fit(chunk)
        sk.partial_fit(chunk)
        np.testing.assert_allclose(
            cl.subcluster_centers_, sk.subcluster_centers_, rtol=0, atol=1e-10
        )
        np.testing.assert_array_equal(cl.labels_, sk.labels_)
    whole = Birch(n_clusters=None, threshold=0.7).fit(X)
    np.testing.assert_array_equal(whole.subcluster_centers_, cl.subcluster_centers_)


def test_pickled_mid_stream_continues_identically():
    X = _blobs(900, 2, 4, seed=12)
    a = Birch(n_clusters=None).partial_fit(X[:400])
    b = pickle.loads(pickle.dumps(a))
    a.partial_fit(X[400:])
    b.partial_fit(X[400:])
    np.testing.assert_array_equal(a.subcluster_centers_, b.subcluster_centers_)


@pytest.mark.parametrize("n_clusters", [3, 6])
def test_int_n_clusters_labels_identical_to_sklearn(n_clusters):
    X = _blobs(2000, 2, 6, seed=n_clusters)
    cl = Birch(n_clusters=n_clusters).fit(X)
    sk = sk_cluster.Birch(n_clusters=n_clusters).fit(X)
    np.testing.assert_array_equal(cl.subcluster_labels_, sk.subcluster_labels_)
    np.testing.assert_array_equal(cl.labels_, sk.labels_)
    np.testing.assert_array_equal(cl.fit_predict(X), sk.labels_)


def test_clusterer_instance_for_global_step():
    X = _blobs(600, 2, 3, seed=21)
    km = KMeans(n_clusters=3, random_state=0)
    b = Birch(n_clusters=km).fit(X)
    assert hasattr(km, "cluster_centers_")  # fitted in place, as scikit-learn does
    np.testing.assert_array_equal(b.subcluster_labels_, km.labels_)
    assert len(np.unique(b.labels_)) == 3
    # partial_fit() with no data reruns only the global step.
    b.set_params(n_clusters=None).partial_fit()
    np.testing.assert_array_equal(b.subcluster_labels_, np.arange(len(b.subcluster_centers_)))


def test_too_few_subclusters_warns_as_sklearn():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1]])
    with pytest.warns(ConvergenceWarning, match=r"Number of subclusters found \(1\) by BIRCH"):
        b = Birch(n_clusters=3).fit(X)
    assert b.labels_.tolist() == [0, 0, 0]


def test_float32_and_float64_agree():
    X = _blobs(1000, 3, 4, seed=31)
    b64 = Birch(n_clusters=None, threshold=0.8).fit(X)
    b32 = Birch(n_clusters=None, threshold=0.8).fit(X.astype(np.float32))
    sk32 = sk_cluster.Birch(n_clusters=None, threshold=0.8).fit(X.astype(np.float32))
    assert b32.subcluster_centers_.dtype == np.float32
    assert b32.transform(X).dtype == np.float32
    np.testing.assert_allclose(
        b32.subcluster_centers_, b64.subcluster_centers_, rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        b32.subcluster_centers_, sk32.subcluster_centers_, rtol=1e-6, atol=1e-6
    )
    np.testing.assert_array_equal(b32.labels_, b64.labels_)


def test_seed_api_and_compute_labels():
    X = _blobs(300, 2, 3, seed=41)
    res = birch(X, n_clusters=None)
    assert set(res) == {"centers", "labels", "n_subclusters"}
    assert res["centers"].shape == (res["n_subclusters"], 2)
    b = Birch(compute_labels=False).fit(X)
    assert not hasattr(b, "labels_")
    assert b.predict(X).shape == (300,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert b.get_feature_names_out()[0] == "birch0"


def test_bad_input():
    with pytest.raises(ValueError, match="threshold"):
        Birch(threshold=0).fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match="branching_factor"):
        Birch(branching_factor=1).fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match="n_clusters"):
        Birch(n_clusters="three").fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match="NaN"):
        Birch().fit([[0.0], [np.nan]])
    b = Birch(n_clusters=None).partial_fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="2 features"):
        b.partial_fit(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="not fitted"):
        Birch().partial_fit()
    with pytest.raises(AttributeError):
        Birch().root_  # noqa: B018


@settings(max_examples=40, deadline=None)
@given(
    X=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 4)),
        elements=st.floats(-1e3, 1e3, allow_nan=False),
    ),
    threshold=st.floats(0.01, 100.0),
    branching_factor=st.integers(2, 6),
)
def test_tree_invariants(X, threshold, branching_factor):
    b = Birch(threshold=threshold, branching_factor=branching_factor, n_clusters=None).fit(X)
    leaves = _leaves(b.root_)
    # Every sample is in exactly one leaf subcluster; no node overflows.
    assert sum(s.n_samples_ for leaf in leaves for s in leaf.subclusters_) == len(X)
    assert all(1 <= len(leaf.subclusters_) <= branching_factor for leaf in leaves)
    assert (
        len(b.subcluster_centers_) == b.n_subclusters_ == sum(len(x.subclusters_) for x in leaves)
    )
    assert b.labels_.min() >= 0 and b.labels_.max() < b.n_subclusters_
    np.testing.assert_array_equal(b.predict(X), b.labels_)
