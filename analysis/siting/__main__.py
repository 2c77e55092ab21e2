"""``python -m analysis.siting`` (:mod:`analysis.siting.cli`)."""

import sys

from analysis.siting.cli import main

if __name__ == "__main__":
    sys.exit(main())
