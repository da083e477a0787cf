"""clustor: clustering for Python with Rust kernels.

scikit-learn-compatible estimators (``clustor.KMeans``), the seed toolkit's functional API
(``clustor.kmeans(X, k)``), thread control, and validation metrics.
"""

from . import datasets, metrics
from ._core import __version__
from ._threads import _register_threadpoolctl, get_num_threads, num_threads, set_num_threads
from .cluster import DBSCAN, KMeans, dbscan, kmeans, kmeans_plusplus
from .exceptions import ConvergenceWarning, NotFittedError
from .metrics import adjusted_rand_score, silhouette_samples, silhouette_score

__all__ = [
    "DBSCAN",
    "ConvergenceWarning",
    "KMeans",
    "NotFittedError",
    "__version__",
    "adjusted_rand_score",
    "datasets",
    "dbscan",
    "get_num_threads",
    "kmeans",
    "kmeans_plusplus",
    "metrics",
    "num_threads",
    "set_num_threads",
    "silhouette_samples",
    "silhouette_score",
]

_register_threadpoolctl()
