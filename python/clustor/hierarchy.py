"""Hierarchical clustering with SciPy's linkage matrix, computed in Rust.

:func:`linkage` returns exactly what :func:`scipy.cluster.hierarchy.linkage` returns (same
merges in the same order, same cluster ids and counts, distances equal to rounding) for the
methods ``single``, ``complete``, ``average``, ``weighted``, ``ward``, ``centroid`` and
``median`` and the metrics ``euclidean``, ``sqeuclidean``, ``cosine``, ``cityblock``
(``manhattan``) and ``chebyshev``, on observations or on a condensed distance vector.

Single linkage (any metric), and ward, centroid and median with the Euclidean metric on
observations, never build the ``n(n-1)/2`` distance matrix: they need O(n·d) memory. The
other combinations need that matrix; when it cannot fit in memory the call is refused up
front with a :class:`MemoryError` that says how much it needs.

Cuts and helpers: :func:`fcluster` (``maxclust`` and ``distance`` criteria, SciPy's
numbering), :func:`leaves_list`, :func:`cophenet` (condensed cophenetic distances), and the
seed toolkit's :func:`hac_dendrogram`.
"""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from . import _core
from ._threads import get_num_threads
from ._validation import check_array

__all__ = ["cophenet", "fcluster", "hac_dendrogram", "leaves_list", "linkage"]

METHODS = ("single", "complete", "average", "weighted", "ward", "centroid", "median")
_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "sqeuclidean": "sqeuclidean",
    "cosine": "cosine",
    "cityblock": "cityblock",
    "manhattan": "cityblock",
    "l1": "cityblock",
    "chebyshev": "chebyshev",
}
_MATRIX_FREE_ADVICE = (
    "method='single' (any metric), or method='ward', 'centroid' or 'median' with "
    "metric='euclidean' on observations, never build this matrix (O(n*d) memory)"
)


