"""Clustering estimators and their functional forms."""

from ._kmeans import KMeans, kmeans, kmeans_plusplus

__all__ = ["KMeans", "kmeans", "kmeans_plusplus"]
