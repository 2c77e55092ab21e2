"""Reading the bureau's own files: every format, the CRS guess, the location check, and safety.

Every file here is built by the test, shaped like a planner's: GBK Shapefiles zipped in a
folder with a Chinese name, projected CGCS2000 coordinates with and without the zone
prefix, GCJ-02 and BD-09 tables from web maps, hand-written KML.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pyproj
import pytest
import shapely

from geo.crs import bd09_to_wgs84, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_gcj02
from geo.errors import PlanningMapError, UploadError
from geo.files.location import location_check
from geo.files.reading import (
    MAX_UPLOAD_BYTES,
    FileInfo,
    ReadOptions,
    ReadResult,
    duplicate_values,
    inspect_file,
    read_layer,
)

# Two parks in Kunshan (WGS84 lon/lat): 亭林园 on Mount Ma'an, 森林公园 north of the city.
PARKS = {"亭林园": (120.9512, 31.3926), "森林公园": (120.9253, 31.4316)}


@pytest.fixture(autouse=True)
def private_tmp(tmp_path, monkeypatch):
    """Point tempfile at a directory of the test's own, to check that nothing is left."""
    scratch = tmp_path / "system_tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield scratch
    assert list(scratch.iterdir()) == [], "the reader left files behind"


# ---------------------------------------------------------------------------
# Builders


def _to(epsg: int, lon: float, lat: float) -> tuple[float, float]:
    return pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)


def _parks(epsg: int, *, size: float = 80.0) -> gpd.GeoDataFrame:
    """Square parks whose first corner is the park's WGS84 point projected to ``epsg``."""
    rows = []
    for i, (name, (lon, lat)) in enumerate(PARKS.items()):
        x, y = _to(epsg, lon, lat)
        rows.append(
            {
                "park_id": f"P{i + 1:03d}",
                "name": name,
                "area_ha": 12.5 + i,
                "geometry": shapely.box(x, y, x + size, y + size),
            }
        )
    return gpd.GeoDataFrame(rows, crs=f"EPSG:{epsg}")


def _shapefile_parts(gdf: gpd.GeoDataFrame, where: Path, *, encoding: str = "gbk") -> dict:
    where.mkdir(parents=True, exist_ok=True)
    gdf.to_file(where / "layer.shp", encoding=encoding)
    return {p.suffix: p.read_bytes() for p in where.iterdir()}


def _zip(members: dict[str, bytes], *, name_encoding: str = "utf-8") -> bytes:
    """Zip ``members``; with another name encoding, names are written as raw bytes without the
    UTF-8 flag, as Windows' own zip tool does for GBK names."""
    buffer = io.BytesIO()
    swaps = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members.items()):
            written = name
            if name_encoding != "utf-8" and not name.isascii():
                raw = name.encode(name_encoding)
                written = f"~{i}~".ljust(len(raw), "Q")
                swaps[written.encode()] = raw
            zf.writestr(written, data)
    content = buffer.getvalue()
    for placeholder, raw in swaps.items():
        assert content.count(placeholder) == 2  # local header and central directory
        content = content.replace(placeholder, raw)
    return content


def _shapefile_zip(
    gdf: gpd.GeoDataFrame,
    where: Path,
    *,
    folder: str = "公园数据",
    stem: str = "昆山公园",
    drop: tuple[str, ...] = (),
    name_encoding: str = "gbk",
) -> bytes:
    parts = _shapefile_parts(gdf, where)
    members = {
        f"{folder}/{stem}{suffix}": data for suffix, data in parts.items() if suffix not in drop
    }
    return _zip(members, name_encoding=name_encoding)


def _geojson(features: list[dict], **extra) -> bytes:
    return json.dumps(
        {"type": "FeatureCollection", "features": features, **extra}, ensure_ascii=False
    ).encode()


