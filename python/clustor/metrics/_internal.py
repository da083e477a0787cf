"""Internal metrics: cluster quality from the data and the labels alone.

All of them follow scikit-learn, where a label -1 is an ordinary cluster. The seed toolkit
left noise out instead; ``exclude_noise=True`` does that here: samples labelled -1 are
removed (rows, and columns of a precomputed matrix) before scoring.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import _core
from .._threads import get_num_threads
from .._validation import check_array, check_random_state
from ._labels import check_labels, check_same_length, encode

__all__ = [
    "calinski_harabasz_score",
    "davies_bouldin_score",
    "silhouette_samples",
    "silhouette_score",
]

_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "cosine": "cosine",
    "manhattan": "manhattan",
    "l1": "manhattan",
    "cityblock": "manhattan",
    "precomputed": "precomputed",
}


def _metric(metric: Any) -> str:
    name = metric.lower() if isinstance(metric, str) else None
    if name not in _METRICS:
        raise ValueError(
            f"Unknown metric {metric!r}. Valid metrics are 'euclidean' (or 'l2'), 'cosine', "
            "'manhattan' (or 'l1', 'cityblock') and 'precomputed'."
        )
    return _METRICS[name]


def _check_number_of_labels(n_labels: int, n_samples: int) -> None:
    if not 1 < n_labels < n_samples:
        raise ValueError(
            f"Number of labels is {n_labels}. Valid values are 2 to n_samples - 1 (inclusive)"
        )


def _check_precomputed(D: np.ndarray) -> None:
    """scikit-learn's checks of a distance matrix: square, non-negative, zero diagonal."""
    n, m = D.shape
    if n != m:
        raise ValueError(
            f"Precomputed metric requires shape (n_queries, n_indexed). Got ({n}, {m}) "
            f"for {n} indexed."
        )
    # A reduction, not an n × n mask: the matrix is the one large thing here.
    if D.min() < 0:
        raise ValueError("Negative values in data passed to precomputed distance matrix.")
    if np.any(np.abs(D.diagonal()) > np.finfo(D.dtype).eps * 100):
        raise ValueError(
            "The precomputed distance matrix contains non-zero elements on the diagonal. "
            "Use np.fill_diagonal(X, 0)."
        )


def _checked(X: Any, labels: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, estimator=name)
    labels = check_labels(labels, "labels")
    check_same_length(X, labels)
    return X, labels


def _not_noise(labels: np.ndarray) -> np.ndarray:
    """Mask of the samples not labelled -1 (labels that are not numbers are never noise)."""
    if labels.dtype.kind in "iuf":
        return labels != -1
    if labels.dtype.kind == "O":
        return np.array([not (isinstance(v, numbers.Real) and v == -1) for v in labels.tolist()])
    return np.ones(len(labels), dtype=bool)


def _check_exclude_noise(exclude_noise: Any) -> bool:
    if not isinstance(exclude_noise, (bool, np.bool_)):
        raise ValueError(f"exclude_noise must be True or False, got {exclude_noise!r}")
    return bool(exclude_noise)


