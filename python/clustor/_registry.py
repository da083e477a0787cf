"""The one table of algorithms (and demo data sets) that the CLI and the demo read.

Adding an algorithm to ``clustor fit`` and ``clustor demo`` is adding one
:class:`Algorithm` entry to :data:`ALGORITHMS`: how to build the estimator, which of its
parameters the command line exposes (with a parser from the command-line string), and the
parameters the demo uses on each data set in :data:`DATASETS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["ALGORITHMS", "DATASETS", "Algorithm", "Dataset", "Param", "get_algorithm"]


# --- parsers of command-line strings -----------------------------------------------------


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"expected an integer, got {text!r}") from None


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"expected a number, got {text!r}") from None


def _optional_int(text: str) -> int | None:
    return None if text.strip().lower() == "none" else _int(text)


def _int_or(*words: str) -> Callable[[str], int | str]:
    def parse(text: str) -> int | str:
        return text if text in words else _int(text)

    parse.__name__ = "int or " + "/".join(words)
    return parse


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"expected one of {', '.join(options)}; got {text!r}")
        return text

    parse.__name__ = "/".join(options)
    return parse


@dataclass(frozen=True)
class Param:
    """A parameter of an estimator as the command line exposes it (``--n-clusters 3``)."""

    name: str
    """The estimator's keyword; the option is ``--`` + name with ``_`` → ``-``."""
    parse: Callable[[str], Any]
    """Turns the command-line string into the value (raises ValueError with a reason)."""
    help: str
    metavar: str = "VALUE"
    cli_name: str | None = None
    """The option's name when ``--`` + name is taken by the CLI itself (``--algorithm``,
    ``--output``, ``--delimiter``)."""

    @property
    def option(self) -> str:
        return "--" + (self.cli_name or self.name).replace("_", "-")

    @property
    def dest(self) -> str:
        """Attribute of the parsed arguments holding the raw string."""
        return self.option[2:].replace("-", "_")


@dataclass(frozen=True)
class Algorithm:
    """One clustering algorithm as the CLI and the demo know it."""

    name: str
    summary: str
    factory: Callable[..., Any]
    """Builds an unfitted estimator from keyword parameters."""
    params: tuple[Param, ...]
    demo: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Parameters per demo data set (a data set missing here is skipped by the demo)."""

    def make(self, **params: Any) -> Any:
        return self.factory(**params)

    def param(self, option: str) -> Param | None:
        """The parameter behind the command-line ``option`` (``--n-clusters``), if any."""
        return next((p for p in self.params if p.option == option), None)


@dataclass(frozen=True)
class Dataset:
    """A demo data set with reference labels."""

    name: str
    summary: str
    load: Callable[[], tuple[np.ndarray, np.ndarray]]


def _kmeans(**params: Any) -> Any:
    from .cluster import KMeans

    return KMeans(**params)


def _minibatch_kmeans(**params: Any) -> Any:
    from .cluster import MiniBatchKMeans

    return MiniBatchKMeans(**params)


def _bisecting_kmeans(**params: Any) -> Any:
    from .cluster import BisectingKMeans

    return BisectingKMeans(**params)


def _agglomerative(**params: Any) -> Any:
    from .cluster import AgglomerativeClustering

    return AgglomerativeClustering(**params)


def _optional_float(text: str) -> float | None:
    return None if text.strip().lower() == "none" else _float(text)


def _dbscan(**params: Any) -> Any:
    from .cluster import DBSCAN

    return DBSCAN(**params)


def _optics(**params: Any) -> Any:
    from .cluster import OPTICS

    return OPTICS(**params)


def _count_or_fraction(text: str) -> int | float:
    """An int (a count) or a float in [0, 1] (a fraction of the samples)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"expected an integer or a fraction, got {text!r}") from None


def _gaussian_mixture(**params: Any) -> Any:
    from .mixture import GaussianMixture

    return GaussianMixture(**params)


def _affinity_propagation(**params: Any) -> Any:
    from .cluster import AffinityPropagation

    return AffinityPropagation(**params)


def _birch(**params: Any) -> Any:
    from .cluster import Birch

    return Birch(**params)


