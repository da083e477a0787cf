"""Birch: scikit-learn's CF-tree, built in Rust in flat arrays, and its global step.

The tree (``clustor_core::birch``) is built by scikit-learn's insert rules with its float
arithmetic, so ``subcluster_centers_`` are scikit-learn's (to the last few bits) for the
same data, whether it comes in one ``fit`` or in ``partial_fit`` chunks. Between calls the
tree is kept as a dict of NumPy arrays on the estimator (so it pickles and deep-copies);
``root_`` and ``dummy_leaf_`` give read-only views of it shaped like scikit-learn's nodes.

The global step with an int ``n_clusters`` is clustor's :class:`AgglomerativeClustering`
(ward), whose ward linkage needs no n×n matrix: scikit-learn's runs out of memory on a few
ten thousand subclusters, clustor's does not.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, ClassVar

import numpy as np

from .. import _core
from .._base import BaseEstimator, ClusterMixin, TransformerMixin
from .._threads import get_num_threads
from .._validation import Interval
from ..exceptions import convergence_warning_class
from ._agglomerative import AgglomerativeClustering
from ._kmeans import _kernel_frame

__all__ = ["Birch", "birch"]


class _Clusterer:
    """Parameter constraint: an estimator instance with ``fit_predict``."""

    def accepts(self, v: Any) -> bool:
        return not isinstance(v, type) and callable(getattr(v, "fit_predict", None))

    def __str__(self) -> str:
        return "an instance of a clusterer (with fit_predict)"


class CFSubcluster:
    """Read-only view of one subcluster of a fitted tree (scikit-learn's ``_CFSubcluster``)."""

    def __init__(self, tree: dict[str, np.ndarray], index: int):
        self._tree, self._i = tree, index

    @property
    def n_samples_(self) -> int:
        return int(self._tree["sub_n"][self._i])

    @property
    def linear_sum_(self) -> np.ndarray:
        return self._tree["sub_ls"][self._i]

    @property
    def squared_sum_(self) -> float:
        return self._tree["sub_ss"][self._i]

    @property
    def centroid_(self) -> np.ndarray:
        return self._tree["sub_centroid"][self._i]

    @property
    def sq_norm_(self) -> float:
        return self._tree["sub_sq_norm"][self._i]

    @property
    def child_(self) -> CFNode | None:
        c = int(self._tree["sub_child"][self._i])
        return None if c < 0 else CFNode(self._tree, c)

    @property
    def radius(self) -> float:
        """Root mean squared distance of the samples to the centroid."""
        sq = self.squared_sum_ / self.n_samples_ - self.sq_norm_
        return float(np.sqrt(max(0.0, sq)))


class CFNode:
    """Read-only view of one node of a fitted tree (scikit-learn's ``_CFNode``); node -1 is
    the dummy leaf whose ``next_leaf_`` is the first leaf."""

    def __init__(self, tree: dict[str, np.ndarray], index: int):
        self._tree, self._i = tree, index

    def _range(self) -> range:
        if self._i < 0:
            return range(0)
        ptr = self._tree["node_ptr"]
        return range(int(ptr[self._i]), int(ptr[self._i + 1]))

    @property
    def is_leaf(self) -> bool:
        return self._i < 0 or bool(self._tree["node_is_leaf"][self._i])

    @property
    def subclusters_(self) -> list[CFSubcluster]:
        return [CFSubcluster(self._tree, j) for j in self._range()]

    @property
    def centroids_(self) -> np.ndarray:
        r = self._range()
        return self._tree["sub_centroid"][r.start : r.stop]

    @property
    def squared_norm_(self) -> np.ndarray:
        r = self._range()
        return self._tree["sub_sq_norm"][r.start : r.stop]

    def _link(self, key: str) -> CFNode | None:
        if self._i < 0:
            target = int(self._tree["meta"][1]) if key == "node_next" else -1
        else:
            target = int(self._tree[key][self._i])
        return None if target < 0 else CFNode(self._tree, target)

    @property
    def next_leaf_(self) -> CFNode | None:
        return self._link("node_next")

    @property
    def prev_leaf_(self) -> CFNode | None:
        if self._i >= 0 and self.is_leaf and int(self._tree["node_prev"][self._i]) < 0:
            return CFNode(self._tree, -1)
        return self._link("node_prev")


class Birch(ClusterMixin, TransformerMixin, BaseEstimator):
    """BIRCH clustering (scikit-learn's parameters and results).

    Parameters
    ----------
    threshold : float, default=0.5
        A sample joins the closest leaf subcluster only if the merged subcluster's radius
        stays at most ``threshold``; otherwise it starts a new subcluster.
    branching_factor : int, default=50
        Maximum number of subclusters in a node; a node that would hold more is split.
    n_clusters : int, clusterer instance or None, default=3
        The global step, which clusters the subcluster centers: None keeps the subclusters
        as the clusters; an int runs :class:`AgglomerativeClustering` (ward, no n×n matrix)
        with that many clusters; an estimator with ``fit_predict`` is fitted on the centers.
    compute_labels : bool, default=True
        Whether ``fit`` computes ``labels_``.
    copy : bool, default=True
        Accepted for compatibility; the input is never modified.

    Attributes
    ----------
    subcluster_centers_ : ndarray of shape (n_subclusters, n_features)
        Centroids of the leaf subclusters, in leaf order.
    subcluster_labels_ : ndarray of shape (n_subclusters,), int64
        Global cluster of each subcluster.
    labels_ : ndarray of shape (n_samples,), int64
        Cluster of each sample of the last batch (when ``compute_labels``).
    n_subclusters_ : int
    root_ : CFNode
        Read-only view of the root of the CF-tree.
    dummy_leaf_ : CFNode
        Read-only view of the start of the leaf chain (``dummy_leaf_.next_leaf_``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has string column names

    The seed toolkit's keys read the same results: ``est["centers"]`` (the subcluster
    centers), ``est["labels"]``, ``est["n_subclusters"]``.

    Examples
    --------
    >>> from clustor import Birch
    >>> X = [[0, 1], [0.3, 1], [-0.3, 1], [0, -1], [0.3, -1], [-0.3, -1]]
    >>> brc = Birch(n_clusters=None).fit(X)
    >>> brc.predict(X).tolist()
    [0, 0, 0, 1, 1, 1]
    >>> brc.subcluster_centers_.tolist()
    [[0.0, 1.0], [0.0, -1.0]]
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "threshold": [Interval(numbers.Real, 0.0, None, closed="neither")],
        "branching_factor": [Interval(numbers.Integral, 1, None, closed="neither")],
        "n_clusters": [None, _Clusterer(), Interval(numbers.Integral, 1, None, closed="left")],
        "compute_labels": ["boolean"],
        "copy": ["boolean"],
    }
    _result_keys: ClassVar[dict[str, str]] = {
        "centers": "subcluster_centers_",
        "labels": "labels_",
        "n_subclusters": "n_subclusters_",
    }

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        branching_factor: int = 50,
        n_clusters: Any = 3,
        compute_labels: bool = True,
        copy: bool = True,
    ):
        self.threshold = threshold
        self.branching_factor = branching_factor
        self.n_clusters = n_clusters
        self.compute_labels = compute_labels
        self.copy = copy

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _is_fitted(self) -> bool:
        # labels_ exists only with compute_labels; the subclusters always do.
        return hasattr(self, "subcluster_centers_")

    # -- views of the tree -----------------------------------------------------------------

    @property
    def root_(self) -> CFNode:
        if not hasattr(self, "_tree"):
            raise AttributeError("root_ exists after fit or partial_fit")
        return CFNode(self._tree, int(self._tree["meta"][0]))

    @property
    def dummy_leaf_(self) -> CFNode:
        if not hasattr(self, "_tree"):
            raise AttributeError("dummy_leaf_ exists after fit or partial_fit")
        return CFNode(self._tree, -1)

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None) -> Birch:
        """Build a CF-tree of X (from scratch) and run the global step.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32 data is clustered in float32, anything else in float64.
        y : ignored

        Returns
        -------
        self
        """
        return self._fit(X, partial=False)

    def partial_fit(self, X: Any = None, y: Any = None) -> Birch:
        """Insert X into the tree (starting one on the first call), then run the global
        step; with X None, run only the global step.

        Returns
        -------
        self
        """
        if X is None:
            self._check_fitted()
            self._validate_params()
            self._global_clustering(None)
            return self
        return self._fit(X, partial=True)

    def _fit(self, X: Any, partial: bool) -> Birch:
        self._validate_params()
        first_call = not (partial and hasattr(self, "_tree"))
        tree = None if first_call else self._tree
        dtype = "numeric" if first_call else self.subcluster_centers_.dtype
        X = self._validate_data(X, reset=first_call, dtype=dtype)
        tree, centers = _core.birch_insert(
            X, tree, float(self.threshold), int(self.branching_factor)
        )
        self._tree = tree
        self.subcluster_centers_ = centers
        self.n_subclusters_ = int(centers.shape[0])
        self._n_features_out = self.n_subclusters_
        self._global_clustering(X)
        return self

    def _global_clustering(self, X: np.ndarray | None) -> None:
        centers = self.subcluster_centers_
        m = centers.shape[0]
        clusterer = self.n_clusters
        not_enough = False
        if isinstance(clusterer, numbers.Integral):
            not_enough = m < clusterer
            clusterer = AgglomerativeClustering(n_clusters=int(clusterer))
        if clusterer is None or not_enough:
            labels = np.arange(m, dtype=np.int64)
            if not_enough:
                warnings.warn(
                    f"Number of subclusters found ({m}) by BIRCH is less than "
                    f"({self.n_clusters}). Decrease the threshold.",
                    convergence_warning_class(),
                    stacklevel=3,
                )
        elif m == 1:
            # One subcluster is one cluster (AgglomerativeClustering needs two samples).
            labels = np.zeros(1, dtype=np.int64)
        else:
            labels = np.asarray(clusterer.fit_predict(centers), dtype=np.int64)
        self.subcluster_labels_ = labels
        if X is not None and self.compute_labels:
            self.labels_ = self._predict(X)

    # -- using the fitted tree -------------------------------------------------------------

    def _test_data(self, X: Any) -> np.ndarray:
        self._check_fitted()
        return self._validate_data(X, reset=False, dtype=self.subcluster_centers_.dtype)

    def _nearest_subcluster(self, X: np.ndarray) -> np.ndarray:
        # Exact nearest center through a k-d tree over the centers (tens of thousands of
        # subclusters are common; brute force would dominate the fit).
        return _core.birch_nearest(X, self.subcluster_centers_, get_num_threads())

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return self.subcluster_labels_[self._nearest_subcluster(X)]

    def predict(self, X: Any) -> np.ndarray:
        """Global label of the closest subcluster center of each sample."""
        return self._predict(self._test_data(X))

    def transform(self, X: Any) -> np.ndarray:
        """Euclidean distance of each sample to each subcluster center."""
        X = self._test_data(X)
        return _core.kmeans_transform(
            *_kernel_frame(X, self.subcluster_centers_, 1.0, type(self).__name__),
            get_num_threads(),
        )


def birch(X: Any, **kwargs: Any) -> dict[str, Any]:
    """Functional BIRCH (the seed toolkit's call).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    **kwargs
        Any :class:`Birch` parameter.

    Returns
    -------
    dict with ``centers`` (the subcluster centers), ``labels`` (int64) and
    ``n_subclusters`` (int).

    Examples
    --------
    >>> from clustor import birch
    >>> res = birch([[0.0], [0.1], [5.0], [5.1]], n_clusters=None)
    >>> res["labels"].tolist(), res["n_subclusters"]
    ([0, 0, 1, 1], 2)
    """
    est = Birch(**kwargs).fit(X)
    return {key: getattr(est, attr) for key, attr in est._result_keys.items()}
