"""External metrics: agreement between two labelings of the same samples.

Every score here is a function of the contingency table of the two labelings. The table is
built once, sparse (only its non-zero cells, so labelings with many clusters never allocate
a dense k_true × k_pred table), by a lookup-table encoding of the labels and a bincount (or
a sort when the table would be large). Pair counts are Python ints (no overflow); the
entropy and mutual-information expressions are scikit-learn's, in its order, so values
agree to rounding. The expected mutual information of :func:`adjusted_mutual_info_score`
is computed in Rust.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from .._threads import get_num_threads
from ._labels import check_clusterings, encode

__all__ = [
    "adjusted_mutual_info_score",
    "adjusted_rand_score",
    "completeness_score",
    "contingency_matrix",
    "fowlkes_mallows_score",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "pair_confusion_matrix",
    "rand_score",
    "v_measure_score",
]

_AVERAGE_METHODS = ("arithmetic", "geometric", "min", "max")


@dataclass(frozen=True)
class _Contingency:
    """Non-zero cells (row, col, count) in row-major order, and the margins."""

    n: int
    rows: np.ndarray
    cols: np.ndarray
    counts: np.ndarray
    row_sums: np.ndarray
    col_sums: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.row_sums), len(self.col_sums)


def _contingency(labels_true: np.ndarray, labels_pred: np.ndarray) -> _Contingency:
    codes_true, k_true = encode(labels_true)
    codes_pred, k_pred = encode(labels_pred)
    n = len(codes_true)
    cells = codes_true * k_pred + codes_pred
    if k_true * k_pred <= max(4 * n, 1 << 16):
        full = np.bincount(cells, minlength=k_true * k_pred)
        keys = np.flatnonzero(full)
        counts = full[keys]
    else:
        keys, counts = np.unique(cells, return_counts=True)
    rows, cols = np.divmod(keys, max(k_pred, 1))
    return _Contingency(
        n=n,
        rows=rows,
        cols=cols,
        counts=counts.astype(np.int64, copy=False),
        row_sums=np.bincount(codes_true, minlength=k_true).astype(np.int64, copy=False),
        col_sums=np.bincount(codes_pred, minlength=k_pred).astype(np.int64, copy=False),
    )


def _checked_contingency(labels_true: Any, labels_pred: Any) -> _Contingency:
    return _contingency(*check_clusterings(labels_true, labels_pred))


def _pair_counts(c: _Contingency) -> tuple[int, int, int, int]:
    """Pairs of samples (tn, fp, fn, tp): together in neither / only pred / only true / both,
    as Python ints, which cannot overflow in the products that follow."""
    n = c.n
    sum_squares = int(np.dot(c.counts, c.counts))
    tp = sum_squares - n
    fp = int(np.dot(c.col_sums, c.col_sums)) - sum_squares
    fn = int(np.dot(c.row_sums, c.row_sums)) - sum_squares
    tn = n * n - fp - fn - sum_squares
    return tn, fp, fn, tp


def _entropy(sizes: np.ndarray, n: int) -> float:
    """Entropy (nats) of a labeling from its cluster sizes, as scikit-learn's ``_entropy``:
    1.0 for no samples, 0.0 for one cluster."""
    if n == 0:
        return 1.0
    if sizes.size == 1:
        return 0.0
    pi = sizes.astype(np.float64)
    pi_sum = np.sum(pi)
    return float(-np.sum((pi / pi_sum) * (np.log(pi) - math.log(pi_sum))))


def _mutual_info(c: _Contingency) -> float:
    """Mutual information (nats) from the table, with scikit-learn's expression (0.0 for no
    samples, where scikit-learn fails with a math domain error)."""
    if c.row_sums.size <= 1 or c.col_sums.size <= 1:
        return 0.0
    nz = c.counts.astype(np.float64)
    total = float(c.n)
    log_contingency_nm = np.log(nz)
    contingency_nm = nz / total
    outer = c.row_sums[c.rows] * c.col_sums[c.cols]
    log_outer = -np.log(outer) + math.log(c.row_sums.sum()) + math.log(c.col_sums.sum())
    mi = contingency_nm * (log_contingency_nm - math.log(total)) + contingency_nm * log_outer
    mi = np.where(np.abs(mi) < np.finfo(mi.dtype).eps, 0.0, mi)
    return float(np.clip(mi.sum(), 0.0, None))


def _generalized_average(u: float, v: float, average_method: str) -> float:
    if average_method == "min":
        return min(u, v)
    if average_method == "geometric":
        return float(np.sqrt(u * v))
    if average_method == "arithmetic":
        return float(np.mean([u, v]))
    return max(u, v)


def _check_average_method(average_method: Any) -> str:
    if average_method not in _AVERAGE_METHODS:
        raise ValueError(
            "The 'average_method' parameter must be a str among "
            f"{{'arithmetic', 'geometric', 'min', 'max'}}. Got {average_method!r} instead."
        )
    return average_method


def _check_beta(beta: Any) -> float:
    if (
        isinstance(beta, bool)
        or not isinstance(beta, numbers.Real)
        or not beta >= 0
        or not math.isfinite(beta)
    ):
        raise ValueError(
            f"The 'beta' parameter must be a float in the range [0, inf). Got {beta!r} instead."
        )
    return float(beta)


def contingency_matrix(
    labels_true: Any,
    labels_pred: Any,
    *,
    eps: float | None = None,
    sparse: bool = False,
    dtype: Any = np.int64,
) -> Any:
    """Contingency table of two labelings, as :func:`sklearn.metrics.cluster.contingency_matrix`.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels (rows, in sorted order of the distinct labels).
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate (columns, in sorted order).
    eps : float or None, default=None
        Added to every cell (the result is then float); not with ``sparse=True``.
    sparse : bool, default=False
        Return a SciPy CSR matrix. SciPy is not a dependency of clustor: this needs it
        installed.
    dtype : numeric type, default=np.int64
        Type of the cells (ignored when ``eps`` is given).

    Returns
    -------
    ndarray of shape (n_classes, n_clusters), or a SciPy CSR matrix
        Cell (i, j) counts the samples with the i-th true label and the j-th predicted one.

    Examples
    --------
    >>> from clustor.metrics import contingency_matrix
    >>> contingency_matrix([0, 0, 1, 1], ["a", "b", "b", "b"]).tolist()
    [[1, 1], [0, 2]]
    """
    if eps is not None:
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps >= 0:
            raise ValueError(
                f"The 'eps' parameter must be a float in the range [0, inf) or None. Got {eps!r}"
                " instead."
            )
        if sparse:
            raise ValueError("Cannot set 'eps' when sparse=True")
    c = _checked_contingency(labels_true, labels_pred)
    if sparse:
        try:
            from scipy import sparse as sp
        except ImportError:  # pragma: no cover - scipy is installed in the test environment
            raise ImportError(
                "contingency_matrix(sparse=True) returns a SciPy matrix and needs SciPy; "
                "install scipy or use sparse=False"
            ) from None
        return sp.csr_matrix((c.counts.astype(dtype), (c.rows, c.cols)), shape=c.shape)
    out = np.zeros(c.shape, dtype=dtype)
    out[c.rows, c.cols] = c.counts
    if eps is not None:
        out = out + eps
    return out


def pair_confusion_matrix(labels_true: Any, labels_pred: Any) -> np.ndarray:
    """Pair confusion matrix, as :func:`sklearn.metrics.cluster.pair_confusion_matrix`.

    Counts ordered pairs of distinct samples: ``C[0, 0]`` apart in both labelings,
    ``C[0, 1]`` apart in the reference but together in the prediction, ``C[1, 0]`` the
    reverse, ``C[1, 1]`` together in both.

    Returns
    -------
    ndarray of shape (2, 2), int64

    Examples
    --------
    >>> from clustor.metrics import pair_confusion_matrix
    >>> pair_confusion_matrix([0, 0, 1, 1], [0, 0, 1, 2]).tolist()
    [[8, 0], [2, 2]]
    """
    tn, fp, fn, tp = _pair_counts(_checked_contingency(labels_true, labels_pred))
    return np.array([[tn, fp], [fn, tp]], dtype=np.int64)


def rand_score(labels_true: Any, labels_pred: Any) -> float:
    """Rand index, as :func:`sklearn.metrics.rand_score`: the fraction of pairs of samples
    on which the two labelings agree (together in both, or apart in both).

    Returns
    -------
    float
        Between 0 and 1; 1.0 also for fewer than two samples and for two labelings that
        both keep every sample together or both split them all.

    Examples
    --------
    >>> from clustor.metrics import rand_score
    >>> round(rand_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.8333
    """
    tn, fp, fn, tp = _pair_counts(_checked_contingency(labels_true, labels_pred))
    numerator = tn + tp
    denominator = tn + fp + fn + tp
    if numerator == denominator or denominator == 0:
        return 1.0
    return float(np.float64(numerator) / np.float64(denominator))


def adjusted_rand_score(labels_true: Any, labels_pred: Any) -> float:
    """Rand index adjusted for chance, as :func:`sklearn.metrics.adjusted_rand_score`.

    Counts the pairs of samples that both labelings put together or apart, rescaled so that
    random labelings score about 0 and identical partitions (whatever the label names)
    score 1. Symmetric; labels may be any sortable values (ints, strings, ...).

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.

    Returns
    -------
    float
        Between -0.5 and 1.0; 1.0 when the partitions are identical (also for empty input
        and for two labelings that both put every sample in its own cluster).

    Examples
    --------
    >>> from clustor.metrics import adjusted_rand_score
    >>> adjusted_rand_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> round(adjusted_rand_score(["a", "a", "b", "b"], [0, 0, 0, 1]), 4)
    0.0
    """
    tn, fp, fn, tp = _pair_counts(_checked_contingency(labels_true, labels_pred))
    # Full agreement (including empty input and both-all-singletons) is defined as 1.
    if fn == 0 and fp == 0:
        return 1.0
    # The same expression, on the same Python ints, as scikit-learn: equal to the last bit.
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def mutual_info_score(labels_true: Any, labels_pred: Any) -> float:
    """Mutual information (in nats), as :func:`sklearn.metrics.mutual_info_score`.

    Returns
    -------
    float
        At least 0; 0.0 when either labeling has a single cluster (or no samples).

    Examples
    --------
    >>> from clustor.metrics import mutual_info_score
    >>> round(mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0]), 6)  # ln 2
    0.693147
    """
    return _mutual_info(_checked_contingency(labels_true, labels_pred))


def normalized_mutual_info_score(
    labels_true: Any, labels_pred: Any, *, average_method: str = "arithmetic"
) -> float:
    """Normalized mutual information, as :func:`sklearn.metrics.normalized_mutual_info_score`.

    The mutual information divided by a mean of the two entropies.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
    average_method : {'arithmetic', 'geometric', 'min', 'max'}, default='arithmetic'
        How the two entropies are averaged.

    Returns
    -------
    float
        Between 0 and 1; 1.0 when both labelings have a single cluster (or no samples).

    Examples
    --------
    >>> from clustor.metrics import normalized_mutual_info_score
    >>> normalized_mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    average_method = _check_average_method(average_method)
    c = _checked_contingency(labels_true, labels_pred)
    k_true, k_pred = c.shape
    if k_true == k_pred == 1 or k_true == k_pred == 0:
        return 1.0
    mi = _mutual_info(c)
    if mi == 0:
        return 0.0
    h_true, h_pred = _entropy(c.row_sums, c.n), _entropy(c.col_sums, c.n)
    return float(mi / _generalized_average(h_true, h_pred, average_method))


