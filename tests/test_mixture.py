"""GaussianMixture: hand-worked cases, agreement with scikit-learn iteration by iteration,
variants (f32/f64, threads, weights), sampling, criteria and bad input."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import clustor
from clustor import GaussianMixture, gaussian_mixture

COV_TYPES = ["full", "tied", "diag", "spherical"]


def blobs(n=300, d=3, k=3, seed=0, offset=0.0):
    rng = np.random.RandomState(seed)
    centers = rng.uniform(-6, 6, size=(k, d))
    scales = rng.uniform(0.5, 1.5, size=(k, d))
    labels = rng.randint(k, size=n)
    X = centers[labels] + rng.standard_normal((n, d)) * scales[labels] + offset
    return X, labels


def initial_params(X, k, cov_type, seed=1):
    """Starting weights, means and precisions (the same for both libraries)."""
    rng = np.random.RandomState(seed)
    n = X.shape[0]
    means = X[rng.choice(n, k, replace=False)] + 0.1
    weights = rng.uniform(0.5, 1.0, k)
    weights /= weights.sum()
    var = X.var(axis=0)
    if cov_type == "full":
        prec = np.stack([np.diag(1.0 / (var * (1 + 0.1 * j))) for j in range(k)])
        prec[:, 0, 1] = prec[:, 1, 0] = 0.01
    elif cov_type == "tied":
        prec = np.diag(1.0 / var)
        prec[0, 1] = prec[1, 0] = 0.01
    elif cov_type == "diag":
        prec = np.stack([1.0 / (var * (1 + 0.1 * j)) for j in range(k)])
    else:
        prec = 1.0 / (var.mean() * (1 + 0.1 * np.arange(k)))
    return {"weights_init": weights, "means_init": means, "precisions_init": prec}


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def assert_same_fit(ours, ref, lb_tol=1e-8, param_tol=1e-6):
    assert ours.n_iter_ == ref.n_iter_
    assert ours.converged_ == ref.converged_
    assert len(ours.lower_bounds_) == len(ref.lower_bounds_)
    assert rel(ours.lower_bounds_, ref.lower_bounds_) <= lb_tol
    assert rel(ours.lower_bound_, ref.lower_bound_) <= lb_tol
    for attr in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        a = np.asarray(getattr(ours, attr), np.float64)
        b = np.asarray(getattr(ref, attr), np.float64)
        assert a.shape == b.shape, attr
        scale = max(float(np.abs(b).max()), 1e-300)
        assert float(np.abs(a - b).max()) <= param_tol * scale, attr


# --- hand-worked cases -------------------------------------------------------------------


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_one_component_1d_by_hand(cov_type):
    # x = 0, 1, 2, 3: mean 1.5, variance 1.25; the lower bound of the second iteration is
    # the log-likelihood at the maximum: −½(ln(2π·1.25) + 1).
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    gm = GaussianMixture(1, covariance_type=cov_type, reg_covar=0.0, tol=1e-12).fit(X)
    assert gm.means_.ravel().tolist() == pytest.approx([1.5], abs=1e-14)
    assert np.asarray(gm.covariances_).ravel() == pytest.approx([1.25], abs=1e-14)
    assert gm.weights_.tolist() == pytest.approx([1.0], abs=1e-14)
    want = -0.5 * (math.log(2 * math.pi * 1.25) + 1)
    assert gm.lower_bounds_[-1] == pytest.approx(want, abs=1e-14)
    assert gm.score(X) == pytest.approx(want, abs=1e-14)
    assert gm.converged_


def test_two_components_1d_by_hand():
    # Two far groups {0, 2} and {100, 102}: each component takes one group, with mean 1 or
    # 101, variance 1 (+ reg_covar) and weight 1/2; responsibilities are 0/1 to rounding.
    X = np.array([[0.0], [2.0], [100.0], [102.0]])
    gm = GaussianMixture(2, means_init=[[0.0], [90.0]], random_state=0).fit(X)
    order = np.argsort(gm.means_.ravel())
    assert gm.means_.ravel()[order] == pytest.approx([1.0, 101.0], abs=1e-12)
    assert gm.covariances_.ravel()[order] == pytest.approx([1 + 1e-6] * 2, abs=1e-12)
    assert gm.weights_ == pytest.approx([0.5, 0.5], abs=1e-12)
    assert gm.predict(X).tolist() == [0, 0, 1, 1]
    assert gm["resp"].round(12).tolist() == [[1, 0], [1, 0], [0, 1], [0, 1]]


def test_full_2d_by_hand():
    # One component: the biased sample covariance plus reg_covar on the diagonal, and the
    # precision factor U with U·Uᵀ = covariance⁻¹, upper triangular.
    X = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 4.0]])
    gm = GaussianMixture(1, reg_covar=0.5).fit(X)
    # Σ(x−1)(y−1.5)/4 = (1.5 − 1.5 − 0.5 + 2.5)/4 = 0.5; var y = (2.25·2 + 0.25 + 6.25)/4.
    cov = np.array([[1.0, 0.5], [0.5, 2.75]]) + 0.5 * np.eye(2)
    np.testing.assert_allclose(gm.covariances_[0], cov, atol=1e-14)
    np.testing.assert_allclose(gm.means_[0], [1.0, 1.5], atol=1e-14)
    U = gm.precisions_cholesky_[0]
    assert U[1, 0] == 0
    np.testing.assert_allclose(U @ U.T, np.linalg.inv(cov), atol=1e-14)
    np.testing.assert_allclose(gm.precisions_[0], np.linalg.inv(cov), atol=1e-14)
    # log N(x | μ, Σ) by hand at the mean: −½(2 ln 2π + ln det Σ).
    want = -0.5 * (2 * math.log(2 * math.pi) + math.log(np.linalg.det(cov)))
    assert gm.score_samples([[1.0, 1.5]])[0] == pytest.approx(want, abs=1e-13)


# --- agreement with scikit-learn, iteration by iteration ---------------------------------


@pytest.mark.filterwarnings("ignore:Best performing initialization:UserWarning")
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_trajectory_matches_sklearn_from_same_start(cov_type):
    X, _ = blobs(400, 3, 3, seed=2, offset=50.0)
    init = initial_params(X, 3, cov_type)
    kw = dict(n_components=3, covariance_type=cov_type, tol=1e-10, max_iter=60, **init)
    ours = GaussianMixture(**kw).fit(X)
    ref = SkGaussianMixture(**kw).fit(X)
    assert len(ref.lower_bounds_) >= 5
    assert_same_fit(ours, ref)
    assert np.all(np.diff(ours.lower_bounds_) >= -1e-12 * abs(ours.lower_bound_))
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)
    np.testing.assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=1e-9)
    assert ours.aic(X) == pytest.approx(ref.aic(X), rel=1e-9)
    assert ours.bic(X) == pytest.approx(ref.bic(X), rel=1e-9)
    assert np.array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("init_params", ["random", "random_from_data"])
def test_random_inits_draw_what_sklearn_draws(cov_type, init_params):
    # Same random_state: the same initial responsibilities, so the whole fit agrees.
    X, _ = blobs(300, 2, 3, seed=4)
    kw = dict(
        n_components=3,
        covariance_type=cov_type,
        init_params=init_params,
        random_state=7,
        max_iter=40,
        tol=1e-9,
    )
    with _no_warning_check():
        ours = GaussianMixture(**kw).fit(X)
        ref = SkGaussianMixture(**kw).fit(X)
    if init_params == "random_from_data":
        # One sample per component: the first M-step leaves variances of reg_covar only,
        # which scikit-learn's expanded formula (E[x²] − μ²) gets with a rounding error of
        # about eps·x² ≈ 1e-8 relative; so does the first, hugely negative, lower bound.
        assert rel(ours.lower_bounds_[0], ref.lower_bounds_[0]) <= 1e-6
        ours.lower_bounds_ = ours.lower_bounds_[1:]
        ref.lower_bounds_ = ref.lower_bounds_[1:]
        ours.n_iter_ -= 1
        ref.n_iter_ -= 1
    assert_same_fit(ours, ref)


class _no_warning_check:
    """Convergence may or may not be reached within max_iter: accept the warning on both."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", category=Warning)

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


