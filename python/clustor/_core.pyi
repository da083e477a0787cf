"""Typed surface of the native module ``clustor._core`` (private: use the public API).

Every function takes C-contiguous float32 or float64 arrays (all of one type), releases the
GIL while the Rust core runs, and raises ValueError (bad input), MemoryError or
RuntimeError; KeyboardInterrupt propagates from Ctrl-C between iterations.
"""

from collections.abc import Callable
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
    checked: bool = False,
) -> tuple[npt.NDArray[Float], npt.NDArray[np.int64], float, int]: ...
def kmeans_predict(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float],
    centers: npt.NDArray[Float],
    n_threads: int,
    checked: bool = False,
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
def all_finite(a: npt.NDArray[Float], n_threads: int) -> bool: ...
def column_stats(
    x: npt.NDArray[Float], n_threads: int, squares: bool = False
) -> tuple[float, float, npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def center_rows(
    x: npt.NDArray[Float], shift: npt.NDArray[Float], out: npt.NDArray[Float], n_threads: int
) -> npt.NDArray[np.float64]: ...
def minibatch_partial_fit(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float],
    centers: npt.NDArray[Float],
    counts: npt.NDArray[np.float64],
    n_since_last_reassign: int,
    batch_size: int,
    reassignment_ratio: float,
    spherical: bool,
    seed: int,
    n_threads: int,
    verbose: bool,
) -> tuple[npt.NDArray[Float], npt.NDArray[np.float64], int, float, int]: ...
def minibatch_fit(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float],
    centers: npt.NDArray[Float],
    batch_size: int,
    n_steps: int,
    tol: float,
    max_no_improvement: int | None,
    reassignment_ratio: float,
    spherical: bool,
    seed: int,
    n_threads: int,
    verbose: bool,
) -> tuple[npt.NDArray[Float], npt.NDArray[np.float64], int, int, float | None, float]: ...
def bisecting_fit(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float],
    shift: npt.NDArray[Float],
    n_clusters: int,
    init: str,
    n_init: int,
    max_iter: int,
    tol: float,
    algorithm: str,
    strategy: str,
    spherical: bool,
    seed: int,
    n_threads: int,
    verbose: bool,
    seeder: Callable[[npt.NDArray[Float]], npt.NDArray[Float]] | None = None,
) -> tuple[
    npt.NDArray[Float],
    npt.NDArray[np.int64],
    float,
    int,
    npt.NDArray[np.int64],
    npt.NDArray[Float],
    npt.NDArray[np.int64],
]: ...
def bisecting_predict(
    x: npt.NDArray[Float],
    shift: npt.NDArray[Float],
    children: npt.NDArray[np.int64],
    centers: npt.NDArray[Float],
    labels: npt.NDArray[np.int64],
    n_threads: int,
) -> npt.NDArray[np.int64]: ...
def calinski_harabasz_score(
    x: npt.NDArray[Float], labels: npt.NDArray[np.int64], n_clusters: int, n_threads: int
) -> float: ...
def davies_bouldin_score(
    x: npt.NDArray[Float], labels: npt.NDArray[np.int64], n_clusters: int, n_threads: int
) -> float: ...
def expected_mutual_information(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], n: int, n_threads: int
) -> float: ...
def linkage_observations(
    x: npt.NDArray[Float], method: str, metric: str, n_threads: int, min_first: bool = True
) -> npt.NDArray[np.float64]: ...
def linkage_condensed(y: npt.NDArray[Float], n: int, method: str) -> npt.NDArray[np.float64]: ...
def dbscan_fit(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float] | None,
    eps: float,
    min_samples: int,
    metric: str,
    algorithm: str,
    leaf_size: int,
    n_threads: int,
    verbose: bool,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int]: ...
def neighbors_radius(
    x: npt.NDArray[Float],
    queries: npt.NDArray[Float] | None,
    radius: float,
    sort: bool,
    metric: str,
    algorithm: str,
    leaf_size: int,
    n_threads: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
def neighbors_kneighbors(
    x: npt.NDArray[Float],
    queries: npt.NDArray[Float] | None,
    k: int,
    metric: str,
    algorithm: str,
    leaf_size: int,
    n_threads: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]: ...
def optics_graph(
    x: npt.NDArray[Float],
    min_samples: int,
    max_eps: float,
    metric: str,
    p: float,
    algorithm: str,
    leaf_size: int,
    n_threads: int,
    sq_norms: npt.NDArray[np.float64] | None = None,
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]
]: ...
def optics_xi(
    reachability_plot: npt.NDArray[np.float64],
    predecessor_plot: npt.NDArray[np.int64],
    ordering: npt.NDArray[np.int64],
    xi: float,
    min_samples: int,
    min_cluster_size: int,
    predecessor_correction: bool,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def sklearn_tree_order(x: npt.NDArray[np.float64], leaf_size: int) -> npt.NDArray[np.int64]: ...
def gmm_estimate_parameters(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float],
    resp: npt.NDArray[np.float64],
    covariance_type: str,
    reg_covar: float,
    n_threads: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def gmm_precisions_cholesky(
    covariances: npt.NDArray[np.float64],
    covariance_type: str,
    n_components: int,
    n_features: int,
) -> npt.NDArray[np.float64]: ...
def gmm_fit(
    x: npt.NDArray[Float],
    sample_weight: npt.NDArray[Float],
    weights: npt.NDArray[np.float64],
    means: npt.NDArray[np.float64],
    covariances: npt.NDArray[np.float64],
    precisions_cholesky: npt.NDArray[np.float64],
    covariance_type: str,
    reg_covar: float,
    tol: float,
    max_iter: int,
    initial_lower_bound: float,
    n_threads: int,
    verbose: int,
    verbose_interval: int,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    bool,
    int,
]: ...
def gmm_log_prob_resp(
    x: npt.NDArray[Float],
    weights: npt.NDArray[np.float64],
    means: npt.NDArray[np.float64],
    precisions_cholesky: npt.NDArray[np.float64],
    covariance_type: str,
    n_threads: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
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