def adjusted_mutual_info_score(
    labels_true: Any,
    labels_pred: Any,
    *,
    average_method: str = "arithmetic",
    n_threads: int | None = None,
) -> float:
    """Mutual information adjusted for chance, as
    :func:`sklearn.metrics.adjusted_mutual_info_score`.

    ``(MI − E[MI]) / (mean(H_true, H_pred) − E[MI])``, with ``E[MI]`` the expected mutual
    information of two random labelings with the same cluster sizes. ``E[MI]`` is the
    costly part (a sum over every pair of clusters); it is computed in Rust, in parallel,
    summing each pair of clusters outwards from the most likely overlap until the terms are
    negligible, so that 1,000 × 1,000 clusters take seconds rather than minutes. Agrees with
    scikit-learn to about 1e-10.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
    average_method : {'arithmetic', 'geometric', 'min', 'max'}, default='arithmetic'
        How the two entropies are averaged.
    n_threads : int or None, default=None
        Threads; None follows :func:`clustor.set_num_threads`.

    Returns
    -------
    float
        1.0 for identical partitions, about 0 for independent ones (can be negative).

    Examples
    --------
    >>> from clustor.metrics import adjusted_mutual_info_score
    >>> adjusted_mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> round(adjusted_mutual_info_score([0, 0, 1, 1], [0, 1, 0, 1]), 6)
    -0.5
    """
    average_method = _check_average_method(average_method)
    c = _checked_contingency(labels_true, labels_pred)
    k_true, k_pred = c.shape
    if k_true == k_pred == 1 or k_true == k_pred == 0:
        return 1.0
    if k_true == 1 or k_pred == 1:
        return 0.0
    mi = _mutual_info(c)
    emi = _core.expected_mutual_information(c.row_sums, c.col_sums, c.n, get_num_threads(n_threads))
    h_true, h_pred = _entropy(c.row_sums, c.n), _entropy(c.col_sums, c.n)
    normalizer = _generalized_average(h_true, h_pred, average_method)
    eps = np.finfo(np.float64).eps
    # E[MI] can exceed the normalizer (or MI) by rounding: keep the sign, avoid 0 / 0.
    denominator = normalizer - emi
    denominator = min(denominator, -eps) if denominator < 0 else max(denominator, eps)
    numerator = mi - emi
    numerator = min(numerator, -eps) if numerator < 0 else max(numerator, eps)
    return float(numerator / denominator)


