"""D1, D2: DBSCAN against scikit-learn; the 1M-point memory run; the evaluation run.

The memory run and the evaluation run are scripts, not registry rows:

    python -c "from benchmarks.workloads.density import main; main()" --memory
        # 1M 2-D points, ~1,000 neighbours each
    python -c "from benchmarks.workloads.density import main; main()" --evaluate
        # ../shared/data/clustering-benchmarks (the DBSCAN part of benchmarks.quality)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..data import blobs
from ..registry import Comparison, register

# -- data ------------------------------------------------------------------------------------


def d1_data(quick: bool) -> dict[str, Any]:
    """D1: 100k×2 (10k in quick mode), 20 blobs of sd 0.5; eps 0.1, min_samples 10."""
    n = 10_000 if quick else 100_000
    X, _ = blobs(n, 2, 20, seed=0, sd=0.5)
    return {"X": X, "eps": 0.1, "min_samples": 10}


def d2_data(quick: bool) -> dict[str, Any]:
    """D2: 50k×8 (5k in quick mode), 20 unit blobs; eps 1.5, min_samples 10."""
    n = 5_000 if quick else 50_000
    X, _ = blobs(n, 8, 20, seed=1)
    return {"X": X, "eps": 1.5, "min_samples": 10}


# -- runners ---------------------------------------------------------------------------------


def clustor_dbscan(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from clustor import DBSCAN

    est = DBSCAN(eps=data["eps"], min_samples=data["min_samples"], n_jobs=threads).fit(data["X"])
    return {"labels": est.labels_, "core": est.core_sample_indices_}


def sklearn_dbscan(data: dict[str, Any], threads: int) -> dict[str, Any]:
    from sklearn.cluster import DBSCAN

    est = DBSCAN(eps=data["eps"], min_samples=data["min_samples"], n_jobs=threads).fit(data["X"])
    return {"labels": est.labels_, "core": est.core_sample_indices_}


def same_labels(data: dict, a: dict, b: dict) -> tuple[bool, str]:
    """Identical labels (numbering included) and core samples."""
    same = np.array_equal(a["labels"], b["labels"]) and np.array_equal(a["core"], b["core"])
    n_clusters = len(set(np.unique(a["labels"]).tolist()) - {-1})
    differ = int(np.count_nonzero(a["labels"] != b["labels"]))
    return same, f"{n_clusters} clusters, {differ} labels differ"


_COMPARISONS = (
    Comparison(
        id="D1",
        description="DBSCAN 100k×2 (20 blobs, sd 0.5), eps 0.1, min_samples 10",
        data=d1_data,
        data_key="d1",
        clustor=clustor_dbscan,
        peer_name="sklearn",
        peer=sklearn_dbscan,
        check=same_labels,
        target=0.2,
        measure_memory=True,
    ),
    Comparison(
        id="D2",
        description="DBSCAN 50k×8 (20 blobs), eps 1.5, min_samples 10",
        data=d2_data,
        data_key="d2",
        clustor=clustor_dbscan,
        peer_name="sklearn",
        peer=sklearn_dbscan,
        check=same_labels,
        target=0.33,
    ),
)
# Run as a script, this module is executed a second time after the package registered it.
if __name__ != "__main__":
    register(*_COMPARISONS)


# -- memory run ------------------------------------------------------------------------------

# Uniform points in the unit square: a disc of radius eps holds n·π·eps² points.
MEMORY_NEIGHBOURS = 1000


def memory_data(n: int) -> tuple[np.ndarray, float]:
    """n uniform 2-D points and the eps that puts ~MEMORY_NEIGHBOURS in each neighbourhood."""
    X = np.random.default_rng(0).uniform(0, 1, size=(n, 2))
    return X, float(np.sqrt(MEMORY_NEIGHBOURS / (n * np.pi)))


def _memory_child(lib: str, n: int) -> None:
    import resource

    X, eps = memory_data(n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    if lib == "clustor":
        from clustor import DBSCAN
    else:
        from sklearn.cluster import DBSCAN
    est = DBSCAN(eps=eps, min_samples=20).fit(X)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n_clusters = len(set(np.unique(est.labels_).tolist()) - {-1})
    out = {"peak_mb": peak / 1024, "above_data_mb": (peak - base) / 1024, "seconds": seconds}
    out["n_clusters"] = n_clusters
    print(json.dumps(out))


def _run_child(lib: str, n: int) -> dict[str, Any]:
    code = "from benchmarks.workloads.density import main; main()"
    cmd = [sys.executable, "-c", code, "--child", lib, str(n)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        return {"error": (res.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def memory_run(sklearn_n: int = 200_000) -> str:
    """clustor on 1M points; scikit-learn on ``sklearn_n`` points with the same number of
    neighbours per point (its memory grows as n × neighbours, so 1M would need ~5× more:
    too much to run on a shared machine), plus clustor at that size for a like-for-like row."""
    rows = [
        ("clustor", 1_000_000, _run_child("clustor", 1_000_000)),
        ("clustor", sklearn_n, _run_child("clustor", sklearn_n)),
        ("sklearn", sklearn_n, _run_child("sklearn", sklearn_n)),
    ]
    lines = [
        f"DBSCAN memory run: uniform 2-D points, ~{MEMORY_NEIGHBOURS} neighbours per point, "
        "min_samples 20 (peak RSS of a fresh process, and above its data)",
        "",
        "| library | n | seconds | peak MB | above data MB | clusters |",
        "|---|---|---|---|---|---|",
    ]
    for lib, n, r in rows:
        if "error" in r:
            lines.append(f"| {lib} | {n:,} | — | failed: {r['error']} | | |")
            continue
        lines.append(
            f"| {lib} | {n:,} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | "
            f"{r['above_data_mb']:.0f} | {r['n_clusters']} |"
        )
    sk = rows[2][2]
    if "error" not in sk:
        scale = 1_000_000 / sklearn_n
        lines.append(
            f"| sklearn (extrapolated ×{scale:g}) | 1,000,000 | — | "
            f"~{sk['above_data_mb'] * scale:.0f} above data | | |"
        )
    return "\n".join(lines)


# -- evaluation run --------------------------------------------------------------------------


def evaluation_run(data_dir: Path | None = None, max_n: int = 110_000) -> str:
    """DBSCAN over the clustering-benchmarks collection: the DBSCAN table of
    :mod:`benchmarks.quality` (its parameter recipe, ARIs and agreement with scikit-learn),
    which runs every algorithm (``python -m benchmarks.quality``)."""
    from ..quality import ALGORITHMS, evaluate, load_datasets, render

    return render(evaluate(ALGORITHMS["dbscan"], load_datasets(data_dir, max_n=max_n)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--evaluate", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("LIB", "N"))
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.child:
        _memory_child(args.child[0], int(args.child[1]))
        return
    if args.memory:
        print(memory_run())
    if args.evaluate:
        print(evaluation_run(args.data_dir))


if __name__ == "__main__":
    main()
