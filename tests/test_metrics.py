"""clustor.metrics: every internal and external score against scikit-learn."""

import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.metrics import cluster as _sk_cluster  # noqa: F401  (skm.cluster)

import clustor
from clustor.metrics import adjusted_rand_score, silhouette_samples, silhouette_score


def blobs(n=600, d=4, k=4, seed=0, spread=10.0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=spread, size=(k, d))
    y = rng.integers(0, k, n)
    return centers[y] + rng.normal(size=(n, d)), y


# --- adjusted_rand_score -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("true", "pred", "expected"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),  # label names do not matter
        ([0, 0, 0, 0], [0, 0, 0, 0], 1.0),  # all in one cluster
        ([0, 1, 2, 3], [0, 1, 2, 3], 1.0),  # all singletons
        ([0, 0, 0, 0], [0, 1, 2, 3], 0.0),  # one cluster vs all singletons
        ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),  # worst case
        ([], [], 1.0),
    ],
)
def test_ari_by_hand(true, pred, expected):
    assert adjusted_rand_score(true, pred) == expected
    assert skm.adjusted_rand_score(true, pred) == expected


def test_ari_worked_example():
    # Contingency [[2, 1], [0, 3]]: pairs together in both 1 + 3 = 4; in true 3 + 3 = 6,
    # in pred 1 + 6 = 7, of 15 pairs. ARI = (4 - 6*7/15) / ((6 + 7)/2 - 6*7/15).
    true = [0, 0, 0, 1, 1, 1]
    pred = [0, 0, 1, 1, 1, 1]
    expected = (4 - 6 * 7 / 15) / ((6 + 7) / 2 - 6 * 7 / 15)
    assert adjusted_rand_score(true, pred) == pytest.approx(expected, rel=1e-15)


def test_ari_equals_sklearn_exactly():
    rng = np.random.default_rng(1)
    for _ in range(300):
        n = int(rng.integers(1, 80))
        true = rng.integers(0, int(rng.integers(1, 9)), n)
        pred = rng.integers(0, int(rng.integers(1, 9)), n)
        assert adjusted_rand_score(true, pred) == skm.adjusted_rand_score(true, pred)
    true, pred = rng.integers(0, 50, 100_000), rng.integers(0, 70, 100_000)
    assert adjusted_rand_score(true, pred) == skm.adjusted_rand_score(true, pred)


def test_ari_string_and_mixed_label_types():
    true = np.array(["a", "a", "b", "b", "c"])
    pred = [3, 3, 7, 1, 1]
    assert adjusted_rand_score(true, pred) == skm.adjusted_rand_score(true, pred)
    assert adjusted_rand_score(true, pred) == adjusted_rand_score(pred, true)
    assert isinstance(adjusted_rand_score(true, pred), float)


def test_ari_many_singletons_stays_sparse():
    # A dense contingency table would need 10^10 cells here.
    n = 100_000
    labels = np.arange(n)
    assert adjusted_rand_score(labels, labels) == 1.0
    assert adjusted_rand_score(labels, np.zeros(n, dtype=int)) == 0.0


