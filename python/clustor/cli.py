"""The ``clustor`` command (also ``python -m clustor``).

- ``clustor demo``: clusters the bundled data sets with every registered algorithm, prints
  a table (time, ARI against the reference labels, silhouette) and draws the clusterings.
- ``clustor fit FILE``: clusters a CSV/TSV or ``.npy`` file, prints a summary and writes
  the labels.

Algorithms and their options come from :mod:`clustor._registry`. Mistakes in the input
(missing or unreadable file, NaN, unknown algorithm, bad parameter) end with a one-line
message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from ._registry import ALGORITHMS, DATASETS, Algorithm, cli_params, get_algorithm

__all__ = ["main"]

#: ``fit`` reports the silhouette only up to this many samples (it costs O(n²·d)).
SILHOUETTE_MAX_SAMPLES = 20_000

_DELIMITER_NAMES = {
    "tab": "\t",
    "\\t": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": None,
    "whitespace": None,
}


class CliError(Exception):
    """A mistake in the user's input: printed as one line, exit status 2."""


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())


# --- reading data ------------------------------------------------------------------------


def _is_number(field: str) -> bool:
    try:
        float(field.strip().strip('"'))
    except ValueError:
        return False
    return True


def _split(line: str, delimiter: str | None) -> list[str]:
    return line.split() if delimiter is None else line.split(delimiter)


def _pick_delimiter(option: str | None, path: Path, first_line: str) -> str | None:
    if option is not None:
        return _DELIMITER_NAMES.get(option.lower(), option)
    if path.suffix.lower() in (".tsv", ".tab") or "\t" in first_line:
        return "\t"
    for candidate in (",", ";"):
        if candidate in first_line:
            return candidate
    return None


def _bad_line(lines: list[tuple[int, str]], delimiter: str | None, n_cols: int) -> str | None:
    """Where and why a table does not parse, by file line number (slow path, errors only)."""
    for lineno, line in lines:
        fields = _split(line, delimiter)
        if len(fields) != n_cols:
            return f"line {lineno} has {len(fields)} field(s), expected {n_cols}"
        for col, field in enumerate(fields, 1):
            if not _is_number(field):
                return f"line {lineno}, column {col}: {field.strip()!r} is not a number"
    return None


