"""Run-time settings read from the environment or Streamlit secrets."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from geo.errors import PlanningMapError
from geo.paths import OSM_CACHE, UNITS_PATH
from geo.standards import STANDARDS_PATH
from layers.specs import BasemapSpec, basemap_by_id

__all__ = [
    "STATIC_DIR",
    "UNITS_PATH",
    "basemap",
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


def osm_tile_url() -> str | None:
    """Return a mirror of the OpenStreetMap tiles to draw instead (``KUNSHAN_OSM_TILE_URL``).

    A bureau's own tile server inside its network, e.g.
    ``http://tiles.intranet/osm/{z}/{x}/{y}.png``; None: the public OSM tiles.
    """
    url = _setting("KUNSHAN_OSM_TILE_URL")
    if not url:
        return None
    if not url.startswith(("http://", "https://")) or not all(
        part in url for part in ("{z}", "{x}", "{y}")
    ):
        msg = (
            f"KUNSHAN_OSM_TILE_URL 须为含 {{z}}、{{x}}、{{y}} 的 http(s) 地址，收到 {url!r}。"
            " / KUNSHAN_OSM_TILE_URL must be an http(s) URL with {z}, {x} and {y}."
        )
        raise PlanningMapError(msg)
    return url


def basemap(basemap_id: str) -> tuple[BasemapSpec, str | None, bool]:
    """Return the basemap to draw for ``basemap_id``, its key, and whether it fell back.

    A basemap that needs a key falls back to none without one; the OSM basemap
    draws from ``KUNSHAN_OSM_TILE_URL`` when that is set.
    """
    key = tianditu_key()
    spec = basemap_by_id(basemap_id)
    if spec.needs_key and not key:
        return basemap_by_id("none"), None, True
    if spec.id == "osm" and (mirror := osm_tile_url()):
        spec = dataclasses.replace(spec, tiles=(mirror,))
    return spec, key, False


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
