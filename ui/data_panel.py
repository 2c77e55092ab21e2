"""The sidebar's data panel: which data set is active, its date, completeness and refresh."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.errors import PlanningMapError
from geo.osm import read_cache_metadata, refresh_cache
from layers.labels import Lang, tr
from ui import settings, state


@st.cache_data(show_spinner=False)
def _metadata(path: str, mtime: float) -> dict[str, str]:
    del mtime  # part of the cache key only
    return read_cache_metadata(Path(path))


def osm_metadata_now() -> dict[str, str]:
    """Return the OSM cache's metadata (empty without a cache), cached per file version."""
    path = settings.osm_cache_path()
    if not path.is_file():
        return {}
    return _metadata(str(path), path.stat().st_mtime)


def active_attribution(lang: Lang) -> str:
    """Return the attribution line the maps must show for the active data set."""
    if st.session_state.get(state.DATASET) == state.OSM and osm_metadata_now():
        return tr("osm_attribution", lang)
    return ""


def _refresh(lang: Lang) -> None:
    with st.status(tr("osm_refreshing", lang), expanded=True) as status:
        try:
            refresh_cache(settings.osm_cache_path(), progress=status.write)
        except PlanningMapError as exc:
            status.update(state="error")
            st.error(str(exc))
            return
        status.update(label=tr("osm_refreshed", lang), state="complete")


def render(lang: Lang) -> None:
    """Draw the data panel in the sidebar."""
    st.markdown(f"**{tr('dataset', lang)}**")
    meta = osm_metadata_now()
    options = [state.BUNDLED, state.OSM] if meta else [state.BUNDLED]
    labels = {state.BUNDLED: tr("dataset_bundled", lang), state.OSM: tr("dataset_osm", lang)}
    state.choose_in_lang(
        "radio",
        tr("dataset", lang),
        options,
        state_key=state.DATASET,
        lang=lang,
        format_func=labels.__getitem__,
        label_visibility="collapsed",
    )
    official = settings.units_path() != settings.UNITS_PATH
    st.caption(tr("dataset_units_official" if official else "dataset_units_approx", lang))
    if meta:
        st.caption(
            tr(
                "osm_extract",
                lang,
                date=meta.get("extract_date", "?"),
                source=meta.get("source", "?"),
            )
        )
        st.caption(
            tr(
                "osm_counts",
                lang,
                parks=meta.get("count_parks", "?"),
                access=meta.get("count_park_access", "?"),
                edges=meta.get("count_walk_edges", "?"),
                stations=meta.get("count_rail_stations", "?"),
                res=meta.get("count_residential", "?"),
            )
        )
        st.caption(tr("osm_attribution", lang))
    else:
        st.caption(tr("dataset_osm_missing", lang))
    if st.button(tr("osm_refresh", lang), key="osm_refresh"):
        _refresh(lang)
