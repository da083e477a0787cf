"""Typed surface of the native module ``clustor._core`` (private: use the public API).

Every function takes C-contiguous float32 or float64 arrays (all of one type), releases the
GIL while the Rust core runs, and raises ValueError (bad input), MemoryError or
RuntimeError; KeyboardInterrupt propagates from Ctrl-C between iterations.
"""

from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

Float = np.float32 | np.float64

def available_threads() -> int: ...
def kmeans_plusplus(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float],
    n_clusters: int,
    n_local_trials: int | None,
    seed: int,
    n_threads: int,
) -> tuple[npt.NDArray[Float], npt.NDArray[np.int64]]: ...
def kmeans_random_init(
    x: npt.NDArray[Float], sample_weight: npt.NDArray[Float], n_clusters: int, seed: int
) -> tuple[npt.NDArray[Float], npt.NDArray[np.int64]]: ...
def kmeans_fit(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float],
    centers: npt.NDArray[Float],
    max_iter: int,
    tol: float,
    algorithm: str,
    spherical: bool,
    n_threads: int,
    verbose: bool,
) -> tuple[npt.NDArray[Float], npt.NDArray[np.int64], float, int]: ...
def kmeans_predict(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float],
    centers: npt.NDArray[Float],
    n_threads: int,
) -> tuple[npt.NDArray[np.int64], float]: ...
def kmeans_transform(
    x: npt.NDArray[Float], centers: npt.NDArray[Float], n_threads: int
) -> npt.NDArray[Float]: ...
def silhouette_samples(
    x: npt.NDArray[Float],
    labels: npt.NDArray[np.int64],
    n_clusters: int,
    metric: str,
    n_threads: int,
) -> npt.NDArray[np.float64]: ...
def linkage_observations(
    x: npt.NDArray[Float], method: str, metric: str, n_threads: int, min_first: bool = True
) -> npt.NDArray[np.float64]: ...
def linkage_condensed(y: npt.NDArray[Float], n: int, method: str) -> npt.NDArray[np.float64]: ...
def affinity_propagation_fit(
    s: npt.NDArray[Float], damping: float, max_iter: int, convergence_iter: int, n_threads: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int, bool]: ...
def birch_insert(
    x: npt.NDArray[Float],
    tree: dict[str, npt.NDArray[Any]] | None,
    threshold: float,
    branching_factor: int,
) -> tuple[dict[str, npt.NDArray[Any]], npt.NDArray[Float]]: ...
def birch_nearest(
    x: npt.NDArray[Float], centers: npt.NDArray[Float], n_threads: int
) -> npt.NDArray[np.int64]: ...
