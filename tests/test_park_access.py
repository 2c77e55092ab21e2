"""Park within reach: hand-built cases with known answers, and Helsinki against networkx."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.demand import population_weights, residential_weights, zone_of_origins
from analysis.distances import park_reach, prepare_reach, with_planned_park
from analysis.indicators import (
    coverage_by_zone,
    covered,
    per_capita_park_area,
    two_step_fca,
)
from analysis.network import walk_graph_from
from analysis.standards import standards_from_dict
from geo.errors import ParkAccessError, StandardError
from geo.grid import grid_origins
from geo.parks import bundled_parks, load_park_register, park_completeness
from geo.paths import STANDARDS_PATH
from geo.standards import read_standards_file
from tests.toy_networks import X0, Y0, river_town


def _standard(*tiers: tuple[str, float, float], target: float = 0.8):
    raw = {
        "standards": [
            {
                "standard_id": "t",
                "target_share": target,
                "tiers": [
                    {"tier_id": tid, "min_area_m2": area, "radius_m": radius}
                    for tid, area, radius in tiers
                ],
            }
        ]
    }
    return standards_from_dict(raw).standard("t")


def load_standards(path=STANDARDS_PATH):
    return standards_from_dict(read_standards_file(path))


def _reach(origins, parks, standard, *, graph=None, limit_m=None, entrances=None):
    prepared = prepare_reach(origins, parks, graph=graph, entrances=entrances)
    return park_reach(prepared, standard, limit_m=limit_m)


def _box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _parks(*items: tuple[str, shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"park_id": [i for i, _ in items], "area_m2": [g.area for _, g in items]},
        geometry=[g for _, g in items],
        crs=4549,
    )


def _area(x1=2000, y1=1000) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[_box(0, 0, x1, y1)], crs=4549)


# --- straight-line buffers on a grid ---------------------------------------------------


def test_a_strip_park_covers_the_columns_within_its_radius():
    origins = grid_origins(_area(), cell_m=100)
    assert len(origins) == 200
    # A 100 m strip along the west edge (outside the area): cell centres at x = 50, 150, 250
    # lie within 300 m of it, i.e. 3 of 20 columns.
    parks = _parks(("strip", _box(-100, 0, 0, 1000)))
    reach = _reach(origins, parks, _standard(("p", 0, 300)))
    assert covered(reach, "buffer").mean() == pytest.approx(3 / 20)
    np.testing.assert_allclose(np.unique(reach.straight_m[0][origins.col == 2]), [250.0])


def test_a_park_too_small_for_a_tier_covers_nothing_in_it():
    origins = grid_origins(_area(), cell_m=100)
    parks = _parks(("strip", _box(-100, 0, 0, 1000)))  # 100,000 m²
    reach = _reach(origins, parks, _standard(("small", 0, 300), ("big", 200_000, 800)))
    assert covered(reach, "buffer", "small").mean() == pytest.approx(0.15)
    assert not covered(reach, "buffer", "big").any()
    # Any tier: the small tier's 15 %.
    assert covered(reach, "buffer").mean() == pytest.approx(0.15)


def test_coverage_by_zone_weights_demand_and_checks_the_target():
    origins = grid_origins(_area(), cell_m=100)
    parks = _parks(("strip", _box(-100, 0, 0, 1000)))
    reach = _reach(origins, parks, _standard(("p", 0, 300), target=0.5))
    west = np.where(origins.x < X0 + 1000, "west", "east")
    # Residential land only in the western 400 m: 3 of its 4 columns are covered.
    weights = np.where(origins.x < X0 + 400, 1.0, 0.0)
    table = coverage_by_zone(origins.with_weights(weights, "residential"), reach, west)
    rows = table.set_index("zone")
    assert rows.loc["west", "buffer_share"] == pytest.approx(0.75)
    assert np.isnan(rows.loc["east", "buffer_share"])  # no residential land at all
    assert rows.loc["*", "buffer_share"] == pytest.approx(0.75)
    assert bool(rows.loc["west", "passes_buffer"])


def test_water_cells_are_not_land_demand():
    water = gpd.GeoDataFrame(geometry=[_box(0, 0, 500, 1000)], crs=4549)
    origins = grid_origins(_area(), cell_m=100, water=water)
    assert len(origins) == 150
    assert origins.weight.sum() == pytest.approx(1_500_000)


def test_residential_weights_are_the_exact_overlay():
    origins = grid_origins(_area(), cell_m=100)
    parcel = gpd.GeoDataFrame(geometry=[_box(50, 50, 250, 100)], crs=4549)
    w = residential_weights(origins, parcel)
    assert w.sum() == pytest.approx(200 * 50)
    assert (w > 0).sum() == 3  # the parcel touches three cells: 50 + 100 + 50 m wide


def test_population_points_and_polygons_land_in_their_cells():
    origins = grid_origins(_area(), cell_m=100)
    people = gpd.GeoDataFrame(
        {"population": [7, 100]},
        geometry=[shapely.Point(X0 + 10, Y0 + 10), _box(0, 0, 200, 100)],
        crs=4549,
    )
    w = population_weights(origins, people)
    assert w.sum() == pytest.approx(107)
    first = np.flatnonzero((origins.col == 0) & (origins.row == 0))[0]
    assert w[first] == pytest.approx(7 + 50)  # the point plus half the polygon


# --- a river with one bridge ---------------------------------------------------------


def _river_town():
    return walk_graph_from(*river_town())


def test_a_river_in_the_way_is_flagged():
    graph = _river_town()
    # A small park on the north bank at x = 100-200 m; the north path crosses it.
    park = _parks(("north", _box(100, 90, 200, 150)))
    # The south bank: one row of 40 m cells centred 20 m south of the path.
    area = gpd.GeoDataFrame(geometry=[_box(0, -30, 1000, 10)], crs=4549)
    origins = grid_origins(area, cell_m=40)
    assert set(origins.y - Y0) == {-20.0}
    reach = _reach(origins, park, _standard(("p", 0, 300)), graph=graph, limit_m=5000)
    home = np.flatnonzero(origins.x == X0 + 140)[0]
    assert reach.straight_m[0][home] == pytest.approx(110)
    # Walking: 20 m to the path, 760 m east to the bridge, 100 m across, 680 m back west
    # to x = 220, where the north path comes within the 20 m entrance tolerance of the park.
    assert reach.network_m is not None
    assert reach.network_m[0][home] == pytest.approx(20 + 760 + 100 + 680)
    capped = _reach(origins, park, _standard(("p", 0, 300)), graph=graph, limit_m=1000)
    assert np.isinf(capped.network_m[0][home])  # the search stops at its limit
    table = coverage_by_zone(origins, reach, np.full(len(origins), "bank")).set_index("zone")
    assert table.loc["bank", "buffer_share"] > 0.2
    assert table.loc["bank", "network_share"] < table.loc["bank", "buffer_share"]
    assert table.loc["bank", "buffer_not_network_share"] == pytest.approx(
        table.loc["bank", "buffer_share"] - table.loc["bank", "network_share"]
    )


def test_a_planned_park_updates_only_where_it_is_nearer():
    graph = _river_town()
    area = gpd.GeoDataFrame(geometry=[_box(0, -30, 1000, 10)], crs=4549)
    origins = grid_origins(area, cell_m=40)
    standard = _standard(("small", 0, 300), ("big", 20_000, 800))
    existing = _parks(("north", _box(100, 90, 200, 150)))
    # 30 m south of the path, beyond the entrance tolerance: one fallback entrance, gap added.
    planned = _parks(("planned", _box(500, -100, 700, -30)))
    prepared = prepare_reach(origins, existing, graph=graph)
    before = park_reach(prepared, standard)
    after = with_planned_park(before, prepared, planned)
    scratch = _reach(origins, pd.concat([existing, planned]), standard, graph=graph)
    np.testing.assert_allclose(after.straight_m, scratch.straight_m)
    assert after.network_m is not None
    assert scratch.network_m is not None
    np.testing.assert_allclose(after.network_m, scratch.network_m)
    assert covered(after, "network").sum() > covered(before, "network").sum()


# --- per capita and 2SFCA ------------------------------------------------------------


def test_per_capita_park_area_shares_a_park_split_by_a_boundary():
    zones = gpd.GeoDataFrame(
        {"zone_id": ["a", "b"]},
        geometry=[_box(0, 0, 1000, 1000), _box(1000, 0, 2000, 1000)],
        crs=4549,
    )
    parks = _parks(("p", _box(900, 0, 1100, 100)), ("q", _box(1500, 500, 1600, 600)))
    table = per_capita_park_area(parks, zones, pd.Series({"a": 1000.0})).set_index("zone_id")
    assert table.loc["a", "park_area_m2"] == pytest.approx(10_000)
    assert table.loc["b", "park_area_m2"] == pytest.approx(10_000 + 10_000)
    assert table.loc["a", "per_capita_m2"] == pytest.approx(10.0)
    assert np.isnan(table.loc["b", "per_capita_m2"])  # population unknown


def test_two_step_fca_shares_supply_among_the_people_in_reach():
    origins = grid_origins(_area(x1=400, y1=100), cell_m=100)  # x = 50, 150, 250, 350
    parks = _parks(("w", _box(-20, 40, -10, 60)), ("e", _box(410, 40, 420, 60)))
    parks["area_m2"] = [1000.0, 3000.0]
    score = two_step_fca(origins, parks, radius_m=200, population=np.array([10.0, 10, 10, 10]))
    # West park reaches x = 50, 150 (20 people): 50 m² each; east reaches x = 250, 350: 150.
    np.testing.assert_allclose(score, [50, 50, 150, 150])
    assert (score * 10).sum() == pytest.approx(4000)


# --- settings ------------------------------------------------------------------------


def test_the_shipped_standards_load_with_sources():
    settings = load_standards()
    ids = {s.standard_id for s in settings.standards}
    assert {"green300_park500", "garden_city", "gbt51346_tiers"} <= ids
    garden = settings.standard("garden_city")
    assert [(t.min_area_m2, t.radius_m) for t in garden.tiers] == [(2000, 300), (5000, 500)]
    assert settings.per_capita_target_m2 == 8.0
    assert settings.coverage_target == 0.8
    for standard in settings.standards:
        assert standard.source
        assert standard.confidence in {"V", "P", "U"}
        assert all(t.source and t.confidence in {"V", "P", "U"} for t in standard.tiers)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda t: t.update(radius_m=-300), ("服务半径", "radius_m")),
        (lambda t: t.update(radius_m="far"), ("服务半径", "radius_m")),
        (lambda t: t.update(min_area_m2=-1), ("最小面积", "min_area_m2")),
    ],
)
def test_bad_tier_settings_are_bilingual_errors(change, words):
    raw = json.loads(STANDARDS_PATH.read_text(encoding="utf-8"))
    change(raw["standards"][0]["tiers"][0])
    with pytest.raises(StandardError) as err:
        standards_from_dict(raw)
    assert all(w in str(err.value) for w in words)


def test_unknown_tier_and_standard_and_empty_parks_are_bilingual_errors():
    settings = load_standards()
    with pytest.raises(StandardError, match=r"没有层级.*has no tier 'huge'"):
        settings.standard("garden_city").tier("huge")
    with pytest.raises(StandardError, match=r"未知的标准.*Unknown standard"):
        settings.standard("nope")
    origins = grid_origins(_area(), cell_m=100)
    empty = gpd.GeoDataFrame({"park_id": [], "area_m2": []}, geometry=[], crs=4549)
    with pytest.raises(ParkAccessError, match=r"公园图层为空.*park layer is empty"):
        _reach(origins, empty, settings.standard("garden_city"))
    with pytest.raises(ParkAccessError, match=r"网格.*grid cell"):
        grid_origins(_area(), cell_m=0)
    reach = _reach(origins, _parks(("p", _box(0, 0, 10, 10))), _standard(("p", 0, 300)))
    with pytest.raises(ParkAccessError, match=r"路网.*walk network"):
        covered(reach, "network")


def test_an_unreadable_standards_file_is_a_bilingual_error(tmp_path):
    path = tmp_path / "park_standards.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StandardError, match=r"无法读取.*Cannot read"):
        load_standards(path)


# --- bundled parks -------------------------------------------------------------------


def test_bundled_parks_are_cited_equal_area_circles_inside_the_county(outline):
    register = load_park_register()
    assert register["area_source_id"].str.startswith("G").all()
    parks = bundled_parks()
    assert set(parks["park_id"]) == set(register.loc[register["located"], "park_id"])
    assert parks["approximate"].all()
    areas = parks.to_crs(4549).area.to_numpy()
    np.testing.assert_allclose(areas, parks["area_m2"], rtol=0.005)
    county = outline.geometry.iloc[0]
    assert parks.representative_point().within(county).all()
    done = park_completeness()
    assert done.located == len(parks)
    assert done.registered == len(register)
    assert (done.reference_over_5000, done.reference_year) == (210, 2021)


def test_origins_are_assigned_to_the_zone_that_holds_them(units):
    origins = grid_origins(units, cell_m=500)
    zone = zone_of_origins(origins, units, "unit_id")
    assert (zone != "").mean() > 0.99
    assert set(zone) - {""} <= set(units["unit_id"])


# access 1.1 uses pandas idioms that pandas 3 deprecates; its results are what is checked.
@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")
def test_two_step_fca_equals_pysal_access():
    """Independent check against pysal ``access`` (Luo & Wang's 2SFCA) on random parks."""
    from access import Access

    rng = np.random.default_rng(1)
    area = gpd.GeoDataFrame(geometry=[_box(0, 0, 3000, 2000)], crs=4549)
    origins = grid_origins(area, cell_m=100)
    people = rng.integers(0, 200, len(origins)).astype(float)
    centres = shapely.points(rng.uniform(X0, X0 + 3000, 12), rng.uniform(Y0, Y0 + 2000, 12))
    parks = gpd.GeoDataFrame(
        {"park_id": [f"p{i}" for i in range(12)], "area_m2": rng.uniform(1000, 50000, 12)},
        geometry=shapely.buffer(centres, rng.uniform(10, 80, 12)),
        crs=4549,
    )
    ours = two_step_fca(origins, parks, radius_m=500, population=people)
    cost = shapely.distance(origins.points[:, None], parks.geometry.to_numpy()[None, :])
    o_idx, p_idx = np.nonzero(np.isfinite(cost))
    reference = Access(
        demand_df=pd.DataFrame({"oid": np.arange(len(origins)), "pop": people}),
        demand_index="oid",
        demand_value="pop",
        supply_df=pd.DataFrame({"pid": np.arange(len(parks)), "area": parks["area_m2"]}),
        supply_index="pid",
        supply_value="area",
        cost_df=pd.DataFrame({"o": o_idx, "p": p_idx, "cost": cost[o_idx, p_idx]}),
        cost_origin="o",
        cost_dest="p",
        cost_name="cost",
    ).two_stage_fca(max_cost=500)
    theirs = reference.iloc[:, 0].reindex(range(len(origins))).fillna(0).to_numpy()
    assert (ours > 0).sum() > 100
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


def test_straight_distances_equal_exact_boundary_distances_per_tier():
    """Random parks of random sizes: every tier's distance matches shapely's exact one."""
    rng = np.random.default_rng(7)
    area = gpd.GeoDataFrame(geometry=[_box(0, 0, 4000, 3000)], crs=4549)
    origins = grid_origins(area, cell_m=50)
    centres = shapely.points(rng.uniform(X0, X0 + 4000, 40), rng.uniform(Y0, Y0 + 3000, 40))
    shapes = shapely.buffer(centres, rng.uniform(20, 150, 40), quad_segs=4)
    parks = gpd.GeoDataFrame(
        {"park_id": [f"p{i}" for i in range(40)], "area_m2": shapely.area(shapes)},
        geometry=shapes,
        crs=4549,
    )
    standard = _standard(("any", 0, 300), ("mid", 10_000, 500), ("big", 40_000, 800))
    reach = _reach(origins, parks, standard)
    exact_all = shapely.distance(origins.points[:, None], shapes[None, :])
    for t, tier in enumerate(standard.tiers):
        qualifies = parks["area_m2"].to_numpy() >= tier.min_area_m2
        exact = exact_all[:, qualifies].min(axis=1)
        limit = reach.limit_m[t]
        ours = reach.straight_m[t]
        near = exact <= limit - 5
        assert np.isinf(ours[exact > limit]).all()
        assert (ours[near] >= exact[near] - 1e-6).all()
        assert (ours[near] <= exact[near] + 5.0).all()  # boundary vertices every 10 m
        far = near & (exact >= 300)
        np.testing.assert_allclose(ours[far], exact[far], atol=0.05)
