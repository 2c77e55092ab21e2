"""Shared fixtures: the bundled Kunshan data (session-scoped) and tiny hand-built frames."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.boundaries import Cluster, load_clusters, load_outline, load_units, read_unit_table
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_browser, streamlit_app


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
    monkeypatch.delenv("DATABASE_URL", raising=False)  # snapshots: SQLite in that store
    # No background Chromium per save (the thumbnail has its own test, run directly).
    monkeypatch.setenv("KUNSHAN_THUMBNAILS", "0")


@pytest.fixture
def unreachable_url() -> Iterator[str]:
    """A local Overpass address that refuses connections, for as long as the test runs.

    The port stays bound (never listening) until the test ends, so no other test's
    server, in this process or a parallel worker, can be given it meanwhile.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/api"


POSTGRES_ENV = "KUNSHAN_TEST_POSTGRES_URL"  # an admin URL; .ci/run starts a server and sets it


@pytest.fixture(scope="session")
def postgres_server():
    """The PostgreSQL server the store tests also run against (skipped where there is none).

    ``REQUIRE_POSTGRES=1`` (set by ``.ci/run``) turns the skip into a failure.
    """
    import psycopg

    url = os.environ.get(POSTGRES_ENV, "postgresql://kunshan:kunshan@127.0.0.1:5432/kunshan")
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        reason = f"no PostgreSQL at {url}: {exc}"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    return url


@pytest.fixture
def store_url(request, tmp_path):
    """A fresh, empty snapshot store: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'snapshots.sqlite'}"
        return
    import psycopg

    admin = request.getfixturevalue("postgres_server")
    name = f"kunshan_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    yield "postgresql+psycopg://" + f"{base}/{name}".split("://", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(monkeypatch, tmp_path):
    """An app on the bundled data, no basemap, no OSM cache, and a layer store of its own."""
    monkeypatch.setenv("KUNSHAN_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("KUNSHAN_BASEMAP", "none")
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(tmp_path / "none.gpkg"))
    monkeypatch.delenv("KUNSHAN_PARK_STANDARDS", raising=False)
    monkeypatch.delenv("KUNSHAN_UNITS_FILE", raising=False)
    return tmp_path / "store"


# --- the browser and the app it opens (tests marked browser) ---------------------------------


@pytest.fixture(scope="module")
def app_url():
    require_browser()
    with streamlit_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def scenario_app_url(tmp_path_factory):
    """The app with a layer store of its own (drawn scenarios are saved there)."""
    require_browser()
    store = tmp_path_factory.mktemp("scenario_store")
    with streamlit_app(env={"KUNSHAN_DATA_DIR": str(store)}) as url:
        yield url
