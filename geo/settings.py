"""Run-time settings: the environment, else ``.streamlit/secrets.toml``, the same for every entry.

The app, the command lines (``python -m share``, ``python -m geo.layers``) and the
page models read their settings here, so a server configured in
``.streamlit/secrets.toml`` behaves the same in the browser and on the command
line. An environment variable wins over the secrets file; the secrets file of the
working directory wins over the one in the home directory (Streamlit's order).

=========================== ===========================================================
setting                     effect
=========================== ===========================================================
``TIANDITU_KEY``            天地图 key (enables the 天地图 basemap)
``KUNSHAN_BASEMAP``         the basemap to start with (``osm``, ``tianditu``, ``none``)
``KUNSHAN_OSM_TILE_URL``    a mirror of the OSM tiles, ``http(s)://…/{z}/{x}/{y}.png``
``KUNSHAN_OSM_CACHE``       the OpenStreetMap GeoPackage (default ``data/osm/kunshan.gpkg``)
``KUNSHAN_UNITS_FILE``      an official planning-units file replacing the bundled one
``KUNSHAN_PARK_STANDARDS``  a park standards file replacing the bundled settings
``KUNSHAN_PUBLIC_URL``      the app's address for links made without a browser
``KUNSHAN_THUMBNAILS``      ``0``: no thumbnail after a save
=========================== ===========================================================
"""

from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path

from geo.errors import PlanningMapError
from geo.paths import ACCESS_RULES_PATH, OSM_CACHE, STANDARDS_PATH, UNITS_PATH

__all__ = [
    "DEFAULT_PUBLIC_URL",
    "access_rules_path",
    "default_basemap",
    "osm_cache_path",
    "osm_tile_url",
    "park_standards_path",
    "public_url",
    "setting",
    "thumbnails_on",
    "tianditu_key",
    "units_path",
]

DEFAULT_PUBLIC_URL = "http://localhost:8501"  # make run's port


@functools.lru_cache(maxsize=8)
def _secrets_of(path: str, mtime_ns: int) -> dict[str, object]:
    del mtime_ns  # the cache key: a rewritten file is read again
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        msg = (
            f"无法读取设置文件 {path}：{exc}。 / Cannot read the settings file {path}: {exc}. "
            "Fix the TOML or remove the file."
        )
        raise PlanningMapError(msg) from exc


def _secret(name: str) -> str | None:
    for folder in (Path.cwd(), Path.home()):
        path = folder / ".streamlit" / "secrets.toml"
        if path.is_file():
            value = _secrets_of(str(path), path.stat().st_mtime_ns).get(name)
            if value not in (None, ""):
                return str(value)
    return None


def setting(name: str) -> str | None:
    """Return the setting ``name``: the environment's, else the secrets file's (None: unset)."""
    return os.environ.get(name) or _secret(name)


def tianditu_key() -> str | None:
    """Return the Tianditu developer key (``TIANDITU_KEY``), if configured."""
    return setting("TIANDITU_KEY")


def osm_tile_url() -> str | None:
    """Return a mirror of the OpenStreetMap tiles to draw instead (``KUNSHAN_OSM_TILE_URL``).

    A bureau's own tile server inside its network, e.g.
    ``http://tiles.intranet/osm/{z}/{x}/{y}.png``; None: the public OSM tiles.
    """
    url = setting("KUNSHAN_OSM_TILE_URL")
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


def default_basemap() -> str:
    """Return the basemap to start with: KUNSHAN_BASEMAP, else Tianditu with a key, else OSM."""
    chosen = setting("KUNSHAN_BASEMAP")
    if chosen:
        return chosen
    return "tianditu" if tianditu_key() else "osm"


def osm_cache_path() -> Path:
    """Return the OpenStreetMap cache: KUNSHAN_OSM_CACHE or data/osm/kunshan.gpkg."""
    chosen = setting("KUNSHAN_OSM_CACHE")
    return Path(chosen) if chosen else OSM_CACHE


def units_path() -> Path:
    """Return the planning-units file: KUNSHAN_UNITS_FILE (official) or the bundled one."""
    chosen = setting("KUNSHAN_UNITS_FILE")
    return Path(chosen) if chosen else UNITS_PATH


def park_standards_path() -> Path:
    """Return the park standards file: KUNSHAN_PARK_STANDARDS or the bundled settings."""
    chosen = setting("KUNSHAN_PARK_STANDARDS")
    return Path(chosen) if chosen else STANDARDS_PATH


def access_rules_path() -> Path:
    """Return the park-access rules file (``data/settings/park_access.json``)."""
    return ACCESS_RULES_PATH


def public_url() -> str:
    """Return the app's address for links made without a browser (``KUNSHAN_PUBLIC_URL``)."""
    return (public_url_override() or DEFAULT_PUBLIC_URL).rstrip("/")


def public_url_override() -> str | None:
    """Return ``KUNSHAN_PUBLIC_URL`` when set: it overrides the address a browser used."""
    value = (setting("KUNSHAN_PUBLIC_URL") or "").strip().rstrip("/")
    return value or None


def thumbnails_on() -> bool:
    """Whether saving a snapshot renders its thumbnail in the background (``KUNSHAN_THUMBNAILS``).

    On unless set to ``0`` (a server without Chromium, or the test suite).
    """
    return (setting("KUNSHAN_THUMBNAILS") or "1").strip() != "0"
