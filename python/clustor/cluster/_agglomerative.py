"""AgglomerativeClustering: scikit-learn's estimator over clustor's SciPy-exact linkage.

The tree is :func:`clustor.hierarchy.linkage` (Rust), the cut is scikit-learn's: the same
``children_``, ``distances_`` and ``labels_`` (numbering included) as
:class:`sklearn.cluster.AgglomerativeClustering` without connectivity. Ward on Euclidean
data and single linkage never build the n×n distance matrix, so they run on large inputs
(ward: O(n·d) memory, O(n²·d) time).
"""

from __future__ import annotations

import heapq
import numbers
from typing import Any, ClassVar

import numpy as np

from .. import _core
from .._base import BaseEstimator, ClusterMixin
from .._threads import get_num_threads
from .._validation import Interval, Options
from ..hierarchy import _check_matrix_fits, _needs_matrix, linkage

__all__ = ["AgglomerativeClustering"]

_LINKAGES = ("ward", "complete", "average", "single")
_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "l1": "cityblock",
    "manhattan": "cityblock",
    "cityblock": "cityblock",
    "cosine": "cosine",
    "chebyshev": "chebyshev",
    "sqeuclidean": "sqeuclidean",
}


def _hc_cut(n_clusters: int, children: np.ndarray, n_leaves: int) -> np.ndarray:
    """scikit-learn's cut: split the highest node ``n_clusters - 1`` times (a heap of
    negated node ids); label ``i`` goes to the leaves under the ``i``-th heap entry."""
    if n_clusters > n_leaves:
        raise ValueError(
            "Cannot extract more clusters than samples: "
            f"{n_clusters} clusters were given for a tree with {n_leaves} leaves."
        )
    nodes = [-(int(max(children[-1])) + 1)]
    for _ in range(n_clusters - 1):
        left, right = children[-nodes[0] - n_leaves]
        heapq.heappush(nodes, -int(left))
        heapq.heappushpop(nodes, -int(right))
    # Label of every node, top-down: a node's children are created before it, so walking
    # the merges from the last one down reaches each node after its parent.
    node_label = np.full(2 * n_leaves - 1, -1, dtype=np.int64)
    for i, node in enumerate(nodes):
        node_label[-node] = i
    for k in range(n_leaves - 2, -1, -1):
        lab = node_label[n_leaves + k]
        if lab >= 0:
            node_label[children[k]] = lab
    return node_label[:n_leaves]


