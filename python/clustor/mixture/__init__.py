"""Mixture models: :class:`GaussianMixture` and its functional form."""

from ._gaussian import GaussianMixture, gaussian_mixture

__all__ = ["GaussianMixture", "gaussian_mixture"]
