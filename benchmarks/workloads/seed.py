"""``<ID>/seed`` rows: every workload the seed toolkit (clustor 0.1.1) has an algorithm for,
timed from its own environment on the same data (see :mod:`benchmarks.seed`).

Opt-in: ``python -m benchmarks --peer seed`` or ``--only K1/seed``. The seed runs single-
threaded (its release builds without the ``parallel`` feature); clustor gets the run's
thread count, as against every other peer.

Same work: the seed takes no initial centers or parameters, so where a workload starts
from given ones (K1, K2, K4, G1) the row first runs the seed with no iterations (its own
k-means++ seeding, or its mixture initialisation) and gives clustor that start; the seed's
time is then its full fit minus that zero-iteration fit, measured back to back in the child
(the iterations alone), and clustor's is its fit from the same start. Rows where the work
still differs say so in their note. Not compared: G2 (the seed has diagonal covariances
only) and B1 (the seed's Birch has no memory figure to compare); D4 and M3 (no HDBSCAN, no
AMI in the seed).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .. import seed as _seed
from ..checks import closest_sq_dists, rel_diff, same_partition
from ..registry import Comparison, register
from . import affinity_birch, density, hierarchy, kmeans, kmeans_more, metrics, mixture, optics

PEER = f"seed {_seed.SEED_VERSION}"
# Seconds of timed repeats per side for a seed row (a slow seed gets fewer repeats).
REPEAT_BUDGET = 60.0

Call = dict[str, Any]


def _est(name: str, **ctor: Any) -> Call:
    return {"name": name, "ctor": ctor, "args": ["X"]}


def _fn(name: str, *args: str, list_args: tuple[str, ...] = (), **kwargs: Any) -> Call:
    return {"name": name, "args": list(args), "kwargs": kwargs, "list_args": list(list_args)}


def _session(
    arrays: tuple[str, ...], prepare: Callable[[Any, dict[str, Any]], dict[str, Any]] | None
):
    @contextmanager
    def session(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
        with _seed.session({k: data[k] for k in arrays}) as s:
            extra = prepare(s, data) if prepare else {}
            yield {**data, **extra, "_seed": s}

    return session


def _peer(call: Callable[[dict[str, Any]], Call], baseline=None):
    def run(data: dict[str, Any], threads: int) -> dict[str, Any]:
        return data["_seed"].run(call(data), baseline(data) if baseline else None)

    return run


def seed_row(
    base: str,
    description: str,
    data,
    data_key: str,
    clustor,
    call,
    check,
    *,
    target: float = 1.0,
    arrays: tuple[str, ...] = ("X",),
    prepare=None,
    baseline=None,
    per_iteration: bool = False,
    note: str = "",
) -> Comparison:
    return Comparison(
        id=f"{base}/seed",
        description=description,
        data=data,
        data_key=data_key,
        clustor=clustor,
        peer_name=PEER,
        peer=_peer(call, baseline),
        check=check,
        target=target,
        per_iteration=per_iteration,
        available=_seed.unavailable,
        session=_session(arrays, prepare),
        opt_in=True,
        repeat_budget=REPEAT_BUDGET,
        note=note,
    )


# -- k-means family --------------------------------------------------------------------------

SEED = 0


def _kmeans_call(k: int, max_iter: int) -> Call:
    return _est("KMeans", n_clusters=k, n_init=1, max_iter=max_iter, tol=0.0, random_state=SEED)


def _seed_kmeans_start(k: int):
    """The seed's own k-means++ seeding (a zero-iteration fit): clustor starts from it."""

    def prepare(s, data: dict[str, Any]) -> dict[str, Any]:
        return {"seed_init": s.run(_kmeans_call(k, 0))["centers"]}

    return prepare


