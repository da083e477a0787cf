"""Input conversion and parameter checks: the one validation path of clustor.

Messages follow scikit-learn's so that users (and scikit-learn's estimator checks) see
familiar errors. Python validates; the Rust core re-checks only what it relies on.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = [
    "Interval",
    "InvalidParameterError",
    "Options",
    "check_array",
    "check_random_state",
    "check_sample_weight",
    "draw_seed",
    "feature_names",
    "validate_params",
]

FLOAT_DTYPES = (np.float64, np.float32)


class InvalidParameterError(ValueError, TypeError):
    """A parameter has a value outside what it accepts (scikit-learn's class of the same name)."""


def _is_sparse(X: Any) -> bool:
    mod = type(X).__module__ or ""
    return mod.startswith("scipy.sparse") or hasattr(X, "tocsr") and hasattr(X, "nnz")


def _is_dataframe(X: Any) -> bool:
    mod = type(X).__module__ or ""
    return mod.startswith(("pandas", "polars")) and hasattr(X, "columns")


def feature_names(X: Any) -> np.ndarray | None:
    """Column names of a pandas/polars frame when they are all strings, else None."""
    if not _is_dataframe(X):
        return None
    cols = list(X.columns)
    if not cols:
        return None
    if all(isinstance(c, str) for c in cols):
        return np.asarray(cols, dtype=object)
    return None


def _to_numpy(X: Any) -> np.ndarray:
    if _is_sparse(X):
        raise TypeError(
            "Sparse data was passed, but dense data is required. Use '.toarray()' to "
            "convert to a dense numpy array (clustor does not support sparse input)."
        )
    if type(X).__module__.startswith("polars"):
        X = X.to_numpy()
    elif hasattr(X, "__dataframe__") and hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):
        X = X.to_numpy()
    return np.asarray(X)


def check_array(
    X: Any,
    *,
    estimator: str = "clustor",
    input_name: str = "X",
    dtype: Any = "numeric",
    ensure_2d: bool = True,
    ensure_min_samples: int = 1,
    ensure_min_features: int = 1,
    allow_nan: bool = False,
    copy: bool = False,
) -> np.ndarray:
    """Convert ``X`` to a C-contiguous float32/float64 array and check it.

    float32 stays float32 and float64 stays float64; every other numeric type (ints, bools,
    float16) becomes float64 unless ``dtype`` names one. The input is never written to;
    read-only and memory-mapped arrays are accepted.
    """
    if X is None:
        raise ValueError(
            f"Expected 2D array, got None instead. {estimator} needs an array-like {input_name}."
        )
    if isinstance(X, str):
        raise ValueError(f"Expected 2D array, got a string instead for {input_name}.")
    try:
        arr = _to_numpy(X)
    except TypeError:
        raise
    except (ValueError, OverflowError) as e:
        raise ValueError(f"Could not convert {input_name} to a numeric array: {e}") from e
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported\n{arr!r}\n")
    if arr.dtype.kind in "OUSV":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"{input_name} must contain numbers; converting it to float failed: {e}"
            ) from e
        if np.iscomplexobj(arr):
            raise ValueError("Complex data not supported")
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"{input_name} has dtype {arr.dtype}, which is not numeric.")
    if ensure_2d:
        if arr.ndim == 0:
            raise ValueError(
                f"Expected 2D array, got scalar array instead:\narray={arr}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your data has a "
                "single feature or array.reshape(1, -1) if it contains a single sample."
            )
        if arr.ndim == 1:
            raise ValueError(
                f"Expected 2D array, got 1D array instead:\narray={arr}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your data has a "
                "single feature or array.reshape(1, -1) if it contains a single sample."
            )
        if arr.ndim > 2:
            raise ValueError(
                f"Found array with dim {arr.ndim}. {estimator} expected <= 2."
            )
    if dtype == "numeric":
        target = arr.dtype if arr.dtype in FLOAT_DTYPES else np.dtype(np.float64)
    else:
        target = np.dtype(dtype)
    if ensure_2d:
        n, d = arr.shape
        if ensure_min_samples > 0 and n < ensure_min_samples:
            raise ValueError(
                f"Found array with {n} sample(s) (shape={arr.shape}) while a minimum of "
                f"{ensure_min_samples} is required by {estimator}."
            )
        if ensure_min_features > 0 and d < ensure_min_features:
            raise ValueError(
                f"Found array with {d} feature(s) (shape={arr.shape}) while a minimum of "
                f"{ensure_min_features} is required by {estimator}."
            )
    out = np.array(arr, dtype=target, order="C", copy=copy or None)
    if not allow_nan and out.dtype.kind == "f":
        _assert_all_finite(out, input_name, estimator)
    return out


def _assert_all_finite(a: np.ndarray, input_name: str, estimator: str) -> None:
    # One pass in the common (finite) case: the sum is finite iff every value is.
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.sum(a, dtype=np.float64)
    if math.isfinite(s):
        return
    if np.isnan(a).any():
        raise ValueError(
            f"Input {input_name} contains NaN.\n{estimator} does not accept missing values "
            "encoded as NaN natively. Remove or impute the samples with missing values "
            "(e.g. sklearn.impute.SimpleImputer) before clustering."
        )
    if np.isinf(a).any():
        raise ValueError(
            f"Input {input_name} contains infinity or a value too large for {a.dtype!r}."
        )


