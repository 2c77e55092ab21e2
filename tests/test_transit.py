"""The bundled rail data: cited, converted, inside the county, in line order."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from geo.crs import bd09_to_wgs84
from geo.errors import BoundaryDataError
from geo.transit import (
    TRANSIT_DIR,
    load_line_stations,
    load_lines,
    load_stations,
    load_transit_sources,
)

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def stations():
    return load_stations()


def test_every_station_is_inside_the_county(stations, outline):
    county = outline.geometry.iloc[0]
    assert stations.geometry.within(county).all()


def test_every_station_has_a_registered_source_and_lines(stations):
    sources = set(load_transit_sources()["source_id"])
    assert set(stations["coord_source_id"]) <= sources
    assert (stations["lines"] != "").all()
    assert stations["coord_confidence"].isin(["V", "P"]).all()


def test_no_duplicate_stations(stations):
    assert stations["station_id"].is_unique
    assert stations["name_zh"].is_unique
    xy = np.column_stack([stations.geometry.x, stations.geometry.y])
    for i in range(len(xy)):
        for j in range(i + 1, len(xy)):
            assert GEOD.inv(*xy[i], *xy[j])[2] > 200, (i, j)


def test_inferred_bd09_datum_is_confirmed_by_wikipedia():
    # T8 gives Huaqiao as BD-09 (121.110706, 31.304845); Wikipedia (T4) gives WGS84
    # 31°18′02″N 121°05′59″E. Converted, the two agree to a few metres.
    lon, lat = bd09_to_wgs84(121.110706, 31.304845)
    assert (
        GEOD.inv(float(lon), float(lat), 121 + 5 / 60 + 59 / 3600, 31 + 18 / 60 + 2 / 3600)[2] < 40
    )


@pytest.mark.parametrize("line_id", ["sz_l11", "sh_l11"])
def test_located_stations_are_in_line_order(stations, line_id):
    order = load_line_stations()
    located = order[(order["line_id"] == line_id) & (order["station_id"] != "")]
    points = stations.set_index("station_id").loc[located["station_id"]].geometry
    # Both lines run west -> east through Kunshan: longitude grows with the sequence.
    assert np.all(np.diff(points.x.to_numpy()) > 0)
    assert len(located) >= 2


def test_suzhou_line_11_has_its_28_stations_in_order():
    order = load_line_stations()
    l11 = order[order["line_id"] == "sz_l11"]
    assert list(l11["seq"]) == list(range(1, 29))
    assert l11["name_zh"].iloc[0] == "唯亭"
    assert l11["name_zh"].iloc[-1] == "花桥"


def test_line_modes_and_dates():
    lines = load_lines().set_index("line_id")
    assert lines.loc["sz_l11", "opened"] == "2023-06-24"
    assert lines.loc["sh_l11", "opened"] == "2013-10-16"
    assert lines.loc["jinghu_hsr", "mode"] == "high_speed"


def test_bad_station_file_is_refused(tmp_path):
    for name in ("lines.csv", "sources.csv", "line_stations.csv"):
        (tmp_path / name).write_text(
            (TRANSIT_DIR / name).read_text(encoding="utf-8"),
            encoding="utf-8",
        )
    (tmp_path / "stations.csv").write_text(
        "station_id,name_zh,name_en,lines,lon,lat,datum,coord_source_id,coord_confidence,"
        "opened,status,note\n"
        "a,甲,A,nope,121,31.3,WGS-84,T99,V,,open,\n",
        encoding="utf-8",
    )
    with pytest.raises(BoundaryDataError) as info:
        load_stations(tmp_path)
    message = str(info.value)
    for part in ("unknown lines ['nope']", "datum ['WGS-84']", "status ['open']", "T99"):
        assert part in message
