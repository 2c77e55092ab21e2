"""The folium builder: local assets only, legend, labels, escaping, layer registry."""

from __future__ import annotations

import json
import re

import folium
import folium.plugins
import pytest

from geo.errors import LayerSpecError, UnknownLayerError
from layers.assets import localize_assets, walk_elements
from layers.cluster_view import cluster_layers, cluster_map_inputs
from layers.corridors_view import transit_layers
from layers.elements import FastGeoJson, Legend
from layers.render import (
    build_map,
    selected_cluster_group,
)
from layers.specs import BASEMAPS, LAYERS, BasemapSpec, MapLayer, basemap_by_id, layer_by_id


def _render(inputs, lang, basemap_id="none", key=None):
    m = build_map(
        cluster_layers(inputs, lang),
        lang=lang,
        basemap=basemap_by_id(basemap_id),
        basemap_key=key,
    )
    return m.get_root().render()


@pytest.fixture(scope="module")
def inputs_zh(outline, units, clusters):
    return cluster_map_inputs(outline, units, clusters, lang="zh")


@pytest.fixture(scope="module")
def inputs_en(outline, units, clusters):
    return cluster_map_inputs(outline, units, clusters, lang="en")


def test_map_loads_only_local_assets(inputs_zh):
    page = _render(inputs_zh, "zh")
    urls = set(re.findall(r'(?:src|href)="([^"]+)"', page))
    assert urls == {
        "/app/static/vendor/leaflet/leaflet.js",
        "/app/static/vendor/leaflet/leaflet.css",
    }
    assert "cdn" not in page.lower()


def test_chinese_and_english_texts(inputs_zh, inputs_en):
    zh, en = _render(inputs_zh, "zh"), _render(inputs_en, "en")
    for text in ("图例", "东部组团", "单元边界（示意）", "边界为示意"):
        assert text in zh or json.dumps(text)[1:-1] in zh
    assert "Legend" in en
    assert "South cluster" in en
    assert "approximate boundary" in en
    assert "图例" not in en


def test_four_cluster_features_with_colours(inputs_zh):
    features = inputs_zh.clusters_geojson["features"]
    assert [f["properties"]["cluster_id"] for f in features] == ["east", "west", "north", "south"]
    assert len({f["properties"]["colour"] for f in features}) == 4
    assert len(inputs_zh.units_geojson["features"]) == 11


def test_payload_is_small(inputs_zh):
    assert len(_render(inputs_zh, "zh").encode()) < 300_000


def test_html_in_names_is_escaped(outline, units, clusters):
    hostile = units.copy()
    hostile.loc[0, "name_zh"] = '<img src=x onerror="alert(1)">'
    inputs = cluster_map_inputs(outline, hostile, clusters, lang="zh")
    page = _render(inputs, "zh")
    assert "<img src=x" not in page
    assert "\\u0026lt;img src=x" in page  # escaped once, then JSON-encoded by folium
    feature = next(f for f in inputs.units_geojson["features"] if f["properties"]["tt_name"])
    assert "<" not in feature["properties"]["name"]


def test_unvendored_plugin_is_refused():
    m = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(LayerSpecError, match="not vendored"):
        localize_assets(m)


def test_tianditu_needs_a_key_and_puts_it_in_the_url(inputs_zh):
    with pytest.raises(LayerSpecError, match="needs a key"):
        _render(inputs_zh, "zh", basemap_id="tianditu")
    page = _render(inputs_zh, "zh", basemap_id="tianditu", key="abc123")
    assert "tianditu.gov.cn/vec_w/wmts" in page
    assert "tianditu.gov.cn/cva_w/wmts" in page
    assert "tk=abc123" in page


def test_selected_group_is_empty_without_a_selection(inputs_zh):
    assert not selected_cluster_group(None, lang="zh")._children
    group = selected_cluster_group(inputs_zh.cluster_feature("south"), lang="zh")
    assert len(group._children) == 1


def test_registries_have_unique_ids_and_clear_errors():
    assert len({b.id for b in BASEMAPS}) == len(BASEMAPS)
    assert len({spec.id for spec in LAYERS}) == len(LAYERS)
    with pytest.raises(UnknownLayerError, match="use one of"):
        basemap_by_id("gaode")
    with pytest.raises(UnknownLayerError, match="use one of"):
        layer_by_id("no_such_layer")
    with pytest.raises(LayerSpecError, match="no \\{key\\} slot"):
        BasemapSpec(id="x", label_key="x", tiles=("https://x/{z}",), needs_key=True)


def test_extra_source_line_reaches_the_legend(inputs_en):
    m = build_map(
        cluster_layers(inputs_en, "en"),
        lang="en",
        basemap=basemap_by_id("none"),
        extra_sources="© OpenStreetMap contributors (ODbL)",
    )
    assert "OpenStreetMap contributors (ODbL)" in m.get_root().render()


