"""公园可达 / Parks within reach: coverage against the standards, gaps and distances."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from analysis.indicators import WHOLE_AREA, coverage_by_zone, meets_target
from analysis.scenario import change_classes
from analysis.standards import ParkStandard
from geo.errors import PlanningMapError
from layers.cluster_view import cluster_layers
from layers.labels import Lang, tr
from layers.parks_view import (
    surface_colours,
    surface_image,
    surface_legend_html,
)
from layers.render import surface_group
from layers.scenario_view import change_colours, change_legend_html, planned_features, site_features
from layers.specs import MapLayer
from share.model import MapView
from ui import (
    data,
    figures,
    layer_upload,
    layout,
    page_map,
    scenario_panel,
    share_panel,
    state,
)
from ui.choices import ParksChoices

PARKS_MAP = state.PARKS_MAP
STANDARD = state.PARKS_STANDARD
METHOD = state.PARKS_METHOD
DEMAND = state.PARKS_DEMAND
DEMANDS_OFFERED = state.PARKS_DEMANDS_OFFERED
VIEW = state.PARKS_VIEW
CELL = state.PARKS_CELL
ENTRANCES = state.PARKS_ENTRANCES
BASIS = state.PARKS_BASIS
CELL_SIZES = (50, 100, 200)
ANY_TIER = state.ANY_TIER


def _completeness(lang: Lang, origin: str, n_parks: int) -> None:
    if origin == "osm":
        st.caption(tr("parks_osm_source", lang, n=n_parks))
        return
    if origin == "upload":
        record = data.upload_record(data.active_upload("parks"))
        st.caption(
            tr(
                "parks_upload_source",
                lang,
                n=n_parks,
                file=record.file_name if record else "?",
                when=record.added_at if record else "?",
            )
        )
        return
    _, done = data.bundled_park_set()
    st.warning(
        tr(
            "parks_bundled_completeness",
            lang,
            located=done.located,
            unlocated=done.registered - done.located,
            reference=done.reference_over_5000,
            year=done.reference_year,
        )
    )


def _choices(
    lang: Lang,
    standards: Any,
    grid: data.ParkGrid,
    osm_active: bool,
    *,
    has_classes: bool = False,
    has_scenario: bool = False,
) -> ParksChoices:
    """Draw the controls; return the choices (every figure on the page uses them)."""
    c1 = c2 = c3 = st.container()  # one column beside the map: controls one under another
    ids = [s.standard_id for s in standards.standards]
    standard_id = state.select_in_lang(
        tr("standard", lang),
        ids,
        state_key=STANDARD,
        lang=lang,
        format_func=lambda sid: standards.standard(sid).name(lang),
        container=c1,
    )
    standard: ParkStandard = standards.standard(standard_id)
    tiers = [ANY_TIER, *[t.tier_id for t in standard.tiers]]
    tier_id = state.select_in_lang(
        tr("tier", lang),
        tiers,
        state_key=state.tier_key(standard_id),
        lang=lang,
        format_func=lambda t: (
            tr("tier_any", lang) if t == ANY_TIER else standard.tier(t).name(lang)
        ),
        container=c1,
    )
    methods = ["buffer", "network"] if osm_active else ["buffer"]
    method = state.choose_in_lang(
        "radio",
        tr("method_parks", lang),
        methods,
        state_key=METHOD,
        lang=lang,
        format_func=lambda m: tr(f"method_{m}", lang),
        container=c2,
    )
    if not osm_active:
        c2.caption(tr("method_network_unavailable", lang))
    kinds = ("population_layer", "residential", "land", "population")
    demands = [d for d in kinds if d in grid.demands]
    offered = st.session_state.get(DEMANDS_OFFERED)
    if offered is not None and (new := [d for d in demands if d not in offered]):
        st.session_state[DEMAND] = new[0]  # a demand the planner just loaded becomes the choice
    st.session_state[DEMANDS_OFFERED] = demands
    demand = state.select_in_lang(
        tr("demand", lang),
        demands,
        state_key=DEMAND,
        lang=lang,
        format_func=lambda d: tr(_demand_key(d, grid), lang),
        container=c3,
    )
    if st.session_state.get(CELL) not in CELL_SIZES:  # a default without a widget default
        st.session_state[CELL] = 100  # (a snapshot may have set it: no second default then)
    cell = c3.selectbox(tr("grid_m", lang), CELL_SIZES, key=CELL)
    basis = "area"
    if has_classes:
        basis = state.choose_in_lang(
            "radio",
            tr("tier_basis", lang),
            ["area", "class"],
            state_key=BASIS,
            lang=lang,
            format_func=lambda b: tr(f"tier_basis_{b}", lang),
            container=c1,
            horizontal=True,
        )
    if osm_active:
        c2.toggle(tr("show_entrances", lang), key=ENTRANCES, value=False)
    views = ["coverage", "gap", "distance"] if method == "network" else ["coverage", "distance"]
    if has_scenario:
        views.append("change")
    view = state.choose_in_lang(
        "radio",  # a list: the side column is too narrow for a row of buttons
        tr("view", lang),
        views,
        state_key=VIEW,
        lang=lang,
        format_func=lambda v: tr(f"view_{v}", lang),
    )
    return ParksChoices(
        standard_id=standard.standard_id,
        tier_id=None if tier_id == ANY_TIER else tier_id,
        method=method,
        demand=demand,
        cell_m=int(cell),
        view=view or "coverage",
        basis=basis,
        show_entrances=bool(st.session_state.get(ENTRANCES)),
        scenario=data.active_upload("planned_parks") if has_scenario else "",
    )


def _demand_key(demand: str, grid: data.ParkGrid) -> str:
    """The label key of a demand option."""
    if demand == "land" and grid.water_removed:
        return "demand_land_water"
    return f"demand_{demand}"


def render(lang: Lang, basemap_id: str) -> None:
    """Draw the parks-within-reach page."""
    share_panel.page_top("parks", lang, tr("page_parks", lang), tr("parks_intro", lang))
    try:
        standards = data.park_standards()
        parks, origin = data.active_parks()
        osm_active = data.has_walk_network()
        grid = data.park_grid(st.session_state.get(CELL, 100))
    except PlanningMapError as exc:
        st.error(f"{tr('error_data', lang)} {exc}")
        st.stop()
    has_classes = "park_class" in parks.columns and bool(
        (parks["park_class"].fillna("") != "").any()
    )
    has_scenario = data.active_planned() is not None
    map_col, side_col, share_col = layout.map_and_side()
    with side_col:
        choices = _choices(
            lang, standards, grid, osm_active, has_classes=has_classes, has_scenario=has_scenario
        )
    standard: ParkStandard = data.park_standards().standard(choices.standard_id)
    try:
        with st.spinner(tr("computing_reach", lang)):
            grid = data.park_grid(choices.cell_m)
            reach = data.park_reach_for(
                choices.cell_m,
                standard.standard_id,
                network=choices.method == "network",
                basis=choices.basis,
            )
            after = data.scenario_reach_for(
                choices.cell_m,
                standard.standard_id,
                network=choices.method == "network",
                basis=choices.basis,
            )
    except PlanningMapError as exc:
        st.error(str(exc))
        st.stop()
    origins = figures.demand_origins(grid, choices)
    by_cluster = coverage_by_zone(origins, reach, grid.cluster_of, tier_id=choices.tier_id)
    by_unit = coverage_by_zone(origins, reach, grid.unit_of, tier_id=choices.tier_id)

    with map_col:
        image, key_html = _surface(lang, choices, origins, reach, after)
        map_slot = st.container()
        st.markdown(key_html, unsafe_allow_html=True)
        drawn_slot = st.container()
        _map_notes(lang, grid, choices, image, origin=origin, n_parks=len(parks))
    with side_col:
        _panel(lang, by_cluster, choices, len(parks))
    with share_col:
        share_panel.side("parks", choices, lambda: figures.parks_figures(choices), lang)
    editable = share_panel.editable("parks")  # not while showing a snapshot
    sites = None
    if editable:
        scenario_panel.scenario_section(
            lang, choices, standard, before=reach, after=after, origins=origins,
            names=figures.zone_names(lang),
        )  # fmt: skip
        sites = scenario_panel.sites_section(lang, choices, standard)
    with map_slot:
        drawings = _map(
            lang, basemap_id, parks, standard, image, basis=choices.basis, sites=sites,
            demand=choices.demand, draw=editable, saved=page_map.saved_view("parks", choices),
        )  # fmt: skip
    with drawn_slot:
        scenario_panel.drawn_section(drawings, lang)
    _standard_source(lang, standard)
    if editable:
        layer_upload.panel(state.PARKS_UPLOAD_KINDS, lang, basemap_id)
    _tables(lang, choices, by_cluster=by_cluster, by_unit=by_unit, parks=parks, origins=origins)


def _map_notes(
    lang: Lang, grid: data.ParkGrid, choices: ParksChoices, image: Any, *, origin: str, n_parks: int
) -> None:
    """Under the map: the figures used, the image's size, the search limit, completeness."""
    _figures_used(lang, grid, choices)
    notes = [tr("surface_payload", lang, kb=round(image.n_bytes / 1000))]
    notes.append(tr("network_limit", lang))
    st.caption(" · ".join(notes))
    _completeness(lang, origin, n_parks)


