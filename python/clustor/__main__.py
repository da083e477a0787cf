"""``python -m clustor``: the ``clustor`` command."""

import sys

from .cli import main

sys.exit(main())