def test_corridors_map_draws_stations_rail_and_local_assets_only(inputs_zh):
    from geo.transit import load_line_stations, load_lines, load_stations
    from layers.corridors_view import transit_map_inputs

    transit = transit_map_inputs(
        lines=load_lines(),
        line_stations=load_line_stations(),
        stations=load_stations(),
        lang="zh",
    )
    assert len(transit.stations) == 7
    flagged = [s["label"] for s in transit.stations if "位置为近似" in s["tooltip"]]
    assert sorted(flagged) == sorted(["光明路", "兆丰路", "阳澄湖", "花桥（城际）"])
    assert transit.schematic
    # Only Shanghai Line 11 has consecutive located stations: 花桥-光明路-兆丰路,
    # merged into one schematic feature.
    features = transit.rail_geojson["features"]
    assert len(features) == 1
    assert len(features[0]["geometry"]["coordinates"]) == 3
    layers = [*cluster_layers(inputs_zh, "zh", muted=True), *transit_layers(transit, "zh")]
    m = build_map(layers, lang="zh", basemap=basemap_by_id("none"))
    page = m.get_root().render()
    # One layer of 7 station points, one of their 7 labels; 4 cluster names.
    assert page.count('"type":"Point"') == 7 + 7 + 4
    assert "花桥" in page  # names as UTF-8 (the script-safe JSON does not \u-escape them)
    assert json.dumps("地铁")[1:-1] in page or "地铁" in page
    urls = set(re.findall(r'(?:src|href)="([^"]+)"', page))
    assert all(u.startswith("/app/static/vendor/") for u in urls)
    # Station names are hidden below their layer's min zoom, by a rule on their own class.
    assert ".hide-lyr-station-labels .lyr-station-labels {display:none;}" in page
    assert "z<12||z>22" in page


def _line_fc(name: str) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"tt": name, "colour": "#c51b7d", "dashed": False, "kind": "river"},
                "geometry": {"type": "LineString", "coordinates": [[120.9, 31.3], [121.0, 31.35]]},
            }
        ],
    }


def _drawn_layers(*elements) -> tuple[set[str], list[str]]:
    """Every layer element drawn (GeoJSON, feature group), by spec id; and those without one."""

    kinds = (folium.GeoJson, folium.FeatureGroup, FastGeoJson)
    drawn, untagged = set(), []
    for element in elements:
        for child in walk_elements(element):
            if isinstance(child, kinds):
                spec_id = getattr(child, "spec_id", None)
                if spec_id is None:
                    untagged.append(type(child).__name__)
                else:
                    drawn.add(spec_id)
    return drawn, untagged


def test_every_drawn_layer_has_a_spec_and_every_spec_is_drawn(inputs_zh):
    """The pages' maps, with every layer each can show, draw exactly the registry's layers."""
    import dataclasses

    import geopandas as gpd
    import shapely

    from geo.transit import load_line_stations, load_lines, load_stations
    from layers.corridors_view import transit_map_inputs
    from layers.render import (
        catchment_group,
        selected_cluster_group,
        site_focus_group,
        surface_group,
    )

    transit = dataclasses.replace(
        transit_map_inputs(
            lines=load_lines(),
            line_stations=load_line_stations(),
            stations=load_stations(),
            lang="zh",
        ),
        water_geojson=_line_fc("河"),
        roads_geojson=_line_fc("路"),
        plan_geojson=_line_fc("规划"),
        corridor_geojson=_line_fc("廊道"),
    )
    square = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"tt": "p", "colour": "#238b45", "park_id": "p1"},
                "geometry": shapely.geometry.mapping(shapely.box(120.95, 31.38, 120.96, 31.39)),
            }
        ],
    }
    point = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"tt": "e"},
                "geometry": {"type": "Point", "coordinates": [120.95, 31.38]},
            }
        ],
    }
    none = basemap_by_id("none")
    base, muted = cluster_layers(inputs_zh, "zh"), cluster_layers(inputs_zh, "zh", muted=True)
    pages = [  # each page's layers, composed as the page composes them
        base,  # clusters page
        [*muted, *transit_layers(transit, "zh")],  # corridors
        [  # parks, with a scenario and suggested sites
            *muted,
            MapLayer("parks", square),
            MapLayer("park_entrances", point),
            MapLayer("planned_parks", square),
            MapLayer("suggested_sites", square),
            MapLayer("suggested_site_marks", point),
        ],
        [*muted, MapLayer("upload_preview", point)],  # an upload's preview
    ]
    maps = [build_map(layers, lang="zh", basemap=none) for layers in pages]
    discs = gpd.GeoDataFrame(
        {"station_id": ["s1"]}, geometry=[shapely.Point(120.95, 31.38).buffer(0.005)], crs=4326
    )
    overlays = [
        selected_cluster_group(inputs_zh.cluster_feature("east"), lang="zh"),
        catchment_group(discs, lang="zh"),
        surface_group("data:image/png;base64,", ((31.3, 120.9), (31.4, 121.0)), lang="zh"),
        site_focus_group((120.95, 31.38), lang="zh", fit=(120.94, 31.37, 120.96, 31.39)),
    ]
    drawn, untagged = _drawn_layers(*maps, *overlays)
    assert not untagged  # every drawn layer names its spec
    assert drawn == {spec.id for spec in LAYERS}  # and every spec is drawn somewhere
    # Each map's legend lists exactly the layers it draws that belong in a legend.
    for m in maps:
        on_map, _ = _drawn_layers(m)
        legend = next(c for c in walk_elements(m) if isinstance(c, Legend))
        listed = set(re.findall(r'data-layer="(\w+)"', json.loads(legend.html_json)))
        expected = {i for i in on_map if layer_by_id(i).in_legend and layer_by_id(i).visible}
        assert listed == expected