def _surface(
    lang: Lang, choices: ParksChoices, origins: Any, reach: Any, after: Any
) -> tuple[Any, str]:
    """The map's surface image for the chosen view, and its key (escaped HTML)."""
    if choices.view == "change" and after is not None:
        colours = change_colours(change_classes(reach, after, tier_id=choices.tier_id))
        key_html = change_legend_html(lang, walking=choices.method == "network")
    else:
        view = "coverage" if choices.view == "change" else choices.view
        colours = surface_colours(
            origins, reach, view=view, method=choices.method, tier_id=choices.tier_id
        )
        key_html = surface_legend_html(view, lang, method=choices.method)
    return surface_image(data.park_surface_raster(choices.cell_m), colours), key_html


def _standard_source(lang: Lang, standard: ParkStandard) -> None:
    """Say how far the standard's numbers are verified, with its source and each tier's."""
    key = "standard_verified" if standard.confidence == "V" else "standard_unverified"
    with st.expander(tr(key, lang, confidence=standard.confidence)):
        st.markdown(f"**{tr('source', lang)}**: {standard.source}")
        for tier in standard.tiers:
            st.markdown(
                f"- {tier.name(lang)} · {tier.min_area_m2:,.0f} m² · {tier.radius_m:,.0f} m · "
                f"{tier.confidence} · {tier.source}"
            )


