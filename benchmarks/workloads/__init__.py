"""Workload definitions; importing this package fills :data:`benchmarks.registry.REGISTRY`.

One module per algorithm family; each calls :func:`benchmarks.registry.register`.
"""

from . import kmeans, mixture  # noqa: F401
