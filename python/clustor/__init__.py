"""clustor: clustering for Python with Rust kernels.

scikit-learn-compatible estimators (``clustor.KMeans``), the seed toolkit's functional API
(``clustor.kmeans(X, k)``), thread control, and validation metrics.
"""

from . import datasets, hierarchy, metrics
from ._core import __version__
from ._threads import _register_threadpoolctl, get_num_threads, num_threads, set_num_threads
from .cluster import (
    DBSCAN,
    OPTICS,
    AffinityPropagation,
    AgglomerativeClustering,
    Birch,
    BisectingKMeans,
    KMeans,
    MiniBatchKMeans,
    affinity_propagation,
    birch,
    bisecting_kmeans,
    cluster_optics_dbscan,
    cluster_optics_xi,
    compute_optics_graph,
    dbscan,
    kmeans,
    kmeans_plusplus,
    optics,
)
from .exceptions import ConvergenceWarning, NotFittedError
from .hierarchy import hac_dendrogram, linkage
from .metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
    silhouette_score,
)
from .mixture import GaussianMixture, gaussian_mixture

__all__ = [
    "DBSCAN",
    "OPTICS",
    "AffinityPropagation",
    "AgglomerativeClustering",
    "Birch",
    "BisectingKMeans",
    "ConvergenceWarning",
    "GaussianMixture",
    "KMeans",
    "MiniBatchKMeans",
    "NotFittedError",
    "__version__",
    "adjusted_rand_score",
    "affinity_propagation",
    "birch",
    "bisecting_kmeans",
    "calinski_harabasz_score",
    "cluster_optics_dbscan",
    "cluster_optics_xi",
    "compute_optics_graph",
    "datasets",
    "davies_bouldin_score",
    "dbscan",
    "gaussian_mixture",
    "get_num_threads",
    "hac_dendrogram",
    "hierarchy",
    "kmeans",
    "kmeans_plusplus",
    "linkage",
    "metrics",
    "num_threads",
    "optics",
    "set_num_threads",
    "silhouette_samples",
    "silhouette_score",
]

_register_threadpoolctl()
