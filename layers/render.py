"""Compose a map from layer specs and prepared GeoJSON (the one folium builder).

Assets and their localisation live in :mod:`layers.assets`, the custom Leaflet
elements in :mod:`layers.elements`, the legend in :mod:`layers.legend`; every
style comes from :mod:`layers.specs`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar, cast

import folium
import folium.plugins
import geopandas as gpd
from branca.element import Element, Figure

from geo.display import geojson_for_display
from layers.assets import STATIC_URL, localize_assets
from layers.draw_locale import draw_locale_js
from layers.elements import (
    KEEP_TOOLTIPS_IN_JS,
    MAP_CSS,
    FastGeoJson,
    FitView,
    Legend,
    MapScript,
    RestoreView,
)
from layers.labels import Lang, tr
from layers.legend import drawn_specs, legend_html
from layers.specs import BasemapSpec, LayerSpec, MapLayer, layer_by_id

__all__ = [
    "ZOOM_SNAP",
    "Overlay",
    "build_map",
    "catchment_group",
    "selected_cluster_group",
    "site_focus_group",
    "spec_layer",
    "surface_group",
]

_E = TypeVar("_E", bound=Element)
# The part of a page's map that changes with its choices, drawn above the layers.
Overlay = folium.FeatureGroup
_DEFAULT_CENTER = (31.33, 120.98)
# The scale bar: metres and kilometres only (a planner's maps never show miles).
# A basemap whose tiles do not load (offline, a blocked server) says so on the map, as a
# sheet does: after three failures and no tile drawn, a note in the bottom-right corner.
_BASEMAP_FAILED_JS = """
(function () {
  var bad = 0, good = 0, shown = false;
  MAP.eachLayer(function (layer) {
    if (!(layer instanceof L.TileLayer)) { return; }
    layer.on('tileload', function () { good += 1; });
    layer.on('tileerror', function () {
      bad += 1;
      if (shown || good || bad < 3) { return; }
      shown = true;
      var note = L.control({position: 'bottomright'});
      note.onAdd = function () {
        var div = L.DomUtil.create('div', 'basemap-failed');
        div.textContent = TEXT;
        return div;
      };
      note.addTo(MAP);
    });
  });
})();
"""
_METRIC_SCALE_JS = "L.control.scale({metric: true, imperial: false}).addTo(MAP);"
ZOOM_SNAP = 0.25


def _tagged(element: _E, spec: LayerSpec) -> _E:
    """Mark ``element`` as drawing ``spec`` (tests check every drawn layer has a spec)."""
    element.spec_id = spec.id  # type: ignore[attr-defined]
    return element


def spec_layer(layer: MapLayer, lang: Lang, *, control: bool = True) -> FastGeoJson:
    """Return ``layer`` drawn as its spec declares (style, tooltip, highlight, points, labels)."""
    spec = layer.spec
    return _tagged(FastGeoJson(layer, name=tr(spec.label_key, lang), control=control), spec)


def _zoom_rule(spec: LayerSpec) -> tuple[Element, MapScript]:
    """Return the CSS and script that hide ``spec``'s elements outside its zooms."""
    hidden = f"hide-{spec.css_class}"
    css = Element(f"<style>.{hidden} .{spec.css_class} {{display:none;}}</style>")
    script = MapScript(
        "(function(){var c=MAP.getContainer();function f(){var z=MAP.getZoom();"
        f"c.classList.toggle('{hidden}',z<{spec.min_zoom}||z>{spec.max_zoom});}}"
        "MAP.on('zoomend',f);f();})();"
    )
    return css, script


