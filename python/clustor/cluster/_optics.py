"""OPTICS: the cluster ordering in Rust, with scikit-learn's results to the last bit.

The ordering loop, the neighbour searches and the ξ extraction run in the Rust core
(``clustor_core::density::optics``); they reproduce scikit-learn's ``compute_optics_graph``
and ``cluster_optics_xi``: the same ordering (ties broken towards the lowest index), the same
core and reachability distances (rounded to 15 decimals as scikit-learn rounds them), the
same predecessors, hierarchy and labels.
"""

from __future__ import annotations

import numbers
import warnings
from abc import ABCMeta
from typing import Any, ClassVar

import numpy as np

from .. import _core
from .._base import BaseEstimator, ClusterMixin
from .._threads import get_num_threads
from .._validation import Interval, Options, validate_params
from ._kmeans import _normalize_rows

__all__ = ["OPTICS", "cluster_optics_dbscan", "cluster_optics_xi", "optics"]

# Accepted names → the core's metric. 'minkowski' carries ``p`` (p = 1, 2, ∞ run as
# manhattan, euclidean, chebyshev, as in scikit-learn). scikit-learn computes 'euclidean',
# 'l2' and 'cosine' differently from 'minkowski': through BLAS (‖x‖² − 2x·y + ‖y‖², 1 − x̂·ŷ);
# the core's '_blas' metrics reproduce those values bit for bit, from the row norms (or unit
# rows) that NumPy computes here exactly as scikit-learn does.
_METRICS = {
    "minkowski": "minkowski",
    "euclidean": "euclidean_blas",
    "l2": "euclidean_blas",
    "manhattan": "manhattan",
    "cityblock": "manhattan",
    "l1": "manhattan",
    "chebyshev": "chebyshev",
    "cosine": "cosine_blas",
}


