"""KMeans: k-means++ or random seeding, Lloyd or Elkan iterations, in Rust.

The iteration matches scikit-learn's step for step (see ``clustor_core::kmeans``): from the
same initial centers the labels, centers, inertia and ``n_iter_`` agree with scikit-learn's.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, ClassVar

import numpy as np

from .. import _core
from .._base import BaseEstimator, ClusterMixin, TransformerMixin
from .._threads import get_num_threads
from .._validation import (
    Interval,
    Options,
    assert_all_finite,
    check_array,
    check_distance_range,
    check_random_state,
    check_sample_weight,
    distance_range_ok,
    draw_seed,
    rescale_sample_weight,
    squared_diameter,
)
from ..exceptions import convergence_warning_class

__all__ = ["KMeans", "kmeans", "kmeans_plusplus"]

_METRICS = {"euclidean": "euclidean", "l2": "euclidean", "cosine": "cosine"}


def _normalize_rows(X: np.ndarray) -> np.ndarray:
    """Rows scaled to unit euclidean norm; zero rows stay zero (their cosine distance to any
    center is defined as 1)."""
    with np.errstate(over="ignore", under="ignore"):
        sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
        norms = np.sqrt(sq).astype(X.dtype)
    norms[norms == 0] = 1
    out = X / norms[:, None]
    # Rows whose squared norm overflows (|x| ~ 1e200) or underflows (~ 1e-200): divide by
    # the largest |value| first.
    bad = ~np.isfinite(norms) | (sq < np.finfo(np.float64).tiny)
    if bad.any():
        rows = X[bad].astype(np.float64)
        top = np.abs(rows).max(axis=1, initial=0)
        top[top == 0] = 1
        rows /= top[:, None]
        n = np.sqrt(np.einsum("ij,ij->i", rows, rows))
        n[n == 0] = 1
        out[bad] = rows / n[:, None]
    return np.ascontiguousarray(out)


def _tolerance(X: np.ndarray, tol: float, threads: int | None = None) -> float:
    """scikit-learn's data-dependent tolerance: ``tol`` × mean feature variance."""
    if tol == 0:
        return 0.0
    _, _, sums, squares = _core.column_stats(X, get_num_threads(threads), squares=True)
    variance = _one_pass_variance(sums, squares, X.shape[0])
    if variance is None:
        with np.errstate(over="ignore", invalid="ignore"):
            var = np.var(X, axis=0)
        if not np.isfinite(var).all():
            # Huge constant columns overflow the plain variance; it is shift-invariant.
            var = np.var(X - X.min(axis=0), axis=0)
        variance = float(np.sum(var))
    return variance / X.shape[1] * tol


