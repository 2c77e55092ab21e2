"""组团总览 / Cluster overview: the four clusters on a map, a panel and a table."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo.errors import PlanningMapError
from geo.store.dataset import DataSet
from layers.bilingual import in_language
from layers.cluster_view import (
    cluster_layers,
    cluster_population_text,
    comparison_table,
    members_table,
)
from layers.labels import Lang, tr
from layers.render import (
    selected_cluster_group,
)
from ui import data, layer_upload, layout, page_map, share_panel, state
from views import inputs, reach
from views.choices import ALL_CLUSTERS, ClusterChoices


def _on_map_click() -> None:
    """Select the cluster of the clicked feature (runs before the rerun)."""
    value = st.session_state.get(state.CLUSTER_MAP) or {}
    feature = value.get("last_active_drawing") or {}
    cluster_id = (feature.get("properties") or {}).get("cluster_id")
    if cluster_id and not state.read_only():  # a snapshot's link keeps its selection
        st.session_state[state.CLUSTER] = cluster_id


def _cluster_options(summary: pd.DataFrame) -> list[str]:
    return [ALL_CLUSTERS, *summary["cluster_id"].tolist()]


def _cluster_stations(ds: DataSet, cluster_id: str, lang: Lang) -> None:
    """List the rail stations inside the cluster (bundled, or OSM when active)."""
    inside = inputs.stations_in_cluster(ds, cluster_id)
    names = inside["name_zh" if lang == "zh" else "name_en"].tolist()
    separator = "、" if lang == "zh" else ", "
    colon = "：" if lang == "zh" else ": "
    text = separator.join(names) if names else "—"
    st.markdown(f"**{tr('stations', lang)}**{colon}{text}")


def _cluster_parks(ds: DataSet, cluster_id: str, lang: Lang) -> None:
    """Show the cluster's park coverage (first standard, buffer) and its parks in the data."""
    try:
        figures = reach.cluster_park_figures(ds)
        standard = reach.park_standards(ds).default
    except PlanningMapError as exc:
        st.caption(in_language(str(exc), lang))
        return
    if cluster_id not in figures.index:
        return
    row = figures.loc[cluster_id]
    share = row["buffer_share"]
    colon = "：" if lang == "zh" else ": "
    line = tr(
        "park_figures_line",
        lang,
        share="—" if pd.isna(share) else f"{share * 100:.1f}",
        target=round(row["target_share"] * 100),
        n=int(row["parks"]),
    )
    title = tr("park_figures", lang, standard=standard.name(lang))
    st.markdown(f"**{title}**{colon}{line}")
    if inputs.parks(ds).origin == "bundled":
        st.caption(tr("park_figures_bundled", lang))


def _panel(ds: DataSet, cluster_id: str, lang: Lang) -> None:
    outline, units, table, clusters = inputs.bundle(ds)
    summary = inputs.summary(ds).set_index("cluster_id")
    if cluster_id == ALL_CLUSTERS:
        st.markdown(tr("clusters_intro", lang))
        area = float(outline["area_km2"].iloc[0])
        official = float(outline["area_km2_official"].iloc[0])
        c1, c2 = st.columns(2)
        c1.metric(tr("area_measured", lang) + " (km²)", f"{area:,.1f}")
        c2.metric(tr("area_cited", lang) + " (km²)", f"{official:,.2f}")
        st.caption(tr("population_note", lang))
        return
    cluster = next(c for c in clusters if c.cluster_id == cluster_id)
    row = summary.loc[cluster_id]
    st.subheader(cluster.label(lang))
    colon = "：" if lang == "zh" else ": "
    direction = cluster.direction_zh if lang == "zh" else cluster.direction_en
    role = cluster.role_zh if lang == "zh" else cluster.role_en
    st.markdown(f"**{tr('direction', lang)}**{colon}{direction}")
    st.markdown(f"**{tr('role', lang)}**{colon}{role}")
    tasks = cluster.tasks_zh if lang == "zh" else cluster.tasks_en
    st.markdown(f"**{tr('tasks', lang)}**\n" + "\n".join(f"- {t}" for t in tasks))
    c1, c2 = st.columns(2)
    c1.metric(tr("area_measured", lang) + " (km²)", f"{row['area_km2']:,.1f}")
    c2.metric(tr("share_of_county", lang), f"{row['share_of_county']:.1%}")
    pop_text = cluster_population_text(
        row["population"], row["population_year"], row["population_known"], lang
    )
    st.markdown(f"**{tr('population', lang)}**{colon}{pop_text}")
    _cluster_stations(ds, cluster_id, lang)
    _cluster_parks(ds, cluster_id, lang)
    st.markdown(f"**{tr('members', lang)}**")
    st.dataframe(
        members_table(cluster.members, units, table, lang), hide_index=True, width="stretch"
    )


