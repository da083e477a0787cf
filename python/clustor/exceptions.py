"""Exceptions and warnings of clustor.

They subclass the built-in types users already catch (``ValueError``, ``AttributeError``,
``UserWarning``). When scikit-learn is loaded, what clustor raises is *also* an instance of
scikit-learn's class of the same name, so code written against scikit-learn keeps working
without clustor importing scikit-learn itself.
"""

from __future__ import annotations

import sys

__all__ = ["ConvergenceWarning", "NotFittedError"]


class _Bridgeable:
    """Pickles as clustor's class, re-bridged to scikit-learn's where it is unpickled: the
    bridged subclass is made at run time and cannot be found by name."""

    args: tuple

    def __reduce__(self) -> tuple:
        base = next(c for c in type(self).__mro__ if c.__module__ == __name__ and c in _BASES)
        return (_rebuild, (base, self.args))


class NotFittedError(_Bridgeable, ValueError, AttributeError):
    """An estimator was used before ``fit``."""


class ConvergenceWarning(_Bridgeable, UserWarning):
    """An algorithm stopped without meeting its convergence criterion."""


_BASES = (NotFittedError, ConvergenceWarning)


def _rebuild(cls: type, args: tuple) -> BaseException:
    return _sklearn_compatible(cls)(*args)


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
