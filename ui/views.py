"""Each page's map, composed once: the layers it draws and the overlay that changes with choices.

The pages draw these in the browser; a snapshot's exports (offline HTML, the
GeoPackage of visible layers, the print view) draw the same list, so what is
shared is what was seen.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd

from analysis.scenario import change_classes
from layers.cluster_view import cluster_layers
from layers.corridors_view import plan_geojson, transit_layers
from layers.labels import Lang
from layers.parks_view import surface_colours, surface_image
from layers.render import catchment_group, selected_cluster_group, surface_group
from layers.scenario_view import change_colours, planned_features
from layers.specs import MapLayer
from ui import data, state
from ui.choices import ClusterChoices, CorridorChoices, ParksChoices

__all__ = ["PageMap", "cluster_map", "corridor_map", "page_map", "parks_map", "visible_frames"]


@dataclass(frozen=True)
class PageMap:
    """A page's map: its layers (bottom first), the overlay, and the bounds it opens on."""

    layers: tuple[MapLayer, ...]
    overlay: folium.FeatureGroup
    bounds: tuple[float, float, float, float]


def cluster_map(
    choices: ClusterChoices, lang: Lang, *, static_url: str | None = None, fit: bool = True
) -> PageMap:
    """Return the cluster page's map: clusters, units, outline, names; the selection above.

    With ``fit`` the map moves to the selected cluster (the page does; a sheet of
    a saved view or an atlas page does not).
    """
    inputs = data.map_inputs(lang)
    whole = data.map_view_bounds()
    selected = choices.cluster_id
    feature = inputs.cluster_feature(selected) if selected != state.ALL_CLUSTERS else None
    bounds = inputs.cluster_bounds.get(selected, whole) if fit else None
    extra = {"static_url": static_url} if static_url else {}
    overlay = selected_cluster_group(feature, lang=lang, fit=bounds, **extra)
    return PageMap(tuple(cluster_layers(inputs, lang)), overlay, whole)


def corridor_map(choices: CorridorChoices, lang: Lang, *, static_url: str | None = None) -> PageMap:
    """Return the corridors page's map: clusters muted, the networks, rail, stations; catchments."""
    inputs = data.map_inputs(lang)
    transit = dataclasses.replace(
        data.transit_inputs(lang), plan_geojson=plan_geojson(data.plan_lines())
    )
    layers = (*cluster_layers(inputs, lang, muted=True), *transit_layers(transit, lang))
    catchments = data.catchments(choices.radius_m, choices.method)
    extra = {"static_url": static_url} if static_url else {}
    return PageMap(layers, catchment_group(catchments, lang=lang, **extra), data.map_view_bounds())


def parks_surface(choices: ParksChoices, origins: Any, reach: Any, after: Any) -> Any:
    """Return the parks map's surface image (coverage, gaps, distance or change)."""
    if choices.view == "change" and after is not None:
        colours = change_colours(change_classes(reach, after, tier_id=choices.tier_id))
    else:
        view = "coverage" if choices.view == "change" else choices.view
        colours = surface_colours(
            origins, reach, view=view, method=choices.method, tier_id=choices.tier_id
        )
    return surface_image(data.park_surface_raster(choices.cell_m), colours)


def parks_layers(choices: ParksChoices, lang: Lang) -> list[MapLayer]:
    """Return the parks page's layers: clusters muted, parks by tier, entrances, planned parks."""
    standard = data.park_standards().standard(choices.standard_id)
    layers = [
        *cluster_layers(data.map_inputs(lang), lang, muted=True),
        MapLayer("parks", data.park_display(standard.standard_id, lang, choices.basis)),
    ]
    entrances = data.entrance_display(lang) if choices.show_entrances else None
    if entrances is not None:
        layers.append(MapLayer("park_entrances", entrances))
    planned = data.active_planned()
    if planned is not None:
        layers.append(MapLayer("planned_parks", planned_features(planned, standard, lang)))
    return layers


def parks_map(choices: ParksChoices, lang: Lang, *, static_url: str | None = None) -> PageMap:
    """Return the parks page's map with its surface image for ``choices``."""
    from ui.figures import demand_origins  # noqa: PLC0415 - figures imports views' peers

    grid = data.park_grid(choices.cell_m)
    network = choices.method == "network"
    reach = data.park_reach_for(
        choices.cell_m, choices.standard_id, network=network, basis=choices.basis
    )
    after = data.scenario_reach_for(
        choices.cell_m, choices.standard_id, network=network, basis=choices.basis
    )
    image = parks_surface(choices, demand_origins(grid, choices), reach, after)
    extra = {"static_url": static_url} if static_url else {}
    overlay = surface_group(image.data_url, image.bounds, lang=lang, **extra)
    return PageMap(tuple(parks_layers(choices, lang)), overlay, data.map_view_bounds())


def page_map(
    page: str,
    choices: Any,
    lang: Lang,
    *,
    static_url: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> PageMap:
    """Return ``page``'s map for ``choices``, opening on ``bounds`` if given (a saved view).

    Given ``bounds`` win over fitting the selection.
    """
    if bounds is not None:
        return dataclasses.replace(
            _page_map(page, choices, lang, static_url=static_url, fit=False), bounds=bounds
        )
    return _page_map(page, choices, lang, static_url=static_url, fit=True)


def _page_map(page: str, choices: Any, lang: Lang, *, static_url: str | None, fit: bool) -> PageMap:
    if page == "clusters":
        return cluster_map(choices, lang, static_url=static_url, fit=fit)
    if page == "corridors":
        return corridor_map(choices, lang, static_url=static_url)
    return parks_map(choices, lang, static_url=static_url)


def visible_frames(page: str, choices: Any) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers ``page`` shows for ``choices`` as frames (WGS84), by layer name."""
    out: dict[str, gpd.GeoDataFrame] = {}
    outline, units, _, _ = data.bundle()
    out["outline"] = outline
    out["units"] = units
    out["clusters"] = data.cluster_polygon_frame()
    if page == "corridors":
        out["stations"] = data.stations_in_use()
        out["catchments"] = data.catchments(choices.radius_m, choices.method)
        plan = data.plan_lines()
        if plan is not None:
            out["plan_lines"] = plan
    elif page == "parks":
        parks, _ = data.active_parks()
        out["parks"] = parks
        planned = data.active_planned()
        if planned is not None:
            out["planned_parks"] = planned
    return {name: frame.to_crs(4326) for name, frame in out.items() if frame is not None}
