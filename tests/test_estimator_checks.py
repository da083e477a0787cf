"""scikit-learn's estimator checks run on clustor's estimators.

Only checks that cannot apply are expected to fail; each carries its reason below.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import check_clustering, parametrize_with_checks

from clustor import (
    DBSCAN,
    OPTICS,
    AffinityPropagation,
    AgglomerativeClustering,
    Birch,
    BisectingKMeans,
    GaussianMixture,
    KMeans,
    MiniBatchKMeans,
)

# scikit-learn's own test set-up for KMeans (small n_init/max_iter keep the checks fast),
# plus the other iteration, the other seeding and the seed toolkit's cosine metric.
ESTIMATORS = [
    KMeans(n_clusters=2, n_init=2, max_iter=5),
    KMeans(n_clusters=2, n_init=2, max_iter=5, algorithm="elkan", init="random"),
    KMeans(n_clusters=2, n_init=2, max_iter=5, metric="cosine"),
    MiniBatchKMeans(n_clusters=2, n_init=2, max_iter=5, batch_size=10),
    MiniBatchKMeans(n_clusters=2, init="random", max_iter=5, metric="cosine"),
    BisectingKMeans(n_clusters=2, n_init=2, max_iter=5),
    BisectingKMeans(n_clusters=3, max_iter=5, algorithm="elkan", init="k-means++"),
    DBSCAN(),
    DBSCAN(eps=0.3, min_samples=3, metric="manhattan", algorithm="brute"),
]

SAMPLE_WEIGHT_REASON = (
    "k-means seeding is random: weighted draws over the check's shuffled rows are not the "
    "draws over the repeated rows, so the two fits may number the same partition "
    "differently or stop in different local optima (scikit-learn xfails this check for "
    "KMeans too). test_base.py::test_sample_weight_equals_repetition checks the equivalence "
    "from shared initial centers, where it is exact."
)


def expected_failed_checks(estimator: KMeans) -> dict[str, str]:
    if isinstance(estimator, DBSCAN):
        return {}
    return {"check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_REASON}


with warnings.catch_warnings():
    # clustor's BaseEstimator deliberately does not subclass scikit-learn's (scikit-learn is
    # not a runtime dependency); collecting the checks warns about that.
    warnings.filterwarnings(
        "ignore", message=r"Estimator \w+ does not inherit from", category=UserWarning
    )
    # Not strict: whether random seedings happen to meet (and number alike) the same optimum
    # in the sample-weight check depends on the random stream, so an XPASS is no error.
    _parametrized = parametrize_with_checks(
        ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=False
    )


@_parametrized
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("readonly_memmap", [False, True])
@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
def test_check_clustering(readonly_memmap, algorithm):
    check_clustering("KMeans", KMeans(algorithm=algorithm), readonly_memmap=readonly_memmap)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_check_clustering_float32(dtype):
    # check_clustering uses float64 only; the float32 path gets the same treatment here.
    from sklearn.datasets import make_blobs
    from sklearn.metrics import adjusted_rand_score

    X, y = make_blobs(n_samples=50, random_state=1)
    km = KMeans(n_clusters=3, random_state=0).fit(X.astype(dtype))
    assert km.cluster_centers_.dtype == dtype
    assert adjusted_rand_score(km.labels_, y) > 0.9


# Run separately in scikit-learn's own test suite (test_common.py), not by
# parametrize_with_checks.
SET_OUTPUT_CHECKS = [
    "check_set_output_transform",
    "check_set_output_transform_pandas",
    "check_global_output_transform_pandas",
    "check_set_output_transform_polars",
    "check_global_set_output_transform_polars",
]


# The checks fit on a data frame and transform an array, and the other way round: the
# feature-name warnings are the right behaviour (scikit-learn's KMeans warns the same here).
@pytest.mark.filterwarnings("ignore:X does not have valid feature names:UserWarning")
@pytest.mark.filterwarnings("ignore:X has feature names, but:UserWarning")
@pytest.mark.parametrize("check", SET_OUTPUT_CHECKS)
@pytest.mark.parametrize("estimator", [e for e in ESTIMATORS if hasattr(e, "transform")], ids=repr)
def test_set_output_checks(estimator, check):
    getattr(estimator_checks, check)("KMeans", estimator)


@pytest.mark.parametrize("readonly_memmap", [False, True])
@pytest.mark.parametrize(
    "estimator",
    [MiniBatchKMeans(batch_size=16), BisectingKMeans(), BisectingKMeans(algorithm="elkan")],
    ids=repr,
)
def test_check_clustering_minibatch_bisecting(estimator, readonly_memmap):
    check_clustering(type(estimator).__name__, estimator, readonly_memmap=readonly_memmap)


@pytest.mark.parametrize("linkage", ["ward", "complete", "average", "single"])
def test_check_clustering_agglomerative(linkage):
    check_clustering("AgglomerativeClustering", AgglomerativeClustering(linkage=linkage))


AGGLOMERATIVE = [
    AgglomerativeClustering(),
    AgglomerativeClustering(linkage="average", metric="manhattan"),
    AgglomerativeClustering(linkage="single", metric="cosine"),
]

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"Estimator \w+ does not inherit from", category=UserWarning
    )
    _parametrized_agglomerative = parametrize_with_checks(AGGLOMERATIVE)


@_parametrized_agglomerative
def test_sklearn_estimator_checks_agglomerative(estimator, check):
    check(estimator)


# OPTICS: scikit-learn's own test set-up (min_samples small enough for the checks' tiny
# data sets), the other extraction, a finite max_eps (the indexed loop) and cosine.
OPTICS_ESTIMATORS = [
    OPTICS(min_samples=2),
    OPTICS(min_samples=2, cluster_method="dbscan", max_eps=5.0),
    OPTICS(min_samples=0.1, max_eps=3.0, algorithm="kd_tree"),
    OPTICS(min_samples=2, metric="cosine"),
]

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"Estimator \w+ does not inherit from", category=UserWarning
    )
    _optics_parametrized = parametrize_with_checks(OPTICS_ESTIMATORS)


@_optics_parametrized
def test_optics_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("readonly_memmap", [False, True])
def test_optics_check_clustering(readonly_memmap):
    check_clustering("OPTICS", OPTICS(min_samples=5), readonly_memmap=readonly_memmap)


# GaussianMixture: one deterministic case (one component) and each other covariance type
# with a different initialisation.
MIXTURES = [
    GaussianMixture(),
    GaussianMixture(n_components=2, covariance_type="diag"),
    GaussianMixture(n_components=2, covariance_type="tied", init_params="random_from_data"),
    GaussianMixture(n_components=2, covariance_type="spherical", init_params="k-means++"),
]

MIXTURE_SAMPLE_WEIGHT_REASON = (
    "the initialisation is random (k-means, k-means++ or sampled rows): draws over the "
    "check's shuffled weighted rows are not the draws over the repeated rows, so EM starts "
    "elsewhere and may end in another local optimum. test_mixture.py::"
    "test_integer_sample_weight_equals_repetition checks the equivalence from shared "
    "initial parameters, where it holds to rounding (and the one-component case passes here)."
)


def expected_failed_mixture_checks(estimator: GaussianMixture) -> dict[str, str]:
    return {"check_sample_weight_equivalence_on_dense_data": MIXTURE_SAMPLE_WEIGHT_REASON}


with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"Estimator \w+ does not inherit from", category=UserWarning
    )
    _parametrized_mixtures = parametrize_with_checks(
        MIXTURES, expected_failed_checks=expected_failed_mixture_checks, xfail_strict=False
    )


@_parametrized_mixtures
def test_sklearn_mixture_checks(estimator, check):
    check(estimator)


# --- AffinityPropagation and Birch ----------------------------------------------------------

AFFINITY_BIRCH = [
    AffinityPropagation(random_state=0),
    AffinityPropagation(random_state=0, metric="cosine"),
    Birch(n_clusters=2),
    Birch(n_clusters=None, threshold=0.3, branching_factor=5),
]

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"Estimator \w+ does not inherit from", category=UserWarning
    )
    _parametrized_affinity_birch = parametrize_with_checks(AFFINITY_BIRCH)


# On the checks' tiny uniform data Birch(n_clusters=2) may find one subcluster and warns,
# as scikit-learn's Birch does; the warning is the right behaviour there.
@pytest.mark.filterwarnings("ignore:Number of subclusters found:UserWarning")
@_parametrized_affinity_birch
def test_sklearn_estimator_checks_affinity_birch(estimator, check):
    check(estimator)


@pytest.mark.parametrize("readonly_memmap", [False, True])
def test_check_clustering_affinity_birch(readonly_memmap):
    check_clustering("Birch", Birch(), readonly_memmap=readonly_memmap)
    check_clustering(
        "AffinityPropagation", AffinityPropagation(random_state=0), readonly_memmap=readonly_memmap
    )