def render(lang: Lang, basemap_id: str) -> None:
    """Draw the cluster overview page."""
    # The panel beside the map introduces the page.
    share_panel.page_top("clusters", lang, tr("page_clusters", lang))
    try:
        ds = data.active_dataset()
        summary = inputs.summary(ds)
        found = inputs.map_inputs(ds, lang)
    except PlanningMapError as exc:
        st.error(f"{tr('error_data', lang)} {in_language(str(exc), lang)}")
        st.stop()

    options = _cluster_options(summary)
    if st.session_state.get(state.CLUSTER) not in options:
        st.session_state[state.CLUSTER] = ALL_CLUSTERS
    names = dict(
        zip(summary["cluster_id"], summary["label_zh" if lang == "zh" else "label_en"], strict=True)
    )
    cols = layout.map_and_side()
    with cols.side:
        selected = state.select_in_lang(
            tr("select_cluster", lang),
            options,
            state_key=state.CLUSTER,
            lang=lang,
            format_func=lambda cid: tr("all_clusters", lang) if cid == ALL_CLUSTERS else names[cid],
        )
        choices = ClusterChoices(cluster_id=selected)
    with cols.figures:
        _panel(ds, choices.cluster_id, lang)
    with cols.share:
        share_panel.side("clusters", choices, lang)
    with cols.map:
        _map(ds, found, choices, lang, basemap_id)

    st.subheader(tr("compare_table", lang))
    st.dataframe(comparison_table(summary, lang), hide_index=True, width="stretch")
    st.download_button(
        tr("download_csv", lang),
        data=summary.to_csv(index=False).encode("utf-8-sig"),
        file_name="kunshan_clusters.csv",
        mime="text/csv",
        key=state.DOWNLOAD_CLUSTERS_CSV,
    )
    if share_panel.editable("clusters"):
        layer_upload.panel("units", lang, basemap_id)


def _map(ds: DataSet, found: Any, choices: ClusterChoices, lang: Lang, basemap_id: str) -> None:
    # The clusters page: clusters in full colour, units, outline and names.
    whole = inputs.map_view_bounds(ds)
    saved = page_map.saved_view("clusters", choices)
    m = page_map.base_map(
        cluster_layers(found, lang),
        lang,
        basemap_id,
        bounds=whole,
        notify_fallback=True,
        view=saved,
    )
    if m is None:
        return
    selected = choices.cluster_id
    # A snapshot's saved view wins over fitting the selected cluster.
    fit = None if saved is not None else found.cluster_bounds.get(selected, whole)
    feature = found.cluster_feature(selected) if selected != ALL_CLUSTERS else None
    page_map.show(
        m,
        key=state.CLUSTER_MAP,
        height_px=layout.MAP_HEIGHT_PX,
        overlay=selected_cluster_group(feature, lang=lang, fit=fit),
        returned=["last_active_drawing"],
        on_change=_on_map_click,
    )
    if found.approximate_units:
        st.caption("⚠ " + tr("dataset_units_approx", lang))


if __name__ == "__main__":  # st.navigation runs a page file as __main__
    render(st.session_state[state.LANG], st.session_state[state.BASEMAP])
