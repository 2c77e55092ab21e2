"""Compose a map from layer specs and prepared GeoJSON (the one folium builder).

Assets and their localisation live in :mod:`layers.assets`, the custom Leaflet
elements in :mod:`layers.elements`, the legend in :mod:`layers.legend`; every
style comes from :mod:`layers.specs`.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import folium
import geopandas as gpd
from branca.element import Element, Figure
from folium.utilities import JsCode

from geo.display import geojson_for_display
from geo.errors import LayerSpecError
from layers.assets import STATIC_URL, localize_assets
from layers.corridors_view import MODE_COLOURS
from layers.elements import FastGeoJson, Legend, MapScript
from layers.labels import Lang, tr
from layers.legend import drawn_specs, legend_html

if TYPE_CHECKING:
    from layers.cluster_view import ClusterMapInputs
    from layers.corridors_view import TransitMapInputs
from layers.specs import (
    UNIT_TOOLTIP_FIELDS,
    BasemapSpec,
    LayerSpec,
    layer_by_id,
)

__all__ = [
    "ZOOM_SNAP",
    "MapView",
    "build_cluster_map",
    "catchment_group",
    "selected_cluster_group",
    "view_for_bounds",
]

_E = TypeVar("_E", bound=Element)
_DEFAULT_CENTER = (31.33, 120.98)
_TILE_SIZE_PX = 256
ZOOM_SNAP = 0.25

_MAP_CSS = """
<style>
.cluster-label div {font: 600 13px/1.2 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;
  color:#222; text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff; white-space:nowrap;
  transform: translate(-50%, -50%); pointer-events:none;}
.planning-legend {background:rgba(255,255,255,.92); padding:6px 9px; border-radius:4px;
  font: 12px/1.45 "Noto Sans CJK SC","Microsoft YaHei",sans-serif; color:#222;
  box-shadow:0 1px 4px rgba(0,0,0,.3); max-width:240px;}
