"""Cached loaders, keyed on file paths and modification times (never on frames)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis.clusters import cluster_summary
from geo.boundaries import (
    Cluster,
    load_clusters,
    load_outline,
    load_sources,
    load_units,
    read_unit_table,
)
from geo.paths import CLUSTERS_PATH, OUTLINE_PATH, SOURCES_PATH, UNIT_TABLE_PATH
from layers.cluster_view import ClusterMapInputs, cluster_map_inputs
from layers.labels import Lang


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else -1.0


@st.cache_data(show_spinner=False)
def _bundle(
    units_file: str, mtimes: tuple[float, ...]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, tuple[Cluster, ...]]:
    table = read_unit_table(UNIT_TABLE_PATH)
    return (
        load_outline(OUTLINE_PATH),
        load_units(Path(units_file), unit_table=table),
        table,
        load_clusters(CLUSTERS_PATH, unit_table=table),
    )


def _key(units_file: Path) -> tuple[str, tuple[float, ...]]:
    paths = (units_file, OUTLINE_PATH, UNIT_TABLE_PATH, CLUSTERS_PATH)
    return str(units_file), tuple(_mtime(p) for p in paths)


def bundle(
    units_file: Path,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, tuple[Cluster, ...]]:
    """Return outline, units, unit table and clusters (cached per file version)."""
    return _bundle(*_key(units_file))


@st.cache_data(show_spinner=False)
def _map_inputs(units_file: str, mtimes: tuple[float, ...], lang: str) -> ClusterMapInputs:
    outline, units, _, clusters = _bundle(units_file, mtimes)
    return cluster_map_inputs(outline, units, clusters, lang=lang)  # type: ignore[arg-type]


def map_inputs(units_file: Path, lang: Lang) -> ClusterMapInputs:
    """Return the cluster map's display layers in ``lang`` (cached)."""
    return _map_inputs(*_key(units_file), lang)


@st.cache_data(show_spinner=False)
def _summary(units_file: str, mtimes: tuple[float, ...]) -> pd.DataFrame:
    _, units, table, clusters = _bundle(units_file, mtimes)
    return cluster_summary(units, table, clusters)


def summary(units_file: Path) -> pd.DataFrame:
    """Return the side-by-side cluster comparison (cached)."""
    return _summary(*_key(units_file))


@st.cache_data(show_spinner=False)
def sources(mtime_value: float) -> pd.DataFrame:
    """Return the source register (cached per file version)."""
    return load_sources(SOURCES_PATH)


def sources_table() -> pd.DataFrame:
    """Return the source register."""
    return sources(_mtime(SOURCES_PATH))
