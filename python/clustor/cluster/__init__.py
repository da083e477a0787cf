"""Clustering estimators and their functional forms."""

from ._agglomerative import AgglomerativeClustering
from ._kmeans import KMeans, kmeans, kmeans_plusplus

__all__ = ["AgglomerativeClustering", "KMeans", "kmeans", "kmeans_plusplus"]
