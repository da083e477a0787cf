"""Exceptions and warnings of clustor.

They subclass the built-in types users already catch (``ValueError``, ``AttributeError``,
``UserWarning``). When scikit-learn is loaded, what clustor raises is *also* an instance of
scikit-learn's class of the same name, so code written against scikit-learn keeps working
without clustor importing scikit-learn itself.
"""

from __future__ import annotations

import sys

__all__ = ["ConvergenceWarning", "NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit``."""


class ConvergenceWarning(UserWarning):
    """An algorithm stopped without meeting its convergence criterion."""


_bridged: dict[type, type] = {}


def _sklearn_compatible(cls: type) -> type:
    """``cls``, or a subclass of it and of ``sklearn.exceptions.<same name>`` when loaded."""
    mod = sys.modules.get("sklearn.exceptions")
    other = getattr(mod, cls.__name__, None) if mod is not None else None
    if other is None:
        return cls
    if cls not in _bridged:
        _bridged[cls] = type(cls.__name__, (cls, other), {"__module__": cls.__module__})
    return _bridged[cls]


def not_fitted(estimator: object) -> NotFittedError:
    """The error raised when ``estimator`` is used unfitted (scikit-learn's wording)."""
    name = type(estimator).__name__
    return _sklearn_compatible(NotFittedError)(
        f"This {name} instance is not fitted yet. Call 'fit' with appropriate "
        "arguments before using this estimator."
    )


def convergence_warning_class() -> type:
    """The warning class to emit: clustor's, also scikit-learn's when that is loaded."""
    return _sklearn_compatible(ConvergenceWarning)
