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
    "check_distance_range",
    "check_random_state",
    "check_sample_weight",
    "distance_range_ok",
    "draw_seed",
    "feature_names",
    "rescale_sample_weight",
    "squared_diameter",
    "validate_params",
]

FLOAT_DTYPES = (np.float64, np.float32)


class InvalidParameterError(ValueError, TypeError):
    """A parameter has a value outside what it accepts (scikit-learn's class of the same name)."""

    def __reduce__(self) -> tuple:
        # The bridged subclass is made at run time; pickle as this class, re-bridge on load.
        return (_rebuild_invalid_parameter, self.args)


def _rebuild_invalid_parameter(*args: Any) -> InvalidParameterError:
    return _invalid_parameter_class()(*args)


def _is_sparse(X: Any) -> bool:
    mod = type(X).__module__ or ""
    return mod.startswith("scipy.sparse") or (hasattr(X, "tocsr") and hasattr(X, "nnz"))


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
    types = sorted({type(c).__qualname__ for c in cols})
    if len(types) > 1 and "str" in types:
        raise TypeError(
            "Feature names are only supported if all input features have string names, "
            f"but your input has {types} as feature name / column name types. If you want "
            "feature names to be stored and validated, you must convert them all to strings, "
            "by using X.columns = X.columns.astype(str) for example. Otherwise you can remove "
            "feature / column names from your input data, or convert them all to a "
            "non-string data type."
        )
    if types == ["str"]:
        return np.asarray(cols, dtype=object)
    return None


def _to_numpy(X: Any, input_name: str = "X") -> np.ndarray:
    if _is_sparse(X):
        raise TypeError(
            f"Sparse data was passed for {input_name}, but dense data is required. Use "
            "'.toarray()' to convert to a dense numpy array."
        )
    mod = type(X).__module__ or ""
    if mod.startswith("polars"):
        X = X.to_numpy()
    elif mod.startswith("pandas") and hasattr(X, "to_numpy"):
        arr = X.to_numpy()
        # Nullable extension dtypes (Int64, Float64, boolean) give object arrays holding
        # pd.NA, which float() rejects; as NaN they meet the usual missing-value message.
        return X.to_numpy(dtype=object, na_value=np.nan) if arr.dtype == object else arr
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
        arr = _to_numpy(X, input_name)
    except TypeError:
        raise
    except (ValueError, OverflowError) as e:
        raise ValueError(f"Could not convert {input_name} to a numeric array: {e}") from e
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported\n{arr!r}\n")
    if arr.dtype.kind in "US":
        raise ValueError(
            "dtype='numeric' is not compatible with arrays of bytes/strings."
            "Convert your data to numeric values explicitly instead."
        )
    if arr.dtype.kind == "O":
        try:
            # As scikit-learn: numbers (and numeric strings) in an object array convert;
            # anything else fails with NumPy's TypeError or ValueError.
            arr = arr.astype(np.float64)
        except TypeError:
            if any(isinstance(v, complex) for v in arr.flat):
                raise ValueError(f"Complex data not supported\n{arr!r}\n") from None
            raise
        except OverflowError as e:
            raise ValueError(
                f"Input {input_name} contains a value too large for dtype('float64'): {e}"
            ) from e
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
                f"Found array with dim {arr.ndim}, while dim <= 2 is required by {estimator}."
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
    # A float64 → float32 (or longdouble → float64) cast may overflow to inf: the finiteness
    # check below reports it with scikit-learn's message instead of NumPy's warning.
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.array(arr, dtype=target, order="C", copy=copy or None)
    if not allow_nan and out.dtype.kind == "f":
        assert_all_finite(out, input_name, estimator)
    return out


# Above this many values the finiteness test runs in the core, in parallel.
_PARALLEL_FINITE_SIZE = 1 << 16


def assert_all_finite(a: np.ndarray, input_name: str, estimator: str) -> None:
    if a.size >= _PARALLEL_FINITE_SIZE and a.dtype in (np.float32, np.float64):
        from . import _core
        from ._threads import get_num_threads

        if _core.all_finite(a.reshape(-1), get_num_threads()):
            return
    else:
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


