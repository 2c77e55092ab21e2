"""Session-state keys, defined once, and their defaults."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import streamlit as st

from geo.store.dataset import FILE_KINDS
from views import compose
from views.choices import ALL_CLUSTERS

LANG: Final = "lang"
BASEMAP: Final = "basemap"
CLUSTER: Final = "cluster_select"
CLUSTER_MAP: Final = "cluster_map"
DATASET: Final = "dataset"
BUNDLED: Final = compose.BUNDLED  # the values of DATASET: the data choice's bases
OSM: Final = compose.OSM
SESSION_LAYERS: Final = "session_layers"  # kind -> stored layer hash ("" = OSM/bundled)
OSM_JOB_SEEN: Final = "osm_job_seen"  # the start time of the OSM job this session watched
OSM_JOB_DONE: Final = "osm_job_done"  # (start time, succeeded, last lines) once it ended
OSM_REFRESH: Final = "osm_refresh"  # the sidebar's refresh button
OSM_PBF_UPLOAD: Final = "osm_pbf_upload"
OSM_IMPORT: Final = "osm_import"

# The corridors page.
CORRIDOR_MAP: Final = "corridor_map"
CORRIDOR_RADIUS: Final = "corridor_radius"
CORRIDOR_METHOD: Final = "corridor_method"
CORRIDOR_STATION: Final = "corridor_station"

# The parks page.
PARKS_MAP: Final = "parks_map"
PARKS_STANDARD: Final = "parks_standard"
PARKS_METHOD: Final = "parks_method"
PARKS_TIER: Final = "parks_tier"  # one per standard: see tier_key
PARKS_DEMAND: Final = "parks_demand"
PARKS_DEMANDS_OFFERED: Final = "parks_demands_offered"
PARKS_VIEW: Final = "parks_view"
PARKS_CELL: Final = "parks_cell"
PARKS_ENTRANCES: Final = "parks_show_entrances"
PARKS_BASIS: Final = "parks_tier_basis"
SCENARIO_NAME: Final = "scenario_name"
SCENARIO_DRAWN: Final = "scenario_drawn_editor"
SCENARIO_ADD: Final = "scenario_add"
SCENARIO_CLEAR: Final = "scenario_clear"
SCENARIO_REMOVE: Final = "scenario_remove"
SCENARIO_REMOVE_BUTTON: Final = "scenario_remove_button"
SITES_K: Final = "sites_k"
SITES_EXACT: Final = "sites_exact"
SITES_RUN: Final = "sites_run"
SITES_REQUEST: Final = "sites_request"  # the last question asked (its answer is cached)
SITES_ADD: Final = "sites_add"
SITES_TABLE: Final = "sites_table"  # the suggested sites' table (its chosen row)
# The page's rows: on a phone their blocks are ordered map, key figures, the rest.
LAYOUT_ROWS: Final = "map_first"
LAYOUT_MAP: Final = "map_first_map"
LAYOUT_FIGURES: Final = "map_first_figures"
DOWNLOAD_SCENARIO_CSV: Final = "download_scenario_csv"

# Snapshots and sharing.
SNAPSHOT_OPEN: Final = "snapshot_open"  # the id of the snapshot this session opened
SNAPSHOTS_DONE: Final = "snapshots_done"  # what the last action on the list did (shown once)
READ_ONLY: Final = "read_only"  # this run shows a snapshot from its link: every control locked
SNAPSHOT_ERROR: Final = "snapshot_error"  # why the snapshot in the address could not open
SHARE_TITLE: Final = "share_title"
SHARE_NOTE: Final = "share_note"
SHARE_AUTHOR: Final = "share_author"
SHARE_SAVED: Final = "share_saved"  # (snapshot id, delete token, page) of the last save
SNAPSHOTS_SEARCH: Final = "snapshots_search"
SNAPSHOTS_PICK: Final = "snapshots_pick"
SNAPSHOT_LEAVE: Final = "snapshot_leave"
SNAPSHOT_LEAVE_ERROR: Final = "snapshot_leave_error"
SNAPSHOT_RECOMPUTE: Final = "snapshot_recompute"
MAP_VIEWS: Final = "map_views"  # map key -> where the browser last said the map looked
MAP_CORES: Final = "map_cores"  # map key -> the map's last returned values other than its view
MAP_FULL_RUN: Final = "map_full_run"  # set while a whole page (not only its map) runs
MAP_KEYS: Final = {"clusters": CLUSTER_MAP, "corridors": CORRIDOR_MAP, "parks": PARKS_MAP}
ATLAS_BY: Final = "atlas_by"
ATLAS_SIZE: Final = "atlas_size"
ATLAS_MAKE: Final = "atlas_make"
ATLAS_PDF: Final = "atlas_pdf"  # (snapshot id, by, size, the PDF's bytes) of the last atlas made
DOWNLOAD_ATLAS: Final = "download_atlas"

# Downloads.
DOWNLOAD_CLUSTERS_CSV: Final = "download_clusters_csv"
DOWNLOAD_COVERAGE_CSV: Final = "download_coverage_csv"
DOWNLOAD_PARK_COVERAGE_CSV: Final = "download_park_coverage_csv"

# The upload panels (one per page, one set of widgets per layer kind).
UPLOAD_KIND: Final = "upload_kind"

_DEFAULTS: dict[str, object] = {LANG: "zh", CLUSTER: ALL_CLUSTERS, DATASET: BUNDLED}


def widget_key(state_key: str, lang: str) -> str:
    """Return the key of the widget that shows ``state_key`` in ``lang`` (see choose_in_lang)."""
    return f"{state_key}__{lang}"


def tier_key(standard_id: str) -> str:
    """Return the state key of the tier chosen for ``standard_id`` (kept per standard)."""
    return f"{PARKS_TIER}_{standard_id}"


def upload_key(kind: str, what: str) -> str:
    """Return the key of the upload widget ``what`` (file, accept, map_name…) of ``kind``."""
    return f"upload_{kind}_{what}"


# The layer kinds each page takes from the planner's files (its upload panel offers these).
PARKS_UPLOAD_KINDS: Final = (
    "parks",
    "residential",
    "population",
    "planned_parks",
    "candidate_land",
)
CORRIDOR_UPLOAD_KINDS: Final = ("stations", "plan_lines")


def upload_kind_key(kinds: tuple[str, ...]) -> str:
    """Return the state key of the kind chosen in a panel offering ``kinds``."""
    return f"{UPLOAD_KIND}_{'_'.join(kinds)}"


def download_key(where: str, snapshot_id: str, what: str) -> str:
    """Return the key of a snapshot's download button ``what`` (pdf_a4, csv…) shown ``where``."""
    return f"download_{where}_{snapshot_id}_{what}"