.planning-legend .sw {display:inline-block; width:14px; height:10px; margin-right:5px;
  vertical-align:middle; border:1px solid #555;}
.planning-legend .ln {display:inline-block; width:14px; height:0; margin-right:5px;
  vertical-align:middle;}
.planning-legend summary {cursor:pointer;}
.planning-legend .src {color:#555; font-size:10.5px; margin-top:3px;}
.planning-legend details[open] {max-height:45vh; overflow-y:auto;}
.planning-legend .dot {display:inline-block; width:9px; height:9px; margin:0 7px 0 2px;
  border-radius:50%; border:1px solid #222; vertical-align:middle;}
.leaflet-container.no-basemap {background:#eef2f3;}
.leaflet-interactive:focus {outline:none;}
.station-label div {font: 12px/1.2 "Noto Sans CJK SC","Microsoft YaHei",sans-serif; color:#111;
  text-shadow:0 0 3px #fff,0 0 3px #fff; white-space:nowrap; transform: translate(8px, -50%);
  pointer-events:none;}
.hide-station-labels .station-label {display:none;}
</style>
"""


@dataclass(frozen=True)
class MapView:
    """A map centre (lat, lon) and zoom level."""

    center: tuple[float, float]
    zoom: float


def view_for_bounds(
    bounds: tuple[float, float, float, float],
    *,
    width_px: int = 700,
    height_px: int = 600,
    max_zoom: int = 16,
    zoom_snap: float = ZOOM_SNAP,
) -> MapView:
    """Return the centre and the largest zoom at which ``bounds`` fits the map.

    Parameters
    ----------
    bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` in WGS84 degrees.

    Examples
    --------
    >>> view_for_bounds((120.8, 31.1, 121.2, 31.55))
    MapView(center=(31.325, 121.0), zoom=10.5)
    """
    min_lon, min_lat, max_lon, max_lat = bounds

    def _merc_y(lat: float) -> float:
        rad = math.radians(lat)
        return math.log(math.tan(math.pi / 4 + rad / 2))

    lon_fraction = max(max_lon - min_lon, 1e-9) / 360.0
    lat_fraction = max(_merc_y(max_lat) - _merc_y(min_lat), 1e-9) / (2 * math.pi)
    zoom_x = math.log2(width_px / _TILE_SIZE_PX / lon_fraction)
    zoom_y = math.log2(height_px / _TILE_SIZE_PX / lat_fraction)
    fitted = math.floor(min(zoom_x, zoom_y) / zoom_snap) * zoom_snap
    zoom = max(0.0, min(float(max_zoom), fitted))
    center = (round((min_lat + max_lat) / 2, 6), round((min_lon + max_lon) / 2, 6))
    return MapView(center=center, zoom=zoom)


def _style(colour_property: str | None, base: dict[str, object]) -> Any:
    def style(feature: dict[str, Any]) -> dict[str, object]:
        out = dict(base)
        if colour_property:
            colour = feature["properties"][colour_property]
            out.update(color=colour, fillColor=colour)
        return out

    return style


def _tagged(element: _E, spec: LayerSpec) -> _E:
    """Mark ``element`` as drawing ``spec`` (tests check every drawn layer has a spec)."""
    element.spec_id = spec.id  # type: ignore[attr-defined]
    return element


def _spec_geojson(
    layer_id: str, data: dict[str, Any], lang: Lang, *, muted: bool = False
) -> FastGeoJson:
    """Return ``data`` drawn as the layer ``layer_id`` declares (style, tooltip, points)."""
    spec = layer_by_id(layer_id)
    fn = spec.style_function
    layer = FastGeoJson(
        data,
        name=tr(spec.label_key, lang),
        base_style=spec.path_style(muted=muted),
        colour_property="colour" if fn else None,
        colour_stroke=fn in {"colour", "colour_dashed"},
        colour_fill=fn in {"colour", "colour_fill"},
        dash_property="dashed" if fn == "colour_dashed" else None,
        tooltip=bool(spec.tooltip_fields),
        point_radius=spec.point_radius,
        show=spec.visible,
    )
    return _tagged(layer, spec)


def build_cluster_map(
    inputs: ClusterMapInputs,
    *,
    lang: Lang,
    basemap: BasemapSpec,
    basemap_key: str | None = None,
    extra_sources: str = "",
    transit: TransitMapInputs | None = None,
    parks_geojson: dict[str, Any] | None = None,
    entrances_geojson: dict[str, Any] | None = None,
    preview_geojson: dict[str, Any] | None = None,
    static_url: str = STATIC_URL,
) -> folium.Map:
    """Build a page's base map (identical across reruns for equal inputs).

    The cluster overview draws the clusters and units; with ``transit`` (the
    corridors page) the clusters are drawn lighter underneath water, roads, the
    plan's own networks, rail by mode and status, and the stations.

    Parameters
    ----------
    inputs
        Display layers from :func:`layers.cluster_view.cluster_map_inputs`, in ``lang``:
        cluster features carry ``cluster_id`` and ``colour``; unit features carry
        ``cluster_id`` and the pre-escaped tooltip fields ``tt_*``.
    lang
        Language of every text on the map.
    basemap, basemap_key
        The basemap spec and its key where one is needed.
    extra_sources
        A further source line for the legend (e.g. the OpenStreetMap attribution).
    transit
        Transit layers from :func:`layers.corridors_view.transit_map_inputs`.
    parks_geojson
        Parks from :func:`layers.parks_view.park_features` (the parks page), drawn
        over lighter clusters, coloured by tier.
    entrances_geojson
        Park entrances from :func:`layers.parks_view.entrance_features` (small dots).
    preview_geojson
        A planner's layer before it is accepted (:func:`layers.preview_view.preview_features`),
        drawn in magenta over everything.
    static_url
        Where the app serves its vendored Leaflet.
    """
    m = folium.Map(
        location=_DEFAULT_CENTER,
        zoom_start=10,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        max_zoom=basemap.max_zoom,
        zoom_snap=ZOOM_SNAP,
        zoom_delta=0.5,
    )
    root = cast("Figure", m.get_root())
    root.header.add_child(Element(_MAP_CSS))
    if basemap.tiles:
        for i, url in enumerate(basemap.tile_urls(basemap_key)):
            folium.TileLayer(
                tiles=url,
                attr=basemap.attribution,
                name=tr(basemap.label_key, lang) if i == 0 else f"{tr(basemap.label_key, lang)} ·",
                subdomains=basemap.subdomains or "abc",
                max_zoom=basemap.max_zoom,
                overlay=i > 0,
                control=i == 0,
            ).add_to(m)
    else:
        MapScript("MAP.getContainer().classList.add('no-basemap');").add_to(m)

    clusters_spec = layer_by_id("clusters")
    # Beneath a page's own theme (parks, rail) the clusters are drawn muted.
    muted = transit is not None or parks_geojson is not None
    _tagged(
        folium.GeoJson(
            inputs.clusters_geojson,
            name=tr(clusters_spec.label_key, lang),
            style_function=_style("colour", clusters_spec.path_style(muted=muted)),
            highlight_function=lambda _: {"weight": 4, "fillOpacity": 0.5},
            tooltip=folium.GeoJsonTooltip(fields=list(clusters_spec.tooltip_fields), labels=False),
        ),
        clusters_spec,
    ).add_to(m)

    units_spec = layer_by_id("units")
    aliases = [
        tr("unit", lang),
        tr("cluster", lang),
        tr("area_km2", lang),
        tr("population", lang),
        tr("boundary_quality", lang),
    ]
    if len(aliases) != len(UNIT_TOOLTIP_FIELDS):
        msg = "Unit tooltip aliases and fields differ in length."
        raise LayerSpecError(msg)
    _tagged(
        folium.GeoJson(
            inputs.units_geojson,
            name=tr(units_spec.label_key, lang),
            style_function=_style(None, units_spec.style),
            highlight_function=lambda _: {"weight": 3, "color": "#000000"},
            tooltip=folium.GeoJsonTooltip(
                fields=list(UNIT_TOOLTIP_FIELDS), aliases=aliases, sticky=True
            ),
        ),
        units_spec,
    ).add_to(m)

    outline_spec = layer_by_id("outline")
    _tagged(
        folium.GeoJson(
            inputs.outline_geojson,
            name=tr(outline_spec.label_key, lang),
            style_function=_style(None, outline_spec.style),
            interactive=False,
        ),
        outline_spec,
    ).add_to(m)

    labels_spec = layer_by_id("cluster_labels")
    label_group = _tagged(folium.FeatureGroup(name=tr(labels_spec.label_key, lang)), labels_spec)
    for label in inputs.labels:
        folium.Marker(
            location=(label["lat"], label["lon"]),
            icon=folium.DivIcon(
                html=f"<div>{html.escape(label['label'])}</div>",
                class_name="cluster-label",
                icon_size=(0, 0),
            ),
            interactive=False,
        ).add_to(label_group)
    label_group.add_to(m)
    if transit is not None:
        _add_transit(m, transit, lang)
    for layer_id, layer_data in (
        ("parks", parks_geojson),
        ("park_entrances", entrances_geojson),
        ("upload_preview", preview_geojson),
    ):
        if layer_data is not None and layer_data["features"]:
            _spec_geojson(layer_id, layer_data, lang).add_to(m)
    categories: dict[str, list[tuple[str, str, bool]]] = {
        "clusters": [(c["label"], c["colour"], False) for c in inputs.labels],
    }
    if transit is not None and transit.modes:
        categories["rail"] = [
            (tr("mode_" + mode, lang), MODE_COLOURS.get(mode, "#525252"), False)
            for mode in transit.modes
        ] + [
            (
                f"{tr('status_planned', lang)} / {tr('status_under_construction', lang)}",
                "#525252",
                True,
            )
        ]
    unit_title = tr("legend_units" if inputs.approximate_units else "legend_units_official", lang)
    legend = legend_html(
        drawn_specs(m),
        lang=lang,
        categories=categories,
        titles={"units": unit_title, "outline": tr("legend_outline", lang)},
        extra_sources=extra_sources,
    )
    Legend(legend).add_to(m)
    return localize_assets(m, static_url=static_url)


def _add_transit(m: folium.Map, transit: TransitMapInputs, lang: Lang) -> None:
    """Add water, roads, uploaded plan networks, rail and stations to ``m``."""
    for layer_id, data in (
        ("water", transit.water_geojson),
        ("roads", transit.roads_geojson),
        ("plan_lines", transit.plan_geojson),
        ("eco_corridors", transit.corridor_geojson),
        ("rail", transit.rail_geojson),
    ):
        if data["features"]:
            _spec_geojson(layer_id, data, lang).add_to(m)
    # One GeoJSON layer for all stations (and one for their labels), not two
    # folium markers per station: each marker is a template render (3 s for 270).
    points = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
                "properties": {
                    "station_id": s["station_id"],  # a click comes back by this id
                    "tooltip": s["tooltip"],
                    "label": html.escape(s["label"]),
                },
            }
            for s in transit.stations
        ],
    }
    stations, names = layer_by_id("stations"), layer_by_id("station_labels")
    group = _tagged(folium.FeatureGroup(name=tr(stations.label_key, lang)), stations)
    if points["features"]:
        look = stations.style
        _tagged(
            folium.GeoJson(
                points,
                marker=folium.CircleMarker(
                    radius=stations.point_radius or 6,
                    color=str(look["color"]),
                    weight=float(look["weight"]),  # type: ignore[arg-type]
                    fill=True,
                    fill_color=str(look["fillColor"]),
                    fill_opacity=1,
                ),
                tooltip=folium.GeoJsonTooltip(fields=list(stations.tooltip_fields), labels=False),
                control=False,
            ),
            stations,
        ).add_to(group)
        _tagged(folium.GeoJson(
            points,
            marker=folium.Marker(icon=folium.DivIcon(class_name="station-label")),
            # Labels are escaped in Python; the icon only wraps them.
            on_each_feature=JsCode(
                "function(f,l){l.setIcon(L.divIcon({className:'station-label',iconSize:[0,0],"
                "html:'<div>'+f.properties.label+'</div>'}));}"
            ),
            interactive=False,
            control=False,
        ), names).add_to(group)
    group.add_to(m)
    # Station names only from their layer's min zoom on, where they no longer overlap.
    MapScript(
        "(function(){var c=MAP.getContainer();function f(){"
        f"c.classList.toggle('hide-station-labels',MAP.getZoom()<{names.min_zoom});}}"
        "MAP.on('zoomend',f);f();})();"
    ).add_to(m)


def selected_cluster_group(
    feature: dict[str, Any] | None, *, lang: Lang, static_url: str = STATIC_URL
) -> folium.FeatureGroup:
    """Return the highlight of the selected cluster (empty group when none).

    An empty group, not ``None``, is passed to ``st_folium`` so that the old
    highlight is removed (streamlit-folium issue #163).
    """
    spec = layer_by_id("selected_cluster")
    group = _tagged(folium.FeatureGroup(name=tr(spec.label_key, lang)), spec)
    if feature is not None:
        colour = feature["properties"]["colour"]
        look = {**spec.style, "color": colour, "fillColor": colour}
        _tagged(
            folium.GeoJson(
                {"type": "FeatureCollection", "features": [feature]},
                style_function=lambda _: look,
                interactive=False,
            ),
            spec,
        ).add_to(group)
    return localize_assets(group, static_url=static_url)


def catchment_group(
    catchments: gpd.GeoDataFrame, *, lang: Lang, static_url: str = STATIC_URL
) -> folium.FeatureGroup:
    """Return the station catchments as a layer that changes without remounting the map."""
    spec = layer_by_id("catchments")
    group = _tagged(folium.FeatureGroup(name=tr(spec.label_key, lang)), spec)
    shapes = catchments[~catchments.geometry.is_empty]
    if not shapes.empty:
        look = dict(spec.style)
        _tagged(
            folium.GeoJson(
                geojson_for_display(shapes, columns=[spec.id_property], tolerance_m=5.0),
                style_function=lambda _: look,
                interactive=False,
            ),
            spec,
        ).add_to(group)
    return localize_assets(group, static_url=static_url)


def surface_group(
    image_url: str | None,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None,
    *,
    lang: Lang,
    static_url: str = STATIC_URL,
) -> folium.FeatureGroup:
    """Return a surface image (coverage, gaps, distance) as a layer that changes without remount.

    The image is a PNG data URL from :func:`layers.parks_view.surface_image`; an
    empty group clears the previous image.
    """
    spec = layer_by_id("park_surface")
    group = _tagged(folium.FeatureGroup(name=tr(spec.label_key, lang)), spec)
    if image_url and bounds:
        folium.raster_layers.ImageOverlay(
            image=image_url, bounds=[list(bounds[0]), list(bounds[1])], interactive=False
        ).add_to(group)
    return localize_assets(group, static_url=static_url)