class AgglomerativeClustering(ClusterMixin, BaseEstimator):
    """Agglomerative clustering (scikit-learn's parameters and attributes).

    Parameters
    ----------
    n_clusters : int or None, default=2
        Number of clusters; None when ``distance_threshold`` is set.
    metric : str or callable, default='euclidean'
        'euclidean' ('l2'), 'manhattan' ('l1', 'cityblock'), 'cosine', 'chebyshev',
        'sqeuclidean', 'precomputed' (X is an n×n distance matrix), or a callable returning
        the n×n distance matrix of X. Ward accepts only 'euclidean'/'l2'.
    memory : ignored
        Accepted for compatibility; the tree is not cached (it is fast to recompute).
    connectivity : None
        Only None (unstructured clustering) is supported.
    compute_full_tree : 'auto' or bool, default='auto'
        The full tree is always built (as scikit-learn does without connectivity).
    linkage : {'ward', 'complete', 'average', 'single'}, default='ward'
    distance_threshold : float, default=None
        Merges at a distance ``>= distance_threshold`` are not made; ``n_clusters`` must
        then be None.
    compute_distances : bool, default=False
        Also store ``distances_`` when ``distance_threshold`` is None.
    n_threads : int, default=None
        Threads for the distance computations.

    Attributes
    ----------
    n_clusters_ : int
    labels_ : ndarray of shape (n_samples,), int64
    n_leaves_ : int
    n_connected_components_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has string column names
    children_ : ndarray of shape (n_samples - 1, 2), int64
        Merge ``i`` joins ``children_[i]`` into node ``n_samples + i``.
    distances_ : ndarray of shape (n_samples - 1,)
        Merge distances (only with ``distance_threshold`` or ``compute_distances``).

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import AgglomerativeClustering
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [4, 2], [4, 4], [4, 0]])
    >>> AgglomerativeClustering().fit(X).labels_.tolist()
    [1, 1, 1, 0, 0, 0]
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "metric": [Options(set(_METRICS) | {"precomputed"}), "callable"],
        "connectivity": ["array-like", "callable", None],
        "compute_full_tree": [Options({"auto"}), "boolean"],
        "linkage": [Options(set(_LINKAGES))],
        "distance_threshold": [Interval(numbers.Real, 0, None, closed="left"), None],
        "compute_distances": ["boolean"],
        "n_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }
    _result_keys: ClassVar[dict[str, str]] = {"labels": "labels_", "children": "children_"}

    def __init__(
        self,
        n_clusters: int | None = 2,
        *,
        metric: Any = "euclidean",
        memory: Any = None,
        connectivity: Any = None,
        compute_full_tree: Any = "auto",
        linkage: str = "ward",
        distance_threshold: float | None = None,
        compute_distances: bool = False,
        n_threads: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.metric = metric
        self.memory = memory
        self.connectivity = connectivity
        self.compute_full_tree = compute_full_tree
        self.linkage = linkage
        self.distance_threshold = distance_threshold
        self.compute_distances = compute_distances
        self.n_threads = n_threads

    def fit(self, X: Any, y: Any = None) -> AgglomerativeClustering:
        """Build the tree of X (or of the distances X with ``metric='precomputed'``) and cut it.

        Returns
        -------
        self
        """
        self._validate_params()
        X = self._validate_data(X, reset=True, ensure_min_samples=2)
        if not ((self.n_clusters is None) ^ (self.distance_threshold is None)):
            raise ValueError(
                "Exactly one of n_clusters and distance_threshold has to be set, and the other "
                "needs to be None."
            )
        if self.distance_threshold is not None and not self.compute_full_tree:
            raise ValueError("compute_full_tree must be True if distance_threshold is set.")
        if self.linkage == "ward" and self.metric not in ("euclidean", "l2"):
            raise ValueError(
                f"{self.metric} was provided as metric. Ward can only work with euclidean "
                "distances (i.e. 'euclidean' and 'l2')."
            )
        if self.connectivity is not None:
            raise ValueError(
                "connectivity is not supported by clustor's AgglomerativeClustering; leave it "
                "None (unstructured clustering) or use scikit-learn's estimator."
            )
        n = X.shape[0]
        Z = self._tree(X)
        self.children_ = Z[:, :2].astype(np.int64)
        self.n_connected_components_ = 1
        self.n_leaves_ = n
        if self.distance_threshold is not None or self.compute_distances:
            self.distances_ = Z[:, 2].copy()
        if self.distance_threshold is not None:
            self.n_clusters_ = int(np.count_nonzero(self.distances_ >= self.distance_threshold)) + 1
        else:
            self.n_clusters_ = self.n_clusters
        self.labels_ = _hc_cut(self.n_clusters_, self.children_, n)
        return self

    def _tree(self, X: np.ndarray) -> np.ndarray:
        metric = self.metric
        if callable(metric) or metric == "precomputed":
            D = metric(X) if callable(metric) else X
            D = np.asarray(D, dtype=np.float64)
            if D.ndim != 2 or D.shape[0] != D.shape[1]:
                raise ValueError(f"Distance matrix should be square, got matrix of shape {D.shape}")
            i, j = np.triu_indices(D.shape[0], k=1)
            return linkage(np.ascontiguousarray(D[i, j]), method=self.linkage)
        name = _METRICS[metric]
        if _needs_matrix(self.linkage, name):
            _check_matrix_fits(X.shape[0], self.linkage, name)
        # scikit-learn's own single linkage (for the metrics its DistanceMetric has) keeps
        # each Prim edge's orientation in children_; otherwise it calls SciPy (smaller first).
        min_first = not (
            self.linkage == "single" and name in ("euclidean", "cityblock", "chebyshev")
        )
        return _core.linkage_observations(
            X, self.linkage, name, get_num_threads(self.n_threads), min_first
        )
