"""Neighbour search: k-nearest and radius queries (KD-tree or blocked scan, in Rust).

:class:`NearestNeighbors` follows scikit-learn's class of the same name for the euclidean,
manhattan and cosine metrics. Distances are computed in float64 by differences (exact at the
``radius`` boundary, as scikit-learn's trees); k-nearest ties go to the lowest index. The
fitted state is the training array itself; the index is rebuilt per query call (building it
costs a small share of a query pass).
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np

from . import _core
from ._base import BaseEstimator
from ._threads import get_num_threads
from ._validation import Interval, Options

__all__ = ["NearestNeighbors"]

_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "manhattan": "manhattan",
    "l1": "manhattan",
    "cityblock": "manhattan",
    "cosine": "cosine",
}


class NearestNeighbors(BaseEstimator):
    """Unsupervised neighbour queries (scikit-learn's ``NearestNeighbors`` subset).

    Parameters
    ----------
    n_neighbors : int, default=5
    radius : float, default=1.0
    algorithm : {'auto', 'kd_tree', 'ball_tree', 'brute'}, default='auto'
        'auto' builds a KD-tree up to 15 features and scans above; 'ball_tree' builds a
        ball tree. All give the same neighbours (points at exactly the radius included).
    leaf_size : int, default=30
    metric : {'euclidean', 'manhattan', 'cosine'}, default='euclidean'
    n_jobs : int or None, default=None
        Threads; None follows :func:`clustor.set_num_threads`.

    Examples
    --------
    >>> from clustor.neighbors import NearestNeighbors
    >>> nn = NearestNeighbors(n_neighbors=2).fit([[0.0], [1.0], [3.0]])
    >>> dist, ind = nn.kneighbors([[0.9]])
    >>> ind.tolist(), dist.round(2).tolist()
    ([[1, 0]], [[0.1, 0.9]])
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "radius": [Interval(numbers.Real, 0, None, closed="left")],
        "algorithm": [Options({"auto", "ball_tree", "kd_tree", "brute"})],
        "leaf_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "metric": [Options(set(_METRICS), ignore_case=True)],
        "n_jobs": [Interval(numbers.Integral, -1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        n_neighbors: int = 5,
        radius: float = 1.0,
        algorithm: str = "auto",
        leaf_size: int = 30,
        metric: str = "euclidean",
        n_jobs: int | None = None,
    ):
        self.n_neighbors = n_neighbors
        self.radius = radius
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.metric = metric
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None) -> NearestNeighbors:
        """Store the training samples."""
        self._validate_params()
        if self.n_jobs == 0:
            raise ValueError("n_jobs == 0 has no meaning; use None, -1 or a positive count.")
        self._fit_X = self._validate_data(X, reset=True)
        self.n_samples_fit_ = self._fit_X.shape[0]
        self.effective_metric_ = _METRICS[self.metric.lower()]
        return self

    def _is_fitted(self) -> bool:
        return hasattr(self, "n_samples_fit_")

    def _args(self) -> tuple[str, str, int, int]:
        return (
            self.effective_metric_,
            self.algorithm,
            int(self.leaf_size),
            get_num_threads(self.n_jobs),
        )

    def _queries(self, X: Any) -> np.ndarray | None:
        self._check_fitted()
        if X is None:
            return None
        return self._validate_data(X, reset=False, dtype=self._fit_X.dtype)

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> Any:
        """The ``n_neighbors`` nearest training samples of each query, sorted by distance
        (ties by lowest index). With ``X=None`` the queries are the training samples and a
        sample is not its own neighbour (as scikit-learn).

        Returns ``(distances, indices)``, each (n_queries, n_neighbors), or the indices only.
        """
        Q = self._queries(X)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"Expected n_neighbors > 0. Got {k!r}")
        k_query = k + 1 if Q is None else k
        if k_query > self.n_samples_fit_:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k_query}, "
                f"n_samples_fit = {self.n_samples_fit_}, n_samples = "
                f"{self.n_samples_fit_ if Q is None else Q.shape[0]}"
            )
        dist, ind = _core.neighbors_kneighbors(self._fit_X, Q, int(k_query), *self._args())
        if Q is None:
            # The core puts each training sample first among its own neighbours.
            dist, ind = dist[:, 1:], ind[:, 1:]
        return (dist, ind) if return_distance else ind

    def radius_neighbors(
        self,
        X: Any = None,
        radius: float | None = None,
        return_distance: bool = True,
        sort_results: bool = False,
    ) -> Any:
        """Training samples within ``radius`` (``distance <= radius``) of each query, as
        object arrays of arrays; sorted by distance when ``sort_results``, else by index.
        With ``X=None`` a sample is not its own neighbour."""
        Q = self._queries(X)
        r = self.radius if radius is None else radius
        if not isinstance(r, numbers.Real) or not r >= 0:
            raise ValueError(f"radius must be a non-negative number, got {r!r}")
        if sort_results and not return_distance:
            raise ValueError("return_distance must be True if sort_results is True.")
        offsets, ind, dist = _core.neighbors_radius(
            self._fit_X, Q, float(r), bool(sort_results), *self._args()
        )
        if Q is None:
            own = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
            keep = ind != own
            ind, dist = ind[keep], dist[keep]
            # Every neighbourhood holds its own sample, so no segment is empty.
            kept = np.add.reduceat(keep.astype(np.int64), offsets[:-1])
            offsets = np.concatenate([[0], np.cumsum(kept)])
        neigh_ind = np.empty(len(offsets) - 1, dtype=object)
        neigh_dist = np.empty(len(offsets) - 1, dtype=object)
        for i in range(len(offsets) - 1):
            neigh_ind[i] = ind[offsets[i] : offsets[i + 1]]
            neigh_dist[i] = dist[offsets[i] : offsets[i + 1]]
        return (neigh_dist, neigh_ind) if return_distance else neigh_ind
