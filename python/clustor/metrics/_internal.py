"""Internal metrics: cluster quality from the data and the labels alone (silhouette)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import _core
from .._threads import get_num_threads
from .._validation import check_array, check_random_state
from ._labels import check_labels, check_same_length, encode

__all__ = ["silhouette_samples", "silhouette_score"]

_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "cosine": "cosine",
    "precomputed": "precomputed",
}


def _metric(metric: Any) -> str:
    name = metric.lower() if isinstance(metric, str) else None
    if name not in _METRICS:
        raise ValueError(
            f"Unknown metric {metric!r}. Valid metrics are 'euclidean' (or 'l2'), 'cosine' "
            "and 'precomputed'."
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
    if (D < 0).any():
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


def _samples(X: np.ndarray, labels: np.ndarray, metric: str, n_threads: int | None) -> np.ndarray:
    if metric == "precomputed":
        _check_precomputed(X)
    codes, k = encode(labels)
    _check_number_of_labels(k, X.shape[0])
    return _core.silhouette_samples(X, codes, k, metric, get_num_threads(n_threads))


def silhouette_samples(
    X: Any, labels: Any, metric: str = "euclidean", *, n_threads: int | None = None
) -> np.ndarray:
    """Silhouette coefficient of every sample, as :func:`sklearn.metrics.silhouette_samples`.

    For a sample in cluster C, ``a`` is its mean distance to the other members of C and
    ``b`` its smallest mean distance to the members of another cluster; the coefficient is
    ``(b - a) / max(a, b)``, between -1 and 1. A sample alone in its cluster scores 0.

    Computed in Rust by streaming over the rows in chunks, in parallel, without an
    n × n distance matrix (memory O(n·d)); time is O(n²·d). Distances are computed
    directly (not through ``‖x‖² − 2x·y + ‖y‖²``) and summed in float64, also for float32
    input. The result does not depend on the number of threads.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) when
        ``metric="precomputed"``
        Samples, or the distances between them (symmetric, zero diagonal).
    labels : array-like of shape (n_samples,)
        Cluster of each sample: any sortable values; noise labels such as -1 count as a
        cluster, as in scikit-learn. Needs 2 to n_samples - 1 distinct labels.
    metric : {'euclidean', 'l2', 'cosine', 'precomputed'}, default='euclidean'
        Case-insensitive. Cosine distance is ``1 - <x, y> / (‖x‖‖y‖)``; a zero row is at
        distance 1 from every other row.
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
    X, labels = _checked(X, labels, "silhouette_samples")
    return _samples(X, labels, _metric(metric), n_threads)


def silhouette_score(
    X: Any,
    labels: Any,
    metric: str = "euclidean",
    *,
    sample_size: int | None = None,
    random_state: Any = None,
    n_threads: int | None = None,
) -> float:
    """Mean silhouette coefficient, as :func:`sklearn.metrics.silhouette_score`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) when
        ``metric="precomputed"``
    labels : array-like of shape (n_samples,)
    metric : {'euclidean', 'l2', 'cosine', 'precomputed'}, default='euclidean'
        See :func:`silhouette_samples`. Also accepted positionally, as in the seed toolkit.
    sample_size : int or None, default=None
        Score a random subset of this many samples (drawn without replacement, as
        scikit-learn draws it: the same seed picks the same samples).
    random_state : None, int, RandomState or Generator
        Randomness of the subset (only used with ``sample_size``).
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
    X, labels = _checked(X, labels, "silhouette_score")
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
