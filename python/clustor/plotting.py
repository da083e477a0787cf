"""Scatter plots of clusterings (needs matplotlib: ``pip install 'clustor[plot]'``).

matplotlib is imported when a plot is drawn, never when clustor is imported.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["dendrogram", "plot_clusters", "project_2d", "reachability_plot"]

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


def dendrogram(
    Z: Any,
    *,
    truncate_p: int | None = None,
    labels: Any = None,
    ax: Any = None,
    orientation: str = "top",
    color: str = "C0",
    no_plot: bool = False,
) -> dict[str, Any]:
    """Draw the tree of a linkage matrix (from :func:`clustor.hierarchy.linkage`).

    Parameters
    ----------
    Z : ndarray of shape (n - 1, 4)
        SciPy-style linkage matrix.
    truncate_p : int or None, default=None
        Show only the last ``truncate_p`` clusters as leaves (SciPy's ``truncate_mode='lastp'``):
        the top ``truncate_p - 1`` merges are drawn and each remaining subtree is one leaf
        labelled with its size in parentheses. Use it for large n.
    labels : sequence of str or None
        Names of the n observations (default: their indices).
    ax : matplotlib Axes or None
        Where to draw; None creates a new figure.
    orientation : {'top', 'left'}
        Root at the top (leaves along x) or at the left (leaves along y).
    color : str
        Line colour.
    no_plot : bool, default=False
        Only compute the coordinates (no matplotlib needed).

    Returns
    -------
    dict with ``icoord``, ``dcoord`` (one 4-point U per merge drawn, SciPy's layout: leaves
    at 5, 15, 25, ...), ``ivl`` (leaf labels left to right), ``leaves`` (leaf node ids) and
    ``ax``.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor.hierarchy import linkage
    >>> from clustor.plotting import dendrogram
    >>> Z = linkage(np.array([[0.0], [1.0], [5.0], [6.0]]), "average")
    >>> dendrogram(Z, no_plot=True)["ivl"]
    ['0', '1', '2', '3']
    >>> dendrogram(Z, truncate_p=2, no_plot=True)["ivl"]
    ['(2)', '(2)']
    """
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[1] != 4:
        raise ValueError(f"Z must have shape (n - 1, 4), got {Z.shape}")
    if orientation not in ("top", "left"):
        raise ValueError(f"orientation must be 'top' or 'left', got {orientation!r}")
    n = Z.shape[0] + 1
    p = n if truncate_p is None else int(truncate_p)
    if p < 1:
        raise ValueError(f"truncate_p must be >= 1, got {truncate_p!r}")
    p = min(p, n)
    names = [str(i) for i in range(n)] if labels is None else [str(v) for v in labels]
    if len(names) != n:
        raise ValueError(f"labels has {len(names)} names for {n} observations")
    first_drawn = n + (n - p)  # nodes below this id are shown as leaves

    def size(node: int) -> int:
        return 1 if node < n else int(Z[node - n, 3])

    icoord: list[list[float]] = []
    dcoord: list[list[float]] = []
    ivl: list[str] = []
    leaves: list[int] = []
    pos: dict[int, tuple[float, float]] = {}
    # Post-order walk from the root with an explicit stack (no recursion limit for large n).
    stack: list[tuple[int, bool]] = [(2 * n - 2, False)]
    while stack:
        node, done = stack.pop()
        if node < first_drawn:
            x = 10.0 * len(leaves) + 5.0
            leaves.append(node)
            ivl.append(names[node] if node < n else f"({size(node)})")
            pos[node] = (x, 0.0)
            continue
        left, right = int(Z[node - n, 0]), int(Z[node - n, 1])
        if not done:
            stack.append((node, True))
            stack.append((right, False))
            stack.append((left, False))
            continue
        (xl, hl), (xr, hr) = pos.pop(left), pos.pop(right)
        h = float(Z[node - n, 2])
        icoord.append([xl, xl, xr, xr])
        dcoord.append([hl, h, h, hr])
        pos[node] = ((xl + xr) / 2, h)
    out: dict[str, Any] = {
        "icoord": icoord,
        "dcoord": dcoord,
        "ivl": ivl,
        "leaves": leaves,
        "ax": None,
    }
    if no_plot:
        return out
    _require_matplotlib()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    ticks = [10.0 * i + 5.0 for i in range(len(leaves))]
    for xs, ys in zip(icoord, dcoord):
        if orientation == "top":
            ax.plot(xs, ys, color=color, linewidth=1)
        else:
            ax.plot(ys, xs, color=color, linewidth=1)
    if orientation == "top":
        ax.set_xticks(ticks)
        ax.set_xticklabels(ivl, rotation=90 if len(ivl) > 20 else 0)
        ax.set_xlim(0, 10.0 * len(leaves))
        ax.set_ylabel("distance")
    else:
        ax.set_yticks(ticks)
        ax.set_yticklabels(ivl)
        ax.set_ylim(0, 10.0 * len(leaves))
        ax.set_xlabel("distance")
    out["ax"] = ax
    return out


def reachability_plot(
    reachability: Any,
    ordering: Any = None,
    labels: Any = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """The reachability plot of an OPTICS fit: reachability distance of each point in cluster
    order, one bar per point coloured by cluster (noise grey). Valleys are clusters.

    Parameters
    ----------
    reachability : fitted OPTICS estimator, or array-like of shape (n_samples,)
        An estimator supplies ``reachability_``, ``ordering_`` and ``labels_`` (the next two
        arguments then default to them). An array is ``reachability_`` (indexed by sample).
    ordering : array-like of shape (n_samples,), default=None
        ``ordering_``; required with an array.
    labels : array-like of shape (n_samples,), default=None
        Cluster of each sample (indexed by sample) for the colours; None draws all alike.
    ax : matplotlib Axes or None, default=None
        Where to draw; None creates a new figure with pyplot.
    title : str or None, default=None

    Returns
    -------
    matplotlib Axes

    Infinite reachabilities (seeds, unreachable points) are drawn as bars 5% above the
    largest finite one, hatched.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from clustor import OPTICS
    >>> from clustor.plotting import reachability_plot
    >>> X = np.array([[1, 2], [2, 5], [3, 6], [8, 7], [8, 8], [7, 3]])
    >>> ax = reachability_plot(OPTICS(min_samples=2).fit(X), ax=Figure().subplots())
    >>> len(ax.patches)
    6
    """
    _require_matplotlib()
    if hasattr(reachability, "reachability_"):
        est = reachability
        ordering = est.ordering_ if ordering is None else ordering
        labels = getattr(est, "labels_", None) if labels is None else labels
        reachability = est.reachability_
    if ordering is None:
        raise ValueError("ordering is required when reachability is an array (pass ordering_)")
    reach = np.asarray(reachability, dtype=np.float64).ravel()
    order = np.asarray(ordering).ravel()
    if len(order) != len(reach):
        raise ValueError(f"reachability has {len(reach)} samples but ordering has {len(order)}")
    plot = reach[order]
    finite = np.isfinite(plot)
    top = float(plot[finite].max()) if finite.any() else 1.0
    heights = np.where(finite, plot, top * 1.05 if top > 0 else 1.0)
    if labels is None:
        lab = np.zeros(len(order), dtype=np.int64)
    else:
        lab = np.asarray(labels).ravel()
        if len(lab) != len(reach):
            raise ValueError(f"reachability has {len(reach)} samples but labels has {len(lab)}")
        lab = lab[order]
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    from matplotlib import colormaps

    clusters = [c for c in np.unique(lab) if c != -1]
    cmap = colormaps["tab10" if len(clusters) <= 10 else "tab20"]
    colours: list[Any] = [_NOISE_COLOR] * len(lab)
    for slot, c in enumerate(clusters):
        for i in np.flatnonzero(lab == c):
            colours[i] = cmap(slot % cmap.N)
    bars = ax.bar(np.arange(len(heights)), heights, width=1.0, color=colours, linewidth=0)
    for bar, ok in zip(bars, finite):
        if not ok:
            bar.set_hatch("//")
    ax.set_xlim(-0.5, len(heights) - 0.5)
    ax.set_xlabel("cluster order")
    ax.set_ylabel("reachability distance")
    if title is not None:
        ax.set_title(title)
    return ax
