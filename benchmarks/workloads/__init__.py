"""Workload definitions; importing this package fills :data:`benchmarks.registry.REGISTRY`.

One module per algorithm family; each calls :func:`benchmarks.registry.register`.
"""

from . import (
    affinity_birch,  # noqa: F401
    density,  # noqa: F401
    hierarchy,  # noqa: F401
    kmeans,  # noqa: F401
    kmeans_more,  # noqa: F401
    metrics,  # noqa: F401
    mixture,  # noqa: F401
    optics,  # noqa: F401
    seed,  # noqa: F401  (opt-in rows: --peer seed)
)
