"""The base map every page draws: vendored assets checked, basemap resolved, attribution added."""

from __future__ import annotations

from typing import Any

import folium
import streamlit as st

from layers.labels import Lang, tr
from layers.render import build_cluster_map, missing_vendor_files
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
