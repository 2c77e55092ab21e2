"""``python -m geo.layers``: the layer store's command line (:mod:`geo.store.cli`)."""

import sys

from geo.store.cli import main

if __name__ == "__main__":
    sys.exit(main())
