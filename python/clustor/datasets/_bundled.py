"""Data sets shipped inside the package."""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["load_iris"]


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's Iris data: 150 flowers, 4 measurements, 3 species.

    Read from a CSV shipped with clustor (the copy scikit-learn ships; public domain).

    Returns
    -------
    X : ndarray of shape (150, 4), float64
        Sepal length, sepal width, petal length, petal width (cm).
    y : ndarray of shape (150,), int64
        Species: 0 setosa, 1 versicolor, 2 virginica (50 each).

    Examples
    --------
    >>> from clustor.datasets import load_iris
    >>> X, y = load_iris()
    >>> X.shape, X.dtype, y.dtype
    ((150, 4), dtype('float64'), dtype('int64'))
    >>> X[0].tolist(), int(y[0])
    ([5.1, 3.5, 1.4, 0.2], 0)
    """
    path = resources.files(__package__).joinpath("data", "iris.csv")
    with path.open("r", encoding="utf-8") as f:
        table = np.loadtxt(f, delimiter=",", skiprows=1, dtype=np.float64)
    return np.ascontiguousarray(table[:, :4]), table[:, 4].astype(np.int64)
