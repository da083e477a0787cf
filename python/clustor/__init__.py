"""clustor: clustering for Python with Rust kernels.

scikit-learn-compatible estimators (``clustor.KMeans``), the seed toolkit's functional API
(``clustor.kmeans(X, k)``), thread control, and validation metrics.
"""

from . import datasets, hierarchy, metrics
from ._core import __version__
from ._threads import _register_threadpoolctl, get_num_threads, num_threads, set_num_threads
from .cluster import (
    AffinityPropagation,
    AgglomerativeClustering,
    Birch,
    KMeans,
    affinity_propagation,
    birch,
    kmeans,
    kmeans_plusplus,
)
from .exceptions import ConvergenceWarning, NotFittedError
from .hierarchy import hac_dendrogram, linkage
from .metrics import adjusted_rand_score, silhouette_samples, silhouette_score

__all__ = [
    "AffinityPropagation",
    "AgglomerativeClustering",
    "Birch",
    "ConvergenceWarning",
    "KMeans",
    "NotFittedError",
    "__version__",
    "adjusted_rand_score",
    "affinity_propagation",
    "birch",
    "datasets",
    "get_num_threads",
    "hac_dendrogram",
    "hierarchy",
    "kmeans",
    "kmeans_plusplus",
    "linkage",
    "metrics",
    "num_threads",
    "set_num_threads",
    "silhouette_samples",
    "silhouette_score",
]

_register_threadpoolctl()
