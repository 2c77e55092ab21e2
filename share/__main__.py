"""``python -m share``: see :mod:`share.cli`."""

from __future__ import annotations

import sys

from share.cli import main

sys.exit(main())