def _one_pass_variance(col_sums: np.ndarray, col_squares: np.ndarray, n: int) -> float | None:
    """The summed column variance ``V = Σ(Σx²/n − μ²)`` of n rows from their column sums and
    sums of squares (μ the mean row), or None where that may have cancelled.

    The cancellation of the one-pass formula is bounded by ``‖μ‖²`` (relative to the
    rounding of the sums), so V is accurate where ``‖μ‖² ≤ V``; elsewhere the variance
    needs a second pass over centered values.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        mean = col_sums / n
        mean_sq = float(mean @ mean)
        variance = float(np.sum(col_squares / n - mean * mean))
    accurate = math.isfinite(variance) and math.isfinite(mean_sq) and mean_sq <= variance
    return variance if accurate else None


def _mean(X: np.ndarray) -> np.ndarray:
    """Column means in X's type; shifted by the column minimum where the plain sum
    overflows (huge constant columns; the spread is known to be representable)."""
    with np.errstate(over="ignore", invalid="ignore"):
        mean = X.mean(axis=0)
    if np.isfinite(mean).all():
        return mean
    lo = X.min(axis=0)
    return (lo + (X - lo).mean(axis=0)).astype(X.dtype)


def _kernel_frame(
    X: np.ndarray,
    centers: np.ndarray,
    weight_total: float,
    estimator: str,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """X and the centers as the distance kernels get them: unchanged when their squared
    norms cannot overflow, else both shifted by the centers' mean (which leaves every
    distance as it is); ValueError when even the shifted distances would overflow."""
    lo, hi, _, _ = _core.column_stats(X, get_num_threads(threads))
    raw_bound = _norm_bound(max(abs(lo), abs(hi), float(np.abs(centers).max())), X.shape[1])
    if distance_range_ok(raw_bound, X.dtype, weight_total):
        return X, centers
    check_distance_range(squared_diameter(X, centers), X.dtype, weight_total, estimator=estimator)
    ref = _mean(centers)
    return np.ascontiguousarray(X - ref), np.ascontiguousarray(centers - ref)


def _range_bound(lo: float, hi: float, n_features: int) -> float:
    """``d × (max − min)²``: at least the squared diameter of rows whose values lie in
    ``[lo, hi]``."""
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.float64(hi) - np.float64(lo)
        return float(n_features * spread * spread)


def _norm_bound(top: float, n_features: int) -> float:
    """``d × top²``: at least the squared norm of rows whose values lie in ``[-top, top]``
    (+∞ where that overflows)."""
    return float(n_features) * float(top) * float(top)


def _boxed_range_bound(arrays: tuple[np.ndarray, ...], threads: int) -> float:
    """:func:`_range_bound` over all values of ``arrays`` (X first: one parallel pass)."""
    lo, hi, _, _ = _core.column_stats(arrays[0], threads)
    for a in arrays[1:]:
        lo, hi = min(lo, float(a.min())), max(hi, float(a.max()))
    return _range_bound(lo, hi, arrays[0].shape[1])


def _unscale(total: float, w_scale: float) -> float:
    """A weighted total computed with rescaled weights, in the caller's units."""
    with np.errstate(over="ignore"):
        out = float(total) * w_scale
    if not np.isfinite(out):
        raise ValueError(
            f"The weighted inertia overflows float64 ({total:.3g} * {w_scale:.3g}): "
            "sample_weight and the squared distances are too large together; divide "
            "sample_weight by a common factor or rescale X."
        )
    return out


def _is_same_clustering(labels1: np.ndarray, labels2: np.ndarray, n_clusters: int) -> bool:
    """Whether two labelings are the same partition up to a permutation of the labels."""
    mapping = np.full(n_clusters, -1, dtype=np.int64)
    for a, b in zip(labels1, labels2):
        if mapping[a] == -1:
            mapping[a] = b
        elif mapping[a] != b:
            return False
    return True


