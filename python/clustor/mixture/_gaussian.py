"""GaussianMixture: expectation-maximisation with full, tied, diag or spherical covariances.

The EM loop runs in Rust (``clustor_core::mixture::gaussian``): one pass over the data per
iteration computes the log-densities through the precision Cholesky factors, the
responsibilities (log-sum-exp) and the M-step's sums, in float64 whatever X's type. Every
iteration follows scikit-learn's ``GaussianMixture``: same E-step, M-step (with its
``10 * eps`` added to each component's mass), lower bound and stopping rule, so from the
same initial parameters the lower bounds and parameters agree with scikit-learn's.
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from typing import Any, ClassVar

import numpy as np

from .. import _core
from .._base import BaseEstimator
from .._threads import get_num_threads
from .._validation import (
    Interval,
    Options,
    check_array,
    check_random_state,
    check_sample_weight,
)
from ..exceptions import convergence_warning_class

__all__ = ["GaussianMixture", "gaussian_mixture"]

_COV_TYPES = ("full", "tied", "diag", "spherical")
_INITS = {
    "kmeans": "kmeans",
    "k-means++": "k-means++",
    "kmeans++": "k-means++",
    "random": "random",
    "random_from_data": "random_from_data",
}


def _check_shape(param: np.ndarray, shape: tuple, name: str) -> None:
    if param.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got {param.shape}"
        )


def _check_weights(weights: Any, k: int) -> np.ndarray:
    weights = check_array(weights, input_name="weights_init", ensure_2d=False)
    _check_shape(weights, (k,), "weights")
    if (weights < 0).any() or (weights > 1).any():
        raise ValueError(
            "The parameter 'weights' should be in the range [0, 1], but got max value "
            f"{weights.max():.5f}, min value {weights.min():.5f}"
        )
    atol = 1e-6 if weights.dtype == np.float32 else 1e-8
    if not abs(1.0 - float(np.sum(weights, dtype=np.float64))) <= atol:
        raise ValueError(
            "The parameter 'weights' should be normalized, but got sum(weights) = "
            f"{float(np.sum(weights)):.5f}"
        )
    return weights


def _check_means(means: Any, k: int, d: int) -> np.ndarray:
    means = check_array(means, input_name="means_init", ensure_2d=False)
    _check_shape(means, (k, d), "means")
    return means


def _check_precisions(precisions: Any, cov_type: str, k: int, d: int) -> np.ndarray:
    precisions = check_array(precisions, input_name="precisions_init", ensure_2d=False)
    shapes = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}
    _check_shape(precisions, shapes[cov_type], f"{cov_type} precision")
    if cov_type in ("diag", "spherical"):
        if (precisions <= 0).any():
            raise ValueError(f"'{cov_type} precision' should be positive")
    else:
        for p in precisions.reshape(-1, d, d):
            if not (
                np.allclose(p, p.T, rtol=1e-5, atol=1e-8) and (np.linalg.eigvalsh(p) > 0).all()
            ):
                raise ValueError(f"'{cov_type} precision' should be symmetric, positive-definite")
    return precisions


def _cholesky_from_precisions(precisions: np.ndarray, cov_type: str) -> np.ndarray:
    """Upper factor U with precision = U·Uᵀ (scikit-learn's flipped Cholesky)."""
    p = np.asarray(precisions, dtype=np.float64)
    if cov_type in ("diag", "spherical"):
        return np.sqrt(p)
    flip = np.flip(np.linalg.cholesky(np.flip(p, axis=(-2, -1))), axis=(-2, -1))
    return np.ascontiguousarray(flip)


def _covariances_from_precisions(precisions: np.ndarray, cov_type: str) -> np.ndarray:
    p = np.asarray(precisions, dtype=np.float64)
    if cov_type in ("diag", "spherical"):
        return 1.0 / p
    return np.linalg.inv(p)


def _precisions_from_cholesky(chol: np.ndarray, cov_type: str) -> np.ndarray:
    if cov_type == "full":
        return np.einsum("kij,klj->kil", chol, chol)
    if cov_type == "tied":
        return chol @ chol.T
    return chol**2


class GaussianMixture(BaseEstimator):
    """Gaussian mixture model fitted by EM (scikit-learn's parameters and attributes).

    Parameters
    ----------
    n_components : int, default=1
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
    tol : float, default=1e-3
        EM stops when the lower bound (mean log-likelihood) changes by less than ``tol``.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance.
    max_iter : int, default=100
    n_init : int, default=1
        Initialisations; the one reaching the highest lower bound is kept.
    init_params : {'kmeans', 'k-means++', 'kmeans++', 'random', 'random_from_data'}
        'kmeans': responsibilities from clustor's KMeans labels; 'k-means++' (the seed
        toolkit's spelling 'kmeans++' too): one sample per component from k-means++
        seeding; 'random': uniform random responsibilities; 'random_from_data': one random
        sample per component. 'random' and 'random_from_data' draw exactly what
        scikit-learn draws from the same ``random_state``.
    weights_init, means_init, precisions_init : array-like, default=None
        Initial parameters (replacing what ``init_params`` would give).
    random_state : None, int, RandomState or Generator
    warm_start : bool, default=False
        Start the next ``fit`` from this fit's parameters (``n_init`` is then 1).
    verbose : int, default=0
    verbose_interval : int, default=10
    n_threads : int or None, default=None

    Attributes
    ----------
    weights_, means_, covariances_, precisions_, precisions_cholesky_ : ndarray
        In X's float type; covariance layouts as scikit-learn's.
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
    lower_bounds_ : list of float
        The lower bound of every iteration of the best initialisation.
    resp_ : ndarray of shape (n_samples, n_components)
        Responsibilities of the training samples under the fitted model.
    labels_ : ndarray of shape (n_samples,), int64
        Most probable component of each training sample (what ``fit_predict`` returns;
        not a scikit-learn attribute, kept so that the model is usable as a clusterer).
    n_features_in_ : int

    The seed toolkit's keys read the same results: ``weights``, ``means``, ``covars``,
    ``converged``, ``lower_bound``, ``n_iter``, ``resp``.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import GaussianMixture
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> sorted(np.round(gm.means_, 6).tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    >>> gm.predict([[0, 0], [12, 3]]).tolist() == gm.predict([[1, 2], [10, 2]]).tolist()
    True
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "covariance_type": [Options(set(_COV_TYPES))],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "reg_covar": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "init_params": [Options(set(_INITS))],
        "weights_init": ["array-like", None],
        "means_init": ["array-like", None],
        "precisions_init": ["array-like", None],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "verbose_interval": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_threads": [Interval(numbers.Integral, -1, None, closed="left"), None],
    }
    _result_keys: ClassVar[dict[str, str]] = {
        "weights": "weights_",
        "means": "means_",
        "covars": "covariances_",
        "converged": "converged_",
        "lower_bound": "lower_bound_",
        "n_iter": "n_iter_",
        "resp": "resp_",
    }

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: Any = None,
        means_init: Any = None,
        precisions_init: Any = None,
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        n_threads: int | None = None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.n_threads = n_threads

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.estimator_type = "density_estimator"
        return tags

    # -- initialisation --------------------------------------------------------------------

    def _responsibilities(self, X: np.ndarray, w: np.ndarray, rng: Any, threads: int) -> np.ndarray:
        n, k = X.shape[0], self.n_components
        init = _INITS[self.init_params]
        if init == "random":
            resp = np.asarray(rng.uniform(size=(n, k)), dtype=np.float64)
            resp /= resp.sum(axis=1)[:, None]
            return resp
        resp = np.zeros((n, k), dtype=np.float64)
        if init == "kmeans":
            from ..cluster import KMeans

            labels = (
                KMeans(n_clusters=k, n_init=1, random_state=rng, n_threads=threads)
                .fit(X, sample_weight=w)
                .labels_
            )
            resp[np.arange(n), labels] = 1
        elif init == "random_from_data":
            # Rows of zero weight would start an empty component; with all weights
            # positive this is scikit-learn's draw.
            rows = np.flatnonzero(w > 0)
            if len(rows) < k:
                raise ValueError(
                    f"init_params='random_from_data' needs n_components={k} samples of "
                    f"positive weight, got {len(rows)}; lower n_components."
                )
            indices = rows[rng.choice(len(rows), size=k, replace=False)]
            resp[indices, np.arange(k)] = 1
        else:
            from ..cluster import kmeans_plusplus

            _, indices = kmeans_plusplus(X, k, sample_weight=w, random_state=rng, n_threads=threads)
            resp[indices, np.arange(k)] = 1
        return resp

    def _initial_parameters(
        self,
        X: np.ndarray,
        w: np.ndarray,
        rng: Any,
        threads: int,
        given: tuple[Any, Any, Any],
    ) -> dict[str, np.ndarray]:
        weights_init, means_init, precisions_init = given
        ct, k, d = self.covariance_type, self.n_components, X.shape[1]
        weights = means = cov = None
        if weights_init is None or means_init is None or precisions_init is None:
            resp = self._responsibilities(X, w, rng, threads)
            nk, means, cov = _core.gmm_estimate_parameters(
                X, w, resp, ct, float(self.reg_covar), threads
            )
            weights = nk / float(np.sum(w, dtype=np.float64))
            means = means.reshape(k, d)
        if weights_init is not None:
            weights = np.asarray(weights_init, dtype=np.float64)
        if means_init is not None:
            means = np.asarray(means_init, dtype=np.float64)
        if precisions_init is None:
            chol = _core.gmm_precisions_cholesky(cov, ct, k, d)
        else:
            chol = _cholesky_from_precisions(precisions_init, ct).ravel()
            cov = _covariances_from_precisions(precisions_init, ct).ravel()
        return {"weights": weights, "means": means, "cov": cov, "chol": chol}

    # -- fit -------------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> GaussianMixture:
        """Estimate the model parameters with EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights give the fit of the repeated rows.

        Returns
        -------
        self
        """
        self._fit(X, sample_weight)
        return self

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit and return the most probable component of each training sample."""
        self._fit(X, sample_weight)
        return self.labels_

    def _fit(self, X: Any, sample_weight: Any) -> None:
        self._validate_params()
        warm = None
        if self.warm_start and self._is_fitted():
            warm = {
                "weights": np.asarray(self.weights_, dtype=np.float64),
                "means": np.asarray(self.means_, dtype=np.float64),
                "cov": np.asarray(self.covariances_, dtype=np.float64).ravel(),
                "chol": np.asarray(self.precisions_cholesky_, dtype=np.float64).ravel(),
                "lower_bound": self.lower_bound_,
                "n_features": self.n_features_in_,
            }
        X = self._validate_data(X, reset=True, ensure_min_samples=2)
        n, d = X.shape
        k, ct = self.n_components, self.covariance_type
        if n < k:
            raise ValueError(
                f"Expected n_samples >= n_components but got n_components = {k}, n_samples = {n}"
            )
        if warm is not None and warm["n_features"] != d:
            raise ValueError(
                f"X has {d} features, but the warm start is from a fit on "
                f"{warm['n_features']} features; set warm_start=False to start afresh."
            )
        given = (
            None if self.weights_init is None else _check_weights(self.weights_init, k),
            None if self.means_init is None else _check_means(self.means_init, k, d),
            None
            if self.precisions_init is None
            else _check_precisions(self.precisions_init, ct, k, d),
        )
        w = check_sample_weight(sample_weight, n, X.dtype)
        threads = get_num_threads(self.n_threads)
        rng = check_random_state(self.random_state)
        verbose = int(self.verbose)
        n_init = self.n_init if warm is None else 1

        best = None
        max_lower_bound = -np.inf
        converged_best = False
        for init in range(n_init):
            if verbose:
                print(f"Initialization {init}")
                t0 = time.time()
            if warm is None:
                p = self._initial_parameters(X, w, rng, threads, given)
                start_bound = -np.inf
            else:
                p = warm
                start_bound = warm["lower_bound"]
            if self.max_iter == 0:
                best = (p["weights"], p["means"], p["cov"], p["chol"], 0, [])
                continue
            weights, means, cov, chol, bounds, converged, n_iter = _core.gmm_fit(
                X,
                w,
                np.ascontiguousarray(p["weights"], dtype=np.float64).ravel(),
                np.ascontiguousarray(p["means"], dtype=np.float64).ravel(),
                np.ascontiguousarray(p["cov"], dtype=np.float64).ravel(),
                np.ascontiguousarray(p["chol"], dtype=np.float64).ravel(),
                ct,
                float(self.reg_covar),
                float(self.tol),
                int(self.max_iter),
                float(start_bound),
                threads,
                verbose,
                int(self.verbose_interval),
            )
            lower_bound = float(bounds[-1])
            if verbose:
                status = "converged" if converged else "did not converge"
                if verbose >= 2:
                    print(
                        f"Initialization {status}. time lapse {time.time() - t0:.5f}s\t "
                        f"lower bound {lower_bound:.5f}."
                    )
                else:
                    print(f"Initialization {status}.")
            if lower_bound > max_lower_bound or max_lower_bound == -np.inf:
                max_lower_bound = lower_bound
                best = (weights, means, cov, chol, n_iter, [float(b) for b in bounds])
                converged_best = bool(converged)

        if not converged_best and self.max_iter > 0:
            warnings.warn(
                "Best performing initialization did not converge. Try different init "
                "parameters, or increase max_iter, tol, or check for degenerate data.",
                convergence_warning_class(),
                stacklevel=3,
            )
        assert best is not None
        weights, means, cov, chol, n_iter, bounds = best
        shapes = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}
        dt = X.dtype
        self.weights_ = np.ascontiguousarray(weights, dtype=dt)
        self.means_ = np.ascontiguousarray(np.reshape(means, (k, d)), dtype=dt)
        if cov is not None:
            self.covariances_ = np.ascontiguousarray(np.reshape(cov, shapes[ct]), dtype=dt)
        self.precisions_cholesky_ = np.ascontiguousarray(np.reshape(chol, shapes[ct]), dtype=dt)
        self.precisions_ = np.ascontiguousarray(
            _precisions_from_cholesky(self.precisions_cholesky_.astype(np.float64), ct), dtype=dt
        )
        self.converged_ = converged_best
        self.n_iter_ = int(n_iter)
        self.lower_bound_ = float(max_lower_bound)
        self.lower_bounds_ = bounds
        # A final E-step, so that fit_predict(X) agrees with fit(X).predict(X).
        _, log_resp = self._log_prob_resp(X)
        self.resp_ = np.exp(log_resp).astype(dt)
        self.labels_ = np.argmax(log_resp, axis=1).astype(np.int64)

    # -- inference -------------------------------------------------------------------------

    def _log_prob_resp(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _core.gmm_log_prob_resp(
            X,
            np.ascontiguousarray(self.weights_, dtype=np.float64),
            np.ascontiguousarray(self.means_, dtype=np.float64).ravel(),
            np.ascontiguousarray(self.precisions_cholesky_, dtype=np.float64).ravel(),
            self.covariance_type,
            get_num_threads(self.n_threads),
        )

    def _test_data(self, X: Any) -> np.ndarray:
        self._check_fitted()
        return self._validate_data(X, reset=False)

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-likelihood of each sample under the model."""
        X = self._test_data(X)
        return self._log_prob_resp(X)[0].astype(self.means_.dtype)

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood of the samples."""
        X = self._test_data(X)
        return float(np.mean(self._log_prob_resp(X)[0]))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable component of each sample."""
        X = self._test_data(X)
        return np.argmax(self._log_prob_resp(X)[1], axis=1).astype(np.int64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior probability of each component for each sample."""
        X = self._test_data(X)
        return np.exp(self._log_prob_resp(X)[1]).astype(self.means_.dtype)

    def _n_parameters(self) -> int:
        d = self.means_.shape[1]
        k = self.n_components
        cov_params = {
            "full": k * d * (d + 1) / 2.0,
            "diag": k * d,
            "tied": d * (d + 1) / 2.0,
            "spherical": k,
        }[self.covariance_type]
        return int(cov_params + d * k + k - 1)

    def bic(self, X: Any) -> float:
        """Bayesian information criterion (lower is better)."""
        X = self._test_data(X)
        n = X.shape[0]
        return -2 * self.score(X) * n + self._n_parameters() * math.log(n)

    def aic(self, X: Any) -> float:
        """Akaike information criterion (lower is better)."""
        X = self._test_data(X)
        return -2 * self.score(X) * X.shape[0] + 2 * self._n_parameters()

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw samples from the fitted model (scikit-learn's draws for the same
        ``random_state``). Returns ``(X, y)``: float64 samples and their components."""
        self._check_fitted()
        if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples} . The sampling requires at "
                "least one sample."
            )
        d = self.means_.shape[1]
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_.astype(np.float64))
        means = self.means_.astype(np.float64)
        cov = self.covariances_.astype(np.float64)
        if self.covariance_type == "full":
            parts = [rng.multivariate_normal(m, c, int(s)) for m, c, s in zip(means, cov, counts)]
        elif self.covariance_type == "tied":
            parts = [rng.multivariate_normal(m, cov, int(s)) for m, s in zip(means, counts)]
        else:
            parts = [
                m + rng.standard_normal(size=(s, d)) * np.sqrt(c)
                for m, c, s in zip(means, cov, counts)
            ]
        y = np.concatenate([np.full(int(s), j, dtype=np.int64) for j, s in enumerate(counts)])
        return np.vstack(parts).astype(np.float64), y


def gaussian_mixture(
    X: Any, n_components: int, *, sample_weight: Any = None, init: Any = None, **kwargs: Any
):
    """Functional Gaussian mixture (the seed toolkit's call).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
    sample_weight : array-like of shape (n_samples,), default=None
    init : str, default=None
        The seed toolkit's name for ``init_params`` ('kmeans++', 'kmeans', 'random', ...).
    **kwargs
        Any :class:`GaussianMixture` parameter.

    Returns
    -------
    weights, means, covars, resp, converged, lower_bound, n_iter

    Examples
    --------
    >>> from clustor import gaussian_mixture
    >>> X = [[0.0], [0.2], [10.0], [10.2]]
    >>> weights, means, covars, resp, converged, lb, n_iter = gaussian_mixture(X, 2, random_state=0)
    >>> sorted(means.ravel().round(6).tolist()), weights.round(6).tolist()
    ([0.1, 10.1], [0.5, 0.5])
    """
    if init is not None:
        kwargs["init_params"] = init
    est = GaussianMixture(n_components=n_components, **kwargs).fit(X, sample_weight=sample_weight)
    return (
        est.weights_,
        est.means_,
        est.covariances_,
        est.resp_,
        est.converged_,
        est.lower_bound_,
        est.n_iter_,
    )
