"""``python -m geo.layers``: the server's layers from the command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo.store.cli import main
from geo.store.local import read_stored, server_layers

ROOT = Path(__file__).resolve().parent.parent


def _shapefile_zip(tmp_path: Path, *, crs: int | None = 4528, keep_cpg: bool = False) -> Path:
    """A 公园名录 as planners send it: GBK names, no .cpg, CGCS2000 zone 40, in a folder."""
    parks = gpd.GeoDataFrame(
        {
            "名称": ["亭林园", "森林公园"],
            "类型": ["综合公园", "专类公园"],
            "面积": [570000.0, 1.2e6],
        },
        geometry=[
            shapely.Point(120.955, 31.392).buffer(0.003),
            shapely.Point(121.02, 31.33).buffer(0.004),
        ],
        crs=4326,
    )
    if crs is not None:
        parks = parks.to_crs(crs)
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(parks, folder / "公园.shp", encoding="GBK")
    if not keep_cpg:
        (folder / "公园.cpg").unlink(missing_ok=True)
    if crs is None:
        (folder / "公园.prj").unlink(missing_ok=True)
    out = tmp_path / "公园名录.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, f"公园名录/{part.name}")
    return out


@pytest.fixture
def store(monkeypatch, tmp_path):
    monkeypatch.setenv("KUNSHAN_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(tmp_path / "none.gpkg"))
    return tmp_path / "store"


def test_add_list_export_remove_a_park_inventory(tmp_path, store, capsys):
    path = _shapefile_zip(tmp_path)
    assert main(["add", "parks", str(path), "--by", "规划科"]) == 0
    out = capsys.readouterr().out
    assert "parks: 2 features from 公园名录.zip" in out
    content = server_layers(store)["parks"]
    parks = read_stored(content, root=store)
    assert parks["name"].tolist() == ["亭林园", "森林公园"]  # GBK decoded
    assert parks["park_class"].tolist() == ["comprehensive", "specialised"]
    centre = parks.to_crs(4549).geometry.iloc[0].centroid
    expected = gpd.GeoSeries([shapely.Point(120.955, 31.392)], crs=4326).to_crs(4549).iloc[0]
    assert centre.distance(expected) < 1.0  # zone-40 coordinates land where they were
    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "parks" in listing
    assert "upload" in listing
    assert "公园名录.zip" in listing
    exported = tmp_path / "parks.geojson"
    assert main(["export", "parks", "--out", str(exported)]) == 0
    back = json.loads(exported.read_text(encoding="utf-8"))
    assert [f["properties"]["name"] for f in back["features"]] == ["亭林园", "森林公园"]
    assert main(["remove", "parks"]) == 0
    assert "parks" not in server_layers(store)
    assert read_stored(content, root=store) is not None  # the file stays stored
    assert main(["export", "parks", "--out", str(exported)]) == 0  # now the bundled parks
    assert len(json.loads(exported.read_text(encoding="utf-8"))["features"]) == 2


def test_a_file_without_a_crs_or_with_two_layers_is_refused_with_what_to_do(
    tmp_path, store, capsys
):
    no_prj = _shapefile_zip(tmp_path, crs=None)
    assert main(["add", "parks", str(no_prj)]) == 2
    err = capsys.readouterr().err
    assert "--crs" in err
    assert "likely" in err
    assert "Traceback" not in err
    assert main(["add", "parks", str(no_prj), "--crs", "wgs84"]) == 0
    two = tmp_path / "two.gpkg"
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(121, 31.4)], crs=4326)
    area = frame.set_geometry([shapely.Point(121, 31.4).buffer(0.001)])
    pyogrio.write_dataframe(area, two, layer="parks")
    pyogrio.write_dataframe(frame, two, layer="gates", append=True)
    assert main(["add", "parks", str(two)]) == 2
    err = capsys.readouterr().err
    assert "parks" in err
    assert "gates" in err
    assert "--layer" in err
    assert main(["add", "parks", str(two), "--layer", "parks"]) == 0


def test_a_layer_elsewhere_is_refused_unless_forced_and_bad_arguments_are_one_line(
    tmp_path, store, capsys
):
    far = tmp_path / "helsinki.geojson"
    frame = gpd.GeoDataFrame(
        {"name": ["Kaivopuisto"]}, geometry=[shapely.Point(24.95, 60.16).buffer(0.002)], crs=4326
    )
    frame.to_file(far, driver="GeoJSON")
    assert main(["add", "parks", str(far)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["add", "parks", str(far), "--force"]) == 0
    capsys.readouterr()
    for argv in (
        ["add", "parkz", str(far)],
        ["add", "parks", str(tmp_path / "missing.zip")],
        ["add", "parks", str(far), "--map", "name"],
        ["export", "parks"],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("error:")
        assert "\n" not in err
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + bytes(range(200)))
    assert main(["add", "parks", str(broken)]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.cli
@pytest.mark.multiprocess
def test_the_module_runs_from_the_command_line(tmp_path, store):
    path = _shapefile_zip(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "geo.layers", "add", "parks", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "2 features" in done.stdout
    assert io.StringIO(done.stderr).read() == ""
