"""Clustering estimators and their functional forms."""

from ._dbscan import DBSCAN, dbscan
from ._kmeans import KMeans, kmeans, kmeans_plusplus

__all__ = ["DBSCAN", "KMeans", "dbscan", "kmeans", "kmeans_plusplus"]
