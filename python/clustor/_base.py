"""The base estimator every clustor estimator derives from.

scikit-learn compatible without importing scikit-learn: ``__init__`` only stores
parameters, ``get_params``/``set_params``/``clone`` work, ``__sklearn_tags__`` describes the
estimator (importing scikit-learn lazily, only when scikit-learn asks), and fitted state is
plain NumPy arrays, so pickle and deepcopy work. Results are also readable with the seed
toolkit's keys: ``est.fit(X)["labels"]``.
"""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from typing import Any, ClassVar

import numpy as np

from ._validation import check_array, feature_names, validate_params
from .exceptions import not_fitted

__all__ = ["BaseEstimator", "ClusterMixin", "TransformerMixin"]


class BaseEstimator:
    """Parameters, validation, fitted-state checks and seed-style result access."""

    #: parameter name → list of accepted constraints (see ``_validation.validate_params``)
    _parameter_constraints: ClassVar[dict[str, list]] = {}
    #: seed toolkit's result key → fitted attribute
    _result_keys: ClassVar[dict[str, str]] = {}
    #: whether the estimator has ``transform``
    _is_transformer: ClassVar[bool] = False

    # -- parameters ------------------------------------------------------------------------

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        return sorted(
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this estimator (and of nested estimators when ``deep``)."""
        out: dict[str, Any] = {}
        for key in self._get_param_names():
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for k, v in value.get_params().items():
                    out[f"{key}__{k}"] = v
            out[key] = value
        return out

    def set_params(self, **params: Any) -> BaseEstimator:
        """Set parameters (``nested__param`` reaches into nested estimators)."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            key, delim, sub = key.partition("__")
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {self}. Valid parameters are: "
                    f"{self._get_param_names()!r}."
                )
            if delim:
                nested.setdefault(key, {})[sub] = value
            else:
                setattr(self, key, value)
                valid[key] = value
        for key, sub_params in nested.items():
            valid[key].set_params(**sub_params)
        return self

    def _validate_params(self) -> None:
        validate_params(
            type(self).__name__, self.get_params(deep=False), self._parameter_constraints
        )

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.default is not p.empty
        }
        parts = []
        for key in self._get_param_names():
            value = getattr(self, key, None)
            default = defaults.get(key, inspect.Parameter.empty)
            if _same_value(value, default):
                continue
            parts.append(f"{key}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    # -- scikit-learn integration ----------------------------------------------------------

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        return Tags(
            estimator_type="clusterer" if isinstance(self, ClusterMixin) else None,
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags() if self._is_transformer else None,
            input_tags=InputTags(two_d_array=True, allow_nan=False, sparse=False),
        )

    def __sklearn_is_fitted__(self) -> bool:
        return self._is_fitted()

    # -- fitted state ----------------------------------------------------------------------

    def _is_fitted(self) -> bool:
        # The seed-style results are what fit sets last; checking them all (rather than any
        # attribute ending in "_", as scikit-learn does) keeps an estimator whose fit failed
        # after recording n_features_in_ unfitted.
        if self._result_keys:
            return all(hasattr(self, attr) for attr in self._result_keys.values())
        return any(_is_fitted_attr(k) for k in vars(self))

    def _reset_fitted(self) -> None:
        """Forget the results of an earlier fit, so a fit that fails or is interrupted leaves
        the estimator unfitted rather than holding a mix of old and new state."""
        for k in [k for k in vars(self) if _is_fitted_attr(k)]:
            delattr(self, k)

    def _check_fitted(self) -> None:
        if not self._is_fitted():
            raise not_fitted(self)

    def _validate_data(
        self, X: Any, *, reset: bool, dtype: Any = "numeric", **kw: Any
    ) -> np.ndarray:
        """Check X, and record (reset=True) or compare (reset=False) its feature count and
        names with scikit-learn's messages."""
        names = feature_names(X)
        if reset:
            self._reset_fitted()
            if names is not None:
                self.feature_names_in_ = names
        else:
            _check_feature_names(
                type(self).__name__, getattr(self, "feature_names_in_", None), names
            )
        arr = check_array(X, estimator=type(self).__name__, dtype=dtype, **kw)
        if reset:
            self.n_features_in_ = arr.shape[1]
        elif arr.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {arr.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return arr

    # -- seed-style access -----------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        if key not in self._result_keys:
            raise KeyError(
                f"{key!r} is not a result of {type(self).__name__}; available keys: "
                f"{sorted(self._result_keys)}"
            )
        self._check_fitted()
        return getattr(self, self._result_keys[key])

    def keys(self) -> list[str]:
        """The seed toolkit's result keys, readable as ``est[key]`` after fit."""
        return list(self._result_keys)

    def __contains__(self, key: object) -> bool:
        return key in self._result_keys and self._is_fitted()


def _is_fitted_attr(name: str) -> bool:
    return name.endswith("_") and not name.startswith("_")


def _check_feature_names(owner: str, fitted: np.ndarray | None, names: np.ndarray | None) -> None:
    """Compare the column names of X with those seen in fit (scikit-learn's messages)."""
    if fitted is None and names is None:
        return
    if fitted is None:
        warnings.warn(
            f"X has feature names, but {owner} was fitted without feature names",
            UserWarning,
            stacklevel=4,
        )
        return
    if names is None:
        warnings.warn(
            f"X does not have valid feature names, but {owner} was fitted with feature names",
            UserWarning,
            stacklevel=4,
        )
        return
    if len(fitted) == len(names) and not np.any(fitted != names):
        return
    message = "The feature names should match those that were passed during fit.\n"
    unexpected = sorted(set(names) - set(fitted))
    missing = sorted(set(fitted) - set(names))

    def listed(items: list[str]) -> str:
        shown = [f"- {name}\n" for name in items[:5]]
        return "".join(shown) + ("- ...\n" if len(items) > 5 else "")

    if unexpected:
        message += "Feature names unseen at fit time:\n" + listed(unexpected)
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + listed(missing)
    if not unexpected and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    raise ValueError(message)


def _same_value(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    try:
        same = a == b
        if isinstance(same, (bool, np.bool_)):
            if same and isinstance(a, float) and isinstance(b, float):
                return True
            return bool(same) and type(a) is type(b)
    except Exception:
        return False
    return False


class ClusterMixin:
    """``fit_predict`` for clusterers."""

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit and return the training labels."""
        self.fit(X, **kwargs)  # type: ignore[attr-defined]
        return self.labels_  # type: ignore[attr-defined]


class TransformerMixin:
    """``fit_transform``, output feature names and ``set_output`` for transformers.

    ``set_output(transform="pandas"|"polars")`` (or scikit-learn's global
    ``set_config(transform_output=...)`` when scikit-learn is loaded) makes ``transform`` and
    ``fit_transform`` return a data frame whose columns are ``get_feature_names_out()``.
    """

    _is_transformer: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("transform", "fit_transform"):
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "_wraps_output", False):
                setattr(cls, name, _output_wrapped(method))

    def fit_transform(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit, then transform the training data."""
        return self.fit(X, **kwargs).transform(X)  # type: ignore[attr-defined]

    def set_output(self, *, transform: str | None = None) -> Any:
        """Choose the container ``transform`` returns: "default" (NumPy), "pandas" or
        "polars"; None leaves the choice unchanged."""
        if transform is None:
            return self
        if transform not in _OUTPUTS:
            raise ValueError(f"output config must be in {sorted(_OUTPUTS)}, got {transform!r}")
        # scikit-learn's name: sklearn.clone copies this attribute.
        self._sklearn_output_config = {"transform": transform}
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns: the lowercased class name followed by an index."""
        self._check_fitted()  # type: ignore[attr-defined]
        if input_features is not None:
            input_features = np.asarray(input_features, dtype=object)
            fitted = getattr(self, "feature_names_in_", None)
            if fitted is not None and not np.array_equal(fitted, input_features):
                raise ValueError("input_features is not equal to feature_names_in_")
            n_in = self.n_features_in_  # type: ignore[attr-defined]
            if len(input_features) != n_in:
                raise ValueError(
                    f"input_features should have length equal to number of features ({n_in}), "
                    f"got {len(input_features)}"
                )
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self._n_features_out)], dtype=object)  # type: ignore[attr-defined]


_OUTPUTS = {"default", "pandas", "polars"}


def _output_kind(est: Any) -> str:
    config = getattr(est, "_sklearn_output_config", {})
    if "transform" in config:
        return config["transform"]
    sklearn = sys.modules.get("sklearn")
    if sklearn is not None and hasattr(sklearn, "get_config"):
        return sklearn.get_config().get("transform_output", "default")
    return "default"


def _output_wrapped(method: Any) -> Any:
    """``method`` returning the container chosen by ``set_output``."""

    @functools.wraps(method)
    def wrapped(self: Any, X: Any, *args: Any, **kwargs: Any) -> Any:
        out = method(self, X, *args, **kwargs)
        kind = _output_kind(self)
        if kind == "default" or not isinstance(out, np.ndarray):
            return out
        columns = list(self.get_feature_names_out())
        if kind == "pandas":
            import pandas as pd

            index = X.index if isinstance(X, (pd.DataFrame, pd.Series)) else None
            return pd.DataFrame(out, index=index, columns=columns, copy=False)
        import polars as pl

        return pl.DataFrame(out, schema=columns, orient="row")

    wrapped._wraps_output = True  # type: ignore[attr-defined]
    return wrapped
