"""Fixed-seed synthetic data sets shared by the workloads (BENCHMARKS.md, "Data")."""

from __future__ import annotations

import numpy as np


def blobs(
    n: int, d: int, centers: int, seed: int, sd: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs: centers uniform in [-10, 10]^d, standard deviation ``sd``, each sample
    in a uniformly drawn blob. Returns (X float64 n×d, true labels)."""
    rng = np.random.default_rng(seed)
    c = rng.uniform(-10.0, 10.0, size=(centers, d))
    labels = rng.integers(0, centers, size=n)
    X = c[labels] + sd * rng.standard_normal((n, d))
    return X, labels


def low_rank(
    n: int, d: int, rank: int, clusters: int, seed: int, noise: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """ "MNIST-like": n×d data of intrinsic rank ``rank`` plus isotropic noise. Latent factors
    are Gaussian around ``clusters`` latent means (so k-means has structure to find but
    overlapping clusters, hence many iterations); a Gaussian loading matrix maps them to d
    features. Returns (X float64 n×d, latent cluster labels)."""
    rng = np.random.default_rng(seed)
    means = 2.0 * rng.standard_normal((clusters, rank))
    labels = rng.integers(0, clusters, size=n)
    z = means[labels] + rng.standard_normal((n, rank))
    loadings = rng.standard_normal((rank, d)) / np.sqrt(rank)
    X = z @ loadings + noise * rng.standard_normal((n, d))
    return np.ascontiguousarray(X), labels


def sample_rows(X: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k distinct rows of X (a copy), drawn with a fixed seed: the initial centers both sides get."""
    idx = np.random.default_rng(seed).choice(X.shape[0], size=k, replace=False)
    return np.ascontiguousarray(X[np.sort(idx)])