def _available_memory() -> int | None:
    """Bytes of memory available to this process (MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _needs_matrix(method: str, metric: str) -> bool:
    if method == "single":
        return False
    return not (method in ("ward", "centroid", "median") and metric == "euclidean")


def _check_matrix_fits(n: int, method: str, metric: str, copies: int = 1) -> None:
    """MemoryError, before any work, when the condensed matrix cannot fit in memory."""
    need = copies * (n * (n - 1) // 2) * 8
    avail = _available_memory()
    if avail is not None and need > avail:
        raise MemoryError(
            f"linkage(method={method!r}, metric={metric!r}) on {n} observations needs the "
            f"condensed distance matrix of n(n-1)/2 = {n * (n - 1) // 2} float64 values: "
            f"{need / 2**30:.1f} GiB, more than the {avail / 2**30:.1f} GiB of memory "
            f"available. {_MATRIX_FREE_ADVICE}."
        )


def _check_method_metric(method: Any, metric: Any) -> tuple[str, str]:
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"Invalid method: {method!r}; use one of {', '.join(METHODS)}.")
    if not isinstance(metric, str) or metric.lower() not in _METRICS:
        raise ValueError(
            f"Unsupported metric {metric!r}; use one of {', '.join(sorted(_METRICS))}."
        )
    return method, _METRICS[metric.lower()]


def _condensed_n(m: int) -> int:
    n = int(np.ceil(np.sqrt(m * 2)))
    if n * (n - 1) // 2 != m:
        raise ValueError(
            f"The condensed distance matrix must have n(n-1)/2 entries for some n; got {m} entries."
        )
    return n


def linkage(
    y: Any,
    method: str = "single",
    metric: str = "euclidean",
    optimal_ordering: bool = False,
    *,
    n_threads: int | None = None,
) -> np.ndarray:
    """Hierarchical clustering, as :func:`scipy.cluster.hierarchy.linkage`.

    Parameters
    ----------
    y : ndarray
        A condensed distance vector (1-D, ``n(n-1)/2`` values, as from
        ``scipy.spatial.distance.pdist``) or observations (2-D, n×d). float32 and float64 are
        read as they are; distances are computed and merged in float64.
    method : {'single', 'complete', 'average', 'weighted', 'ward', 'centroid', 'median'}
    metric : {'euclidean', 'sqeuclidean', 'cosine', 'cityblock', 'manhattan', 'chebyshev'}
        Distance between observations (ignored for a condensed vector). The cosine distance
        of a zero vector to any vector is defined as 1.
    optimal_ordering : False
        Only False is supported.
    n_threads : int, default=None
        Threads for the distance computations (None: clustor's setting).

    Returns
    -------
    Z : ndarray of shape (n - 1, 4), float64
        Row ``i`` merges clusters ``Z[i, 0] < Z[i, 1]`` at distance ``Z[i, 2]`` into cluster
        ``n + i`` of ``Z[i, 3]`` observations.

    Raises
    ------
    MemoryError
        When the method/metric needs the condensed distance matrix and it cannot fit.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor.hierarchy import linkage
    >>> linkage(np.array([[0.0], [1.0], [3.0], [7.0]]), "single")
    array([[0., 1., 1., 2.],
           [2., 4., 2., 3.],
           [3., 5., 4., 4.]])
    """
    method, metric_name = _check_method_metric(method, metric)
    if optimal_ordering:
        raise ValueError("optimal_ordering=True is not supported by clustor; use SciPy.")
    arr = np.asarray(y) if not hasattr(y, "to_numpy") else y.to_numpy()
    if arr.ndim == 1:
        yv = check_array(
            arr[None, :],
            estimator="linkage",
            input_name="y",
            ensure_min_samples=1,
            ensure_min_features=0,
        )[0]
        n = _condensed_n(yv.shape[0])
        if n < 2:
            raise ValueError(
                "linkage needs at least 2 observations, got a distance vector of 0 entries."
            )
        if method in ("centroid", "median", "ward") and np.any(yv < 0):
            raise ValueError("The condensed distance matrix must contain only non-negative values.")
        _check_matrix_fits(n, method, metric_name, copies=2 if yv.dtype == np.float64 else 3)
        return _core.linkage_condensed(np.ascontiguousarray(yv), n, method)
    if method in ("ward", "centroid", "median") and metric_name != "euclidean":
        raise ValueError(f"`method={method}` requires the distance metric to be Euclidean")
    X = check_array(arr, estimator="linkage", input_name="y", ensure_min_samples=2)
    n = X.shape[0]
    if _needs_matrix(method, metric_name):
        _check_matrix_fits(n, method, metric_name)
    return _core.linkage_observations(X, method, metric_name, get_num_threads(n_threads))


def hac_dendrogram(X: Any, *, method: str = "average", metric: str = "euclidean") -> np.ndarray:
    """The seed toolkit's name: SciPy-style linkage matrix of the observations ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import hac_dendrogram
    >>> hac_dendrogram(np.array([[0.0], [1.0], [3.0]])).shape
    (2, 4)
    """
    return linkage(X, method=method, metric=metric)


def _check_linkage(Z: Any) -> np.ndarray:
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[1] != 4 or Z.shape[0] < 1:
        raise ValueError(f"Linkage matrix must have shape (n-1, 4) with n >= 2; got {Z.shape}.")
    n = Z.shape[0] + 1
    ids = Z[:, :2]
    if (ids < 0).any() or (ids != np.floor(ids)).any():
        raise ValueError("Linkage matrix has negative or non-integer cluster ids.")
    if (ids >= n + np.arange(n - 1)[:, None]).any():
        raise ValueError("Linkage matrix uses a cluster id before the row that forms it.")
    return Z


def _children(Z: np.ndarray) -> np.ndarray:
    return Z[:, :2].astype(np.int64)


def leaves_list(Z: Any) -> np.ndarray:
    """Leaf ids in the left-to-right order of the dendrogram (as SciPy's ``leaves_list``).

    Examples
    --------
    >>> import numpy as np
    >>> from clustor.hierarchy import leaves_list, linkage
    >>> leaves_list(linkage(np.array([[0.0], [5.0], [1.0]]), "single")).tolist()
    [1, 0, 2]
    """
    Z = _check_linkage(Z)
    ch = _children(Z)
    n = Z.shape[0] + 1
    out = np.empty(n, dtype=np.int64)
    stack = [2 * n - 2]
    k = 0
    while stack:
        node = stack.pop()
        if node < n:
            out[k] = node
            k += 1
        else:
            left, right = ch[node - n]
            stack.append(right)
            stack.append(left)
    return out


def _max_dist(Z: np.ndarray) -> np.ndarray:
    """Largest merge distance in each node's subtree (SciPy's monotone criterion)."""
    n = Z.shape[0] + 1
    ch = _children(Z)
    md = Z[:, 2].copy()
    for k in range(n - 1):
        for c in ch[k]:
            if c >= n and md[c - n] > md[k]:
                md[k] = md[c - n]
    return md


def _cut_at(Z: np.ndarray, mc: np.ndarray, cutoff: float) -> np.ndarray:
    """Flat clusters: maximal subtrees with ``mc <= cutoff``, numbered 1.. as SciPy does.

    SciPy's walk: depth first from the root, left subtree then right subtree; a subtree
    whose criterion is within the cutoff is numbered when the walk enters it, and a leaf
    outside such subtrees is numbered when the walk leaves its parent (left leaf first).
    """
    n = Z.shape[0] + 1
    ch = _children(Z)
    T = np.zeros(n, dtype=np.int32)
    count = 0
    # (node, number of its enclosing cluster or 0, children done?)
    stack: list[tuple[int, int, bool]] = [(2 * n - 2, 0, False)]
    while stack:
        node, cluster, done = stack.pop()
        left, right = int(ch[node - n, 0]), int(ch[node - n, 1])
        if not done:
            if cluster == 0 and mc[node - n] <= cutoff:
                count += 1
                cluster = count
            stack.append((node, cluster, True))
            if right >= n:
                stack.append((right, cluster, False))
            if left >= n:
                stack.append((left, cluster, False))
            continue
        for leaf in (left, right):
            if leaf < n:
                if cluster == 0:
                    count += 1
                    T[leaf] = count
                else:
                    T[leaf] = cluster
    return T


def fcluster(Z: Any, t: float, criterion: str = "inconsistent", **kw: Any) -> np.ndarray:
    """Flat clusters from a linkage matrix, as :func:`scipy.cluster.hierarchy.fcluster`.

    Supported criteria: ``'maxclust'`` (at most ``t`` clusters, the lowest cut that gives
    them) and ``'distance'`` (merges at distance ``<= t`` join). Cluster numbers are 1..k in
    SciPy's order (first appearance along the dendrogram's leaves).

    Examples
    --------
    >>> import numpy as np
    >>> from clustor.hierarchy import fcluster, linkage
    >>> Z = linkage(np.array([[0.0], [1.0], [10.0], [11.0]]), "average")
    >>> fcluster(Z, 2, criterion="maxclust").tolist()
    [1, 1, 2, 2]
    >>> fcluster(Z, 0.5, criterion="distance").tolist()
    [1, 2, 3, 4]
    """
    if kw:
        raise TypeError(f"fcluster got unsupported arguments {sorted(kw)}.")
    Z = _check_linkage(Z)
    n = Z.shape[0] + 1
    md = _max_dist(Z)
    if criterion == "distance":
        return _cut_at(Z, md, float(t))
    if criterion == "maxclust":
        if not isinstance(t, numbers.Real) or t < 1:
            raise ValueError(f"maxclust needs t >= 1, got {t!r}.")
        k = int(t)
        if k >= n:
            return np.arange(1, n + 1, dtype=np.int32)
        # Smallest threshold among the node values (searched in row order as SciPy does)
        # that leaves at most k clusters; a downward-closed set of m merged nodes leaves
        # n - m clusters.
        lo, hi = -1, n - 1
        while hi - lo > 1:
            i = (lo + hi) >> 1
            if n - int(np.count_nonzero(md <= md[i])) > k:
                lo = i
            else:
                hi = i
        return _cut_at(Z, md, float(md[hi]))
    raise ValueError(
        f"Unsupported criterion {criterion!r}: clustor's fcluster supports 'maxclust' and "
        "'distance'."
    )


def cophenet(Z: Any) -> np.ndarray:
    """Condensed cophenetic distances: the height at which each pair first joins.

    Needs the n(n-1)/2 output; for large n prefer cutting the tree with :func:`fcluster`.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor.hierarchy import cophenet, linkage
    >>> cophenet(linkage(np.array([[0.0], [1.0], [3.0]]), "single")).tolist()
    [1.0, 2.0, 2.0]
    """
    Z = _check_linkage(Z)
    n = Z.shape[0] + 1
    ch = _children(Z)
    members: list[np.ndarray | None] = [None] * (n - 1)
    out = np.zeros(n * (n - 1) // 2, dtype=np.float64)

    def of(c: int) -> np.ndarray:
        return np.array([c]) if c < n else members[c - n]  # type: ignore[return-value]

    for k in range(n - 1):
        a, b = of(int(ch[k, 0])), of(int(ch[k, 1]))
        i = np.repeat(a, len(b))
        j = np.tile(b, len(a))
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        out[n * lo - lo * (lo + 1) // 2 + (hi - lo - 1)] = Z[k, 2]
        members[k] = np.concatenate([a, b])
        for c in ch[k]:
            if c >= n:
                members[c - n] = None
    return out
