"""Small data sets: Iris (bundled) and synthetic generators (NumPy only).

Each returns ``(X, y)``: float64 samples and int64 reference labels.
"""

from ._bundled import load_iris
from ._generators import make_blobs, make_varying_density

__all__ = ["load_iris", "make_blobs", "make_varying_density"]
