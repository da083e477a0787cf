"""Label checks shared by the metrics: 1-D, finite, encoded as 0..k-1."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_labels", "encode"]


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
    return a


def check_same_length(*arrays: np.ndarray) -> None:
    """scikit-learn's message when inputs disagree on the number of samples."""
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")


def encode(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes 0..k-1 (in sorted order of the distinct labels, as LabelEncoder) and k."""
    classes, codes = np.unique(labels, return_inverse=True)
    return np.ascontiguousarray(codes.reshape(-1), dtype=np.int64), len(classes)