def _feature(geometry: dict, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def _square(lon: float, lat: float, d: float = 0.001) -> dict:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <name>昆山公园</name>
  <Placemark>
    <name>亭林园</name>
    <description>市级公园 &lt;b&gt;综合&lt;/b&gt;</description>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>
      120.9512,31.3926,0 120.9530,31.3926,0 120.9530,31.3940,0 120.9512,31.3940,0 120.9512,31.3926,0
    </coordinates></LinearRing></outerBoundaryIs></Polygon>
  </Placemark>
  <Placemark>
    <name>森林公园</name>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>
      120.9253,31.4316,0 120.9290,31.4316,0 120.9290,31.4350,0 120.9253,31.4350,0 120.9253,31.4316,0
    </coordinates></LinearRing></outerBoundaryIs></Polygon>
  </Placemark>
</Document>
</kml>
"""


def _xlsx(
    rows: list[list[object]], *, sheets: dict[str, list[list[object]]] | None = None
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "公园"
    for row in rows:
        sheet.append(row)
    for title, extra in (sheets or {}).items():
        other = book.create_sheet(title)
        for row in extra:
            other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _gpkg(where: Path, layers: dict[str, gpd.GeoDataFrame]) -> bytes:
    path = where / "plan.gpkg"
    for name, gdf in layers.items():
        gdf.to_file(path, layer=name, driver="GPKG")
    return path.read_bytes()


def _vertices(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.get_coordinates(gdf.geometry.to_numpy())


def _nearest(gdf: gpd.GeoDataFrame, lon: float, lat: float) -> float:
    """Degrees from (lon, lat) to the nearest vertex of the layer."""
    v = _vertices(gdf)
    return float(np.hypot(v[:, 0] - lon, v[:, 1] - lat).min())


# ---------------------------------------------------------------------------
# Shapefiles


def test_gbk_shapefile_in_zone_40_without_cpg_zipped_in_a_chinese_folder(tmp_path):
    content = _shapefile_zip(_parks(4528), tmp_path / "shp", drop=(".cpg",))
    with zipfile.ZipFile(io.BytesIO(content)) as zf:  # GBK names, no UTF-8 flag
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())
        assert "公园数据/昆山公园.shp".encode("gbk") in content
    info = inspect_file(content, "公园.zip")
    assert isinstance(info, FileInfo)
    assert info.format == "shapefile_zip"
    assert info.layers == ("昆山公园",)
    assert info.declared_crs == "EPSG:4528"
    assert info.encoding == "gb18030"
    assert not info.encoding_from_cpg
    assert info.n_features == 2
    assert set(info.columns) == {"park_id", "name", "area_ha"}

    result = read_layer(content, "公园.zip")
    assert isinstance(result, ReadResult)
    assert result.gdf["name"].tolist() == list(PARKS)
    assert result.gdf.crs.to_epsg() == 4326
    assert (result.crs_used, result.crs_source) == ("EPSG:4528", "declared")
    assert result.encoding_used == "gb18030"
    assert any("GB18030" in n for n in result.notes)
    assert result.location.in_kunshan
    assert result.location.message is None
    for lon, lat in PARKS.values():
        assert _nearest(result.gdf, lon, lat) < 1e-7  # ~1 cm: pyproj's round trip


def test_the_cpg_is_used_when_present_and_the_encoding_can_be_overridden(tmp_path):
    content = _shapefile_zip(_parks(4528), tmp_path / "shp")
    info = inspect_file(content, "parks.zip")
    assert (info.encoding, info.encoding_from_cpg) == ("gbk", True)
    assert read_layer(content, "parks.zip").gdf["name"].tolist() == list(PARKS)
    forced = read_layer(content, "parks.zip", ReadOptions(encoding="936"))
    assert forced.encoding_used == "gbk"
    assert forced.gdf["name"].tolist() == list(PARKS)
    with pytest.raises(UploadError, match="not valid utf-8"):
        read_layer(content, "parks.zip", ReadOptions(encoding="utf-8"))


def test_a_cpg_that_lies_is_overruled_by_the_detection(tmp_path):
    parts = _shapefile_parts(_parks(4528), tmp_path / "shp")
    parts[".cpg"] = b"UTF-8"
    content = _zip({f"parks{k}": v for k, v in parts.items()})
    result = read_layer(content, "parks.zip")
    assert result.gdf["name"].tolist() == list(PARKS)
    assert any(".cpg says utf-8" in n for n in result.notes)


def test_utf8_names_in_the_zip_and_the_dbf_are_detected(tmp_path):
    gdf = _parks(4549)
    parts = _shapefile_parts(gdf, tmp_path / "shp", encoding="utf-8")
    del parts[".cpg"]
    content = _zip({f"数据/公园{k}": v for k, v in parts.items()})  # UTF-8 flag set
    result = read_layer(content, "parks.zip")
    assert result.encoding_used == "utf-8"
    assert result.layer == "公园"
    assert result.gdf["name"].tolist() == list(PARKS)


def test_a_shapefile_without_prj_read_with_the_chosen_crs(tmp_path):
    content = _shapefile_zip(_parks(4549), tmp_path / "shp", drop=(".prj",))
    result = read_layer(content, "parks.zip", ReadOptions(crs="cgcs2000_gk120"))
    assert (result.crs_used, result.crs_source) == ("EPSG:4549", "chosen")
    assert not any("未声明坐标系" in n for n in result.notes)
    for lon, lat in PARKS.values():
        assert _nearest(result.gdf, lon, lat) < 1e-7
    assert result.location.in_kunshan


def test_a_shapefile_without_prj_is_read_with_the_best_guess_and_says_so(tmp_path):
    content = _shapefile_zip(_parks(4549), tmp_path / "shp", drop=(".prj",))
    info = inspect_file(content, "parks.zip")
    assert info.declared_crs is None
    best = info.crs_candidates[0]
    assert (best.crs, best.code, best.plausible, best.in_kunshan) == (
        "cgcs2000_gk120",
        "EPSG:4549",
        True,
        True,
    )
    assert "EPSG:4549" in best.reason
    assert " / " in best.reason
    assert not any(c.plausible for c in info.crs_candidates if c.crs in ("wgs84", "gcj02"))

    result = read_layer(content, "parks.zip")
    assert (result.crs_used, result.crs_source) == ("EPSG:4549", "guessed")
    assert result.notes[0].startswith("未声明坐标系，按最可能的 EPSG:4549")
    assert "No CRS declared: read as EPSG:4549" in result.notes[0]
    assert "best guess" in result.notes[0]
    for lon, lat in PARKS.values():
        assert _nearest(result.gdf, lon, lat) < 1e-7


def test_zone_40_numbers_without_prj_are_guessed_as_epsg_4528(tmp_path):
    content = _shapefile_zip(_parks(4528), tmp_path / "shp", drop=(".prj",))
    assert inspect_file(content, "p.zip").crs_candidates[0].crs == "cgcs2000_gk40"
    result = read_layer(content, "p.zip")
    assert (result.crs_used, result.crs_source) == ("EPSG:4528", "guessed")
    assert result.location.in_kunshan


def test_a_zip_with_several_shapefiles_names_them(tmp_path):
    a = _shapefile_parts(_parks(4549), tmp_path / "a")
    b = _shapefile_parts(_parks(4549).iloc[:1], tmp_path / "b")
    members = {f"公园{k}": v for k, v in a.items()} | {f"广场{k}": v for k, v in b.items()}
    content = _zip(members, name_encoding="gbk")
    assert inspect_file(content, "x.zip").layers == ("公园", "广场")
    with pytest.raises(UploadError, match="'公园', '广场'"):
        read_layer(content, "x.zip")
    assert len(read_layer(content, "x.zip", ReadOptions(layer="广场")).gdf) == 1


@pytest.mark.parametrize(
    ("drop", "missing"),
    [((".shx",), "no .shx"), ((".dbf",), "no .dbf"), ((".shx", ".dbf"), "no .shx and no .dbf")],
)
def test_a_shapefile_missing_a_part_says_which(tmp_path, drop, missing):
    content = _shapefile_zip(_parks(4549), tmp_path / "shp", drop=drop)
    with pytest.raises(UploadError, match=missing) as caught:
        read_layer(content, "parks.zip")
    assert "缺少" in str(caught.value)
    assert "昆山公园" in str(caught.value)


def test_macos_resource_forks_in_the_zip_are_ignored(tmp_path):
    parts = _shapefile_parts(_parks(4549), tmp_path / "shp")
    members = {f"parks/p{k}": v for k, v in parts.items()}
    members |= {"__MACOSX/parks/._p.shp": b"\x00\x05\x16\x07junk", "parks/._p.dbf": b"junk"}
    assert read_layer(_zip(members), "parks.zip").gdf["name"].tolist() == list(PARKS)


# ---------------------------------------------------------------------------
# Tables


def test_a_gcj02_csv_with_chinese_headers_is_moved_to_wgs84():
    rows = []
    for name, (lon, lat) in PARKS.items():
        glon, glat = wgs84_to_gcj02(lon, lat)
        rows.append(f"{name},{float(glon):.6f},{float(glat):.6f}")
    gcj = np.array([[float(v) for v in r.split(",")[1:]] for r in rows])
    content = ("名称,经度,纬度\n" + "\n".join(rows) + "\n").encode("gbk")

    info = inspect_file(content, "高德坐标.csv")
    assert (info.format, info.encoding, info.declared_crs) == ("csv", "gb18030", None)
    assert (info.x_column, info.y_column) == ("经度", "纬度")
    assert info.crs_candidates[0].crs == "wgs84"
    assert {c.crs for c in info.crs_candidates if c.in_kunshan} >= {"wgs84", "gcj02", "bd09"}

    result = read_layer(content, "高德坐标.csv", ReadOptions(crs="gcj02"))
    assert (result.crs_used, result.crs_source) == ("GCJ-02", "chosen")
    assert "GCJ-02 converted to WGS84" in " ".join(result.notes)
    lon, lat = gcj02_to_wgs84(gcj[:, 0], gcj[:, 1])
    np.testing.assert_allclose(result.gdf.geometry.x, lon, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.gdf.geometry.y, lat, rtol=0, atol=1e-12)
    assert result.gdf["名称"].tolist() == list(PARKS)
    assert result.location.in_kunshan


def test_a_table_without_crs_is_read_with_the_guess_and_never_silently():
    content = "\ufeffname,lng,lat\n亭林园,120.9512,31.3926\n".encode()  # UTF-8 with BOM
    result = read_layer(content, "sites.csv")
    assert result.encoding_used == "utf-8"
    assert result.gdf.columns[0] == "name"  # the BOM is not part of the header
    assert (result.crs_used, result.crs_source) == ("EPSG:4326", "guessed")
    assert result.notes[0].startswith("未声明坐标系")


def test_table_values_are_kept_as_written():
    content = (
        "编号,名称,lon,lat,面积\n"
        "007,<script>alert(1)</script>,120.95,31.39,1.5\n"
        "010,亭林园,120.96,31.40,\n"
    ).encode()
    gdf = read_layer(content, "t.csv", ReadOptions(crs="wgs84")).gdf
    assert gdf["编号"].tolist() == ["007", "010"]  # ids with leading zeros stay text
    assert gdf["名称"].iloc[0] == "<script>alert(1)</script>"
    assert gdf["面积"].iloc[0] == 1.5
    assert np.isnan(gdf["面积"].iloc[1])


def test_a_bd09_xlsx_is_moved_to_wgs84():
    bd = []
    for lon, lat in PARKS.values():
        blon, blat = gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
        bd.append((round(float(blon), 6), round(float(blat), 6)))
    rows = [["名称", "LNG", "LAT"]] + [[n, *c] for n, c in zip(PARKS, bd, strict=True)]
    content = _xlsx(rows, sheets={"说明": [["数据来源：百度地图"]]})
    info = inspect_file(content, "百度.xlsx")
    assert info.format == "xlsx"
    assert info.layers == ("公园", "说明")
    assert info.layer == "公园"

    result = read_layer(content, "百度.xlsx", ReadOptions(crs="bd09"))
    assert (result.format, result.crs_used, result.layer) == ("xlsx", "BD-09", "公园")
    lon, lat = bd09_to_wgs84([c[0] for c in bd], [c[1] for c in bd])
    np.testing.assert_allclose(result.gdf.geometry.x, lon, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.gdf.geometry.y, lat, rtol=0, atol=1e-12)
    for (plon, plat), x, y in zip(
        PARKS.values(), result.gdf.geometry.x, result.gdf.geometry.y, strict=True
    ):
        assert abs(x - plon) < 2e-6  # within the 6 decimals written (~0.2 m)
        assert abs(y - plat) < 2e-6


def test_a_wkt_table_and_named_columns():
    content = _xlsx(
        [
            ["名称", "几何"],
            ["亭林园", "POLYGON ((120.95 31.39, 120.96 31.39, 120.96 31.40, 120.95 31.39))"],
        ]
    )
    result = read_layer(content, "wkt.xlsx", ReadOptions(crs="wgs84"))
    assert result.gdf.geom_type.tolist() == ["Polygon"]
    assert "几何" not in result.gdf.columns
    named = "a,b,c\n亭林园,120.95,31.39\n".encode()
    gdf = read_layer(named, "n.csv", ReadOptions(crs="wgs84", x_column="b", y_column="c")).gdf
    assert gdf.geometry.x.tolist() == [120.95]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("名称,地址\n亭林园,马鞍山路\n", "No coordinate columns"),
        ("name,lon\nx,121\n", "found x column 'lon' but no y column"),
        ("name,lon,x,lat\nx,121,121,31\n", "Several columns could be the x"),
        ("name,lon,lat\na,121.0,31.4\nb,,31.4\nc,东经121,31.4\n", r"Rows 3, 4 have coordinates"),
        ("name,wkt\na,POINT (121 31.4)\nb,POINT (oops\n", r"Rows 3 have no valid WKT"),
        ("name,lon,lat\n", "no data rows"),
    ],
)
def test_bad_tables_say_what_to_fix(content, message):
    with pytest.raises(UploadError, match=message):
        read_layer(content.encode(), "t.csv", ReadOptions(crs="wgs84"))


# ---------------------------------------------------------------------------
# KML, KMZ, GeoPackage, GeoJSON


def test_a_kml_written_by_hand():
    result = read_layer(KML.encode(), "公园.kml")
    assert (result.format, result.crs_used, result.crs_source) == ("kml", "EPSG:4326", "declared")
    assert result.gdf["Name"].tolist() == list(PARKS)
    assert result.gdf["description"].iloc[0] == "市级公园 <b>综合</b>"
    assert result.gdf.geom_type.tolist() == ["Polygon", "Polygon"]
    assert not result.gdf.geometry.has_z.any()
    assert "tessellate" not in result.gdf.columns  # LIBKML's empty bookkeeping fields
    assert result.location.in_kunshan


def test_a_kmz_with_its_icons():
    content = _zip({"doc.kml": KML.encode(), "files/icon.png": b"\x89PNG\r\n\x1a\n"})
    info = inspect_file(content, "公园.kmz")
    assert (info.format, info.n_features, info.declared_crs) == ("kmz", 2, "EPSG:4326")
    result = read_layer(content, "公园.kmz")
    assert result.format == "kmz"
    assert result.gdf["Name"].tolist() == list(PARKS)


def test_a_kml_in_gcj02_can_be_converted():
    result = read_layer(KML.encode(), "amap.kml", ReadOptions(crs="gcj02"))
    assert result.crs_used == "GCJ-02"
    assert "The file declares EPSG:4326; it was read as GCJ-02" in " ".join(result.notes)
    lon, lat = gcj02_to_wgs84(120.9512, 31.3926)
    assert _nearest(result.gdf, float(lon), float(lat)) < 1e-12


def test_a_two_layer_geopackage_needs_a_layer(tmp_path):
    parks = _parks(4549)
    squares = _parks(4549).iloc[:1].assign(name="玉山广场")
    content = _gpkg(tmp_path, {"parks_公园": parks, "squares": squares})
    info = inspect_file(content, "plan.gpkg")
    assert info.layers == ("parks_公园", "squares")
    assert info.declared_crs == "EPSG:4549"
    with pytest.raises(UploadError, match="2 layers: 'parks_公园', 'squares'") as caught:
        read_layer(content, "plan.gpkg")
    assert "请选择" in str(caught.value)
    result = read_layer(content, "plan.gpkg", ReadOptions(layer="squares"))
    assert (result.format, result.layer, result.crs_used) == ("gpkg", "squares", "EPSG:4549")
    assert result.gdf["name"].tolist() == ["玉山广场"]
    with pytest.raises(UploadError, match="no layer 'roads'"):
        read_layer(content, "plan.gpkg", ReadOptions(layer="roads"))


def test_a_geojson_in_gbk_is_decoded():
    text = json.dumps(
        {"type": "FeatureCollection", "features": [_feature(_point(120.95, 31.39), name="亭林园")]},
        ensure_ascii=False,
    )
    result = read_layer(text.encode("gbk"), "p.geojson")
    assert result.gdf["name"].tolist() == ["亭林园"]
    assert result.encoding_used == "gb18030"


# ---------------------------------------------------------------------------
# In the wrong place


def test_swapped_lon_lat_are_reported_with_the_fix():
    swapped = [_feature(_point(lat, lon), name=n) for n, (lon, lat) in PARKS.items()]
    result = read_layer(_geojson(swapped), "swapped.geojson")
    location = result.location
    assert not location.in_kunshan
    assert location.n_outside == 2
    assert location.fixes[0].crs == "wgs84"
    assert location.fixes[0].swap_xy
    assert "With x and y swapped and read as EPSG:4326 it lies in Kunshan" in location.message
    assert "x 与 y 互换" in location.message


def test_projected_numbers_declared_as_wgs84_are_reported_with_the_fix():
    features = []
    for name, (lon, lat) in PARKS.items():
        features.append(_feature(_point(*_to(4549, lon, lat)), name=name))
    result = read_layer(_geojson(features), "wrong.geojson")
    assert result.crs_used == "EPSG:4326"
    location = result.location
    assert not location.in_kunshan
    assert (location.fixes[0].crs, location.fixes[0].swap_xy) == ("cgcs2000_gk120", False)
    assert "not valid longitude/latitude" in location.message
    assert "choose crs='cgcs2000_gk120'" in location.message
    fixed = read_layer(_geojson(features), "wrong.geojson", ReadOptions(crs="cgcs2000_gk120"))
    assert fixed.location.in_kunshan


def test_a_layer_elsewhere_says_where_it_is():
    beijing = [_feature(_point(116.404, 39.915), name="天安门")]
    location = read_layer(_geojson(beijing), "bj.geojson").location
    assert not location.in_kunshan
    assert location.centre == (116.404, 39.915)
    assert location.fixes == ()
    assert "lon 116.404, lat 39.915" in location.message
    assert "None of the usual coordinate systems" in location.message


def test_one_stray_feature_is_counted():
    features = [_feature(_point(lon, lat)) for lon, lat in PARKS.values()]
    features.append(_feature(_point(0.0, 0.0)))
    location = read_layer(_geojson(features), "s.geojson").location
    assert (location.in_kunshan, location.n_features, location.n_outside) == (False, 3, 1)
    assert "1 of 3 features" in location.message


def test_the_wrong_prj_gives_an_error_with_the_fix(tmp_path):
    parts = _shapefile_parts(_parks(4549), tmp_path / "shp")
    parts[".prj"] = pyproj.CRS.from_epsg(4528).to_wkt("WKT1_ESRI").encode()
    content = _zip({f"p{k}": v for k, v in parts.items()})
    # 588,000 m east in zone 40 (false easting 40,500,000) has no WGS84 coordinates at all.
    with pytest.raises(UploadError, match="Read as EPSG:4528, the coordinates fall outside") as e:
        read_layer(content, "p.zip")
    assert "choose crs='cgcs2000_gk120'" in str(e.value)


def test_an_unreadable_prj_counts_as_no_crs(tmp_path):
    parts = _shapefile_parts(_parks(4549), tmp_path / "shp")
    parts[".prj"] = b"PROJCS[\xff\xfe garbage"
    content = _zip({f"p{k}": v for k, v in parts.items()})
    assert inspect_file(content, "p.zip").declared_crs is None
    result = read_layer(content, "p.zip")
    assert (result.crs_used, result.crs_source) == ("EPSG:4549", "guessed")
    assert "could not be understood" in " ".join(result.notes)


def test_location_check_on_its_own():
    here = gpd.GeoDataFrame(geometry=[shapely.Point(120.95, 31.39)], crs=4326)
    assert location_check(here).in_kunshan
    with pytest.raises(PlanningMapError, match="WGS84"):
        location_check(here.to_crs(4549))


# ---------------------------------------------------------------------------
# Geometry problems


def test_a_bowtie_is_repaired_and_counted():
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[120.95, 31.39], [120.96, 31.40], [120.96, 31.39], [120.95, 31.40], [120.95, 31.39]]
        ],
    }
    features = [_feature(bowtie, name="bowtie"), _feature(_square(120.97, 31.39), name="ok")]
    result = read_layer(_geojson(features), "b.geojson")
    assert result.n_repaired == 1
    assert result.gdf.geometry.is_valid.all()
    assert result.gdf.geom_type.tolist() == ["MultiPolygon", "Polygon"]
    assert result.gdf.geometry.iloc[0].area == pytest.approx(0.00005)
    assert "1 invalid polygons repaired" in " ".join(result.notes)


def test_mixed_geometry_names_the_counts():
    features = [_feature(_point(120.95 + i / 100, 31.39)) for i in range(3)]
    features.append(_feature(_square(120.95, 31.39)))
    with pytest.raises(UploadError, match="3 points, 1 polygons") as caught:
        read_layer(_geojson(features), "m.geojson")
    assert "点 3 个" in str(caught.value)


@pytest.mark.parametrize(
    "content",
    [_geojson([]), _geojson([{"type": "Feature", "properties": {"a": 1}, "geometry": None}])],
)
def test_an_empty_layer_is_refused(content):
    with pytest.raises(UploadError, match="holds no features"):
        read_layer(content, "e.geojson")


def test_an_empty_shapefile_is_refused(tmp_path):
    empty = _parks(4549).iloc[:0]
    with pytest.raises(UploadError, match="holds no features"):
        read_layer(_shapefile_zip(empty, tmp_path / "shp"), "e.zip")


def test_html_and_script_in_names_stay_plain_text(tmp_path):
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    gdf = _parks(4549).assign(name=[name, "<b>森林公园</b>"])
    result = read_layer(_shapefile_zip(gdf, tmp_path / "shp"), "x.zip")
    assert result.gdf["name"].tolist() == [name, "<b>森林公园</b>"]
    geojson = read_layer(_geojson([_feature(_point(120.95, 31.39), name=name)]), "x.geojson")
    assert geojson.gdf["name"].iloc[0] == name


def test_duplicate_values():
    gdf = gpd.GeoDataFrame(
        {"park_id": ["P1", "P2", "P1", None, None, "P3", "P2"]},
        geometry=[shapely.Point(0, 0)] * 7,
    )
    assert duplicate_values(gdf, "park_id") == ["P1", "P2"]
    assert duplicate_values(gdf.iloc[:2], "park_id") == []
    with pytest.raises(UploadError, match="no column 'id'"):
        duplicate_values(gdf, "id")


# ---------------------------------------------------------------------------
# Safety


@pytest.mark.parametrize(
    "entry",
    [
        "../../etc/evil.shp",
        "/tmp/evil.shp",
        "a/../../evil.dbf",
        "..\\evil.shx",
        "C:/Windows/evil.shp",
    ],
)
def test_zip_slip_is_refused(tmp_path, entry):
    parts = _shapefile_parts(_parks(4549), tmp_path / "shp")
    members = {f"p{k}": v for k, v in parts.items()} | {entry: b"x"}
    with pytest.raises(UploadError, match="points outside the archive"):
        read_layer(_zip(members), "slip.zip")


def test_a_zip_bomb_is_refused_before_extracting(tmp_path):
    parts = _shapefile_parts(_parks(4549), tmp_path / "shp")
    members = {f"p{k}": v for k, v in parts.items()} | {"p.txt": bytes(3_000_000)}
    content = _zip(members)
    assert len(content) < 100_000
    with pytest.raises(UploadError, match="zip bomb"):
        read_layer(content, "bomb.zip", max_unpacked_bytes=2_000_000)
    with pytest.raises(UploadError, match="zip bomb"):
        inspect_file(content, "bomb.zip", max_unpacked_bytes=2_000_000)
    assert read_layer(content, "bomb.zip").gdf["name"].tolist() == list(PARKS)


def test_a_zip_bomb_is_refused_by_its_ratio():
    content = _zip({"p.shp": bytes(12 * 1024 * 1024), "p.shx": b"", "p.dbf": b""})
    with pytest.raises(UploadError, match="100x"):
        read_layer(content, "ratio.zip")


def test_a_lying_zip_header_is_caught_while_extracting(tmp_path):
    parts = _shapefile_parts(_parks(4549), tmp_path / "shp")
    members = {f"p{k}": v for k, v in parts.items() if k != ".shp"}
    members = {"p.shp": parts[".shp"] + bytes(2_000_000), **members}
    content = bytearray(_zip(members))
    # Declare 1,000 bytes for the .shp in the local header and the central directory.
    local = content.index(b"PK\x03\x04")
    central = content.index(b"PK\x01\x02")
    content[local + 22 : local + 26] = (1000).to_bytes(4, "little")
    content[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    with pytest.raises(UploadError, match=r"damaged|zip bomb"):
        read_layer(bytes(content), "liar.zip")


def test_an_oversized_upload_is_refused():
    content = _geojson([_feature(_point(120.95, 31.39))])
    with pytest.raises(UploadError, match="too large") as caught:
        read_layer(content, "big.geojson", max_bytes=100)
    assert "过大" in str(caught.value)
    assert MAX_UPLOAD_BYTES == 200 * 1024 * 1024


@pytest.mark.parametrize("filename", ["random.bin", "random.geojson", "random.zip", "random.csv"])
def test_random_bytes_are_refused(filename):
    content = np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    with pytest.raises(UploadError) as caught:
        read_layer(content, filename)
    assert " / " in str(caught.value)


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "x.geojson", "is empty"),
        (b"\x00\x00\x27\x0a" + bytes(96), "parks.shp", "zip the .shp, .shx, .dbf"),
        (b"\xd0\xcf\x11\xe0" + bytes(60), "old.xls", "save it as .xlsx"),
        (_zip({"readme.txt": b"hello"}), "x.zip", "holds no Shapefile"),
    ],
    # Named, not by their bytes: a zip holds the time it was made, and every pytest-xdist
    # worker must collect the same test ids.
    ids=["empty", "bare-shp", "old-xls", "zip-without-shapefile"],
)
def test_other_files_get_a_clear_message(content, filename, message):
    with pytest.raises(UploadError, match=message):
        read_layer(content, filename)


def test_read_options_are_validated():
    with pytest.raises(UploadError, match="Choose one of: wgs84, cgcs2000"):
        ReadOptions(crs="gauss")
    with pytest.raises(UploadError, match="not in the EPSG registry"):
        ReadOptions(crs="EPSG:99999")
    with pytest.raises(UploadError, match="Unknown encoding"):
        ReadOptions(encoding="klingon")
    with pytest.raises(UploadError, match="together"):
        ReadOptions(x_column="lon")
    assert ReadOptions(crs="EPSG:4549").crs == "EPSG:4549"


def test_any_crs_pyproj_reads_can_be_chosen():
    table = "名称,x,y\n亭林园,120.9512,31.3926\n".encode()
    for crs, used in (("4490", "EPSG:4490"), ("+proj=longlat +datum=WGS84", "EPSG:4326")):
        result = read_layer(table, "t.csv", ReadOptions(crs=crs))
        assert (result.crs_used, result.crs_source) == (used, "chosen")
        assert result.location.in_kunshan


def test_a_table_can_keep_its_cells_as_written():
    table = "编号,面积,备注,x,y\n007,1.50,,120.95120,31.39260\n010,2,  ,120.9253,31.4316\n"
    default = read_layer(table.encode(), "t.csv", ReadOptions(crs="wgs84")).gdf
    assert default["编号"].tolist() == ["007", "010"]  # ids stay text
    assert default["面积"].tolist() == [1.5, 2.0]  # plain numbers become numbers
    kept = read_layer(table.encode(), "t.csv", ReadOptions(crs="wgs84", keep_text=True)).gdf
    assert kept["面积"].tolist() == ["1.50", "2"]
    assert kept["x"].tolist() == ["120.95120", "120.9253"]
    assert kept["备注"].isna().all()  # blank cells are missing either way
    assert (kept.geometry.x.tolist(), kept.geometry.y.tolist()) == (
        [120.9512, 120.9253],
        [31.3926, 31.4316],
    )


# ---------------------------------------------------------------------------
# Fuzz: damaged copies of valid files either read or raise UploadError, nothing else


def _valid_files(where: Path) -> dict[str, tuple[bytes, str]]:
    parks = _parks(4549)
    features = [_feature(_square(lon, lat), name=n) for n, (lon, lat) in PARKS.items()]
    csv = "名称,经度,纬度\n" + "".join(f"{n},{lon},{lat}\n" for n, (lon, lat) in PARKS.items())
    return {
        "geojson": (_geojson(features), "parks.geojson"),
        "shapefile_zip": (_shapefile_zip(parks, where / "shp", drop=(".cpg",)), "parks.zip"),
        "gpkg": (_gpkg(where, {"parks": parks}), "parks.gpkg"),
        "kml": (KML.encode(), "parks.kml"),
        "kmz": (_zip({"doc.kml": KML.encode()}), "parks.kmz"),
        "csv": (csv.encode("gbk"), "parks.csv"),
        "xlsx": (
            _xlsx([["名称", "经度", "纬度"], *[[n, *c] for n, c in PARKS.items()]]),
            "parks.xlsx",
        ),
    }


def _rezip(content: bytes, rng: np.random.Generator) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    order = rng.permutation(len(members))
    members = [members[i] for i in order]
    action = rng.integers(0, 5)
    k = int(rng.integers(0, len(members)))
    name, data = members[k]
    if action == 0:  # rename one member
        members[k] = (rng.choice(["x.shp", "x.dbf", "doc.kml", "a/b.shx", name + ".bak"]), data)
    elif action == 1:  # drop one
        members.pop(k)
    elif action == 2:  # damage one member's data
        cut = int(rng.integers(0, len(data) + 1))
        members[k] = (name, data[:cut])
    elif action == 3:  # duplicate one under another case
        members.append((name.upper(), data))
    else:  # flip bytes inside one member (the zip itself stays sound)
        damaged = bytearray(data)
        for pos in rng.integers(0, max(len(damaged), 1), int(rng.integers(1, 9))):
            if damaged:
                damaged[pos] ^= int(rng.integers(1, 256))
        members[k] = (name, bytes(damaged))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


def _corrupt(content: bytes, rng: np.random.Generator) -> bytes:
    kind = rng.integers(0, 6 if content[:2] == b"PK" else 3)  # zips: half are rebuilt
    data = bytearray(content)
    if kind == 0:  # truncated
        return bytes(data[: int(rng.integers(0, len(data)))])
    if kind == 1:  # a few flipped bytes
        for pos in rng.integers(0, len(data), int(rng.integers(1, 9))):
            data[pos] ^= int(rng.integers(1, 256))
        return bytes(data)
    if kind == 2:  # a random block inserted or overwritten
        pos = int(rng.integers(0, len(data)))
        block = rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8).tobytes()
        if rng.random() < 0.5:
            return bytes(data[:pos]) + block + bytes(data[pos:])
        data[pos : pos + len(block)] = block
        return bytes(data[: len(content)])
    return _rezip(content, rng)


FUZZ_PER_FORMAT = 300


@pytest.mark.slow  # 300 damaged files per format: ~20 s, an eighth of make test-fast on its own
def test_fuzz_damaged_files_read_or_raise_upload_error(tmp_path, private_tmp):
    rng = np.random.default_rng(20261201)
    outcomes: dict[str, dict[str, int]] = {}
    for fmt, (content, filename) in _valid_files(tmp_path).items():
        assert (
            read_layer(
                content, filename, ReadOptions(crs="wgs84" if fmt in ("csv", "xlsx") else None)
            ).format
            == fmt
        )
        counts = outcomes.setdefault(fmt, {"read": 0, "refused": 0})
        for _ in range(FUZZ_PER_FORMAT):
            damaged = _corrupt(content, rng)
            try:
                read_layer(damaged, filename)
            except UploadError as exc:
                text = str(exc)
                assert "/vsimem/" not in text
                assert "planmap-read-" not in text
                assert str(private_tmp) not in text
                assert "Traceback" not in text
                assert " / " in text
                counts["refused"] += 1
            else:
                counts["read"] += 1
    # Both outcomes occur, so the damage is neither always fatal nor always harmless.
    assert sum(c["read"] for c in outcomes.values()) > 0
    assert all(c["refused"] > 0 for c in outcomes.values())


def test_zip_bomb_limit_counts_actual_bytes_in_chunks(tmp_path):
    # The declared total is honest here and just over the limit given.
    parts = _shapefile_parts(_parks(4549), tmp_path / "shp")
    content = _zip({f"p{k}": v for k, v in parts.items()})
    total = sum(len(v) for v in parts.values())
    with pytest.raises(UploadError, match="zip bomb"):
        read_layer(content, "p.zip", max_unpacked_bytes=total - 1)
    assert read_layer(content, "p.zip", max_unpacked_bytes=total).layer == "p"
