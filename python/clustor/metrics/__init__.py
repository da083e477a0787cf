"""Clustering metrics.

- :func:`adjusted_rand_score`: agreement with reference labels, adjusted for chance.
- :func:`silhouette_score`, :func:`silhouette_samples`: cohesion against separation,
  computed in Rust without an n × n distance matrix.

Values equal scikit-learn's (to rounding), and errors use scikit-learn's messages.
"""

from ._external import adjusted_rand_score
from ._internal import silhouette_samples, silhouette_score

__all__ = ["adjusted_rand_score", "silhouette_samples", "silhouette_score"]
