"""Declarative specs of basemaps and map layers, and their registries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from geo.errors import LayerSpecError, UnknownLayerError

__all__ = [
    "BASEMAPS",
    "LAYERS",
    "RAIL_MODE_COLOURS",
    "RAIL_OTHER_COLOUR",
    "BasemapSpec",
    "LayerSpec",
    "MapLayer",
    "StyleFunction",
    "basemap_by_id",
    "layer_by_id",
]


@dataclass(frozen=True)
class BasemapSpec:
    """A tiled basemap; ``tiles`` holds ``{key}`` where a key is needed."""

    id: str
    label_key: str
    tiles: tuple[str, ...] = ()
    attribution: str = ""
    subdomains: str = ""
    needs_key: bool = False
    max_zoom: int = 18

    def __post_init__(self) -> None:
        """Check that a keyed basemap has a ``{key}`` slot in each URL."""
        if self.needs_key and not all("{key}" in url for url in self.tiles):
            msg = f"Basemap {self.id!r} needs a key but a URL has no {{key}} slot."
            raise LayerSpecError(msg)

    def tile_urls(self, key: str | None = None) -> list[str]:
        """Return the tile URL templates with the key filled in."""
        if self.needs_key and not key:
            msg = f"Basemap {self.id!r} needs a key (TIANDITU_KEY)."
            raise LayerSpecError(msg)
        return [url.replace("{key}", key or "") for url in self.tiles]


_TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
)

BASEMAPS: tuple[BasemapSpec, ...] = (
    BasemapSpec(
        id="osm",
        label_key="basemap_osm",
        tiles=("https://tile.openstreetmap.org/{z}/{x}/{y}.png",),
        attribution='&copy; <a href="https://www.openstreetmap.org/copyright">'
        "OpenStreetMap</a> contributors",
        max_zoom=19,
    ),
    BasemapSpec(
        id="tianditu",
        label_key="basemap_tianditu",
        tiles=(
            _TIANDITU.replace("{layer}", "vec"),
            _TIANDITU.replace("{layer}", "cva"),
        ),
        attribution='&copy; <a href="https://www.tianditu.gov.cn">天地图</a> '
        "国家地理信息公共服务平台",
        subdomains="01234567",
        needs_key=True,
    ),
    BasemapSpec(id="none", label_key="basemap_none"),
)


StyleFunction = Literal["", "colour", "colour_fill", "colour_dashed"]


@dataclass(frozen=True)
class LayerSpec:
    """A map layer, declared once: what it shows, how it looks, how a click comes back.

    ``style`` is the base Leaflet path style; ``style_function`` names how features
    change it (``colour``: stroke and fill from the feature's ``colour``;
    ``colour_fill``: fill only; ``colour_dashed``: stroke colour, dashed where the
    feature's ``dashed`` is true). ``muted_style`` is laid over ``style`` where the
    layer sits beneath a page's own theme (clusters under parks or rail).
    ``id_property`` is the feature property a click returns (empty: not clickable).
    ``highlight`` is laid over a feature's style while the pointer is on it;
    ``label_class`` is the CSS class of a label layer's text. A layer with
    tooltip fields answers the pointer (hover, click); any other lets it pass
    through to the layers beneath. From ``min_zoom`` up to ``max_zoom`` the layer
    is shown.
    """

    id: str
    label_key: str
    source_ids: tuple[str, ...] = ()
    style: dict[str, object] = field(default_factory=dict)
    style_function: StyleFunction = ""
    muted_style: dict[str, object] = field(default_factory=dict)
    tooltip_fields: tuple[str, ...] = ()
    id_property: str = ""
    kind: Literal["polygon", "line", "point", "label", "image"] = "polygon"
    overlay: bool = True
    visible: bool = True
    min_zoom: int = 0
    max_zoom: int = 22
    point_radius: int | None = None
    highlight: dict[str, object] = field(default_factory=dict)
    label_class: str = ""
    # In the map's legend (False: described beside the map, e.g. the surface's own key).
    in_legend: bool = True

    def __post_init__(self) -> None:
        """Check the id and the zoom."""
        if not self.id.isidentifier() or self.id != self.id.lower():
            msg = f"Layer id {self.id!r} must be snake_case."
            raise LayerSpecError(msg)
        if not 0 <= self.min_zoom <= self.max_zoom <= 22:
            msg = (
                f"Layer {self.id!r}: min_zoom {self.min_zoom} and max_zoom {self.max_zoom} "
                "must be 0 <= min <= max <= 22."
            )
            raise LayerSpecError(msg)

        if self.kind == "label" and not self.label_class:
            msg = f"Label layer {self.id!r} needs a label_class."
            raise LayerSpecError(msg)

    @property
    def interactive(self) -> bool:
        """Return whether the layer answers the pointer (it has something to say)."""
        return bool(self.tooltip_fields)

    @property
    def css_class(self) -> str:
        """Return the class every element of this layer carries (zoom rules, tests)."""
        return f"lyr-{self.id.replace('_', '-')}"

    def path_style(self, *, muted: bool = False) -> dict[str, object]:
        """Return the base style, with the muted variant laid over it when asked."""
        return {**self.style, **(self.muted_style if muted else {})}


@dataclass(frozen=True)
class MapLayer:
    """One layer as a page draws it: the spec, its display GeoJSON and this page's choices.

    ``data`` is a GeoJSON FeatureCollection whose text properties are already
    escaped (a label layer's points carry ``label``). ``muted`` draws it with the
    spec's muted style; ``title`` replaces the legend title; ``categories`` lists
    its classes as (label, colour, dashed) where features are coloured by class;
    ``tooltip_aliases`` name the tooltip fields as a table (escaped here).
    """

    spec_id: str
    data: dict[str, Any]
    muted: bool = False
    title: str | None = None
    categories: tuple[tuple[str, str, bool], ...] = ()
    tooltip_aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Check the spec exists and aliases match its tooltip fields."""
        spec = layer_by_id(self.spec_id)
        if self.tooltip_aliases and len(self.tooltip_aliases) != len(spec.tooltip_fields):
            msg = f"Layer {self.spec_id!r}: tooltip aliases and fields differ in length."
            raise LayerSpecError(msg)

    @property
    def spec(self) -> LayerSpec:
        """Return the layer's spec."""
        return layer_by_id(self.spec_id)

    @property
    def empty(self) -> bool:
        """Return True when there is nothing to draw."""
        return not self.data.get("features")


UNIT_TOOLTIP_FIELDS = ("tt_name", "tt_cluster", "tt_area", "tt_population", "tt_quality")
STATION_LABEL_MIN_ZOOM = 12  # station names only from here on, where they no longer overlap
# A suggested site's square (a pocket park, ~20-70 m across) is a few pixels up to zoom 15:
# up to there each site is also drawn as a mark.
SITE_MARKS_MAX_ZOOM = 15

# The rail layer's classes: a colour per mode (planned and building lines dashed).
RAIL_MODE_COLOURS = {
    "metro": "#c51b7d",
    "intercity": "#2166ac",
    "high_speed": "#b2182b",
    "conventional": "#525252",
    "tram": "#1b7837",
}
RAIL_OTHER_COLOUR = "#525252"

LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec(
        id="clusters",
        label_key="layer_clusters",
        source_ids=("S4", "S1", "S3"),
        style={"weight": 2, "fillOpacity": 0.35, "opacity": 0.9},
        style_function="colour",
        muted_style={"fillOpacity": 0.1, "weight": 1},
        highlight={"weight": 4, "fillOpacity": 0.5},
        tooltip_fields=("tt_cluster",),
        id_property="cluster_id",
    ),
    LayerSpec(
        id="units",
        label_key="layer_units",
        source_ids=("S3", "S5", "S6", "S7", "S8", "S9", "S10", "S11", "S12", "S13", "S14"),
        style={"color": "#444444", "weight": 1, "dashArray": "4 4", "fillOpacity": 0.0},
        highlight={"weight": 3, "color": "#000000"},
        tooltip_fields=UNIT_TOOLTIP_FIELDS,
        id_property="unit_id",
    ),
    LayerSpec(
        id="outline",
        label_key="layer_outline",
        source_ids=("S1",),
        style={"color": "#222222", "weight": 3, "fill": False},
        kind="line",
    ),
    LayerSpec(
        id="cluster_labels",
        label_key="layer_labels",
        source_ids=("S4",),
        kind="label",
        label_class="cluster-label",
        in_legend=False,
    ),
    LayerSpec(
        id="selected_cluster",
        label_key="layer_selected",
        in_legend=False,  # the selection itself, named in the panel
        style={"weight": 5, "fillOpacity": 0.15},
        style_function="colour",
    ),
    LayerSpec(
        id="water",
        label_key="layer_water",
        style={"color": "#4a90c2", "weight": 2, "opacity": 0.8},
        kind="line",
        tooltip_fields=("tt",),
    ),
    LayerSpec(
        id="roads",
        label_key="layer_roads",
        style={"color": "#8c6d31", "weight": 2, "opacity": 0.8},
        kind="line",
        tooltip_fields=("tt",),
    ),
    LayerSpec(
        id="plan_lines",
        label_key="layer_plan",
        style={"color": "#e41a1c", "weight": 4, "opacity": 0.8},
        kind="line",
        tooltip_fields=("tt",),
    ),
    LayerSpec(
        id="eco_corridors",
        label_key="layer_corridors",
        style={"color": "#1a9850", "weight": 6, "opacity": 0.8},
        kind="line",
        tooltip_fields=("tt",),
    ),
    LayerSpec(
        id="rail",
        label_key="layer_rail",
        style={"weight": 4, "opacity": 0.9},
        style_function="colour_dashed",
        kind="line",
        tooltip_fields=("tt",),
    ),
    LayerSpec(
        id="stations",
        label_key="layer_stations",
        style={"color": "#222222", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1},
        kind="point",
        tooltip_fields=("tooltip",),
        id_property="station_id",
        point_radius=6,
    ),
    LayerSpec(
        id="station_labels",
        label_key="layer_station_labels",
        in_legend=False,
        kind="label",
        label_class="station-label",
        min_zoom=STATION_LABEL_MIN_ZOOM,
    ),
    LayerSpec(
        id="catchments",
        label_key="layer_catchments",
        in_legend=False,  # an overlay: its radius and method are said under the map
        style={"color": "#08519c", "weight": 1, "fillColor": "#6baed6", "fillOpacity": 0.25},
        id_property="station_id",
    ),
    LayerSpec(
        id="parks",
        label_key="layer_parks",
        style={"color": "#00441b", "weight": 1, "fillOpacity": 0.7},
        style_function="colour_fill",
        tooltip_fields=("tt",),
        id_property="park_id",
    ),
    LayerSpec(
        id="park_entrances",
        label_key="layer_entrances",
        style={"color": "#08519c", "weight": 1, "fillOpacity": 0.9, "fillColor": "#6baed6"},
        kind="point",
        tooltip_fields=("tt",),
        point_radius=3,
    ),
    # An overlay with its own key under the map (classes or distance bands).
    LayerSpec(id="park_surface", label_key="layer_surface", kind="image", in_legend=False),
    LayerSpec(
        id="planned_parks",
        label_key="layer_planned_parks",
        style={
            "color": "#7a0177",
            "weight": 2.5,
            "dashArray": "6 4",
            "fillColor": "#f768a1",
            "fillOpacity": 0.3,
        },
        highlight={"weight": 4},
        tooltip_fields=("tt",),
        id_property="park_id",
    ),
    LayerSpec(
        id="suggested_sites",
        label_key="layer_suggested_sites",
        style={
            "color": "#d95f0e",
            "weight": 2,
            "dashArray": "2 3",
            "fillColor": "#fec44f",
            "fillOpacity": 0.6,
        },
        tooltip_fields=("tt",),
        id_property="park_id",
    ),
    # The same sites as marks, where their squares are too small to see.
    LayerSpec(
        id="suggested_site_marks",
        label_key="layer_suggested_sites",
        in_legend=False,
        style={"color": "#d95f0e", "weight": 2, "fillColor": "#fec44f", "fillOpacity": 0.9},
        kind="point",
        tooltip_fields=("tt",),
        id_property="park_id",
        point_radius=7,
        max_zoom=SITE_MARKS_MAX_ZOOM,
    ),
    # The site chosen in the table: a ring the map moves to.
    LayerSpec(
        id="site_focus",
        label_key="layer_site_focus",
        in_legend=False,
        style={"color": "#e31a1c", "weight": 3, "fill": False},
        kind="point",
        point_radius=16,
    ),
    LayerSpec(
        id="upload_preview",
        label_key="layer_upload_preview",
        style={"color": "#ae017e", "weight": 2, "fillOpacity": 0.35},
        tooltip_fields=("tt",),
        point_radius=4,
    ),
)


def basemap_by_id(basemap_id: str) -> BasemapSpec:
    """Return the basemap spec ``basemap_id`` or raise listing the valid ids."""
    for spec in BASEMAPS:
        if spec.id == basemap_id:
            return spec
    msg = f"Unknown basemap {basemap_id!r}; use one of {[b.id for b in BASEMAPS]}."
    raise UnknownLayerError(msg)


def layer_by_id(layer_id: str) -> LayerSpec:
    """Return the layer spec ``layer_id`` or raise listing the valid ids."""
    for spec in LAYERS:
        if spec.id == layer_id:
            return spec
    msg = f"Unknown layer {layer_id!r}; use one of {[s.id for s in LAYERS]}."
    raise UnknownLayerError(msg)
