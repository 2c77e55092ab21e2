"""The parks page's scenario: planned parks (drawn, loaded, suggested), before/after, sites."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis.indicators import WHOLE_AREA
from analysis.siting.search import GREEDY_GUARANTEE
from analysis.standards import tier_from_text
from geo.errors import PlanningMapError
from geo.files.schema import PARK_CLASSES
from layers.bilingual import in_language
from layers.labels import Lang, tr
from ui import data, state
from views import reach
from views.parks import (
    ParksModel,
    class_label,
    demand_scale,
    demand_unit,
    drawn_table,
    tier_label,
    zone_names,
)

_NO_CLASS = ""


def _scenario_name(lang: Lang) -> str:
    record = data.upload_record(data.active_upload("planned_parks"))
    return record.file_name if record else f"{tr('scenario_default_name', lang)} 1"


def _save(frame: gpd.GeoDataFrame, name: str, lang: Lang) -> None:
    """Store the scenario's parks and use them in this session (then rerun)."""
    try:
        record = data.save_scenario(frame, name.strip() or _scenario_name(lang))
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))
        return
    state.set_session_layer("planned_parks", record.content_hash)
    st.rerun()


def _with_current(new: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The scenario's current planned parks followed by ``new`` (ids renumbered on save)."""
    current = reach.planned(data.active_dataset())
    columns = ["name", "park_class", "year", "geometry"]
    frames = [f[[c for c in columns if c in f.columns]] for f in (current, new) if f is not None]
    both = pd.concat([f.to_crs(4326) for f in frames], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=4326)


def drawn_section(drawings: list[dict[str, Any]] | None, lang: Lang) -> None:
    """Name what the planner drew and add it to the scenario."""
    drawn, table = drawn_table(drawings, lang)
    st.subheader(tr("scenario_title", lang))
    st.caption(tr("scenario_how", lang))
    if drawn.empty:
        return
    st.info(tr("scenario_drawn", lang, n=len(drawn)))
    classes = [_NO_CLASS, *PARK_CLASSES]
    labels = {c: class_label(c, lang) for c in classes}
    edited = st.data_editor(
        table,
        key=state.SCENARIO_DRAWN,
        hide_index=True,
        disabled=["area_ha"],
        column_config={
            "name": st.column_config.TextColumn(tr("planned_name", lang), max_chars=80),
            "area_ha": st.column_config.NumberColumn(tr("planned_area_ha", lang), format="%.2f"),
            "park_class": st.column_config.SelectboxColumn(
                tr("planned_class", lang), options=list(labels.values())
            ),
            "year": st.column_config.NumberColumn(
                tr("planned_year", lang), min_value=1949, max_value=2100, step=1
            ),
        },
    )
    name = st.text_input(
        tr("scenario_name", lang), value=_scenario_name(lang), key=state.SCENARIO_NAME, max_chars=80
    )
    if st.button(tr("scenario_add", lang), key=state.SCENARIO_ADD, type="primary"):
        by_label = {v: k for k, v in labels.items()}
        new = drawn.assign(
            name=edited["name"].fillna("").astype(str).to_numpy(),
            park_class=[by_label.get(v, _NO_CLASS) for v in edited["park_class"]],
            year=edited["year"].to_numpy(),
        )
        _save(_with_current(new), name, lang)


def scenario_section(lang: Lang, model: ParksModel) -> None:
    """Show the scenario's parks and every figure before and after it."""
    planned = model.planned
    listed = model.planned_table(lang)
    if planned is None or listed is None:
        st.caption(tr("scenario_none", lang))
        return
    st.success(
        tr(
            "scenario_in_use",
            lang,
            name=_scenario_name(lang),
            n=len(planned),
            ha=f"{planned['area_m2'].sum() / 1e4:,.2f}",
        )
    )
    st.dataframe(listed, hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    remove = c1.multiselect(
        tr("scenario_remove", lang),
        list(planned["park_id"]),
        format_func=dict(zip(planned["park_id"], planned["name"].astype(str), strict=True)).get,
        key=state.SCENARIO_REMOVE,
        placeholder=tr("choose", lang),
    )
    if remove and c1.button(tr("scenario_remove", lang), key=state.SCENARIO_REMOVE_BUTTON):
        kept = planned[~planned["park_id"].isin(remove)]
        if kept.empty:
            state.set_session_layer("planned_parks", "")
            st.rerun()
        _save(kept, _scenario_name(lang), lang)
    if c2.button(tr("scenario_clear", lang), key=state.SCENARIO_CLEAR):
        state.set_session_layer("planned_parks", "")
        st.rerun()
    choices, standard = model.choices, model.standard
    names = zone_names(model.ds, lang)
    tier_name = tier_label(standard, choices.tier_id, lang)
    st.markdown(f"**{tr('scenario_before_after', lang, tier=tier_name)}**")
    st.dataframe(model.change_table(lang), hide_index=True, width="stretch")
    with st.expander(tr("by_unit", lang)):
        st.dataframe(model.change_table(lang, level="unit"), hide_index=True, width="stretch")
    changes = model.changes
    if changes is None:  # no planned parks after all
        return
    with st.expander(tr("scenario_each_tier", lang)):
        county = changes[changes["level"] == "county"]
        for text in county["tier"].unique():
            tier = tier_from_text(str(text))
            st.caption(tier_label(standard, tier, lang))
            st.dataframe(
                model.change_table(lang, level="county", tier=tier),
                hide_index=True,
                width="stretch",
            )
    per_person = model.per_capita_change()
    if per_person is not None:
        st.markdown(f"**{tr('scenario_per_capita', lang)}**")
        st.dataframe(_named(per_person, names["unit"], lang), hide_index=True, width="stretch")
    sfca = model.sfca_change()
    if sfca is not None:
        st.markdown(f"**{tr('scenario_sfca', lang)}**")
        st.dataframe(_named(sfca, names["cluster"], lang), hide_index=True, width="stretch")
    st.caption(tr("scenario_reach_note", lang))
    export = changes.assign(
        scenario=_scenario_name(lang),
        standard=standard.standard_id,
        demand=choices.demand,
        grid_m=choices.cell_m,
    )
    st.download_button(
        tr("scenario_csv", lang),
        data=export.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"kunshan_scenario_{standard.standard_id}.csv",
        mime="text/csv",
        key=state.DOWNLOAD_SCENARIO_CSV,
    )


def _named(frame: pd.DataFrame, names: dict[str, str], lang: Lang) -> pd.DataFrame:
    out = frame.copy()
    out["zone"] = [
        tr("whole_county", lang) if z == WHOLE_AREA else names.get(z, z) for z in out["zone"]
    ]
    out = out.rename(
        columns={
            "zone": tr("zone", lang),
            "before": tr("before", lang),
            "after": tr("after", lang),
            "change": "Δ",
        }
    )
    for column in (tr("before", lang), tr("after", lang), "Δ"):
        out[column] = out[column].astype(float).round(2)
    verdicts = [c for c in ("passes_before", "passes_after") if c in out]
    for column in verdicts:
        out[column] = [
            "—" if v is None else tr("yes", lang) if v else tr("no", lang) for v in out[column]
        ]
    return out.rename(
        columns={
            "passes_before": f"{tr('meets_target', lang)} ({tr('before', lang)})",
            "passes_after": f"{tr('meets_target', lang)} ({tr('after', lang)})",
        }
    )


@dataclass(frozen=True)
class SitesShown:
    """The suggested sites the page shows: their footprints and the rank chosen in the table."""

    footprints: gpd.GeoDataFrame
    chosen: int | None = None


def sites_section(lang: Lang, model: ParksModel) -> SitesShown | None:
    """Suggest pocket-park sites; return them for the map (None before asked)."""
    choices, standard = model.choices, model.standard
    st.subheader(tr("sites_title", lang))
    st.caption(tr("sites_intro", lang))
    site_tier = (
        standard.smallest_tier() if choices.tier_id is None else standard.tier(choices.tier_id)
    )
    st.caption(
        tr(
            "sites_size",
            lang,
            tier=site_tier.name(lang),
            area=f"{site_tier.min_area_m2:,.0f}",
            radius=f"{site_tier.radius_m:,.0f}",
            method=tr(f"method_short_{choices.method}", lang),
        )
    )
    land = data.active_upload("candidate_land")
    st.caption(tr("sites_candidates_in" if land else "sites_candidates_any", lang))
    c1, c2, c3 = st.columns([1, 2, 1])
    k = int(c1.number_input(tr("sites_k", lang), 1, 50, 5, key=state.SITES_K))
    exact = c2.checkbox(tr("sites_exact", lang), key=state.SITES_EXACT)
    question = {
        "cell_m": choices.cell_m,
        "standard_id": standard.standard_id,
        "tier_id": choices.tier_id,
        "method": choices.method,
        "basis": choices.basis,
        "demand": choices.demand,
        "k": k,
        "exact": exact,
        "scenario": choices.scenario,
        "candidates": land,
    }
    if c3.button(tr("sites_run", lang), key=state.SITES_RUN, type="primary"):
        st.session_state[state.SITES_REQUEST] = question
    if st.session_state.get(state.SITES_REQUEST) != question:
        return None
    try:
        with st.spinner(tr("computing_reach", lang)):
            result, footprints = reach.suggested_sites(
                model.ds,
                standard,
                choices.tier_id,
                cell_m=choices.cell_m,
                method=choices.method,
                basis=choices.basis,
                demand=choices.demand,
                k=k,
                exact=exact,
            )
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))
        return None
    st.caption(tr("sites_guarantee", lang, share=f"{GREEDY_GUARANTEE * 100:.0f}"))
    if not result.sites:
        st.info(tr("sites_none", lang))
        return None
    unit = demand_unit(choices.demand, lang)
    factor, decimals = demand_scale(choices.demand)
    names = zone_names(model.ds, lang)
    st.caption(tr("sites_pick", lang))
    event = st.dataframe(
        pd.DataFrame(
            {
                tr("site_rank", lang): [s.rank for s in result.sites],
                tr("site_unit", lang): [
                    names["unit"].get(u) or tr("outside_units", lang) for u in footprints["unit_id"]
                ],
                tr("site_cluster", lang): [
                    names["cluster"].get(c, "—") for c in footprints["cluster_id"]
                ],
                tr("site_lon", lang): footprints["lon"].to_numpy(),
                tr("site_lat", lang): footprints["lat"].to_numpy(),
                f"{tr('site_gain', lang)} ({unit})": [
                    round(s.gain * factor, decimals) for s in result.sites
                ],
                tr("site_after", lang): [
                    round(s.covered_share_after * 100, 2) for s in result.sites
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        key=state.SITES_TABLE,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            tr("site_lon", lang): st.column_config.NumberColumn(format="%.6f"),
            tr("site_lat", lang): st.column_config.NumberColumn(format="%.6f"),
            tr("site_after", lang): st.column_config.NumberColumn(format="%.2f"),
        },
    )
    rows = list(event.selection.rows) if event is not None else []
    chosen = int(footprints["rank"].iloc[rows[0]]) if rows else None
    if result.method == "exact":
        greedy_after = result.after_share - (result.gap or 0.0) * (
            result.after_share - result.before_share
        )
        st.caption(
            tr(
                "sites_exact_result",
                lang,
                exact=f"{result.after_share * 100:.2f}",
                greedy=f"{greedy_after * 100:.2f}",
                gap=f"{(result.gap or 0.0) * 100:.2f}",
                proved="" if result.optimal else tr("sites_not_proved", lang),
            )
        )
    if st.button(tr("sites_add", lang), key=state.SITES_ADD):
        new = footprints[["name", "geometry"]].assign(park_class="", year=None)
        st.session_state.pop(state.SITES_REQUEST, None)
        _save(_with_current(new), _scenario_name(lang), lang)
    return SitesShown(footprints, chosen)
