"""K4–K5: MiniBatchKMeans and BisectingKMeans against scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import closest_sq_dists, rel_diff, same_partition
from ..data import blobs, sample_rows
from ..registry import Comparison, register
from .kmeans import blobs_16d  # K5 runs on K1's data (200k×16, 32 blobs)

# K4: one epoch of batches of 4096 (1M rows: 244 steps), no early stopping, so both sides
# run exactly the same number of steps from the same initial centers.
K4_BATCH = 4096
K4_CLUSTERS = 32
# K5's clusters.
K5_CLUSTERS = 32


def blobs_1m(quick: bool) -> dict[str, Any]:
    """K4 data: 1M×16 (50k in quick mode) from 32 blobs; 32 sampled rows as init."""
    n = 50_000 if quick else 1_000_000
    X, _ = blobs(n, 16, K4_CLUSTERS, seed=1)
    return {"X": X, "init": sample_rows(X, K4_CLUSTERS, seed=2)}


def _minibatch_params(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "n_clusters": K4_CLUSTERS,
        "init": data["init"],
        "n_init": 1,
        "batch_size": K4_BATCH,
        "max_iter": 1,
        "tol": 0.0,
        "max_no_improvement": None,
        "random_state": 0,
    }


def clustor_minibatch(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from clustor import MiniBatchKMeans

    km = MiniBatchKMeans(**_minibatch_params(data), n_threads=threads).fit(data["X"])
    return {"centers": km.cluster_centers_, "labels": km.labels_, "n_steps": km.n_steps_}


def sklearn_minibatch(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from sklearn.cluster import MiniBatchKMeans

    km = MiniBatchKMeans(**_minibatch_params(data)).fit(data["X"])
    return {"centers": km.cluster_centers_, "labels": km.labels_, "n_steps": km.n_steps_}


def minibatch_agree(tol_inertia: float):
    """Same number of steps, and final inertia (recomputed here) within ``tol_inertia``: the
    batches are random draws of two different generators, so the centers differ slightly."""

    def check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
        ia = float(closest_sq_dists(data["X"], a["centers"]).sum())
        ib = float(closest_sq_dists(data["X"], b["centers"]).sum())
        r = rel_diff(ia, ib)
        same = same_partition(a["labels"], b["labels"])
        notes = f"steps {a['n_steps']}/{b['n_steps']}, inertia rel diff {r:.1e}, " + (
            "labels same" if same else "labels differ"
        )
        return a["n_steps"] == b["n_steps"] and r <= tol_inertia, notes

    return check


def clustor_bisecting(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from clustor import BisectingKMeans

    km = BisectingKMeans(K5_CLUSTERS, random_state=0, n_threads=threads).fit(data["X"])
    return {"labels": km.labels_, "inertia": float(km.inertia_)}


def sklearn_bisecting(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from sklearn.cluster import BisectingKMeans

    km = BisectingKMeans(K5_CLUSTERS, random_state=0).fit(data["X"])
    return {"labels": km.labels_, "inertia": float(km.inertia_)}


def bisecting_agree(tol_inertia: float, min_ari: float):
    """Random seedings of two generators send a few greedy splits through different blobs:
    require the same number of clusters, inertia within ``tol_inertia`` and an adjusted
    Rand index of at least ``min_ari`` between the two partitions."""

    def check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
        from sklearn.metrics import adjusted_rand_score

        ari = adjusted_rand_score(a["labels"], b["labels"])
        r = rel_diff(a["inertia"], b["inertia"])
        k = (len(np.unique(a["labels"])), len(np.unique(b["labels"])))
        ok = k[0] == k[1] and r <= tol_inertia and ari >= min_ari
        return ok, f"clusters {k[0]}/{k[1]}, inertia rel diff {r:.1e}, ARI {ari:.4f}"

    return check


register(
    Comparison(
        id="K4",
        description=f"MiniBatchKMeans 1M×16 k={K4_CLUSTERS} batch {K4_BATCH}, 1 epoch",
        data=blobs_1m,
        data_key="blobs_1m",
        clustor=clustor_minibatch,
        peer_name="sklearn",
        peer=sklearn_minibatch,
        check=minibatch_agree(0.02),
        target=0.33,
    ),
    Comparison(
        id="K5",
        description=f"BisectingKMeans 200k×16 k={K5_CLUSTERS}",
        data=blobs_16d,
        data_key="blobs_16d",
        clustor=clustor_bisecting,
        peer_name="sklearn",
        peer=sklearn_bisecting,
        check=bisecting_agree(0.15, 0.95),
        target=0.5,
    ),
)
