"""Clustering estimators and their functional forms."""

from ._agglomerative import AgglomerativeClustering
from ._kmeans import KMeans, kmeans, kmeans_plusplus
from ._affinity import AffinityPropagation, affinity_propagation
from ._birch import Birch, birch

__all__ = [
    "AgglomerativeClustering",
    "KMeans",
    "kmeans",
    "kmeans_plusplus",
    "AffinityPropagation",
    "affinity_propagation",
    "Birch",
    "birch",
]
