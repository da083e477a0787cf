"""AffinityPropagation: scikit-learn's algorithm, its message passing in Rust.

The similarity matrix, the preferences and scikit-learn's tie-breaking noise are prepared
here exactly as scikit-learn prepares them (the same NumPy operations, the noise drawn from
the same generator in the same order), so that on the same data and ``random_state`` the
exemplars and labels are scikit-learn's. The iterations run in ``clustor_core::affinity``:
one fused, row-parallel pass per iteration instead of some fifteen whole-matrix operations.

The method needs three n×n matrices (similarities, responsibilities, availabilities); a fit
whose matrices cannot fit in the memory available is refused up front with a MemoryError.
"""

from __future__ import annotations

import math
import numbers
import os
import warnings
from typing import Any, ClassVar

import numpy as np

from .. import _core
from .._base import BaseEstimator, ClusterMixin
from .._threads import get_num_threads
from .._validation import Interval, Options, check_random_state
from ..exceptions import convergence_warning_class
from ._kmeans import _kernel_frame, _normalize_rows

__all__ = ["AffinityPropagation", "affinity_propagation"]

_METRICS = {"euclidean": "euclidean", "l2": "euclidean", "cosine": "cosine"}

# Values per block when the similarities or the noise are made in row blocks.
_BLOCK_VALUES = 1 << 20


def _available_memory() -> int | None:
    """Bytes of memory the system can give this process now (None when unknown)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def _human(n_bytes: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n_bytes < 1024 or unit == "PiB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.1f} PiB"  # pragma: no cover


def _check_matrices_fit(n: int, dtype: np.dtype, n_matrices: int = 3) -> None:
    """MemoryError, before anything is allocated, when ``n_matrices`` n×n matrices of
    ``dtype`` do not fit in the memory available."""
    itemsize = np.dtype(dtype).itemsize
    need = n_matrices * n * n * itemsize
    available = _available_memory()
    if available is None or need <= available:
        return
    n_max = math.isqrt(available // (n_matrices * itemsize))
    raise MemoryError(
        f"AffinityPropagation on {n} samples needs {_human(need)} for its {n_matrices} "
        f"{n}×{n} {np.dtype(dtype).name} matrices (similarities, responsibilities, "
        f"availabilities), more than the {_human(available)} available. Fit on at most "
        f"about {n_max} samples (e.g. a subsample, then predict the rest), use float32 data "
        "(half the memory), or use Birch or KMeans, which need no n×n matrix."
    )


def _similarities(X: np.ndarray, metric: str) -> np.ndarray:
    """Negative squared euclidean distances (or negative cosine distances) between the rows,
    computed with scikit-learn's operations (so float64 similarities are bit-identical to
    ``-euclidean_distances(X, squared=True)``); float32 data is computed in float64 row
    blocks and stored in float32, as scikit-learn does."""
    n = X.shape[0]
    if metric == "cosine":
        # X has unit rows: 1 − x·y, clipped to [0, 2], diagonal 0 (scikit-learn's
        # cosine_distances), negated.
        S = X @ X.T
        S *= -1
        S += 1
        np.clip(S, 0, 2, out=S)
    elif X.dtype == np.float64:
        S = X @ X.T
        S *= -2
        XX = np.einsum("ij,ij->i", X, X)
        S += XX[:, None]
        S += XX[None, :]
        np.maximum(S, 0, out=S)
    else:
        S = np.empty((n, n), dtype=X.dtype)
        X64 = X.astype(np.float64)
        XX = np.einsum("ij,ij->i", X64, X64)
        step = max(1, _BLOCK_VALUES // n)
        for a in range(0, n, step):
            b = min(n, a + step)
            d = X64[a:b] @ X64.T
            d *= -2
            d += XX[a:b, None]
            d += XX[None, :]
            np.maximum(d, 0, out=d)
            S[a:b] = d
    np.fill_diagonal(S, 0)
    np.negative(S, out=S)
    return S


def _all_equal_off_diagonal(S: np.ndarray) -> bool:
    """Whether every off-diagonal value of the square matrix S is the same."""
    n = S.shape[0]
    # The n² − 1 values after S[0, 0], in rows of n + 1, end each row with a diagonal value.
    off = S.reshape(-1)[1:].reshape(n - 1, n + 1)[:, :n]
    first = off[0, 0]
    step = max(1, _BLOCK_VALUES // n)
    return all(bool(np.all(off[a : a + step] == first)) for a in range(0, n - 1, step))


def _add_noise(S: np.ndarray, rng: Any) -> None:
    """scikit-learn's degeneracy-removing noise, ``S += (eps·S + 100·tiny)·N(0, 1)``, drawn
    from ``rng`` in the same order (row blocks of one stream) without an n×n temporary."""
    n = S.shape[0]
    info = np.finfo(S.dtype)
    eps, tiny = info.eps, info.tiny * 100
    step = max(1, _BLOCK_VALUES // n)
    for a in range(0, n, step):
        b = min(n, a + step)
        block = S[a:b]
        block += (eps * block + tiny) * rng.standard_normal(size=(b - a, n))


def _own_copy(X: np.ndarray, original: Any) -> np.ndarray:
    """X as a C-contiguous array that shares no memory with the caller's data."""
    if X.flags.owndata and X.base is None and X is not original:
        if not (isinstance(original, np.ndarray) and np.may_share_memory(X, original)):
            return X
    return np.array(X, order="C", copy=True)


