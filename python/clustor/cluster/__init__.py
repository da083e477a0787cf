"""Clustering estimators and their functional forms."""

from ._affinity import AffinityPropagation, affinity_propagation
from ._agglomerative import AgglomerativeClustering
from ._birch import Birch, birch
from ._kmeans import KMeans, kmeans, kmeans_plusplus

__all__ = [
    "AffinityPropagation",
    "AgglomerativeClustering",
    "Birch",
    "KMeans",
    "affinity_propagation",
    "birch",
    "kmeans",
    "kmeans_plusplus",
]
