"""A lon/lat layer's datum is never a silent default: hints, distances from the network."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from analysis.datum_fit import fit_datum
from geo.crs import gcj02_to_bd09, wgs84_to_gcj02
from geo.files.datum_hints import datum_hints, mercator_hint
from geo.files.reading import ReadOptions, inspect_file, read_layer
from geo.store.active import stations_of
from geo.store.local import set_server_layer, store_layer
from ui import state
from views.compose import DataChoice, dataset_for

APP = str(Path(__file__).resolve().parent.parent / "app.py")

# A toy road grid over 昆山 city in EPSG:4549 (1.5 km apart) and points on its east-west
# roads, half-way between the north-south ones.
_XS = np.arange(586_000.0, 602_001.0, 1_500.0)
_YS = np.arange(3_466_000.0, 3_482_001.0, 1_500.0)


def _grid() -> list[shapely.LineString]:
    return [shapely.LineString([(x, _YS[0]), (x, _YS[-1])]) for x in _XS] + [
        shapely.LineString([(_XS[0], y), (_XS[-1], y)]) for y in _YS
    ]


def _true_points(n_per_road: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    xs = _XS[2:-3, None] + 750 + rng.uniform(-100, 100, (len(_XS) - 5, n_per_road))
    ys = np.broadcast_to(_YS[2 : 2 + xs.shape[0], None], xs.shape)
    lon, lat = pyproj.Transformer.from_crs(4549, 4326, always_xy=True).transform(
        xs.ravel(), ys.ravel()
    )
    return np.asarray(lon), np.asarray(lat)


def _in(datum: str, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if datum == "WGS84":
        return lon, lat
    glon, glat = wgs84_to_gcj02(lon, lat)
    if datum == "GCJ-02":
        return np.asarray(glon), np.asarray(glat)
    blon, blat = gcj02_to_bd09(glon, glat)
    return np.asarray(blon), np.asarray(blat)


@pytest.mark.parametrize("datum", ["WGS84", "GCJ-02", "BD-09"])
def test_the_datum_used_is_the_one_nearest_the_network(datum):
    tree = shapely.STRtree(_grid())
    fit = fit_datum(*_in(datum, *_true_points()), tree, "EPSG:4549")
    assert fit is not None
    assert fit.proposed == datum
    assert fit.distances[0].datum == datum
    assert fit.distances[0].median_m < 1.0  # read in the right datum, they are on the roads
    assert all(d.median_m > 100 for d in fit.distances[1:])  # ~220-280 m off in the others
    zh, en = fit.text("道路", "roads")
    assert f"{datum}：中位距道路 0 米" in zh
    assert f"{datum}: median 0 m from the roads" in en


def test_points_the_network_does_not_reach_get_no_proposal():
    tree = shapely.STRtree(_grid())
    lon, lat = _true_points()
    fit = fit_datum(lon + 0.5, lat, tree, "EPSG:4549")  # ~48 km east of every road
    assert fit is not None
    assert fit.proposed is None
    assert fit_datum(lon[:0], lat[:0], tree, "EPSG:4549") is None


def test_the_file_hints_its_datum():
    assert [h.datum for h in datum_hints(["名称", "高德经度", "高德纬度"])] == ["GCJ-02"]
    assert [h.datum for h in datum_hints(["name", "bd_lng", "bd_lat"])] == ["BD-09"]
    assert [h.datum for h in datum_hints(["name", "wgs84_x", "wgs84_y"])] == ["WGS84"]
    amap = datum_hints(["name", "typecode", "lng", "lat"], ["150500", "150500|150501"])
    assert [h.datum for h in amap] == ["GCJ-02"]
    assert "typecode" in amap[0].reason_zh
    assert datum_hints(["名称", "经度", "纬度"]) == ()
    assert datum_hints(["name", "typecode"], ["公园", "150500"]) == ()  # not Amap's codes
    assert mercator_hint(np.array([13_467_000.0]), np.array([3_662_000.0])) is not None
    assert mercator_hint(np.array([594_000.0]), np.array([3_474_000.0])) is None


def test_coordinate_columns_named_with_their_datum_are_read():
    table = "名称,高德经度,高德纬度\n花桥站,121.1083,31.3086\n".encode()
    info = inspect_file(table, "stations.csv")
    assert (info.x_column, info.y_column) == ("高德经度", "高德纬度")
    read = read_layer(table, "stations.csv", ReadOptions(crs="gcj02"))
    assert read.crs_used == "GCJ-02"


def _roads_server_layer(root: Path) -> None:
    roads = gpd.GeoDataFrame(
        {"road_id": [f"r{i}" for i in range(len(_grid()))]}, geometry=_grid(), crs=4549
    ).to_crs(4326)
    record = store_layer(roads, kind="roads", original=b"roads", file_name="道路.zip", root=root)
    set_server_layer("roads", record.content_hash, root=root)


def _stations_csv(datum: str, header: str = "名称,经度,纬度,线路") -> tuple[bytes, np.ndarray]:
    lon, lat = _true_points(1)
    raw_lon, raw_lat = _in(datum, lon, lat)
    rows = [header] + [
        f"站{i},{x:.7f},{y:.7f},S1线、11号线"
        for i, (x, y) in enumerate(zip(raw_lon, raw_lat, strict=True))
    ]
    return "\n".join(rows).encode("utf-8"), np.column_stack([lon, lat])


def _upload(at: AppTest, content: bytes) -> None:
    at.file_uploader(key=state.upload_key("stations", "file")).set_value(
        ("高德站点.csv", content, "text/csv")
    ).run()


def test_the_page_asks_the_datum_proposes_the_measured_one_and_keeps_the_lines(env):
    _roads_server_layer(env)
    content, truth = _stations_csv("GCJ-02")
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("ui/page_corridors.py").run()
    _upload(at, content)
    assert not at.exception
    crs = at.selectbox(key=state.upload_key("stations", "crs"))
    assert crs.value is None  # no silent default
    assert crs.options[0].startswith("GCJ-02（高德、腾讯地图）（建议）")
    told = "\n".join(i.value for i in at.info)
    assert "GCJ-02：中位距道路 0 米" in told
    assert "建议：GCJ-02（距路网最近）" in told
    assert "WGS84：中位距道路" in told
    assert any("请先选择经纬度的坐标系" in w.value for w in at.warning)
    assert state.upload_key("stations", "accept") not in [b.key for b in at.button]
    crs.set_value("gcj02").run()
    assert not at.exception
    at.button(key=state.upload_key("stations", "accept")).click().run()
    assert not at.exception
    ds = dataset_for(DataChoice.of("bundled", dict(at.session_state[state.SESSION_LAYERS])))
    stations = stations_of(ds, None).sort_values("name_zh")
    got = np.column_stack([stations.geometry.x, stations.geometry.y])
    metres = np.hypot(*((got - truth) * [94_900, 111_000]).T)
    assert metres.max() < 1.0  # GCJ-02 undone: on the roads again
    assert set(stations["lines"]) == {"S1线;11号线"}
    # The station panel names the lines the file gave.
    at.session_state[state.CORRIDOR_STATION] = str(stations.iloc[0]["station_id"])
    at.run()
    assert any("**线路**: S1线、11号线" in m.value for m in at.markdown)


def test_without_a_network_the_page_asks_and_uses_the_files_hints(env):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("ui/page_corridors.py").run()
    content, _ = _stations_csv("WGS84")
    _upload(at, content)
    crs = at.selectbox(key=state.upload_key("stations", "crs"))
    assert crs.value is None
    told = "\n".join(i.value for i in at.info)
    assert "经纬度本身无法区分" in told
    assert "建议" not in told
    content, _ = _stations_csv("BD-09", header="名称,百度经度,百度纬度,线路")
    at.file_uploader(key=state.upload_key("stations", "file")).set_value(
        ("百度站点.csv", content, "text/csv")
    ).run()
    assert not at.exception
    told = "\n".join(i.value for i in at.info)
    assert "建议：BD-09（文件的提示）" in told
    assert at.selectbox(key=state.upload_key("stations", "crs")).value is None
