"""The estimator surface: parameters, repr, clone/pickle/deepcopy, scikit-learn integration
(Pipeline, GridSearchCV, tags, exceptions), seed-style result access, fitted state."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import sklearn
import sklearn.exceptions
from sklearn.base import clone, is_clusterer
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

import clustor
from clustor import KMeans, kmeans


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=120, centers=3, cluster_std=0.6, random_state=0)
    return X, y


# -- parameters and repr -------------------------------------------------------------------


def test_get_params_lists_every_init_argument():
    params = KMeans().get_params()
    assert params == {
        "algorithm": "lloyd",
        "copy_x": True,
        "init": "k-means++",
        "max_iter": 300,
        "metric": "euclidean",
        "n_clusters": 8,
        "n_init": "auto",
        "n_threads": None,
        "normalize_centers": None,
        "normalize_input": False,
        "random_state": None,
        "tol": 1e-4,
        "verbose": 0,
    }


def test_set_params_returns_self_and_sets():
    km = KMeans()
    assert km.set_params(n_clusters=3, metric="cosine") is km
    assert km.n_clusters == 3 and km.metric == "cosine"
    assert km.set_params() is km


def test_set_params_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"Invalid parameter 'bogus' for estimator KMeans"):
        KMeans().set_params(bogus=1)


def test_init_stores_parameters_untouched():
    init = np.zeros((2, 2))
    km = KMeans(n_clusters=2, init=init, random_state=np.random.RandomState(0))
    assert km.init is init
    assert km.get_params()["init"] is init


@pytest.mark.parametrize(
    ("est", "text"),
    [
        (KMeans(), "KMeans()"),
        (KMeans(n_clusters=3), "KMeans(n_clusters=3)"),
        (
            KMeans(metric="cosine", n_clusters=3, random_state=0),
            "KMeans(metric='cosine', n_clusters=3, random_state=0)",
        ),
        (KMeans(tol=1e-4), "KMeans()"),
        (KMeans(tol=0.0), "KMeans(tol=0.0)"),
        (KMeans(normalize_centers=False), "KMeans(normalize_centers=False)"),
    ],
)
def test_repr_shows_changed_parameters(est, text):
    assert repr(est) == text


def test_repr_with_array_init():
    text = repr(KMeans(n_clusters=2, init=np.zeros((2, 2))))
    assert text.startswith("KMeans(init=array(") and "n_clusters=2" in text


# -- clone, pickle, deepcopy ---------------------------------------------------------------


def test_clone_copies_parameters_not_fit(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0, algorithm="elkan").fit(X)
    c = clone(km)
    assert c.get_params() == km.get_params()
    assert not hasattr(c, "cluster_centers_")
    with pytest.raises(clustor.NotFittedError):
        c.predict(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_pickle_round_trip(blobs, dtype, metric):
    X, _ = blobs
    X = X.astype(dtype)
    km = KMeans(n_clusters=3, random_state=0, metric=metric).fit(X)
    back = pickle.loads(pickle.dumps(km))
    assert back.get_params() == km.get_params()
    for attr in ("cluster_centers_", "labels_"):
        np.testing.assert_array_equal(getattr(back, attr), getattr(km, attr))
        assert getattr(back, attr).dtype == getattr(km, attr).dtype
    assert back.inertia_ == km.inertia_ and back.n_iter_ == km.n_iter_
    np.testing.assert_array_equal(back.predict(X), km.predict(X))
    np.testing.assert_array_equal(back.transform(X), km.transform(X))
    np.testing.assert_array_equal(back["labels"], km["labels"])


def test_pickle_unfitted():
    back = pickle.loads(pickle.dumps(KMeans(n_clusters=5, metric="l2")))
    assert back.get_params() == KMeans(n_clusters=5, metric="l2").get_params()


def test_deepcopy(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    dup = copy.deepcopy(km)
    assert dup.cluster_centers_ is not km.cluster_centers_
    np.testing.assert_array_equal(dup.predict(X), km.predict(X))
    dup.cluster_centers_[0] += 100  # the copy owns its arrays
    assert not np.array_equal(dup.cluster_centers_, km.cluster_centers_)


# -- scikit-learn integration ----------------------------------------------------------------


def test_tags_say_clusterer_and_transformer():
    km = KMeans()
    assert is_clusterer(km)
    tags = get_tags(km)
    assert tags.estimator_type == "clusterer"
    assert tags.transformer_tags is not None
    assert tags.input_tags.allow_nan is False and tags.input_tags.sparse is False
    assert tags.target_tags.required is False


def test_pipeline_with_scaler(blobs):
    X, y = blobs
    pipe = make_pipeline(StandardScaler(), KMeans(n_clusters=3, random_state=0))
    labels = pipe.fit_predict(X)
    assert adjusted_rand_score(labels, y) > 0.95
    np.testing.assert_array_equal(pipe.predict(X), labels)
    assert pipe.transform(X).shape == (len(X), 3)
    assert pipe.get_params()["kmeans__n_clusters"] == 3
    pipe.set_params(kmeans__n_clusters=2)
    assert pipe.fit(X).named_steps["kmeans"].cluster_centers_.shape == (2, 2)
    names = pipe.get_feature_names_out()
    assert list(names) == ["kmeans0", "kmeans1"]


def test_pipeline_named_steps_and_clone(blobs):
    X, _ = blobs
    pipe = Pipeline([("scale", StandardScaler()), ("km", KMeans(n_clusters=3, random_state=0))])
    fitted = pipe.fit(X)
    c = clone(fitted)
    assert c.named_steps["km"].get_params() == fitted.named_steps["km"].get_params()
    assert not hasattr(c.named_steps["km"], "labels_")


def _silhouette(est, X, y=None):
    return silhouette_score(X, est.predict(X))


@pytest.mark.parametrize(
    "n_jobs",
    # n_jobs=2 sends the estimator through joblib's worker processes (pickling both ways);
    # starting them takes seconds.
    [None, pytest.param(2, marks=pytest.mark.slow)],
)
def test_grid_search_over_n_clusters(blobs, n_jobs):
    X, _ = blobs
    search = GridSearchCV(
        KMeans(random_state=0),
        {"n_clusters": [2, 3, 4, 5]},
        scoring=_silhouette,
        cv=3,
        n_jobs=n_jobs,
    )
    search.fit(X)
    assert search.best_params_ == {"n_clusters": 3}
    assert isinstance(search.best_estimator_, KMeans)
    assert search.best_estimator_.cluster_centers_.shape == (3, 2)


def test_grid_search_with_supervised_scorer(blobs):
    X, y = blobs
    search = GridSearchCV(
        make_pipeline(StandardScaler(), KMeans(random_state=0)),
        {"kmeans__n_clusters": [2, 3, 4], "kmeans__algorithm": ["lloyd", "elkan"]},
        scoring="adjusted_rand_score",
        cv=3,
    )
    search.fit(X, y)
    assert search.best_params_["kmeans__n_clusters"] == 3


def test_default_score_is_negative_inertia(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    assert km.score(X) == pytest.approx(-km.inertia_, rel=1e-9)


# -- fitted state and exceptions -----------------------------------------------------------


@pytest.mark.parametrize("method", ["predict", "transform", "score"])
def test_not_fitted_error_is_clustor_and_sklearn(blobs, method):
    X, _ = blobs
    km = KMeans()
    with pytest.raises(sklearn.exceptions.NotFittedError, match="is not fitted yet") as info:
        getattr(km, method)(X)
    assert isinstance(info.value, clustor.NotFittedError)
    assert isinstance(info.value, (ValueError, AttributeError))


def test_not_fitted_error_catchable_as_sklearn():
    try:
        KMeans().predict([[0.0]])
    except sklearn.exceptions.NotFittedError as e:
        caught = e
    assert isinstance(caught, clustor.NotFittedError)


def test_not_fitted_error_pickles():
    try:
        KMeans().predict([[0.0]])
    except clustor.NotFittedError as e:
        back = pickle.loads(pickle.dumps(e))
    assert isinstance(back, sklearn.exceptions.NotFittedError)
    assert isinstance(back, clustor.NotFittedError)
    assert str(back).startswith("This KMeans instance is not fitted yet")


def test_check_is_fitted(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=3)
    with pytest.raises(sklearn.exceptions.NotFittedError):
        check_is_fitted(km)
    check_is_fitted(km.fit(X))


def test_failed_refit_leaves_estimator_unfitted(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    km.set_params(n_clusters=500)
    with pytest.raises(ValueError, match="n_clusters=500"):
        km.fit(X)
    assert not hasattr(km, "cluster_centers_") and not hasattr(km, "labels_")
    with pytest.raises(clustor.NotFittedError):
        km.predict(X)
    with pytest.raises(clustor.NotFittedError):
        km["labels"]


def test_invalid_parameter_error_is_sklearns():
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="'n_clusters' parameter of KMeans"):
        KMeans(n_clusters=0).fit([[0.0], [1.0]])


def test_convergence_warning_is_sklearns():
    X = np.zeros((5, 2))
    with pytest.warns(sklearn.exceptions.ConvergenceWarning, match="distinct clusters"):
        KMeans(n_clusters=2, random_state=0).fit(X)
    with pytest.warns(clustor.ConvergenceWarning):
        KMeans(n_clusters=2, random_state=0).fit(X)


# -- seed-style access ---------------------------------------------------------------------


def test_seed_keys_read_fitted_results(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    assert km.keys() == ["centers", "labels", "inertia", "n_iter"]
    assert km["centers"] is km.cluster_centers_
    assert km["labels"] is km.labels_
    assert km["inertia"] == km.inertia_
    assert km["n_iter"] == km.n_iter_
    assert "labels" in km and "bogus" not in km
    assert KMeans().fit(X)["labels"].dtype == np.int64


def test_unknown_key_lists_the_keys(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    with pytest.raises(KeyError, match=r"'bogus' is not a result of KMeans") as info:
        km["bogus"]
    for key in ("centers", "labels", "inertia", "n_iter"):
        assert key in str(info.value)


def test_key_before_fit_is_not_fitted():
    km = KMeans()
    assert "labels" not in km
    with pytest.raises(clustor.NotFittedError):
        km["labels"]


def test_functional_api_matches_estimator(blobs):
    X, _ = blobs
    centers, labels, inertia, n_iter = kmeans(X, 3, random_state=0)
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    np.testing.assert_array_equal(centers, km.cluster_centers_)
    np.testing.assert_array_equal(labels, km.labels_)
    assert inertia == km.inertia_ and n_iter == km.n_iter_


# -- feature names out -----------------------------------------------------------------------


def test_get_feature_names_out(blobs):
    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    out = km.get_feature_names_out()
    assert out.dtype == object and list(out) == ["kmeans0", "kmeans1", "kmeans2"]
    assert list(km.get_feature_names_out(["a", "b"])) == list(out)
    with pytest.raises(ValueError, match="input_features should have length"):
        km.get_feature_names_out(["a"])
    with pytest.raises(clustor.NotFittedError):
        KMeans().get_feature_names_out()


# -- sample weights ----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sample_weight_equals_repetition(algorithm, metric, dtype):
    # The equivalence scikit-learn's check_sample_weight_equivalence tests, from shared
    # initial centers so that seeding randomness is out of the picture.
    rng = np.random.RandomState(42)
    X = rng.rand(30, 4).astype(dtype)
    sw = rng.randint(0, 5, size=30)
    sw[0] = 3  # the first row seeds a center below, so it needs weight
    init = X[[0, 5, 9]] if sw[5] and sw[9] else X[[0, 1, 2]]
    kw = dict(n_clusters=3, init=init, n_init=1, algorithm=algorithm, metric=metric, tol=0)
    weighted = KMeans(**kw).fit(X, sample_weight=sw)
    repeated = KMeans(**kw).fit(X.repeat(sw, axis=0))
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_, rtol=rtol)
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=rtol)


def test_weights_scaled_by_a_constant_give_the_same_fit():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 3)
    w = rng.rand(40) + 0.1
    base = KMeans(n_clusters=4, random_state=0).fit(X, sample_weight=w)
    # Powers of two scale the weights exactly: the fit is bit-identical, the inertia scales.
    for factor in (2.0**-600, 4.0, 2.0**900):
        other = KMeans(n_clusters=4, random_state=0).fit(X, sample_weight=w * factor)
        np.testing.assert_array_equal(other.labels_, base.labels_)
        np.testing.assert_array_equal(other.cluster_centers_, base.cluster_centers_)
        assert other.inertia_ == pytest.approx(base.inertia_ * factor, rel=1e-12)
    # Subnormal weights have lost digits, but still give the same clustering (scikit-learn
    # returns NaN centers here).
    tiny = KMeans(n_clusters=4, random_state=0).fit(X, sample_weight=w * 2.0**-1060)
    np.testing.assert_array_equal(tiny.labels_, base.labels_)
    np.testing.assert_allclose(tiny.cluster_centers_, base.cluster_centers_, rtol=1e-4)
    assert tiny.inertia_ == pytest.approx(base.inertia_ * 2.0**-1060, rel=1e-3)


def test_sklearn_version_is_recent():
    # The checks above rely on scikit-learn >= 1.6 (Tags API, expected_failed_checks).
    major, minor = (int(p) for p in sklearn.__version__.split(".")[:2])
    assert (major, minor) >= (1, 6)


# -- set_output ------------------------------------------------------------------------------


def test_set_output_pandas_keeps_the_index(blobs):
    import pandas as pd

    X, _ = blobs
    df = pd.DataFrame(X, columns=["a", "b"], index=[f"r{i}" for i in range(len(X))])
    km = KMeans(n_clusters=3, random_state=0).set_output(transform="pandas")
    out = km.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["kmeans0", "kmeans1", "kmeans2"]
    assert list(out.index) == list(df.index)
    np.testing.assert_array_equal(out.to_numpy(), km.transform(df).to_numpy())
    assert isinstance(clone(km).fit(X).transform(X), pd.DataFrame)  # clone keeps the config


def test_set_output_polars_and_default(blobs):
    import polars as pl

    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    assert isinstance(km.set_output(transform="polars").transform(X), pl.DataFrame)
    assert isinstance(km.set_output(transform="default").transform(X), np.ndarray)
    assert km.set_output() is km
    with pytest.raises(ValueError, match="output config must be in"):
        km.set_output(transform="arrow")
    np.testing.assert_array_equal(km.predict(X), km.labels_)  # predict is not wrapped


def test_global_transform_output_config(blobs):
    import pandas as pd

    X, _ = blobs
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    with sklearn.config_context(transform_output="pandas"):
        assert isinstance(km.transform(X), pd.DataFrame)
    assert isinstance(km.transform(X), np.ndarray)
