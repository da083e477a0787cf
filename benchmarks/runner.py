"""Times the selected comparisons side by side and renders the ratio table."""

from __future__ import annotations

import datetime as _dt
import gc
import importlib.util
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .registry import Comparison, select

RESULTS_DIR = Path(__file__).resolve().parent / "results"
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _timed(fn, data: dict, threads: int) -> tuple[float, dict]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn(data, threads)
    seconds = time.perf_counter() - t0
    # A peer in another process reports the time it measured around its own call.
    return out.pop("_seconds", seconds), out


class PeakRSS:
    """Samples the process's resident memory every 2 ms in a thread (psutil); ``peak_mb`` is
    the peak above the value at entry. Coarse, but enough for "peak memory ≤ 0.5× peer"."""

    def __enter__(self) -> PeakRSS:
        import threading

        import psutil

        self._proc = psutil.Process()
        self._start = self._peak = self._proc.memory_info().rss
        self._stop = threading.Event()

        def sample() -> None:
            while not self._stop.wait(0.002):
                self._peak = max(self._peak, self._proc.memory_info().rss)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, self._proc.memory_info().rss)
        self.peak_mb = (self._peak - self._start) / 2**20


def _checked_run(comp: Comparison, fn, data: dict, threads: int) -> tuple[dict, float | None]:
    if not comp.measure_memory:
        out = _timed(fn, data, threads)[1]
        return out, None
    gc.collect()
    with PeakRSS() as mem:
        out = fn(data, threads)
    return out, mem.peak_mb


def _per(comp: Comparison, seconds: float, out: dict) -> float:
    return seconds / max(int(out["n_iter"]), 1) if comp.per_iteration else seconds


def run_one(
    comp: Comparison, data: dict, repeats: int, threads: int, log=print, quick: bool = False
) -> dict[str, Any]:
    """One row: a checked warm-up of both sides, then ``repeats`` interleaved timings."""
    row: dict[str, Any] = {
        "id": comp.id,
        "workload": comp.description + (" [quick: small sizes]" if quick else ""),
        "peer": comp.peer_name,
        "target": comp.target,
        "per_iteration": comp.per_iteration,
        "threads": threads,
    }
    missing = [m for m in comp.requires if importlib.util.find_spec(m) is None]
    reason = f"missing {', '.join(missing)}" if missing else None
    if reason is None and comp.available is not None:
        reason = comp.available()
    if reason:
        row.update(status="skipped", check=reason, check_ok=None)
        log(f"  {comp.id}: skipped: {reason}")
        return row
    from .seed import PeerError, PeerTimeout

    try:
        if comp.session is None:
            _measure(comp, data, repeats, threads, log, row)
        else:
            with comp.session(data) as row_data:
                _measure(comp, row_data, repeats, threads, log, row)
    except PeerTimeout as e:
        # A timeout is a result (the peer is that slow), not a failed check.
        row.update(status="timeout", check=f"{comp.peer_name}: {e}", check_ok=None)
        log(f"  {comp.id}: {comp.peer_name} {e}")
    except PeerError as e:
        # The peer's own failure (e.g. the seed's panic), reported, not a failed check.
        row.update(status="peer failed", check=f"{comp.peer_name}: {e}", check_ok=None)
        log(f"  {comp.id}: {comp.peer_name} failed: {e}")
    return row