def test_ari_errors():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        adjusted_rand_score([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="labels_true must be 1D"):
        adjusted_rand_score([[0, 1], [1, 0]], [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        adjusted_rand_score([0.0, np.nan], [0, 1])


# --- silhouette ---------------------------------------------------------------------------


def test_silhouette_by_hand():
    # 0, 1 | 10, 11: for 0, a = 1 and b = (10 + 11) / 2; for 1, a = 1 and b = (9 + 10) / 2.
    X = [[0.0], [1.0], [10.0], [11.0]]
    s = silhouette_samples(X, [0, 0, 1, 1])
    assert s.dtype == np.float64
    np.testing.assert_allclose(s, [9.5 / 10.5, 8.5 / 9.5, 8.5 / 9.5, 9.5 / 10.5], rtol=1e-15)
    assert silhouette_score(X, ["x", "x", "y", "y"]) == pytest.approx(np.mean(s), rel=1e-15)


def test_silhouette_singleton_cluster_scores_zero():
    s = silhouette_samples([[0.0], [1.0], [5.0]], [0, 0, 1])
    assert s[2] == 0.0
    np.testing.assert_allclose(s, skm.silhouette_samples([[0.0], [1.0], [5.0]], [0, 0, 1]))


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_silhouette_equals_sklearn(metric):
    X, y = blobs()
    ours = silhouette_samples(X, y, metric=metric)
    theirs = skm.silhouette_samples(X, y, metric=metric)
    # Well-separated blobs keep every coefficient away from 0, so relative error is fair.
    assert np.abs(theirs).min() > 0.05
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert silhouette_score(X, y, metric=metric) == pytest.approx(
        skm.silhouette_score(X, y, metric=metric), rel=1e-12
    )


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_silhouette_random_labels_equal_sklearn(metric):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 6))
    y = rng.integers(-1, 5, 500)  # -1 is an ordinary cluster here, as in scikit-learn
    np.testing.assert_allclose(
        silhouette_samples(X, y, metric), skm.silhouette_samples(X, y, metric=metric), atol=1e-12
    )


def test_silhouette_float32_close_to_float64():
    X, y = blobs(seed=5)
    theirs = skm.silhouette_samples(X, y)
    for metric in ("euclidean", "cosine"):
        theirs = skm.silhouette_samples(X, y, metric=metric)
        ours = silhouette_samples(X.astype(np.float32), y, metric=metric)
        assert ours.dtype == np.float64
        np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_silhouette_precomputed():
    X, y = blobs(n=300)
    D = skm.pairwise_distances(X)
    np.fill_diagonal(D, 0)
    np.testing.assert_allclose(
        silhouette_samples(D, y, metric="precomputed"),
        skm.silhouette_samples(D, y, metric="precomputed"),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        silhouette_samples(D, y, metric="precomputed"), silhouette_samples(X, y), rtol=1e-12
    )


def test_silhouette_threads_identical():
    X, y = blobs(n=1500, seed=2)
    with clustor.num_threads(1):
        one = silhouette_samples(X, y)
        one32 = silhouette_samples(X.astype(np.float32), y, metric="cosine")
    with clustor.num_threads(2):
        two = silhouette_samples(X, y)
        two32 = silhouette_samples(X.astype(np.float32), y, metric="cosine")
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one32, two32)
    np.testing.assert_array_equal(silhouette_samples(X, y, n_threads=2), one)


def test_silhouette_sample_size_draws_sklearn_subset():
    X, y = blobs(n=800)
    for seed in (0, 7):
        ours = silhouette_score(X, y, sample_size=200, random_state=seed)
        theirs = skm.silhouette_score(X, y, sample_size=200, random_state=seed)
        assert ours == pytest.approx(theirs, rel=1e-12)
    D = skm.pairwise_distances(X)
    np.fill_diagonal(D, 0)
    ours = silhouette_score(D, y, metric="precomputed", sample_size=100, random_state=1)
    theirs = skm.silhouette_score(D, y, metric="precomputed", sample_size=100, random_state=1)
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_silhouette_accepts_seed_spellings():
    X, y = blobs(n=100)
    assert silhouette_score(X, y, "COSINE") == silhouette_score(X, y, metric="cosine")
    assert silhouette_score(X, y, "l2") == silhouette_score(X, y)
    assert clustor.silhouette_score is silhouette_score


def test_silhouette_readonly_and_int_input():
    X, y = blobs(n=100)
    ro = X.copy()
    ro.setflags(write=False)
    assert silhouette_score(ro, y) == silhouette_score(X, y)
    Xi = np.round(X * 10).astype(np.int32)
    assert silhouette_score(Xi, y) == pytest.approx(skm.silhouette_score(Xi, y), rel=1e-12)


@pytest.mark.parametrize(
    ("X", "labels", "message"),
    [
        ([[0.0], [1.0], [2.0]], [0, 0, 0], "Number of labels is 1. Valid values are 2 to"),
        ([[0.0], [1.0], [2.0]], [0, 1, 2], "Number of labels is 3. Valid values are 2 to"),
        ([[0.0], [1.0], [2.0]], [0, 1], "inconsistent numbers of samples"),
        ([[0.0], [np.nan], [2.0]], [0, 1, 1], "NaN"),
        ([0.0, 1.0, 2.0], [0, 1, 1], "Expected 2D array"),
    ],
)
def test_silhouette_errors(X, labels, message):
    with pytest.raises(ValueError, match=message):
        silhouette_samples(X, labels)
    with pytest.raises(ValueError, match=message):
        silhouette_score(X, labels)


def test_silhouette_precomputed_errors():
    with pytest.raises(ValueError, match="non-zero elements on the diagonal"):
        silhouette_samples(np.ones((3, 3)), [0, 0, 1], metric="precomputed")
    with pytest.raises(ValueError, match="Precomputed metric requires shape"):
        silhouette_samples(np.zeros((3, 2)), [0, 0, 1], metric="precomputed")
    with pytest.raises(ValueError, match="Negative values"):
        silhouette_samples(-np.ones((3, 3)) + np.eye(3), [0, 0, 1], metric="precomputed")