def switch_back_key(kind: str) -> str:
    """Return the key of the sidebar's button that switches ``kind`` back."""
    return f"switch_back_{kind}"


def init_state(**overrides: object) -> None:
    """Set defaults for keys that are not in the session yet (never reset them)."""
    for key, value in {**_DEFAULTS, **overrides}.items():
        if key not in st.session_state:
            st.session_state[key] = value


def read_only() -> bool:
    """Whether this run shows a snapshot from its link (its controls are disabled)."""
    return bool(st.session_state.get(READ_ONLY))


def _copy(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def choose_in_lang(
    widget: str,
    label: str,
    options: list[Any],
    *,
    state_key: str,
    lang: str,
    format_func: Callable[[Any], str],
    container: Any = None,
    **kwargs: Any,
) -> Any:
    """Draw a choice widget whose value lives in ``state_key`` across language switches.

    ``widget`` is ``selectbox``, ``radio`` or ``segmented_control``. The widget key
    includes the language: Streamlit's frontend keeps a keyed widget's option
    labels (and a radio then shows no selection), so a stable key would keep
    the old language. A missing or no longer offered value falls back to the
    first option.
    """
    if st.session_state.get(state_key) not in options:
        st.session_state[state_key] = options[0]
    shown = widget_key(state_key, lang)
    if st.session_state.get(shown) != st.session_state[state_key]:
        st.session_state[shown] = st.session_state[state_key]
    draw = getattr(container or st, widget)
    kwargs.setdefault("disabled", read_only())  # a snapshot's link shows its view, locked
    if widget == "segmented_control":
        kwargs.setdefault("required", True)
    draw(
        label,
        options,
        key=shown,
        format_func=format_func,
        on_change=_copy,
        args=(shown, state_key),
        **kwargs,
    )
    return st.session_state[state_key]


def select_in_lang(
    label: str,
    options: list[str],
    *,
    state_key: str,
    lang: str,
    format_func: Callable[[str], str],
    container: Any = None,
) -> str:
    """Draw a selectbox whose value survives language switches (see :func:`choose_in_lang`)."""
    return str(
        choose_in_lang(
            "selectbox",
            label,
            options,
            state_key=state_key,
            lang=lang,
            format_func=format_func,
            container=container,
        )
    )


LAYERS_PARAM: Final = "layers"  # ?layers=parks:<hash>,… keeps a session's layers over a reload
_HASH = re.compile(r"^[0-9a-f]{64}$")


def restore_session_layers() -> None:
    """Take the session's layer choices from the page address (a reload keeps them).

    Only well-formed entries (a known kind, a SHA-256 or empty) are taken.
    """
    if SESSION_LAYERS in st.session_state:
        return
    raw = st.query_params.get(LAYERS_PARAM, "")
    layers = {}
    for item in str(raw).split(","):
        kind, _, content = item.partition(":")
        if kind in FILE_KINDS and (content == "" or _HASH.match(content)):
            layers[kind] = content
    st.session_state[SESSION_LAYERS] = layers


def set_session_layer(kind: str, content_hash: str) -> None:
    """Use a stored layer of ``kind`` here ("": back to OSM/bundled); keep it in the URL."""
    layers = dict(st.session_state.get(SESSION_LAYERS) or {})
    layers[kind] = content_hash
    st.session_state[SESSION_LAYERS] = layers
    st.query_params[LAYERS_PARAM] = ",".join(f"{k}:{v}" for k, v in sorted(layers.items()))