def check_sample_weight(
    sample_weight: Any, n_samples: int, dtype: Any, *, allow_negative: bool = False
) -> np.ndarray:
    """Sample weights as a contiguous 1-D array of ``dtype``: None means all ones.

    Weights must be finite and non-negative with at least one positive value. scikit-learn's
    KMeans accepts negative weights; clustor rejects them, as a weighted mean with negative
    weights can leave the data's hull and k-means++ cannot draw with negative probability.
    With ``allow_negative`` (DBSCAN, where a negative weight keeps points from being core, as
    in scikit-learn) any finite weights with at least one non-zero value pass.
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        w = np.full(n_samples, float(sample_weight), dtype=np.float64)
    elif isinstance(sample_weight, numbers.Number):
        raise TypeError(
            f"sample_weight must be a real number or an array-like, got {sample_weight!r}."
        )
    else:
        w = check_array(
            sample_weight,
            input_name="sample_weight",
            dtype=np.float64,
            ensure_2d=False,
            allow_nan=True,
        )
        if w.ndim != 1:
            raise ValueError(
                f"Sample weights must be 1D array or scalar, got {w.ndim}D array. Expected "
                f"either a scalar value or a 1D array of length {n_samples}."
            )
        if w.shape != (n_samples,):
            raise ValueError(f"sample_weight.shape == {w.shape}, expected {(n_samples,)}!")
    if not np.isfinite(w).all():
        raise ValueError("Input sample_weight contains NaN or infinity.")
    if not allow_negative and (w < 0).any():
        raise ValueError("Negative values in data passed to `sample_weight`.")
    if n_samples and not (w != 0 if allow_negative else w > 0).any():
        raise ValueError("Sample weights must contain at least one non-zero number.")
    dtype = np.dtype(dtype)
    if n_samples and np.abs(w).max() > np.finfo(dtype).max:
        raise ValueError(
            f"Input sample_weight contains a value too large for {dtype!r} (the data's "
            "float type); divide the weights by a common factor."
        )
    return np.ascontiguousarray(w, dtype=dtype)


def rescale_sample_weight(w: np.ndarray) -> tuple[np.ndarray, float]:
    """``(w / s, s)`` with ``s`` the power of two that brings ``max(w)`` into [1, 2).

    Results of weighted k-means depend only on relative weights. Dividing by a power of two
    is exact, so typical weights give bit-identical results, while tiny (subnormal) or huge
    weights no longer underflow or overflow inside weighted sums; multiply weighted totals
    (inertia) by ``s`` afterwards. Weights below 2**-1022 times the largest (subnormal once
    rescaled) count as zero: a cluster holding only such weight would need 1/weight > 2**1024.
    """
    top = float(w.max()) if w.size else 0.0
    if top <= 0 or not math.isfinite(top):
        return w, 1.0
    exponent = math.frexp(top)[1] - 1
    scale = math.ldexp(1.0, exponent)
    tiny = np.finfo(np.float64).tiny
    if exponent == 0 and not (0 < w[w > 0].min() < tiny):
        return w, scale
    # ldexp keeps the division exact even where 2**exponent itself is not representable.
    scaled = np.ldexp(w.astype(np.float64), -exponent)
    scaled[scaled < tiny] = 0
    return scaled.astype(w.dtype), scale


def squared_diameter(*arrays: np.ndarray) -> float:
    """Squared diagonal of the bounding box of the rows of ``arrays`` (float64; inf when it
    overflows): no two points in the box are farther apart, in squared euclidean distance."""
    lo = np.min([a.min(axis=0) for a in arrays], axis=0).astype(np.float64)
    hi = np.max([a.max(axis=0) for a in arrays], axis=0).astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sum(np.square(hi - lo)))


def distance_range_ok(sq_bound: float, dtype: Any, weight_total: float = 1.0) -> bool:
    """Whether the distance kernels stay finite when ``‖x‖² − 2x·c + ‖c‖²`` is at most
    ``4 * sq_bound``: computed in ``dtype``, and summed with weights totalling
    ``weight_total`` in float64."""
    limit = float(np.finfo(np.dtype(dtype)).max) / 4
    total_limit = float(np.finfo(np.float64).max) / 4 / max(weight_total, 1.0)
    return sq_bound <= min(limit, total_limit)


def check_distance_range(
    sq_diameter: float, dtype: Any, weight_total: float = 1.0, *, estimator: str = "clustor"
) -> None:
    """Raise ValueError when squared distances between points of a bounding box whose
    squared diagonal is ``sq_diameter`` (data centered inside it) could overflow.

    Past this limit scikit-learn silently returns inf inertia and arbitrary labels.
    """
    if distance_range_ok(sq_diameter, dtype, weight_total):
        return
    dtype = np.dtype(dtype)
    advice = " or use float64 data" if dtype == np.float32 else ""
    raise ValueError(
        f"{estimator} cannot work on this data in {dtype}: its values span too wide a range, "
        f"so squared distances between samples overflow (squared bounding-box diagonal "
        f"{sq_diameter:.3g}). Rescale X, e.g. with sklearn.preprocessing.StandardScaler"
        f"{advice}."
    )


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
        # An infinite end is never included, whatever ``closed`` says.
        lb = "[" if self.closed in ("left", "both") and self.left is not None else "("
        rb = "]" if self.closed in ("right", "both") and self.right is not None else ")"
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
        lambda v: (
            not isinstance(v, (str, bytes))
            and (hasattr(v, "__len__") or hasattr(v, "shape") or hasattr(v, "__array__"))
        ),
        "an array-like",
    ),
    "callable": (callable, "a callable"),
    "random_state": (
        lambda v: (
            v is None
            or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and 0 <= v < 2**32)
            or isinstance(v, (np.random.RandomState, np.random.Generator))
        ),
        "an int in the range [0, 4294967295], an instance of 'numpy.random.RandomState', "
        "an instance of 'numpy.random.Generator' or None",
    ),
    "verbose": (
        lambda v: isinstance(v, (bool, np.bool_)) or (isinstance(v, numbers.Integral) and v >= 0),
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
