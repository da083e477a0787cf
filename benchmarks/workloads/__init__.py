"""Workload definitions; importing this package fills :data:`benchmarks.registry.REGISTRY`.

One module per algorithm family; each calls :func:`benchmarks.registry.register`.
"""

from . import kmeans  # noqa: F401
from . import mixture  # noqa: F401