def _blas_inputs(X: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray | None]:
    """X (float64, as scikit-learn converts it) and the squared row norms for the core's
    BLAS metrics: ``einsum`` norms for 'euclidean' (``euclidean_distances``), unit rows for
    'cosine' (``normalize``: rows of norm < 10·eps are left as they are)."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    if metric == "euclidean_blas":
        return X, np.einsum("ij,ij->i", X, X)
    norms = np.sqrt(np.einsum("ij,ij->i", X, X))
    norms[norms < 10 * np.finfo(np.float64).eps] = 1.0
    return X / norms[:, None], None


class _RealNotInt(numbers.Real, metaclass=ABCMeta):
    """Real numbers that are not integers (scikit-learn's ``RealNotInt``): a float fraction
    such as ``min_samples=0.1``, as opposed to an absolute count."""


_RealNotInt.register(float)
_RealNotInt.register(np.floating)

_MIN_SAMPLES = [
    Interval(numbers.Integral, 2, None, closed="left"),
    Interval(_RealNotInt, 0, 1, closed="both"),
]


def _validate_size(size: float, n_samples: int, name: str) -> None:
    if size > n_samples:
        raise ValueError(
            f"{name} must be no greater than the number of samples ({n_samples}). Got {size}"
        )


def _absolute(size: float, n_samples: int) -> int:
    """An absolute count from ``size``: itself when > 1, else that fraction of the samples,
    at least 2 (scikit-learn's rule)."""
    if size <= 1:
        return max(2, int(size * n_samples))
    return int(size)


def _as_1d(a: Any, name: str, dtype: Any) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if dtype is np.int64 and arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=dtype)


def _check_graph_arrays(ordering: Any, n: int) -> np.ndarray:
    ordering = _as_1d(ordering, "ordering", np.int64)
    if len(ordering) != n:
        raise ValueError(
            f"ordering has {len(ordering)} entries but reachability has {n}; pass the arrays "
            "of one OPTICS fit"
        )
    return ordering


def cluster_optics_dbscan(
    *, reachability: Any, core_distances: Any, ordering: Any, eps: float
) -> np.ndarray:
    """DBSCAN-like labels from an OPTICS ordering for any ``eps`` ≤ ``max_eps``
    (scikit-learn's :func:`sklearn.cluster.cluster_optics_dbscan`).

    A point starts a new cluster when its reachability exceeds ``eps`` and its core distance
    does not; it is noise when both exceed ``eps``; otherwise it joins the current cluster.

    Parameters
    ----------
    reachability, core_distances : array-like of shape (n_samples,)
        ``reachability_`` and ``core_distances_`` of an OPTICS fit.
    ordering : array-like of shape (n_samples,)
        ``ordering_`` of the same fit.
    eps : float
        Radius, ≥ 0.

    Returns
    -------
    labels : ndarray of shape (n_samples,), int64

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import compute_optics_graph, cluster_optics_dbscan
    >>> X = np.array([[1, 2], [2, 5], [3, 6], [8, 7], [8, 8], [7, 3]])
    >>> ordering, core, reach, pred = compute_optics_graph(X, min_samples=2)
    >>> cluster_optics_dbscan(
    ...     reachability=reach, core_distances=core, ordering=ordering, eps=4.5
    ... ).tolist()
    [0, 0, 0, 1, 1, 1]
    """
    validate_params(
        "cluster_optics_dbscan", {"eps": eps}, {"eps": [Interval(numbers.Real, 0, None)]}
    )
    reachability = _as_1d(reachability, "reachability", np.float64)
    core_distances = _as_1d(core_distances, "core_distances", np.float64)
    n = len(core_distances)
    if len(reachability) != n:
        raise ValueError(f"reachability has {len(reachability)} entries but core_distances has {n}")
    ordering = _check_graph_arrays(ordering, n)
    labels = np.zeros(n, dtype=np.int64)
    far_reach = reachability > eps
    near_core = core_distances <= eps
    labels[ordering] = np.cumsum(far_reach[ordering] & near_core[ordering]) - 1
    labels[far_reach & ~near_core] = -1
    return labels


def cluster_optics_xi(
    *,
    reachability: Any,
    predecessor: Any,
    ordering: Any,
    min_samples: float,
    min_cluster_size: float | None = None,
    xi: float = 0.05,
    predecessor_correction: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Clusters by the ξ-steep method (scikit-learn's :func:`sklearn.cluster.cluster_optics_xi`).

    Parameters
    ----------
    reachability, predecessor, ordering : array-like of shape (n_samples,)
        ``reachability_``, ``predecessor_`` and ``ordering_`` of an OPTICS fit.
    min_samples : int > 1 or float in [0, 1]
        As given to OPTICS; a fraction means ``max(2, int(min_samples * n_samples))``.
        Steep regions may hold at most this many consecutive non-steep points.
    min_cluster_size : int > 1, float in (0, 1] or None, default=None
        Smallest cluster (None: ``min_samples``).
    xi : float in [0, 1], default=0.05
        Minimum steepness of a cluster boundary in the reachability plot.
    predecessor_correction : bool, default=True
        Trim clusters whose last points were reached from outside them.

    Returns
    -------
    labels : ndarray of shape (n_samples,), int64
        Noise (and points in no leaf cluster) are -1.
    clusters : ndarray of shape (n_clusters, 2), int64
        ``[start, end]`` (inclusive) positions in ``ordering``, smaller nested clusters
        before the larger ones that hold them. Shape (0, 2) when there is none (scikit-learn
        returns an empty 1-D array then).

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import compute_optics_graph, cluster_optics_xi
    >>> X = np.array([[1, 2], [2, 5], [3, 6], [8, 7], [8, 8], [7, 3]])
    >>> ordering, core, reach, pred = compute_optics_graph(X, min_samples=2)
    >>> labels, clusters = cluster_optics_xi(
    ...     reachability=reach, predecessor=pred, ordering=ordering, min_samples=2
    ... )
    >>> labels.tolist(), clusters.tolist()
    ([0, 0, 0, 1, 1, 1], [[0, 2], [3, 5], [0, 5]])
    """
    validate_params(
        "cluster_optics_xi",
        {
            "min_samples": min_samples,
            "min_cluster_size": min_cluster_size,
            "xi": xi,
            "predecessor_correction": predecessor_correction,
        },
        {
            "min_samples": _MIN_SAMPLES,
            "min_cluster_size": [*_MIN_SAMPLES, None],
            "xi": [Interval(numbers.Real, 0, 1, closed="both")],
            "predecessor_correction": ["boolean"],
        },
    )
    reachability = _as_1d(reachability, "reachability", np.float64)
    n = len(reachability)
    if np.isnan(reachability).any():
        raise ValueError("reachability contains NaN; pass the reachability_ of an OPTICS fit")
    predecessor = _as_1d(predecessor, "predecessor", np.int64)
    if len(predecessor) != n:
        raise ValueError(f"predecessor has {len(predecessor)} entries but reachability has {n}")
    ordering = _check_graph_arrays(ordering, n)
    if np.any((ordering < 0) | (ordering >= n)) or len(np.unique(ordering)) != n:
        raise ValueError("ordering must be a permutation of 0..n_samples-1 (an OPTICS ordering_)")
    _validate_size(min_samples, n, "min_samples")
    ms = _absolute(min_samples, n)
    if min_cluster_size is None:
        min_cluster_size = ms
    _validate_size(min_cluster_size, n, "min_cluster_size")
    mcs = _absolute(min_cluster_size, n)
    return _core.optics_xi(
        np.ascontiguousarray(reachability[ordering]),
        np.ascontiguousarray(predecessor[ordering]),
        ordering,
        float(xi),
        ms,
        mcs,
        bool(predecessor_correction),
    )


class OPTICS(ClusterMixin, BaseEstimator):
    """OPTICS clustering (scikit-learn's parameters and results, plus the seed toolkit's).

    Orders the points so that spatially closest ones are neighbours in the ordering, records
    each point's reachability distance, and extracts clusters by the ξ-steep method or at a
    DBSCAN radius. Results are identical to scikit-learn's (ordering, predecessors, labels
    exactly; distances to rounding), ties included.

    Parameters
    ----------
    min_samples : int > 1 or float in [0, 1], default=5
        Neighbours (the point itself included) that make a point core; a fraction means
        ``max(2, int(min_samples * n_samples))``.
    max_eps : float, default=np.inf
        Largest neighbourhood radius; smaller values run faster (with +∞, every step scans
        all unprocessed points, as OPTICS must).
    metric : str, default='minkowski'
        'minkowski' (with ``p``), 'euclidean'/'l2', 'manhattan'/'cityblock'/'l1',
        'chebyshev' or 'cosine' (``1 − cos``; a zero row is at distance 1 from every other
        row). Case-insensitive.
    p : float >= 1, default=2
        Power of the Minkowski metric (1: manhattan, 2: euclidean, ∞: chebyshev).
    cluster_method : {'xi', 'dbscan'}, default='xi'
    eps : float or None, default=None
        Radius of the 'dbscan' extraction (None: ``max_eps``); must not exceed ``max_eps``.
    xi : float in [0, 1], default=0.05
        Minimum steepness of a cluster boundary ('xi' extraction).
    predecessor_correction : bool, default=True
        Correct clusters by the predecessors ('xi' extraction).
    min_cluster_size : int > 1, float in (0, 1] or None, default=None
        Smallest 'xi' cluster (None: ``min_samples``).
    algorithm : {'auto', 'brute', 'kd_tree', 'ball_tree'}, default='auto'
        Neighbour search. Results do not depend on it, except as they do in
        scikit-learn for 'euclidean' (exact core distances with a tree, BLAS ones by brute
        force, as scikit-learn's 'auto' picks them: brute above 15 features). With a tree,
        scikit-learn's BLAS call lists the neighbours in its tree's order, which decides
        some last bits from 8 features on: clustor rebuilds that order (the same for its
        KD-tree and ball tree, for ``leaf_size``). 'minkowski' is exact and identical with
        every algorithm.

        For 'euclidean'/'l2' and 'cosine', clustor reproduces the accumulation orders of
        OpenBLAS's Haswell/Zen kernels (NumPy's and SciPy's wheels on x86-64 with AVX2 and no
        AVX-512) for up to 64 features. With another BLAS, another kernel or more features,
        scikit-learn's last bits differ, and near-ties can order differently; the results
        are still OPTICS to rounding. 'minkowski' (the default) is identical everywhere.
    leaf_size : int, default=30
        Leaf size of the tree indexes.
    normalize_input : bool, default=False
        Scale rows to unit norm first (the seed toolkit's option).
    n_threads : int or None, default=None
        Threads; None follows :func:`clustor.set_num_threads`.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), int64
    reachability_ : ndarray of shape (n_samples,), float64
        Reachability distance of each sample (indexed by sample; +∞ for seeds).
    ordering_ : ndarray of shape (n_samples,), int64
    core_distances_ : ndarray of shape (n_samples,), float64
        +∞ for points that are never core.
    predecessor_ : ndarray of shape (n_samples,), int64
        -1 for seeds.
    cluster_hierarchy_ : ndarray of shape (n_clusters, 2), int64
        ``[start, end]`` positions in ``ordering_`` ('xi' only).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has string column names

    Distances are float64 whatever X's type: like scikit-learn, distances are computed in
    float64 (from float32 values, exactly converted), which keeps float32 and float64 input
    of the same values on the same ordering.

    The seed toolkit's keys read the results: ``est["ordering"]``, ``est["reachability"]``,
    ``est["core_distances"]``, ``est["predecessor"]``, ``est["labels"]``.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import OPTICS
    >>> X = np.array([[1, 2], [2, 5], [3, 6], [8, 7], [8, 8], [7, 3]])
    >>> clust = OPTICS(min_samples=2).fit(X)
    >>> clust.labels_.tolist()
    [0, 0, 0, 1, 1, 1]
    >>> clust["ordering"].tolist()
    [0, 1, 2, 5, 3, 4]
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "min_samples": _MIN_SAMPLES,
        "max_eps": [Interval(numbers.Real, 0, None, closed="both")],
        "metric": [Options(set(_METRICS), ignore_case=True)],
        "p": [Interval(numbers.Real, 1, None, closed="left")],
        "cluster_method": [Options({"dbscan", "xi"})],
        "eps": [Interval(numbers.Real, 0, None, closed="both"), None],
        "xi": [Interval(numbers.Real, 0, 1, closed="both")],
        "predecessor_correction": ["boolean"],
        "min_cluster_size": [
            Interval(numbers.Integral, 2, None, closed="left"),
            Interval(_RealNotInt, 0, 1, closed="right"),
            None,
        ],
        "algorithm": [Options({"auto", "brute", "ball_tree", "kd_tree"})],
        "leaf_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "normalize_input": ["boolean"],
        "n_threads": [Interval(numbers.Integral, -1, None, closed="left"), None],
    }
    _result_keys: ClassVar[dict[str, str]] = {
        "ordering": "ordering_",
        "reachability": "reachability_",
        "core_distances": "core_distances_",
        "predecessor": "predecessor_",
        "labels": "labels_",
    }

    def __init__(
        self,
        *,
        min_samples: float = 5,
        max_eps: float = np.inf,
        metric: str = "minkowski",
        p: float = 2,
        cluster_method: str = "xi",
        eps: float | None = None,
        xi: float = 0.05,
        predecessor_correction: bool = True,
        min_cluster_size: float | None = None,
        algorithm: str = "auto",
        leaf_size: int = 30,
        normalize_input: bool = False,
        n_threads: int | None = None,
    ):
        self.min_samples = min_samples
        self.max_eps = max_eps
        self.metric = metric
        self.p = p
        self.cluster_method = cluster_method
        self.eps = eps
        self.xi = xi
        self.predecessor_correction = predecessor_correction
        self.min_cluster_size = min_cluster_size
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.normalize_input = normalize_input
        self.n_threads = n_threads

    def fit(self, X: Any, y: Any = None) -> OPTICS:
        """Compute the OPTICS ordering and extract clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        X = self._validate_data(X, reset=True)
        eps = None
        if self.cluster_method == "dbscan":
            eps = self.max_eps if self.eps is None else self.eps
            if eps > self.max_eps:
                raise ValueError(f"Specify an epsilon smaller than {self.max_eps}. Got {eps}.")
        if self.normalize_input:
            X = _normalize_rows(X)
        ordering, core, reach, pred = compute_optics_graph(
            X,
            min_samples=self.min_samples,
            max_eps=self.max_eps,
            metric=self.metric,
            p=self.p,
            algorithm=self.algorithm,
            leaf_size=self.leaf_size,
            n_threads=self.n_threads,
            _validated=True,
        )
        if self.cluster_method == "xi":
            labels, clusters = cluster_optics_xi(
                reachability=reach,
                predecessor=pred,
                ordering=ordering,
                min_samples=self.min_samples,
                min_cluster_size=self.min_cluster_size,
                xi=self.xi,
                predecessor_correction=self.predecessor_correction,
            )
            self.cluster_hierarchy_ = clusters
        else:
            labels = cluster_optics_dbscan(
                reachability=reach, core_distances=core, ordering=ordering, eps=eps
            )
        self.ordering_ = ordering
        self.core_distances_ = core
        self.reachability_ = reach
        self.predecessor_ = pred
        self.labels_ = labels
        return self


def compute_optics_graph(
    X: Any,
    *,
    min_samples: float = 5,
    max_eps: float = np.inf,
    metric: str = "minkowski",
    p: float = 2,
    algorithm: str = "auto",
    leaf_size: int = 30,
    n_threads: int | None = None,
    _validated: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The OPTICS reachability graph (scikit-learn's :func:`sklearn.cluster.compute_optics_graph`).

    Parameters are those of :class:`OPTICS`.

    Returns
    -------
    ordering : ndarray of shape (n_samples,), int64
    core_distances : ndarray of shape (n_samples,), float64
    reachability : ndarray of shape (n_samples,), float64
    predecessor : ndarray of shape (n_samples,), int64

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import compute_optics_graph
    >>> X = np.array([[1, 2], [2, 5], [3, 6], [8, 7], [8, 8], [7, 3]])
    >>> ordering, core, reach, pred = compute_optics_graph(X, min_samples=2)
    >>> ordering.tolist(), pred.tolist()
    ([0, 1, 2, 5, 3, 4], [-1, 0, 1, 5, 3, 2])
    >>> np.round(reach, 2).tolist()
    [inf, 3.16, 1.41, 4.12, 1.0, 5.0]
    """
    if not _validated:
        est = OPTICS(
            min_samples=min_samples,
            max_eps=max_eps,
            metric=metric,
            p=p,
            algorithm=algorithm,
            leaf_size=leaf_size,
            n_threads=n_threads,
        )
        validate_params("compute_optics_graph", est.get_params(), est._parameter_constraints)
        X = est._validate_data(X, reset=True)
    n = X.shape[0]
    _validate_size(min_samples, n, "min_samples")
    ms = _absolute(min_samples, n)
    core_metric = _METRICS[metric.lower()]
    sq_norms = None
    if core_metric.endswith("_blas"):
        X, sq_norms = _blas_inputs(X, core_metric)
    ordering, core, reach, pred = _core.optics_graph(
        X,
        ms,
        float(max_eps),
        core_metric,
        float(p),
        algorithm,
        int(leaf_size),
        get_num_threads(n_threads),
        sq_norms,
    )
    if np.all(np.isinf(reach)):
        warnings.warn(
            "All reachability values are inf. Set a larger max_eps or all data will be "
            "considered outliers.",
            UserWarning,
            stacklevel=3,
        )
    return ordering, core, reach, pred


def optics(X: Any, min_samples: float = 5, max_eps: float = np.inf, **kwargs: Any) -> dict:
    """Functional OPTICS (the seed toolkit's call).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    min_samples : int > 1 or float in [0, 1], default=5
    max_eps : float, default=np.inf
    **kwargs
        Any other :class:`OPTICS` parameter.

    Returns
    -------
    dict
        ``ordering``, ``reachability``, ``core_distances``, ``predecessor``; plus ``labels``
        (and ``cluster_hierarchy`` for 'xi') when ``cluster_method`` is given.

    Examples
    --------
    >>> from clustor import optics
    >>> res = optics([[0.0], [1.0], [3.0], [10.0]], min_samples=2)
    >>> res["ordering"].tolist(), res["reachability"].tolist()
    ([0, 1, 2, 3], [inf, 1.0, 2.0, 7.0])
    >>> sorted(optics([[0.0], [1.0], [9.0]], min_samples=2, cluster_method="dbscan", eps=2))
    ['core_distances', 'labels', 'ordering', 'predecessor', 'reachability']
    """
    est = OPTICS(min_samples=min_samples, max_eps=max_eps, **kwargs).fit(X)
    out = {
        "ordering": est.ordering_,
        "reachability": est.reachability_,
        "core_distances": est.core_distances_,
        "predecessor": est.predecessor_,
    }
    if "cluster_method" in kwargs:
        out["labels"] = est.labels_
        if hasattr(est, "cluster_hierarchy_"):
            out["cluster_hierarchy"] = est.cluster_hierarchy_
    return out
