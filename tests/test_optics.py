"""OPTICS: cases worked by hand, agreement between variants, agreement with scikit-learn.

scikit-learn's OPTICS is the reference, ties included: the ordering, predecessors, labels and
cluster hierarchy must be identical, the core and reachability distances equal to 1e-12
relative (both round them to 15 decimals, so they are mostly bit-identical).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import clustor
from clustor import (
    OPTICS,
    cluster_optics_dbscan,
    cluster_optics_xi,
    compute_optics_graph,
    optics,
)

sk_cluster = pytest.importorskip("sklearn.cluster")
SKOPTICS = sk_cluster.OPTICS

INF = math.inf
TOY = np.array([[1, 2], [2, 5], [3, 6], [8, 7], [8, 8], [7, 3]], dtype=np.float64)


def _blobs(n: int, d: int, seed: int, spread=(0.3, 0.8, 1.5)) -> np.ndarray:
    """Blobs of different spread plus uniform background noise (no exact ties)."""
    rng = np.random.default_rng(seed)
    k = len(spread)
    centers = rng.uniform(-10, 10, size=(k, d))
    y = rng.integers(0, k, size=n)
    X = centers[y] + np.asarray(spread)[y, None] * rng.normal(size=(n, d))
    noise = rng.uniform(-12, 12, size=(n // 10, d))
    return np.vstack([X, noise])


def _grid(side: int, d: int = 2, seed: int = 0, dup: int = 0) -> np.ndarray:
    """Integer grid points (shuffled, optionally with duplicates): distances tie everywhere."""
    rng = np.random.default_rng(seed)
    axes = np.meshgrid(*[np.arange(side)] * d)
    X = np.stack([a.ravel() for a in axes], axis=1).astype(np.float64)
    if dup:
        X = np.vstack([X, X[rng.choice(len(X), dup, replace=False)]])
    return X[rng.permutation(len(X))]


def _assert_same(ours, ref) -> None:
    assert_array_equal(ours.ordering_, ref.ordering_)
    assert_array_equal(ours.predecessor_, ref.predecessor_)
    assert_allclose(ours.core_distances_, ref.core_distances_, rtol=1e-12, atol=0)
    assert_allclose(ours.reachability_, ref.reachability_, rtol=1e-12, atol=0)
    assert_array_equal(ours.labels_, ref.labels_)
    if hasattr(ref, "cluster_hierarchy_"):
        assert_array_equal(ours.cluster_hierarchy_, ref.cluster_hierarchy_.reshape(-1, 2))
    assert ours.ordering_.dtype == ours.predecessor_.dtype == ours.labels_.dtype == np.int64
    assert ours.reachability_.dtype == ours.core_distances_.dtype == np.float64


def _sk_fit(X: np.ndarray, **params):
    # scikit-learn's ξ extraction divides by zero reachabilities without silencing NumPy.
    with np.errstate(divide="ignore"):
        return SKOPTICS(**params).fit(X)


def _compare(X: np.ndarray, reference: dict | None = None, **params) -> OPTICS:
    """Fit both; ``reference`` overrides parameters on scikit-learn's side only (to name the
    same distance computed the same way)."""
    ours = OPTICS(**params).fit(X)
    ref = _sk_fit(X, **{**params, **(reference or {})})
    _assert_same(ours, ref)
    return ours


# --------------------------------------------------------------------------------------
# 1. Cases worked by hand
# --------------------------------------------------------------------------------------


def test_toy_worked_by_hand():
    # min_samples=2: core distance = distance to the nearest other point.
    # Seed 0 (core √10) reaches 1 at √10. From 1 (core √2): 2 at √2. From 2 (core √2):
    # 3 at √26, 4 at √29, 5 at 5. Next is 5 (5 < √26); from 5 (core √17): 3 improves to
    # max(√17, √17) = √17, 4 to √26. Next 3 (core 1): 4 improves to 1. Then 4.
    est = OPTICS(min_samples=2).fit(TOY)
    s = math.sqrt
    assert_array_equal(est.ordering_, [0, 1, 2, 5, 3, 4])
    assert_array_equal(est.predecessor_, [-1, 0, 1, 5, 3, 2])
    assert_allclose(est.core_distances_, [s(10), s(2), s(2), 1, 1, s(17)], rtol=1e-15)
    assert_allclose(est.reachability_, [INF, s(10), s(2), s(17), 1, 5], rtol=1e-15)
    assert_array_equal(est.labels_, [0, 0, 0, 1, 1, 1])
    assert_array_equal(est.cluster_hierarchy_, [[0, 2], [3, 5], [0, 5]])


def test_line_worked_by_hand():
    # 0, 1, 3, 10 with min_samples=2: core distances 1, 1, 2, 7; each point is reached from
    # the previous one at max(distance, core distance of the previous).
    res = optics([[0.0], [1.0], [3.0], [10.0]], min_samples=2)
    assert_array_equal(res["ordering"], [0, 1, 2, 3])
    assert_array_equal(res["core_distances"], [1.0, 1.0, 2.0, 7.0])
    assert_array_equal(res["reachability"], [INF, 1.0, 2.0, 7.0])
    assert_array_equal(res["predecessor"], [-1, 0, 1, 2])


def test_ties_pick_lowest_index_and_keep_first_predecessor():
    # Unit square: every point has two neighbours at distance 1. Seed 0 reaches 1 and 2
    # (both at 1; 1 goes first); 1 reaches 3 at 1; 2 cannot improve 3 (1 < 1 is false).
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    est = OPTICS(min_samples=2, min_cluster_size=2).fit(X)
    assert_array_equal(est.ordering_, [0, 1, 2, 3])
    assert_array_equal(est.predecessor_, [-1, 0, 0, 1])
    assert_array_equal(est.reachability_, [INF, 1, 1, 1])


def test_max_eps_splits_and_dbscan_extraction_by_hand():
    X = np.array([[0.0], [1.0], [10.0], [11.0], [30.0]])
    est = OPTICS(min_samples=2, max_eps=2.0, cluster_method="dbscan", eps=1.5).fit(X)
    assert_array_equal(est.ordering_, [0, 1, 2, 3, 4])
    assert_array_equal(est.core_distances_, [1, 1, 1, 1, INF])
    assert_array_equal(est.reachability_, [INF, 1, INF, 1, INF])
    assert_array_equal(est.predecessor_, [-1, 0, -1, 2, -1])
    assert_array_equal(est.labels_, [0, 0, 1, 1, -1])
    assert not hasattr(est, "cluster_hierarchy_")


def test_rounding_to_15_decimals_makes_ties():
    # 0.1 + 0.2 = 0.30000000000000004 in binary; rounded to 15 decimals both distances
    # below are 0.3, so point 1 (the lower index) comes before point 2.
    X = np.array([[0.0], [0.1 + 0.2], [-0.3], [5.0]])
    est = _compare(X, min_samples=2)
    assert est.reachability_[1] == est.reachability_[2] == 0.3
    assert_array_equal(est.ordering_[:3], [0, 1, 2])


# --------------------------------------------------------------------------------------
# 2. Agreement with scikit-learn
# --------------------------------------------------------------------------------------


# scikit-learn computes 'euclidean'/'l2' distances as ‖x‖² − 2x·y + ‖y‖² through BLAS, and
# 'cosine' as 1 − x̂·ŷ through BLAS, unlike 'minkowski' (its default, exact differences through
# SciPy). Their last bits depend on the BLAS kernels' accumulation orders, and the rounding to
# 15 decimals turns them into different ties; clustor reproduces them bit for bit, so every
# metric is compared with scikit-learn's own, by name.
def _blas_modelled() -> bool:
    """Whether NumPy's and SciPy's BLAS are the ones whose accumulation orders clustor models
    for 'euclidean'/'cosine' (OpenBLAS with its Haswell or Zen kernels, as on x86-64 machines
    with AVX2 and no AVX-512). Another BLAS or kernel rounds scikit-learn's last bits
    differently; there clustor's values are still exact to rounding, but not bit-identical."""
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return bool(blas) and all(
        i.get("internal_api") == "openblas" and i.get("architecture") in ("Haswell", "Zen")
        for i in blas
    )


