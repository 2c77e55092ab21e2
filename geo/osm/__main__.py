"""``python -m geo.osm``: see :mod:`geo.osm.cli`."""

import sys

from geo.osm.cli import main

sys.exit(main())
