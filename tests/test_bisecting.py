"""BisectingKMeans: by hand, against scikit-learn, predict == labels_, variants, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import BisectingKMeans as SkBisectingKMeans
from sklearn.datasets import make_blobs

import clustor
from clustor import BisectingKMeans, NotFittedError, bisecting_kmeans


@pytest.fixture(scope="module")
def separated():
    X, y = make_blobs(4000, centers=6, n_features=4, cluster_std=0.3, random_state=7)
    return X, y


def test_by_hand_like_sklearn_docstring():
    X = np.array([[1, 1], [10, 1], [3, 1], [10, 0], [2, 1], [10, 2], [10, 8], [10, 9], [10, 10]])
    est = BisectingKMeans(n_clusters=3, random_state=0).fit(X)
    # The first split separates {(10, 8..10)} ∪ ... by inertia; whatever the seeds, the
    # three groups are the left column, the lower right and the upper right.
    groups = [{0, 2, 4}, {1, 3, 5}, {6, 7, 8}]
    found = [set(np.flatnonzero(est.labels_ == j)) for j in range(3)]
    assert sorted(map(sorted, found)) == sorted(map(sorted, groups))
    for j, g in enumerate(found):
        np.testing.assert_allclose(est.cluster_centers_[j], X[sorted(g)].mean(axis=0))
    # Inertia: left column 1 + 0 + 1 (around x=2), lower right 1 + 1, upper right 1 + 1.
    assert est.inertia_ == pytest.approx(6.0)
    assert est.n_splits_ == 2 and est["n_splits"] == 2
    np.testing.assert_array_equal(est.predict(X), est.labels_)
    assert est.predict([[0, 0], [12, 3]]).tolist() == [
        est.labels_[0],
        est.labels_[1],
    ]


def test_k1_is_the_mean():
    X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 8.0]])
    est = BisectingKMeans(1).fit(X)
    np.testing.assert_allclose(est.cluster_centers_, [[2.0, 4.0]])
    assert est.labels_.tolist() == [0, 0, 0]
    # Σ‖x − mean‖²: (4 + 9) + (0 + 1) + (4 + 16).
    assert est.inertia_ == pytest.approx(34.0)


@pytest.mark.parametrize("strategy", ["biggest_inertia", "largest_cluster"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ari_one_with_sklearn_on_separated_blobs(separated, strategy, dtype):
    X, y = separated
    X = X.astype(dtype)
    ours = BisectingKMeans(6, random_state=0, bisecting_strategy=strategy).fit(X)
    theirs = SkBisectingKMeans(6, random_state=0, bisecting_strategy=strategy).fit(X)
    assert clustor.adjusted_rand_score(theirs.labels_, ours.labels_) == 1.0
    assert clustor.adjusted_rand_score(y, ours.labels_) == 1.0
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-5)
    assert ours.cluster_centers_.dtype == dtype and ours.labels_.dtype == np.int64
    np.testing.assert_array_equal(ours.predict(X), ours.labels_)
    assert ours.score(X) == pytest.approx(-ours.inertia_, rel=1e-5)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"algorithm": "elkan"},
        {"init": "k-means++", "n_init": 3},
        {"bisecting_strategy": "largest_cluster"},
        {"metric": "cosine"},
        {"normalize_input": True},
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_predict_on_training_data_equals_labels(kw, dtype):
    # Unstructured data: many points near the split boundaries.
    rng = np.random.RandomState(3)
    X = (rng.rand(3000, 3) * 10 + 5).astype(dtype)
    w = rng.rand(3000) + 0.5
    est = BisectingKMeans(12, random_state=1, **kw).fit(X, sample_weight=w)
    np.testing.assert_array_equal(est.predict(X), est.labels_)
    assert set(est.labels_.tolist()) == set(range(12))


def test_threads_identical_and_weights_as_repetition(separated):
    X, _ = separated
    with clustor.num_threads(1):
        a = BisectingKMeans(6, random_state=2, init="k-means++").fit(X)
    with clustor.num_threads(2):
        b = BisectingKMeans(6, random_state=2, init="k-means++").fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert a.inertia_ == b.inertia_
    # Integer weights act as repeated rows (well separated: the seeds do not matter).
    w = np.arange(len(X)) % 3 + 1
    c = BisectingKMeans(6, random_state=2).fit(X, sample_weight=w)
    d = BisectingKMeans(6, random_state=2).fit(np.repeat(X, w, axis=0))
    order_c = np.lexsort(c.cluster_centers_.T)
    order_d = np.lexsort(d.cluster_centers_.T)
    np.testing.assert_allclose(c.cluster_centers_[order_c], d.cluster_centers_[order_d], rtol=1e-9)
    assert c.inertia_ == pytest.approx(d.inertia_, rel=1e-9)


def test_functional_api_and_transform(separated):
    X, _ = separated
    res = bisecting_kmeans(X, 4, random_state=0)
    assert set(res) == {"centers", "labels", "inertia", "n_splits"}
    assert res["n_splits"] == 3 and res["centers"].shape == (4, 4)
    est = BisectingKMeans(4, random_state=0).fit(X)
    D = est.transform(X[:10])
    expected = np.linalg.norm(X[:10, None, :] - est.cluster_centers_[None], axis=2)
    np.testing.assert_allclose(D, expected, rtol=1e-10)


def test_bad_input():
    with pytest.raises(NotFittedError):
        BisectingKMeans(2).predict([[0.0]])
    with pytest.raises(ValueError, match="NaN"):
        BisectingKMeans(2).fit([[np.nan], [1.0], [2.0]])
    with pytest.raises(ValueError, match="n_samples=2 should be >= n_clusters=3"):
        BisectingKMeans(3).fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match="bisecting_strategy"):
        BisectingKMeans(2, bisecting_strategy="smallest").fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match="init"):
        BisectingKMeans(2, init="kmeans").fit([[0.0], [1.0]])
    with pytest.raises(ValueError, match="0 sample"):
        BisectingKMeans(1).fit(np.empty((0, 2)))
    est = BisectingKMeans(2, random_state=0).fit([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]])
    with pytest.raises(ValueError, match="features"):
        est.predict([[0.0]])
    with pytest.raises(ValueError, match="infinity"):
        est.predict([[np.inf, 0.0]])


def _first_and_last(X, n_clusters, random_state):
    """Deterministic seeding: the leaf's first and last rows."""
    return X[[0, -1]]