def kmeans_plusplus(
    X: Any,
    n_clusters: int,
    *,
    sample_weight: Any = None,
    x_squared_norms: Any = None,
    random_state: Any = None,
    n_local_trials: int | None = None,
    n_threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy k-means++ seeding, as :func:`sklearn.cluster.kmeans_plusplus`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int
        Number of centers to choose.
    sample_weight : array-like of shape (n_samples,), default=None
        Seeding probabilities are proportional to weight × squared distance.
    x_squared_norms : ignored
        Accepted for compatibility with scikit-learn (the core computes the norms).
    random_state : None, int, RandomState or Generator
    n_local_trials : int, default=None
        Candidates tried per center; default ``2 + int(log(n_clusters))``.
    n_threads : int, default=None

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features), X's float type
    indices : ndarray of shape (n_clusters,), int64
        Row of X each center was copied from.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import kmeans_plusplus
    >>> X = np.array([[0.0], [0.1], [10.0], [10.1]])
    >>> centers, idx = kmeans_plusplus(X, 2, random_state=0)
    >>> sorted(np.round(centers.ravel()).tolist())
    [0.0, 10.0]
    """
    X = check_array(X, estimator="kmeans_plusplus")
    if not isinstance(n_clusters, numbers.Integral) or n_clusters < 1:
        raise ValueError(f"n_clusters should be an integer >= 1, got {n_clusters!r}.")
    if X.shape[0] < n_clusters:
        raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={n_clusters}.")
    if n_local_trials is not None and (
        not isinstance(n_local_trials, numbers.Integral) or n_local_trials < 1
    ):
        raise ValueError(f"n_local_trials must be an int >= 1 or None, got {n_local_trials!r}.")
    w, _ = rescale_sample_weight(check_sample_weight(sample_weight, X.shape[0], X.dtype))
    # Rows far from the origin are seeded relative to their mean; the centers returned are
    # X's own rows either way.
    threads = get_num_threads(n_threads)
    Xk, _ = _kernel_frame(X, X[:1], float(w.sum()), "kmeans_plusplus", threads)
    seed = draw_seed(check_random_state(random_state))
    _, indices = _core.kmeans_plusplus(Xk, w, int(n_clusters), n_local_trials, seed, threads)
    return X[indices], indices


class KMeans(ClusterMixin, TransformerMixin, BaseEstimator):
    """K-Means clustering (scikit-learn's parameters, plus the seed toolkit's).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {'k-means++', 'random'}, callable or array of shape (n_clusters, n_features)
        'k-means++': greedy k-means++ with ``2 + int(log(k))`` local trials, weighted by
        ``sample_weight``; 'random': k distinct rows drawn with probability ∝ weight; an
        array gives the initial centers; a callable is called as
        ``init(X, n_clusters, random_state)``.
    n_init : 'auto' or int, default='auto'
        Number of seedings; the run with the lowest inertia is kept. 'auto' is 1 for
        'k-means++' or an array and 10 for 'random' or a callable, as in scikit-learn.
    max_iter : int, default=300
    tol : float, default=1e-4
        Relative tolerance: the run stops when the summed squared center shift is at most
        ``tol`` × mean feature variance (or when no label changes).
    verbose : int, default=0
    random_state : None, int, RandomState or Generator
    copy_x : bool, default=True
        Accepted for compatibility; the input is never modified. Like scikit-learn, fit
        works on a centered copy of X, but only where centering makes the distances more
        accurate by more than a bit (the squared norm of the mean row exceeds the summed
        column variance); elsewhere it needs no copy.
    algorithm : {'lloyd', 'elkan'}, default='lloyd'
        'lloyd' runs a register-tiled distance kernel fused with the assignment; 'elkan'
        keeps triangle-inequality bounds (n×k memory) and skips most distance computations
        (with ``n_clusters=1`` it runs as 'lloyd', which gives the same result).
    metric : {'euclidean', 'l2', 'cosine'}, default='euclidean'
        Case-insensitive. Under 'cosine' rows are scaled to unit norm and centers are kept
        at unit norm (spherical k-means); a zero row has cosine distance 1 to every center.
    normalize_input : bool, default=False
        Scale rows to unit norm before clustering (always done under 'cosine').
    normalize_centers : bool or None, default=None
        Report unit-norm centers; None means True under 'cosine' and False otherwise.
    n_threads : int or None, default=None
        Threads for the kernels; None follows :func:`clustor.set_num_threads`.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,), int64
    inertia_ : float
        Weighted sum of squared distances to the closest center (cosine distances under
        'cosine').
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has string column names

    The seed toolkit's keys read the same results: ``est["centers"]``, ``est["labels"]``,
    ``est["inertia"]``, ``est["n_iter"]``.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import KMeans
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> km.labels_.tolist() in ([1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1])
    True
    >>> sorted(km.cluster_centers_.tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    >>> km["inertia"]
    16.0
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "init": [Options({"k-means++", "random"}), "callable", "array-like"],
        "n_init": [Options({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "copy_x": ["boolean"],
        "algorithm": [Options({"lloyd", "elkan"})],
        "metric": [Options(set(_METRICS), ignore_case=True)],
        "normalize_input": ["boolean"],
        "normalize_centers": ["boolean", None],
        "n_threads": [Interval(numbers.Integral, -1, None, closed="left"), None],
    }
    _result_keys: ClassVar[dict[str, str]] = {
        "centers": "cluster_centers_",
        "labels": "labels_",
        "inertia": "inertia_",
        "n_iter": "n_iter_",
    }

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        n_init: Any = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        verbose: int = 0,
        random_state: Any = None,
        copy_x: bool = True,
        algorithm: str = "lloyd",
        metric: str = "euclidean",
        normalize_input: bool = False,
        normalize_centers: bool | None = None,
        n_threads: int | None = None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.copy_x = copy_x
        self.algorithm = algorithm
        self.metric = metric
        self.normalize_input = normalize_input
        self.normalize_centers = normalize_centers
        self.n_threads = n_threads

    # -- helpers ---------------------------------------------------------------------------

    def _metric(self) -> str:
        return _METRICS[self.metric.lower()]

    def _prepare(self, X: np.ndarray) -> np.ndarray:
        """Rows as the kernels see them: unit norm under cosine or normalize_input."""
        if self._metric() == "cosine" or self.normalize_input:
            return _normalize_rows(X)
        return X

    def _initial_centers(
        self, X: np.ndarray, w: np.ndarray, init: Any, rng: Any, threads: int
    ) -> np.ndarray:
        k = self.n_clusters
        if isinstance(init, str) and init == "k-means++":
            centers, _ = _core.kmeans_plusplus(X, w, k, None, draw_seed(rng), threads)
        elif isinstance(init, str) and init == "random":
            centers, _ = _core.kmeans_random_init(X, w, k, draw_seed(rng))
        elif callable(init):
            centers = init(X, k, random_state=rng)
            centers = check_array(
                centers, estimator=type(self).__name__, dtype=X.dtype, input_name="init", copy=True
            )
            self._check_center_shape(X, centers)
            check_distance_range(
                squared_diameter(X, centers), X.dtype, float(w.sum()), estimator=type(self).__name__
            )
        else:
            centers = init
        return np.ascontiguousarray(centers, dtype=X.dtype)

    def _check_center_shape(
        self, X: np.ndarray, centers: np.ndarray, n_centers: int | None = None
    ) -> None:
        """``centers`` must be (n_clusters, n_features), or (``n_centers``, n_features) when
        given (BisectingKMeans: 2 per split)."""
        k = self.n_clusters if n_centers is None else n_centers
        shape = "(n_clusters, n_features)" if n_centers is None else f"({k}, n_features)"
        if centers.shape[0] != k:
            raise ValueError(
                f"The shape of the initial centers {centers.shape} does not match "
                f"the number of clusters {k} (init must have shape {shape})."
            )
        if centers.shape[1] != X.shape[1]:
            raise ValueError(
                f"The shape of the initial centers {centers.shape} does not match "
                f"the number of features of the data {X.shape[1]} (init must have shape "
                f"{shape})."
            )

    def _n_init(self) -> int:
        init_is_array = not isinstance(self.init, str) and not callable(self.init)
        if self.n_init == "auto":
            return 1 if (init_is_array or self.init == "k-means++") else 10
        if init_is_array and self.n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only one init in "
                f"{type(self).__name__} instead of n_init={self.n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            return 1
        return int(self.n_init)

    def _algorithm(self) -> str:
        # Elkan's bounds need two centers; with one, Lloyd gives the same result. Unlike
        # scikit-learn, no RuntimeWarning: nothing the user asked for is lost.
        if self.algorithm == "elkan" and self.n_clusters == 1:
            return "lloyd"
        return self.algorithm

    # -- public API ------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMeans:
        """Compute k-means clustering.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32 data is clustered in float32, anything else in float64.
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        self._validate_params()
        # Where the kernels see X itself (no row normalisation), its finiteness is read off
        # the column statistics below instead of a scan of its own: on K2's 376 MB that scan
        # was 15-20 ms of a fit.
        finite_from_stats = not (self._metric() == "cosine" or self.normalize_input)
        X = self._validate_data(X, reset=True, allow_nan=finite_from_stats)
        n, k = X.shape[0], self.n_clusters
        if n < k:
            raise ValueError(f"n_samples={n} should be >= n_clusters={k}.")
        w, w_scale = rescale_sample_weight(check_sample_weight(sample_weight, n, X.dtype))
        threads = get_num_threads(self.n_threads)
        rng = check_random_state(self.random_state)
        cosine = self._metric() == "cosine"
        # Cosine assignment needs unit-norm centers during the run, whatever is reported.
        report_unit = cosine if self.normalize_centers is None else bool(self.normalize_centers)
        spherical = cosine or report_unit
        algorithm = self._algorithm()
        n_init = self._n_init()

        init = self.init
        init_is_array = not isinstance(init, str) and not callable(init)
        if init_is_array:
            init = check_array(
                init, estimator=type(self).__name__, dtype=X.dtype, input_name="init", copy=True
            )
            self._check_center_shape(X, init)
            if cosine or self.normalize_input:
                init = _normalize_rows(init)

        Xw = self._prepare(X)
        boxed = (Xw, init) if init_is_array else (Xw,)
        # One parallel pass: the value range (for the overflow bound), the column sums (for
        # centering) and sums of squares (for the variance).
        lo, hi, col_sums, col_squares = _core.column_stats(Xw, threads, squares=True)
        if finite_from_stats and not (
            math.isfinite(lo) and math.isfinite(hi) and np.isfinite(col_sums).all()
        ):
            # A NaN makes its column's sum NaN, an infinity shows in the range; a sum that
            # merely overflowed passes the full check.
            assert_all_finite(X, "X", type(self).__name__)
        if init_is_array:
            lo, hi = min(lo, float(init.min())), max(hi, float(init.max()))
        # The global value range bounds the per-column box and costs a third of it: the
        # exact (per-column) check runs only when the cheap bound is not enough.
        if not distance_range_ok(_range_bound(lo, hi, X.shape[1]), X.dtype, float(w.sum())):
            check_distance_range(
                squared_diameter(*boxed), X.dtype, float(w.sum()), estimator=type(self).__name__
            )
        # Centering is for the accuracy of ‖x‖² − 2x·c + ‖c‖² (as scikit-learn does): its
        # rounding scales with the squared norms, whose mean centering lowers from ‖μ‖² + V
        # to V (V the summed column variance). Where ‖μ‖² ≤ V that gains at most one bit, and
        # X is not copied: the copy doubled a fit's memory and took as long as two Lloyd
        # iterations on 60k×784. The raw values must also keep the kernels' squared norms
        # finite. Unit-norm geometry (cosine, spherical centers) is never shifted.
        variance = _one_pass_variance(col_sums, col_squares, n)
        raw_bound = _norm_bound(max(abs(lo), abs(hi)), X.shape[1])
        center = not (cosine or spherical) and not (
            variance is not None and distance_range_ok(raw_bound, X.dtype, float(w.sum()))
        )
        if center:
            with np.errstate(over="ignore"):
                X_mean = (col_sums / n).astype(X.dtype)
            if not np.isfinite(X_mean).all():
                X_mean = _mean(Xw)  # the f64 sums overflowed: huge constant columns
            Xc = np.empty_like(Xw)
            centered_squares = _core.center_rows(Xw, X_mean, Xc, threads)
            if self.tol != 0:
                # Two-pass variance: the squares of the centered values, less the square of
                # their (rounding-sized) remaining mean.
                with np.errstate(over="ignore", invalid="ignore"):
                    rest = col_sums / n - X_mean
                    variance = float(np.sum(centered_squares / n - rest * rest))
            Xw = Xc
            if init_is_array:
                init = init - X_mean
        if self.tol == 0:
            tol = 0.0
        elif variance is not None and math.isfinite(variance):
            tol = variance / X.shape[1] * self.tol
        else:
            tol = _tolerance(Xw, self.tol, threads)

        best = None
        for _ in range(n_init):
            centers0 = self._initial_centers(Xw, w, init, rng, threads)
            if spherical:
                centers0 = _normalize_rows(centers0)
            if self.verbose:
                print("Initialization complete")
            centers, labels, inertia, n_iter = _core.kmeans_fit(
                Xw,
                w,
                centers0,
                self.max_iter,
                tol,
                algorithm,
                spherical,
                threads,
                bool(self.verbose),
                checked=True,  # X passed check_array: finite
            )
            if best is None or (inertia < best[2] and not _is_same_clustering(labels, best[1], k)):
                best = (centers, labels, inertia, n_iter)
        assert best is not None
        centers, labels, inertia, n_iter = best
        if center:
            centers = centers + X_mean
        inertia = _unscale(inertia, w_scale)
        if cosine:
            # ‖x̂ − ĉ‖² = 2·(1 − cos) for unit rows; a zero row has cosine distance 1.
            zero = np.einsum("ij,ij->i", Xw, Xw) == 0
            inertia = float(inertia) / 2 + _unscale(float(w[zero].sum()), w_scale) / 2
            if not report_unit:
                centers = _weighted_means(Xw, w, labels, k, centers)
        distinct = int(np.count_nonzero(np.bincount(labels, minlength=k)))
        if distinct < k:
            warnings.warn(
                f"Number of distinct clusters ({distinct}) found smaller than n_clusters "
                f"({k}). Possibly due to duplicate points in X.",
                convergence_warning_class(),
                stacklevel=2,
            )
        self.cluster_centers_ = np.ascontiguousarray(centers, dtype=X.dtype)
        self._n_features_out = k
        self.labels_ = labels
        self.inertia_ = float(inertia)
        self.n_iter_ = int(n_iter)
        return self

    def _test_data(self, X: Any) -> np.ndarray:
        self._check_fitted()
        return self._validate_data(X, reset=False, dtype=self.cluster_centers_.dtype)

    def _labels_inertia(self, X: np.ndarray, sample_weight: Any) -> tuple[np.ndarray, float]:
        w, w_scale = rescale_sample_weight(check_sample_weight(sample_weight, X.shape[0], X.dtype))
        threads = get_num_threads(self.n_threads)
        Xw = self._prepare(X)
        centers = self.cluster_centers_
        if self._metric() == "cosine":
            centers = _normalize_rows(centers)
        Xw, centers = _kernel_frame(Xw, centers, float(w.sum()), type(self).__name__, threads)
        labels, inertia = _core.kmeans_predict(Xw, w, centers, threads, checked=True)
        inertia = _unscale(inertia, w_scale)
        if self._metric() == "cosine":
            zero = np.einsum("ij,ij->i", Xw, Xw) == 0
            inertia = inertia / 2 + _unscale(float(w[zero].sum()), w_scale) / 2
        return labels, float(inertia)

    def predict(self, X: Any, sample_weight: Any = None) -> np.ndarray:
        """Index of the closest center for each sample."""
        return self._labels_inertia(self._test_data(X), sample_weight)[0]

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Opposite of the (weighted) inertia of X on the fitted centers."""
        return -self._labels_inertia(self._test_data(X), sample_weight)[1]

    def transform(self, X: Any) -> np.ndarray:
        """Distance of each sample to each center (euclidean, or cosine under 'cosine')."""
        X = self._test_data(X)
        if self._metric() == "cosine":
            sim = _normalize_rows(X) @ _normalize_rows(self.cluster_centers_).T
            # Rounding can put a unit-norm dot product just outside [-1, 1].
            return np.ascontiguousarray(np.clip(1 - sim, 0, 2), dtype=X.dtype)
        threads = get_num_threads(self.n_threads)
        return _core.kmeans_transform(
            *_kernel_frame(
                self._prepare(X), self.cluster_centers_, 1.0, type(self).__name__, threads
            ),
            threads,
        )

    def fit_transform(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit, then return the distances of the training samples to the centers."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit and return the training labels."""
        return self.fit(X, sample_weight=sample_weight).labels_


def _weighted_means(
    X: np.ndarray, w: np.ndarray, labels: np.ndarray, k: int, fallback: np.ndarray
) -> np.ndarray:
    sums = np.zeros((k, X.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, X.astype(np.float64) * w[:, None])
    tot = np.bincount(labels, weights=w.astype(np.float64), minlength=k)
    out = fallback.astype(np.float64)
    nz = tot > 0
    out[nz] = sums[nz] / tot[nz, None]
    return out


def kmeans(X: Any, k: int, *, sample_weight: Any = None, **kwargs: Any):
    """Functional k-means (the seed toolkit's call).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k : int
        Number of clusters.
    sample_weight : array-like of shape (n_samples,), default=None
    **kwargs
        Any :class:`KMeans` parameter.

    Returns
    -------
    centers, labels, inertia, n_iter

    Examples
    --------
    >>> from clustor import kmeans
    >>> centers, labels, inertia, n_iter = kmeans([[0.0], [1.0], [10.0], [11.0]], 2, random_state=0)
    >>> sorted(centers.ravel().tolist()), inertia
    ([0.5, 10.5], 1.0)
    """
    est = KMeans(n_clusters=k, **kwargs).fit(X, sample_weight=sample_weight)
    return est.cluster_centers_, est.labels_, est.inertia_, est.n_iter_
