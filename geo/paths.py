"""Locations of the bundled data files and of the data directory (light: no geopandas)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "ACCESS_RULES_PATH",
    "CLUSTERS_PATH",
    "CODE_ROOT",
    "DATA_DIR",
    "DATA_DIR_ENV",
    "OSM_CACHE",
    "OUTLINE_PATH",
    "SETTINGS_DIR",
    "SOURCES_PATH",
    "STANDARDS_PATH",
    "UNITS_PATH",
    "UNIT_TABLE_PATH",
    "data_dir",
]

#: The checkout (the folder holding ``geo/``): where ``python -m geo.osm`` runs from.
CODE_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = CODE_ROOT / "data"
BOUNDARIES_DIR = DATA_DIR / "boundaries"
OUTLINE_PATH = BOUNDARIES_DIR / "kunshan_outline.geojson"
UNITS_PATH = BOUNDARIES_DIR / "planning_units.geojson"
UNIT_TABLE_PATH = BOUNDARIES_DIR / "planning_units.csv"
CLUSTERS_PATH = DATA_DIR / "clusters.json"
SOURCES_PATH = DATA_DIR / "sources.csv"
SETTINGS_DIR = DATA_DIR / "settings"
STANDARDS_PATH = SETTINGS_DIR / "park_standards.json"
ACCESS_RULES_PATH = SETTINGS_DIR / "park_access.json"
OSM_CACHE = DATA_DIR / "osm" / "kunshan.gpkg"  # written by python -m geo.osm (git-ignored)
DATA_DIR_ENV = "KUNSHAN_DATA_DIR"


def data_dir() -> Path:
    """Return the data directory (``$KUNSHAN_DATA_DIR``, else ``data/local`` of the checkout)."""
    return Path(os.environ.get(DATA_DIR_ENV) or DATA_DIR / "local")
