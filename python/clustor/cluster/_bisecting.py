"""BisectingKMeans: scikit-learn's bisecting k-means, the whole loop in Rust.

The core (``clustor_core::kmeans::bisecting``) splits leaves with the ordinary Lloyd/Elkan
run on contiguous runs of one working copy of X, permuted in place; ``predict`` descends
the bisection tree with the same distance kernel on the same values, so
``predict(X_train)`` equals ``labels_``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
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
    _mean,
    _unscale,
    _weighted_means,
)

__all__ = ["BisectingKMeans", "bisecting_kmeans"]


class BisectingKMeans(KMeans):
    """Bisecting k-means (scikit-learn's parameters, plus the seed toolkit's).

    Starting from one cluster, the leaf with the largest score is split in two by 2-means
    (``n_init`` seedings, the lowest inertia kept) until there are ``n_clusters`` leaves;
    labels number the leaves depth-first, as scikit-learn does.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {'random', 'k-means++'} or callable, default='random'
        Seeding of each 2-means split ('random': two distinct samples drawn with
        probability ∝ weight). A callable is called as scikit-learn calls it, once per
        seeding of every split: ``init(X_leaf, 2, random_state=rs)``, where ``X_leaf``
        holds the rows of the leaf being split in the order of X (centered by the mean
        of X, as the fit sees them; unit rows under 'cosine'), and ``rs`` is the
        RandomState (or Generator) made from ``random_state``; it returns the two initial
        centers, shape (2, n_features). ``sample_weight`` is not passed to it.
    n_init : int, default=1
        Seedings per split.
    random_state : None, int, RandomState or Generator
    max_iter : int, default=300
        Iterations of each 2-means run.
    verbose : int, default=0
    tol : float, default=1e-4
        Tolerance of each 2-means run on the summed squared center shift. As in
        scikit-learn's BisectingKMeans it is used as given (absolute, on data centered
        by its mean), not scaled by the feature variance as in :class:`KMeans`.
    copy_x : bool, default=True
        Accepted for compatibility; the input is never modified (the core works on one
        private copy, shifted by the mean).
    algorithm : {'lloyd', 'elkan'}, default='lloyd'
    bisecting_strategy : {'biggest_inertia', 'largest_cluster'}, default='biggest_inertia'
        Split the leaf with the largest weighted inertia, or with the most samples.
    metric : {'euclidean', 'l2', 'cosine'}, default='euclidean'
        Under 'cosine' rows are scaled to unit norm and centers kept at unit norm.
    normalize_input : bool, default=False
    normalize_centers : bool or None, default=None
        Report unit-norm centers; None means True under 'cosine'.
    n_threads : int or None, default=None

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,), int64
    inertia_ : float
    n_splits_ : int
        Bisections made (``n_clusters - 1``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has string column names

    The seed toolkit's keys read the same results: ``est["centers"]``, ``est["labels"]``,
    ``est["inertia"]``, ``est["n_splits"]``.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import BisectingKMeans
    >>> X = np.array([[1, 1], [10, 1], [3, 1], [10, 0], [2, 1], [10, 2],
    ...               [10, 8], [10, 9], [10, 10]])
    >>> bkm = BisectingKMeans(n_clusters=3, random_state=0).fit(X)
    >>> sorted(bkm.cluster_centers_.tolist())
    [[2.0, 1.0], [10.0, 1.0], [10.0, 9.0]]
    >>> bool((bkm.predict(X) == bkm.labels_).all())
    True
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "init": [Options({"k-means++", "random"}), "callable"],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "copy_x": ["boolean"],
        "algorithm": [Options({"lloyd", "elkan"})],
        "bisecting_strategy": [Options({"biggest_inertia", "largest_cluster"})],
        "metric": [Options(set(_METRICS), ignore_case=True)],
        "normalize_input": ["boolean"],
        "normalize_centers": ["boolean", None],
        "n_threads": [Interval(numbers.Integral, -1, None, closed="left"), None],
    }
    _result_keys: ClassVar[dict[str, str]] = {
        "centers": "cluster_centers_",
        "labels": "labels_",
        "inertia": "inertia_",
        "n_splits": "n_splits_",
    }

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: str | Callable[..., Any] = "random",
        n_init: int = 1,
        random_state: Any = None,
        max_iter: int = 300,
        verbose: int = 0,
        tol: float = 1e-4,
        copy_x: bool = True,
        algorithm: str = "lloyd",
        bisecting_strategy: str = "biggest_inertia",
        metric: str = "euclidean",
        normalize_input: bool = False,
        normalize_centers: bool | None = None,
        n_threads: int | None = None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.random_state = random_state
        self.max_iter = max_iter
        self.verbose = verbose
        self.tol = tol
        self.copy_x = copy_x
        self.algorithm = algorithm
        self.bisecting_strategy = bisecting_strategy
        self.metric = metric
        self.normalize_input = normalize_input
        self.normalize_centers = normalize_centers
        self.n_threads = n_threads

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> BisectingKMeans:
        """Compute bisecting k-means clustering.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        self._validate_params()
        X = self._validate_data(X, reset=True)
        n, k = X.shape[0], self.n_clusters
        if n < k:
            raise ValueError(f"n_samples={n} should be >= n_clusters={k}.")
        w, w_scale = rescale_sample_weight(check_sample_weight(sample_weight, n, X.dtype))
        threads = get_num_threads(self.n_threads)
        rng = check_random_state(self.random_state)
        cosine = self._metric() == "cosine"
        report_unit = cosine if self.normalize_centers is None else bool(self.normalize_centers)
        spherical = cosine or report_unit
        Xw = self._prepare(X)
        if not distance_range_ok(_boxed_range_bound((Xw,), threads), X.dtype, float(w.sum())):
            check_distance_range(
                squared_diameter(Xw), X.dtype, float(w.sum()), estimator=type(self).__name__
            )
        # Centering makes the kernel's ‖x‖² − 2x·c + ‖c‖² accurate (as scikit-learn does);
        # unit-norm geometry must not be shifted.
        shift = np.zeros(X.shape[1], dtype=X.dtype) if spherical else _mean(Xw).astype(X.dtype)
        seeder = self._seeder(X.dtype, float(w.sum()), rng) if callable(self.init) else None
        centers, labels, inertia, n_splits, children, tree_centers, tree_labels = (
            _core.bisecting_fit(
                Xw,
                w,
                np.ascontiguousarray(shift),
                k,
                "random" if seeder else self.init,
                int(self.n_init),
                int(self.max_iter),
                float(self.tol),
                self._algorithm(),
                self.bisecting_strategy,
                spherical,
                # A callable gets the generator untouched, as in scikit-learn.
                0 if seeder else draw_seed(rng),
                threads,
                bool(self.verbose),
                seeder,
            )
        )
        centers = centers + shift
        inertia = _unscale(inertia, w_scale)
        if cosine:
            # ‖x̂ − ĉ‖² = 2·(1 − cos) for unit rows; a zero row has cosine distance 1.
            zero = np.einsum("ij,ij->i", Xw, Xw) == 0
            inertia = float(inertia) / 2 + _unscale(float(w[zero].sum()), w_scale) / 2
            if not report_unit:
                centers = _weighted_means(Xw, w, labels, k, centers)
        self._shift = shift
        self._tree_children = children
        self._tree_centers = tree_centers
        self._tree_labels = tree_labels
        self.cluster_centers_ = np.ascontiguousarray(centers, dtype=X.dtype)
        self._n_features_out = k
        self.labels_ = labels
        self.inertia_ = float(inertia)
        self.n_splits_ = int(n_splits)
        return self

    def _algorithm(self) -> str:
        return self.algorithm

    def _seeder(self, dtype: Any, weight_total: float, rng: Any) -> Callable:
        """The callable ``init`` as the core calls it: rows of a leaf in, its two initial
        centers out (checked as :class:`KMeans` checks a callable's centers)."""
        init, name = self.init, type(self).__name__

        def seeder(X_leaf: np.ndarray) -> np.ndarray:
            centers = init(X_leaf, 2, random_state=rng)
            centers = check_array(
                centers, estimator=name, dtype=dtype, input_name="init", copy=True
            )
            self._check_center_shape(X_leaf, centers, n_centers=2)
            check_distance_range(
                squared_diameter(X_leaf, centers), dtype, weight_total, estimator=name
            )
            return np.ascontiguousarray(centers, dtype=dtype)

        return seeder

    def predict(self, X: Any) -> np.ndarray:
        """Leaf of each sample, found by descending the bisection tree from the root as
        scikit-learn does (at each split the closer of the two child centers); on the
        training data this gives ``labels_``."""
        X = self._test_data(X)
        return _core.bisecting_predict(
            self._prepare(X),
            self._shift,
            self._tree_children,
            self._tree_centers,
            self._tree_labels,
            get_num_threads(self.n_threads),
        )


def bisecting_kmeans(X: Any, k: int, *, sample_weight: Any = None, **kwargs: Any) -> dict:
    """Functional bisecting k-means (the seed toolkit's call).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k : int
        Number of clusters.
    sample_weight : array-like of shape (n_samples,), default=None
    **kwargs
        Any :class:`BisectingKMeans` parameter.

    Returns
    -------
    dict with ``centers``, ``labels``, ``inertia`` and ``n_splits``.

    Examples
    --------
    >>> from clustor import bisecting_kmeans
    >>> res = bisecting_kmeans([[0.0], [1.0], [10.0], [11.0]], 2, random_state=0)
    >>> sorted(res["centers"].ravel().tolist()), res["inertia"], res["n_splits"]
    ([0.5, 10.5], 1.0, 1)
    """
    est = BisectingKMeans(n_clusters=k, **kwargs).fit(X, sample_weight=sample_weight)
    return {key: est[key] for key in ("centers", "labels", "inertia", "n_splits")}
