"""Property tests of the estimator surface: any input either gives a valid result or a
ValueError/TypeError with a message, never another exception, a crash, a hang or garbage.

Generated: shapes n 0..60 × d 0..6; float64/float32/int64/bool data, clean or with NaN,
inf, huge (up to the dtype's max), tiny and subnormal values; constant columns, duplicate
points and all-zero rows; k from 0 to n+2; both iterations, both seedings, both metrics;
sample weights with zeros, negatives, NaN, huge and subnormal values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import clustor
from clustor import ConvergenceWarning, KMeans, kmeans, kmeans_plusplus

SETTINGS = settings(
    # 150 by default; more under a profile that asks for more (conftest.py: "stress").
    max_examples=max(150, settings().max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# What a call may legitimately warn about: fewer distinct clusters than asked for.
ALLOWED_WARNINGS = (ConvergenceWarning,)


def _float_elements(dtype: str) -> st.SearchStrategy[float]:
    width = 32 if dtype == "float32" else 64
    info = np.finfo(dtype)
    special = st.sampled_from(
        [
            0.0,
            -0.0,
            1.0,
            float(info.max),
            -float(info.max),
            float(info.tiny),
            float(info.smallest_subnormal),
            np.nan,
            np.inf,
            -np.inf,
        ]
    )
    return st.one_of(
        st.floats(-10, 10, width=width),
        special,
        st.floats(width=width, allow_nan=True, allow_infinity=True),
    )


@st.composite
def datasets(draw, n: int | None = None, d: int | None = None) -> np.ndarray:
    # The empty cases (n = 0, d = 0) get a fair share, not the lion's share.
    n = draw(st.one_of(st.integers(1, 60), st.integers(0, 60))) if n is None else n
    d = draw(st.one_of(st.integers(1, 6), st.integers(0, 6))) if d is None else d
    dtype = draw(st.sampled_from(["float64", "float64", "float32", "int64", "bool"]))
    mode = draw(st.sampled_from(["clean", "clean", "scaled", "wild"]))
    if dtype == "bool":
        elements = st.booleans()
    elif dtype == "int64":
        elements = st.integers(-5, 5) if mode != "wild" else st.integers(-(2**63), 2**63 - 1)
    elif mode == "wild":
        elements = _float_elements(dtype)
    else:
        elements = st.floats(-10, 10, width=32 if dtype == "float32" else 64)
    X = draw(arrays(dtype, (n, d), elements=elements))
    if mode == "scaled" and X.dtype.kind == "f":
        # All finite, but huge or tiny: squared distances overflow or underflow.
        exponent = draw(st.sampled_from([-300, -160, -40, -20, 15, 20, 40, 160, 300]))
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            X = (X.astype(np.float64) * 10.0**exponent).astype(dtype)
    if n and d:
        for kind in draw(st.sets(st.sampled_from(["constant", "duplicates", "zero_rows"]))):
            if kind == "constant":
                j = draw(st.integers(0, d - 1))
                X[:, j] = X[0, j]
            elif kind == "duplicates":
                X[n // 2 :] = X[: n - n // 2]
            else:
                X[:: max(1, n // 3)] = 0
    return X


def n_clusters(n: int) -> st.SearchStrategy[int]:
    """0..n+2, weighted towards the valid 1..n."""
    return st.one_of(st.integers(1, max(1, min(n, 8))), st.integers(0, n + 2))


def weights(n: int) -> st.SearchStrategy:
    values = st.sampled_from([0.0, 1.0, 2.5, 1e-3, -1.0, 1e300, 5e-324, np.nan, np.inf])
    return st.one_of(
        st.none(),
        arrays(np.float64, (n,), elements=st.floats(0, 10)),
        st.sampled_from([0.0, 2.0, -1.0]),
        arrays(np.float64, (n,), elements=values),
    )


params = st.fixed_dictionaries(
    {
        "algorithm": st.sampled_from(["lloyd", "elkan"]),
        "init": st.sampled_from(["k-means++", "random"]),
        "metric": st.sampled_from(["euclidean", "cosine"]),
        "n_init": st.integers(1, 3),
        "max_iter": st.integers(1, 30),
        "random_state": st.integers(0, 2**32 - 1),
    }
)


def _float_type(X: np.ndarray) -> np.dtype:
    return np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64)


def _check_error(exc: BaseException) -> None:
    assert isinstance(exc, (ValueError, TypeError)), f"{type(exc).__name__}: {exc}"
    assert str(exc).strip(), f"{type(exc).__name__} without a message"


def _call(fn, *args, **kwargs):
    """(result, None) or (None, error) for a ValueError/TypeError; anything else fails, and
    so does a warning other than the allowed ones."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = fn(*args, **kwargs), None
        except (ValueError, TypeError) as e:
            result, error = None, e
    unexpected = [w for w in caught if not issubclass(w.category, ALLOWED_WARNINGS)]
    assert not unexpected, [f"{w.category.__name__}: {w.message}" for w in unexpected]
    if error is not None:
        _check_error(error)
    return result, error