def check_sample_weight(sample_weight: Any, n_samples: int, dtype: Any) -> np.ndarray:
    """Sample weights as a contiguous 1-D array of ``dtype``: None means all ones."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if isinstance(sample_weight, numbers.Number):
        w = np.full(n_samples, sample_weight, dtype=dtype)
    else:
        w = np.asarray(_to_numpy(sample_weight))
        if w.dtype.kind not in "fiub":
            raise ValueError(f"sample_weight must be numeric, got dtype {w.dtype}")
        if w.ndim != 1:
            raise ValueError("Sample weights must be 1D array or scalar")
        if w.shape != (n_samples,):
            raise ValueError(
                f"sample_weight.shape == {w.shape}, expected {(n_samples,)}!"
            )
        w = np.ascontiguousarray(w, dtype=dtype)
    if not np.isfinite(w).all():
        raise ValueError("Input sample_weight contains NaN or infinity.")
    if (w < 0).any():
        raise ValueError("Negative values in data passed to sample_weight")
    if n_samples and not (w > 0).any():
        raise ValueError("sample_weight must have a positive sum; all weights are zero.")
    return w


def check_random_state(seed: Any) -> np.random.RandomState | np.random.Generator:
    """None → NumPy's global RandomState; int → a new RandomState; generators pass through."""
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    if isinstance(seed, (np.random.RandomState, np.random.Generator)):
        return seed
    raise ValueError(
        f"{seed!r} cannot be used to seed a numpy.random.RandomState instance; pass None, "
        "an int, a numpy.random.RandomState or a numpy.random.Generator."
    )


def draw_seed(rng: np.random.RandomState | np.random.Generator) -> int:
    """A 63-bit seed for the core's generator, drawn from ``rng``."""
    hi = np.iinfo(np.int64).max
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, hi, dtype=np.int64))
    return int(rng.randint(0, hi, dtype=np.int64))


# --- parameter constraints ---------------------------------------------------------------


class Interval:
    """Numbers of ``kind`` (numbers.Integral or numbers.Real) between ``left`` and ``right``."""

    def __init__(self, kind: type, left: float | None, right: float | None, closed: str = "both"):
        self.kind, self.left, self.right, self.closed = kind, left, right, closed

    def accepts(self, v: Any) -> bool:
        if isinstance(v, bool) or not isinstance(v, self.kind):
            return False
        if isinstance(v, float) and math.isnan(v):
            return False
        lo_ok = self.left is None or (
            v >= self.left if self.closed in ("left", "both") else v > self.left
        )
        hi_ok = self.right is None or (
            v <= self.right if self.closed in ("right", "both") else v < self.right
        )
        return lo_ok and hi_ok

    def __str__(self) -> str:
        kind = "an int" if self.kind is numbers.Integral else "a float"
        lb = "[" if self.closed in ("left", "both") else "("
        rb = "]" if self.closed in ("right", "both") else ")"
        left = "-inf" if self.left is None else self.left
        right = "inf" if self.right is None else self.right
        return f"{kind} in the range {lb}{left}, {right}{rb}"


class Options:
    """One of a set of strings (case-insensitive when ``ignore_case``)."""

    def __init__(self, options: Iterable[str], ignore_case: bool = False):
        self.options = sorted(options)
        self.ignore_case = ignore_case

    def accepts(self, v: Any) -> bool:
        if not isinstance(v, str):
            return False
        if self.ignore_case:
            return v.lower() in {o.lower() for o in self.options}
        return v in self.options

    def __str__(self) -> str:
        return "a str among {" + ", ".join(repr(o) for o in self.options) + "}"


_SIMPLE: dict[str, tuple[Callable[[Any], bool], str]] = {
    "boolean": (lambda v: isinstance(v, (bool, np.bool_)), "an instance of 'bool'"),
    "array-like": (
        lambda v: hasattr(v, "__len__") or hasattr(v, "shape") or hasattr(v, "__array__"),
        "an array-like",
    ),
    "callable": (callable, "a callable"),
    "random_state": (
        lambda v: v is None
        or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and 0 <= v < 2**32)
        or isinstance(v, (np.random.RandomState, np.random.Generator)),
        "an int in the range [0, 4294967295], an instance of 'numpy.random.RandomState', "
        "an instance of 'numpy.random.Generator' or None",
    ),
    "verbose": (
        lambda v: isinstance(v, (bool, np.bool_))
        or (isinstance(v, numbers.Integral) and v >= 0),
        "an int in the range [0, inf) or a bool",
    ),
}


def validate_params(owner: str, params: dict[str, Any], constraints: dict[str, list]) -> None:
    """Raise InvalidParameterError (a ValueError and TypeError) for any parameter whose value
    matches none of its constraints (None in the list accepts None)."""
    for name, allowed in constraints.items():
        if name not in params:
            continue
        v = params[name]
        ok = False
        described = []
        for c in allowed:
            if c is None:
                ok = ok or v is None
                described.append("None")
            elif isinstance(c, str):
                check, text = _SIMPLE[c]
                ok = ok or bool(check(v))
                described.append(text)
            else:
                ok = ok or c.accepts(v)
                described.append(str(c))
            if ok:
                break
        if not ok:
            if len(described) > 1:
                desc = ", ".join(described[:-1]) + " or " + described[-1]
            else:
                desc = described[0]
            raise _invalid_parameter_class()(
                f"The {name!r} parameter of {owner} must be {desc}. Got {v!r} instead."
            )


def _invalid_parameter_class() -> type:
    mod = sys.modules.get("sklearn.utils._param_validation")
    other = getattr(mod, "InvalidParameterError", None) if mod else None
    if other is None:
        return InvalidParameterError
    global _BRIDGED_IPE
    if _BRIDGED_IPE is None:
        _BRIDGED_IPE = type("InvalidParameterError", (InvalidParameterError, other), {})
    return _BRIDGED_IPE


_BRIDGED_IPE: type | None = None
