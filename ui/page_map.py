"""The base map every page draws: vendored assets checked, basemap resolved, attribution added."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from layers.assets import missing_vendor_files
from layers.labels import Lang, tr
from layers.render import build_cluster_map, view_for_bounds
from layers.specs import basemap_by_id
from ui import data_panel, settings


def base_map(
    inputs: Any, lang: Lang, basemap_id: str, *, notify_fallback: bool = False, **layers: Any
) -> folium.Map | None:
    """Build the page's base map; None (with a message) when the local Leaflet is missing.

    A basemap that needs a key falls back to none without one (said when
    ``notify_fallback``). ``layers`` go to :func:`layers.render.build_cluster_map`.
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
    return build_cluster_map(
        inputs,
        lang=lang,
        basemap=basemap,
        basemap_key=key,
        extra_sources=data_panel.active_attribution(lang),
        **layers,
    )


def show(
    m: folium.Map,
    *,
    key: str,
    bounds: tuple[float, float, float, float],
    width_px: int,
    height_px: int,
    overlay: folium.FeatureGroup,
    returned: list[str],
    layers_open: bool = False,
    on_change: Callable[[], None] | None = None,
) -> None:
    """Show ``m`` fitted to ``bounds``; ``overlay`` changes without remounting the map."""
    view = view_for_bounds(bounds, width_px=width_px, height_px=height_px)
    st_folium(
        m,
        key=key,
        height=height_px,
        use_container_width=True,
        center=view.center,
        zoom=view.zoom,
        returned_objects=returned,
        feature_group_to_add=[overlay],
        layer_control=folium.LayerControl(collapsed=not layers_open),
        on_change=on_change,
    )