@pytest.mark.filterwarnings("ignore:Best performing initialization:UserWarning")
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_float32_follows_the_float64_trajectory(cov_type):
    # float32 data is computed in float64 inside: it follows scikit-learn's float64 run on
    # the same (float32-representable) values, and stays close to scikit-learn's own
    # float32 run (which rounds every step to float32).
    X, _ = blobs(400, 3, 3, seed=5)
    X32 = X.astype(np.float32)
    init = initial_params(X32.astype(np.float64), 3, cov_type)
    kw = dict(n_components=3, covariance_type=cov_type, tol=1e-10, max_iter=30, **init)
    ours = GaussianMixture(**kw).fit(X32)
    assert ours.means_.dtype == np.float32
    assert ours.covariances_.dtype == np.float32
    assert ours.predict_proba(X32).dtype == np.float32
    ref64 = SkGaussianMixture(**kw).fit(X32.astype(np.float64))
    assert rel(ours.lower_bounds_, ref64.lower_bounds_) <= 1e-8
    assert_same_fit(ours, ref64, param_tol=1e-6)
    with _no_warning_check():
        ref32 = SkGaussianMixture(**kw).fit(X32)
    k = min(len(ref32.lower_bounds_), len(ours.lower_bounds_))
    assert rel(ours.lower_bounds_[:k], ref32.lower_bounds_[:k]) <= 1e-4