def _measure(
    comp: Comparison, data: dict, repeats: int, threads: int, log, row: dict[str, Any]
) -> None:
    # Warm-up (thread pools, page faults, lazy imports) doubles as the output check: a
    # ratio is only reported when the two sides computed the same thing.
    out_c, mem_c = _checked_run(comp, comp.clustor, data, threads)
    t0 = time.perf_counter()
    out_p, mem_p = _checked_run(comp, comp.peer, data, threads)
    peer_warmup = time.perf_counter() - t0
    ok, detail = comp.check(data, out_c, out_p)
    if comp.note:
        detail = f"{detail}; {comp.note}"
    row.update(check_ok=bool(ok), check=detail)
    if comp.measure_memory:
        row.update(clustor_peak_mb=mem_c, peer_peak_mb=mem_p)
    if not ok:
        row["status"] = "check failed"
        log(f"  {comp.id}: CHECK FAILED: {detail}")
        return
    if comp.repeat_budget is not None:
        # A slow peer gets fewer repeats (at least one), judged from its warm-up.
        repeats = max(1, min(repeats, int(comp.repeat_budget / max(peer_warmup, 1e-9))))
        row["repeats"] = repeats
    tc: list[float] = []
    tp: list[float] = []
    for r in range(repeats):
        # Alternate which side goes first so that drifting machine load hits both alike.
        order = ((comp.clustor, tc), (comp.peer, tp))
        for fn, acc in order if r % 2 == 0 else order[::-1]:
            s, out = _timed(fn, data, threads)
            acc.append(_per(comp, s, out))
    med_c, med_p = statistics.median(tc), statistics.median(tp)
    ratio = med_c / med_p
    row.update(
        status="ok",
        clustor_s=med_c,
        peer_s=med_p,
        ratio=ratio,
        paired_ratio=statistics.median(c / p for c, p in zip(tc, tp)),
        met=ratio <= comp.target,
        clustor_times=tc,
        peer_times=tp,
    )
    log(
        f"  {comp.id}: clustor {med_c:.4g} s, {comp.peer_name} {med_p:.4g} s, ratio {ratio:.3f} ({detail})"
    )


def run_comparisons(
    only: list[str] | None = None,
    repeats: int = 5,
    quick: bool = False,
    threads: int | None = None,
    log=print,
    peer: str | None = None,
) -> list[dict[str, Any]]:
    """Runs the selected comparisons; returns one result dict per table row."""
    from threadpoolctl import threadpool_limits

    comps = select(only, peer)
    threads = threads or os.cpu_count() or 1
    last_use = {c.data_key: i for i, c in enumerate(comps)}
    cache: dict[str, dict] = {}
    rows = []
    # Every BLAS and OpenMP pool of the peers gets the same thread count as clustor.
    with threadpool_limits(limits=threads):
        for i, comp in enumerate(comps):
            if comp.data_key not in cache:
                t0 = time.perf_counter()
                cache[comp.data_key] = comp.data(quick)
                log(f"data {comp.data_key}: {time.perf_counter() - t0:.1f} s")
            rows.append(run_one(comp, cache[comp.data_key], repeats, threads, log, quick))
            if last_use[comp.data_key] == i:
                del cache[comp.data_key]
    return rows


# -- environment -----------------------------------------------------------------------------


