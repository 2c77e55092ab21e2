"""Shared fixtures: the bundled Kunshan data (session-scoped) and tiny hand-built frames."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.boundaries import Cluster, load_clusters, load_outline, load_units, read_unit_table


@pytest.fixture(scope="session")
def unit_table() -> pd.DataFrame:
    return read_unit_table()


@pytest.fixture(scope="session")
def outline() -> gpd.GeoDataFrame:
    return load_outline()


@pytest.fixture(scope="session")
def units(unit_table: pd.DataFrame) -> gpd.GeoDataFrame:
    return load_units(unit_table=unit_table)


@pytest.fixture(scope="session")
def clusters(unit_table: pd.DataFrame) -> tuple[Cluster, ...]:
    return load_clusters(unit_table=unit_table)


@pytest.fixture
def two_squares() -> gpd.GeoDataFrame:
    """Two adjacent 1 km squares near Kunshan, in EPSG:4549 (metres)."""
    x0, y0 = 500_000.0, 3_470_000.0
    return gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[
            shapely.box(x0, y0, x0 + 1000, y0 + 1000),
            shapely.box(x0 + 1000, y0, x0 + 2000, y0 + 1000),
        ],
        crs="EPSG:4549",
    )


@pytest.fixture(autouse=True)
def _own_layer_store(monkeypatch, tmp_path_factory):
    """Every test has its own layer store: a server's layers never leak into a test's figures.

    Tests that need a particular store set ``KUNSHAN_DATA_DIR`` themselves (later wins).
    """
    monkeypatch.setenv("KUNSHAN_DATA_DIR", str(tmp_path_factory.mktemp("store")))


@pytest.fixture
def env(monkeypatch, tmp_path):
    """An app on the bundled data, no basemap, no OSM cache, and a layer store of its own."""
    monkeypatch.setenv("KUNSHAN_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(tmp_path / "none.gpkg"))
    monkeypatch.delenv("KUNSHAN_PARK_STANDARDS", raising=False)
    monkeypatch.delenv("KUNSHAN_UNITS_FILE", raising=False)
    return tmp_path / "store"
