"""Each page's map, composed once: the layers it draws and the overlay that changes with choices.

The pages draw these in the browser; a snapshot's exports (offline HTML, the
GeoPackage of visible layers, the print view) draw the same list, so what is
shared is what was seen. The basemap a map draws is resolved here too, from the
server's settings (a key it needs, a tile mirror).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import geopandas as gpd

from analysis.scenario import change_classes
from geo import settings
from geo.store.dataset import DataSet
from layers.cluster_view import cluster_layers
from layers.corridors_view import plan_geojson, transit_layers
from layers.labels import Lang
from layers.parks_view import SurfaceImage, surface_colours, surface_image, surface_legend_html
from layers.render import Overlay, catchment_group, selected_cluster_group, surface_group
from layers.scenario_view import change_colours, change_legend_html, planned_features
from layers.specs import BasemapSpec, MapLayer, basemap_by_id
from views import inputs, reach
from views.choices import (
    ALL_CLUSTERS,
    ClusterChoices,
    CorridorChoices,
    Page,
    PageChoices,
    ParksChoices,
)
from views.parks import ParksModel, parks_model

__all__ = [
    "PageMap",
    "basemap",
    "cluster_map",
    "corridor_map",
    "page_map",
    "parks_layers",
    "parks_map",
    "parks_surface",
    "surface_key",
    "visible_frames",
]


@dataclass(frozen=True)
class PageMap:
    """A page's map: its layers (bottom first), the overlay, and the bounds it opens on."""

    layers: tuple[MapLayer, ...]
    overlay: Overlay
    bounds: tuple[float, float, float, float]
    key_html: str = ""  # the key of the overlay's coloured fills (escaped HTML; "" : none)


def basemap(basemap_id: str) -> tuple[BasemapSpec, str | None, bool]:
    """Return the basemap to draw for ``basemap_id``, its key, and whether it fell back.

    A basemap that needs a key falls back to none without one; the OSM basemap
    draws from ``KUNSHAN_OSM_TILE_URL`` when that is set.
    """
    key = settings.tianditu_key()
    spec = basemap_by_id(basemap_id)
    if spec.needs_key and not key:
        return basemap_by_id("none"), None, True
    if spec.id == "osm" and (mirror := settings.osm_tile_url()):
        spec = dataclasses.replace(spec, tiles=(mirror,))
    return spec, key, False


def cluster_map(
    ds: DataSet,
    choices: ClusterChoices,
    lang: Lang,
    *,
    static_url: str | None = None,
    fit: bool = True,
) -> PageMap:
    """Return the cluster page's map: clusters, units, outline, names; the selection above.

    With ``fit`` the map moves to the selected cluster (the page does; a sheet of
    a saved view or an atlas page does not).
    """
    found = inputs.map_inputs(ds, lang)
    whole = inputs.map_view_bounds(ds)
    selected = choices.cluster_id
    feature = found.cluster_feature(selected) if selected != ALL_CLUSTERS else None
    bounds = found.cluster_bounds.get(selected, whole) if fit else None
    extra = {"static_url": static_url} if static_url else {}
    overlay = selected_cluster_group(feature, lang=lang, fit=bounds, **extra)
    return PageMap(tuple(cluster_layers(found, lang)), overlay, whole)


def corridor_layers(ds: DataSet, lang: Lang) -> tuple[MapLayer, ...]:
    """Return the corridors page's layers: clusters muted, the networks, rail, stations."""
    transit = dataclasses.replace(
        inputs.transit_inputs(ds, lang), plan_geojson=plan_geojson(inputs.plan_lines(ds))
    )
    muted = cluster_layers(inputs.map_inputs(ds, lang), lang, muted=True)
    return (*muted, *transit_layers(transit, lang))


def corridor_map(
    ds: DataSet, choices: CorridorChoices, lang: Lang, *, static_url: str | None = None
) -> PageMap:
    """Return the corridors page's map: its layers; the stations' catchments above."""
    found = inputs.catchments(ds, choices.radius_m, choices.method)
    extra = {"static_url": static_url} if static_url else {}
    return PageMap(
        corridor_layers(ds, lang),
        catchment_group(found, lang=lang, **extra),
        inputs.map_view_bounds(ds),
    )


