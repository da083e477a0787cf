"""clustor.metrics: adjusted_rand_score, silhouette_score, silhouette_samples."""

import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn import metrics as skm

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
    with pytest.raises(ValueError, match="Unknown metric 'manhattan'"):
        silhouette_score(X, y, metric="manhattan")
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
