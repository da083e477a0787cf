"""K1–K3: k-means iterations and k-means++ seeding against scikit-learn and faiss."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import kmeans_agree, seeding_agree
from ..data import blobs, low_rank, sample_rows
from ..registry import Comparison, register

# Iterations per timed fit. Both sides run exactly this many (tol=0, and starting centers
# from which neither converges earlier: K1 needs 113 iterations, K2 57; the check compares
# n_iter), and the time per iteration is the fit's time / n_iter. A fit also has fixed
# costs (validation, the centering copy, the final assignment and inertia): 50 iterations
# spread them enough that the figure tracks the cost of an iteration (at 20, K1's fixed
# costs were a third of clustor's time per iteration).
MAX_ITER = 50
# Seeds drawn by K3.
K3_CLUSTERS = 256


# -- data ------------------------------------------------------------------------------------


def blobs_16d(quick: bool) -> dict[str, Any]:
    """K1/K3 data: 200k×16 (20k in quick mode) from 32 blobs; 32 sampled rows as init."""
    n = 20_000 if quick else 200_000
    X, _ = blobs(n, 16, 32, seed=0)
    # Seed 5: at both sizes no cluster empties (faiss splits an empty cluster, scikit-learn
    # moves a far point into it: the runs would part ways) and Lloyd needs > 60 iterations.
    init = sample_rows(X, 32, seed=5)
    return {
        "X": X,
        "X32": X.astype(np.float32),
        "init": init,
        "init32": init.astype(np.float32),
        # K3's number of seeds (fewer in quick mode: scikit-learn's seeding is the slow side).
        "n_seeds": 64 if quick else K3_CLUSTERS,
    }


def mnist_like(quick: bool) -> dict[str, Any]:
    """K2 data: 60k×784 (6k in quick mode), rank 20 plus noise, 10 latent clusters."""
    n = 6_000 if quick else 60_000
    X, _ = low_rank(n, 784, rank=20, clusters=10, seed=0)
    return {"X": X, "init": sample_rows(X, 10, seed=1)}


# -- runners ---------------------------------------------------------------------------------


def _fit_out(km: Any) -> dict[str, Any]:
    return {
        "labels": km.labels_,
        "centers": km.cluster_centers_,
        "inertia": float(km.inertia_),
        "n_iter": int(km.n_iter_),
    }


def clustor_lloyd(x_key: str, init_key: str):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        from clustor import KMeans

        init = data[init_key]
        km = KMeans(
            init.shape[0],
            init=init,
            n_init=1,
            max_iter=MAX_ITER,
            tol=0.0,
            algorithm="lloyd",
            n_threads=threads,
        )
        return _fit_out(km.fit(data[x_key]))

    return run


def sklearn_lloyd(x_key: str, init_key: str):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        # Threads: scikit-learn's OpenMP pool follows the process-wide threadpoolctl limit
        # set by the runner.
        from sklearn.cluster import KMeans

        init = data[init_key]
        km = KMeans(
            init.shape[0], init=init, n_init=1, max_iter=MAX_ITER, tol=0.0, algorithm="lloyd"
        )
        return _fit_out(km.fit(data[x_key]))

    return run


def faiss_lloyd(x_key: str, init_key: str):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        import faiss

        faiss.omp_set_num_threads(threads)
        X, init = data[x_key], data[init_key]
        n, d = X.shape
        km = faiss.Kmeans(
            d,
            init.shape[0],
            niter=MAX_ITER,
            nredo=1,
            verbose=False,
            # faiss subsamples to k × max_points_per_centroid rows by default: use all.
            max_points_per_centroid=n,
            min_points_per_centroid=1,
        )
        if hasattr(km.cp, "early_stop_threshold"):
            # Newer faiss stops once the objective stalls (f32 can stall early); run all.
            km.cp.early_stop_threshold = -1.0
        km.train(X, init_centroids=init)
        # faiss reports the objective of the last assignment (before the last update) and
        # no labels; the check recomputes the inertia of the final centers for both sides.
        return {
            "labels": None,
            "centers": km.centroids,
            "inertia": None,
            "n_iter": len(km.iteration_stats),
        }

    return run


def clustor_plusplus(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from clustor import kmeans_plusplus

    centers, idx = kmeans_plusplus(data["X"], data["n_seeds"], random_state=0, n_threads=threads)
    return {"centers": centers, "indices": idx}


def sklearn_plusplus(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from sklearn.cluster import kmeans_plusplus

    centers, idx = kmeans_plusplus(data["X"], data["n_seeds"], random_state=0)
    return {"centers": centers, "indices": idx}


# -- registry --------------------------------------------------------------------------------

register(
    Comparison(
        id="K1",
        description=f"KMeans lloyd 200k×16 k=32 f64, per iter ({MAX_ITER} it)",
        data=blobs_16d,
        data_key="blobs_16d",
        clustor=clustor_lloyd("X", "init"),
        peer_name="sklearn",
        peer=sklearn_lloyd("X", "init"),
        check=kmeans_agree(1e-6),
        target=0.5,
        per_iteration=True,
    ),
    Comparison(
        id="K1/f32",
        description=f"KMeans lloyd 200k×16 k=32 f32, per iter ({MAX_ITER} it)",
        data=blobs_16d,
        data_key="blobs_16d",
        clustor=clustor_lloyd("X32", "init32"),
        peer_name="faiss",
        peer=faiss_lloyd("X32", "init32"),
        # f32 rounding differs between the two kernels: compare the objective only.
        check=kmeans_agree(1e-3, require_labels=False),
        target=1.0,
        per_iteration=True,
        requires=("faiss",),
    ),
    Comparison(
        id="K2",
        description=f"KMeans lloyd 60k×784 rank 20 k=10 f64, per iter ({MAX_ITER} it)",
        data=mnist_like,
        data_key="mnist_like",
        clustor=clustor_lloyd("X", "init"),
        peer_name="sklearn",
        peer=sklearn_lloyd("X", "init"),
        check=kmeans_agree(1e-6),
        target=0.4,
        per_iteration=True,
    ),
    Comparison(
        id="K3",
        description=f"k-means++ init 200k×16 k={K3_CLUSTERS} f64",
        data=blobs_16d,
        data_key="blobs_16d",
        clustor=clustor_plusplus,
        peer_name="sklearn",
        peer=sklearn_plusplus,
        # Different generators pick different seeds: compare the quality of the seeding.
        check=seeding_agree(0.10),
        target=0.25,
    ),
)