def _drawn(X, n_clusters, random_state):
    """Seeding that uses the generator it is given."""
    return X[random_state.choice(len(X), n_clusters, replace=False)]


@pytest.mark.parametrize("init", [_first_and_last, _drawn])
@pytest.mark.parametrize(
    "kw",
    [{}, {"bisecting_strategy": "largest_cluster"}, {"n_init": 3}, {"algorithm": "elkan"}],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_callable_init_like_sklearn(init, kw, dtype):
    # Overlapping blobs: the splits depend on the seeds, so equal results mean equal seeds.
    X, _ = make_blobs(3000, centers=5, n_features=3, cluster_std=1.5, random_state=1)
    X = X.astype(dtype)
    seen = {"ours": [], "theirs": []}

    def recording(key):
        def f(X_leaf, n_clusters, random_state):
            assert n_clusters == 2
            seen[key].append(np.array(X_leaf))
            return init(X_leaf, n_clusters, random_state=random_state)

        return f

    ours = BisectingKMeans(7, init=recording("ours"), random_state=3, **kw).fit(X)
    theirs = SkBisectingKMeans(7, init=recording("theirs"), random_state=3, **kw).fit(X)
    # Called as often, on the same rows in the same order (the leaf's rows in X's order,
    # centered by the mean).
    assert len(seen["ours"]) == len(seen["theirs"]) == 6 * kw.get("n_init", 1)
    for a, b in zip(seen["ours"], seen["theirs"]):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    scale = np.abs(X).max()
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, atol=rtol * scale)
    assert ours.inertia_ == pytest.approx(
        theirs.inertia_, rel=1e-6 if dtype == np.float32 else 1e-12
    )
    np.testing.assert_array_equal(ours.predict(X), ours.labels_)


def test_callable_init_same_for_any_thread_count():
    X, _ = make_blobs(5000, centers=5, n_features=3, cluster_std=1.5, random_state=2)
    fits = []
    for t in (1, 2):
        with clustor.num_threads(t):
            fits.append(BisectingKMeans(6, init=_drawn, random_state=0).fit(X))
    np.testing.assert_array_equal(fits[0].labels_, fits[1].labels_)
    np.testing.assert_array_equal(fits[0].cluster_centers_, fits[1].cluster_centers_)
    assert fits[0].inertia_ == fits[1].inertia_


class _Boom(Exception):
    pass


@pytest.mark.parametrize(
    ("init", "error", "match"),
    [
        (lambda X, k, random_state: X[:3], ValueError, r"initial centers \(3, 2\).*clusters 2"),
        (lambda X, k, random_state: X[:2, :1], ValueError, "number of features of the data 2"),
        (lambda X, k, random_state: X[0], ValueError, "2D"),
        (lambda X, k, random_state: np.full((2, 2), np.nan), ValueError, "NaN"),
        (lambda X, k, random_state: np.full((2, 2), 1e300), ValueError, "overflow"),
        (lambda X, k, random_state: None, ValueError, "None"),
        (lambda X, k: X[:2], TypeError, "random_state"),
        (lambda X, k, random_state: (_ for _ in ()).throw(_Boom("no")), _Boom, "no"),
    ],
)
def test_callable_init_bad_output(init, error, match):
    X = np.random.RandomState(0).rand(50, 2)
    est = BisectingKMeans(3, init=init, random_state=0)
    with pytest.raises(error, match=match):
        est.fit(X)
    assert not hasattr(est, "labels_")


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 30),
    d=st.integers(1, 3),
    k=st.integers(1, 6),
    f32=st.booleans(),
    special=st.sampled_from([None, "nan", "dup", "zero_weights"]),
)
def test_hypothesis_fit_or_documented_error(n, d, k, f32, special):
    rng = np.random.RandomState(n * 5 + d)
    X = rng.randn(n, d).astype(np.float32 if f32 else np.float64)
    w = np.ones(n)
    if special == "nan":
        X[0, 0] = np.nan
    elif special == "dup":
        X[:] = X[0]
    elif special == "zero_weights":
        w[1:] = 0
    try:
        est = BisectingKMeans(k, random_state=0).fit(X, sample_weight=w)
    except ValueError:
        assert special == "nan" or k > n
        return
    assert est.cluster_centers_.shape == (k, d) and np.isfinite(est.cluster_centers_).all()
    assert ((0 <= est.labels_) & (est.labels_ < k)).all()
    np.testing.assert_array_equal(est.predict(X), est.labels_)
