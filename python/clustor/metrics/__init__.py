"""Clustering metrics.

Internal (from the data and the labels), computed in Rust without an n × n matrix:

- :func:`silhouette_score`, :func:`silhouette_samples`: cohesion against separation.
- :func:`calinski_harabasz_score`, :func:`davies_bouldin_score`: dispersion ratios.

External (agreement of two labelings, from their contingency table):

- :func:`adjusted_rand_score`, :func:`rand_score`, :func:`pair_confusion_matrix`,
  :func:`fowlkes_mallows_score`: pair counting.
- :func:`mutual_info_score`, :func:`normalized_mutual_info_score`,
  :func:`adjusted_mutual_info_score` (its expected mutual information in Rust),
  :func:`homogeneity_score`, :func:`completeness_score`, :func:`v_measure_score`,
  :func:`homogeneity_completeness_v_measure`: information theory.
- :func:`contingency_matrix`.

Values equal scikit-learn's (to rounding), and errors use scikit-learn's messages. As in
scikit-learn, a label -1 is an ordinary cluster; the internal metrics take
``exclude_noise=True`` to leave noise out, as the seed toolkit did.
"""

from ._external import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    completeness_score,
    contingency_matrix,
    fowlkes_mallows_score,
    homogeneity_completeness_v_measure,
    homogeneity_score,
    mutual_info_score,
    normalized_mutual_info_score,
    pair_confusion_matrix,
    rand_score,
    v_measure_score,
)
from ._internal import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
    silhouette_score,
)

__all__ = [
    "adjusted_mutual_info_score",
    "adjusted_rand_score",
    "calinski_harabasz_score",
    "completeness_score",
    "contingency_matrix",
    "davies_bouldin_score",
    "fowlkes_mallows_score",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "pair_confusion_matrix",
    "rand_score",
    "silhouette_samples",
    "silhouette_score",
    "v_measure_score",
]
