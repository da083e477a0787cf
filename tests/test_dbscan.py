"""DBSCAN: by hand, against scikit-learn (labels and numbering identical), between variants,
and on bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.cluster import DBSCAN as SkDBSCAN
from sklearn.metrics import pairwise_distances

import clustor
from clustor import DBSCAN, dbscan


def _blobs(n: int, d: int, seed: int, spread: float = 0.6) -> np.ndarray:
    rng = np.random.RandomState(seed)
    centers = rng.uniform(-5, 5, size=(4, d))
    return centers[rng.randint(0, 4, n)] + rng.normal(scale=spread, size=(n, d))


def _grid(n: int, d: int, seed: int, top: int = 12) -> np.ndarray:
    """Integer coordinates: many distances tie exactly with eps and with each other."""
    return np.random.RandomState(seed).randint(0, top, size=(n, d)).astype(np.float64)


def _varying_density(seed: int) -> np.ndarray:
    rng = np.random.RandomState(seed)
    parts = [
        rng.normal([0, 0], 0.2, size=(150, 2)),
        rng.normal([3, 0], 0.6, size=(150, 2)),
        rng.normal([0, 4], 1.2, size=(100, 2)),
        rng.uniform(-4, 8, size=(40, 2)),
    ]
    return np.concatenate(parts)[rng.permutation(440)]


def _sklearn(X, w=None, **params):
    est = SkDBSCAN(**params).fit(X, sample_weight=w)
    return est.labels_.astype(np.int64), est.core_sample_indices_.astype(np.int64)


def _assert_same(ours: DBSCAN, labels: np.ndarray, core: np.ndarray) -> None:
    np.testing.assert_array_equal(ours.labels_, labels)
    np.testing.assert_array_equal(ours.core_sample_indices_, core)
    assert ours.labels_.dtype == np.int64
    assert ours.core_sample_indices_.dtype == np.int64
    assert ours.n_clusters_ == len(set(labels.tolist()) - {-1})


def test_by_hand():
    X = np.array([[1, 2], [2, 2], [2, 3], [8, 7], [8, 8], [25, 80]])
    est = DBSCAN(eps=3, min_samples=2).fit(X)
    assert est.labels_.tolist() == [0, 0, 0, 1, 1, -1]
    assert est.core_sample_indices_.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(est.components_, X[:5].astype(np.float64))


def test_border_point_takes_the_first_cluster_that_reaches_it():
    # Cores are the points 10 (index 0) and 2 (index 6), at eps=4 with 4 neighbours each;
    # 6 (index 3) is a border point of both and joins the cluster numbered first, the one
    # of the lowest core index; 11 and 12, 0 and 1 are borders of one cluster each.
    X = np.array([[10.0], [11], [12], [6], [0], [1], [2]])
    est = DBSCAN(eps=4, min_samples=4).fit(X)
    assert est.core_sample_indices_.tolist() == [0, 6]
    assert est.labels_.tolist() == [0, 0, 0, 0, 1, 1, 1]
    # Reversed order: the other cluster comes first, and the border point goes with it.
    est = DBSCAN(eps=4, min_samples=4).fit(X[::-1])
    assert est.labels_.tolist() == [0, 0, 0, 0, 1, 1, 1]
    _assert_same(est, *_sklearn(X[::-1], eps=4, min_samples=4))


def test_the_eps_test_includes_the_boundary_and_the_point_itself():
    X = np.array([[0.0], [1.0], [3.0]])
    assert DBSCAN(eps=1.0, min_samples=2).fit(X).labels_.tolist() == [0, 0, -1]
    assert DBSCAN(eps=0.999, min_samples=2).fit(X).labels_.tolist() == [-1, -1, -1]
    assert DBSCAN(eps=0.5, min_samples=1).fit(X).labels_.tolist() == [0, 1, 2]


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine"])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_sklearn_on_blobs(metric, seed):
    X = _blobs(500, 3, seed)
    eps = {"euclidean": 0.5, "manhattan": 0.8, "cosine": 0.005}[metric]
    algorithm = "brute" if metric == "cosine" else "kd_tree"
    want = _sklearn(X, eps=eps, min_samples=6, metric=metric, algorithm=algorithm)
    assert len(set(want[0].tolist())) > 2
    for alg in ["auto", "kd_tree", "brute"]:
        _assert_same(DBSCAN(eps=eps, min_samples=6, metric=metric, algorithm=alg).fit(X), *want)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_matches_sklearn_on_integer_grids(metric, d):
    for seed, (eps, ms) in enumerate([(1.0, 3), (2.0, 5), (1.5, 4), (3.0, 9)]):
        X = _grid(400, d, seed, top=int(40 ** (1 / d)) + 6)
        want = _sklearn(X, eps=eps, min_samples=ms, metric=metric, algorithm="kd_tree")
        for alg in ["kd_tree", "brute"]:
            for leaf_size in [1, 30]:
                got = DBSCAN(
                    eps=eps, min_samples=ms, metric=metric, algorithm=alg, leaf_size=leaf_size
                )
                _assert_same(got.fit(X), *want)


def test_matches_sklearn_on_varying_density():
    X = _varying_density(3)
    for eps, ms in [(0.2, 5), (0.35, 8), (0.6, 12)]:
        want = _sklearn(X, eps=eps, min_samples=ms, algorithm="kd_tree")
        _assert_same(DBSCAN(eps=eps, min_samples=ms).fit(X), *want)


def test_precomputed_matches_sklearn_and_may_be_asymmetric():
    X = _grid(200, 2, 7)
    D = pairwise_distances(X)
    want = _sklearn(D, eps=2.0, min_samples=5, metric="precomputed")
    _assert_same(DBSCAN(eps=2.0, min_samples=5, metric="precomputed").fit(D), *want)
    _assert_same(DBSCAN(eps=2.0, min_samples=5).fit(X), *want)
    rng = np.random.RandomState(0)
    A = np.abs(D + rng.uniform(-0.6, 0.6, D.shape))
    want = _sklearn(A, eps=2.0, min_samples=5, metric="precomputed")
    _assert_same(DBSCAN(eps=2.0, min_samples=5, metric="precomputed").fit(A), *want)
    A32 = A.astype(np.float32)
    want = _sklearn(A32, eps=2.1, min_samples=5, metric="precomputed")
    _assert_same(DBSCAN(eps=2.1, min_samples=5, metric="precomputed").fit(A32), *want)


def test_sample_weight_matches_sklearn_negative_included():
    X = _grid(300, 2, 11)
    rng = np.random.RandomState(1)
    for w in [rng.randint(0, 4, 300).astype(float), rng.randint(-2, 4, 300).astype(float)]:
        want = _sklearn(X, w, eps=1.5, min_samples=5, algorithm="kd_tree")
        _assert_same(DBSCAN(eps=1.5, min_samples=5).fit(X, sample_weight=w), *want)
        D = pairwise_distances(X)
        _assert_same(
            DBSCAN(eps=1.5, min_samples=5, metric="precomputed").fit(D, sample_weight=w), *want
        )
    # A weight of min_samples makes a point core by itself.
    w = np.zeros(3)
    w[1] = 5
    est = DBSCAN(eps=0.5, min_samples=5).fit([[0.0], [5.0], [5.4]], sample_weight=w)
    assert est.labels_.tolist() == [-1, 0, 0]


def test_float32_float64_and_threads_agree():
    X = _blobs(2000, 2, 5, spread=0.8).round(2)
    ref = DBSCAN(eps=0.3, min_samples=8).fit(X)
    assert ref.n_clusters_ >= 2
    for dtype in [np.float64, np.float32]:
        Xd = X.astype(dtype)
        for n in [1, 2]:
            with clustor.num_threads(n):
                est = DBSCAN(eps=0.3, min_samples=8).fit(Xd)
            if dtype == np.float64:
                np.testing.assert_array_equal(est.labels_, ref.labels_)
            # f32 rounding moves some boundary pairs; scikit-learn's trees also measure f32
            # data in f64, so the labels must equal its own on the f32 data.
            _assert_same(est, *_sklearn(Xd, eps=0.3, min_samples=8, algorithm="kd_tree"))
            assert est.components_.dtype == dtype
    Xg = _grid(500, 2, 3)
    a = DBSCAN(eps=1.0, min_samples=4).fit(Xg)
    b = DBSCAN(eps=1.0, min_samples=4).fit(Xg.astype(np.float32))
    np.testing.assert_array_equal(a.labels_, b.labels_)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_grid_matches_sklearn_and_the_tree(metric, d, capsys):
    # 'auto' in up to 3 features uses a grid of cells; 'kd_tree' the tree. Blobs, integer
    # grids (many pairs exactly at eps), varying density, weights (negative included),
    # float32, 1 and 2 threads.
    rng = np.random.RandomState(d)
    cases = [
        (_blobs(3000, d, d, spread=0.5), {1: 0.004, 2: 0.2, 3: 0.45}[d], 8),
        (_grid(1500, d, d, top=int(200 ** (1 / d)) + 4), 1.0, 6),
        (_grid(1500, d, d + 1, top=int(100 ** (1 / d)) + 3), 2.0, 25),
    ]
    if d == 2:
        cases.append((_varying_density(d), 0.35, 8))
    X, eps, ms = cases[0]
    est = DBSCAN(eps=eps, min_samples=ms, metric=metric, verbose=1).fit(X)
    assert "grid cells" in capsys.readouterr().out
    assert est.n_clusters_ >= 2
    for X, eps, ms in cases:
        weights = [
            None,
            rng.randint(0, 4, len(X)).astype(float),
            rng.randint(-2, 4, len(X)).astype(float),
        ]
        for w in weights:
            want = _sklearn(X, w, eps=eps, min_samples=ms, metric=metric, algorithm="kd_tree")
            for n in [1, 2]:
                with clustor.num_threads(n):
                    got = DBSCAN(eps=eps, min_samples=ms, metric=metric).fit(X, sample_weight=w)
                _assert_same(got, *want)
            tree = DBSCAN(eps=eps, min_samples=ms, metric=metric, algorithm="kd_tree")
            _assert_same(tree.fit(X, sample_weight=w), *want)
        X32 = X.astype(np.float32)
        want = _sklearn(X32, eps=eps, min_samples=ms, metric=metric, algorithm="kd_tree")
        _assert_same(DBSCAN(eps=eps, min_samples=ms, metric=metric).fit(X32), *want)


def test_normalize_input_is_euclidean_on_unit_rows():
    X = _blobs(300, 3, 4) + 8
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    want = _sklearn(unit, eps=0.05, min_samples=5, algorithm="kd_tree")
    _assert_same(DBSCAN(eps=0.05, min_samples=5, normalize_input=True).fit(X), *want)


def test_cosine_zero_rows():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 0.0], [0.0, 3.0]])
    est = DBSCAN(eps=0.5, min_samples=2, metric="cosine").fit(X)
    # Zero rows are at distance 1 from every other row, themselves excepted.
    assert est.labels_.tolist() == [-1, 0, 0, -1, -1]
    _assert_same(est, *_sklearn(X, eps=0.5, min_samples=2, metric="cosine"))
    est = DBSCAN(eps=0.5, min_samples=1, metric="cosine").fit(X)
    assert est.labels_.tolist() == [0, 1, 1, 2, 3]


def test_functional_form_and_seed_keys():
    X = _blobs(200, 2, 8)
    labels, core, n_clusters = dbscan(X, eps=0.5, min_samples=5)
    est = DBSCAN(eps=0.5, min_samples=5).fit(X)
    np.testing.assert_array_equal(labels, est["labels"])
    np.testing.assert_array_equal(core, est["core_sample_indices"])
    assert n_clusters == est["n_clusters"] == est.n_clusters_
    assert est.fit_predict(X).tolist() == labels.tolist()
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.labels_, labels)


def test_all_noise_and_single_sample():
    est = DBSCAN(eps=0.1, min_samples=3).fit([[0.0, 0.0], [1.0, 1.0]])
    assert est.labels_.tolist() == [-1, -1]
    assert est.core_sample_indices_.tolist() == []
    assert est.components_.shape == (0, 2)
    assert est.n_clusters_ == 0
    assert DBSCAN(min_samples=1).fit([[3.0, 4.0]]).labels_.tolist() == [0]


def test_verbose_prints(capsys):
    DBSCAN(eps=0.5, min_samples=3, verbose=1).fit(_blobs(100, 2, 0))
    assert "core samples" in capsys.readouterr().out


@pytest.mark.parametrize(
    "params, match",
    [
        ({"eps": 0.0}, "eps"),
        ({"eps": -1.0}, "eps"),
        ({"min_samples": 0}, "min_samples"),
        ({"metric": "minkowski"}, "metric"),
        ({"algorithm": "grid"}, "algorithm"),
        ({"leaf_size": 0}, "leaf_size"),
        ({"p": 3}, "'p'"),
        ({"metric_params": {"w": 1}}, "metric_params"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        DBSCAN(**params).fit([[0.0, 1.0], [1.0, 0.0]])


def test_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        DBSCAN().fit([[0.0, np.nan], [1.0, 0.0]])
    with pytest.raises(ValueError, match="infinity"):
        DBSCAN().fit([[0.0, np.inf], [1.0, 0.0]])
    with pytest.raises(ValueError, match="0 sample"):
        DBSCAN().fit(np.empty((0, 2)))
    with pytest.raises(ValueError, match="2D"):
        DBSCAN().fit([0.0, 1.0])
    with pytest.raises(ValueError, match="square"):
        DBSCAN(metric="precomputed").fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="Negative values"):
        DBSCAN(metric="precomputed").fit(-np.ones((2, 2)))
    with pytest.raises(ValueError, match="normalize_input"):
        DBSCAN(metric="precomputed", normalize_input=True).fit(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="sample_weight"):
        DBSCAN().fit([[0.0], [1.0]], sample_weight=[1.0])
    with pytest.raises(ValueError, match="NaN"):
        DBSCAN().fit([[0.0], [1.0]], sample_weight=[1.0, np.nan])
    with pytest.raises(ValueError, match="non-zero"):
        DBSCAN().fit([[0.0], [1.0]], sample_weight=[0.0, 0.0])


@settings(max_examples=40, deadline=None)
@given(
    X=arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 3)),
        elements=st.integers(-4, 4).map(float),
    ),
    eps=st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]),
    min_samples=st.integers(1, 6),
    metric=st.sampled_from(["euclidean", "manhattan"]),
    algorithm=st.sampled_from(["kd_tree", "brute"]),
    leaf_size=st.integers(1, 8),
)
def test_property_same_as_sklearn_on_small_grids(X, eps, min_samples, metric, algorithm, leaf_size):
    want = _sklearn(X, eps=eps, min_samples=min_samples, metric=metric, algorithm="kd_tree")
    got = DBSCAN(
        eps=eps, min_samples=min_samples, metric=metric, algorithm=algorithm, leaf_size=leaf_size
    ).fit(X)
    _assert_same(got, *want)


@pytest.mark.parametrize(
    ("algorithm", "neighbours", "min_samples"),
    [
        # The tree: ~1,000 neighbours per point.
        ("kd_tree", 1000, 20),
        # The grid ('auto' in 2-D): its dense cells settle that case in a fraction of a
        # second, but here no point is core, so every point counts all ~250 neighbours.
        ("auto", 250, 300),
    ],
)
def test_ctrl_c_stops_a_long_fit_and_leaves_it_unfitted(algorithm, neighbours, min_samples):
    import _thread
    import threading
    import time

    # Seconds of work unless interrupted.
    n = 400_000
    X = np.random.default_rng(0).uniform(0, 1, size=(n, 2))
    eps = float(np.sqrt(neighbours / (n * np.pi)))
    est = DBSCAN(eps=eps, min_samples=min_samples, algorithm=algorithm)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    t0 = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            est.fit(X)
    finally:
        timer.cancel()
    assert time.perf_counter() - t0 < 8
    assert not hasattr(est, "labels_")