BLAS_MODELLED = _blas_modelled()
needs_modelled_blas = pytest.mark.skipif(
    not BLAS_MODELLED, reason="scikit-learn's BLAS kernels here are not the modelled OpenBLAS ones"
)
_BLAS_METRICS = ("euclidean", "l2", "cosine")


@pytest.mark.parametrize(
    ("metric", "p"),
    [
        ("minkowski", 2),
        ("euclidean", 2),
        ("l2", 2),
        ("manhattan", 2),
        ("cityblock", 2),
        ("minkowski", 1),
        ("minkowski", 3),
        ("chebyshev", 2),
        ("cosine", 2),
    ],
)
def test_blobs_every_metric(metric, p):
    if metric in _BLAS_METRICS and not BLAS_MODELLED:
        pytest.skip("scikit-learn's BLAS kernels here are not the modelled OpenBLAS ones")
    X = _blobs(300, 3, seed=1)
    _compare(X, min_samples=7, metric=metric, p=p)


# Data of three kinds: separated blobs, integer grids (ties everywhere), varying density.
def _kind(kind: str, d: int, seed: int) -> np.ndarray:
    if kind == "blobs":
        return _blobs(160, d, seed=seed)
    if kind == "grid":
        rng = np.random.default_rng(seed)
        return rng.integers(0, 5, size=(170, d)).astype(np.float64)
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(size=(80, d)) * 0.3, rng.normal(size=(90, d)) * 3 + 4])