def lloyd_agree(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    """Lloyd from the same start: same partition, inertia of the final centers (recomputed
    in float64) within 1e-6, iteration counts within one (the seed stops when the centers
    stop moving, which can be counted one iteration after the labels stop changing)."""
    ia = float(closest_sq_dists(data["X"], a["centers"]).sum())
    ib = float(closest_sq_dists(data["X"], b["centers"]).sum())
    r = rel_diff(ia, ib)
    same = same_partition(a["labels"], b["labels"])
    na, nb = int(a["n_iter"]), int(b["n_iter"])
    ok = same and r <= 1e-6 and abs(na - nb) <= 1
    return ok, (
        f"n_iter {na}/{nb}, inertia rel diff {r:.1e}, "
        + ("labels same" if same else "labels differ")
        + ", each side's time / its own n_iter"
    )


def _lloyd_row(base: str, desc: str, data, data_key: str, k: int) -> Comparison:
    return seed_row(
        base,
        desc,
        data,
        data_key,
        kmeans.clustor_lloyd("X", "seed_init"),
        lambda d: _kmeans_call(k, kmeans.MAX_ITER),
        lloyd_agree,
        prepare=_seed_kmeans_start(k),
        baseline=lambda d: _kmeans_call(k, 0),
        per_iteration=True,
        note="both from the seed's k-means++ centers; seed time = fit − zero-iteration fit",
    )


def k3_clustor(data: dict[str, Any], threads: int) -> dict[str, Any]:
    return kmeans.clustor_plusplus(data, threads)


def seeding_potential_agree(tol: float):
    """Two k-means++ seedings from different generators (the seed draws one candidate per
    step, clustor the greedy 2 + log k): k distinct centers each, potentials within ``tol``."""

    def check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
        pa = float(closest_sq_dists(data["X"], a["centers"]).sum())
        pb = float(closest_sq_dists(data["X"], b["centers"]).sum())
        ka, kb = (len(np.unique(np.asarray(c), axis=0)) for c in (a["centers"], b["centers"]))
        r = rel_diff(pa, pb)
        ok = ka == kb == data["n_seeds"] and r <= tol
        return ok, f"potential {pa:.4g} vs {pb:.4g} (rel diff {r:.1%}), {ka}/{kb} centers"

    return check


def _minibatch_steps(data: dict[str, Any]) -> int:
    return data["X"].shape[0] // kmeans_more.K4_BATCH


def _minibatch_call(steps: int) -> Call:
    return _est(
        "MiniBatchKMeans",
        n_clusters=kmeans_more.K4_CLUSTERS,
        batch_size=kmeans_more.K4_BATCH,
        max_steps=steps,
        random_state=SEED,
    )


def k4_prepare(s, data: dict[str, Any]) -> dict[str, Any]:
    return {"seed_init": s.run(_minibatch_call(0))["centers"]}


def k4_clustor(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from clustor import MiniBatchKMeans

    params = {**kmeans_more._minibatch_params(data), "init": data["seed_init"]}
    km = MiniBatchKMeans(**params, n_threads=threads).fit(data["X"])
    return {"centers": km.cluster_centers_, "labels": km.labels_, "n_steps": km.n_steps_}


def k4_check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    """Same steps; final inertia within 5%: besides drawing other batches, the seed updates
    a center once per sample (a running mean) where scikit-learn's rule, which clustor
    follows, updates it once per batch."""
    b = {**b, "n_steps": _minibatch_steps(data)}  # the seed runs exactly max_steps
    return kmeans_more.minibatch_agree(0.05)(data, a, b)


def k5_call(data: dict[str, Any]) -> Call:
    # clustor's (scikit-learn's) defaults: one k-means run per split, 300 iterations, 1e-4.
    return _est(
        "BisectingKMeans",
        n_clusters=kmeans_more.K5_CLUSTERS,
        n_init=1,
        max_iter=300,
        tol=1e-4,
        random_state=SEED,
    )


# -- density ---------------------------------------------------------------------------------


def dbscan_agree(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    """Same core samples and clusters; border points reachable from two clusters may go to
    either (both are correct DBSCAN answers): ARI ≥ 0.999."""
    from sklearn.metrics import adjusted_rand_score

    core_a = np.sort(np.asarray(a["core"]))
    core_b = np.sort(np.asarray(b["core_sample_indices"]))
    same_core = np.array_equal(core_a, core_b)
    ka = len(set(np.unique(a["labels"]).tolist()) - {-1})
    kb = len(set(np.unique(b["labels"]).tolist()) - {-1})
    same = same_partition(a["labels"], b["labels"])
    ari = 1.0 if same else adjusted_rand_score(a["labels"], b["labels"])
    ok = same_core and ka == kb and ari >= 0.999
    return ok, f"{ka}/{kb} clusters, core samples same: {same_core}, ARI {ari:.6f}"


def optics_seed_agree(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    """Core distances equal (1e-9); the seed breaks ties in the ordering its own way (a
    known defect), so the ordering and reachability are compared as fractions equal."""
    core = bool(np.allclose(a["core_distances"], b["core_distances"], rtol=1e-9, atol=0))
    order = float(np.mean(np.asarray(a["ordering"]) == np.asarray(b["ordering"])))
    ra, rb = np.asarray(a["reachability"]), np.asarray(b["reachability"])
    reach = float(np.mean(np.isclose(ra, rb, rtol=1e-9, atol=0) | (np.isinf(ra) & np.isinf(rb))))
    return (
        core,
        f"core distances equal: {core}, ordering {order:.4f} equal, reachability {reach:.4f}",
    )


# -- mixture ---------------------------------------------------------------------------------


def _gmm_call(iters: int) -> Call:
    return _est(
        "GaussianMixture",
        n_components=mixture.K,
        max_iter=iters,
        tol=0.0,
        init="kmeans++",
        random_state=SEED,
    )


def g1_prepare(s, data: dict[str, Any]) -> dict[str, Any]:
    init = s.run(_gmm_call(0))
    return {
        "seed_gmm": {
            "weights": init["weights"],
            "means": init["means"],
            "precisions": 1.0 / init["covars"],
        }
    }


def g1_clustor(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from clustor import GaussianMixture

    start = data["seed_gmm"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tol=0: "did not converge" by design
        gm = GaussianMixture(
            n_components=mixture.K,
            covariance_type="diag",
            tol=0.0,
            max_iter=mixture.ITERS["diag"],
            weights_init=start["weights"],
            means_init=start["means"],
            precisions_init=start["precisions"],
            n_threads=threads,
        ).fit(data["X"])
    return mixture._out(gm)


def g1_check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    seed_out = {
        "n_iter": int(b["n_iter"]),
        "lower_bounds": np.asarray([b["lower_bound"]]),
        "means": np.asarray(b["means"], np.float64),
        "covariances": np.asarray(b["covars"], np.float64),
        "weights": np.asarray(b["weights"], np.float64),
    }
    # The seed reports the last lower bound only. With tol=0 it still stops when the lower
    # bound repeats exactly (a fixed point): then the parameters must be clustor's after
    # its iterations, and each side's time is divided by its own n_iter.
    ours = {**a, "lower_bounds": a["lower_bounds"][-1:], "n_iter": seed_out["n_iter"]}
    ok, detail = mixture.mixture_agree(1e-8, 1e-6)(data, ours, seed_out)
    stopped = seed_out["n_iter"] < a["n_iter"]
    detail = detail.replace(
        f"n_iter {seed_out['n_iter']}/{seed_out['n_iter']}",
        f"n_iter {a['n_iter']}/{seed_out['n_iter']}"
        + (" (the seed stopped at a fixed point)" if stopped else ""),
    )
    return ok and seed_out["n_iter"] <= a["n_iter"], detail


# -- hierarchy -------------------------------------------------------------------------------


def linkage_seed_agree(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    """The seed's linkage rows may list the two merged clusters in either order (a known
    defect): same merges as unordered pairs, same sizes, heights within 1e-9."""
    za, zb = np.asarray(a["Z"]), np.asarray(b["value"])
    if za.shape != zb.shape:
        return False, f"shapes {za.shape} vs {zb.shape}"
    pa, pb = np.sort(za[:, :2], axis=1), np.sort(zb[:, :2], axis=1)
    rows = int(np.count_nonzero((pa != pb).any(axis=1) | (za[:, 3] != zb[:, 3])))
    scale = np.maximum(np.abs(za[:, 2]), np.abs(zb[:, 2]))
    rel = float(np.max(np.abs(za[:, 2] - zb[:, 2]) / np.where(scale == 0, 1, scale)))
    return rows == 0 and rel <= 1e-9, f"rows with other merges: {rows}; heights rel diff {rel:.1e}"


# -- metrics ---------------------------------------------------------------------------------


def score_check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    return metrics.scores_agree(1e-9)(data, a, {"score": float(b["value"])})


# -- affinity, birch -------------------------------------------------------------------------


def a1_check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    same = same_partition(a["labels"], b["labels"])
    ex = np.array_equal(np.sort(a["exemplars"]), np.sort(np.asarray(b["exemplars"])))
    na, nb = int(a["n_iter"]), int(b["n_iter"])
    # scikit-learn (and clustor) re-pick each cluster's exemplar after convergence (the
    # member with the largest similarity to the rest); the seed keeps the message-passing
    # exemplars, so only the partition has to agree.
    return same, (
        f"partition same: {same}, exemplars same: {ex}, n_iter {na}/{nb}, "
        f"{len(a['exemplars'])}/{len(b['exemplars'])} exemplars"
    )


def b2_check(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    """Same CF-tree: the same subcluster centers (as a set) within 1e-10."""
    ca, cb = np.asarray(a["centers"]), np.asarray(b["centers"])
    if ca.shape != cb.shape:
        return False, f"subclusters {ca.shape[0]} vs {cb.shape[0]}"
    sa = ca[np.lexsort(ca.T[::-1])]
    sb = cb[np.lexsort(cb.T[::-1])]
    diff = float(np.max(np.abs(sa - sb)))
    return diff <= 1e-10, f"{ca.shape[0]} subclusters, max center diff {diff:.1e} (sorted)"


# -- registry --------------------------------------------------------------------------------

register(
    _lloyd_row(
        "K1",
        f"KMeans lloyd 200k×16 k=32 f64, per iter (≤ {kmeans.MAX_ITER} it)",
        kmeans.blobs_16d,
        "blobs_16d",
        32,
    ),
    _lloyd_row(
        "K2",
        f"KMeans lloyd 60k×784 rank 20 k=10 f64, per iter (≤ {kmeans.MAX_ITER} it)",
        kmeans.mnist_like,
        "mnist_like",
        10,
    ),
    seed_row(
        "K3",
        f"k-means++ init 200k×16 k={kmeans.K3_CLUSTERS} f64",
        kmeans.blobs_16d,
        "blobs_16d",
        k3_clustor,
        lambda d: _kmeans_call(d["n_seeds"], 0),
        seeding_potential_agree(0.25),
        note="the seed has no standalone seeding: its KMeans with max_iter=0 (seeding plus "
        "one assignment pass)",
    ),
    seed_row(
        "K4",
        f"MiniBatchKMeans 1M×16 k={kmeans_more.K4_CLUSTERS} batch {kmeans_more.K4_BATCH}, "
        "1 epoch of steps",
        kmeans_more.blobs_1m,
        "blobs_1m",
        k4_clustor,
        lambda d: _minibatch_call(_minibatch_steps(d)),
        k4_check,
        prepare=k4_prepare,
        baseline=lambda d: _minibatch_call(0),
        note="both from the seed's k-means++ centers, batches drawn by each side's generator; "
        "seed time = fit − zero-step fit (clustor's includes its final labelling pass)",
    ),
    seed_row(
        "K5",
        f"BisectingKMeans 200k×16 k={kmeans_more.K5_CLUSTERS}",
        kmeans.blobs_16d,
        "blobs_16d",
        kmeans_more.clustor_bisecting,
        k5_call,
        kmeans_more.bisecting_agree(0.15, 0.9),
        note="different generators pick different splits",
    ),
    seed_row(
        "D1",
        "DBSCAN 100k×2 (20 blobs, sd 0.5), eps 0.1, min_samples 10",
        density.d1_data,
        "d1",
        density.clustor_dbscan,
        lambda d: _est("DBSCAN", eps=d["eps"], min_samples=d["min_samples"]),
        dbscan_agree,
    ),
    seed_row(
        "D2",
        "DBSCAN 50k×8 (20 blobs), eps 1.5, min_samples 10",
        density.d2_data,
        "d2",
        density.clustor_dbscan,
        lambda d: _est("DBSCAN", eps=d["eps"], min_samples=d["min_samples"]),
        dbscan_agree,
    ),
    seed_row(
        "D3",
        f"OPTICS 20k×2, min_samples {optics.MIN_SAMPLES}, max_eps inf",
        optics.blobs_2d,
        "blobs_2d_20k",
        optics.clustor_optics,
        lambda d: _est("OPTICS", min_samples=optics.MIN_SAMPLES),
        optics_seed_agree,
        note="clustor's time includes its ξ extraction; the seed has none",
    ),
    seed_row(
        "G1",
        f"GaussianMixture diag 200k×16 k={mixture.K} f64, per EM iter ({mixture.ITERS['diag']} it)",
        mixture.mixture_16d,
        "mixture_16d",
        g1_clustor,
        lambda d: _gmm_call(mixture.ITERS["diag"]),
        g1_check,
        prepare=g1_prepare,
        baseline=lambda d: _gmm_call(0),
        per_iteration=True,
        note="both from the seed's initial parameters; seed time = fit − zero-iteration fit",
    ),
    *(
        seed_row(
            hid,
            f"linkage {method}, 10k×16 f64 (observations)",
            hierarchy.obs_10k,
            "obs_10k",
            hierarchy.clustor_linkage(method),
            lambda d, m=method: _fn("hac_dendrogram", "X", method=m, metric="euclidean"),
            linkage_seed_agree,
        )
        for hid, method in (("H1", "ward"), ("H2", "average"), ("H3", "single"))
    ),
    seed_row(
        "M1",
        "silhouette_score 20k×16, 10 labels, euclidean",
        metrics.silhouette_data,
        "silhouette_20k",
        metrics._score("clustor.metrics", "silhouette_score", "X", "labels"),
        lambda d: _fn("silhouette_score", "X", "labels", list_args=("labels",)),
        score_check,
        arrays=("X", "labels"),
        note="the seed's labels passed as a Python list, as its API takes them",
    ),
    *(
        seed_row(
            f"M2/{short}",
            f"{name} 1M×16, 10 labels",
            metrics.dispersion_data,
            "dispersion_1m",
            metrics._score("clustor.metrics", name, "X", "labels"),
            lambda d, n=name: _fn(n, "X", "labels", list_args=("labels",)),
            score_check,
            arrays=("X", "labels"),
            note="the seed's labels passed as a Python list, as its API takes them",
        )
        for short, name in (("ch", "calinski_harabasz_score"), ("db", "davies_bouldin_score"))
    ),
    seed_row(
        "B2",
        "Birch 200k×8 f64, threshold 1.0, n_clusters None",
        affinity_birch.birch_200k,
        "birch_200k",
        affinity_birch.clustor_birch(None),
        lambda d: _est("Birch", threshold=1.0, n_clusters=None),
        b2_check,
    ),
    seed_row(
        "A1",
        "AffinityPropagation 3k×8 f64, damping 0.9",
        affinity_birch.ap_3k,
        "ap_3k",
        affinity_birch.clustor_ap,
        lambda d: _est("AffinityPropagation", damping=0.9),
        a1_check,
    ),
)
