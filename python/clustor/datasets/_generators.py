"""Synthetic data sets, generated with NumPy alone."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import check_random_state

__all__ = ["make_blobs", "make_varying_density"]


def _split_evenly(n: int, k: int) -> list[int]:
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def make_blobs(
    n_samples: Any = 100,
    n_features: int = 2,
    *,
    centers: Any = None,
    cluster_std: Any = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs with known labels (the parameters of scikit-learn's).

    Parameters
    ----------
    n_samples : int or sequence of int, default=100
        Total number of samples, split as evenly as possible over the blobs; or the number
        in each blob.
    n_features : int, default=2
        Dimensions (ignored when ``centers`` is an array).
    centers : int, array of shape (n_centers, n_features) or None, default=None
        Number of blobs, drawn uniformly in ``center_box``, or their centers. None means 3
        (or one per entry when ``n_samples`` is a sequence).
    cluster_std : float or sequence of float, default=1.0
        Standard deviation of each blob.
    center_box : (float, float), default=(-10.0, 10.0)
        Bounds of randomly drawn centers.
    shuffle : bool, default=True
        Shuffle the samples (else they come blob by blob).
    random_state : None, int, RandomState or Generator

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int64
        Blob of each sample.

    Examples
    --------
    >>> from clustor.datasets import make_blobs
    >>> X, y = make_blobs(n_samples=10, centers=[[0, 0], [5, 5]], random_state=0)
    >>> X.shape, sorted(y.tolist())
    ((10, 2), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    """
    rng = check_random_state(random_state)
    if isinstance(n_samples, numbers.Integral):
        per_blob = None
        if n_samples < 1:
            raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    else:
        per_blob = [int(v) for v in n_samples]
        if not per_blob or min(per_blob) < 0:
            raise ValueError("n_samples, as a sequence, needs non-negative counts")
    if centers is None:
        centers = 3 if per_blob is None else len(per_blob)
    if isinstance(centers, numbers.Integral):
        if centers < 1:
            raise ValueError(f"centers must be >= 1, got {centers}")
        if n_features < 1:
            raise ValueError(f"n_features must be >= 1, got {n_features}")
        centers = rng.uniform(center_box[0], center_box[1], size=(int(centers), n_features))
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2:
            raise ValueError(f"centers must be an int or a 2-D array, got shape {centers.shape}")
    k, d = centers.shape
    if per_blob is None:
        per_blob = _split_evenly(int(n_samples), k)
    elif len(per_blob) != k:
        raise ValueError(
            f"n_samples has {len(per_blob)} entries but there are {k} centers; give one count "
            "per center"
        )
    stds = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (k,))
    if (stds < 0).any():
        raise ValueError("cluster_std must be non-negative")
    X = np.concatenate(
        [c + rng.normal(scale=s, size=(m, d)) for c, s, m in zip(centers, stds, per_blob)]
    )
    y = np.repeat(np.arange(k, dtype=np.int64), per_blob)
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return np.ascontiguousarray(X), y


def make_varying_density(
    n_samples: int = 1500, *, random_state: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Three 2-D Gaussian clusters of different density and size.

    A tight cluster (standard deviation 0.4, 20% of the samples), a medium one (0.9, 30%)
    and a wide one (2.5, 50%) that reaches towards the other two. Methods that assume equal
    spread (k-means) hand the wide cluster's edge to its neighbours (ARI about 0.8); a
    Gaussian mixture recovers it (about 0.97); density-based methods must cope with one
    density scale per cluster.

    Parameters
    ----------
    n_samples : int, default=1500
        Total number of samples (at least 3).
    random_state : None, int, RandomState or Generator

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
    y : ndarray of shape (n_samples,), int64
        Reference labels: 0 tight, 1 medium, 2 wide.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor.datasets import make_varying_density
    >>> X, y = make_varying_density(1000, random_state=0)
    >>> X.shape, np.bincount(y).tolist()
    ((1000, 2), [200, 300, 500])
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"n_samples must be an int, got {n_samples!r}")
    if n_samples < 3:
        raise ValueError(f"n_samples must be >= 3, got {n_samples}")
    tight, medium = round(0.2 * n_samples), round(0.3 * n_samples)
    counts = [max(tight, 1), max(medium, 1)]
    counts.append(n_samples - sum(counts))
    return make_blobs(
        n_samples=counts,
        centers=[[-5.0, 0.0], [-1.0, 4.0], [4.0, -1.0]],
        cluster_std=[0.4, 0.9, 2.5],
        random_state=random_state,
    )
