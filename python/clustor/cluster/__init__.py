"""Clustering estimators and their functional forms."""

from ._affinity import AffinityPropagation, affinity_propagation
from ._agglomerative import AgglomerativeClustering
from ._birch import Birch, birch
from ._bisecting import BisectingKMeans, bisecting_kmeans
from ._dbscan import DBSCAN, dbscan
from ._kmeans import KMeans, kmeans, kmeans_plusplus
from ._minibatch import MiniBatchKMeans
from ._optics import OPTICS, cluster_optics_dbscan, cluster_optics_xi, compute_optics_graph, optics

__all__ = [
    "DBSCAN",
    "OPTICS",
    "AffinityPropagation",
    "AgglomerativeClustering",
    "Birch",
    "BisectingKMeans",
    "KMeans",
    "MiniBatchKMeans",
    "affinity_propagation",
    "birch",
    "bisecting_kmeans",
    "cluster_optics_dbscan",
    "cluster_optics_xi",
    "compute_optics_graph",
    "dbscan",
    "kmeans",
    "kmeans_plusplus",
    "optics",
]