_RANDOM_STATE = Param(
    "random_state", _optional_int, "seed for reproducible results (default: none)", "SEED"
)
_N_THREADS = Param(
    "n_threads", _optional_int, "threads (default: all CPUs, or CLUSTOR_NUM_THREADS)", "N"
)

ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in [
        Algorithm(
            name="kmeans",
            summary="k-means (k-means++ seeding, Lloyd or Elkan iterations)",
            factory=_kmeans,
            params=(
                Param("n_clusters", _int, "number of clusters (default: 8)", "K"),
                _RANDOM_STATE,
                Param("n_init", _int_or("auto"), "number of seedings (default: auto)", "N"),
                Param("max_iter", _int, "maximum iterations (default: 300)", "N"),
                Param("tol", _float, "relative tolerance (default: 1e-4)", "TOL"),
                Param(
                    "algorithm",
                    _choice("lloyd", "elkan"),
                    "lloyd or elkan (KMeans' algorithm parameter)",
                    "NAME",
                    cli_name="kmeans_algorithm",
                ),
                Param("metric", _choice("euclidean", "cosine"), "euclidean or cosine", "NAME"),
                _N_THREADS,
            ),
            demo={
                "iris": {"n_clusters": 3, "n_init": 10, "random_state": 0},
                "varying_density": {"n_clusters": 3, "n_init": 10, "random_state": 0},
            },
        ),
        Algorithm(
            name="minibatch_kmeans",
            summary="mini-batch k-means (streaming updates on random batches)",
            factory=_minibatch_kmeans,
            params=(
                Param("n_clusters", _int, "number of clusters (default: 8)", "K"),
                _RANDOM_STATE,
                Param("batch_size", _int, "samples per batch (default: 1024)", "N"),
                Param("max_iter", _int, "maximum epochs (default: 100)", "N"),
                Param("max_steps", _optional_int, "maximum batches (default: none)", "N"),
                Param("n_init", _int_or("auto"), "number of seedings (default: auto)", "N"),
                Param("metric", _choice("euclidean", "cosine"), "euclidean or cosine", "NAME"),
                _N_THREADS,
            ),
            demo={
                "iris": {"n_clusters": 3, "n_init": 3, "batch_size": 64, "random_state": 0},
                "varying_density": {"n_clusters": 3, "n_init": 3, "random_state": 0},
            },
        ),
        Algorithm(
            name="bisecting_kmeans",
            summary="bisecting k-means (repeated 2-means splits of the worst cluster)",
            factory=_bisecting_kmeans,
            params=(
                Param("n_clusters", _int, "number of clusters (default: 8)", "K"),
                _RANDOM_STATE,
                Param("n_init", _int, "seedings per split (default: 1)", "N"),
                Param("max_iter", _int, "maximum iterations per split (default: 300)", "N"),
                Param(
                    "bisecting_strategy",
                    _choice("biggest_inertia", "largest_cluster"),
                    "leaf to split: biggest_inertia or largest_cluster",
                    "NAME",
                ),
                Param(
                    "algorithm",
                    _choice("lloyd", "elkan"),
                    "lloyd or elkan (the 2-means iteration)",
                    "NAME",
                    cli_name="kmeans_algorithm",
                ),
                Param("metric", _choice("euclidean", "cosine"), "euclidean or cosine", "NAME"),
                _N_THREADS,
            ),
            demo={
                "iris": {"n_clusters": 3, "n_init": 3, "random_state": 0},
                "varying_density": {"n_clusters": 3, "n_init": 3, "random_state": 0},
            },
        ),
        Algorithm(
            name="agglomerative",
            summary="agglomerative (hierarchical) clustering, SciPy-exact linkage",
            factory=_agglomerative,
            params=(
                Param(
                    "n_clusters",
                    _optional_int,
                    "number of clusters (default: 2; none with --distance-threshold)",
                    "K",
                ),
                Param(
                    "linkage",
                    _choice("ward", "complete", "average", "single"),
                    "ward, complete, average or single (default: ward)",
                    "NAME",
                ),
                Param(
                    "metric",
                    _choice("euclidean", "manhattan", "cosine", "chebyshev", "sqeuclidean"),
                    "distance between samples (ward: euclidean only)",
                    "NAME",
                ),
                Param(
                    "distance_threshold",
                    _optional_float,
                    "merges at this distance or more are not made (with --n-clusters none)",
                    "D",
                ),
                _N_THREADS,
            ),
            demo={
                "iris": {"n_clusters": 3},
                "varying_density": {"n_clusters": 3},
            },
        ),
        Algorithm(
            name="dbscan",
            summary="DBSCAN (density-based; scikit-learn's labels, O(n) memory)",
            factory=_dbscan,
            params=(
                Param("eps", _float, "neighbourhood radius (default: 0.5)", "EPS"),
                Param("min_samples", _int, "neighbours that make a core sample (default: 5)", "N"),
                Param(
                    "metric",
                    _choice("euclidean", "manhattan", "cosine"),
                    "euclidean, manhattan or cosine",
                    "NAME",
                ),
                Param(
                    "algorithm",
                    _choice("auto", "kd_tree", "ball_tree", "brute"),
                    "neighbour search: auto, kd_tree, ball_tree or brute",
                    "NAME",
                    cli_name="neighbors_algorithm",
                ),
                Param(
                    "n_jobs",
                    _optional_int,
                    "threads (default: all CPUs, or CLUSTOR_NUM_THREADS)",
                    "N",
                    cli_name="n_threads",
                ),
            ),
            demo={
                "iris": {"eps": 0.5, "min_samples": 5},
                "varying_density": {"eps": 0.5, "min_samples": 20},
            },
        ),
        Algorithm(
            name="optics",
            summary="OPTICS ordering with xi-steep or DBSCAN-style cluster extraction",
            factory=_optics,
            params=(
                Param(
                    "min_samples",
                    _count_or_fraction,
                    "neighbours of a core point, or a fraction of n (default: 5)",
                    "N",
                ),
                Param("max_eps", _float, "largest neighbourhood radius (default: inf)", "EPS"),
                Param(
                    "metric",
                    _choice("minkowski", "euclidean", "manhattan", "chebyshev", "cosine"),
                    "distance (default: minkowski with --p)",
                    "NAME",
                ),
                Param("p", _float, "Minkowski power (default: 2)", "P"),
                Param(
                    "cluster_method",
                    _choice("xi", "dbscan"),
                    "xi or dbscan extraction (default: xi)",
                    "NAME",
                ),
                Param(
                    "xi", _float, "minimum steepness of a cluster boundary (default: 0.05)", "XI"
                ),
                Param("eps", _float, "radius of the dbscan extraction (default: max_eps)", "EPS"),
                Param(
                    "min_cluster_size",
                    _count_or_fraction,
                    "smallest xi cluster (default: min_samples)",
                    "N",
                ),
                _N_THREADS,
            ),
            demo={
                "iris": {"min_samples": 10, "xi": 0.1},
                "varying_density": {"min_samples": 20, "xi": 0.05},
            },
        ),
        Algorithm(
            name="gaussian_mixture",
            summary="Gaussian mixture fitted by EM (full, tied, diag or spherical covariances)",
            factory=_gaussian_mixture,
            params=(
                Param("n_components", _int, "number of components (default: 1)", "K"),
                Param(
                    "covariance_type",
                    _choice("full", "tied", "diag", "spherical"),
                    "full, tied, diag or spherical (default: full)",
                    "NAME",
                ),
                _RANDOM_STATE,
                Param("n_init", _int, "number of initialisations (default: 1)", "N"),
                Param("max_iter", _int, "maximum EM iterations (default: 100)", "N"),
                Param("tol", _float, "lower-bound tolerance (default: 1e-3)", "TOL"),
                Param("reg_covar", _float, "added to covariance diagonals (default: 1e-6)", "R"),
                Param(
                    "init_params",
                    _choice("kmeans", "k-means++", "kmeans++", "random", "random_from_data"),
                    "initialisation (default: kmeans)",
                    "NAME",
                ),
                _N_THREADS,
            ),
            demo={
                "iris": {"n_components": 3, "random_state": 0},
                "varying_density": {"n_components": 3, "random_state": 0},
            },
        ),
        Algorithm(
            name="affinity_propagation",
            summary="affinity propagation (exemplars by message passing; n×n memory)",
            factory=_affinity_propagation,
            params=(
                Param("damping", _float, "damping in [0.5, 1) (default: 0.5)", "D"),
                Param(
                    "preference",
                    _optional_float,
                    "exemplar preference; lower gives fewer clusters (default: median)",
                    "P",
                ),
                Param("max_iter", _int, "maximum iterations (default: 200)", "N"),
                Param("metric", _choice("euclidean", "cosine"), "euclidean or cosine", "NAME"),
                _RANDOM_STATE,
            ),
            demo={
                "iris": {"damping": 0.9, "preference": -50.0, "random_state": 0},
                "varying_density": {"damping": 0.9, "preference": -5000.0, "random_state": 0},
            },
        ),
        Algorithm(
            name="birch",
            summary="BIRCH (CF-tree of subclusters, then a global clustering step)",
            factory=_birch,
            params=(
                Param("threshold", _float, "subcluster radius limit (default: 0.5)", "R"),
                Param("branching_factor", _int, "subclusters per node (default: 50)", "B"),
                Param(
                    "n_clusters",
                    _optional_int,
                    "clusters of the global step; none keeps the subclusters (default: 3)",
                    "K",
                ),
            ),
            demo={
                "iris": {"n_clusters": 3},
                "varying_density": {"n_clusters": 3},
            },
        ),
    ]
}


def _iris() -> tuple[np.ndarray, np.ndarray]:
    from .datasets import load_iris

    return load_iris()


def _varying_density() -> tuple[np.ndarray, np.ndarray]:
    from .datasets import make_varying_density

    return make_varying_density(1500, random_state=0)


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset("iris", "Fisher's Iris, 150 x 4, 3 species", _iris),
        Dataset("varying_density", "3 blobs of different spread, 1500 x 2", _varying_density),
    ]
}


def get_algorithm(name: str) -> Algorithm:
    """The entry called ``name``; ValueError naming the known ones otherwise."""
    try:
        return ALGORITHMS[name.lower()]
    except KeyError:
        known = ", ".join(sorted(ALGORITHMS))
        raise ValueError(f"unknown algorithm {name!r}; choose from: {known}") from None


def cli_params() -> dict[str, list[tuple[str, Param]]]:
    """Every command-line option any algorithm exposes → the (algorithm, Param) pairs.

    The command line has one option per name; the chosen algorithm's Param parses it.
    """
    out: dict[str, list[tuple[str, Param]]] = {}
    for algo in ALGORITHMS.values():
        for p in algo.params:
            out.setdefault(p.option, []).append((algo.name, p))
    return out