# scikit-learn's brute force (its only search for 'cosine', its 'auto' for 'euclidean' above
# 15 features) computes every distance through BLAS: core distances (k-nearest through
# `dgemm` and `ddot` norms), radius searches and reachability updates (`dgemv` of one row
# against the unprocessed rows, whose kernel depends on the position of the row).
@needs_modelled_blas
@pytest.mark.parametrize("kind", ["blobs", "grid", "density"])
@pytest.mark.parametrize("d", [1, 2, 3, 8, 9, 20])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_blas_metrics_equal_sklearn(kind, d, metric):
    X = _kind(kind, d, seed=d)
    if metric == "cosine" and d == 1:
        X = X + 0.5  # in one dimension every cosine distance is 0 or 2
    max_eps = 1.5 * math.sqrt(d) if metric == "euclidean" else 0.2
    # (scikit-learn's 'auto' for 'euclidean' up to 15 features is its KD-tree.)
    for algorithm in ("brute", "auto"):
        for eps in (INF, max_eps):
            _compare(X, min_samples=5, metric=metric, algorithm=algorithm, max_eps=eps)


# With a tree (scikit-learn's 'auto' up to 15 features) core distances are exact and the
# reachability updates go through BLAS over the neighbours in the tree's order, which
# decides some last bits from 8 features on (before clustor rebuilt that order, 9 of 270
# such cases over 3 seeds differed, all with 9 features).
@needs_modelled_blas
@pytest.mark.parametrize("d", [2, 3, 5, 7, 8, 9, 10, 12, 15])
@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree"])
@pytest.mark.parametrize("kind", ["blobs", "grid", "density"])
def test_euclidean_with_trees_equals_sklearn(d, algorithm, kind):
    # (More seeds where the order mattered most.)
    for seed in range(3 if d == 9 else 1):
        X = _kind(kind, d, seed=d + 100 * seed)
        for eps in (INF, 1.5 * math.sqrt(d)):
            _compare(X, min_samples=5, metric="euclidean", algorithm=algorithm, max_eps=eps)