def _figures_used(lang: Lang, grid: data.ParkGrid, choices: ParksChoices) -> None:
    """Say which standard, method, tier, demand and grid every figure uses."""
    standard: ParkStandard = data.park_standards().standard(choices.standard_id)
    tier = choices.tier_id
    tier_text = tr("tier_any", lang) if tier is None else standard.tier(tier).name(lang)
    demand_key = _demand_key(choices.demand, grid)
    st.info(
        tr(
            "figures_use",
            lang,
            standard=standard.name(lang),
            method=tr(f"method_{choices.method}", lang),
            tier=tier_text,
            demand=tr(demand_key, lang),
            cell=choices.cell_m,
        )
    )
    if choices.demand == "population" and grid.population_years:
        years = (grid.population_years[0], grid.population_years[-1])
        st.caption(
            tr(
                "population_units_used",
                lang,
                n=len(grid.population_units),
                years="–".join(str(y) for y in years),
            )
        )


def _map(
    lang: Lang,
    basemap_id: str,
    parks: Any,
    standard: ParkStandard,
    image: Any,
    *,
    basis: str,
    sites: Any,
    demand: str,
    draw: bool = True,
    saved: MapView | None = None,
) -> list[dict[str, Any]] | None:
    """Draw the parks map; return the shapes the planner drew on it (None: none)."""
    inputs = data.map_inputs(lang)
    # The parks page: the clusters muted beneath the parks by tier (and their entrances),
    # the scenario's planned parks and suggested sites above them; drawing tools on.
    layers = [
        *cluster_layers(inputs, lang, muted=True),
        MapLayer("parks", data.park_display(standard.standard_id, lang, basis)),
    ]
    if st.session_state.get(ENTRANCES):
        layers.append(MapLayer("park_entrances", data.entrance_display(lang)))
    planned = data.active_planned()
    if planned is not None:
        layers.append(MapLayer("planned_parks", planned_features(planned, standard, lang)))
    if sites is not None:
        unit = figures.demand_unit(demand, lang)
        layers.append(MapLayer("suggested_sites", site_features(sites, lang, demand_unit=unit)))
    m = page_map.base_map(
        layers, lang, basemap_id, bounds=data.map_view_bounds(), draw=draw, view=saved
    )
    if m is None:
        return None
    value = page_map.show(
        m,
        key=PARKS_MAP,
        height_px=layout.MAP_HEIGHT_PX,
        overlay=surface_group(image.data_url, image.bounds, lang=lang),
        returned=["all_drawings"],
    )
    return (value or {}).get("all_drawings")


