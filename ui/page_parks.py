"""公园可达 / Parks within reach: coverage against the standards, gaps and distances."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analysis.demand import DemandGrid
from analysis.indicators import WHOLE_AREA
from analysis.standards import ParkStandard, StandardSettings, tier_from_text, tier_text
from geo.errors import PlanningMapError
from layers.bilingual import in_language
from layers.labels import Lang, tr
from layers.parks_view import SurfaceImage
from layers.render import site_focus_group, surface_group
from layers.scenario_view import site_features, site_view
from layers.specs import MapLayer
from share.model import MapView
from ui import data, layer_upload, layout, page_map, scenario_panel, share_panel, state
from views import inputs, maps, reach
from views.choices import ParksChoices
from views.parks import (
    ParksModel,
    demand_scale,
    demand_unit,
    parks_model,
    tier_label,
    verdict_label,
    zone_names,
)

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
    _, done = reach.bundled_park_set()
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
    standards: StandardSettings,
    grid: DemandGrid,
    osm_active: bool,
    *,
    has_classes: bool = False,
    has_scenario: bool = False,
) -> ParksChoices:
    """Draw the controls; return the choices (every figure on the page uses them)."""
    c1 = c2 = c3 = st.container()  # one column beside the map: controls one under another
    ids = [s.standard_id for s in standards.standards]
    if st.session_state.get(STANDARD) not in ids:  # the file's default standard first
        st.session_state[STANDARD] = standards.default.standard_id
    standard_id = state.select_in_lang(
        tr("standard", lang),
        ids,
        state_key=STANDARD,
        lang=lang,
        format_func=lambda sid: standards.standard(sid).name(lang),
        container=c1,
    )
    standard: ParkStandard = standards.standard(standard_id)
    # The session keeps a tier as text ("any" for any tier); the choices as an id or None.
    tiers = [tier_text(None), *[t.tier_id for t in standard.tiers]]
    tier_id = tier_from_text(
        state.select_in_lang(
            tr("tier", lang),
            tiers,
            state_key=state.tier_key(standard_id),
            lang=lang,
            format_func=lambda t: tier_label(standard, tier_from_text(t), lang),
            container=c1,
        )
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
    cell = c3.selectbox(tr("grid_m", lang), CELL_SIZES, key=CELL, disabled=state.read_only())
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
        c2.toggle(
            tr("show_entrances", lang), key=ENTRANCES, value=False, disabled=state.read_only()
        )
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
        tier_id=tier_id,
        method=method,
        demand=demand,
        cell_m=int(cell),
        view=view or "coverage",
        basis=basis,
        show_entrances=bool(st.session_state.get(ENTRANCES)),
        scenario=data.active_upload("planned_parks") if has_scenario else "",
    )


def _demand_key(demand: str, grid: DemandGrid) -> str:
    """The label key of a demand option."""
    if demand == "land" and grid.water_removed:
        return "demand_land_water"
    return f"demand_{demand}"


def render(lang: Lang, basemap_id: str) -> None:
    """Draw the parks-within-reach page."""
    share_panel.page_top("parks", lang, tr("page_parks", lang), tr("parks_intro", lang))
    try:
        ds = data.active_dataset()
        standards = reach.park_standards(ds)
        found = inputs.parks(ds)
        osm_active = inputs.has_walk_network(ds)
        grid = reach.park_grid(ds, st.session_state.get(CELL, 100))
    except PlanningMapError as exc:
        st.error(f"{tr('error_data', lang)} {in_language(str(exc), lang)}")
        st.stop()
    parks = found.parks
    has_classes = "park_class" in parks.columns and bool(
        (parks["park_class"].fillna("") != "").any()
    )
    has_scenario = reach.planned(ds) is not None
    cols = layout.map_and_side()
    with cols.side:
        choices = _choices(
            lang, standards, grid, osm_active, has_classes=has_classes, has_scenario=has_scenario
        )
    try:
        with st.spinner(tr("computing_reach", lang)):
            model = parks_model(ds, choices)
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))
        st.stop()

    with cols.map:
        image = maps.parks_surface(model)
        map_slot = st.container()
        st.markdown(maps.surface_key(model, lang), unsafe_allow_html=True)
    with cols.under:
        drawn_slot = st.container()
        _map_notes(lang, model, origin=found.origin)
    with cols.figures:
        _panel(lang, model)
    with cols.share:
        share_panel.side("parks", choices, lang)
    editable = share_panel.editable("parks")  # not while showing a snapshot
    sites = None
    if editable:
        scenario_panel.scenario_section(lang, model)
        sites = scenario_panel.sites_section(lang, model)
    with map_slot:
        drawings = _map(
            lang, basemap_id, model, image, sites=sites, draw=editable,
            bounds=inputs.map_view_bounds(ds), saved=page_map.saved_view("parks", choices),
        )  # fmt: skip
    with drawn_slot:
        scenario_panel.drawn_section(drawings, lang)
    _standard_source(lang, model.standard)
    if editable:
        layer_upload.panel(state.PARKS_UPLOAD_KINDS, lang, basemap_id)
    _tables(lang, model)


def _map_notes(lang: Lang, model: ParksModel, *, origin: str) -> None:
    """Under the map: the figures used, how far distances are measured, completeness.

    (The surface image's size is the benchmarks' business, not a planner's.)
    """
    _figures_used(lang, model)
    st.caption(tr("network_limit", lang))
    _completeness(lang, origin, model.n_parks)


def _standard_source(lang: Lang, standard: ParkStandard) -> None:
    """Say how far the standard's numbers are verified, with its source and each tier's."""
    key = "standard_verified" if standard.confidence == "V" else "standard_unverified"
    with st.expander(tr(key, lang, confidence=standard.confidence)):
        st.markdown(f"**{tr('source', lang)}**: {standard.source_text(lang)}")
        for tier in standard.tiers:
            st.markdown(
                f"- {tier.name(lang)} · {tier.min_area_m2:,.0f} m² · {tier.radius_m:,.0f} m · "
                f"{tier.confidence} · {tier.source_text(lang)}"
            )


def _figures_used(lang: Lang, model: ParksModel) -> None:
    """Say which standard, method, tier, demand and grid every figure uses."""
    choices, grid = model.choices, model.grid
    st.info(
        tr(
            "figures_use",
            lang,
            standard=model.standard.name(lang),
            method=tr(f"method_{choices.method}", lang),
            tier=tier_label(model.standard, choices.tier_id, lang),
            demand=tr(_demand_key(choices.demand, grid), lang),
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
    model: ParksModel,
    image: SurfaceImage,
    *,
    sites: scenario_panel.SitesShown | None,
    bounds: tuple[float, float, float, float],
    draw: bool = True,
    saved: MapView | None = None,
) -> list[dict[str, Any]] | None:
    """Draw the parks map; return the shapes the planner drew on it (None: none)."""
    # The parks page: the clusters muted beneath the parks by tier (and their entrances),
    # the scenario's planned parks and suggested sites above them; drawing tools on.
    layers = maps.parks_layers(model, lang)
    focus = site_focus_group(None, lang=lang)
    if sites is not None:
        unit = demand_unit(model.choices.demand, lang)
        scale = demand_scale(model.choices.demand)
        squares, marks = site_features(
            sites.footprints,
            lang,
            zone_names(model.ds, lang),
            demand_unit=unit,
            demand_scale=scale,
        )
        layers += [MapLayer("suggested_sites", squares), MapLayer("suggested_site_marks", marks)]
        if sites.chosen is not None:
            centre, around = site_view(sites.footprints, sites.chosen)
            focus = site_focus_group(centre, lang=lang, fit=around)
    # Rebuilt with other layers (a park added, sites suggested) the map stays where it was.
    m = page_map.base_map(
        layers, lang, basemap_id, bounds=bounds, draw=draw, view=saved, keep_view=PARKS_MAP
    )
    if m is None:
        return None
    value = page_map.show(
        m,
        key=PARKS_MAP,
        height_px=layout.MAP_HEIGHT_PX,
        overlay=(surface_group(image.data_url, image.bounds, lang=lang), focus),
        returned=["all_drawings"],
    )
    return (value or {}).get("all_drawings")


def _panel(lang: Lang, model: ParksModel) -> None:
    """Beside the map: the county's coverage by each method (after any scenario) and verdict."""
    county = model.by_cluster.set_index("zone").loc[WHOLE_AREA]
    # With a scenario the headline is the coverage after it, the coverage before beside it.
    for h in model.headlines():
        st.metric(h.label(lang), h.value(), delta=h.delta(lang), delta_color="normal")
        target_text = tr("target_label", lang, target=f"{h.target * 100:g}")
        before = h.before_text(lang)
        st.caption(
            " · ".join(t for t in (before, target_text, verdict_label(h.verdict, lang)) if t)
        )
    if "network_share" in county:
        st.metric(
            tr("share_buffer_not_network", lang), f"{county['buffer_not_network_share'] * 100:.1f}%"
        )
        st.metric(tr("share_off_network_county", lang), f"{county['off_network_share'] * 100:.1f}%")
    st.metric(tr("parks_in_data", lang), model.n_parks)


def _tables(lang: Lang, model: ParksModel) -> None:
    choices, by_cluster, by_unit = model.choices, model.by_cluster, model.by_unit
    _, _, _, clusters = inputs.bundle(model.ds)
    cluster_table, unit_table = model.tables(lang)
    st.subheader(tr("by_cluster", lang))
    st.dataframe(cluster_table, hide_index=True, width="stretch")
    short = {c.cluster_id: c.label(lang) for c in clusters}
    chart = cluster_table[(by_cluster["zone"] != WHOLE_AREA).to_numpy()].copy()
    chart.index = [short.get(z, z) for z in by_cluster["zone"] if z != WHOLE_AREA]
    share_cols = [c for c in (tr("share_buffer", lang), tr("share_network", lang)) if c in chart]
    st.caption(tr("parks_chart", lang))
    st.bar_chart(chart[share_cols], horizontal=True, stack=False)
    st.subheader(tr("by_unit", lang))
    st.dataframe(unit_table, hide_index=True, width="stretch")
    floor = reach.park_standards(model.ds).per_capita_target_m2
    st.caption(tr("per_capita_note", lang, floor=floor))
    export = pd.concat(
        [by_cluster.assign(level="cluster"), by_unit.assign(level="unit")], ignore_index=True
    ).assign(
        standard=model.standard.standard_id,
        tier=tier_text(choices.tier_id),
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