def test_empty_component_as_sklearn():
    # A component started far from every sample gets no responsibility: its mass is
    # 10·eps, its mean 0 and its covariance reg_covar, exactly as scikit-learn's.
    X, _ = blobs(200, 2, 2, seed=6)
    kw = dict(
        n_components=3,
        covariance_type="diag",
        means_init=[X[0], X[1], [1e3, 1e3]],
        weights_init=[0.4, 0.4, 0.2],
        precisions_init=np.ones((3, 2)),
        max_iter=5,
        tol=0,
    )
    with _no_warning_check():
        ours = GaussianMixture(**kw).fit(X)
        ref = SkGaussianMixture(**kw).fit(X)
    assert_same_fit(ours, ref)
    assert ours.covariances_[2] == pytest.approx([1e-6, 1e-6])


def test_ill_defined_covariance_error():
    # Two distinct points, two components, no regularisation: each covariance collapses.
    X = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)
    with pytest.raises(ValueError, match="ill-defined empirical covariance") as ours:
        GaussianMixture(2, reg_covar=0, random_state=0).fit(X)
    with pytest.raises(ValueError, match="ill-defined empirical covariance") as ref:
        SkGaussianMixture(2, reg_covar=0, random_state=0).fit(X)
    assert str(ours.value) == str(ref.value)


def test_warm_start_continues_like_sklearn():
    X, _ = blobs(300, 2, 3, seed=8)
    init = initial_params(X, 3, "full")
    kw = dict(n_components=3, warm_start=True, max_iter=2, tol=0, **init)
    ours, ref = GaussianMixture(**kw), SkGaussianMixture(**kw)
    with _no_warning_check():
        for _ in range(3):
            ours.fit(X)
            ref.fit(X)
    assert_same_fit(ours, ref)


def test_n_init_keeps_best():
    X, _ = blobs(300, 2, 4, seed=9)
    kw = dict(n_components=4, init_params="random_from_data", n_init=4, random_state=3)
    ours = GaussianMixture(**kw).fit(X)
    ref = SkGaussianMixture(**kw).fit(X)
    assert_same_fit(ours, ref)