def _drop_noise(
    X: np.ndarray, labels: np.ndarray, precomputed: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keep = _not_noise(labels)
    if keep.all():
        return X, labels, keep
    X = X[keep][:, keep] if precomputed else X[keep]
    return np.ascontiguousarray(X), labels[keep], keep


def _samples(X: np.ndarray, labels: np.ndarray, metric: str, n_threads: int | None) -> np.ndarray:
    if metric == "precomputed":
        _check_precomputed(X)
    codes, k = encode(labels)
    _check_number_of_labels(k, X.shape[0])
    return _core.silhouette_samples(X, codes, k, metric, get_num_threads(n_threads))


def silhouette_samples(
    X: Any,
    labels: Any,
    metric: str = "euclidean",
    *,
    exclude_noise: bool = False,
    n_threads: int | None = None,
) -> np.ndarray:
    """Silhouette coefficient of every sample, as :func:`sklearn.metrics.silhouette_samples`.

    For a sample in cluster C, ``a`` is its mean distance to the other members of C and
    ``b`` its smallest mean distance to the members of another cluster; the coefficient is
    ``(b - a) / max(a, b)``, between -1 and 1. A sample alone in its cluster scores 0.

    Computed in Rust by streaming over the rows in strips, in parallel, without an
    n × n distance matrix (memory O(n·d + n·k)); each of the n(n-1)/2 distances is computed
    once, so time is O(n²·d / 2). Distances are computed directly (not through
    ``‖x‖² − 2x·y + ‖y‖²``) and summed in float64, also for float32 input. The result does
    not depend on the number of threads.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) when
        ``metric="precomputed"``
        Samples, or the distances between them (symmetric, zero diagonal).
    labels : array-like of shape (n_samples,)
        Cluster of each sample: any sortable values; noise labels such as -1 count as a
        cluster, as in scikit-learn. Needs 2 to n_samples - 1 distinct labels.
    metric : {'euclidean', 'l2', 'cosine', 'manhattan', 'l1', 'cityblock', \
'precomputed'}, default='euclidean'
        Case-insensitive. Cosine distance is ``1 - <x, y> / (‖x‖‖y‖)``; a zero row is at
        distance 1 from every other row. Manhattan is the sum of absolute differences.
    exclude_noise : bool, default=False
        Leave the samples labelled -1 out (the seed toolkit's behaviour): they are neither
        scored nor part of any cluster, and their coefficient is NaN. By default -1 is an
        ordinary cluster, as in scikit-learn.
    n_threads : int or None, default=None
        Threads; None follows :func:`clustor.set_num_threads`.

    Returns
    -------
    ndarray of shape (n_samples,), float64

    Examples
    --------
    >>> from clustor.metrics import silhouette_samples
    >>> s = silhouette_samples([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1])
    >>> s.round(4).tolist()
    [0.9048, 0.8947, 0.8947, 0.9048]
    """
    metric = _metric(metric)
    exclude_noise = _check_exclude_noise(exclude_noise)
    X, labels = _checked(X, labels, "silhouette_samples")
    if not exclude_noise:
        return _samples(X, labels, metric, n_threads)
    Xk, lk, keep = _drop_noise(X, labels, metric == "precomputed")
    out = np.full(len(labels), np.nan)
    out[keep] = _samples(Xk, lk, metric, n_threads)
    return out


def silhouette_score(
    X: Any,
    labels: Any,
    metric: str = "euclidean",
    *,
    sample_size: int | None = None,
    random_state: Any = None,
    exclude_noise: bool = False,
    n_threads: int | None = None,
) -> float:
    """Mean silhouette coefficient, as :func:`sklearn.metrics.silhouette_score`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) when
        ``metric="precomputed"``
    labels : array-like of shape (n_samples,)
    metric : {'euclidean', 'l2', 'cosine', 'manhattan', 'l1', 'cityblock', \
'precomputed'}, default='euclidean'
        See :func:`silhouette_samples`. Also accepted positionally, as in the seed toolkit.
    sample_size : int or None, default=None
        Score a random subset of this many samples (drawn without replacement, as
        scikit-learn draws it: the same seed picks the same samples).
    random_state : None, int, RandomState or Generator
        Randomness of the subset (only used with ``sample_size``).
    exclude_noise : bool, default=False
        Leave the samples labelled -1 out before scoring (and before drawing the subset),
        as the seed toolkit did. By default -1 is an ordinary cluster, as in scikit-learn.
    n_threads : int or None, default=None
        Threads; None follows :func:`clustor.set_num_threads`.

    Returns
    -------
    float
        Between -1 and 1; higher means denser, better separated clusters.

    Examples
    --------
    >>> from clustor.metrics import silhouette_score
    >>> round(silhouette_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]), 4)
    0.8997
    """
    metric = _metric(metric)
    exclude_noise = _check_exclude_noise(exclude_noise)
    X, labels = _checked(X, labels, "silhouette_score")
    if exclude_noise:
        X, labels, _ = _drop_noise(X, labels, metric == "precomputed")
    if sample_size is not None:
        if (
            isinstance(sample_size, bool)
            or not isinstance(sample_size, numbers.Integral)
            or sample_size < 1
        ):
            raise ValueError(
                "The 'sample_size' parameter of silhouette_score must be an int in the range "
                f"[1, inf) or None. Got {sample_size!r} instead."
            )
        idx = check_random_state(random_state).permutation(X.shape[0])[:sample_size]
        X = X[idx][:, idx] if metric == "precomputed" else X[idx]
        X, labels = np.ascontiguousarray(X), labels[idx]
    return float(np.mean(_samples(X, labels, metric, n_threads)))


def _dispersion_inputs(
    X: Any, labels: Any, exclude_noise: Any, name: str
) -> tuple[np.ndarray, np.ndarray, int]:
    exclude_noise = _check_exclude_noise(exclude_noise)
    X, labels = _checked(X, labels, name)
    if exclude_noise:
        X, labels, _ = _drop_noise(X, labels, False)
    codes, k = encode(labels)
    _check_number_of_labels(k, X.shape[0])
    return X, codes, k


def calinski_harabasz_score(
    X: Any, labels: Any, *, exclude_noise: bool = False, n_threads: int | None = None
) -> float:
    """Calinski–Harabasz score (variance ratio), as
    :func:`sklearn.metrics.calinski_harabasz_score`.

    ``(B / (k - 1)) / (W / (n - k))``, with B the between-cluster dispersion (cluster sizes
    times squared distances of the cluster means to the overall mean) and W the
    within-cluster dispersion (squared distances of the samples to their cluster mean).
    Two passes over the rows in Rust, in parallel (the result does not depend on the
    number of threads), summing in float64 also for float32 input.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        Any sortable values; needs 2 to n_samples - 1 distinct labels.
    exclude_noise : bool, default=False
        Leave the samples labelled -1 out (the seed toolkit's behaviour). By default -1 is
        an ordinary cluster, as in scikit-learn.
    n_threads : int or None, default=None
        Threads; None follows :func:`clustor.set_num_threads`.

    Returns
    -------
    float
        Higher means denser, better separated clusters; 1.0 when every cluster is a point.

    Examples
    --------
    >>> from clustor.metrics import calinski_harabasz_score
    >>> calinski_harabasz_score([[0.0], [2.0], [10.0], [12.0]], [0, 0, 1, 1])
    50.0
    """
    X, codes, k = _dispersion_inputs(X, labels, exclude_noise, "calinski_harabasz_score")
    return float(_core.calinski_harabasz_score(X, codes, k, get_num_threads(n_threads)))


def davies_bouldin_score(
    X: Any, labels: Any, *, exclude_noise: bool = False, n_threads: int | None = None
) -> float:
    """Davies–Bouldin score, as :func:`sklearn.metrics.davies_bouldin_score`.

    With ``s_c`` the mean distance of cluster c's samples to its centroid and ``d_ce`` the
    distance between two centroids, the mean over clusters of
    ``max_{e != c} (s_c + s_e) / d_ce``. Distances are euclidean, by direct differences;
    two passes over the rows in Rust, in parallel (the result does not depend on the
    number of threads).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        Any sortable values; needs 2 to n_samples - 1 distinct labels.
    exclude_noise : bool, default=False
        Leave the samples labelled -1 out (the seed toolkit's behaviour). By default -1 is
        an ordinary cluster, as in scikit-learn.
    n_threads : int or None, default=None
        Threads; None follows :func:`clustor.set_num_threads`.

    Returns
    -------
    float
        At least 0; lower means better separated clusters. 0.0 when every cluster is a
        point or all centroids coincide.

    Examples
    --------
    >>> from clustor.metrics import davies_bouldin_score
    >>> davies_bouldin_score([[0.0], [2.0], [10.0], [12.0]], [0, 0, 1, 1])
    0.2
    """
    X, codes, k = _dispersion_inputs(X, labels, exclude_noise, "davies_bouldin_score")
    return float(_core.davies_bouldin_score(X, codes, k, get_num_threads(n_threads)))
