"""The sidebar's data panel: which data set is active, its date, completeness and refresh."""

from __future__ import annotations

import html
from pathlib import Path

import streamlit as st

from geo import settings
from geo.errors import PlanningMapError
from geo.osm.cache import read_cache_metadata
from geo.osm.jobs import osm_job_status, start_osm_job
from geo.paths import UNITS_PATH
from geo.store.dataset import layer_kind
from layers.bilingual import in_language
from layers.labels import Lang, tr
from layers.source_names import source_text
from ui import data, state


def _saved_pbf(content: bytes) -> Path:
    """Keep an uploaded extract beside the cache (the import reads it from there)."""
    path = settings.osm_cache_path().with_name("uploaded.osm.pbf")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


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


def _start(kind: str, lang: Lang, pbf: Path | None = None) -> None:
    try:
        start_osm_job(settings.osm_cache_path(), kind, pbf=pbf)  # type: ignore[arg-type]
    except PlanningMapError as exc:
        st.error(in_language(str(exc), lang))


@st.fragment(run_every=2)
def _job_progress(lang: Lang) -> None:
    """Show the running job's progress; when it ends, say how and refresh the page once."""
    status = osm_job_status(settings.osm_cache_path())
    if status is None:
        return
    seen = st.session_state.get(state.OSM_JOB_SEEN)
    if status.running:
        kind = tr(f"osm_job_{status.kind}", lang)
        st.caption(tr("osm_job_running", lang, kind=kind, started=status.started_at))
        st.code("\n".join(status.lines[-6:]) or "…", language=None)
        st.session_state[state.OSM_JOB_SEEN] = status.started_at
        return
    if seen == status.started_at:  # it ended while this session watched: show the outcome
        st.session_state[state.OSM_JOB_SEEN] = None
        outcome = (status.started_at, status.succeeded, status.lines[-3:])
        st.session_state[state.OSM_JOB_DONE] = outcome
        st.rerun(scope="app")
    done = st.session_state.get(state.OSM_JOB_DONE)
    if done and done[0] == status.started_at:
        if done[1]:
            st.success(tr("osm_refreshed", lang))
        else:
            st.error(tr("osm_job_failed", lang) + " " + " ".join(done[2]))


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
    units = data.active_dataset().source("units")
    official = units is not None and (
        units.origin == "upload" or Path(units.location) != UNITS_PATH
    )
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
    locked = state.read_only()  # a snapshot's link: its data set stays as saved
    if st.button(tr("osm_refresh", lang), key=state.OSM_REFRESH, disabled=locked):
        _start("refresh", lang)
    with st.expander(tr("osm_import_pbf", lang)):
        pbf = st.file_uploader(
            tr("osm_import_pbf", lang), type=["pbf"], key=state.OSM_PBF_UPLOAD, disabled=locked
        )
        if pbf is not None and st.button(
            tr("osm_import_start", lang), key=state.OSM_IMPORT, disabled=locked
        ):
            _start("import", lang, _saved_pbf(pbf.getvalue()))
    _job_progress(lang)
    _layer_sources(lang)


def _layer_sources(lang: Lang) -> None:
    """List where every layer of the data set in use comes from; uploads can be switched back."""
    dataset = data.active_dataset()
    with st.expander(tr("layer_sources", lang)):
        for kind in dataset.kinds():
            source = dataset.source(kind)
            if source is None:
                continue
            st.markdown(
                f"**{html.escape(layer_kind(kind).name(lang))}** — "
                f"{html.escape(source_text(source, lang))}"
            )
            if source.origin == "upload":
                if st.button(
                    tr("switch_back", lang),
                    key=state.switch_back_key(kind),
                    disabled=state.read_only(),
                ):
                    state.set_session_layer(kind, "")
                    st.rerun()
        st.caption(tr("dataset_version", lang, version=dataset.version[:12]))