def _version(mod: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(mod)
    except Exception:
        return None


def environment(threads: int) -> dict[str, Any]:
    """Machine, library versions, and the BLAS/OpenMP pools threadpoolctl sees."""
    from threadpoolctl import threadpool_info

    for mod in ("numpy", "scipy", "sklearn.cluster", "faiss"):
        if importlib.util.find_spec(mod.split(".")[0]) is not None:
            __import__(mod)
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except OSError:
        commit = ""
    pools = [
        {
            k: p.get(k)
            for k in (
                "internal_api",
                "prefix",
                "version",
                "architecture",
                "num_threads",
                "filepath",
            )
        }
        for p in threadpool_info()
    ]
    return {
        "host": socket.gethostname(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "threads": threads,
        "python": platform.python_version(),
        "versions": {
            m: _version(m) for m in ("clustor", "numpy", "scikit-learn", "scipy", "faiss-cpu")
        },
        "git_commit": commit,
        "blas_env": {k: os.environ.get(k) for k in BLAS_ENV},
        "threadpools": pools,
    }


def describe_pools(env: dict[str, Any]) -> str:
    parts = []
    for p in env["threadpools"]:
        lib = Path(p["filepath"] or "").parent.name.replace(".libs", "") or "?"
        arch = f" {p['architecture']}" if p.get("architecture") else ""
        parts.append(f"{lib}: {p['internal_api']} {p['version'] or ''}{arch} ×{p['num_threads']}")
    return "; ".join(parts)


# -- output ----------------------------------------------------------------------------------


def _fmt_s(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.3g}" if v >= 1 else f"{v:.4f}" if v >= 1e-3 else f"{v:.2e}"


def table(rows: list[dict[str, Any]]) -> str:
    """The markdown ratio table."""
    lines = [
        "| id | workload | clustor s | peer | peer s | ratio | target | met? |",
        "|---|---|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        if r.get("status") == "ok":
            ratio = f"{r['ratio']:.2f}×"
            met = "yes" if r["met"] else "**no**"
        else:
            ratio = "—"
            met = f"{r.get('status')}: {r.get('check')}"
        lines.append(
            f"| {r['id']} | {r['workload']} | {_fmt_s(r.get('clustor_s'))} | {r['peer']} | "
            f"{_fmt_s(r.get('peer_s'))} | {ratio} | ≤ {r['target']}× | {met} |"
        )
    return "\n".join(lines)


def save(
    rows: list[dict[str, Any]], env: dict[str, Any], argv: list[str], out_dir: Path = RESULTS_DIR
) -> Path:
    """Merges this run's rows into results/<date>-<host>.json (a row replaces the same id of
    an earlier run that day) and writes the merged table to results/latest.md."""
    out_dir.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now().astimezone()
    path = out_dir / f"{now:%Y-%m-%d}-{env['host']}.json"
    previous: dict[str, Any] = {}
    if path.exists():
        try:
            previous = json.loads(path.read_text())
        except (OSError, ValueError):
            previous = {}
    stamp = now.isoformat(timespec="seconds")
    for r in rows:
        r["measured_at"] = stamp
        r["git_commit"] = env["git_commit"]
    by_id = {r["id"]: r for r in previous.get("rows", [])}
    by_id.update({r["id"]: r for r in rows})
    from .registry import REGISTRY

    order = {c.id: i for i, c in enumerate(REGISTRY)}
    merged = sorted(by_id.values(), key=lambda r: order.get(r["id"], len(order)))
    doc = {"environment": env, "command": " ".join(argv), "updated_at": stamp, "rows": merged}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1, default=float) + "\n")
    tmp.replace(path)
    md = (
        f"<!-- written by `python -m benchmarks`; {path.name} holds the details -->\n"
        f"Ratios are clustor time / peer time (median of repeats, same process, {env['threads']} "
        f"threads each), measured {merged[0].get('measured_at', stamp)[:10]} on {env['cpu']} "
        f"({env['cpus']} CPUs).\n\n{table(merged)}\n"
    )
    (out_dir / "latest.md").write_text(md)
    return path


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--only", help="comma-separated ids (K1 selects K1 and K1/f32)")
    p.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed repeats per side (default 5; 3 with --quick)",
    )
    p.add_argument(
        "--quick", action="store_true", help="small sizes, a smoke test (~20 s); results not saved"
    )
    p.add_argument(
        "--threads", type=int, default=None, help="threads for both sides (default: all CPUs)"
    )
    p.add_argument("--no-save", action="store_true", help="print only; do not write results/")
    p.add_argument("--list", action="store_true", help="list the comparisons and exit")
    p.add_argument(
        "--peer",
        help="only the rows against this peer (e.g. seed: clustor 0.1.1 from its own "
        "environment, .venv-seed; its rows run only when selected so or by full id, K1/seed)",
    )
    p.add_argument(
        "--seed-timeout",
        type=float,
        default=None,
        help="seconds one seed call may take before its row reports a timeout (default 120)",
    )
    args = p.parse_args(argv)
    only = args.only.split(",") if args.only else None
    if args.seed_timeout is not None:
        from . import seed

        seed.TIMEOUT = args.seed_timeout
    if args.list:
        for c in select(only, args.peer):
            print(f"{c.id:8} {c.description}  vs {c.peer_name}, target ≤ {c.target}×")
        return 0
    threads = args.threads or os.cpu_count() or 1
    repeats = args.repeats or (3 if args.quick else 5)
    env = environment(threads)
    print(f"# clustor benchmarks{' (quick: small sizes, not saved)' if args.quick else ''}")
    print(
        f"host {env['host']}, {env['cpu']}, {env['cpus']} CPUs; {threads} threads per side; {repeats} repeats"
    )
    print(f"BLAS/OpenMP (threadpoolctl): {describe_pools(env)}")
    if any(env["blas_env"].values()):
        print(f"warning: BLAS tuning variables still set: {env['blas_env']}", file=sys.stderr)
    rows = run_comparisons(only, repeats=repeats, quick=args.quick, threads=threads, peer=args.peer)
    print()
    print(table(rows))
    if not args.quick and not args.no_save:
        path = save(
            rows, env, ["python", "-m", "benchmarks", *(argv if argv is not None else sys.argv[1:])]
        )
        print(
            f"\nsaved {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path} and latest.md"
        )
    return 0 if all(r.get("check_ok") is not False for r in rows) else 1
