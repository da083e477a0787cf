"""M1–M3: validation metrics against scikit-learn (silhouette, CH / DB, AMI)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checks import rel_diff
from ..data import blobs
from ..registry import Comparison, register

# -- data ------------------------------------------------------------------------------------


def silhouette_data(quick: bool) -> dict[str, Any]:
    """M1: 20k×16 (4k in quick mode) from 10 blobs, labelled by blob."""
    n = 4_000 if quick else 20_000
    X, y = blobs(n, 16, 10, seed=0)
    return {"X": X, "labels": y}


def dispersion_data(quick: bool) -> dict[str, Any]:
    """M2: 1M×16 (100k in quick mode) from 10 blobs, labelled by blob."""
    n = 100_000 if quick else 1_000_000
    X, y = blobs(n, 16, 10, seed=1)
    return {"X": X, "labels": y}


def ami_data(quick: bool) -> dict[str, Any]:
    """M3: two labelings of 1M samples (100k in quick mode), 1,000 clusters each (100):
    a noisy copy, so that the scores are neither 0 nor 1."""
    n, k = (100_000, 100) if quick else (1_000_000, 1_000)
    rng = np.random.default_rng(2)
    true = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.5, true, rng.integers(0, k, n))
    return {"true": true, "pred": pred}


# -- runners ---------------------------------------------------------------------------------


def _score(module: str, name: str, *keys: str, threaded: bool = True):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        import importlib

        f = getattr(importlib.import_module(module), name)
        kwargs = {"n_threads": threads} if threaded else {}
        return {"score": float(f(*(data[k] for k in keys), **kwargs))}

    return run


def scores_agree(tol: float):
    def check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
        r = rel_diff(a["score"], b["score"])
        return r <= tol, f"score {a['score']:.12g} vs {b['score']:.12g} (rel diff {r:.1e})"

    return check


# -- registry --------------------------------------------------------------------------------

register(
    Comparison(
        id="M1",
        description="silhouette_score 20k×16, 10 labels, euclidean",
        data=silhouette_data,
        data_key="silhouette_20k",
        clustor=_score("clustor.metrics", "silhouette_score", "X", "labels"),
        peer_name="sklearn",
        peer=_score("sklearn.metrics", "silhouette_score", "X", "labels", threaded=False),
        check=scores_agree(1e-12),
        target=0.2,
    ),
    Comparison(
        id="M2/ch",
        description="calinski_harabasz_score 1M×16, 10 labels",
        data=dispersion_data,
        data_key="dispersion_1m",
        clustor=_score("clustor.metrics", "calinski_harabasz_score", "X", "labels"),
        peer_name="sklearn",
        peer=_score("sklearn.metrics", "calinski_harabasz_score", "X", "labels", threaded=False),
        check=scores_agree(1e-12),
        target=0.5,
    ),
    Comparison(
        id="M2/db",
        description="davies_bouldin_score 1M×16, 10 labels",
        data=dispersion_data,
        data_key="dispersion_1m",
        clustor=_score("clustor.metrics", "davies_bouldin_score", "X", "labels"),
        peer_name="sklearn",
        peer=_score("sklearn.metrics", "davies_bouldin_score", "X", "labels", threaded=False),
        check=scores_agree(1e-12),
        target=0.5,
    ),
    Comparison(
        id="M3",
        description="adjusted_mutual_info_score 1M labels, 1,000 × 1,000 clusters",
        data=ami_data,
        data_key="ami_1m",
        clustor=_score("clustor.metrics", "adjusted_mutual_info_score", "true", "pred"),
        peer_name="sklearn",
        peer=_score(
            "sklearn.metrics", "adjusted_mutual_info_score", "true", "pred", threaded=False
        ),
        check=scores_agree(1e-10),
        target=0.5,
    ),
)