def _read_text(path: Path, delimiter: str | None) -> tuple[np.ndarray, str, list[int]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CliError(
            f"cannot parse {path}: not a text file (expected CSV, TSV or .npy)"
        ) from None
    lines = [
        (i, line)
        for i, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise CliError(f"{path} contains no data")
    delim = _pick_delimiter(delimiter, path, lines[0][1])
    first = _split(lines[0][1], delim)
    header = not all(_is_number(f) for f in first)
    body = lines[1:] if header else lines
    if not body:
        raise CliError(f"{path} has a header row but no data rows")
    kwargs: dict[str, Any] = {"delimiter": delim, "ndmin": 2, "dtype": np.float64}
    if delim is not None:
        kwargs["quotechar"] = '"'
    try:
        X = np.loadtxt([line for _, line in body], **kwargs)
    except ValueError as e:
        where = _bad_line(body, delim, len(first))
        raise CliError(f"cannot parse {path}: {where or _one_line(e)}") from None
    return X, "header row skipped" if header else "no header", [i for i, _ in body]


def _read_npy(path: Path) -> tuple[np.ndarray, str, None]:
    with path.open("rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise CliError(f"cannot parse {path}: not a .npy file (no NumPy header)")
    try:
        X = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise CliError(f"cannot parse {path} as a .npy array: {_one_line(e)}") from None
    if not isinstance(X, np.ndarray):
        raise CliError(f"{path} holds several arrays; give one 2-D array in a .npy file")
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2:
        raise CliError(f"{path} holds an array of shape {X.shape}; expected a 2-D array")
    if X.dtype.kind not in "fiub":
        raise CliError(f"{path} holds {X.dtype} values; expected numbers")
    return X, ".npy array", None


def read_data(file: str, delimiter: str | None = None) -> tuple[np.ndarray, str]:
    """Samples from a CSV/TSV (header auto-detected) or .npy file, and how it was read.

    Raises CliError, with the file line of the problem where there is one, when the file
    is missing, unreadable, not numeric, ragged, empty, or holds NaN or infinity.
    """
    path = Path(file)
    if not path.exists():
        raise CliError(f"no such file: {file}")
    if path.is_dir():
        raise CliError(f"{file} is a directory, not a data file")
    try:
        if path.suffix.lower() == ".npy":
            X, how, lines = _read_npy(path)
        else:
            X, how, lines = _read_text(path, delimiter)
    except OSError as e:
        raise CliError(f"cannot read {file}: {e.strerror or e}") from None
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise CliError(f"{file} contains no data (shape {X.shape})")
    if X.dtype.kind == "f":
        bad = ~np.isfinite(X)
        if bad.any():
            rows = np.flatnonzero(bad.any(axis=1))
            first = f"line {lines[rows[0]]}" if lines else f"row {rows[0]}"
            raise CliError(
                f"{file} contains NaN or infinite values in {len(rows)} row(s) (first: "
                f"{first}); remove or impute them before clustering"
            )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return np.ascontiguousarray(X), how


# --- results -----------------------------------------------------------------------------


def _silhouette(X: np.ndarray, labels: np.ndarray) -> tuple[float | None, str]:
    from .metrics import silhouette_score

    n = len(labels)
    k = len(np.unique(labels))
    if n > SILHOUETTE_MAX_SAMPLES:
        return None, f"n/a (more than {SILHOUETTE_MAX_SAMPLES} samples)"
    if not 1 < k < n:
        return None, f"n/a ({k} cluster{'s' if k != 1 else ''})"
    s = silhouette_score(X, labels)
    return s, f"{s:.4f}"


def _format_params(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def _sizes(labels: np.ndarray) -> str:
    noise = int((labels == -1).sum())
    clustered = labels[labels >= 0]
    counts = np.bincount(clustered) if len(clustered) else np.zeros(0, dtype=np.int64)
    shown = ", ".join(str(c) for c in counts[:20]) + (", ..." if len(counts) > 20 else "")
    text = f"{len(counts)} (sizes {shown})" if len(counts) else "0"
    return text + (f", {noise} noise" if noise else "")


# --- fit ---------------------------------------------------------------------------------


def _algorithm_params(args: argparse.Namespace, algo: Algorithm) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for option, users in cli_params().items():
        raw = getattr(args, users[0][1].dest)
        if raw is None:
            continue
        p = algo.param(option)
        if p is None:
            accepted = " ".join(q.option for q in algo.params)
            raise CliError(f"{option} does not apply to {algo.name} (it takes: {accepted})")
        try:
            params[p.name] = p.parse(raw)
        except ValueError as e:
            raise CliError(f"{option}: {_one_line(e)}") from None
    return params


def _write_labels(path: str, labels: np.ndarray) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("label\n")
            f.write("".join(f"{v}\n" for v in labels.tolist()))
    except OSError as e:
        raise CliError(f"cannot write labels to {path}: {e.strerror or e}") from None


def _run_fit(args: argparse.Namespace) -> int:
    try:
        algo = get_algorithm(args.algorithm)
    except ValueError as e:
        raise CliError(str(e)) from None
    params = _algorithm_params(args, algo)
    X, how = read_data(args.file, args.delimiter)
    try:
        est = algo.make(**params)
        start = time.perf_counter()
        est.fit(X)
        seconds = time.perf_counter() - start
    except (ValueError, TypeError) as e:
        raise CliError(f"{algo.name}: {_one_line(e)}") from None
    labels = np.asarray(est.labels_)
    _, silhouette = _silhouette(X, labels)
    out = [
        ("data", f"{args.file}: {X.shape[0]} samples, {X.shape[1]} features ({how})"),
        ("algorithm", f"{algo.name} {_format_params(params)}".rstrip()),
        ("clusters", _sizes(labels)),
    ]
    inertia = getattr(est, "inertia_", None)
    if inertia is not None:
        out.append(("inertia", f"{inertia:.6g}"))
    out += [("silhouette", silhouette), ("seconds", f"{seconds:.3f}")]
    if args.output:
        _write_labels(args.output, labels)
        out.append(("labels", f"written to {args.output}"))
    width = max(len(k) for k, _ in out)
    for key, value in out:
        print(f"{key:<{width}}  {value}")
    return 0


# --- demo --------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: list[Sequence[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _match_colors(reference: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``labels`` renamed after the reference cluster each overlaps most (largest clusters
    choose first), so that matching clusters get the same colour in the plot."""
    out = labels.copy()
    clusters, sizes = np.unique(labels[labels >= 0], return_counts=True)
    taken: set[Any] = set()
    spare = int(max(reference.max(initial=0), labels.max(initial=0))) + 1
    for c in clusters[np.argsort(-sizes, kind="stable")]:
        refs, overlap = np.unique(reference[labels == c], return_counts=True)
        choice = next(
            (r for r in refs[np.argsort(-overlap, kind="stable")] if r not in taken), None
        )
        if choice is None or choice < 0:
            choice, spare = spare, spare + 1
        taken.add(choice)
        out[labels == c] = choice
    return out


def _demo_figure(panels: list[dict[str, Any]], algorithms: list[str], path: str) -> None:
    from matplotlib.figure import Figure

    from .plotting import plot_clusters, project_2d

    datasets = list(dict.fromkeys(p["dataset"] for p in panels))
    columns = ["reference", *algorithms]
    fig = Figure(figsize=(3.6 * len(columns), 3.4 * len(datasets)), layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(datasets), len(columns), squeeze=False))
    for r, name in enumerate(datasets):
        X, y = next((p["X"], p["y"]) for p in panels if p["dataset"] == name)
        points = project_2d(X)
        axis_note = "" if X.shape[1] <= 2 else " (PCA)"
        plot_clusters(points, y, ax=axes[r, 0], title=f"{name}: reference{axis_note}")
        for c, algo in enumerate(algorithms, 1):
            panel = next(
                (p for p in panels if p["dataset"] == name and p["algorithm"] == algo), None
            )
            if panel is None:
                axes[r, c].set_axis_off()
                continue
            title = f"{name}: {algo}\nARI {panel['ari']:.3f}"
            labels = _match_colors(y, panel["labels"])
            plot_clusters(points, labels, ax=axes[r, c], title=title)
    fig.suptitle(f"clustor {__version__} demo")
    fig.savefig(path, dpi=100)


def _run_demo(args: argparse.Namespace) -> int:
    from ._threads import get_num_threads
    from .metrics import adjusted_rand_score

    print(f"clustor {__version__} demo ({get_num_threads()} threads)\n")
    rows: list[list[str]] = []
    panels: list[dict[str, Any]] = []
    for dataset in DATASETS.values():
        X, y = dataset.load()
        for algo in ALGORITHMS.values():
            if dataset.name not in algo.demo:
                continue
            params = dict(algo.demo[dataset.name])
            est = algo.make(**params)
            start = time.perf_counter()
            est.fit(X)
            seconds = time.perf_counter() - start
            labels = np.asarray(est.labels_)
            ari = adjusted_rand_score(y, labels)
            _, silhouette = _silhouette(X, labels)
            rows.append(
                [
                    dataset.name,
                    algo.name,
                    _format_params(params),
                    f"{seconds:.3f}",
                    f"{ari:.3f}",
                    silhouette,
                ]
            )
            panels.append(
                {
                    "dataset": dataset.name,
                    "algorithm": algo.name,
                    "X": X,
                    "y": y,
                    "labels": labels,
                    "ari": ari,
                }
            )
    header = ["dataset", "algorithm", "parameters", "seconds", "ARI", "silhouette"]
    print(_table(header, rows, right={3, 4, 5}))
    if args.no_plot:
        return 0
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("\nmatplotlib is not installed, so no plot was drawn (pip install 'clustor[plot]').")
        return 0
    path = Path(args.output_png)
    try:
        _demo_figure(panels, [a for a in ALGORITHMS], str(path))
    except OSError as e:
        raise CliError(f"cannot write the plot to {path}: {e.strerror or e}") from None
    print(f"\nplot written to {path.resolve()}")
    return 0


# --- entry point -------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clustor",
        description="Clustering with Rust kernels: run the demo, or cluster a data file.",
    )
    parser.add_argument("--version", action="version", version=f"clustor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="cluster the bundled data sets with every algorithm",
        description="Cluster "
        + " and ".join(d.summary for d in DATASETS.values())
        + " with every registered algorithm; print time, ARI and silhouette; draw a PNG.",
    )
    demo.add_argument("--no-plot", action="store_true", help="print the table only")
    demo.add_argument(
        "--output-png",
        default="clustor-demo.png",
        metavar="PATH",
        help="where to write the plot (default: clustor-demo.png)",
    )
    demo.set_defaults(run=_run_demo)

    fit = sub.add_parser(
        "fit",
        help="cluster a CSV/TSV or .npy file",
        description="Cluster the rows of FILE (CSV/TSV with or without a header row, or "
        ".npy) and print a summary.",
    )
    fit.add_argument("file", metavar="FILE", help="CSV/TSV (header auto-detected) or .npy")
    fit.add_argument(
        "--algorithm",
        default="kmeans",
        metavar="NAME",
        help="one of: " + ", ".join(ALGORITHMS) + " (default: kmeans)",
    )
    fit.add_argument("--output", metavar="PATH", help="write the labels as CSV (column 'label')")
    fit.add_argument(
        "--delimiter",
        metavar="D",
        help="field separator: a character, or tab/comma/semicolon/space (default: detected)",
    )
    group = fit.add_argument_group("algorithm parameters (default: the estimator's)")
    for option, users in cli_params().items():
        first = users[0][1]
        algos = "" if len(ALGORITHMS) == 1 else f" [{', '.join(a for a, _ in users)}]"
        group.add_argument(option, dest=first.dest, metavar=first.metavar, help=first.help + algos)
    fit.set_defaults(run=_run_fit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    Examples
    --------
    >>> from clustor.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    clustor ...
    0
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version and usage errors
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except CliError as e:
        print(f"clustor {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"clustor {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
