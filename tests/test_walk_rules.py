"""The walking rules of issue 9 on hand-built networks with known answers.

Entrances along park edges, fenced parks through their gates, origins on the usable
network (not on fragments), off-network origins counted apart, and the rules the
page shows (verdict, 2SFCA means, map classes, default standard, search limits).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from analysis.distances import park_reach, prepare_reach
from analysis.indicators import (
    WHOLE_AREA,
    SurfaceClass,
    coverage_by_zone,
    meets_target,
    surface_classes,
)
from analysis.network import walk_graph_from
from analysis.standards import standards_from_dict
from geo.grid import grid_origins, origins_from_points
from geo.osm.entrances import AccessRules, fenced_parks, park_entrances
from geo.standards import read_standards_file
from tests.toy_networks import X0, Y0, lines_network, river_town, street

ANY = standards_from_dict(
    {
        "standards": [
            {"standard_id": "t", "tiers": [{"tier_id": "p", "min_area_m2": 0, "radius_m": 500}]}
        ]
    }
).standard("t")


def _box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _park(geom, park_id="park"):
    return gpd.GeoDataFrame(
        {"park_id": [park_id], "area_m2": [geom.area]}, geometry=[geom], crs=4549
    )


def _at(*xy):
    """Origins at exact points, in the order given, each of weight 1."""
    x = X0 + np.array([p[0] for p in xy], dtype=float)
    y = Y0 + np.array([p[1] for p in xy], dtype=float)
    points = gpd.GeoSeries(shapely.points(x, y), crs=4549)
    return origins_from_points(points), np.arange(len(xy))


def _walk(origins, parks, nodes, edges, *, entrances=None):
    graph = walk_graph_from(nodes, edges)
    prepared = prepare_reach(origins, parks, graph=graph, entrances=entrances)
    return park_reach(prepared, ANY, limit_m=5000)


def test_a_street_along_the_park_edge_reaches_it_all_along():
    # The park lies 15 m north of a street; no path crosses or enters it.
    park = _park(_box(100, 15, 300, 115))
    nodes, edges = lines_network(street(0, 1000))
    entrances = park_entrances(park, edges)
    assert (entrances["method"] == "edge").all()
    stretch = entrances[["offset_m", "end_offset_m"]].to_numpy()
    # Along the street, x from 100 - sqrt(20² - 15²) to 300 + sqrt(20² - 15²) is within 20 m.
    reach_x = math.sqrt(20**2 - 15**2)
    starts = entrances["edge_index"].to_numpy() * 100 + stretch[:, 0]
    ends = entrances["edge_index"].to_numpy() * 100 + stretch[:, 1]
    # (The 20 m zone is a buffer polygon: its rounded corners are exact to about 1 cm.)
    assert starts.min() == pytest.approx(100 - reach_x, abs=0.02)
    assert ends.max() == pytest.approx(300 + reach_x, abs=0.02)
    origins, _ = _at((600, -40))
    reach = _walk(origins, park, nodes, edges, entrances=entrances)
    assert reach.network_m[0][0] == pytest.approx(40 + 600 - (300 + reach_x), abs=0.02)
    # A place on the street in front of the park is at the park.
    front, _ = _at((200, -10))
    assert _walk(front, park, nodes, edges).network_m[0][0] == pytest.approx(10, abs=1e-6)


def test_an_isolated_footway_beside_a_park_is_not_where_walking_starts():
    park = _park(_box(100, 15, 300, 115))
    # A 40 m footway 10 m north of the park, joined to nothing; the main street is south.
    segments = [*street(0, 2000), ((150, 125), (190, 125))]
    nodes, edges = lines_network(segments)
    origins, _ = _at((170, 160))
    reach = _walk(origins, park, nodes, edges)
    assert not reach.off_network[0]
    # It starts on the main street, 160 m south, which passes within 15 m of the park.
    assert reach.network_m[0][0] == pytest.approx(160, abs=1e-6)
    # With fragments allowed (min_component_m = 0) it would start on the footway.
    graph = walk_graph_from(nodes, edges)
    loose = prepare_reach(origins, park, graph=graph, rules=AccessRules(min_component_m=0))
    assert park_reach(loose, ANY).network_m[0][0] == pytest.approx(35, abs=1e-6)


def test_a_fenced_park_with_one_gate_is_entered_through_the_gate_only():
    park_shape = _box(100, 15, 300, 115)
    park = _park(park_shape)
    # The street; a side path from (400, 0) north to (400, 65), then west to the gate at (300, 65).
    segments = [*street(0, 1000), ((400, 0), (400, 65)), ((400, 65), (300, 65))]
    nodes, edges = lines_network(segments)
    features = gpd.GeoDataFrame(
        {"barrier": ["fence", "gate"]},
        geometry=[park_shape.exterior, shapely.Point(X0 + 300, Y0 + 65)],
        crs=4549,
    )
    assert fenced_parks(park, features).tolist() == [True]
    entrances = park_entrances(park, edges, features=features)
    assert entrances["method"].tolist() == ["gate"]
    origins, _ = _at((200, -40))
    reach = _walk(origins, park, nodes, edges, entrances=entrances)
    assert reach.straight_m[0][0] == pytest.approx(55)
    # 40 m to the street, 200 m east, 65 m north, 100 m west to the gate.
    assert reach.network_m[0][0] == pytest.approx(40 + 200 + 65 + 100, abs=1e-3)
    # Without the fence, the street in front of the park reaches it.
    open_park = park_entrances(park, edges, features=features.iloc[[1]])
    assert set(open_park["method"]) == {"gate", "edge"}
    assert _walk(origins, park, nodes, edges, entrances=open_park).network_m[0][0] == pytest.approx(
        40, abs=1e-3
    )


def test_an_origin_far_from_every_path_is_off_the_network_not_uncovered():
    park = _park(_box(100, 15, 300, 115))
    nodes, edges = lines_network(street(0, 1500))
    origins, order = _at((600, -40), (300, -400), (1400, -100))
    reach = _walk(origins, park, nodes, edges)
    far = order[1]
    assert reach.off_network.tolist() == [i == far for i in range(3)]
    assert np.isinf(reach.network_m[0][far])
    table = coverage_by_zone(origins, reach, np.full(3, "z", dtype=object)).set_index("zone")
    row = table.loc["z"]
    assert row["network_share"] == pytest.approx(1 / 3)
    assert row["off_network_share"] == pytest.approx(1 / 3)
    # The buffer covers the far one (straight 415 m < 500 m), but it is not "a river in the
    # way": it is off the network, counted apart.
    assert reach.straight_m[0][far] < 500
    assert row["buffer_not_network_share"] == pytest.approx(0.0)
    for view in ("coverage", "gap", "distance"):
        classes = surface_classes(origins, reach, view=view, method="network", tier_id="p")
        assert classes[far] == SurfaceClass.OFF_NETWORK
    buffer = surface_classes(origins, reach, view="coverage", method="buffer", tier_id="p")
    assert buffer[far] == SurfaceClass.COVERED


def test_walking_is_never_shorter_than_the_straight_line_minus_the_tolerance():
    rng = np.random.default_rng(3)
    park = _park(_box(400, 40, 700, 300))
    segments = [
        *street(0, 1200),
        *street(0, 1200, y=400),
        ((800, 0), (800, 400)),
        ((200, 0), (200, 400)),
    ]
    nodes, edges = lines_network(segments)
    xy = list(
        zip(rng.uniform(0, 1200, 300).round(), rng.uniform(-200, 600, 300).round(), strict=True)
    )
    origins, _ = _at(*dict.fromkeys(xy))
    reach = _walk(origins, park, nodes, edges)
    exact = shapely.distance(origins.points, park.geometry.iloc[0])
    walk = reach.network_m[0]
    ok = np.isfinite(walk)
    assert ok.mean() > 0.9
    assert (walk[ok] >= exact[ok] - 20.0 - 1e-6).all()
    # Boundary vertices every 10 m, exact within 150 m: off by < 9 cm anywhere.
    np.testing.assert_allclose(reach.straight_m[0][ok], exact[ok], atol=0.09)


def test_the_gap_map_classes_on_the_river_town():
    nodes, edges = river_town()
    park = _park(_box(100, 90, 200, 150), "north")
    area = gpd.GeoDataFrame(geometry=[_box(0, -30, 1000, 10)], crs=4549)
    origins = grid_origins(area, cell_m=40)
    standard = standards_from_dict(
        {
            "standards": [
                {"standard_id": "t", "tiers": [{"tier_id": "p", "min_area_m2": 0, "radius_m": 300}]}
            ]
        }
    ).standard("t")
    graph = walk_graph_from(nodes, edges)
    reach = park_reach(prepare_reach(origins, park, graph=graph), standard)
    classes = surface_classes(origins, reach, view="gap", method="network", tier_id=None)
    home = np.flatnonzero(origins.x == X0 + 140)[0]  # 110 m across the river from the park
    far_east = np.flatnonzero(origins.x == X0 + 980)[0]
    assert classes[home] == SurfaceClass.BUFFER_ONLY
    assert classes[far_east] == SurfaceClass.NOT_COVERED
    coverage = surface_classes(origins, reach, view="coverage", method="network", tier_id=None)
    assert coverage[home] == SurfaceClass.NOT_COVERED
    no_demand = origins.with_weights(np.zeros(len(origins)), "land")
    assert (
        surface_classes(no_demand, reach, view="gap", method="network", tier_id=None) == 0
    ).all()


def test_the_verdict_is_at_least_the_target_in_every_table():
    park = _park(_box(0, 0, 100, 100))
    area = gpd.GeoDataFrame(geometry=[_box(0, 0, 1000, 100)], crs=4549)
    origins = grid_origins(area, cell_m=100)  # 10 cells; the park holds the first
    half = standards_from_dict(
        {
            "standards": [
                {
                    "standard_id": "t",
                    "target_share": 0.5,
                    "tiers": [{"tier_id": "p", "min_area_m2": 0, "radius_m": 400}],
                }
            ]
        }
    ).standard("t")
    reach = park_reach(prepare_reach(origins, park), half)
    zone = np.where(origins.x < X0 + 500, "west", "east").astype(object)
    table = coverage_by_zone(origins, reach, zone).set_index("zone")
    # Cells centred at 50..450 m lie within 400 m of the park (west: all 5; east: 0 of 5).
    assert table.loc["west", "buffer_share"] == 1.0
    assert table.loc["east", "buffer_share"] == 0.0
    assert table.loc[WHOLE_AREA, "buffer_share"] == 0.5
    assert table["passes_buffer"].tolist() == [False, True, True]  # sorted: east, west, *
    assert meets_target(0.5, 0.5) is True
    assert meets_target(0.49, 0.5) is False


def test_the_default_standard_and_the_search_limit_come_from_the_settings():
    raw = read_standards_file()
    shipped = standards_from_dict(raw)
    assert shipped.default.standard_id == raw["standards"][0]["standard_id"]
    assert shipped.search_limit_m == 6000.0  # twice the largest radius, 3000 m
    chosen = standards_from_dict({**raw, "default_standard": "garden_city"})
    assert chosen.default.standard_id == "garden_city"
    with pytest.raises(ValueError, match=r"默认标准.*default standard"):
        standards_from_dict({**raw, "default_standard": "nope"})


def test_tiers_by_inventory_class_against_tiers_by_size():
    tiers = [
        {"tier_id": "garden", "min_area_m2": 400, "radius_m": 300, "classes": ["garden"]},
        {"tier_id": "big", "min_area_m2": 50_000, "radius_m": 800, "classes": ["comprehensive"]},
    ]
    standard = standards_from_dict({"standards": [{"standard_id": "t", "tiers": tiers}]}).standard(
        "t"
    )
    # A 6 ha park listed as 游园 (garden) and a 3 ha park listed as 综合公园.
    parks = gpd.GeoDataFrame(
        {
            "park_id": ["a", "b"],
            "area_m2": [60_000.0, 30_000.0],
            "park_class": ["garden", "comprehensive"],
        },
        geometry=[_box(0, 0, 100, 100), _box(3000, 0, 3100, 100)],
        crs=4549,
    )
    origins, _ = _at((700, 50), (3700, 50))  # 600 m east of each park
    prepared = prepare_reach(origins, parks)
    by_size = park_reach(prepared, standard)
    by_class = park_reach(prepared, standard, basis="class")
    big = standard.tier_index("big")
    assert by_size.straight_m[big][0] == pytest.approx(600)
    assert (
        np.isinf(by_size.straight_m[big][1]) or by_size.straight_m[big][1] > 2000
    )  # 3 ha: too small
    assert by_class.straight_m[big][1] == pytest.approx(600)  # a comprehensive park by class
    assert by_class.straight_m[big][0] > 2000  # a garden by class, whatever its size
    with pytest.raises(ValueError, match=r"classes.*park classes"):
        standards_from_dict(
            {"standards": [{"standard_id": "t", "tiers": [{**tiers[0], "classes": ["huge"]}]}]}
        )
