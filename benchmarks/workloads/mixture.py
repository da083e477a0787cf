"""G1–G2: GaussianMixture EM iterations against scikit-learn (plus tied and spherical)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..checks import rel_diff
from ..data import blobs, sample_rows
from ..registry import Comparison, register

# EM iterations per timed fit: both sides start from the same weights, means and
# precisions, with tol=0, and run exactly this many (the check compares n_iter and every
# iteration's lower bound). A fit also runs one final E-step (for the labels): the time per
# iteration is the fit's time / n_iter on both sides. scikit-learn's full and tied E-steps
# take seconds per iteration here, hence fewer iterations for them.
ITERS = {"diag": 10, "spherical": 10, "full": 5, "tied": 5}
K = 16


def mixture_16d(quick: bool) -> dict[str, Any]:
    """200k×16 (20k in quick mode) from 16 blobs; 16 sampled rows as initial means."""
    n = 20_000 if quick else 200_000
    X, _ = blobs(n, 16, K, seed=0)
    means = sample_rows(X, K, seed=3)
    var = X.var(axis=0)
    return {
        "X": X,
        "weights": np.full(K, 1.0 / K),
        "means": means,
        "precisions": {
            "full": np.stack([np.diag(1.0 / var)] * K),
            "tied": np.diag(1.0 / var),
            "diag": np.tile(1.0 / var, (K, 1)),
            "spherical": np.full(K, 1.0 / var.mean()),
        },
    }


def _params(data: dict[str, Any], cov_type: str) -> dict[str, Any]:
    return {
        "n_components": K,
        "covariance_type": cov_type,
        "tol": 0.0,
        "max_iter": ITERS[cov_type],
        "weights_init": data["weights"],
        "means_init": data["means"],
        "precisions_init": data["precisions"][cov_type],
    }


def _out(gm: Any) -> dict[str, Any]:
    return {
        "n_iter": int(gm.n_iter_),
        "lower_bounds": np.asarray(gm.lower_bounds_, dtype=np.float64),
        "means": np.asarray(gm.means_, dtype=np.float64),
        "covariances": np.asarray(gm.covariances_, dtype=np.float64),
        "weights": np.asarray(gm.weights_, dtype=np.float64),
    }


def clustor_gmm(cov_type: str):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        from clustor import GaussianMixture

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tol=0: "did not converge" by design
            gm = GaussianMixture(**_params(data, cov_type), n_threads=threads).fit(data["X"])
        return _out(gm)

    return run


def sklearn_gmm(cov_type: str):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        from sklearn.mixture import GaussianMixture

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gm = GaussianMixture(**_params(data, cov_type)).fit(data["X"])
        return _out(gm)

    return run


def mixture_agree(tol_bound: float, tol_params: float):
    """Same n_iter, every iteration's lower bound within ``tol_bound`` (relative), final
    weights, means and covariances within ``tol_params`` (relative to their largest value)."""

    def check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
        ok = a["n_iter"] == b["n_iter"] and len(a["lower_bounds"]) == len(b["lower_bounds"])
        bound = max(
            (rel_diff(x, y) for x, y in zip(a["lower_bounds"], b["lower_bounds"])), default=0.0
        )
        notes = [f"n_iter {a['n_iter']}/{b['n_iter']}", f"lower bounds rel diff {bound:.1e}"]
        ok = ok and bound <= tol_bound
        for key in ("weights", "means", "covariances"):
            pa, pb = a[key], b[key]
            scale = max(float(np.abs(pb).max()), np.finfo(np.float64).tiny)
            diff = float(np.abs(pa - pb).max()) / scale if pa.shape == pb.shape else np.inf
            notes.append(f"{key} {diff:.1e}")
            ok = ok and diff <= tol_params
        return ok, ", ".join(notes)

    return check


def _comparison(id_: str, cov_type: str, target: float) -> Comparison:
    return Comparison(
        id=id_,
        description=f"GaussianMixture {cov_type} 200k×16 k={K} f64, per EM iter "
        f"({ITERS[cov_type]} it)",
        data=mixture_16d,
        data_key="mixture_16d",
        clustor=clustor_gmm(cov_type),
        peer_name="sklearn",
        peer=sklearn_gmm(cov_type),
        check=mixture_agree(1e-8, 1e-6),
        target=target,
        per_iteration=True,
    )


register(
    _comparison("G1", "diag", 0.25),
    _comparison("G1/spherical", "spherical", 0.25),
    _comparison("G2", "full", 0.25),
    _comparison("G2/tied", "tied", 0.25),
)
