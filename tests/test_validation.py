"""Input conversion and checks: what clustor accepts, what it turns it into, and the
messages (scikit-learn's) for what it rejects; parameter validation."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.sparse as sp

from clustor import KMeans, kmeans, kmeans_plusplus
from clustor._validation import (
    Interval,
    InvalidParameterError,
    Options,
    check_array,
    check_sample_weight,
    feature_names,
    rescale_sample_weight,
    validate_params,
)


@pytest.fixture(scope="module")
def X():
    rng = np.random.RandomState(0)
    centers = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 0.0], [0.0, 5.0, 5.0]])
    return np.vstack([c + rng.randn(20, 3) * 0.3 for c in centers])


def fit(X, **kw):
    kw.setdefault("n_clusters", 3)
    kw.setdefault("random_state", 0)
    return KMeans(**kw).fit(X)


# -- what is accepted, and what it becomes ----------------------------------------------------


def test_lists_are_accepted(X):
    km = fit(X.tolist())
    np.testing.assert_array_equal(km.cluster_centers_, fit(X).cluster_centers_)
    assert km.predict(X[:3].tolist()).dtype == np.int64


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, np.float16])
def test_other_numeric_types_become_float64(X, dtype):
    Xi = np.round(X * 10).astype(dtype)
    km = fit(Xi)
    assert km.cluster_centers_.dtype == np.float64
    assert km.transform(Xi).dtype == np.float64
    np.testing.assert_array_equal(km.labels_, fit(Xi.astype(np.float64)).labels_)


def test_bool_becomes_float64():
    Xb = np.array([[True, False], [True, True], [False, False], [False, True]] * 3)
    km = KMeans(n_clusters=2, random_state=0).fit(Xb)
    assert km.cluster_centers_.dtype == np.float64
    assert set(km.cluster_centers_.ravel()) <= {0.0, 0.5, 1.0} | set(np.unique(km.cluster_centers_))


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
def test_float32_stays_float32_end_to_end(X, metric, algorithm):
    X32 = X.astype(np.float32)
    km = fit(X32, metric=metric, algorithm=algorithm)
    assert km.cluster_centers_.dtype == np.float32
    assert km.labels_.dtype == np.int64
    assert isinstance(km.inertia_, float)
    assert km.transform(X32).dtype == np.float32
    assert km.fit_transform(X32).dtype == np.float32
    # float64 data on a float32 model: computed and returned in the model's type.
    assert km.transform(X).dtype == np.float32
    assert km.predict(X).dtype == np.int64
    centers, *_ = kmeans(X32, 3, random_state=0, metric=metric)
    assert centers.dtype == np.float32
    seeds, idx = kmeans_plusplus(X32, 3, random_state=0)
    assert seeds.dtype == np.float32 and idx.dtype == np.int64


def test_float64_data_too_large_for_a_float32_model(X):
    km = fit(X.astype(np.float32))
    big = X.copy()
    big[0, 0] = 1e300
    with pytest.raises(
        ValueError, match=r"Input X contains infinity or a value too large for dtype\('float32'\)"
    ):
        km.predict(big)


def _layouts(X):
    ro = X.copy()
    ro.setflags(write=False)
    wide = np.zeros((X.shape[0] * 2, X.shape[1] * 3), dtype=X.dtype)
    wide[::2, ::3] = X
    return {
        "fortran": np.asfortranarray(X),
        "readonly": ro,
        "strided": wide[::2, ::3],
        "reversed": X[::-1][::-1],
        "transposed": np.ascontiguousarray(X.T).T,
    }


@pytest.mark.parametrize("layout", ["fortran", "readonly", "strided", "reversed", "transposed"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layouts_give_the_same_result(X, layout, dtype):
    X = X.astype(dtype)
    other = _layouts(X)[layout]
    assert not other.flags.c_contiguous or not other.flags.writeable or layout == "reversed"
    ref, km = fit(X), fit(other)
    np.testing.assert_array_equal(km.labels_, ref.labels_)
    np.testing.assert_array_equal(km.cluster_centers_, ref.cluster_centers_)
    np.testing.assert_array_equal(km.predict(other), ref.predict(X))
    np.testing.assert_array_equal(km.transform(other), ref.transform(X))


def test_memmap(X, tmp_path):
    path = tmp_path / "x.dat"
    mm = np.memmap(path, dtype=np.float64, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    ro = np.memmap(path, dtype=np.float64, mode="r", shape=X.shape)
    km = fit(ro)
    np.testing.assert_array_equal(km.labels_, fit(X).labels_)
    np.testing.assert_array_equal(km.predict(ro), km.labels_)
    del mm, ro


def test_input_is_never_written(X):
    X0 = X.copy()
    Xf = np.asfortranarray(X)
    for data in (X, Xf):
        km = fit(data, metric="cosine")
        km.predict(data), km.transform(data), km.score(data)
        fit(data, normalize_input=True)
        np.testing.assert_array_equal(data, X0)


# -- data frames -----------------------------------------------------------------------------


def test_pandas_sets_feature_names(X):
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    km = fit(df)
    np.testing.assert_array_equal(km.feature_names_in_, ["a", "b", "c"])
    assert km.feature_names_in_.dtype == object
    assert km.n_features_in_ == 3
    np.testing.assert_array_equal(km.labels_, fit(X).labels_)
    np.testing.assert_array_equal(km.predict(df), km.labels_)


def test_pandas_float32_kept(X):
    df = pd.DataFrame(X.astype(np.float32), columns=["a", "b", "c"])
    km = fit(df)
    assert km.cluster_centers_.dtype == np.float32


def test_refit_without_names_forgets_them(X):
    km = fit(pd.DataFrame(X, columns=["a", "b", "c"]))
    km.fit(X)
    assert not hasattr(km, "feature_names_in_")


def test_feature_name_warnings_as_sklearn(X):
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    km = fit(df)
    with pytest.warns(
        UserWarning,
        match="X does not have valid feature names, but KMeans was fitted with feature names",
    ):
        km.predict(X)
    km2 = fit(X)
    with pytest.warns(
        UserWarning, match="X has feature names, but KMeans was fitted without feature names"
    ):
        km2.predict(df)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        km.predict(df)  # same names: silent


def test_feature_name_mismatch_is_an_error(X):
    km = fit(pd.DataFrame(X, columns=["a", "b", "c"]))
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        km.predict(pd.DataFrame(X, columns=["c", "b", "a"]))
    with pytest.raises(
        ValueError,
        match=r"(?s)Feature names unseen at fit time:\n- d\n.*seen at fit time, yet now missing:\n- c",
    ):
        km.predict(pd.DataFrame(X, columns=["a", "b", "d"]))


def test_mixed_column_name_types_rejected(X):
    df = pd.DataFrame(X, columns=["a", 1, "c"])
    with pytest.raises(
        TypeError, match="Feature names are only supported if all input features have string names"
    ):
        fit(df)


def test_non_string_column_names_are_not_feature_names(X):
    km = fit(pd.DataFrame(X))
    assert not hasattr(km, "feature_names_in_")


def test_pandas_nullable_dtypes(X):
    df = pd.DataFrame({"a": pd.array([1, 2, 3, 4], dtype="Int64"), "b": [1.0, 2.0, 3.0, 4.0]})
    km = KMeans(n_clusters=2, random_state=0).fit(df)
    assert km.cluster_centers_.dtype == np.float64
    df.loc[1, "a"] = pd.NA
    with pytest.raises(ValueError, match="Input X contains NaN"):
        KMeans(n_clusters=2).fit(df)


def test_polars(X):
    df = pl.DataFrame(X, schema=["a", "b", "c"])
    km = fit(df)
    np.testing.assert_array_equal(km.feature_names_in_, ["a", "b", "c"])
    np.testing.assert_array_equal(km.labels_, fit(X).labels_)
    np.testing.assert_array_equal(km.predict(df), km.labels_)
    km32 = fit(df.cast(pl.Float32))
    assert km32.cluster_centers_.dtype == np.float32
    with pytest.raises(ValueError, match="Input X contains NaN"):
        KMeans(n_clusters=1).fit(pl.DataFrame({"a": [1.0, None, 2.0]}))


# -- what is rejected, with scikit-learn's messages ------------------------------------------

BAD_INPUTS = {
    "nan": (np.array([[np.nan, 1.0], [0.0, 1.0]]), ValueError, "Input X contains NaN"),
    "nan32": (
        np.array([[np.nan, 1.0], [0.0, 1.0]], dtype=np.float32),
        ValueError,
        "Input X contains NaN",
    ),
    "inf": (
        np.array([[np.inf, 1.0], [0.0, 1.0]]),
        ValueError,
        r"Input X contains infinity or a value too large for dtype\('float64'\)",
    ),
    "-inf": (np.array([[-np.inf, 1.0], [0.0, 1.0]]), ValueError, "Input X contains infinity"),
    "complex": (np.array([[1 + 1j, 1.0], [0.0, 1.0]]), ValueError, "Complex data not supported"),
    "complex_object": (
        np.array([[1j, 1.0], [0.0, 1.0]], dtype=object),
        ValueError,
        "Complex data not supported",
    ),
    "csr": (
        sp.csr_matrix(np.eye(3)),
        TypeError,
        "Sparse data was passed for X, but dense data is required",
    ),
    "csr_array": (sp.csr_array(np.eye(3)), TypeError, "Sparse data was passed"),
    "coo": (sp.coo_matrix(np.eye(3)), TypeError, "Sparse data"),
    "1d": (np.arange(5.0), ValueError, "Expected 2D array, got 1D array instead"),
    "scalar": (3.0, ValueError, "Expected 2D array, got scalar array instead"),
    "3d": (
        np.zeros((3, 2, 2)),
        ValueError,
        "Found array with dim 3, while dim <= 2 is required by KMeans",
    ),
    "empty": (
        np.zeros((0, 3)),
        ValueError,
        r"Found array with 0 sample\(s\) \(shape=\(0, 3\)\) while a minimum of 1 is required by KMeans",
    ),
    "empty_list": ([], ValueError, "Expected 2D array, got 1D array instead"),
    "zero_features": (
        np.zeros((4, 0)),
        ValueError,
        r"Found array with 0 feature\(s\) \(shape=\(4, 0\)\) while a minimum of 1 is required by KMeans",
    ),
    "strings": (
        np.array([["a", "b"], ["c", "d"]]),
        ValueError,
        "dtype='numeric' is not compatible with arrays of bytes/strings",
    ),
    "numeric_strings": (
        np.array([["1", "2"], ["3", "4"]]),
        ValueError,
        "dtype='numeric' is not compatible",
    ),
    "bytes": (np.array([[b"1"], [b"2"]]), ValueError, "dtype='numeric' is not compatible"),
    "object_strings": (
        np.array([["a", 1.0], [2.0, 3.0]], dtype=object),
        ValueError,
        "could not convert string to float",
    ),
    "object_dict": (
        np.array([[{}, 1.0], [2.0, 3.0]], dtype=object),
        TypeError,
        "argument must be a string or a real number",
    ),
    "object_huge_int": (np.array([[10**400, 1], [2, 3]], dtype=object), ValueError, "too large"),
    "ragged": ([[1.0, 2.0], [3.0]], ValueError, "inhomogeneous"),
    "datetime": (
        np.array([["2020-01-01"], ["2021-01-01"]], dtype="datetime64[D]"),
        ValueError,
        "not numeric",
    ),
    "none": (None, ValueError, "Expected 2D array, got None"),
    "string": ("abc", ValueError, "Expected 2D array, got a string"),
    "longdouble_overflow": (
        np.array([[np.finfo(np.longdouble).max, 1.0], [0.0, 1.0]], dtype=np.longdouble),
        ValueError,
        "infinity or a value too large",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_messages(case):
    data, exc, match = BAD_INPUTS[case]
    if case == "longdouble_overflow" and np.finfo(np.longdouble).max <= np.finfo(np.float64).max:
        pytest.skip("long double is float64 here")
    with pytest.raises(exc, match=match):
        KMeans(n_clusters=1).fit(data)


@pytest.mark.parametrize("case", ["nan", "inf", "complex", "csr", "1d", "3d", "strings", "empty"])
@pytest.mark.parametrize("method", ["predict", "transform", "score"])
def test_bad_input_messages_after_fit(X, case, method):
    data, exc, match = BAD_INPUTS[case]
    km = fit(X[:, :2])
    with pytest.raises(exc, match=match):
        getattr(km, method)(data)


def test_wrong_number_of_features(X):
    km = fit(X)
    with pytest.raises(
        ValueError, match="X has 2 features, but KMeans is expecting 3 features as input"
    ):
        km.predict(X[:, :2])


def test_sparse_error_is_a_type_error_mentioning_sparse():
    with pytest.raises(TypeError) as info:
        KMeans(n_clusters=1).fit(sp.csr_matrix(np.eye(3)))
    assert "sparse" in str(info.value).lower() and "toarray" in str(info.value)


# -- huge and tiny values ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
def test_values_whose_squared_distances_overflow_are_an_error(dtype, algorithm):
    big = np.finfo(dtype).max / 4
    X = np.array([[big, 0.0], [-big, 1.0], [big, 2.0], [0.0, 0.0]], dtype=dtype)
    with pytest.raises(ValueError, match="squared distances between samples overflow") as info:
        KMeans(n_clusters=2, algorithm=algorithm).fit(X)
    assert "StandardScaler" in str(info.value)


def test_overflow_on_new_data_is_an_error(X):
    km = fit(X)
    far = X.copy()
    far[0] = [1e300, -1e300, 0]
    for method in ("predict", "transform", "score"):
        with pytest.raises(ValueError, match="squared distances between samples overflow"):
            getattr(km, method)(far)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_offset_with_small_spread_works(X, dtype):
    # Squared norms overflow, but distances do not: the data are shifted before the kernels.
    offset = np.finfo(dtype).max / 8
    Xo = X.astype(dtype).copy()
    Xo[:, 0] += offset
    km = fit(Xo)
    assert np.isfinite(km.cluster_centers_).all() and np.isfinite(km.inertia_)
    np.testing.assert_array_equal(km.predict(Xo), km.labels_)
    assert np.isfinite(km.transform(Xo)).all() and np.isfinite(km.score(Xo))
    seeds, idx = kmeans_plusplus(Xo, 3, random_state=0)
    np.testing.assert_array_equal(seeds, Xo[idx])


@pytest.mark.parametrize("scale", [1e-300, 1e-160, 1e150, 1e300])
def test_cosine_is_scale_invariant(X, scale):
    base = fit(X, metric="cosine")
    km = fit(X * scale, metric="cosine")
    np.testing.assert_array_equal(km.labels_, base.labels_)
    assert km.inertia_ == pytest.approx(base.inertia_, rel=1e-9)
    np.testing.assert_allclose(km.transform(X * scale), base.transform(X), atol=1e-12)


def test_cosine_zero_rows():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, 3.0]])
    km = KMeans(n_clusters=2, metric="cosine", random_state=0).fit(X)
    assert np.isfinite(km.cluster_centers_).all()
    d = km.transform(X)
    assert np.isfinite(d).all() and (d >= 0).all() and (d <= 2).all()
    np.testing.assert_allclose(d[0], 1.0)  # a zero row has cosine distance 1 to any center


# -- sample weights ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "exc", "match"),
    [
        (np.ones(5), ValueError, r"sample_weight.shape == \(5,\), expected \(60,\)"),
        (np.ones((60, 1)), ValueError, "Sample weights must be 1D array or scalar"),
        (-np.ones(60), ValueError, "Negative values in data passed to `sample_weight`"),
        (-1.0, ValueError, "Negative values"),
        (np.zeros(60), ValueError, "Sample weights must contain at least one non-zero number"),
        (0, ValueError, "at least one non-zero"),
        (np.full(60, np.nan), ValueError, "Input sample_weight contains NaN or infinity"),
        (np.full(60, np.inf), ValueError, "NaN or infinity"),
        (["a"] * 60, ValueError, "dtype='numeric' is not compatible"),
        (1j, TypeError, "sample_weight must be a real number"),
        (sp.csr_matrix(np.ones((1, 60))), TypeError, "Sparse data was passed for sample_weight"),
    ],
)
def test_bad_sample_weights(X, weights, exc, match):
    with pytest.raises(exc, match=match):
        fit(X, n_clusters=2).fit(X, sample_weight=weights)


def test_sample_weight_forms_agree(X):
    w = np.full(len(X), 2.0)
    ref = fit(X).fit(X, sample_weight=w)
    for form in (2.0, 2, w.tolist(), w.astype(np.float32), w.astype(np.int64), pd.Series(w)):
        km = fit(X).fit(X, sample_weight=form)
        np.testing.assert_array_equal(km.cluster_centers_, ref.cluster_centers_)
        assert km.inertia_ == ref.inertia_


def test_sample_weight_too_large_for_float32(X):
    with pytest.raises(ValueError, match="too large for dtype"):
        fit(X.astype(np.float32)).fit(X.astype(np.float32), sample_weight=np.full(len(X), 1e300))


def test_weighted_inertia_overflow_is_an_error():
    X = np.array([[0.0], [1e150], [0.0], [1e150], [5e149]])
    w = np.full(5, 1e300)
    with pytest.raises(ValueError, match="inertia overflows float64"):
        KMeans(n_clusters=2, random_state=0).fit(X, sample_weight=w)


def test_check_sample_weight_unit():
    np.testing.assert_array_equal(check_sample_weight(None, 3, np.float32), np.ones(3, np.float32))
    assert check_sample_weight([1, 2, 3], 3, np.float32).dtype == np.float32
    assert check_sample_weight(np.ones(0), 0, np.float64).shape == (0,)


def test_rescale_sample_weight():
    w, s = rescale_sample_weight(np.array([3.0, 1.0]))
    assert s == 2.0 and w.tolist() == [1.5, 0.5]
    w, s = rescale_sample_weight(np.array([5e-324, 5e-324]))
    assert s == 5e-324 and w.tolist() == [1.0, 1.0]
    w, s = rescale_sample_weight(np.array([1.0, 1e-310]))  # below 2**-1022 × max: zero
    assert s == 1.0 and w.tolist() == [1.0, 0.0]
    ones = np.ones(4, np.float32)
    w, s = rescale_sample_weight(ones)
    assert w is ones and s == 1.0


# -- parameters -------------------------------------------------------------------------------

BAD_PARAMS = [
    (dict(n_clusters=0), "n_clusters"),
    (dict(n_clusters="abc"), "n_clusters"),
    (dict(n_clusters=2.5), "n_clusters"),
    (dict(n_clusters=True), "n_clusters"),
    (dict(n_clusters=None), "n_clusters"),
    (dict(tol=-1), "tol"),
    (dict(tol=float("nan")), "tol"),
    (dict(tol="0.1"), "tol"),
    (dict(algorithm="x"), "algorithm"),
    (dict(algorithm="auto"), "algorithm"),
    (dict(metric="bogus"), "metric"),
    (dict(metric=None), "metric"),
    (dict(n_init=0), "n_init"),
    (dict(n_init="warn"), "n_init"),
    (dict(max_iter=0), "max_iter"),
    (dict(max_iter=1.5), "max_iter"),
    (dict(init="kmeans"), "init"),
    (dict(init=3), "init"),
    (dict(random_state="x"), "random_state"),
    (dict(random_state=-1), "random_state"),
    (dict(random_state=2**32), "random_state"),
    (dict(random_state=1.5), "random_state"),
    (dict(verbose=-1), "verbose"),
    (dict(copy_x="yes"), "copy_x"),
    (dict(normalize_input=1), "normalize_input"),
    (dict(normalize_centers="yes"), "normalize_centers"),
    (dict(n_threads=-2), "n_threads"),
    (dict(n_threads=0), "n_threads"),
    (dict(n_threads="all"), "n_threads"),
]


@pytest.mark.parametrize(("params", "name"), BAD_PARAMS, ids=[str(p) for p, _ in BAD_PARAMS])
def test_bad_parameters_name_the_parameter(X, params, name):
    with pytest.raises((ValueError, TypeError), match=name):
        KMeans(**{"n_clusters": 2, **params}).fit(X)


@pytest.mark.parametrize(
    ("params", "name"), BAD_PARAMS[:12], ids=[str(p) for p, _ in BAD_PARAMS[:12]]
)
def test_bad_parameters_in_functional_api(X, params, name):
    params = dict(params)
    k = params.pop("n_clusters", 2)
    with pytest.raises((ValueError, TypeError), match=name):
        kmeans(X, k, **params)


def test_invalid_parameter_error_is_value_and_type_error(X):
    with pytest.raises(InvalidParameterError) as info:
        KMeans(n_clusters="abc").fit(X)
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)
    assert str(info.value) == (
        "The 'n_clusters' parameter of KMeans must be an int in the range [1, inf). "
        "Got 'abc' instead."
    )


@pytest.mark.parametrize(
    ("init", "match"),
    [
        (np.zeros((2, 3)), r"does not match the number of clusters 3 \(init must have shape"),
        (np.zeros((3, 2)), r"does not match the number of features of the data 3 \(init"),
        (np.zeros((3, 3, 1)), "Found array with dim 3"),
        (np.full((3, 3), np.nan), "Input init contains NaN"),
        (np.full((3, 3), np.inf), "Input init contains infinity"),
        ([["a"] * 3] * 3, "dtype='numeric' is not compatible"),
        (lambda X, k, random_state: np.zeros((k + 1, X.shape[1])), "init must have shape"),
        (lambda X, k, random_state: np.full((k, X.shape[1]), np.nan), "Input init contains NaN"),
    ],
)
def test_bad_init(X, init, match):
    with pytest.raises(ValueError, match=match):
        KMeans(n_clusters=3, init=init).fit(X)


def test_too_many_clusters(X):
    with pytest.raises(ValueError, match=r"n_samples=60 should be >= n_clusters=61"):
        KMeans(n_clusters=61).fit(X)
    with pytest.raises(ValueError, match="n_clusters"):
        kmeans_plusplus(X, 61)
    with pytest.raises(ValueError, match="n_clusters"):
        kmeans_plusplus(X, 0)


@pytest.mark.parametrize(
    "params",
    [
        dict(n_clusters=np.int64(3)),
        dict(n_clusters=3, metric="COSINE"),
        dict(n_clusters=3, metric="L2"),
        dict(n_clusters=3, n_init=np.int32(2)),
        dict(n_clusters=3, random_state=np.random.RandomState(0)),
        dict(n_clusters=3, random_state=np.random.default_rng(0)),
        dict(n_clusters=3, random_state=np.uint32(7)),
        dict(n_clusters=3, tol=0),
        dict(n_clusters=3, verbose=False),
        dict(n_clusters=3, normalize_centers=np.bool_(True)),
        dict(n_clusters=3, n_threads=-1),
        dict(n_clusters=3, init=[[0, 0, 0], [5, 5, 0], [0, 5, 5]]),
    ],
)
def test_accepted_parameter_spellings(X, params):
    km = KMeans(**params).fit(X)
    assert km.cluster_centers_.shape == (3, 3)


def test_explicit_init_with_n_init_warns(X):
    init = X[[0, 20, 40]]
    with pytest.warns(RuntimeWarning, match="Explicit initial center position passed"):
        KMeans(n_clusters=3, init=init, n_init=3).fit(X)


def test_elkan_with_one_cluster_runs_lloyd_silently(X):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        km = KMeans(n_clusters=1, algorithm="elkan").fit(X)
    np.testing.assert_allclose(km.cluster_centers_[0], X.mean(axis=0))


# -- the validation helpers themselves ------------------------------------------------------


def test_check_array_keeps_float32_and_makes_copies_only_when_needed():
    a = np.ones((3, 2), dtype=np.float32)
    assert check_array(a) is a
    assert check_array(a, copy=True) is not a
    f = np.asfortranarray(np.ones((3, 2)))
    out = check_array(f)
    assert out.flags.c_contiguous and out.dtype == np.float64
    assert check_array(a, dtype=np.float64).dtype == np.float64


def test_interval_and_options():
    iv = Interval(numbers.Integral, 1, None, closed="left")
    assert iv.accepts(1) and iv.accepts(np.int64(5))
    assert not iv.accepts(0) and not iv.accepts(True) and not iv.accepts(1.0)
    assert str(iv) == "an int in the range [1, inf)"
    real = Interval(numbers.Real, 0, 1, closed="neither")
    assert real.accepts(0.5) and not real.accepts(0) and not real.accepts(float("nan"))
    assert str(real) == "a float in the range (0, 1)"
    opts = Options({"a", "B"}, ignore_case=True)
    assert opts.accepts("b") and not opts.accepts("c") and not opts.accepts(1)
    assert str(opts) == "a str among {'B', 'a'}"


def test_validate_params_message():
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'x' parameter of Thing must be an int in the range \[1, inf\) or None. Got 0 instead.",
    ):
        validate_params("Thing", {"x": 0}, {"x": [Interval(numbers.Integral, 1, None), None]})
    validate_params("Thing", {"x": None}, {"x": [Interval(numbers.Integral, 1, None), None]})
    with pytest.raises(InvalidParameterError, match="array-like"):
        validate_params("Thing", {"x": "abc"}, {"x": ["array-like"]})


def test_feature_names_helper():
    assert feature_names(np.zeros((2, 2))) is None
    assert feature_names(pd.DataFrame(np.zeros((2, 0)))) is None
    assert list(feature_names(pd.DataFrame({"a": [1], "b": [2]}))) == ["a", "b"]
    assert feature_names(pd.DataFrame({0: [1], 1: [2]})) is None
