"""Side-by-side benchmarks of clustor against its peers (see ../../shared/BENCHMARKS.md).

Run ``python -m benchmarks [--only K1,K2] [--repeats N] [--quick]``; against the seed
toolkit's release, from its own environment: ``python -m benchmarks --peer seed`` (or
``--only K1/seed``; see :mod:`benchmarks.seed`). Quality against reference labels:
``python -m benchmarks.quality`` (see :mod:`benchmarks.quality`).

Each comparison times clustor and one peer on the same data with the same parameters, in
the same process, interleaving the repeats so that machine noise hits both sides alike; it
checks that the two outputs agree before it reports a ratio (clustor time / peer time).

Workloads live in :mod:`benchmarks.workloads`; adding one is adding a
:class:`~benchmarks.registry.Comparison` entry there.

This package must not import NumPy at import time: ``python -m benchmarks`` first clears
BLAS-tuning environment variables and re-executes itself (see ``__main__``), which only
works before NumPy has loaded its BLAS.
"""
