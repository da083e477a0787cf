"""External metrics: agreement between two labelings of the same samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._labels import check_labels, check_same_length, encode

__all__ = ["adjusted_rand_score"]


def _pair_counts(labels_true: np.ndarray, labels_pred: np.ndarray) -> tuple[int, int, int, int]:
    """Pairs of samples (tn, fp, fn, tp): together in neither / only pred / only true / both.

    Counts come from the non-zero cells of the contingency table (found by sorting, so a
    labeling with many clusters never allocates a dense k_true × k_pred table) and are
    returned as Python ints, which cannot overflow in the products that follow.
    """
    n = len(labels_true)
    codes_true, _ = encode(labels_true)
    codes_pred, k_pred = encode(labels_pred)
    _, cells = np.unique(codes_true * k_pred + codes_pred, return_counts=True)
    sum_squares = int(np.dot(cells, cells))
    rows = np.bincount(codes_true)
    cols = np.bincount(codes_pred)
    tp = sum_squares - n
    fp = int(np.dot(cols, cols)) - sum_squares
    fn = int(np.dot(rows, rows)) - sum_squares
    tn = n * n - fp - fn - sum_squares
    return tn, fp, fn, tp


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
    t = check_labels(labels_true, "labels_true")
    p = check_labels(labels_pred, "labels_pred")
    check_same_length(t, p)
    tn, fp, fn, tp = _pair_counts(t, p)
    # Full agreement (including empty input and both-all-singletons) is defined as 1.
    if fn == 0 and fp == 0:
        return 1.0
    # The same expression, on the same Python ints, as scikit-learn: equal to the last bit.
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