def _check_labels(labels: np.ndarray, n: int, k: int) -> None:
    assert labels.dtype == np.int64
    assert labels.shape == (n,)
    if n:
        assert labels.min() >= 0 and labels.max() < k


def _check_fitted(km: KMeans, X: np.ndarray, k: int) -> None:
    n, d = X.shape
    _check_labels(km.labels_, n, k)
    assert km.cluster_centers_.shape == (k, d)
    assert km.cluster_centers_.dtype == _float_type(X)
    assert np.isfinite(km.cluster_centers_).all()
    assert isinstance(km.inertia_, float)
    assert np.isfinite(km.inertia_) and km.inertia_ >= 0
    assert isinstance(km.n_iter_, int) and km.n_iter_ >= 1
    assert km.n_features_in_ == d


@SETTINGS
@given(data=st.data(), X=datasets(), p=params)
def test_kmeans_estimator_never_misbehaves(data, X, p):
    n = X.shape[0]
    k = data.draw(n_clusters(n), label="n_clusters")
    sw = data.draw(weights(n), label="sample_weight")
    km = KMeans(n_clusters=k, **p)
    fitted, error = _call(km.fit, X, sample_weight=sw)
    event("fit: ok" if error is None else f"fit: {type(error).__name__} {str(error)[:24]}")
    if error is not None:
        with pytest.raises(clustor.NotFittedError):
            km.predict(X)
        return
    assert fitted is km
    _check_fitted(km, X, k)

    # Predict on the training data and on other data of the same width.
    other = data.draw(datasets(d=X.shape[1]), label="X_test")
    for Xt in (X, other):
        labels, error = _call(km.predict, Xt)
        if error is None:
            _check_labels(labels, Xt.shape[0], k)
        dist, error = _call(km.transform, Xt)
        if error is None:
            assert dist.shape == (Xt.shape[0], k)
            assert dist.dtype == km.cluster_centers_.dtype
            assert np.isfinite(dist).all() and (dist >= 0).all()
        score, error = _call(km.score, Xt, sample_weight=sw if Xt is X else None)
        if error is None:
            assert isinstance(score, float) and np.isfinite(score) and score <= 0


@SETTINGS
@given(data=st.data(), X=datasets(), p=params)
def test_kmeans_function_never_misbehaves(data, X, p):
    n = X.shape[0]
    k = data.draw(n_clusters(n), label="k")
    sw = data.draw(weights(n), label="sample_weight")
    result, error = _call(kmeans, X, k, sample_weight=sw, **p)
    if error is not None:
        return
    centers, labels, inertia, n_iter = result
    _check_labels(labels, n, k)
    assert centers.shape == (k, X.shape[1]) and centers.dtype == _float_type(X)
    assert np.isfinite(centers).all()
    assert np.isfinite(inertia) and inertia >= 0
    assert n_iter >= 1


@settings(SETTINGS, max_examples=max(100, settings().max_examples))
@given(data=st.data(), X=datasets())
def test_kmeans_plusplus_never_misbehaves(data, X):
    n = X.shape[0]
    k = data.draw(n_clusters(n), label="n_clusters")
    sw = data.draw(weights(n), label="sample_weight")
    result, error = _call(kmeans_plusplus, X, k, sample_weight=sw, random_state=0)
    if error is not None:
        return
    centers, indices = result
    assert indices.shape == (k,) and indices.dtype == np.int64
    assert ((indices >= 0) & (indices < n)).all()
    assert centers.dtype == _float_type(X)
    np.testing.assert_array_equal(centers, X[indices].astype(_float_type(X)))