@pytest.mark.parametrize("leaf_size", [1, 2, 5, 30])
@pytest.mark.parametrize("kind", ["normal", "grid", "sorted", "duplicates"])
def test_tree_order_is_sklearns(kind, leaf_size):
    # The point order of scikit-learn's KDTree and BallTree (std::nth_element splits), which
    # OPTICS reproduces for its BLAS metrics.
    from sklearn.neighbors import BallTree, KDTree

    from clustor import _core

    rng = np.random.default_rng(leaf_size)
    for n, d in [(1, 3), (2, 1), (7, 2), (300, 3), (1000, 9), (2500, 15)]:
        if kind == "normal":
            X = rng.normal(size=(n, d))
        elif kind == "grid":
            X = rng.integers(0, 4, size=(n, d)).astype(np.float64)
        elif kind == "sorted":
            X = np.sort(rng.normal(size=(n, d)), axis=0)
        else:
            X = np.repeat(rng.normal(size=(n // 7 + 1, d)), 7, axis=0)[:n]
        X = np.ascontiguousarray(X)
        order = _core.sklearn_tree_order(X, leaf_size)
        assert_array_equal(order, KDTree(X, leaf_size=leaf_size).get_arrays()[1])
        assert_array_equal(order, BallTree(X, leaf_size=leaf_size).get_arrays()[1])


@needs_modelled_blas
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_blas_metrics_float32_and_ties(metric):
    X = _grid(9, d=3, seed=3, dup=30).astype(np.float32) + 1
    a = _compare(X, min_samples=4, metric=metric, algorithm="brute")
    b = OPTICS(min_samples=4, metric=metric, algorithm="brute").fit(X.astype(np.float64))
    assert_array_equal(a.ordering_, b.ordering_)
    assert_array_equal(a.reachability_, b.reachability_)
    X, _ = clustor.datasets.make_varying_density(300, random_state=1)
    _compare(X.astype(np.float32), min_samples=8, metric=metric)


@pytest.mark.parametrize("max_eps", [0.5, 2.0, 6.0, INF])
@pytest.mark.parametrize("cluster_method", ["xi", "dbscan"])
def test_blobs_max_eps_and_extraction(max_eps, cluster_method):
    X = _blobs(250, 2, seed=2)
    params = {"min_samples": 5, "max_eps": max_eps, "cluster_method": cluster_method}
    if cluster_method == "dbscan":
        params["eps"] = min(max_eps, 0.4)
    _compare(X, **params)


@pytest.mark.parametrize(
    "params",
    [
        {"min_samples": 0.05},
        {"min_samples": 0.0},
        {"min_samples": 0.3},
        {"min_samples": 10, "xi": 0.2, "min_cluster_size": 0.1},
        {"min_samples": 3, "xi": 0.01, "predecessor_correction": False},
        {"min_samples": 3, "xi": 0.0},
        {"min_samples": 20, "min_cluster_size": 5},
    ],
)
def test_blobs_parameters(params):
    _compare(_blobs(250, 2, seed=3), **params)


@pytest.mark.parametrize("metric", ["minkowski", "euclidean", "manhattan", "chebyshev", "cosine"])
@pytest.mark.parametrize("max_eps", [1.5, INF])
def test_integer_grid_ties(metric, max_eps):
    # Every distance ties with many others: the tie-breaking decides the whole ordering.
    X = _grid(13, seed=4)
    if metric == "cosine":
        if not BLAS_MODELLED:
            pytest.skip("scikit-learn's BLAS kernels here are not the modelled OpenBLAS ones")
        X = X[:60] + 1
        max_eps = min(max_eps, 0.05)
    _compare(X, min_samples=4, max_eps=max_eps, metric=metric)


@pytest.mark.parametrize("min_samples", [2, 3, 6])
def test_integer_grid_with_duplicates(min_samples):
    _compare(_grid(6, d=3, seed=5, dup=40), min_samples=min_samples)


def test_varying_density():
    X, _ = clustor.datasets.make_varying_density(300, random_state=0)
    _compare(X, min_samples=8)
    _compare(X, min_samples=8, cluster_method="dbscan", eps=0.6)


def test_all_unreachable_warns_like_sklearn():
    X = _blobs(50, 2, seed=6)
    with pytest.warns(UserWarning, match="All reachability values are inf"):
        ours = OPTICS(min_samples=3, max_eps=0.0).fit(X)
    with pytest.warns(UserWarning, match="All reachability values are inf"):
        ref = _sk_fit(X, min_samples=3, max_eps=0.0)
    _assert_same(ours, ref)


def test_extraction_functions_match_sklearn():
    X = _blobs(300, 2, seed=7)
    ref = SKOPTICS(min_samples=6).fit(X)
    graph = {
        "reachability": ref.reachability_,
        "predecessor": ref.predecessor_,
        "ordering": ref.ordering_,
    }
    # (xi=1 is left out: scikit-learn divides by 1 - xi in Python and raises.)
    for xi in (0.0, 0.02, 0.05, 0.3, 0.9):
        for mcs in (None, 2, 0.2):
            for corr in (True, False):
                kw = {
                    "min_samples": 6,
                    "min_cluster_size": mcs,
                    "xi": xi,
                    "predecessor_correction": corr,
                }
                labels, clusters = cluster_optics_xi(**graph, **kw)
                with np.errstate(divide="ignore"):
                    ref_labels, ref_clusters = sk_cluster.cluster_optics_xi(**graph, **kw)
                assert_array_equal(labels, ref_labels)
                assert_array_equal(clusters, np.asarray(ref_clusters).reshape(-1, 2))
    for eps in (0.0, 0.2, 0.5, 1.0, 100.0):
        kw = {
            "reachability": ref.reachability_,
            "core_distances": ref.core_distances_,
            "ordering": ref.ordering_,
            "eps": eps,
        }
        assert_array_equal(cluster_optics_dbscan(**kw), sk_cluster.cluster_optics_dbscan(**kw))


def test_xi_on_random_reachability_plots():
    # Arbitrary plots (ties, zeros, infinities) drive every branch of the ξ extraction.
    rng = np.random.default_rng(8)
    for trial in range(60):
        n = int(rng.integers(5, 80))
        reach = rng.choice([0.0, 0.5, 1.0, 1.2, 2.0, 3.0, 8.0, INF], size=n)
        if trial % 2:
            reach = rng.exponential(size=n)
            reach[rng.integers(0, n)] = INF
        ordering = rng.permutation(n)
        predecessor = rng.integers(-1, n, size=n)
        kw = {
            "reachability": reach,
            "predecessor": predecessor,
            "ordering": ordering,
            "min_samples": int(rng.integers(2, 6)),
            "xi": float(rng.choice([0.0, 0.05, 0.3, 0.7])),
            "predecessor_correction": bool(trial % 3),
        }
        labels, clusters = cluster_optics_xi(**kw)
        with np.errstate(divide="ignore"):
            ref_labels, ref_clusters = sk_cluster.cluster_optics_xi(**kw)
        assert_array_equal(labels, ref_labels)
        assert_array_equal(clusters, np.asarray(ref_clusters).reshape(-1, 2))


def test_compute_optics_graph_matches_sklearn():
    X = _blobs(200, 2, seed=9)
    ours = compute_optics_graph(X, min_samples=4, max_eps=3.0)
    ref = sk_cluster.compute_optics_graph(
        X,
        min_samples=4,
        max_eps=3.0,
        metric="minkowski",
        p=2,
        metric_params=None,
        algorithm="auto",
        leaf_size=30,
        n_jobs=None,
    )
    for a, b in zip(ours, ref):
        assert_allclose(a, b, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------------------
# 3. Agreement between variants
# --------------------------------------------------------------------------------------


# scikit-learn's 'brute' computes core distances by the ‖x‖² − 2x·y + ‖y‖² expansion (see
# above); clustor's results do not depend on the algorithm, so all are compared with
# scikit-learn's KD-tree.
@pytest.mark.parametrize("algorithm", ["auto", "brute", "kd_tree", "ball_tree"])
@pytest.mark.parametrize("max_eps", [1.0, INF])
def test_algorithms_agree(algorithm, max_eps):
    X = _blobs(300, 2, seed=10)
    _compare(
        X,
        {"algorithm": "kd_tree"},
        min_samples=5,
        max_eps=max_eps,
        algorithm=algorithm,
        leaf_size=7,
    )


def test_float32_equals_float64_of_same_values():
    X32 = _blobs(300, 3, seed=11).astype(np.float32)
    a = OPTICS(min_samples=5).fit(X32)
    b = OPTICS(min_samples=5).fit(X32.astype(np.float64))
    for attr in ("ordering_", "core_distances_", "reachability_", "predecessor_", "labels_"):
        assert_array_equal(getattr(a, attr), getattr(b, attr))
    # scikit-learn converts to float64 itself.
    _assert_same(a, SKOPTICS(min_samples=5).fit(X32))


@pytest.mark.parametrize(
    ("max_eps", "algorithm", "metric"),
    [(0.8, "brute", "minkowski"), (INF, "auto", "minkowski"), (INF, "auto", "euclidean")],
)
def test_one_and_two_threads_identical(max_eps, algorithm, metric):
    # More than two chunks of unprocessed points, so that the dense steps run in parallel.
    X = _blobs(7600, 2, seed=12)
    kw = {"min_samples": 5, "max_eps": max_eps, "algorithm": algorithm, "metric": metric}
    with clustor.num_threads(1):
        a = OPTICS(**kw).fit(X)
    b = OPTICS(**kw, n_threads=2).fit(X)
    for attr in ("ordering_", "core_distances_", "reachability_", "predecessor_", "labels_"):
        assert_array_equal(getattr(a, attr), getattr(b, attr))


def test_normalize_input_is_cosine_geometry():
    X = _blobs(200, 3, seed=13) + 20
    a = OPTICS(min_samples=5, normalize_input=True, metric="euclidean").fit(X)
    # Unit rows as scikit-learn's normalize computes them (np.linalg.norm differs in last
    # bits, which the BLAS-based 'euclidean' turns into different ties).
    unit = X / np.sqrt(np.einsum("ij,ij->i", X, X))[:, None]
    b = OPTICS(min_samples=5, metric="euclidean").fit(unit)
    assert_array_equal(a.ordering_, b.ordering_)
    assert_array_equal(a.reachability_, b.reachability_)


# --------------------------------------------------------------------------------------
# 4. The seed toolkit's API, plotting
# --------------------------------------------------------------------------------------


def test_seed_keys_and_functional_api():
    est = OPTICS(min_samples=2).fit(TOY)
    for key in ("ordering", "reachability", "core_distances", "predecessor", "labels"):
        assert_array_equal(est[key], getattr(est, key + "_"))
    res = optics(TOY, min_samples=2)
    assert sorted(res) == ["core_distances", "ordering", "predecessor", "reachability"]
    assert_array_equal(res["ordering"], est.ordering_)
    res = optics(TOY, min_samples=2, cluster_method="xi")
    assert_array_equal(res["labels"], est.labels_)
    assert_array_equal(res["cluster_hierarchy"], est.cluster_hierarchy_)
    assert_array_equal(OPTICS(min_samples=2).fit_predict(TOY), est.labels_)


def test_reachability_plot():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from clustor.plotting import reachability_plot

    est = OPTICS(min_samples=2).fit(TOY)
    ax = reachability_plot(est, ax=Figure().subplots(), title="toy")
    heights = [bar.get_height() for bar in ax.patches]
    reach = est.reachability_[est.ordering_]
    assert_allclose(heights[1:], reach[1:])
    assert heights[0] == pytest.approx(1.05 * reach[1:].max())  # the seed's +∞
    assert ax.get_title() == "toy"
    ax = reachability_plot(est.reachability_, est.ordering_, ax=Figure().subplots())
    assert len(ax.patches) == len(TOY)
    with pytest.raises(ValueError, match="ordering is required"):
        reachability_plot(est.reachability_)


# --------------------------------------------------------------------------------------
# 5. Bad input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"min_samples": 1}, "'min_samples' parameter of OPTICS must be"),
        ({"min_samples": 1.5}, "'min_samples' parameter of OPTICS must be"),
        ({"min_samples": -2}, "'min_samples' parameter of OPTICS must be"),
        ({"max_eps": -1.0}, "'max_eps' parameter of OPTICS must be"),
        ({"p": 0.5}, "'p' parameter of OPTICS must be"),
        ({"metric": "hamming"}, "'metric' parameter of OPTICS must be"),
        ({"xi": 1.5}, "'xi' parameter of OPTICS must be"),
        ({"eps": -0.1, "cluster_method": "dbscan"}, "'eps' parameter of OPTICS must be"),
        ({"cluster_method": "kmeans"}, "'cluster_method' parameter of OPTICS must be"),
        ({"min_cluster_size": 1}, "'min_cluster_size' parameter of OPTICS must be"),
        ({"algorithm": "grid"}, "'algorithm' parameter of OPTICS must be"),
        ({"leaf_size": 0}, "'leaf_size' parameter of OPTICS must be"),
        ({"min_samples": 50}, r"min_samples must be no greater than the number of samples \(6\)"),
        ({"min_cluster_size": 7}, "min_cluster_size must be no greater than the number"),
        ({"max_eps": 1.0, "eps": 2.0, "cluster_method": "dbscan"}, "Specify an epsilon smaller"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        OPTICS(**params).fit(TOY)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        ([[0.0, np.nan], [1.0, 2.0]], "NaN"),
        ([[0.0, np.inf], [1.0, 2.0]], "infinity"),
        (np.empty((0, 2)), "0 sample"),
        (np.empty((5, 0)), "0 feature"),
        ([1.0, 2.0, 3.0], "Expected 2D array"),
    ],
)
def test_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        OPTICS(min_samples=2).fit(X)


def test_bad_extraction_arrays():
    with pytest.raises(ValueError, match="permutation"):
        cluster_optics_xi(
            reachability=np.ones(3),
            predecessor=np.zeros(3, dtype=np.int64),
            ordering=[0, 0, 1],
            min_samples=2,
        )
    with pytest.raises(ValueError, match="entries"):
        cluster_optics_xi(
            reachability=np.ones(3),
            predecessor=np.zeros(2, dtype=np.int64),
            ordering=[0, 1, 2],
            min_samples=2,
        )
    with pytest.raises(ValueError, match="'eps' parameter"):
        cluster_optics_dbscan(
            reachability=np.ones(2), core_distances=np.ones(2), ordering=[0, 1], eps=-1
        )
    with pytest.raises(ValueError, match="entries"):
        cluster_optics_dbscan(
            reachability=np.ones(2), core_distances=np.ones(2), ordering=[0], eps=1
        )
