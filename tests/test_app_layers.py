"""A planner's parks layer in the app (set on the server as the command line does)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from streamlit.testing.v1 import AppTest

from geo.files.schema import apply_mapping, guess_mapping
from geo.store.local import set_server_layer, store_layer
from ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "ui/page_parks.py"


def _inventory() -> gpd.GeoDataFrame:
    """Three parks of a 公园名录, around 昆山 city (WGS84, areas in hectares)."""
    centres = [(120.98, 31.385), (121.0, 31.36), (120.95, 31.40)]
    shapes = [shapely.Point(x, y).buffer(0.004) for x, y in centres]
    raw = gpd.GeoDataFrame(
        {
            "公园名称": ["东塘公园", "<img src=x onerror=alert(1)>", "西郊游园"],
            "类型": ["社区公园", "综合公园", "游园"],
            "面积（公顷）": [15.0, 40.0, 0.8],
        },
        geometry=shapes,
        crs=4326,
    )
    return apply_mapping(raw, "parks", guess_mapping("parks", list(raw.columns)), id_prefix="t")


def _coverage(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "全市服务半径覆盖率")


def test_the_servers_parks_layer_is_used_and_a_session_can_switch_back(env):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    bundled = _coverage(at)
    record = store_layer(
        _inventory(),
        kind="parks",
        original=b"inventory",
        file_name="公园名录2025.zip",
        added_by="规划科",
        root=env,
    )
    set_server_layer("parks", record.content_hash, root=env)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert not at.error
    captions = "\n".join(c.value for c in at.caption)
    assert "公园名录2025.zip" in captions
    assert "3 个公园" in captions
    assert _coverage(at) != bundled
    assert _metric_parks(at) == 3
    sources = "\n".join(m.value for m in at.sidebar.markdown)
    assert "公园** — 规划人员上传 · 服务器（所有人） · 公园名录2025.zip · 3 个要素" in sources
    assert "approximate" not in sources  # the bundled sources named in Chinese too
    version = next(c.value for c in at.sidebar.caption if c.value.startswith("数据集版本"))
    # The session goes back to the bundled parks; the server's layer stays.
    at.sidebar.button(key=state.switch_back_key("parks")).click().run()
    assert at.session_state[state.SESSION_LAYERS] == {"parks": ""}
    assert not at.exception
    assert _coverage(at) == bundled
    assert "已定位 2 个公园" in at.warning[0].value
    assert version not in [c.value for c in at.sidebar.caption]  # another data set


def _metric_parks(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "公园数"))


def test_the_cluster_panel_counts_the_planners_parks(env):
    record = store_layer(_inventory(), kind="parks", original=b"i", file_name="名录.zip", root=env)
    set_server_layer("parks", record.content_hash, root=env)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.selectbox(key=state.widget_key(state.CLUSTER, "zh")).set_value("west").run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "公园可达" in text


def _zipped_shapefile(tmp_path) -> bytes:
    """The inventory as a zipped GBK Shapefile without .cpg, in CGCS2000 zone 40 (EPSG:4528)."""
    import io
    import zipfile

    import pyogrio

    folder = tmp_path / "shp"
    folder.mkdir()
    raw = _inventory()[["name", "park_class", "area_m2", "geometry"]].rename(
        columns={"name": "名称", "park_class": "类型", "area_m2": "面积"}
    )
    pyogrio.write_dataframe(raw.to_crs(4528), folder / "公园.shp", encoding="GBK")
    (folder / "公园.cpg").unlink(missing_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, f"名录/{part.name}")
    return buffer.getvalue()


def test_a_planner_uploads_parks_previews_accepts_and_keeps_them_over_a_reload(env, tmp_path):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    bundled = _coverage(at)
    at.file_uploader(key=state.upload_key("parks", "file")).set_value(
        ("公园名录.zip", _zipped_shapefile(tmp_path), "application/zip")
    ).run()
    assert not at.exception
    assert not at.error
    preview = "\n".join(m.value for m in at.markdown)
    assert "预览：公园名录.zip 中 3 个要素（坐标系 EPSG:4528）" in preview
    assert at.selectbox(key=state.upload_key("parks", "map_name")).value == "名称"  # guessed header
    assert _coverage(at) == bundled  # nothing changes before it is accepted
    at.button(key=state.upload_key("parks", "accept")).click().run()
    assert not at.exception
    assert _coverage(at) != bundled
    assert _metric_parks(at) == 3
    layers = at.session_state[state.SESSION_LAYERS]
    assert set(layers) == {"parks"}
    # A reload is a new session: the page address keeps the layer.
    reloaded = AppTest.from_file(APP, default_timeout=120)
    reloaded.query_params[state.LAYERS_PARAM] = f"parks:{layers['parks']}"
    reloaded.run()
    reloaded.switch_page(PAGE).run()
    assert _metric_parks(reloaded) == 3
    # Another planner's session (no such address) still sees the bundled parks.
    other = AppTest.from_file(APP, default_timeout=120).run()
    other.switch_page(PAGE).run()
    assert _coverage(other) == bundled


def test_a_broken_upload_is_explained_and_changes_nothing(env):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    before = _coverage(at)
    at.file_uploader(key=state.upload_key("parks", "file")).set_value(
        ("公园.zip", b"PK\x03\x04" + bytes(range(256)) * 3, "application/zip")
    ).run()
    assert not at.exception
    assert at.error
    assert "Traceback" not in at.error[0].value
    assert _coverage(at) == before


def test_the_planners_stations_and_residential_land_replace_the_others(env):
    stations = gpd.GeoDataFrame(
        {"station_id": ["s1", "s2", "s3"], "name": ["A站", "B站", "<b>C站</b>"]},
        geometry=[
            shapely.Point(120.98, 31.385),
            shapely.Point(121.0, 31.36),
            shapely.Point(120.95, 31.4),
        ],
        crs=4326,
    )
    record = store_layer(stations, kind="stations", original=b"s", file_name="站点.csv", root=env)
    set_server_layer("stations", record.content_hash, root=env)
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["r1"], "name": ["小区"]},
        geometry=[shapely.box(120.975, 31.38, 120.985, 31.39)],
        crs=4326,
    )
    record = store_layer(parcels, kind="residential", original=b"r", file_name="居住.zip", root=env)
    set_server_layer("residential", record.content_hash, root=env)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("ui/page_corridors.py").run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert int(table["站点数"].sum()) == 3  # the planners' three, not the seven cited
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "居住用地面积" in at.info[0].value  # the official denominator, from their parcels


def test_the_inventorys_class_column_can_drive_the_tiers(env):
    record = store_layer(_inventory(), kind="parks", original=b"i", file_name="名录.zip", root=env)
    set_server_layer("parks", record.content_hash, root=env)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    at.selectbox(key=state.widget_key(state.PARKS_STANDARD, "zh")).set_value("gbt51346_tiers").run()
    by_area = _coverage(at)
    basis = at.radio(key=state.widget_key(state.PARKS_BASIS, "zh"))
    assert basis.options == ["面积", "公园名录类型"]
    basis.set_value("class").run()
    assert not at.exception
    # 东塘公园 (15 ha, 社区公园) serves 800 m by size (≥ 5 ha) but 500 m as a community park:
    # by class its catchment shrinks, and so does the coverage.
    assert float(_coverage(at).rstrip("%")) < float(by_area.rstrip("%"))


def test_the_planners_population_layer_is_a_demand_with_its_2sfca(env):
    people = gpd.GeoDataFrame(
        {"population": [1000.0, 1000.0], "name": ["近亭林园", "远处"]},
        geometry=[shapely.Point(120.9441, 31.3905), shapely.Point(120.93, 31.24)],
        crs=4326,
    )
    record = store_layer(people, kind="population", original=b"p", file_name="人口.gpkg", root=env)
    set_server_layer("population", record.content_hash, root=env)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    demand = at.selectbox(key=state.widget_key(state.PARKS_DEMAND, "zh"))
    assert demand.options[0] == "人口（规划人员的人口图层）"  # offered first: the planners' data
    demand.set_value("population_layer").run()
    assert not at.exception
    assert "人口（规划人员的人口图层）" in at.info[0].value
    assert _coverage(at) == "50.0%"  # half the people live within 300 m of 亭林园
    assert "两步移动搜索法（2SFCA）供需指数 m²/人" in at.dataframe[0].value.columns


def _layer_sources(at: AppTest) -> str:
    return "\n".join(m.value for m in at.sidebar.markdown)


def test_a_planner_uploads_stations_and_plan_lines_on_the_corridors_page(env):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("ui/page_corridors.py").run()
    assert int(at.dataframe[-1].value["站点数"].sum()) == 7  # the cited stations
    stations = "名称,经度,纬度\n花桥站,121.1083,31.3086\n<b>A站</b>,120.98,31.385\n".encode(
        "gb18030"
    )
    at.file_uploader(key=state.upload_key("stations", "file")).set_value(
        ("站点.csv", stations, "text/csv")
    ).run()
    assert not at.exception
    assert not at.error
    # Longitude/latitude of no declared datum: the planner chooses (WGS84 here).
    assert at.selectbox(key=state.upload_key("stations", "crs")).value is None
    at.selectbox(key=state.upload_key("stations", "crs")).set_value("wgs84").run()
    at.button(key=state.upload_key("stations", "accept")).click().run()
    assert not at.exception
    assert int(at.dataframe[-1].value["站点数"].sum()) == 2
    captions = "\n".join(c.value for c in at.caption)
    assert "站点来自规划人员的图层 站点.csv：2 个站点" in captions
    assert "内置站点" not in captions  # not described as the cited ones
    # Plan lines: chosen in the same panel, then drawn from the data set.
    choice = state.widget_key(state.upload_kind_key(state.CORRIDOR_UPLOAD_KINDS), "zh")
    at.segmented_control(key=choice).set_value("plan_lines").run()
    lines = gpd.GeoDataFrame(
        {"name": ["七横一"]},
        geometry=[shapely.LineString([(120.9, 31.35), (121.1, 31.35)])],
        crs=4326,
    ).to_json()
    at.file_uploader(key=state.upload_key("plan_lines", "file")).set_value(
        ("规划线网.geojson", lines.encode(), "application/geo+json")
    ).run()
    assert not at.exception
    at.button(key=state.upload_key("plan_lines", "accept")).click().run()
    assert not at.exception
    assert set(at.session_state[state.SESSION_LAYERS]) == {"stations", "plan_lines"}
    sources = _layer_sources(at)
    assert "规划线网" in sources
    assert "规划线网.geojson" in sources
    assert "&lt;b&gt;" not in sources  # names are shown as text, once escaped


def test_town_boundaries_replace_the_units_and_a_wrong_file_changes_nothing(env, tmp_path):
    from geo.boundaries import load_units, read_unit_table

    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    before = at.dataframe[0].value.copy()
    names = read_unit_table().set_index("unit_id")["name_zh"]
    bundled = load_units()
    towns = gpd.GeoDataFrame(
        {"名称": [names[u] for u in bundled["unit_id"]]},
        geometry=bundled.geometry.to_numpy(),
        crs=4326,
    ).to_crs(4549)  # a declared CGCS2000 GK CRS, converted on reading
    wrong = towns.assign(名称=[f"片区{i}" for i in range(len(towns))])
    at.file_uploader(key=state.upload_key("units", "file")).set_value(
        ("wrong.geojson", wrong.to_json().encode(), "application/geo+json")
    ).run()
    assert not at.exception
    assert "planning_units.csv" in at.error[0].value
    assert "upload_units_accept" not in [b.key for b in at.button]
    at.file_uploader(key=state.upload_key("units", "file")).set_value(
        ("乡镇界.geojson", towns.to_json(to_wgs84=False).encode(), "application/geo+json")
    ).run()
    assert not at.exception
    assert not at.error
    at.button(key=state.upload_key("units", "accept")).click().run()
    assert not at.exception
    assert at.session_state[state.SESSION_LAYERS].keys() == {"units"}
    assert "乡镇界.geojson" in _layer_sources(at)
    captions = "\n".join(c.value for c in at.sidebar.caption)
    assert "单元边界：正式文件" in captions  # no longer the approximate bundled units
    after = at.dataframe[0].value
    assert after.shape == before.shape
