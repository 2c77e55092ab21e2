"""交通走廊 / Corridors: rail, roads and corridors over the clusters, with station catchments."""

from __future__ import annotations

import html

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis.indicators import tier_of_parks
from geo.errors import PlanningMapError
from geo.store.dataset import DataSet
from layers.bilingual import in_language
from layers.labels import Lang, tr
from layers.render import catchment_group
from share.model import MapView
from ui import data, layer_upload, layout, page_map, share_panel, state
from views import inputs, maps
from views.choices import CorridorChoices
from views.figures import corridor_coverage_table
from views.reach import park_standards

RADII_M = (500, 800)
CORRIDOR_MAP = state.CORRIDOR_MAP
RADIUS = state.CORRIDOR_RADIUS
METHOD = state.CORRIDOR_METHOD
STATION = state.CORRIDOR_STATION


def _on_click() -> None:
    """A click on a station comes back as its feature: keep its id (other features: ignored)."""
    value = st.session_state.get(CORRIDOR_MAP) or {}
    feature = value.get("last_active_drawing") or {}
    station_id = (feature.get("properties") or {}).get("station_id")
    if station_id and not state.read_only():  # a snapshot's link keeps its station
        st.session_state[STATION] = str(station_id)


def render(lang: Lang, basemap_id: str) -> None:
    """Draw the corridors page."""
    share_panel.page_top("corridors", lang, tr("page_corridors", lang), tr("corridors_intro", lang))
    try:
        ds = data.active_dataset()
        summary = inputs.summary(ds)
        walking = inputs.has_walk_network(ds)
        stations = inputs.stations(ds)
    except PlanningMapError as exc:
        st.error(f"{tr('error_data', lang)} {in_language(str(exc), lang)}")
        st.stop()

    cols = layout.map_and_side()
    with cols.side:
        if st.session_state.get(RADIUS) not in RADII_M:  # set here, not as the widget's
            st.session_state[RADIUS] = RADII_M[0]  # default: a snapshot may have set it
        radius = st.segmented_control(
            tr("radius_m", lang), RADII_M, key=RADIUS, required=True, disabled=state.read_only()
        )
        radius = int(radius or RADII_M[0])
        methods = ["straight", "network"] if walking else ["straight"]
        method = state.choose_in_lang(
            "radio",
            tr("method", lang),
            methods,
            state_key=METHOD,
            lang=lang,
            format_func=lambda m: tr(f"method_{m}", lang),
        )
        source = ds.source("stations")
        if source is not None and source.origin == "upload":
            label = html.escape(source.label)
            st.caption(tr("stations_planners", lang, file=label, n=len(stations)))
        elif not walking:
            st.caption(tr("stations_cited", lang, n=len(stations)))
        if not walking:
            st.caption(tr("method_network_unavailable", lang))
    try:
        with st.spinner(tr("computing_catchments", lang)):
            catchments = inputs.catchments(ds, radius, method)
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))
        st.stop()
    choices = CorridorChoices(
        radius_m=radius, method=method, station_id=st.session_state.get(STATION)
    )
    with cols.map:
        saved = page_map.saved_view("corridors", choices)
        _map(ds, catchments, lang, basemap_id, saved=saved)
        method_text = tr(f"method_{method}", lang)
        st.caption(tr("catchment_shown", lang, method=method_text, radius=radius))
    with cols.under:
        _coverage_table(ds, summary=summary, lang=lang, choices=choices)
    with cols.figures:
        _station_panel(ds, stations, choices, lang)
    if not walking:
        st.caption(tr("corridors_need_osm", lang))
    st.caption(tr("plan_networks", lang))
    with cols.share:
        share_panel.side("corridors", choices, lang)
    if share_panel.editable("corridors"):
        layer_upload.panel(state.CORRIDOR_UPLOAD_KINDS, lang, basemap_id)


def _map(
    ds: DataSet,
    catchments: gpd.GeoDataFrame,
    lang: Lang,
    basemap_id: str,
    *,
    saved: MapView | None,
) -> None:
    # The corridors page: the clusters muted beneath the networks, rail and stations.
    layers = maps.corridor_layers(ds, lang)
    m = page_map.base_map(layers, lang, basemap_id, bounds=inputs.map_view_bounds(ds), view=saved)
    if m is None:
        return
    page_map.show(
        m,
        key=CORRIDOR_MAP,
        height_px=layout.MAP_HEIGHT_PX,
        overlay=catchment_group(catchments, lang=lang),
        returned=["last_active_drawing"],
        on_change=_on_click,
    )


def _coverage_table(
    ds: DataSet, *, summary: pd.DataFrame, lang: Lang, choices: CorridorChoices
) -> None:
    radius, method = choices.radius_m, choices.method
    st.subheader(tr("coverage_table", lang))
    coverage = inputs.coverage(ds, radius, method)
    table = corridor_coverage_table(summary, coverage, lang)
    st.dataframe(table, hide_index=True, width="stretch")
    st.bar_chart(table.set_index(tr("cluster", lang))[[tr("area_within", lang)]], horizontal=True)
    dataset = st.session_state.get(state.DATASET)
    export = coverage.assign(radius_m=radius, method=method, dataset=dataset)
    st.download_button(
        tr("download_csv", lang),
        data=export.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"kunshan_station_coverage_{method}_{radius}m.csv",
        mime="text/csv",
        key=state.DOWNLOAD_COVERAGE_CSV,
    )


def _station_panel(
    ds: DataSet, stations: gpd.GeoDataFrame, choices: CorridorChoices, lang: Lang
) -> None:
    st.markdown(f"**{tr('station_panel', lang)}**")
    chosen = stations[stations["station_id"].astype(str) == str(st.session_state.get(STATION))]
    if chosen.empty:
        st.caption(tr("station_click", lang))
        return
    station = chosen.iloc[0]
    name_col = "name_zh" if lang == "zh" else "name_en"
    lines, _ = inputs.transit()
    line_names = lines.set_index("line_id")["name_zh" if lang == "zh" else "name_en"]
    served = [str(line_names.get(lid, lid)) for lid in str(station["lines"]).split(";") if lid]
    st.subheader(str(station[name_col]))
    st.markdown(f"**{tr('lines', lang)}**: {'、'.join(served) if served else '—'}")
    st.markdown(f"**{tr('opened', lang)}**: {str(station['opened'])[:4] or '—'}")
    reach = inputs.station_reach_of(
        ds, str(station["station_id"]), choices.radius_m, choices.method
    )
    if reach is None:
        return
    st.metric(tr("layer_catchments", lang) + " (km²)", f"{reach.area_km2:.2f}")
    if not inputs.parks_counted(ds):
        return
    parks = reach.parks
    st.markdown(f"**{tr('parks_within', lang)}**: {len(parks)}")
    if not parks.empty:
        standard = park_standards(ds).default
        names = {t.tier_id: t.name(lang) for t in standard.tiers}
        table = parks[["name", "area_m2"]].fillna("—")
        table[tr("tier", lang)] = [
            names.get(t, tr("tier_none", lang)) for t in tier_of_parks(parks, standard)
        ]
        st.caption(tr("tier_of_standard", lang, standard=standard.name(lang)))
        st.dataframe(table, hide_index=True, width="stretch")


if __name__ == "__main__":  # st.navigation runs a page file as __main__
    render(st.session_state[state.LANG], st.session_state[state.BASEMAP])
