"""The data set this session uses, and the Streamlit caching of planners' uploads.

What a page shows is computed by the page models (:mod:`views`), Streamlit-free
and shared by every session on the same data version; this module only says
which data set the session has chosen (:func:`active_dataset`, from its state)
and caches the reading of an uploaded file per file and choices.
"""

from __future__ import annotations

import hashlib

import geopandas as gpd
import streamlit as st

from geo.files.reading import FileInfo, ReadOptions, ReadResult, inspect_file, read_layer
from geo.files.schema import apply_mapping, planned_parks
from geo.store.dataset import DataSet, layer_kind
from geo.store.local import (
    StoredLayer,
    layer_hash,
    set_server_layer,
    store_layer,
    stored_layers,
)
from layers.labels import tr
from ui import state
from views.compose import DataChoice, dataset_for, osm_cache_needs_upgrade, upgrade_osm_cache

__all__ = [
    "accept_upload",
    "active_dataset",
    "active_upload",
    "data_choice",
    "fitted_upload",
    "inspect_upload",
    "make_server_layer",
    "read_upload",
    "save_scenario",
    "upload_record",
]


def data_choice() -> DataChoice:
    """Return this session's data: the base set it chose and its own layers."""
    base = str(st.session_state.get(state.DATASET, state.BUNDLED))
    layers = dict(st.session_state.get(state.SESSION_LAYERS) or {})
    return DataChoice.of(base if base in {state.BUNDLED, state.OSM} else state.BUNDLED, layers)


def active_dataset() -> DataSet:
    """Return the data set in use: bundled, OSM (when chosen), the server's and the session's."""
    choice = data_choice()
    if choice.base == state.OSM and osm_cache_needs_upgrade():
        with st.spinner(tr("upgrading_cache", st.session_state.get(state.LANG, "zh"))):
            upgrade_osm_cache()
    return dataset_for(choice)


def active_upload(kind: str) -> str:
    """Return the content hash of the planner's layer of ``kind`` in use ("" for none)."""
    source = active_dataset().source(kind)
    return source.content_hash if source is not None and source.origin == "upload" else ""


# --- planners' uploads ------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
def inspect_upload(content: bytes, file_name: str) -> FileInfo:
    """Look into an uploaded file once (format, layers, CRS, encoding, columns)."""
    return inspect_file(content, file_name)


@st.cache_data(show_spinner=False, max_entries=4)
def read_upload(content: bytes, file_name: str, options: ReadOptions, kind: str) -> ReadResult:
    """Read an uploaded file of ``kind`` with the planner's choices (cached per file, choices)."""
    return read_layer(
        content,
        file_name,
        options,
        points_and_polygons=layer_kind(kind).mixes_points_and_polygons,
    )


@st.cache_data(show_spinner=False, max_entries=4)
def fitted_upload(
    content: bytes,
    file_name: str,
    options: ReadOptions,
    kind: str,
    mapping: tuple[tuple[str, str], ...],
) -> tuple[gpd.GeoDataFrame, str]:
    """Return the uploaded layer in the schema of ``kind`` and the store key it would get.

    The key tells the panel that this very layer is already in use.
    """
    result = read_upload(content, file_name, options, kind)
    prefix = f"upload:{hashlib.sha256(content).hexdigest()[:8]}"
    fitted = apply_mapping(result.gdf, kind, dict(mapping), id_prefix=prefix)
    return fitted, layer_hash(fitted)


def accept_upload(
    kind: str, content: bytes, file_name: str, fitted: gpd.GeoDataFrame, result: ReadResult
) -> StoredLayer:
    """Keep an accepted upload in the layer store (the session then uses it)."""
    return store_layer(
        fitted,
        kind=kind,
        original=content,
        file_name=file_name,
        crs=result.crs_used,
        encoding=result.encoding_used or "",
        notes=tuple(result.notes),
    )


def make_server_layer(kind: str, content_hash: str) -> None:
    """Make a stored layer the server's layer of ``kind`` for everyone."""
    set_server_layer(kind, content_hash)


def upload_record(content_hash: str) -> StoredLayer | None:
    """Return the stored layer's record (file name, who added it, when), None if unknown."""
    return next((r for r in stored_layers() if r.content_hash == content_hash), None)


def save_scenario(frame: gpd.GeoDataFrame, name: str) -> StoredLayer:
    """Keep a scenario's planned parks in the layer store (normalised; named ``name``)."""
    fitted = planned_parks(frame)
    fitted["scenario"] = name
    return store_layer(
        fitted,
        kind="planned_parks",
        original=fitted.to_json(drop_id=True).encode("utf-8"),
        file_name=name,
        notes=("方案 / scenario",),
    )
