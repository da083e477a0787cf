"""Shared pytest configuration (kept minimal: other test modules rely on it as is)."""

from hypothesis import settings

# `pytest --hypothesis-profile=stress` runs the property tests with many more examples.
settings.register_profile("stress", max_examples=2000, deadline=None)