class AffinityPropagation(ClusterMixin, BaseEstimator):
    """Affinity propagation clustering (scikit-learn's parameters, plus the seed toolkit's).

    Parameters
    ----------
    damping : float, default=0.5
        Damping factor in [0.5, 1.0): new messages are ``damping·old + (1 − damping)·new``.
    max_iter : int, default=200
        Maximum number of iterations.
    convergence_iter : int, default=15
        Number of iterations with no change in the set of exemplars that ends the run.
    copy : bool, default=True
        Accepted for compatibility. clustor never writes to the caller's data: with
        ``affinity='precomputed'`` the matrix is copied whatever ``copy`` says.
    preference : float or array-like of shape (n_samples,), default=None
        Preference of each sample for being an exemplar (larger gives more clusters).
        None means the median of the similarities (the whole n×n matrix, diagonal zeros
        included), as scikit-learn computes it.
    affinity : {'euclidean', 'precomputed'}, default='euclidean'
        'euclidean': similarities are negative squared euclidean distances (negative cosine
        distances under ``metric='cosine'``); 'precomputed': X is the n×n similarity matrix.
    verbose : bool, default=False
        Print whether and when the run converged.
    random_state : None, int, RandomState or Generator
        Draws scikit-learn's tie-breaking noise (so an int gives scikit-learn's result for
        the same int).
    metric : {'euclidean', 'l2', 'cosine'}, default='euclidean'
        Case-insensitive; with ``affinity='euclidean'``, 'cosine' uses the similarity
        ``−(1 − cos)`` (rows scaled to unit norm; a zero row has cosine distance 1 to every
        other row). Ignored with ``affinity='precomputed'``.
    normalize_input : bool, default=False
        Scale rows to unit norm before computing euclidean similarities.

    Attributes
    ----------
    cluster_centers_indices_ : ndarray of shape (n_clusters,), int64
        Indices of the exemplars (ascending).
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        The exemplars' rows of X (not set with ``affinity='precomputed'``).
    labels_ : ndarray of shape (n_samples,), int64
        Cluster of each sample; -1 for every sample when no exemplar emerged.
    affinity_matrix_ : ndarray of shape (n_samples, n_samples)
        The similarity matrix as the iterations used it: preferences on the diagonal and
        the tie-breaking noise added (as scikit-learn leaves it).
    n_iter_ : int
    converged_ : bool
        Whether the set of exemplars stayed fixed for ``convergence_iter`` iterations.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has string column names

    The seed toolkit's keys read the same results: ``est["exemplars"]``,
    ``est["labels"]``, ``est["converged"]``, ``est["n_iter"]``.

    Examples
    --------
    >>> import numpy as np
    >>> from clustor import AffinityPropagation
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [4, 2], [4, 4], [4, 0]])
    >>> ap = AffinityPropagation(random_state=5).fit(X)
    >>> ap.labels_.tolist()
    [0, 0, 0, 1, 1, 1]
    >>> ap.predict([[0, 0], [4, 4]]).tolist()
    [0, 1]
    >>> ap.cluster_centers_.tolist()
    [[1.0, 2.0], [4.0, 2.0]]
    >>> ap["converged"]
    True
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "damping": [Interval(numbers.Real, 0.5, 1.0, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "convergence_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "copy": ["boolean"],
        "preference": ["array-like", Interval(numbers.Real, None, None, closed="neither"), None],
        "affinity": [Options({"euclidean", "precomputed"})],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "metric": [Options(set(_METRICS), ignore_case=True)],
        "normalize_input": ["boolean"],
    }
    _result_keys: ClassVar[dict[str, str]] = {
        "exemplars": "cluster_centers_indices_",
        "labels": "labels_",
        "converged": "converged_",
        "n_iter": "n_iter_",
    }

    def __init__(
        self,
        *,
        damping: float = 0.5,
        max_iter: int = 200,
        convergence_iter: int = 15,
        copy: bool = True,
        preference: Any = None,
        affinity: str = "euclidean",
        verbose: bool = False,
        random_state: Any = None,
        metric: str = "euclidean",
        normalize_input: bool = False,
    ):
        self.damping = damping
        self.max_iter = max_iter
        self.convergence_iter = convergence_iter
        self.copy = copy
        self.preference = preference
        self.affinity = affinity
        self.verbose = verbose
        self.random_state = random_state
        self.metric = metric
        self.normalize_input = normalize_input

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.affinity == "precomputed"
        return tags

    def _metric(self) -> str:
        return _METRICS[self.metric.lower()]

    def _prepare(self, X: np.ndarray) -> np.ndarray:
        if self._metric() == "cosine" or self.normalize_input:
            return _normalize_rows(X)
        return X

    def _preference(self, S: np.ndarray) -> np.ndarray:
        n = S.shape[0]
        if self.preference is None:
            return np.asarray(np.median(S))
        pref = np.asarray(self.preference)
        if pref.dtype.kind not in "fiub" or pref.ndim > 1 or (pref.ndim == 1 and len(pref) != n):
            raise ValueError(
                "preference must be a number or an array of shape (n_samples,) = "
                f"({n},); got {self.preference!r}."
            )
        if not np.all(np.isfinite(pref)):
            raise ValueError("preference contains NaN or infinity; give finite values.")
        return pref

    def fit(self, X: Any, y: Any = None) -> AffinityPropagation:
        """Fit the clustering from features, or from a similarity matrix.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples)
            Training samples, or similarities between them with ``affinity='precomputed'``.
            float32 data is clustered in float32, anything else in float64.
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        original = X
        X = self._validate_data(X, reset=True)
        n = X.shape[0]
        precomputed = self.affinity == "precomputed"
        if precomputed:
            if X.shape[0] != X.shape[1]:
                raise ValueError(
                    f"The matrix of similarities must be a square array. Got {X.shape} instead."
                )
            _check_matrices_fit(n, X.dtype)
            S = _own_copy(X, original)
        else:
            _check_matrices_fit(n, X.dtype)
            S = _similarities(self._prepare(X), self._metric())
        preference = self._preference(S)
        rng = check_random_state(self.random_state)

        if n == 1 or (np.all(preference == preference.flat[0]) and _all_equal_off_diagonal(S)):
            warnings.warn(
                "All samples have mutually equal similarities. "
                "Returning arbitrary cluster center(s).",
                UserWarning,
                stacklevel=2,
            )
            if preference.flat[0] > S.flat[n - 1]:
                indices, labels = np.arange(n), np.arange(n)
            else:
                indices, labels = np.array([0]), np.zeros(n, dtype=np.int64)
            n_iter, converged = 0, True
        else:
            S.flat[:: n + 1] = preference
            _add_noise(S, rng)
            indices, labels, n_iter, converged = _core.affinity_propagation_fit(
                S, float(self.damping), self.max_iter, self.convergence_iter, get_num_threads()
            )
            if self.verbose:
                print(
                    f"Converged after {n_iter - 1} iterations." if converged else "Did not converge"
                )
            if len(indices) == 0:
                warnings.warn(
                    "Affinity propagation did not converge and this model will not have any "
                    "cluster centers.",
                    convergence_warning_class(),
                    stacklevel=2,
                )
            elif not converged:
                warnings.warn(
                    "Affinity propagation did not converge, this model may return degenerate "
                    "cluster centers and labels.",
                    convergence_warning_class(),
                    stacklevel=2,
                )
        self.affinity_matrix_ = S
        if not precomputed:
            self.cluster_centers_ = X[indices].copy()
        self.cluster_centers_indices_ = np.asarray(indices, dtype=np.int64)
        self.labels_ = np.asarray(labels, dtype=np.int64)
        self.n_iter_ = int(n_iter)
        self.converged_ = bool(converged)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Index of the closest exemplar for each sample (-1 everywhere when the fit found
        no exemplar).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        self._check_fitted()
        X = self._validate_data(X, reset=False)
        if not hasattr(self, "cluster_centers_"):
            raise ValueError("Predict method is not supported when affinity='precomputed'.")
        centers = self.cluster_centers_
        if centers.shape[0] == 0:
            warnings.warn(
                "This model does not have any cluster centers because affinity propagation "
                "did not converge. Labeling every sample as '-1'.",
                convergence_warning_class(),
                stacklevel=2,
            )
            return np.full(X.shape[0], -1, dtype=np.int64)
        X = np.ascontiguousarray(X, dtype=centers.dtype)
        Xw, cw = self._prepare(X), self._prepare(centers)
        Xw, cw = _kernel_frame(Xw, cw, 1.0, type(self).__name__)
        w = np.ones(X.shape[0], dtype=X.dtype)
        labels, _ = _core.kmeans_predict(Xw, w, cw, get_num_threads())
        return labels

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return the training labels."""
        return self.fit(X).labels_


def affinity_propagation(X: Any, **kwargs: Any) -> dict[str, Any]:
    """Functional affinity propagation (the seed toolkit's call).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or (n_samples, n_samples)
        Samples, or similarities with ``affinity='precomputed'``.
    **kwargs
        Any :class:`AffinityPropagation` parameter.

    Returns
    -------
    dict with ``exemplars`` (indices, int64), ``labels`` (int64), ``converged`` (bool) and
    ``n_iter`` (int).

    Examples
    --------
    >>> from clustor import affinity_propagation
    >>> X = [[1, 2], [1, 4], [1, 0], [4, 2], [4, 4], [4, 0]]
    >>> res = affinity_propagation(X, random_state=5)
    >>> res["labels"].tolist(), res["converged"]
    ([0, 0, 0, 1, 1, 1], True)
    """
    est = AffinityPropagation(**kwargs).fit(X)
    return {key: getattr(est, attr) for key, attr in est._result_keys.items()}
