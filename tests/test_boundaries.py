"""Loading units: the official drop-in path and every kind of bad file."""

from __future__ import annotations

import geopandas as gpd
import pytest

from geo.boundaries import load_clusters, load_units
from geo.errors import BoundaryDataError, CRSError
from geo.paths import UNITS_PATH


def test_official_file_in_cgcs2000_gk_is_a_drop_in(tmp_path, units, unit_table):
    official = units[["unit_id", "geometry"]].to_crs("EPSG:4549")
    path = tmp_path / "official_units.gpkg"
    official.to_file(path, driver="GPKG")
    loaded = load_units(path, unit_table=unit_table)
    assert loaded.crs.to_epsg() == 4326
    assert (loaded["boundary_quality"] == "official").all()
    assert loaded["area_km2"].sum() == pytest.approx(units["area_km2"].sum(), rel=1e-6)
    assert list(loaded["unit_id"]) == list(units["unit_id"])
    assert loaded.loc[loaded["unit_id"] == "bacheng", "name_zh"].item() == "巴城镇"


def test_missing_unit_id_column(tmp_path, units, unit_table):
    path = tmp_path / "units.geojson"
    units[["name_zh", "geometry"]].to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryDataError, match="no 'unit_id' column"):
        load_units(path, unit_table=unit_table)


def test_unknown_missing_and_duplicate_ids_are_all_reported(tmp_path, units, unit_table):
    bad = units[["unit_id", "geometry"]].copy()
    bad.loc[0, "unit_id"] = "yushan"
    bad.loc[1, "unit_id"] = bad.loc[2, "unit_id"]
    path = tmp_path / "units.geojson"
    bad.to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryDataError) as info:
        load_units(path, unit_table=unit_table)
    message = str(info.value)
    assert "unknown unit_id ['yushan']" in message
    assert "duplicate unit_id" in message
    assert "missing units" in message


def test_file_without_crs(tmp_path, units, unit_table):
    # A GeoJSON file is WGS84 by definition, so use a Shapefile without its .prj.
    shp = tmp_path / "units.shp"
    units[["unit_id", "geometry"]].to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match="no coordinate reference system"):
        load_units(shp, unit_table=unit_table)


def test_broken_file(tmp_path, unit_table):
    path = tmp_path / "units.geojson"
    path.write_text("{ this is not json", encoding="utf-8")
    with pytest.raises(BoundaryDataError, match="could not be read"):
        load_units(path, unit_table=unit_table)


def test_missing_file(tmp_path, unit_table):
    with pytest.raises(BoundaryDataError, match="not found"):
        load_units(tmp_path / "nope.gpkg", unit_table=unit_table)


def test_points_instead_of_polygons(tmp_path, units, unit_table):
    points = units[["unit_id"]].copy()
    points = gpd.GeoDataFrame(points, geometry=units.representative_point(), crs=4326)
    path = tmp_path / "units.geojson"
    points.to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryDataError, match="need Polygon/MultiPolygon"):
        load_units(path, unit_table=unit_table)


def test_non_territorial_unit_in_file(tmp_path, units, unit_table):
    bad = units[["unit_id", "geometry"]].copy()
    bad.loc[len(bad)] = ["lvyou_dujiaqu", units.geometry.iloc[0]]
    path = tmp_path / "units.geojson"
    bad.to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryDataError, match="no territory of their own"):
        load_units(path, unit_table=unit_table)


def test_bundled_units_load(unit_table):
    assert len(load_units(UNITS_PATH, unit_table=unit_table)) == 11


def test_cluster_file_with_orphan_unit(tmp_path, unit_table):
    path = tmp_path / "clusters.json"
    path.write_text(
        '{"clusters": [{"cluster_id": "x", "name_zh": "x", "name_en": "x", "short_zh": "x",'
        ' "short_en": "x", "direction_zh": "", "direction_en": "", "lead_unit": "lujia",'
        ' "members": ["lujia"], "role_zh": "", "role_en": "", "tasks_zh": [], "tasks_en": [],'
        ' "colour": "#123456"}]}',
        encoding="utf-8",
    )
    with pytest.raises(BoundaryDataError, match="units in no cluster"):
        load_clusters(path, unit_table=unit_table)


def test_cluster_file_malformed(tmp_path, unit_table):
    path = tmp_path / "clusters.json"
    path.write_text('{"clusters": [{"cluster_id": "x"}]}', encoding="utf-8")
    with pytest.raises(BoundaryDataError, match="malformed"):
        load_clusters(path, unit_table=unit_table)
