"""Quality on reference-labelled data: adjusted Rand index against the reference labels, for
clustor and for scikit-learn, same algorithm, same parameters, same data (BENCHMARKS.md,
"Quality on reference-labelled data").

    python -m benchmarks.quality [--only kmeans,dbscan] [--max-n N] [--data-dir DIR]

Data: every ``NAME.data.gz`` with a ``NAME.labels0.gz`` under ``../shared/data/clustering-
benchmarks`` (or ``$CLUSTERING_BENCHMARKS``; layout in that directory's README.md). The
reference partition is ``labels0``; label 0 marks noise there.

Choices (the same for both libraries; documented here because they decide the figures):

- Features are standardised (zero mean, unit variance per column) before clustering, so that
  one set of density parameters suits data sets of any scale.
- k is the number of distinct non-noise reference labels; every algorithm that takes a
  number of clusters gets it.
- ARI is computed over the points that are not reference noise (the convention of the
  benchmark suite's framework: noise points are not part of any true cluster, so no answer
  for them is wrong); a predicted noise label (−1) counts as one more cluster.
- DBSCAN: ``min_samples = max(2·d, 4)`` (Ester et al.'s 2·dim rule, as in Schubert et al.,
  "DBSCAN revisited", 2017) and ``eps`` = the 0.9 quantile of the distance to the
  min_samples-th neighbour (the k-distance plot's knee, read as a quantile so that it is
  reproducible).
- OPTICS: the same ``min_samples``, ``xi = 0.05`` (the default), ``max_eps = inf``.
- KMeans ``n_init=10``; MiniBatchKMeans ``n_init=3``, ``batch_size=1024``; BisectingKMeans,
  GaussianMixture (full covariances) and AffinityPropagation (damping 0.5, median
  preference) at their defaults; Birch ``threshold=0.1`` (the default 0.5 is a radius of
  half a standard deviation, which on these standardised sets leaves fewer subclusters than
  reference clusters on the 100-cluster sets), then ``n_clusters = k``.
- ``random_state = 0`` wherever the estimator takes one.

Algorithms whose scikit-learn peer needs n×n memory or time are skipped on the larger sets
(``max_n`` in :data:`ALGORITHMS`), and the table says so.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "clustering-benchmarks"
# Differences in ARI up to this are treated as noise.
NOISE = 0.02
RANDOM_STATE = 0


@dataclass(frozen=True)
class Dataset:
    name: str
    X: np.ndarray  # standardised
    ref: np.ndarray  # reference labels, 0 = noise

    @property
    def k(self) -> int:
        return len(set(np.unique(self.ref).tolist()) - {0})


def data_root(data_dir: Path | str | None = None) -> Path:
    return Path(data_dir or os.environ.get("CLUSTERING_BENCHMARKS") or DATA_DIR).resolve()


def load_datasets(
    data_dir: Path | str | None = None, max_n: int | None = None, names: list[str] | None = None
) -> list[Dataset]:
    """The reference-labelled data sets under ``data_dir`` (standardised), sorted by name."""
    out = []
    for data_file in sorted(data_root(data_dir).rglob("*.data.gz")):
        name = f"{data_file.parent.name}/{data_file.name.removesuffix('.data.gz')}"
        if names and not any(n in name for n in names):
            continue
        label_file = data_file.with_name(data_file.name.replace(".data.gz", ".labels0.gz"))
        if not label_file.exists():
            continue
        X = np.loadtxt(data_file, ndmin=2)
        if X.shape[0] < 10 or (max_n is not None and X.shape[0] > max_n):
            continue
        std = X.std(axis=0)
        std[std == 0] = 1
        X = np.ascontiguousarray((X - X.mean(axis=0)) / std)
        ref = np.loadtxt(label_file, dtype=np.int64).ravel()
        out.append(Dataset(name, X, ref))
    return out


# -- parameters ------------------------------------------------------------------------------


def dbscan_params(X: np.ndarray) -> dict[str, Any]:
    """min_samples = max(2·d, 4); eps = 0.9 quantile of the min_samples-th neighbour distance."""
    from sklearn.neighbors import NearestNeighbors

    ms = max(2 * X.shape[1], 4)
    dist, _ = NearestNeighbors(n_neighbors=ms).fit(X).kneighbors(X)
    return {"eps": float(np.quantile(dist[:, -1], 0.9)), "min_samples": ms}


@dataclass(frozen=True)
class Algorithm:
    name: str
    estimator: str  # class name, the same in clustor and in sklearn.cluster / sklearn.mixture
    params: Callable[[Dataset], dict[str, Any]]
    # Largest n the scikit-learn peer is run on here (n×n memory or time), None: no limit.
    max_n: int | None = None
    why_limit: str = ""


def _k(**extra: Any) -> Callable[[Dataset], dict[str, Any]]:
    return lambda ds: {"n_clusters": ds.k, **extra}


def _agglo(linkage: str) -> Algorithm:
    return Algorithm(
        f"agglomerative-{linkage}",
        "AgglomerativeClustering",
        _k(linkage=linkage),
        max_n=10_000,
        why_limit="scikit-learn builds the n×n distance matrix",
    )


ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm("kmeans", "KMeans", _k(n_init=10, random_state=RANDOM_STATE)),
        Algorithm(
            "minibatch",
            "MiniBatchKMeans",
            _k(n_init=3, batch_size=1024, random_state=RANDOM_STATE),
        ),
        Algorithm("bisecting", "BisectingKMeans", _k(random_state=RANDOM_STATE)),
        Algorithm("dbscan", "DBSCAN", lambda ds: dbscan_params(ds.X)),
        Algorithm(
            "optics",
            "OPTICS",
            lambda ds: {"min_samples": max(2 * ds.X.shape[1], 4)},
            max_n=10_000,
            why_limit="scikit-learn's OPTICS takes minutes beyond 10k points",
        ),
        _agglo("ward"),
        _agglo("average"),
        _agglo("complete"),
        _agglo("single"),
        Algorithm(
            "gmm",
            "GaussianMixture",
            lambda ds: {
                "n_components": ds.k,
                "covariance_type": "full",
                "random_state": RANDOM_STATE,
            },
        ),
        Algorithm("birch", "Birch", _k(threshold=0.1)),
        Algorithm(
            "affinity",
            "AffinityPropagation",
            lambda ds: {"random_state": RANDOM_STATE},
            max_n=3_000,
            why_limit="n×n similarity, responsibility and availability matrices",
        ),
    )
}


def _estimator(lib: str, name: str) -> Any:
    if lib == "clustor":
        import clustor

        return getattr(clustor, name)
    import sklearn.cluster
    import sklearn.mixture

    return getattr(sklearn.cluster, name, None) or getattr(sklearn.mixture, name)


def fit_labels(lib: str, algo: Algorithm, X: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """Labels of ``algo`` fitted by ``lib`` ("clustor" or "sklearn") on X."""
    est = _estimator(lib, algo.estimator)(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence / fewer-subclusters warnings
        if algo.estimator == "GaussianMixture":
            return np.asarray(est.fit(X).predict(X))
        return np.asarray(est.fit(X).labels_)


def ari_vs_reference(ref: np.ndarray, labels: np.ndarray) -> float:
    """ARI over the points that are not reference noise (label 0)."""
    from sklearn.metrics import adjusted_rand_score

    keep = ref != 0
    return float(adjusted_rand_score(ref[keep], labels[keep]))


# -- run -------------------------------------------------------------------------------------


def evaluate(
    algo: Algorithm, datasets: list[Dataset], log: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """One algorithm over the data sets: per-set rows (or skip reasons) and the summary."""
    from .checks import same_partition

    rows, skipped = [], []
    for ds in datasets:
        n, d = ds.X.shape
        if algo.max_n is not None and n > algo.max_n:
            skipped.append(f"{ds.name} (n={n:,} > {algo.max_n:,}: {algo.why_limit})")
            continue
        params = algo.params(ds)
        t0 = time.perf_counter()
        ours = fit_labels("clustor", algo, ds.X, params)
        t1 = time.perf_counter()
        theirs = fit_labels("sklearn", algo, ds.X, params)
        t2 = time.perf_counter()
        a, b = ari_vs_reference(ds.ref, ours), ari_vs_reference(ds.ref, theirs)
        rows.append(
            {
                "dataset": ds.name,
                "n": n,
                "d": d,
                "k": ds.k,
                "params": params,
                "ari_clustor": a,
                "ari_sklearn": b,
                "diff": a - b,
                "same_partition": same_partition(ours, theirs),
                "seconds": (t1 - t0, t2 - t1),
            }
        )
        if log:
            log(
                f"  {algo.name} {ds.name}: ARI {a:.3f} / {b:.3f} ({t1 - t0:.2f} s / {t2 - t1:.2f} s)"
            )
    worse = [r["dataset"] for r in rows if r["diff"] < -NOISE]
    return {
        "algorithm": algo.name,
        "rows": rows,
        "skipped": skipped,
        "mean_clustor": float(np.mean([r["ari_clustor"] for r in rows])) if rows else None,
        "mean_sklearn": float(np.mean([r["ari_sklearn"] for r in rows])) if rows else None,
        "worse": worse,
    }


def _fmt_params(p: dict[str, Any]) -> str:
    shown = {k: v for k, v in p.items() if k in ("eps", "min_samples")}
    return ", ".join(
        f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in shown.items()
    )


def render(result: dict[str, Any]) -> str:
    algo = ALGORITHMS[result["algorithm"]]
    density = algo.name in ("dbscan", "optics")
    head = "| dataset | n | d | k |" + (" parameters |" if density else "")
    head += " ARI clustor | ARI sklearn | difference | same partition |"
    lines = [f"### {algo.name} ({algo.estimator})", "", head]
    lines.append("|---|---:|---:|---:|" + ("---|" if density else "") + "---:|---:|---:|---|")
    for r in result["rows"]:
        cells = f"| {r['dataset']} | {r['n']} | {r['d']} | {r['k']} |"
        if density:
            cells += f" {_fmt_params(r['params'])} |"
        diff = f"{r['diff']:+.3f}" + (" **worse**" if r["diff"] < -NOISE else "")
        cells += (
            f" {r['ari_clustor']:.3f} | {r['ari_sklearn']:.3f} | {diff} | "
            f"{'yes' if r['same_partition'] else 'no'} |"
        )
        lines.append(cells)
    lines.append("")
    if result["rows"]:
        worse = result["worse"]
        same = sum(r["same_partition"] for r in result["rows"])
        lines.append(
            f"{algo.name}: mean ARI clustor {result['mean_clustor']:.3f}, sklearn "
            f"{result['mean_sklearn']:.3f} over {len(result['rows'])} data sets; same partition "
            f"on {same}; clustor worse by > {NOISE} on {len(worse)}"
            + (f": {', '.join(worse)}" if worse else "")
        )
    else:
        lines.append(f"{algo.name}: no data set evaluated")
    if result["skipped"]:
        lines.append(f"skipped: {'; '.join(result['skipped'])}")
    return "\n".join(lines)


def run(
    only: list[str] | None = None,
    max_n: int | None = None,
    data_dir: Path | str | None = None,
    datasets: list[str] | None = None,
    log: Callable[[str], None] | None = print,
) -> list[dict[str, Any]]:
    """Evaluates the selected algorithms (all when None); returns one result per algorithm.
    Raises FileNotFoundError when the data directory is missing."""
    root = data_root(data_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"no clustering-benchmarks data at {root}")
    names = [o.strip().lower() for o in only] if only else list(ALGORITHMS)
    unknown = [n for n in names if n not in ALGORITHMS]
    if unknown:
        raise SystemExit(f"unknown algorithm(s) {unknown}; known: {', '.join(ALGORITHMS)}")
    sets = load_datasets(root, max_n=max_n, names=datasets)
    return [evaluate(ALGORITHMS[n], sets, log) for n in names]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.quality",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--only", help=f"comma-separated algorithms ({', '.join(ALGORITHMS)})")
    p.add_argument("--max-n", type=int, default=None, help="skip data sets with more points")
    p.add_argument("--datasets", help="comma-separated name fragments (e.g. sipu/s1,fcps)")
    p.add_argument("--data-dir", type=Path, default=None, help="default: " + str(DATA_DIR))
    p.add_argument("--quiet", action="store_true", help="no per-data-set progress lines")
    args = p.parse_args(argv)
    try:
        results = run(
            args.only.split(",") if args.only else None,
            max_n=args.max_n,
            data_dir=args.data_dir,
            datasets=args.datasets.split(",") if args.datasets else None,
            log=None if args.quiet else print,
        )
    except FileNotFoundError as e:
        print(f"skipped: {e} (set CLUSTERING_BENCHMARKS or --data-dir)")
        return 0
    print(f"\n# Quality: ARI against reference labels over {data_root(args.data_dir)}\n")
    for res in results:
        print(render(res))
        print()
    print("## Summary\n")
    print(
        "| algorithm | data sets | mean ARI clustor | mean ARI sklearn | clustor worse by > "
        f"{NOISE} |"
    )
    print("|---|---:|---:|---:|---|")
    for res in results:
        if not res["rows"]:
            print(f"| {res['algorithm']} | 0 | — | — | — |")
            continue
        worse = res["worse"]
        print(
            f"| {res['algorithm']} | {len(res['rows'])} | {res['mean_clustor']:.3f} | "
            f"{res['mean_sklearn']:.3f} | {len(worse)}{': ' + ', '.join(worse) if worse else ''} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
