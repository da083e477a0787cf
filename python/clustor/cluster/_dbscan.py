"""DBSCAN: scikit-learn's labels, numbering included, without storing neighbourhoods.

The core (``clustor_core::density::dbscan``) counts neighbours with a KD-tree (or a scan, or
in up to 3 features a grid of cells of side about eps/√d), joins core points with a
union-find and gives each border point the cluster scikit-learn's depth-first expansion
gives it, so memory stays O(n) beyond the index where scikit-learn holds every
neighbourhood at once.
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np

from .. import _core
from .._base import BaseEstimator, ClusterMixin
from .._threads import get_num_threads
from .._validation import Interval, Options, check_sample_weight
from ._kmeans import _normalize_rows

__all__ = ["DBSCAN", "dbscan"]

_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "manhattan": "manhattan",
    "l1": "manhattan",
    "cityblock": "manhattan",
    "cosine": "cosine",
    "precomputed": "precomputed",
}


def _check_dbscan_weight(sample_weight: Any, n_samples: int, dtype: Any) -> np.ndarray | None:
    """Weights as a contiguous 1-D array of X's type. Unlike clustor's other estimators,
    negative weights are allowed, as in scikit-learn: a negative weight keeps the points
    around it from being core."""
    if sample_weight is None:
        return None
    return check_sample_weight(sample_weight, n_samples, dtype, allow_negative=True)


class DBSCAN(ClusterMixin, BaseEstimator):
    """Density-based clustering (scikit-learn's parameters, plus the seed toolkit's).

    The labels and core samples are identical to scikit-learn's ``DBSCAN`` on the same
    input, cluster numbering included: a point counts itself, a neighbour satisfies
    ``distance <= eps`` (euclidean distances computed exactly, by differences), clusters are
    numbered in the order scikit-learn's expansion creates them (by their lowest core
    sample), and a border point reachable from several clusters takes the lowest-numbered one.

    Parameters
    ----------
    eps : float, default=0.5
        Neighbourhood radius (> 0).
    min_samples : int, default=5
        Neighbours (the point included), or their total ``sample_weight``, that make a
        core sample.
    metric : {'euclidean', 'manhattan', 'cosine', 'precomputed'}, default='euclidean'
        Also 'l2', 'l1', 'cityblock'; case-insensitive. 'cosine' is ``1 − x·y/(‖x‖‖y‖)``
        (a zero row has distance 1 to every other row). With 'precomputed', X is the square
        matrix of distances; row ``i`` is sample ``i``'s neighbourhood.
    metric_params : None
        Accepted for compatibility with scikit-learn; must be None.
    algorithm : {'auto', 'kd_tree', 'ball_tree', 'brute'}, default='auto'
        Neighbour search: 'auto' uses a grid of cells in up to 3 features (euclidean or
        manhattan, where its cells are small or dense), a KD-tree up to 15 features and a
        scan above; 'ball_tree' builds a ball tree. All give the same results.
    leaf_size : int, default=30
        Rows per tree leaf.
    p : None
        Accepted for compatibility with scikit-learn; must be None.
    n_jobs : int or None, default=None
        Threads; None follows :func:`clustor.set_num_threads`, -1 means all CPUs.
    normalize_input : bool, default=False
        Scale rows to unit norm before clustering (not with 'precomputed').
    verbose : int, default=0
        Print the number of core samples and clusters.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), int64
        Cluster of each sample, -1 for noise.
    core_sample_indices_ : ndarray of shape (n_core_samples,), int64
    components_ : ndarray of shape (n_core_samples, n_features)
        The core samples (rows of X).
    n_clusters_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has string column names

    The seed toolkit's keys read the same results: ``est["labels"]``,
    ``est["core_sample_indices"]``, ``est["n_clusters"]``.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import DBSCAN
    >>> X = np.array([[1, 2], [2, 2], [2, 3], [8, 7], [8, 8], [25, 80]])
    >>> db = DBSCAN(eps=3, min_samples=2).fit(X)
    >>> db.labels_.tolist()
    [0, 0, 0, 1, 1, -1]
    >>> db["n_clusters"]
    2
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "eps": [Interval(numbers.Real, 0.0, None, closed="neither")],
        "min_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "metric": [Options(set(_METRICS), ignore_case=True)],
        "metric_params": [None],
        "algorithm": [Options({"auto", "ball_tree", "kd_tree", "brute"})],
        "leaf_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "p": [None],
        "n_jobs": [Interval(numbers.Integral, -1, None, closed="left"), None],
        "normalize_input": ["boolean"],
        "verbose": ["verbose"],
    }
    _result_keys: ClassVar[dict[str, str]] = {
        "labels": "labels_",
        "core_sample_indices": "core_sample_indices_",
        "n_clusters": "n_clusters_",
    }

    def __init__(
        self,
        eps: float = 0.5,
        *,
        min_samples: int = 5,
        metric: str = "euclidean",
        metric_params: Any = None,
        algorithm: str = "auto",
        leaf_size: int = 30,
        p: Any = None,
        n_jobs: int | None = None,
        normalize_input: bool = False,
        verbose: int = 0,
    ):
        self.eps = eps
        self.min_samples = min_samples
        self.metric = metric
        self.metric_params = metric_params
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.p = p
        self.n_jobs = n_jobs
        self.normalize_input = normalize_input
        self.verbose = verbose

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> DBSCAN:
        """Cluster X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) of
            distances when ``metric='precomputed'``
            float32 data stays float32 (distances are computed in float64).
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in its neighbours' counts; may be negative.

        Returns
        -------
        self
        """
        self._validate_params()
        X = self._validate_data(X, reset=True)
        metric = _METRICS[self.metric.lower()]
        if self.n_jobs == 0:
            raise ValueError("n_jobs == 0 has no meaning; use None, -1 or a positive count.")
        if metric == "precomputed":
            if X.shape[0] != X.shape[1]:
                raise ValueError(
                    f"Precomputed matrix must be square. Input is a {X.shape[0]}x{X.shape[1]} "
                    "matrix."
                )
            if (X < 0).any():
                raise ValueError("Negative values in data passed to precomputed distance matrix.")
            if self.normalize_input:
                raise ValueError(
                    "normalize_input=True cannot be used with metric='precomputed': X holds "
                    "distances, not samples."
                )
        w = _check_dbscan_weight(sample_weight, X.shape[0], X.dtype)
        Xk = _normalize_rows(X) if self.normalize_input else X
        labels, core, n_clusters = _core.dbscan_fit(
            Xk,
            w,
            float(self.eps),
            int(self.min_samples),
            metric,
            self.algorithm,
            int(self.leaf_size),
            get_num_threads(self.n_jobs),
            bool(self.verbose),
        )
        self.core_sample_indices_ = core
        self.components_ = X[core].copy()
        self.labels_ = labels
        self.n_clusters_ = int(n_clusters)
        return self

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit and return the training labels."""
        return self.fit(X, sample_weight=sample_weight).labels_


def dbscan(
    X: Any, eps: float = 0.5, min_samples: int = 5, *, sample_weight: Any = None, **kwargs: Any
) -> tuple[np.ndarray, np.ndarray, int]:
    """Functional DBSCAN (the seed toolkit's call).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    eps : float, default=0.5
    min_samples : int, default=5
    sample_weight : array-like of shape (n_samples,), default=None
    **kwargs
        Any :class:`DBSCAN` parameter.

    Returns
    -------
    labels : ndarray of shape (n_samples,), int64
    core_sample_indices : ndarray, int64
    n_clusters : int

    Examples
    --------
    >>> from clustor import dbscan
    >>> labels, core, n_clusters = dbscan([[0.0], [0.5], [1.0], [9.0]], eps=0.6, min_samples=2)
    >>> labels.tolist(), core.tolist(), n_clusters
    ([0, 0, 0, -1], [0, 1, 2], 1)
    """
    est = DBSCAN(eps=eps, min_samples=min_samples, **kwargs).fit(X, sample_weight=sample_weight)
    return est.labels_, est.core_sample_indices_, est.n_clusters_