def _panel(lang: Lang, by_cluster: pd.DataFrame, choices: ParksChoices, n_parks: int) -> None:
    county = by_cluster.set_index("zone").loc[WHOLE_AREA]
    target = float(county["target_share"])
    target_text = tr("target_label", lang, target=f"{target * 100:g}")
    verdicts = {True: tr("meets", lang), False: tr("misses", lang), None: "—"}
    share = float(county["buffer_share"])
    st.metric(tr("coverage_county", lang), "—" if np.isnan(share) else f"{share * 100:.1f}%")
    st.caption(f"{target_text} · {verdicts[meets_target(share, target)]}")
    if "network_share" in county:
        walk = float(county["network_share"])
        st.metric(tr("coverage_network_county", lang), f"{walk * 100:.1f}%")
        st.caption(f"{target_text} · {verdicts[meets_target(walk, target)]}")
        st.metric(
            tr("share_buffer_not_network", lang), f"{county['buffer_not_network_share'] * 100:.1f}%"
        )
        st.metric(tr("share_off_network_county", lang), f"{county['off_network_share'] * 100:.1f}%")
    st.metric(tr("parks_in_data", lang), n_parks)


def _tables(
    lang: Lang,
    choices: ParksChoices,
    *,
    by_cluster: pd.DataFrame,
    by_unit: pd.DataFrame,
    parks: Any,
    origins: Any,
) -> None:
    _, _, _, clusters = data.bundle()
    cluster_table, unit_table = figures.parks_tables(
        lang, choices, by_cluster=by_cluster, by_unit=by_unit, origins=origins
    )
    st.subheader(tr("by_cluster", lang))
    st.dataframe(cluster_table, hide_index=True, width="stretch")
    short = {c.cluster_id: c.short(lang) for c in clusters}
    chart = cluster_table[(by_cluster["zone"] != WHOLE_AREA).to_numpy()].copy()
    chart.index = [short.get(z, z) for z in by_cluster["zone"] if z != WHOLE_AREA]
    share_cols = [c for c in (tr("share_buffer", lang), tr("share_network", lang)) if c in chart]
    st.caption(tr("parks_chart", lang))
    st.bar_chart(chart[share_cols], horizontal=True, stack=False)
    st.subheader(tr("by_unit", lang))
    st.dataframe(unit_table, hide_index=True, width="stretch")
    floor = data.park_standards().per_capita_target_m2
    st.caption(tr("per_capita_note", lang, floor=floor))
    export = pd.concat(
        [by_cluster.assign(level="cluster"), by_unit.assign(level="unit")], ignore_index=True
    ).assign(
        standard=data.park_standards().standard(choices.standard_id).standard_id,
        tier=choices.tier_id or "any",
        method=choices.method,
        demand=choices.demand,
        grid_m=choices.cell_m,
        dataset=st.session_state.get(state.DATASET),
    )
    st.download_button(
        tr("download_csv", lang),
        data=export.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"kunshan_park_coverage_{choices.standard_id}_{choices.method}.csv",
        mime="text/csv",
        key=state.DOWNLOAD_PARK_COVERAGE_CSV,
    )


if __name__ == "__main__":  # st.navigation runs a page file as __main__
    render(st.session_state[state.LANG], st.session_state[state.BASEMAP])