def parks_surface(model: ParksModel) -> SurfaceImage:
    """Return the parks map's surface image (coverage, gaps, distance or change)."""
    choices = model.choices
    if choices.view == "change" and model.after is not None:
        colours = change_colours(change_classes(model.reach, model.after, tier_id=choices.tier_id))
    else:
        view = "coverage" if choices.view == "change" else choices.view
        colours = surface_colours(
            model.origins, model.reach, view=view, method=choices.method, tier_id=choices.tier_id
        )
    return surface_image(reach.park_surface_raster(model.ds, choices.cell_m), colours)


def surface_key(model: ParksModel, lang: Lang) -> str:
    """Return the key of the parks map's surface for the chosen view (escaped HTML).

    Every coloured fill the surface draws is in it: covered / not covered, on foot
    / buffer only, the distance classes, off the network, or what the scenario
    newly covers.
    """
    choices = model.choices
    if choices.view == "change" and model.after is not None:
        return change_legend_html(lang, walking=choices.method == "network")
    view = "coverage" if choices.view == "change" else choices.view
    return surface_legend_html(view, lang, method=choices.method)


def parks_layers(model: ParksModel, lang: Lang) -> list[MapLayer]:
    """Return the parks page's layers: clusters muted, parks by tier, entrances, planned parks."""
    ds, choices = model.ds, model.choices
    layers = [
        *cluster_layers(inputs.map_inputs(ds, lang), lang, muted=True),
        MapLayer("parks", reach.park_display(ds, model.standard, lang, choices.basis)),
    ]
    entrances = reach.entrance_display(ds, lang) if choices.show_entrances else None
    if entrances is not None:
        layers.append(MapLayer("park_entrances", entrances))
    planned = model.planned
    if planned is not None:
        features = planned_features(planned, model.standard, lang, basis=choices.basis)
        layers.append(MapLayer("planned_parks", features))
    return layers


def parks_map(
    ds: DataSet, choices: ParksChoices, lang: Lang, *, static_url: str | None = None
) -> PageMap:
    """Return the parks page's map with its surface image for ``choices``."""
    model = parks_model(ds, choices)
    image = parks_surface(model)
    extra = {"static_url": static_url} if static_url else {}
    overlay = surface_group(image.data_url, image.bounds, lang=lang, **extra)
    return PageMap(
        tuple(parks_layers(model, lang)),
        overlay,
        inputs.map_view_bounds(ds),
        key_html=surface_key(model, lang),
    )


def page_map(
    ds: DataSet,
    page: Page,
    choices: PageChoices,
    lang: Lang,
    *,
    static_url: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> PageMap:
    """Return ``page``'s map for ``choices``, opening on ``bounds`` if given (a saved view).

    Given ``bounds`` win over fitting the selection.
    """
    fit = bounds is None
    if page == "clusters":
        found = cluster_map(ds, choices, lang, static_url=static_url, fit=fit)  # type: ignore[arg-type]
    elif page == "corridors":
        found = corridor_map(ds, choices, lang, static_url=static_url)  # type: ignore[arg-type]
    else:
        found = parks_map(ds, choices, lang, static_url=static_url)  # type: ignore[arg-type]
    return found if bounds is None else dataclasses.replace(found, bounds=bounds)


def visible_frames(ds: DataSet, page: Page, choices: PageChoices) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers ``page`` shows for ``choices`` as frames (WGS84), by layer name."""
    outline, units, _, _ = inputs.bundle(ds)
    out: dict[str, gpd.GeoDataFrame | None] = {
        "outline": outline,
        "units": units,
        "clusters": inputs.cluster_polygon_frame(ds),
    }
    if page == "corridors" and isinstance(choices, CorridorChoices):
        out["stations"] = inputs.stations(ds)
        out["catchments"] = inputs.catchments(ds, choices.radius_m, choices.method)
        out["plan_lines"] = inputs.plan_lines(ds)
    elif page == "parks":
        out["parks"] = inputs.parks(ds).parks
        out["planned_parks"] = reach.planned(ds)
    return {name: frame.to_crs(4326) for name, frame in out.items() if frame is not None}
