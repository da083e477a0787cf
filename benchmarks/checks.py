"""Output agreement checks: a ratio is reported only when these pass."""

from __future__ import annotations

import numpy as np


def rel_diff(a: float, b: float) -> float:
    """|a − b| / max(|a|, |b|) (0 when both are 0)."""
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two labelings are the same partition up to renaming (adjusted Rand index 1)."""
    a = np.asarray(a).ravel()
    b = np.asarray(b).ravel()
    if a.shape != b.shape:
        return False
    pairs = np.unique(np.stack([a, b]), axis=1)
    # A bijection between label sets: each label of a meets one label of b and vice versa.
    return len(np.unique(pairs[0])) == pairs.shape[1] == len(np.unique(pairs[1]))


def fraction_same(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of samples with identical labels (for reporting small f32 differences)."""
    return float(np.mean(np.asarray(a) == np.asarray(b)))


def closest_sq_dists(X: np.ndarray, C: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """Squared distance (float64, direct differences) of every row of X to its closest row
    of C, computed in chunks: an independent referee for inertia and seeding potential."""
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(C, dtype=np.float64)
    out = np.empty(X.shape[0])
    cn = np.einsum("ij,ij->i", C, C)
    for s in range(0, X.shape[0], chunk):
        xs = X[s : s + chunk]
        # Expanded form to find the closest center, then the direct difference to it.
        j = np.argmin(cn[None, :] - 2.0 * xs @ C.T, axis=1)
        diff = xs - C[j]
        out[s : s + chunk] = np.einsum("ij,ij->i", diff, diff)
    return out


def kmeans_agree(tol_inertia: float, require_labels: bool = True):
    """Check for two k-means runs from the same initial centers: same n_iter, inertia within
    ``tol_inertia`` relative, and (when ``require_labels``) the same partition. The inertia
    of both final center sets is recomputed here in float64, so peers that report none (or
    report a pre-update value) are compared on equal terms."""

    def check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
        X = data["X"]
        ia = float(closest_sq_dists(X, a["centers"]).sum())
        ib = float(closest_sq_dists(X, b["centers"]).sum())
        r = rel_diff(ia, ib)
        notes = [f"n_iter {a['n_iter']}/{b['n_iter']}", f"inertia rel diff {r:.1e}"]
        ca, cb = np.asarray(a["centers"], np.float64), np.asarray(b["centers"], np.float64)
        if ca.shape == cb.shape:
            scale = max(float(np.abs(cb).max()), np.finfo(np.float64).tiny)
            notes.append(
                f"centers max diff {float(np.abs(ca - cb).max()) / scale:.1e} (rel. to max |c|)"
            )
        ok = a["n_iter"] == b["n_iter"] and r <= tol_inertia
        if a.get("labels") is not None and b.get("labels") is not None:
            same = same_partition(a["labels"], b["labels"])
            notes.append(
                "labels same"
                if same
                else f"labels {fraction_same(a['labels'], b['labels']):.5f} equal"
            )
            if require_labels:
                ok = ok and same
        if a.get("inertia") is not None and b.get("inertia") is not None:
            ri = rel_diff(a["inertia"], b["inertia"])
            notes.append(f"reported inertia rel diff {ri:.1e}")
            ok = ok and ri <= tol_inertia
        return ok, ", ".join(notes)

    return check


def seeding_agree(max_rel_potential: float):
    """Check for two seedings with different RNGs: all indices distinct, centers are the
    indexed rows, and the potentials (inertia of the seeding) within ``max_rel_potential``."""

    def check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
        X = data["X"]
        notes = []
        ok = True
        pots = []
        for name, out in (("clustor", a), ("peer", b)):
            idx = np.asarray(out["indices"])
            k = out["centers"].shape[0]
            distinct = len(np.unique(idx)) == len(idx) == k
            rows = np.array_equal(np.asarray(out["centers"]), X[idx].astype(out["centers"].dtype))
            if not (distinct and rows):
                ok = False
                notes.append(f"{name}: distinct={distinct} centers-are-rows={rows}")
            pots.append(float(closest_sq_dists(X, out["centers"]).sum()))
        r = rel_diff(*pots)
        notes.append(f"potential {pots[0]:.4g} vs {pots[1]:.4g} (rel diff {r:.1%})")
        return ok and r <= max_rel_potential, ", ".join(notes)

    return check
