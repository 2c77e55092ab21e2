"""Run-time settings read from the environment or Streamlit secrets."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from geo.paths import OSM_CACHE, UNITS_PATH
from geo.standards import STANDARDS_PATH

__all__ = [
    "STATIC_DIR",
    "UNITS_PATH",
    "default_basemap",
    "osm_cache_path",
    "tianditu_key",
    "units_path",
]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def _setting(name: str) -> str | None:
    value = os.environ.get(name)
    if value:
        return value
    try:
        secret = st.secrets.get(name)
    except StreamlitSecretNotFoundError:
        return None
    return str(secret) if secret else None


def tianditu_key() -> str | None:
    """Return the Tianditu developer key (TIANDITU_KEY), if configured."""
    return _setting("TIANDITU_KEY")


def default_basemap() -> str:
    """Return the basemap to start with: KUNSHAN_BASEMAP, else Tianditu with a key, else OSM."""
    chosen = _setting("KUNSHAN_BASEMAP")
    if chosen:
        return chosen
    return "tianditu" if tianditu_key() else "osm"


def osm_cache_path() -> Path:
    """Return the OpenStreetMap cache: KUNSHAN_OSM_CACHE or data/osm/kunshan.gpkg."""
    chosen = _setting("KUNSHAN_OSM_CACHE")
    return Path(chosen) if chosen else OSM_CACHE


def units_path() -> Path:
    """Return the planning-units file: KUNSHAN_UNITS_FILE (official) or the bundled one."""
    chosen = _setting("KUNSHAN_UNITS_FILE")
    return Path(chosen) if chosen else UNITS_PATH


def park_standards_path() -> Path:
    """Return the park standards file: KUNSHAN_PARK_STANDARDS or the bundled settings."""
    chosen = _setting("KUNSHAN_PARK_STANDARDS")
    return Path(chosen) if chosen else STANDARDS_PATH


def public_url() -> str:
    """Return the app's address for links made without a browser (``KUNSHAN_PUBLIC_URL``).

    Defaults to ``http://localhost:8501`` (``make run``'s port).
    """
    return (_setting("KUNSHAN_PUBLIC_URL") or "http://localhost:8501").rstrip("/")


def thumbnails_on() -> bool:
    """Whether saving a snapshot renders its thumbnail in the background (``KUNSHAN_THUMBNAILS``).

    On unless set to ``0`` (a server without Chromium, or the test suite).
    """
    return (_setting("KUNSHAN_THUMBNAILS") or "1").strip() != "0"