def homogeneity_completeness_v_measure(
    labels_true: Any, labels_pred: Any, *, beta: float = 1.0
) -> tuple[float, float, float]:
    """Homogeneity, completeness and V-measure at once, as
    :func:`sklearn.metrics.homogeneity_completeness_v_measure`.

    Homogeneity is ``MI / H_true`` (each cluster holds one class), completeness
    ``MI / H_pred`` (each class sits in one cluster), and the V-measure their weighted
    harmonic mean ``(1 + beta) h c / (beta h + c)``.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
    beta : float, default=1.0
        Weight of homogeneity against completeness (> 1 favours completeness).

    Returns
    -------
    (homogeneity, completeness, v_measure) : tuple of float, each between 0 and 1

    Examples
    --------
    >>> from clustor.metrics import homogeneity_completeness_v_measure
    >>> [round(v, 4) for v in homogeneity_completeness_v_measure([0, 0, 1, 1], [0, 0, 0, 1])]
    [0.3113, 0.3837, 0.3437]
    """
    beta = _check_beta(beta)
    c = _checked_contingency(labels_true, labels_pred)
    if c.n == 0:
        return 1.0, 1.0, 1.0
    entropy_c = _entropy(c.row_sums, c.n)
    entropy_k = _entropy(c.col_sums, c.n)
    mi = _mutual_info(c)
    homogeneity = mi / entropy_c if entropy_c else 1.0
    completeness = mi / entropy_k if entropy_k else 1.0
    if homogeneity + completeness == 0.0:
        v_measure = 0.0
    else:
        v_measure = (1 + beta) * homogeneity * completeness / (beta * homogeneity + completeness)
    return float(homogeneity), float(completeness), float(v_measure)


