"""D3: OPTICS (ordering and ξ extraction) against scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import blobs
from ..registry import Comparison, register

MIN_SAMPLES = 10


def blobs_2d(quick: bool) -> dict[str, Any]:
    """D3 data: 20k×2 (2k in quick mode) from 10 unit-variance blobs."""
    n = 2_000 if quick else 20_000
    X, _ = blobs(n, 2, 10, seed=0)
    return {"X": X}


def _out(est: Any) -> dict[str, Any]:
    return {
        "ordering": est.ordering_,
        "core_distances": est.core_distances_,
        "reachability": est.reachability_,
        "predecessor": est.predecessor_,
        "labels": est.labels_,
    }


def clustor_optics(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from clustor import OPTICS

    return _out(OPTICS(min_samples=MIN_SAMPLES, n_threads=threads).fit(data["X"]))


def sklearn_optics(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from sklearn.cluster import OPTICS

    return _out(OPTICS(min_samples=MIN_SAMPLES, n_jobs=threads).fit(data["X"]))


def optics_agree(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    """Identical ordering, predecessors and labels; distances equal to 1e-12 relative."""
    same = {k: bool(np.array_equal(a[k], b[k])) for k in ("ordering", "predecessor", "labels")}
    close = {
        k: bool(np.allclose(a[k], b[k], rtol=1e-12, atol=0))
        for k in ("core_distances", "reachability")
    }
    ok = all(same.values()) and all(close.values())
    bad = [k for k, v in {**same, **close}.items() if not v]
    clusters = int(a["labels"].max()) + 1
    return ok, (f"{clusters} clusters, all arrays equal" if ok else f"differ: {', '.join(bad)}")


register(
    Comparison(
        id="D3",
        description=f"OPTICS 20k×2, min_samples {MIN_SAMPLES}, max_eps inf, xi",
        data=blobs_2d,
        data_key="blobs_2d_20k",
        clustor=clustor_optics,
        peer_name="sklearn",
        peer=sklearn_optics,
        check=optics_agree,
        target=0.05,
    ),
)