# --- variants -----------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Best performing initialization:UserWarning")
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_integer_sample_weight_equals_repetition(cov_type):
    X, _ = blobs(120, 2, 3, seed=10)
    w = np.random.RandomState(0).randint(0, 4, size=len(X))
    init = initial_params(X, 3, cov_type)
    kw = dict(n_components=3, covariance_type=cov_type, tol=1e-10, max_iter=30, **init)
    a = GaussianMixture(**kw).fit(X, sample_weight=w)
    b = GaussianMixture(**kw).fit(np.repeat(X, w, axis=0))
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(a.lower_bounds_, b.lower_bounds_, rtol=1e-11)
    for attr in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(a, attr), getattr(b, attr), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_threads_give_identical_results(cov_type):
    X, _ = blobs(3000, 3, 4, seed=11)
    kw = dict(n_components=4, covariance_type=cov_type, random_state=0, max_iter=20, tol=0)
    with _no_warning_check():
        with clustor.num_threads(1):
            a = GaussianMixture(**kw).fit(X)
        with clustor.num_threads(2):
            b = GaussianMixture(**kw).fit(X)
    assert a.lower_bounds_ == b.lower_bounds_
    for attr in ("weights_", "means_", "covariances_", "precisions_cholesky_", "resp_"):
        assert np.array_equal(getattr(a, attr), getattr(b, attr)), attr


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "kmeans++"])
def test_kmeans_inits_find_the_blobs(init_params):
    X, y = blobs(600, 2, 3, seed=17)
    gm = GaussianMixture(3, init_params=init_params, random_state=0).fit(X)
    assert clustor.adjusted_rand_score(y, gm.predict(X)) > 0.95
    assert gm.converged_
    assert np.array_equal(gm.fit_predict(X), gm.predict(X))


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_sample_has_fitted_moments_and_sklearn_draws(cov_type):
    X, _ = blobs(500, 2, 2, seed=13)
    kw = dict(n_components=2, covariance_type=cov_type, random_state=0)
    gm = GaussianMixture(**kw).fit(X)
    Xs, ys = gm.sample(40_000)
    assert Xs.shape == (40_000, 2) and Xs.dtype == np.float64 and ys.dtype == np.int64
    for j in range(2):
        part = Xs[ys == j]
        assert len(part) / len(Xs) == pytest.approx(gm.weights_[j], abs=0.01)
        np.testing.assert_allclose(part.mean(axis=0), gm.means_[j], atol=0.05)
        if cov_type == "full":
            cov = gm.covariances_[j]
        elif cov_type == "tied":
            cov = gm.covariances_
        elif cov_type == "diag":
            cov = np.diag(gm.covariances_[j])
        else:
            cov = np.eye(2) * gm.covariances_[j]
        np.testing.assert_allclose(np.cov(part.T), cov, atol=0.08 * np.abs(cov).max())
    # Same fitted parameters and random_state: scikit-learn's draws.
    ref = SkGaussianMixture(**kw)
    for attr in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        setattr(ref, attr, getattr(gm, attr))
    Xr, yr = ref.sample(100)
    Xo, yo = gm.sample(100)
    np.testing.assert_allclose(Xo, Xr, rtol=1e-12)
    assert np.array_equal(yo, yr)


# --- seed API and pickling ----------------------------------------------------------------


def test_seed_keys_and_functional_form():
    X, _ = blobs(200, 2, 2, seed=14)
    gm = GaussianMixture(2, random_state=0).fit(X)
    assert gm["weights"] is gm.weights_
    assert gm["covars"] is gm.covariances_
    assert gm["lower_bound"] == gm.lower_bound_
    assert gm["resp"].shape == (200, 2)
    np.testing.assert_allclose(gm["resp"], gm.predict_proba(X), atol=1e-14)
    out = gaussian_mixture(X, 2, random_state=0)
    weights, means, covars, resp, converged, lower_bound, n_iter = out
    np.testing.assert_array_equal(weights, gm.weights_)
    np.testing.assert_array_equal(means, gm.means_)
    np.testing.assert_array_equal(covars, gm.covariances_)
    np.testing.assert_array_equal(resp, gm.resp_)
    assert (converged, lower_bound, n_iter) == (gm.converged_, gm.lower_bound_, gm.n_iter_)
    w = np.ones(200)
    out_w = gaussian_mixture(X, 2, sample_weight=w, init="kmeans++", random_state=0)
    ref = GaussianMixture(2, init_params="k-means++", random_state=0).fit(X)
    np.testing.assert_array_equal(out_w[1], ref.means_)
    restored = pickle.loads(pickle.dumps(gm))
    np.testing.assert_array_equal(restored.predict_proba(X), gm.predict_proba(X))


