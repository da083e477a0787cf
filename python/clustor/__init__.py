"""clustor: clustering for Python with Rust kernels.

scikit-learn-compatible estimators (``clustor.KMeans``), the seed toolkit's functional API
(``clustor.kmeans(X, k)``), thread control, and validation metrics.
"""

from ._core import __version__
from ._threads import _register_threadpoolctl, get_num_threads, num_threads, set_num_threads
from .cluster import KMeans, kmeans, kmeans_plusplus
from .exceptions import ConvergenceWarning, NotFittedError

__all__ = [
    "ConvergenceWarning",
    "KMeans",
    "NotFittedError",
    "__version__",
    "get_num_threads",
    "kmeans",
    "kmeans_plusplus",
    "num_threads",
    "set_num_threads",
]

_register_threadpoolctl()
