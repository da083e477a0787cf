"""Entry point of ``python -m benchmarks``.

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when set on these machines, make OpenBLAS pick slower
kernels for NumPy (and so for the peers). OpenBLAS reads them once, when NumPy loads it, so
they are removed by re-executing the interpreter without them before anything imports NumPy.
Tests keep the environment they were given.
"""

import os
import sys

from .runner import BLAS_ENV

if __name__ == "__main__":
    if any(v in os.environ for v in BLAS_ENV) and "numpy" not in sys.modules:
        env = {k: v for k, v in os.environ.items() if k not in BLAS_ENV}
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks", *sys.argv[1:]], env)
    from .runner import main

    sys.exit(main())
