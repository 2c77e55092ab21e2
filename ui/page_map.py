"""The base map every page draws: vendored assets checked, basemap resolved, attribution added."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from layers.assets import missing_vendor_files
from layers.labels import Lang, tr
from layers.render import build_map
from layers.specs import MapLayer, basemap_by_id
from ui import data_panel, settings


def base_map(
    layers: Sequence[MapLayer],
    lang: Lang,
    basemap_id: str,
    *,
    bounds: tuple[float, float, float, float],
    notify_fallback: bool = False,
    draw: bool = False,
) -> folium.Map | None:
    """Build the page's base map of ``layers``; None (with a message) without the local Leaflet.

    The map opens fitted to ``bounds`` at its real size in the browser. A
    basemap that needs a key falls back to none without one (said when
    ``notify_fallback``).
    """
    if missing := missing_vendor_files(settings.STATIC_DIR):
        st.error(tr("assets_missing", lang) + f" ({', '.join(missing)})")
        return None
    key = settings.tianditu_key()
    basemap = basemap_by_id(basemap_id)
    if basemap.needs_key and not key:
        if notify_fallback:
            st.info(tr("basemap_fallback", lang))
        basemap = basemap_by_id("none")
    return build_map(
        layers,
        lang=lang,
        basemap=basemap,
        basemap_key=key,
        extra_sources=data_panel.active_attribution(lang),
        view_bounds=bounds,
        draw=draw,
    )


def show(
    m: folium.Map,
    *,
    key: str,
    height_px: int,
    overlay: folium.FeatureGroup,
    returned: list[str],
    layers_open: bool = False,
    on_change: Callable[[], None] | None = None,
) -> dict[str, Any] | None:
    """Show ``m`` at the container's width; ``overlay`` changes without remounting the map.

    No centre or zoom is sent: the map fits its bounds itself (see :func:`base_map`).
    """
    return st_folium(
        m,
        key=key,
        height=height_px,
        use_container_width=True,
        returned_objects=returned,
        feature_group_to_add=[overlay],
        layer_control=folium.LayerControl(collapsed=not layers_open),
        on_change=on_change,
    )
