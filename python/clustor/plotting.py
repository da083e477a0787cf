"""Scatter plots of clusterings (needs matplotlib: ``pip install 'clustor[plot]'``).

matplotlib is imported when a plot is drawn, never when clustor is imported.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["plot_clusters", "project_2d"]

_NOISE_COLOR = "#b0b0b0"


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        raise ImportError(
            "clustor.plotting needs matplotlib, which is not installed; install the 'plot' "
            "extra: pip install 'clustor[plot]'"
        ) from e


def project_2d(X: Any) -> np.ndarray:
    """Two columns to draw: X itself when it has two features, else its first two
    principal components (centred SVD, signs fixed so the largest loading is positive).

    Examples
    --------
    >>> import numpy as np
    >>> from clustor.plotting import project_2d
    >>> project_2d(np.eye(4)).shape
    (4, 2)
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    n, d = X.shape
    if d == 2:
        return X
    if d == 1:
        return np.column_stack([X[:, 0], np.zeros(n)])
    centred = X - X.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:2]
    signs = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    signs[signs == 0] = 1
    out = centred @ (components * signs[:, None]).T
    if out.shape[1] < 2:  # a single sample or rank-1 data
        out = np.column_stack([out, np.zeros(n)])
    return out


def plot_clusters(X: Any, labels: Any, ax: Any = None, title: str | None = None) -> Any:
    """Scatter plot of ``X`` coloured by cluster; noise (label -1) as grey crosses.

    Data with more than two features is drawn on its first two principal components.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        Cluster of each sample (any values; -1 is drawn as noise).
    ax : matplotlib Axes or None, default=None
        Where to draw; None creates a new figure with pyplot.
    title : str or None, default=None

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from clustor.plotting import plot_clusters
    >>> ax = Figure().subplots()
    >>> ax = plot_clusters([[0, 0], [0, 1], [5, 5]], [0, 0, 1], ax=ax, title="toy")
    >>> ax.get_title()
    'toy'
    """
    _require_matplotlib()
    from matplotlib import colormaps

    points = project_2d(X)
    labels = np.asarray(labels).ravel()
    if len(labels) != len(points):
        raise ValueError(f"X has {len(points)} samples but labels has {len(labels)}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    if labels.dtype.kind in "iuf":
        noise = labels == -1
    else:
        noise = np.zeros(len(labels), dtype=bool)
    clusters = np.unique(labels[~noise])
    # Non-negative integer labels keep their colour from plot to plot (label 2 is always the
    # third colour); other labels are coloured in sorted order.
    by_value = labels.dtype.kind in "iu" and (len(clusters) == 0 or clusters[0] >= 0)
    slots = [int(c) for c in clusters] if by_value else list(range(len(clusters)))
    cmap = colormaps["tab10" if max(slots, default=0) < 10 else "tab20"]
    if noise.any():
        ax.scatter(*points[noise].T, s=8, c=_NOISE_COLOR, marker="x", linewidths=0.8, label="noise")
    for slot, c in zip(slots, clusters):
        mask = labels == c
        ax.scatter(*points[mask].T, s=10, color=cmap(slot % cmap.N), label=str(c))
    if title is not None:
        ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax
