"""H1–H3: linkage (ward, average, single) of 10k×16 observations against fastcluster and
SciPy, plus the memory run: ward on 100k×8 observations without the condensed matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import blobs
from ..registry import Comparison, register


def obs_10k(quick: bool) -> dict[str, Any]:
    """10k×16 (2k in quick mode) from 20 blobs."""
    X, _ = blobs(2_000 if quick else 10_000, 16, 20, seed=0)
    return {"X": X}


def obs_100k(quick: bool) -> dict[str, Any]:
    """100k×8 (10k in quick mode) from 20 blobs."""
    X, _ = blobs(10_000 if quick else 100_000, 8, 20, seed=1)
    return {"X": X}


def clustor_linkage(method: str):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        from clustor.hierarchy import linkage

        return {"Z": linkage(data["X"], method, n_threads=threads)}

    return run


def fastcluster_linkage(method: str):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        import fastcluster

        # From observations: fastcluster computes the distance matrix (SciPy's pdist), then
        # the linkage, the same work as clustor's call.
        return {"Z": fastcluster.linkage(data["X"], method=method, metric="euclidean")}

    return run


def fastcluster_linkage_vector(method: str):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        import fastcluster

        # fastcluster's memory-saving routine (no distance matrix).
        return {"Z": fastcluster.linkage_vector(data["X"], method=method)}

    return run


def scipy_linkage(method: str):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        from scipy.cluster.hierarchy import linkage

        return {"Z": linkage(data["X"], method=method, metric="euclidean")}

    return run


def same_linkage(rtol: float):
    """Same merges (ids) and sizes; distances within ``rtol``."""

    def check(data: dict[str, Any], ours: dict[str, Any], peer: dict[str, Any]) -> tuple[bool, str]:
        a, b = np.asarray(ours["Z"]), np.asarray(peer["Z"])
        if a.shape != b.shape:
            return False, f"shapes {a.shape} vs {b.shape}"
        ids = int(np.count_nonzero((a[:, [0, 1, 3]] != b[:, [0, 1, 3]]).any(axis=1)))
        scale = np.maximum(np.abs(a[:, 2]), np.abs(b[:, 2]))
        rel = float(np.max(np.abs(a[:, 2] - b[:, 2]) / np.where(scale == 0, 1, scale)))
        ok = ids == 0 and rel <= rtol
        return ok, f"rows with other merges: {ids}; max rel. distance diff {rel:.1e}"

    return check


_ROWS = []
for hid, method in (("H1", "ward"), ("H2", "average"), ("H3", "single")):
    _ROWS.append(
        Comparison(
            id=hid,
            description=f"linkage {method}, 10k×16 f64 (observations)",
            data=obs_10k,
            data_key="obs_10k",
            clustor=clustor_linkage(method),
            peer_name="fastcluster",
            peer=fastcluster_linkage(method),
            check=same_linkage(1e-9),
            target=1.0,
            requires=("fastcluster",),
        )
    )
    _ROWS.append(
        Comparison(
            id=f"{hid}/scipy",
            description=f"linkage {method}, 10k×16 f64 (observations)",
            data=obs_10k,
            data_key="obs_10k",
            clustor=clustor_linkage(method),
            peer_name="scipy",
            peer=scipy_linkage(method),
            check=same_linkage(1e-9),
            target=1.0,
            requires=("scipy",),
        )
    )

register(
    *_ROWS,
    Comparison(
        id="HM",
        description="linkage ward, 100k×8 f64, no distance matrix (peak memory)",
        data=obs_100k,
        data_key="obs_100k",
        clustor=clustor_linkage("ward"),
        peer_name="fastcluster.linkage_vector",
        peer=fastcluster_linkage_vector("ward"),
        check=same_linkage(1e-9),
        target=1.0,
        requires=("fastcluster",),
        measure_memory=True,
    ),
)
