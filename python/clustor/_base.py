"""The base estimator every clustor estimator derives from.

scikit-learn compatible without importing scikit-learn: ``__init__`` only stores
parameters, ``get_params``/``set_params``/``clone`` work, ``__sklearn_tags__`` describes the
estimator (importing scikit-learn lazily, only when scikit-learn asks), and fitted state is
plain NumPy arrays, so pickle and deepcopy work. Results are also readable with the seed
toolkit's keys: ``est.fit(X)["labels"]``.
"""

from __future__ import annotations

import inspect
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
        return any(k.endswith("_") and not k.startswith("__") for k in vars(self))

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
            if names is not None:
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            fitted = getattr(self, "feature_names_in_", None)
            name = type(self).__name__
            if fitted is None and names is not None:
                warnings.warn(
                    f"X has feature names, but {name} was fitted without feature names",
                    UserWarning,
                    stacklevel=3,
                )
            elif fitted is not None and names is None:
                warnings.warn(
                    f"X does not have valid feature names, but {name} was fitted with "
                    "feature names",
                    UserWarning,
                    stacklevel=3,
                )
            elif fitted is not None and names is not None and (
                len(fitted) != len(names) or np.any(fitted != names)
            ):
                raise ValueError(
                    "The feature names should match those that were passed during fit.\n"
                    f"Fitted with: {list(fitted)}\nGot: {list(names)}"
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
    """``fit_transform`` and output feature names for transformers."""

    _is_transformer: ClassVar[bool] = True

    def fit_transform(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit, then transform the training data."""
        return self.fit(X, **kwargs).transform(X)  # type: ignore[attr-defined]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns: the lowercased class name followed by an index."""
        self._check_fitted()  # type: ignore[attr-defined]
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self._n_features_out)], dtype=object)  # type: ignore[attr-defined]
