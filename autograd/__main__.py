"""``python -m autograd``: see `autograd.cli`."""

import sys

from .cli import main

sys.exit(main())
