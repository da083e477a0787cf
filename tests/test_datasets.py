"""clustor.datasets: the bundled Iris file and the NumPy-only generators."""

import subprocess
import sys
from importlib import resources

import numpy as np
import pytest

import clustor
from clustor.datasets import load_iris, make_blobs, make_varying_density


def test_iris_file_is_package_data():
    path = resources.files("clustor.datasets").joinpath("data", "iris.csv")
    assert path.is_file()
    assert path.read_text(encoding="utf-8").startswith("sepal_length,")


def test_iris_matches_sklearn():
    from sklearn import datasets

    X, y = load_iris()
    ref = datasets.load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (150,) and y.dtype == np.int64
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)
    assert np.bincount(y).tolist() == [50, 50, 50]


def test_iris_kmeans_recovers_species():
    X, y = load_iris()
    labels = clustor.KMeans(3, n_init=10, random_state=0).fit(X).labels_
    assert clustor.adjusted_rand_score(y, labels) > 0.7


def test_make_blobs_shapes_and_labels():
    X, y = make_blobs(n_samples=101, n_features=5, centers=4, random_state=0)
    assert X.shape == (101, 5) and X.dtype == np.float64
    assert y.dtype == np.int64
    assert np.bincount(y).tolist() == [26, 25, 25, 25]


def test_make_blobs_given_centers_counts_and_spreads():
    centers = [[0.0, 0.0], [100.0, 100.0]]
    X, y = make_blobs(
        n_samples=[30, 70], centers=centers, cluster_std=[0.5, 2.0], shuffle=False, random_state=1
    )
    assert y.tolist() == [0] * 30 + [1] * 70
    np.testing.assert_allclose(X[y == 0].mean(axis=0), centers[0], atol=0.5)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), centers[1], atol=1.5)
    assert X[y == 0].std() < X[y == 1].std()


def test_make_blobs_seeding():
    a = make_blobs(50, random_state=3)
    b = make_blobs(50, random_state=3)
    c = make_blobs(50, random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert c[0].shape == (50, 2)
    assert not np.array_equal(a[0], make_blobs(50, random_state=4)[0])


def test_make_blobs_errors():
    with pytest.raises(ValueError, match="one count per center"):
        make_blobs([10, 10], centers=3)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        make_blobs(0)
    with pytest.raises(ValueError, match="cluster_std"):
        make_blobs(10, cluster_std=-1.0)


def test_varying_density():
    X, y = make_varying_density(1000, random_state=0)
    assert X.shape == (1000, 2)
    assert np.bincount(y).tolist() == [200, 300, 500]
    spreads = [X[y == c].std() for c in range(3)]
    assert spreads[0] < spreads[1] < spreads[2]
    X2, y2 = make_varying_density(1000, random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    with pytest.raises(ValueError, match=">= 3"):
        make_varying_density(2)


def test_no_sklearn_or_scipy_at_import():
    code = (
        "import sys, clustor, clustor.datasets, clustor.metrics, clustor.cli, clustor.plotting;"
        "bad = [m for m in ('sklearn', 'scipy', 'matplotlib') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