def homogeneity_score(labels_true: Any, labels_pred: Any) -> float:
    """Homogeneity, as :func:`sklearn.metrics.homogeneity_score`: 1.0 when every cluster
    holds members of a single class. See :func:`homogeneity_completeness_v_measure`.

    Examples
    --------
    >>> from clustor.metrics import homogeneity_score
    >>> round(homogeneity_score([0, 0, 1, 1], [0, 1, 2, 3]), 12)
    1.0
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[0]


def completeness_score(labels_true: Any, labels_pred: Any) -> float:
    """Completeness, as :func:`sklearn.metrics.completeness_score`: 1.0 when all members of
    a class are in the same cluster. See :func:`homogeneity_completeness_v_measure`.

    Examples
    --------
    >>> from clustor.metrics import completeness_score
    >>> completeness_score([0, 0, 1, 1], [0, 0, 0, 0])
    1.0
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[1]


def v_measure_score(labels_true: Any, labels_pred: Any, *, beta: float = 1.0) -> float:
    """V-measure, as :func:`sklearn.metrics.v_measure_score`: the weighted harmonic mean of
    homogeneity and completeness (equal to NMI with the arithmetic mean when beta = 1).
    See :func:`homogeneity_completeness_v_measure`.

    Examples
    --------
    >>> from clustor.metrics import v_measure_score
    >>> v_measure_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred, beta=beta)[2]


def fowlkes_mallows_score(labels_true: Any, labels_pred: Any) -> float:
    """Fowlkes–Mallows index, as :func:`sklearn.metrics.fowlkes_mallows_score`: the
    geometric mean of pairwise precision and recall, ``TP / sqrt((TP + FP)(TP + FN))``.

    Returns
    -------
    float
        Between 0 and 1; 0.0 when no pair of samples is together in both labelings.

    Examples
    --------
    >>> from clustor.metrics import fowlkes_mallows_score
    >>> fowlkes_mallows_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    c = _checked_contingency(labels_true, labels_pred)
    n = c.n
    tk = int(np.dot(c.counts, c.counts)) - n
    pk = int(np.dot(c.col_sums, c.col_sums)) - n
    qk = int(np.dot(c.row_sums, c.row_sums)) - n
    if tk == 0:
        return 0.0
    return float(
        np.sqrt(np.float64(tk) / np.float64(pk)) * np.sqrt(np.float64(tk) / np.float64(qk))
    )
