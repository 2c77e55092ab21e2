"""The base map every page draws: vendored assets checked, basemap resolved, attribution added.

A page's map reports where it looks (centre, zoom, bounds) so a snapshot saves
that view. Panning must not rerun the whole page, so the map runs as a Streamlit
fragment: a report of a new view only stores it; a click or a drawing (the
values the page asked for) reruns the page as before.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from typing import Any, Final

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import PlanningMapError
from layers.assets import STATIC_DIR, missing_vendor_files
from layers.bilingual import in_language
from layers.labels import Lang, tr
from layers.render import build_map
from layers.specs import MapLayer, basemap_by_id
from share.model import MapView
from ui import data_panel, share_panel, state
from views import maps
from views.choices import Page, PageChoices

__all__ = ["VIEW_OBJECTS", "base_map", "saved_view", "show"]

VIEW_OBJECTS: Final = ("center", "zoom", "bounds")


def saved_view(page: Page, choices: PageChoices) -> MapView | None:
    """Return the view of the snapshot this page shows, while its choices are the snapshot's.

    Once the planner chooses something else (another cluster, another radius) the
    map fits the new choice as usual.
    """
    snap = share_panel.viewing(page)
    if snap is None or not snap.view.reported:
        return None
    same = json.dumps(choices.as_dict(), sort_keys=True, default=str) == json.dumps(
        dict(snap.choices), sort_keys=True, default=str
    )
    return snap.view if same else None


def base_map(
    layers: Sequence[MapLayer],
    lang: Lang,
    basemap_id: str,
    *,
    bounds: tuple[float, float, float, float],
    notify_fallback: bool = False,
    draw: bool = False,
    view: MapView | None = None,
    keep_view: str = "",
) -> folium.Map | None:
    """Build the page's base map of ``layers``; None (with a message) without the local Leaflet.

    The map opens fitted to ``bounds`` at its real size in the browser, or, given
    a saved ``view`` (a snapshot's), where that view looked. A basemap that
    needs a key falls back to none without one (said when ``notify_fallback``).
    With ``keep_view`` (the map's key) a map rebuilt with other layers opens where
    the planner was looking (:class:`layers.elements.FitView`).
    """
    if missing := missing_vendor_files(STATIC_DIR):
        st.error(tr("assets_missing", lang) + f" ({', '.join(missing)})")
        return None
    try:
        basemap, key, fell_back = maps.basemap(basemap_id)
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))
        basemap, key, fell_back = basemap_by_id("none"), None, False
    if fell_back and notify_fallback:
        st.info(tr("basemap_fallback", lang))
    restore = view.restore if view is not None else None
    if restore is not None and view is not None:
        bounds = view.bounds or bounds  # a restored view has its bounds
    return build_map(
        layers,
        lang=lang,
        basemap=basemap,
        basemap_key=key,
        extra_sources=data_panel.active_attribution(lang),
        view_bounds=bounds,
        restore=restore,
        keep_view=keep_view,
        draw=draw,
    )


def show(
    m: folium.Map,
    *,
    key: str,
    height_px: int,
    overlay: folium.FeatureGroup | Sequence[folium.FeatureGroup],
    returned: list[str],
    layers_open: bool = False,
    on_change: Callable[[], None] | None = None,
) -> dict[str, Any] | None:
    """Show ``m`` at the container's width; ``overlay`` (one group or several) changes
    without remounting the map.

    Returns the values in ``returned`` (a click, the drawings). ``on_change`` runs
    when one of them changes, before the page reruns. Where the map looks is kept
    in the session for a snapshot (:func:`ui.snapshot.capture`).
    """
    st.session_state[state.MAP_FULL_RUN] = True
    try:
        return _live_map(
            m,
            key=key,
            height_px=height_px,
            overlays=(overlay,) if isinstance(overlay, folium.FeatureGroup) else tuple(overlay),
            returned=tuple(returned),
            layers_open=layers_open,
            on_change=on_change,
        )
    finally:
        st.session_state[state.MAP_FULL_RUN] = False


@st.fragment
def _live_map(
    m: folium.Map,
    *,
    key: str,
    height_px: int,
    overlays: tuple[folium.FeatureGroup, ...],
    returned: tuple[str, ...],
    layers_open: bool,
    on_change: Callable[[], None] | None,
) -> dict[str, Any]:
    # streamlit-folium alters the map it draws: draw a copy, so a rerun of this
    # fragment draws the same map (the same component, not a new one).
    value = (
        st_folium(
            copy.deepcopy(m),
            key=key,
            height=height_px,
            use_container_width=True,
            returned_objects=[*returned, *VIEW_OBJECTS],
            feature_group_to_add=[copy.deepcopy(o) for o in overlays],
            layer_control=folium.LayerControl(collapsed=not layers_open),
        )
        or {}
    )
    core = {name: value.get(name) for name in returned}
    if value.get("center"):
        views = st.session_state.setdefault(state.MAP_VIEWS, {})
        views[key] = {name: value.get(name) for name in VIEW_OBJECTS}
    cores = st.session_state.setdefault(state.MAP_CORES, {})
    if st.session_state.get(state.MAP_FULL_RUN):
        cores[key] = core
    elif core != cores.get(key):
        # A click or a drawing: the rest of the page depends on it.
        cores[key] = core
        if on_change is not None:
            on_change()
        st.rerun(scope="app")
    return core
