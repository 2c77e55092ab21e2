"""The map's assets: Leaflet served by the app itself, never from a CDN.

Leaflet is served by the app (``static/vendor``, fetched by ``make vendor``) instead
of the CDNs folium points at, which are blocked in mainland China and unreachable on
intranets. :func:`localize_assets` rewrites every element's JS/CSS to the local
copies and refuses anything without one; :func:`script_safe_json` puts data into a
``<script>`` safely.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from branca.element import Element

from geo.errors import LayerSpecError

__all__ = [
    "LEAFLET_VERSION",
    "STATIC_DIR",
    "STATIC_URL",
    "VENDOR_FILES",
    "localize_assets",
    "missing_vendor_files",
    "script_safe_json",
    "walk_elements",
]

LEAFLET_VERSION = "1.9.4"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"  # make vendor fills it
STATIC_URL = "/app/static"  # Streamlit's static file serving (server.enableStaticServing)
VENDOR_FILES = (
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet-draw/leaflet.draw.js",
    "vendor/leaflet-draw/leaflet.draw.css",
)
# Folium assets we serve locally, by folium's own asset name.
_LOCAL_ASSETS = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "leaflet_draw_js": "vendor/leaflet-draw/leaflet.draw.js",  # folium.plugins.Draw
    "leaflet_draw_css": "vendor/leaflet-draw/leaflet.draw.css",
}
# Assets folium adds by default that nothing on our maps uses (no Bootstrap UI,
# no awesome-markers icons): dropped rather than fetched from a CDN.
_UNUSED_ASSETS = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)

_E = TypeVar("_E", bound=Element)


def missing_vendor_files(static_dir: Path) -> list[str]:
    """Return the vendored files that are not present under ``static_dir``."""
    return [name for name in VENDOR_FILES if not (static_dir / name).is_file()]


def walk_elements(element: Any) -> Any:
    """Yield ``element`` and every element under it (depth first)."""
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from walk_elements(child)


def localize_assets(m: _E, *, static_url: str = STATIC_URL) -> _E:
    """Point every JS/CSS asset of ``m`` and its children at the app's static files.

    Raises
    ------
    LayerSpecError
        If an element needs an asset that has no local copy (so a new plugin
        cannot silently pull from a CDN).
    """
    for element in walk_elements(m):
        for attribute in ("default_js", "default_css"):
            assets = getattr(element, attribute, None)
            if not assets:
                continue
            local = []
            for name, url in assets:
                if name in _LOCAL_ASSETS:
                    local.append((name, f"{static_url}/{_LOCAL_ASSETS[name]}"))
                elif name not in _UNUSED_ASSETS:
                    msg = (
                        f"{type(element).__name__} needs {name} ({url}), which is not "
                        "vendored; add it to layers/assets.py and the Makefile's vendor step."
                    )
                    raise LayerSpecError(msg)
            setattr(element, attribute, local)
    return m


def script_safe_json(data: Any) -> str:
    r"""Return ``data`` as compact JSON that is safe inside an HTML ``<script>``.

    ``<``, ``>``, ``&`` and ``'`` become ``\u003c``-style escapes (as Jinja's ``tojson``
    does), so text such as ``</script>`` in a name cannot end the script.

    Examples
    --------
    >>> script_safe_json({"tt": "</script><b>x</b>"})
    '{"tt":"\\u003c/script\\u003e\\u003cb\\u003ex\\u003c/b\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("'", "\\u0027"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text
