"""MiniBatchKMeans: scikit-learn's mini-batch k-means, with the step loop in Rust.

One step (``clustor_core::kmeans::minibatch``) is scikit-learn's ``_mini_batch_step``: from
the same centers, counts and batch it gives the same centers (to rounding). ``fit`` draws
its batches with the core's generator, so it follows scikit-learn's algorithm but not its
random stream.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, ClassVar

import numpy as np

from .. import _core
from .._threads import get_num_threads
from .._validation import (
    Interval,
    Options,
    check_array,
    check_distance_range,
    check_random_state,
    check_sample_weight,
    distance_range_ok,
    draw_seed,
    rescale_sample_weight,
    squared_diameter,
)
from ._kmeans import (
    _METRICS,
    KMeans,
    _boxed_range_bound,
    _normalize_rows,
    _tolerance,
    _weighted_means,
)

__all__ = ["MiniBatchKMeans"]


class MiniBatchKMeans(KMeans):
    """Mini-batch k-means (scikit-learn's parameters, plus the seed toolkit's).

    Each step assigns a batch of samples to the closest centers and moves each center that
    received samples to the running mean of everything it has received (per-center
    learning rate ``weight / count``, Sculley's update as scikit-learn runs it). Centers
    whose count falls below ``reassignment_ratio`` times the largest count move to random
    samples of the batch. ``fit`` stops early when the smoothed batch inertia stops
    improving; the whole step loop runs in Rust without the GIL.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {'k-means++', 'random'}, callable or array of shape (n_clusters, n_features)
        Seeding, run on ``init_size`` random samples (see :class:`KMeans`).
    max_iter : int, default=100
        Epochs: at most ``max_iter * n_samples // batch_size`` steps.
    batch_size : int, default=1024
    verbose : int, default=0
    compute_labels : bool, default=True
        Label the whole training set (and compute its inertia) after ``fit`` and after
        each ``partial_fit``; otherwise ``inertia_`` is the smoothed batch estimate.
    random_state : None, int, RandomState or Generator
        Seeds the initialisation, the validation samples, and the core's generator that
        draws the batches (not NumPy's stream, so batches differ from scikit-learn's).
    tol : float, default=0.0
        Stop when the summed squared center change of a step is at most ``tol`` × the mean
        feature variance (0 disables this test).
    max_no_improvement : int or None, default=10
        Stop after this many steps without improvement of the smoothed batch inertia.
    init_size : int or None, default=None
        Samples used to seed (default ``3 * batch_size``, at least ``3 * n_clusters``).
    n_init : 'auto' or int, default='auto'
        Seedings tried; the one with the lowest inertia on ``init_size`` validation samples
        is kept ('auto': 1 for 'k-means++' or an array, 3 otherwise).
    reassignment_ratio : float, default=0.01
    max_steps : int or None, default=None
        Hard cap on the number of steps (the seed toolkit's parameter).
    metric : {'euclidean', 'l2', 'cosine'}, default='euclidean'
        Under 'cosine' rows are scaled to unit norm and updated centers are rescaled to
        unit norm (spherical mini-batch k-means).
    normalize_input : bool, default=False
    normalize_centers : bool or None, default=None
        Keep centers at unit norm; None means True under 'cosine'.
    n_threads : int or None, default=None

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,), int64 (when ``compute_labels``)
    inertia_ : float
    n_iter_ : int
        Epochs started: ``ceil(n_steps_ * batch_size / n_samples)``.
    n_steps_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has string column names

    Notes
    -----
    ``partial_fit`` works on a fresh estimator: its first chunk seeds the centers (it needs
    at least ``n_clusters`` samples unless ``init`` is an array); later chunks may have any
    size, so a stream of chunks trains a model.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import MiniBatchKMeans
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [4, 2], [4, 0], [4, 4],
    ...               [4, 5], [0, 1], [2, 2], [3, 2], [5, 5], [1, -1]], dtype=float)
    >>> mbk = MiniBatchKMeans(n_clusters=2, batch_size=6, random_state=0, n_init=3)
    >>> mbk = mbk.partial_fit(X[:6]).partial_fit(X[6:])
    >>> mbk.cluster_centers_.shape
    (2, 2)
    >>> mbk.predict([[0, 0], [4, 4]]).tolist() in ([0, 1], [1, 0])
    True
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "init": [Options({"k-means++", "random"}), "callable", "array-like"],
        "n_init": [Options({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "compute_labels": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "max_no_improvement": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "init_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "reassignment_ratio": [Interval(numbers.Real, 0, None, closed="left")],
        "max_steps": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "metric": [Options(set(_METRICS), ignore_case=True)],
        "normalize_input": ["boolean"],
        "normalize_centers": ["boolean", None],
        "n_threads": [Interval(numbers.Integral, -1, None, closed="left"), None],
    }

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        max_iter: int = 100,
        batch_size: int = 1024,
        verbose: int = 0,
        compute_labels: bool = True,
        random_state: Any = None,
        tol: float = 0.0,
        max_no_improvement: int | None = 10,
        init_size: int | None = None,
        n_init: Any = "auto",
        reassignment_ratio: float = 0.01,
        max_steps: int | None = None,
        metric: str = "euclidean",
        normalize_input: bool = False,
        normalize_centers: bool | None = None,
        n_threads: int | None = None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.verbose = verbose
        self.compute_labels = compute_labels
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio
        self.max_steps = max_steps
        self.metric = metric
        self.normalize_input = normalize_input
        self.normalize_centers = normalize_centers
        self.n_threads = n_threads

    # -- helpers ---------------------------------------------------------------------------

    def _is_fitted(self) -> bool:
        # partial_fit alone, or compute_labels=False, leaves no labels_: centers suffice.
        return hasattr(self, "cluster_centers_")

    def _n_init(self) -> int:
        init_is_array = not isinstance(self.init, str) and not callable(self.init)
        if self.n_init == "auto" and not init_is_array and self.init != "k-means++":
            return 3  # scikit-learn's default for MiniBatchKMeans
        return super()._n_init()

    def _spherical(self) -> bool:
        cosine = self._metric() == "cosine"
        return cosine or (
            cosine if self.normalize_centers is None else bool(self.normalize_centers)
        )

    def _sizes(self, n: int) -> tuple[int, int]:
        """scikit-learn's batch size and init size for ``n`` samples."""
        batch = min(self.batch_size, n)
        init_size = self.init_size
        if init_size is None:
            init_size = 3 * batch
            if init_size < self.n_clusters:
                init_size = 3 * self.n_clusters
        elif init_size < self.n_clusters:
            warnings.warn(
                f"init_size={init_size} should be larger than n_clusters={self.n_clusters}. "
                "Setting it to min(3*n_clusters, n_samples)",
                RuntimeWarning,
                stacklevel=3,
            )
            init_size = 3 * self.n_clusters
        return batch, min(init_size, n)

    def _check_init_array(self, X: np.ndarray) -> Any:
        init = self.init
        if not isinstance(init, str) and not callable(init):
            init = check_array(
                init, estimator=type(self).__name__, dtype=X.dtype, input_name="init", copy=True
            )
            self._check_center_shape(X, init)
            if self._metric() == "cosine" or self.normalize_input:
                init = _normalize_rows(init)
        return init

    def _check_range(self, Xw: np.ndarray, init: Any, weight_total: float) -> None:
        boxed = (Xw, init) if isinstance(init, np.ndarray) else (Xw,)
        threads = get_num_threads(self.n_threads)
        if not distance_range_ok(_boxed_range_bound(boxed, threads), Xw.dtype, weight_total):
            check_distance_range(
                squared_diameter(*boxed), Xw.dtype, weight_total, estimator=type(self).__name__
            )

    def _seed(
        self, Xw: np.ndarray, w: np.ndarray, init: Any, init_size: int, rng: Any, threads: int
    ) -> np.ndarray:
        """Initial centers from ``init_size`` random samples (scikit-learn's
        ``_init_centroids``)."""
        n = Xw.shape[0]
        if init_size < n:
            idx = rng.randint(0, n, init_size)
            Xw, w = Xw[idx], w[idx]
            if not (w > 0).any():
                w = np.ones_like(w)
        centers = self._initial_centers(Xw, w, init, rng, threads)
        if self._spherical():
            centers = _normalize_rows(centers)
        return np.ascontiguousarray(centers, dtype=Xw.dtype)

    def _finish_centers(self, X: np.ndarray, centers: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(centers, dtype=X.dtype)

    # -- public API ------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """Compute the centers on X by mini-batches.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Batches are drawn with probability proportional to the weights (as in
            scikit-learn), and the weights enter the seeding and the reported inertia.

        Returns
        -------
        self
        """
        self._validate_params()
        X = self._validate_data(X, reset=True)
        self.__dict__.pop("_unit_centers", None)
        n, k = X.shape[0], self.n_clusters
        if n < k:
            raise ValueError(f"n_samples={n} should be >= n_clusters={k}.")
        w, w_scale = rescale_sample_weight(check_sample_weight(sample_weight, n, X.dtype))
        threads = get_num_threads(self.n_threads)
        rng = check_random_state(self.random_state)
        spherical = self._spherical()
        batch, init_size = self._sizes(n)
        n_init = self._n_init()
        init = self._check_init_array(X)
        Xw = self._prepare(X)
        self._check_range(Xw, init, float(w.sum()))
        tol = _tolerance(Xw, self.tol, threads)

        valid = rng.randint(0, n, init_size)
        X_valid, w_valid = Xw[valid], w[valid]
        if not (w_valid > 0).any():
            w_valid = np.ones_like(w_valid)
        best = None
        for i in range(n_init):
            if self.verbose:
                print(
                    f"Init {i + 1}/{n_init} with method {init if isinstance(init, str) else 'array'}"
                )
            centers = self._seed(Xw, w, init, init_size, rng, threads)
            _, inertia = _core.kmeans_predict(X_valid, w_valid, centers, threads)
            if self.verbose:
                print(f"Inertia for init {i + 1}/{n_init}: {inertia}")
            if best is None or inertia < best[1]:
                best = (centers, inertia)
        assert best is not None
        n_steps = (self.max_iter * n) // batch
        if self.max_steps is not None:
            n_steps = min(n_steps, int(self.max_steps))
        centers, counts, n_since, steps, ewa, last = _core.minibatch_fit(
            Xw,
            w,
            best[0],
            batch,
            n_steps,
            tol,
            self.max_no_improvement,
            float(self.reassignment_ratio),
            spherical,
            draw_seed(rng),
            threads,
            bool(self.verbose),
        )
        self._counts = counts
        self._n_since_last_reassign = int(n_since)
        self._batch_size = batch
        self._init_size = init_size
        self.cluster_centers_ = self._finish_centers(X, centers)
        self._n_features_out = k
        self.n_steps_ = int(steps)
        self.n_iter_ = math.ceil(steps * batch / n)
        if self.compute_labels:
            self.labels_, self.inertia_ = self._labels_inertia(X, sample_weight)
            self._report_means(X, sample_weight)
        else:
            mean = ewa if ewa is not None else last
            self.inertia_ = float(mean * float(w.sum()) * w_scale)
        return self

    def _report_means(self, X: np.ndarray, sample_weight: Any) -> None:
        """Under 'cosine' with ``normalize_centers=False``, report the weighted means of the
        unit rows of each cluster, as KMeans does."""
        if self._metric() == "cosine" and self.normalize_centers is False:
            w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
            means = _weighted_means(
                self._prepare(X), w, self.labels_, self.n_clusters, self.cluster_centers_
            )
            self._unit_centers = self.cluster_centers_
            self.cluster_centers_ = np.ascontiguousarray(means, dtype=X.dtype)

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """Update the centers with one mini-batch step on X.

        On a fresh estimator the first call seeds the centers from X (which then needs at
        least ``n_clusters`` samples, unless ``init`` is an array); later calls accept
        chunks of any size.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        has_centers = hasattr(self, "cluster_centers_")
        if not has_centers:
            self._validate_params()
            X = self._validate_data(X, reset=True)
        else:
            X = self._validate_data(X, reset=False, dtype=self.cluster_centers_.dtype)
        n, k = X.shape[0], self.n_clusters
        # Counts accumulate weights across calls: no per-call rescaling here.
        w = check_sample_weight(sample_weight, n, X.dtype)
        threads = get_num_threads(self.n_threads)
        if not hasattr(self, "_random_state"):
            self._random_state = check_random_state(self.random_state)
        rng = self._random_state
        spherical = self._spherical()
        Xw = self._prepare(X)
        if not has_centers:
            init = self._check_init_array(X)
            if not isinstance(init, np.ndarray) and n < k:
                raise ValueError(
                    f"n_samples={n} should be >= n_clusters={k}: the first chunk given to "
                    "partial_fit seeds the centers; pass a larger first chunk or an array "
                    "as init."
                )
            self._check_range(Xw, init, float(w.sum()))
            batch, init_size = self._sizes(max(n, 1))
            self._batch_size, self._init_size = batch, init_size
            if isinstance(init, np.ndarray):
                centers = np.ascontiguousarray(init, dtype=X.dtype)
                if spherical:
                    centers = _normalize_rows(centers)
            else:
                w_init = w if (w > 0).any() else np.ones_like(w)
                centers = self._seed(Xw, w_init, init, init_size, rng, threads)
            counts = np.zeros(k, dtype=np.float64)
            n_since = 0
            self.n_steps_ = 0
        else:
            centers = getattr(self, "_unit_centers", self.cluster_centers_)
            counts = self._counts
            n_since = self._n_since_last_reassign
            self._check_range(Xw, centers, float(w.sum()))
        centers, counts, n_since, _, _ = _core.minibatch_partial_fit(
            Xw,
            w,
            np.ascontiguousarray(centers, dtype=X.dtype),
            np.ascontiguousarray(counts, dtype=np.float64),
            int(n_since),
            self._batch_size,
            float(self.reassignment_ratio),
            spherical,
            draw_seed(rng),
            threads,
            bool(self.verbose),
        )
        self._counts = counts
        self._n_since_last_reassign = int(n_since)
        if hasattr(self, "_unit_centers"):
            del self._unit_centers
        self.cluster_centers_ = self._finish_centers(X, centers)
        self._n_features_out = k
        self.n_steps_ = getattr(self, "n_steps_", 0) + 1
        if self.compute_labels:
            self.labels_, self.inertia_ = self._labels_inertia(X, sample_weight)
        return self