def build_map(
    layers: Sequence[MapLayer],
    *,
    lang: Lang,
    basemap: BasemapSpec,
    basemap_key: str | None = None,
    extra_sources: str = "",
    view_bounds: tuple[float, float, float, float] | None = None,
    restore: tuple[tuple[float, float], float] | None = None,
    keep_view: str = "",
    draw: bool = False,
    static_url: str = STATIC_URL,
) -> folium.Map:
    """Build a page's base map from the layers it draws, in order (same map for equal inputs).

    Each page composes its own list (:func:`layers.cluster_view.cluster_layers`,
    :func:`layers.corridors_view.transit_layers`, parks, a preview); the builder
    draws every non-empty one as its spec says and builds the legend from the
    specs drawn. Nothing here depends on which page asks.

    Parameters
    ----------
    layers
        The page's layers, bottom first.
    lang
        Language of every text on the map.
    basemap, basemap_key
        The basemap spec and its key where one is needed.
    extra_sources
        A further source line for the legend (e.g. the OpenStreetMap attribution).
    view_bounds
        ``(min_lon, min_lat, max_lon, max_lat)`` the map opens fitted to, in the
        browser at its real size (:class:`layers.elements.FitView`).
    restore
        ``((lat, lon), zoom)`` of a saved view whose area is ``view_bounds``: the
        map opens there, or fitted to that area on a smaller screen
        (:class:`layers.elements.RestoreView`).
    keep_view
        A name under which the live page's map remembers where the planner looked
        (this browser tab): rebuilt with other layers, it opens there again.
    draw
        Offer the drawing tools for polygons and rectangles (Leaflet.draw, served
        locally): planned parks on the parks page.
    static_url
        Where the app serves its vendored Leaflet.
    """
    m = folium.Map(
        location=_DEFAULT_CENTER,
        zoom_start=10,
        tiles=None,
        control_scale=False,  # folium's scale bar shows miles too: ours is metric only
        prefer_canvas=False,
        max_zoom=basemap.max_zoom,
        zoom_snap=ZOOM_SNAP,
        zoom_delta=0.5,
    )
    root = cast("Figure", m.get_root())
    root.header.add_child(Element(MAP_CSS))
    MapScript(_METRIC_SCALE_JS).add_to(m)
    MapScript(KEEP_TOOLTIPS_IN_JS).add_to(m)
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
        failed = json.dumps(tr("basemap_failed_live", lang), ensure_ascii=False)
        MapScript(_BASEMAP_FAILED_JS.replace("TEXT", failed)).add_to(m)
    else:
        MapScript("MAP.getContainer().classList.add('no-basemap');").add_to(m)
    categories: dict[str, list[tuple[str, str, bool]]] = {}
    titles: dict[str, str] = {}
    for layer in layers:
        if layer.empty:
            continue
        spec = layer.spec
        spec_layer(layer, lang).add_to(m)
        if spec.min_zoom or spec.max_zoom < 22:
            css, script = _zoom_rule(spec)
            root.header.add_child(css)
            script.add_to(m)
        if layer.categories:
            categories[spec.id] = list(layer.categories)
        if layer.title:
            titles[spec.id] = layer.title
    legend = legend_html(
        drawn_specs(m), lang=lang, categories=categories, titles=titles, extra_sources=extra_sources
    )
    Legend(legend).add_to(m)
    if view_bounds is not None and restore is not None:
        RestoreView(restore[0], restore[1], view_bounds).add_to(m)
    elif view_bounds is not None:
        FitView(view_bounds, max_zoom=min(16, basemap.max_zoom), keep=keep_view).add_to(m)
    if draw:
        if words := draw_locale_js(lang):  # before the toolbar is made: it reads them then
            MapScript(words).add_to(m)
        shape = {"shapeOptions": {**layer_by_id("planned_parks").style, "className": "drawn"}}
        folium.plugins.Draw(
            export=False,
            position="topleft",
            draw_options={
                "polyline": False,
                "circle": False,
                "marker": False,
                "circlemarker": False,
                "polygon": {**shape, "allowIntersection": False, "showArea": True},
                "rectangle": shape,
            },
            edit_options={"edit": False},
        ).add_to(m)
    return localize_assets(m, static_url=static_url)


def _overlay_group(
    layer: MapLayer,
    lang: Lang,
    static_url: str,
    fit: tuple[float, float, float, float] | None = None,
) -> folium.FeatureGroup:
    """Return ``layer`` in a group that changes without remounting the map (empty: clears).

    With ``fit`` the map is fitted to those bounds each time the group changes.
    """
    spec = layer.spec
    group = _tagged(folium.FeatureGroup(name=tr(spec.label_key, lang)), spec)
    if not layer.empty:
        spec_layer(layer, lang, control=False).add_to(group)
    if fit is not None:
        FitView(fit).add_to(group)
    return localize_assets(group, static_url=static_url)


def selected_cluster_group(
    feature: dict[str, Any] | None,
    *,
    lang: Lang,
    fit: tuple[float, float, float, float] | None = None,
    static_url: str = STATIC_URL,
) -> folium.FeatureGroup:
    """Return the highlight of the selected cluster (empty group when none).

    An empty group, not ``None``, is passed to ``st_folium`` so that the old
    highlight is removed (streamlit-folium issue #163). With ``fit`` the map
    moves to those bounds when the selection changes.
    """
    features = [feature] if feature is not None else []
    data = {"type": "FeatureCollection", "features": features}
    return _overlay_group(MapLayer("selected_cluster", data), lang, static_url, fit)


def catchment_group(
    catchments: gpd.GeoDataFrame, *, lang: Lang, static_url: str = STATIC_URL
) -> folium.FeatureGroup:
    """Return the station catchments as a layer that changes without remounting the map."""
    spec = layer_by_id("catchments")
    shapes = catchments[~catchments.geometry.is_empty]
    data = (
        geojson_for_display(shapes, columns=[spec.id_property], tolerance_m=5.0)
        if not shapes.empty
        else {"type": "FeatureCollection", "features": []}
    )
    return _overlay_group(MapLayer(spec.id, data), lang, static_url)


def site_focus_group(
    point: tuple[float, float] | None,
    *,
    lang: Lang,
    fit: tuple[float, float, float, float] | None = None,
    static_url: str = STATIC_URL,
) -> folium.FeatureGroup:
    """Return a ring at the chosen suggested site ``(lon, lat)``; the map moves to ``fit``.

    An empty group (no site chosen) clears the ring and leaves the map where it is.
    """
    features = (
        [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": point}}]
        if point is not None
        else []
    )
    data = {"type": "FeatureCollection", "features": features}
    return _overlay_group(MapLayer("site_focus", data), lang, static_url, fit)


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