def test_verbose_prints(capsys):
    X, _ = blobs(100, 2, 2, seed=15)
    GaussianMixture(2, verbose=2, verbose_interval=1, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert "Initialization 0" in out
    assert "  Iteration 1\t time lapse" in out
    assert "Initialization converged." in out


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw, X, match",
    [
        ({}, [[0.0, np.nan], [1.0, 1.0]], "NaN"),
        ({}, [[0.0, np.inf], [1.0, 1.0]], "infinity"),
        ({}, [[0.0, 1.0]], "minimum of 2 is required"),
        ({"n_components": 3}, [[0.0], [1.0]], "Expected n_samples >= n_components"),
        ({"weights_init": [0.5, 0.5]}, [[0.0], [1.0]], "'weights' should have the shape"),
        ({"n_components": 2, "weights_init": [0.6, 0.6]}, [[0.0], [1.0]], "normalized"),
        ({"n_components": 2, "weights_init": [1.5, -0.5]}, [[0.0], [1.0]], r"range \[0, 1\]"),
        ({"means_init": [[0.0, 1.0]]}, [[0.0], [1.0]], "'means' should have the shape"),
        ({"precisions_init": [[[-1.0]]]}, [[0.0], [1.0]], "positive-definite"),
        ({"covariance_type": "diag", "precisions_init": [[0.0]]}, [[0.0], [1.0]], "positive"),
        ({"covariance_type": "nope"}, [[0.0], [1.0]], "covariance_type"),
        ({"init_params": "kmeans+"}, [[0.0], [1.0]], "init_params"),
        ({"reg_covar": -1.0}, [[0.0], [1.0]], "reg_covar"),
        ({"n_components": 0}, [[0.0], [1.0]], "n_components"),
    ],
)
def test_bad_input(kw, X, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(**kw).fit(np.asarray(X))


def test_bad_sample_weight_and_sample_size():
    X, _ = blobs(50, 2, 2, seed=16)
    with pytest.raises(ValueError, match="Negative"):
        GaussianMixture(2).fit(X, sample_weight=-np.ones(50))
    with pytest.raises(ValueError, match="expected"):
        GaussianMixture(2).fit(X, sample_weight=np.ones(49))
    gm = GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="n_samples"):
        gm.sample(0)
    with pytest.raises(ValueError, match="features"):
        gm.predict(X[:, :1])
    with pytest.raises(clustor.NotFittedError):
        GaussianMixture(2).predict(X)


@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_any_small_input_fits_or_raises_clearly(data):
    n = data.draw(st.integers(1, 12), label="n")
    d = data.draw(st.integers(1, 3), label="d")
    dtype = data.draw(st.sampled_from([np.float32, np.float64]), label="dtype")
    X = data.draw(arrays(dtype, (n, d), elements=st.floats(-1e3, 1e3, width=32)), label="X")
    k = data.draw(st.integers(1, 4), label="k")
    cov_type = data.draw(st.sampled_from(COV_TYPES), label="cov_type")
    init = data.draw(st.sampled_from(["kmeans", "random", "random_from_data"]), label="init")
    gm = GaussianMixture(k, covariance_type=cov_type, init_params=init, random_state=0, max_iter=20)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # no convergence, duplicate points
            gm.fit(X)
    except ValueError as e:
        assert "minimum of 2" in str(e) or "n_samples >= n_components" in str(e), str(e)
        assert n < max(2, k)
        return
    assert gm.means_.dtype == dtype
    assert float(gm.weights_.sum()) == pytest.approx(1.0, abs=1e-5)
    proba = gm.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert np.isfinite(gm.score_samples(X)).all()
