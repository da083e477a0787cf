"""Clustering estimators and their functional forms."""

from ._agglomerative import AgglomerativeClustering
from ._bisecting import BisectingKMeans, bisecting_kmeans
from ._kmeans import KMeans, kmeans, kmeans_plusplus
from ._minibatch import MiniBatchKMeans

__all__ = [
    "AgglomerativeClustering",
    "BisectingKMeans",
    "KMeans",
    "MiniBatchKMeans",
    "bisecting_kmeans",
    "kmeans",
    "kmeans_plusplus",
]
