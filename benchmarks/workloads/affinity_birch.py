"""A1: AffinityPropagation 3k×8, damping 0.9; B1: Birch 200k×8, threshold 1.0, n_clusters 20
(peak memory; scikit-learn's global step runs out of memory there); B2: the same Birch with
n_clusters None, against scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import blobs
from ..registry import Comparison, register


def ap_3k(quick: bool) -> dict[str, Any]:
    """3k×8 (600 in quick mode) from 20 blobs."""
    X, _ = blobs(600 if quick else 3_000, 8, 20, seed=7)
    return {"X": X}


def birch_200k(quick: bool) -> dict[str, Any]:
    """200k×8 (20k in quick mode) from 20 blobs."""
    X, _ = blobs(20_000 if quick else 200_000, 8, 20, seed=8)
    return {"X": X}


def clustor_ap(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from clustor import AffinityPropagation

    ap = AffinityPropagation(damping=0.9, random_state=0).fit(data["X"])
    return {"labels": ap.labels_, "exemplars": ap.cluster_centers_indices_, "n_iter": ap.n_iter_}


def sklearn_ap(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from sklearn.cluster import AffinityPropagation

    ap = AffinityPropagation(damping=0.9, random_state=0).fit(data["X"])
    return {"labels": ap.labels_, "exemplars": ap.cluster_centers_indices_, "n_iter": ap.n_iter_}


def same_ap(data: dict[str, Any], ours: dict[str, Any], peer: dict[str, Any]) -> tuple[bool, str]:
    same = np.array_equal(ours["labels"], peer["labels"]) and np.array_equal(
        ours["exemplars"], peer["exemplars"]
    )
    return (
        bool(same and ours["n_iter"] == peer["n_iter"]),
        f"labels and exemplars identical: {same}; n_iter {ours['n_iter']} vs {peer['n_iter']}; "
        f"{len(ours['exemplars'])} exemplars",
    )


def clustor_birch(n_clusters: int | None):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        from clustor import Birch

        b = Birch(threshold=1.0, n_clusters=n_clusters).fit(data["X"])
        return {
            "centers": b.subcluster_centers_,
            "labels": b.labels_,
            "subcluster_labels": b.subcluster_labels_,
        }

    return run


def sklearn_birch(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from sklearn.cluster import Birch

    b = Birch(threshold=1.0, n_clusters=None).fit(data["X"])
    return {"centers": b.subcluster_centers_, "labels": b.labels_}


def same_subclusters(
    data: dict[str, Any], ours: dict[str, Any], peer: dict[str, Any]
) -> tuple[bool, str]:
    a, b = ours["centers"], peer["centers"]
    if a.shape != b.shape:
        return False, f"subclusters {a.shape[0]} vs {b.shape[0]}"
    diff = float(np.max(np.abs(a - b)))
    return diff <= 1e-10, f"{a.shape[0]} subclusters, max center diff {diff:.1e}"


def global_step_sound(
    data: dict[str, Any], ours: dict[str, Any], peer: dict[str, Any]
) -> tuple[bool, str]:
    """B1: the tree is scikit-learn's, and the 20-cluster global step labels every
    subcluster and sample (20 distinct clusters, each sample in its subcluster's cluster)."""
    ok, detail = same_subclusters(data, ours, peer)
    sub = ours["subcluster_labels"]
    k = len(np.unique(sub))
    consistent = np.array_equal(ours["labels"], sub[peer["labels"]])
    return (
        ok and k == 20 and consistent,
        f"{detail}; {k} clusters; labels follow subclusters: {consistent}",
    )


register(
    Comparison(
        id="A1",
        description="AffinityPropagation 3k×8 f64, damping 0.9",
        data=ap_3k,
        data_key="ap_3k",
        clustor=clustor_ap,
        peer_name="sklearn",
        peer=sklearn_ap,
        check=same_ap,
        target=0.33,
        requires=("sklearn",),
    ),
    Comparison(
        id="B1",
        description="Birch 200k×8 f64, threshold 1.0, n_clusters 20 (peak memory; sklearn "
        "raises MemoryError, so its n_clusters=None fit is the reference)",
        data=birch_200k,
        data_key="birch_200k",
        clustor=clustor_birch(20),
        peer_name="sklearn (n_clusters=None)",
        peer=sklearn_birch,
        check=global_step_sound,
        target=float("inf"),
        requires=("sklearn",),
        measure_memory=True,
    ),
    Comparison(
        id="B2",
        description="Birch 200k×8 f64, threshold 1.0, n_clusters None",
        data=birch_200k,
        data_key="birch_200k",
        clustor=clustor_birch(None),
        peer_name="sklearn",
        peer=sklearn_birch,
        check=same_subclusters,
        target=0.2,
        requires=("sklearn",),
    ),
)
