"""Typed surface of the native module ``clustor._core`` (private: use the public API).

Every function takes C-contiguous float32 or float64 arrays (all of one type), releases the
GIL while the Rust core runs, and raises ValueError (bad input), MemoryError or
RuntimeError; KeyboardInterrupt propagates from Ctrl-C between iterations.
"""

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
