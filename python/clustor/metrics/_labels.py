"""Label checks shared by the metrics: 1-D, finite, encoded as 0..k-1."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["check_clusterings", "check_labels", "check_same_length", "encode"]


def check_labels(labels: Any, name: str) -> np.ndarray:
    """``labels`` as a 1-D array (a column vector is flattened); floats must be finite."""
    a = np.asarray(labels)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a.ravel()
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1D: shape is {a.shape}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"Input {name} contains NaN or infinity.")
    if a.dtype.kind == "c":
        raise ValueError(f"{name} must not be complex")
    if a.dtype.kind == "O" and any(isinstance(v, float) and v != v for v in a.tolist()):
        raise ValueError(f"Input {name} contains NaN.")
    return a


def check_same_length(*arrays: np.ndarray) -> None:
    """scikit-learn's message when inputs disagree on the number of samples."""
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")


def _kind(a: np.ndarray) -> str:
    """'continuous' for floats that are not all integers, as scikit-learn's type_of_target."""
    if a.dtype.kind == "f" and a.size and np.any(a != np.round(a)):
        return "continuous"
    return "discrete"


def check_clusterings(labels_true: Any, labels_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both labelings checked as scikit-learn's ``check_clusterings``: 1-D, finite, same
    length; floats that are not integers warn (they are still treated as labels)."""
    t = check_labels(labels_true, "labels_true")
    p = check_labels(labels_pred, "labels_pred")
    kinds = (_kind(t), _kind(p))
    if "continuous" in kinds:
        warnings.warn(
            "Clustering metrics expects discrete values but received "
            f"{'continuous' if kinds[0] == 'continuous' else 'discrete'} values for label, "
            f"and {kinds[1]} values for target",
            UserWarning,
            stacklevel=3,
        )
    check_same_length(t, p)
    return t, p


def encode(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes 0..k-1 (in sorted order of the distinct labels, as LabelEncoder) and k.

    Integer labels spanning a range not much larger than their number are encoded by a
    lookup table (O(n)) instead of a sort (O(n log n)); both give the same codes.
    """
    n = labels.shape[0]
    if labels.dtype.kind == "b":
        labels = labels.astype(np.int64)
    if labels.dtype.kind in "iu" and n:
        lo, hi = labels.min(), labels.max()
        span = int(hi) - int(lo) + 1
        if span <= max(4 * n, 1 << 16):
            # In int64 (a narrow type could overflow); unsigned types cannot go below lo.
            offset = labels - lo if labels.dtype.kind == "u" else labels.astype(np.int64) - int(lo)
            present = np.zeros(span, dtype=bool)
            present[offset] = True
            lookup = np.cumsum(present, dtype=np.int64) - 1
            return np.ascontiguousarray(lookup[offset], dtype=np.int64), int(lookup[-1]) + 1
    classes, codes = np.unique(labels, return_inverse=True)
    return np.ascontiguousarray(codes.reshape(-1), dtype=np.int64), len(classes)