def test_silhouette_bad_parameters():
    X, y = blobs(n=50)
    with pytest.raises(ValueError, match="Unknown metric 'chebyshev'"):
        silhouette_score(X, y, metric="chebyshev")
    with pytest.raises(ValueError, match="exclude_noise"):
        silhouette_score(X, y, exclude_noise="yes")
    with pytest.raises(ValueError, match="sample_size"):
        silhouette_score(X, y, sample_size=0)


def test_silhouette_stops_on_ctrl_c():
    code = (
        "import numpy as np, clustor\n"
        "X = np.random.default_rng(0).normal(size=(60000, 8))\n"
        "print('start', flush=True)\n"
        "try:\n"
        "    clustor.silhouette_score(X, np.arange(60000) % 5)\n"
        "    print('finished')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "start"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        # The whole computation takes about a minute; a poll reaches Python every ~0.1 s.
        out, _ = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert out.strip() == "interrupted"


# --- silhouette: manhattan, noise ------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_silhouette_manhattan_equals_sklearn(dtype):
    X, y = blobs(n=400, seed=9)
    X = X.astype(dtype)
    ours = silhouette_samples(X, y, metric="manhattan")
    theirs = skm.silhouette_samples(X, y, metric="manhattan")
    # Manhattan is summed in float64 for both types, as SciPy's cityblock does.
    np.testing.assert_allclose(ours, theirs, rtol=1e-12 if dtype == np.float64 else 1e-6)
    assert silhouette_score(X, y, "l1") == pytest.approx(
        skm.silhouette_score(X, y, metric="manhattan"), rel=1e-12
    )


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine"])
@pytest.mark.parametrize("n", [67, 131, 203])
def test_silhouette_odd_sizes_equal_sklearn(metric, n):
    # n off every block size of the kernel (strips of 64, groups of 4, 8 columns), clusters of
    # uneven sizes, one of them a single sample, labels in no order.
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, 5)) + rng.integers(0, 3, size=(n, 1)) * 3.0
    y = rng.integers(0, 6, n)
    y[n // 2] = 9
    ours = silhouette_samples(X, y, metric=metric)
    theirs = skm.silhouette_samples(X, y, metric=metric)
    assert ours[n // 2] == 0.0
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    assert silhouette_score(X, y, metric=metric) == pytest.approx(
        skm.silhouette_score(X, y, metric=metric), rel=1e-12
    )


def test_silhouette_equal_nearest_clusters_by_hand():
    # 0, 2 | -5 | 5: from 0 the other two clusters are both at 5 (a = 2, b = 5); from 2 the
    # cluster at 5 is nearer (a = 2, b = 3). Singletons score 0.
    X = [[0.0], [2.0], [-5.0], [5.0]]
    s = silhouette_samples(X, [0, 0, 1, 2])
    np.testing.assert_array_equal(s, [0.6, 1 / 3, 0.0, 0.0])
    np.testing.assert_allclose(s, skm.silhouette_samples(X, [0, 0, 1, 2]), rtol=1e-15)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine"])
def test_silhouette_threads_identical_every_metric(metric):
    # Many strips of uneven work, so that 2 threads really split them differently.
    X, y = blobs(n=1003, d=7, k=5, seed=11)
    with clustor.num_threads(1):
        one = silhouette_samples(X, y, metric=metric)
        one32 = silhouette_samples(X.astype(np.float32), y, metric=metric)
    two = silhouette_samples(X, y, metric=metric, n_threads=2)
    two32 = silhouette_samples(X.astype(np.float32), y, metric=metric, n_threads=2)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one32, two32)
    np.testing.assert_allclose(one, skm.silhouette_samples(X, y, metric=metric), rtol=1e-12)


def test_silhouette_exclude_noise():
    X, y = blobs(n=300, seed=4)
    y = y.copy()
    y[::7] = -1
    keep = y != -1
    s = silhouette_samples(X, y, exclude_noise=True)
    assert np.isnan(s[~keep]).all()
    np.testing.assert_allclose(s[keep], skm.silhouette_samples(X[keep], y[keep]), rtol=1e-12)
    assert silhouette_score(X, y, exclude_noise=True) == pytest.approx(
        skm.silhouette_score(X[keep], y[keep]), rel=1e-12
    )
    # The default treats -1 as a cluster, as scikit-learn does.
    assert silhouette_score(X, y) == pytest.approx(skm.silhouette_score(X, y), rel=1e-12)
    D = skm.pairwise_distances(X)
    np.fill_diagonal(D, 0)
    assert silhouette_score(D, y, metric="precomputed", exclude_noise=True) == pytest.approx(
        skm.silhouette_score(X[keep], y[keep]), rel=1e-12
    )


# --- Calinski-Harabasz and Davies-Bouldin -----------------------------------------------------


def test_dispersion_scores_by_hand():
    # Clusters {0, 2} and {10, 12}: W = 4, B = 100, CH = (100 / 1) / (4 / 2) = 50;
    # mean distances to the centroids 1 and 1, centroids 10 apart: DB = 2 / 10.
    X = [[0.0], [2.0], [10.0], [12.0]]
    assert clustor.calinski_harabasz_score(X, ["a", "a", "b", "b"]) == 50.0
    assert clustor.davies_bouldin_score(X, [3, 3, 9, 9]) == 0.2


@pytest.mark.parametrize("seed", range(4))
def test_dispersion_scores_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    n, d, k = int(rng.integers(10, 2000)), int(rng.integers(1, 12)), int(rng.integers(2, 9))
    X = rng.normal(size=(n, d)) + rng.normal(scale=5, size=(k, d))[rng.integers(0, k, n)]
    y = rng.integers(0, k, n) * 1000 - 7  # huge, negative label values
    if len(np.unique(y)) < 2:
        return
    assert clustor.calinski_harabasz_score(X, y) == pytest.approx(
        skm.calinski_harabasz_score(X, y), rel=1e-12
    )
    assert clustor.davies_bouldin_score(X, y) == pytest.approx(
        skm.davies_bouldin_score(X, y), rel=1e-12
    )


def test_dispersion_scores_float32_and_threads():
    X, y = blobs(n=3000, d=6, k=5, seed=8)
    X32 = X.astype(np.float32)
    for ours, theirs in [
        (clustor.calinski_harabasz_score, skm.calinski_harabasz_score),
        (clustor.davies_bouldin_score, skm.davies_bouldin_score),
    ]:
        # Sums run in float64 for float32 input: as close to the float64 value as the
        # rounding of the data allows.
        assert ours(X32, y) == pytest.approx(theirs(X32.astype(np.float64), y), rel=1e-12)
        assert ours(X32, y) == pytest.approx(theirs(X32, y), rel=1e-4)
        with clustor.num_threads(1):
            one = ours(X, y), ours(X32, y)
        with clustor.num_threads(2):
            two = ours(X, y), ours(X32, y)
        assert one == two


def test_dispersion_scores_edge_cases():
    # Every cluster a single point repeated: CH = 1, DB = 0 (scikit-learn's conventions).
    X = [[1.0], [1.0], [3.0], [3.0]]
    y = [0, 0, 1, 1]
    assert clustor.calinski_harabasz_score(X, y) == skm.calinski_harabasz_score(X, y) == 1.0
    assert clustor.davies_bouldin_score(X, y) == skm.davies_bouldin_score(X, y) == 0.0
    # Noise left out on request.
    X, y = blobs(n=200, seed=1)
    y = y.copy()
    y[:20] = -1
    for ours, theirs in [
        (clustor.calinski_harabasz_score, skm.calinski_harabasz_score),
        (clustor.davies_bouldin_score, skm.davies_bouldin_score),
    ]:
        assert ours(X, y, exclude_noise=True) == pytest.approx(theirs(X[20:], y[20:]), rel=1e-12)
        assert ours(X, y) == pytest.approx(theirs(X, y), rel=1e-12)


@pytest.mark.parametrize("func", ["calinski_harabasz_score", "davies_bouldin_score"])
@pytest.mark.parametrize(
    ("X", "labels", "message"),
    [
        ([[0.0], [1.0], [2.0]], [0, 0, 0], "Number of labels is 1. Valid values are 2 to"),
        ([[0.0], [1.0], [2.0]], [0, 1, 2], "Number of labels is 3. Valid values are 2 to"),
        ([[0.0], [1.0], [2.0]], [0, 1], "inconsistent numbers of samples"),
        ([[0.0], [np.inf], [2.0]], [0, 1, 1], "infinity"),
        ([[0.0], [1.0], [2.0]], [0.0, np.nan, 1.0], "NaN"),
        ([0.0, 1.0, 2.0], [0, 1, 1], "Expected 2D array"),
    ],
)
def test_dispersion_score_errors(func, X, labels, message):
    with pytest.raises(ValueError, match=message):
        getattr(clustor.metrics, func)(X, labels)


# --- external scores -------------------------------------------------------------------------

EXTERNAL = [
    "adjusted_rand_score",
    "rand_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "adjusted_mutual_info_score",
    "homogeneity_score",
    "completeness_score",
    "v_measure_score",
    "fowlkes_mallows_score",
]


def _close(ours, theirs, name):
    rel = 1e-10 if name == "adjusted_mutual_info_score" else 1e-12
    assert ours == pytest.approx(theirs, rel=rel, abs=1e-15 if rel == 1e-12 else 1e-13), name


def _agree_everywhere(true, pred):
    for name in EXTERNAL:
        ours = getattr(clustor.metrics, name)(true, pred)
        theirs = getattr(skm, name)(true, pred)
        assert isinstance(ours, float)
        _close(ours, theirs, name)
    for method in ("min", "geometric", "max"):
        for name in ("normalized_mutual_info_score", "adjusted_mutual_info_score"):
            ours = getattr(clustor.metrics, name)(true, pred, average_method=method)
            _close(ours, getattr(skm, name)(true, pred, average_method=method), name)
    h = clustor.metrics.homogeneity_completeness_v_measure(true, pred, beta=0.5)
    for a, b in zip(h, skm.homogeneity_completeness_v_measure(true, pred, beta=0.5)):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
    np.testing.assert_array_equal(
        clustor.metrics.pair_confusion_matrix(true, pred),
        skm.cluster.pair_confusion_matrix(true, pred),
    )
    np.testing.assert_array_equal(
        clustor.metrics.contingency_matrix(true, pred), skm.cluster.contingency_matrix(true, pred)
    )


def test_external_equal_sklearn_on_random_labelings():
    rng = np.random.default_rng(11)
    for _ in range(25):
        n = int(rng.integers(1, 300))
        true = rng.integers(0, int(rng.integers(1, 12)), n)
        pred = rng.integers(0, int(rng.integers(1, 40)), n)
        _agree_everywhere(true, pred)


@pytest.mark.parametrize(
    ("true", "pred"),
    [
        ([0, 0, 0, 0], [0, 0, 0, 0]),  # one cluster each
        ([0, 0, 0, 0], [5, 5, 5, 5]),
        ([0, 1, 2, 3], [0, 1, 2, 3]),  # all singletons
        ([0, 0, 0, 0], [0, 1, 2, 3]),  # one cluster vs singletons
        ([0, 1, 2, 3], [7, 7, 7, 7]),
        ([0, 0, 1, 1], [0, 1, 0, 1]),
        ([3], [3]),
        ([2**62, -(2**62), 2**62, 0], [1, 1, 2, 2]),  # huge label values
        (["x", "y", "x", "z"], ["b", "a", "b", "b"]),  # strings
        (np.array([1.0, 2.0, 2.0, 1.0]), np.array([0, 0, 1, 1], dtype=np.uint8)),
        ([True, False, True, True], [1, 2, 3, 1]),
        (np.array([-128, 127, 0, 127], dtype=np.int8), np.array([255, 0, 0, 1], dtype=np.uint8)),
        (np.array([2**64 - 1, 0, 5, 5], dtype=np.uint64), [1, 1, 2, 2]),
        ([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 1]),
    ],
)
def test_external_edge_cases_equal_sklearn(true, pred):
    _agree_everywhere(true, pred)


def test_external_empty_labelings():
    for name in EXTERNAL:
        if name == "mutual_info_score":  # scikit-learn: math domain error
            assert clustor.metrics.mutual_info_score([], []) == 0.0
            continue
        assert getattr(clustor.metrics, name)([], []) == getattr(skm, name)([], []), name


def test_external_by_hand():
    m = clustor.metrics
    # Contingency [[2, 0], [1, 1]] (true 0, 0, 1, 1 / pred 0, 0, 0, 1).
    true, pred = [0, 0, 1, 1], [0, 0, 0, 1]
    np.testing.assert_array_equal(m.contingency_matrix(true, pred), [[2, 0], [1, 1]])
    # Ordered pairs: together in both 2 (0-1 both ways), only in pred 4 (0-2, 1-2), only
    # in true 2 (2-3), in neither 4 (0-3, 1-3).
    np.testing.assert_array_equal(m.pair_confusion_matrix(true, pred), [[4, 4], [2, 2]])
    assert m.rand_score(true, pred) == 6 / 12
    # MI = H(pred) - H(pred | true) = H(3/4, 1/4) - 1/2 ln 2.
    h = -(0.75 * np.log(0.75) + 0.25 * np.log(0.25))
    assert m.mutual_info_score(true, pred) == pytest.approx(h - 0.5 * np.log(2), rel=1e-14)
    assert m.completeness_score(true, pred) == pytest.approx(1 - 0.5 * np.log(2) / h, rel=1e-14)
    # FMI = TP / sqrt((TP + FP)(TP + FN)) with unordered pairs TP 1, FP 2, FN 1.
    assert m.fowlkes_mallows_score(true, pred) == pytest.approx(1 / np.sqrt(6), rel=1e-15)
    # Two samples split both ways: E[MI] = ln 2 = MI, so AMI's numerator is 0 (clamped to eps).
    assert m.adjusted_mutual_info_score([0, 1], [0, 1]) == skm.adjusted_mutual_info_score(
        [0, 1], [0, 1]
    )


def test_external_larger_labelings_equal_sklearn():
    rng = np.random.default_rng(5)
    true = rng.integers(0, 60, 20_000)
    pred = np.where(rng.random(20_000) < 0.7, true * 3 + 1, rng.integers(0, 90, 20_000))
    _agree_everywhere(true, pred)


def test_ami_many_clusters_and_threads():
    rng = np.random.default_rng(2)
    true = rng.integers(0, 300, 30_000)
    pred = rng.integers(0, 200, 30_000)
    with clustor.num_threads(1):
        one = clustor.metrics.adjusted_mutual_info_score(true, pred)
    with clustor.num_threads(2):
        two = clustor.metrics.adjusted_mutual_info_score(true, pred)
    assert one == two
    # Independent labelings: AMI near 0, so compare absolutely.
    assert one == pytest.approx(skm.adjusted_mutual_info_score(true, pred), abs=1e-10)


def test_contingency_matrix_options():
    m = clustor.metrics
    true, pred = ["a", "b", "b", "c"], [2, 2, 0, 0]
    np.testing.assert_array_equal(
        m.contingency_matrix(true, pred, eps=0.5),
        skm.cluster.contingency_matrix(true, pred, eps=0.5),
    )
    dense = m.contingency_matrix(true, pred, dtype=np.float32)
    assert dense.dtype == np.float32
    sparse = m.contingency_matrix(true, pred, sparse=True)
    np.testing.assert_array_equal(sparse.toarray(), skm.cluster.contingency_matrix(true, pred))
    with pytest.raises(ValueError, match="Cannot set 'eps' when sparse=True"):
        m.contingency_matrix(true, pred, eps=1.0, sparse=True)
    with pytest.raises(ValueError, match="eps"):
        m.contingency_matrix(true, pred, eps=-1.0)


def test_ari_equals_sklearn_on_huge_clusters_count():
    n = 200_000
    labels = np.arange(n) * 7_919
    assert clustor.metrics.rand_score(labels, labels) == 1.0
    assert clustor.metrics.fowlkes_mallows_score(labels, labels // 14_000) == 0.0


@pytest.mark.parametrize("name", [*EXTERNAL, "pair_confusion_matrix", "contingency_matrix"])
def test_external_errors(name):
    f = getattr(clustor.metrics, name)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        f([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="labels_true must be 1D"):
        f([[0, 1], [1, 0]], [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        f([0.0, np.nan], [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        f([0, 1], np.array([1, float("nan")], dtype=object))


def test_external_bad_parameters_and_continuous_labels():
    m = clustor.metrics
    with pytest.raises(ValueError, match="average_method"):
        m.normalized_mutual_info_score([0, 1], [0, 1], average_method="median")
    with pytest.raises(ValueError, match="average_method"):
        m.adjusted_mutual_info_score([0, 1], [0, 1], average_method=None)
    with pytest.raises(ValueError, match="beta"):
        m.v_measure_score([0, 1], [0, 1], beta=-1)
    with pytest.warns(UserWarning, match="expects discrete values"):
        assert m.adjusted_rand_score([0.5, 0.5, 1.5], [0, 0, 1]) == 1.0


def test_top_level_exports():
    for name in (
        "silhouette_score",
        "silhouette_samples",
        "calinski_harabasz_score",
        "davies_bouldin_score",
        "adjusted_rand_score",
    ):
        assert getattr(clustor, name) is getattr(clustor.metrics, name)
        assert name in clustor.__all__
