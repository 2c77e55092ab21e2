"""Declarative specs of basemaps and map layers, and their registries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from geo.errors import LayerSpecError, UnknownLayerError

__all__ = [
    "BASEMAPS",
    "LAYERS",
    "BasemapSpec",
    "LayerSpec",
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


@dataclass(frozen=True)
class LayerSpec:
    """A vector overlay: what it shows, how it is styled, what its tooltip says."""

    id: str
    label_key: str
    source_ids: tuple[str, ...]
    style: dict[str, object] = field(default_factory=dict)
    tooltip_fields: tuple[str, ...] = ()
    kind: Literal["polygon", "line", "label"] = "polygon"
    visible: bool = True
    min_zoom: int = 0

    def __post_init__(self) -> None:
        """Check the id and the zoom."""
        if not self.id.isidentifier() or self.id != self.id.lower():
            msg = f"Layer id {self.id!r} must be snake_case."
            raise LayerSpecError(msg)
        if not 0 <= self.min_zoom <= 22:
            msg = f"Layer {self.id!r}: min_zoom {self.min_zoom} is outside 0..22."
            raise LayerSpecError(msg)


UNIT_TOOLTIP_FIELDS = ("tt_name", "tt_cluster", "tt_area", "tt_population", "tt_quality")

LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec(
        id="clusters",
        label_key="layer_clusters",
        source_ids=("S4", "S1", "S3"),
        style={"weight": 2, "fillOpacity": 0.35, "opacity": 0.9},
    ),
    LayerSpec(
        id="units",
        label_key="layer_units",
        source_ids=("S3", "S5", "S6", "S7", "S8", "S9", "S10", "S11", "S12", "S13", "S14"),
        style={"color": "#444444", "weight": 1, "dashArray": "4 4", "fillOpacity": 0.0},
        tooltip_fields=UNIT_TOOLTIP_FIELDS,
    ),
    LayerSpec(
        id="outline",
        label_key="layer_outline",
        source_ids=("S1",),
        style={"color": "#222222", "weight": 3, "fill": False},
        kind="line",
    ),
    LayerSpec(id="cluster_labels", label_key="layer_labels", source_ids=("S4",), kind="label"),
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
