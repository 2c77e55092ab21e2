"""Prepare the parks-within-reach page: park features, surface images, legend and tables."""

from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from PIL import Image
from pyproj import Transformer

from analysis.distances import Method, ParkReach
from analysis.indicators import (
    DISTANCE_BINS_M,
    WHOLE_AREA,
    SurfaceClass,
    View,
    surface_classes,
    tier_of_parks,
)
from analysis.standards import ParkStandard, TierBasis
from geo.crs import DISPLAY_CRS
from geo.display import geojson_for_display
from geo.grid import Origins
from layers.labels import Lang, tr

__all__ = [
    "SurfaceImage",
    "SurfaceRaster",
    "entrance_features",
    "park_features",
    "park_shapes",
    "surface_colours",
    "surface_image",
    "surface_legend_html",
    "surface_raster",
    "zone_table",
]

# Tier colours from the smallest to the largest tier (ColorBrewer Greens).
_TIER_COLOURS = ("#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b")
_COVERED = (26, 152, 80, 150)
_NOT_COVERED = (215, 48, 39, 150)
_BUFFER_ONLY = (118, 42, 131, 200)
_NETWORK_COVERED = (26, 152, 80, 90)
_DISTANCE_COLOURS = (
    (0, 104, 55, 170),
    (102, 189, 99, 170),
    (217, 239, 139, 170),
    (254, 224, 139, 170),
    (244, 109, 67, 170),
    (165, 0, 38, 170),
)
_BEYOND = (120, 120, 120, 110)
_OFF_NETWORK = (158, 202, 225, 190)


def _hex(rgba: tuple[int, int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgba[:3])


def tier_colour(standard: ParkStandard, tier_id: str) -> str:
    """Return the map colour of a tier (darker for larger parks)."""
    order = [t.tier_id for t in sorted(standard.tiers, key=lambda t: t.min_area_m2)]
    if tier_id not in order:
        return "#bdbdbd"
    step = max(1, len(_TIER_COLOURS) // max(1, len(order)))
    return _TIER_COLOURS[min(order.index(tier_id) * step + step - 1, len(_TIER_COLOURS) - 1)]


def park_shapes(parks: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return the parks' outlines for the browser (simplified at 8 m), once per data set.

    The features keep their order; :func:`park_features` adds the colours and
    tooltips of a standard without touching the geometry again.
    """
    if parks.empty:
        return {"type": "FeatureCollection", "features": []}
    return geojson_for_display(
        parks.reset_index(drop=True), columns=[], tolerance_m=8.0, precision=5
    )


def park_features(
    parks: gpd.GeoDataFrame,
    standard: ParkStandard,
    lang: Lang,
    *,
    shapes: dict[str, Any] | None = None,
    basis: TierBasis = "area",
) -> dict[str, Any]:
    """Return the parks as light GeoJSON coloured by tier, with escaped tooltips.

    ``basis`` says whether tiers go by size or by the parks' 公园名录 class.

    ``shapes`` (from :func:`park_shapes` for the same ``parks``) saves simplifying
    the outlines again when only the standard or the language changes.
    """
    if parks.empty:
        return {"type": "FeatureCollection", "features": []}
    shapes = shapes if shapes is not None else park_shapes(parks)
    tiers = tier_of_parks(parks, standard, basis=basis)
    names = {t.tier_id: t.name(lang) for t in standard.tiers}
    name_col = "name" if lang == "zh" else "name_en"
    approximate = (
        parks["approximate"].fillna(False).astype(bool).to_numpy()
        if "approximate" in parks.columns
        else np.zeros(len(parks), dtype=bool)
    )
    labels = parks[name_col].fillna(parks["name"]).fillna("—").astype(str)
    area_text = html.escape(tr("park_area", lang))
    approx_text = f"<br><i>{html.escape(tr('park_footprint_approx', lang))}</i>"
    features = []
    for feature, label, area, tier, approx in zip(
        shapes["features"], labels, parks["area_m2"], tiers, approximate, strict=True
    ):
        tooltip = "<b>{}</b><br>{} {:,.1f} ha · {}{}".format(
            html.escape(label),
            area_text,
            area / 1e4,
            html.escape(names.get(tier, tr("tier_none", lang))),
            approx_text if approx else "",
        )
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {"colour": tier_colour(standard, tier), "tt": tooltip},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def entrance_features(
    entrances: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, lang: Lang
) -> dict[str, Any]:
    """Return the park entrances as light GeoJSON points with an escaped tooltip.

    The tooltip names the park and how the entrance was found (a stretch of path
    along the park's edge, a mapped gate, or the nearest path).
    """
    if entrances is None or entrances.empty:
        return {"type": "FeatureCollection", "features": []}
    name_col = "name" if lang == "zh" else "name_en"
    names = parks.set_index("park_id")
    label = names[name_col].fillna(names["name"]) if name_col in names else names["name"]
    xy = shapely.get_coordinates(entrances.to_crs(DISPLAY_CRS).geometry.to_numpy()).round(6)
    kinds = {m: html.escape(tr(f"entrance_{m}", lang)) for m in ("edge", "gate", "nearest")}
    features = []
    for (lon, lat), park_id, method in zip(
        xy, entrances["park_id"], entrances["method"], strict=True
    ):
        park = label.get(park_id)
        text = html.escape(str(park)) if isinstance(park, str) else "—"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {"tt": f"<b>{text}</b><br>{kinds.get(method, '')}"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _palette() -> NDArray[np.uint8]:
    """RGBA colour of every :class:`analysis.indicators.SurfaceClass` (declared once)."""
    palette = np.zeros((SurfaceClass.DISTANCE_0 + len(_DISTANCE_COLOURS), 4), dtype=np.uint8)
    palette[SurfaceClass.COVERED] = _COVERED
    palette[SurfaceClass.NOT_COVERED] = _NOT_COVERED
    palette[SurfaceClass.BUFFER_ONLY] = _BUFFER_ONLY
    palette[SurfaceClass.NETWORK_COVERED] = _NETWORK_COVERED
    palette[SurfaceClass.OFF_NETWORK] = _OFF_NETWORK
    palette[SurfaceClass.BEYOND] = _BEYOND
    for k, colour in enumerate(_DISTANCE_COLOURS):
        palette[SurfaceClass.DISTANCE_0 + k] = colour
    return palette


def surface_colours(
    origins: Origins,
    reach: ParkReach,
    *,
    view: View,
    method: Method,
    tier_id: str | None,
) -> NDArray[np.uint8]:
    """Return one RGBA colour per origin: the colour of its class in ``view``."""
    classes = surface_classes(origins, reach, view=view, method=method, tier_id=tier_id)
    return _palette()[classes]


@dataclass(frozen=True)
class SurfaceImage:
    """A PNG (data URL) of a per-origin surface and its lat/lon bounds."""

    data_url: str
    bounds: tuple[tuple[float, float], tuple[float, float]]  # (south, west), (north, east)
    n_bytes: int
    size_px: tuple[int, int]


@dataclass(frozen=True)
class SurfaceRaster:
    """Which origin each pixel of a web-map image shows (-1: none), and the image bounds."""

    origin_of_pixel: NDArray[np.int64]
    width: int
    height: int
    bounds: tuple[tuple[float, float], tuple[float, float]]


def _merc_y(lat_deg: Any) -> Any:
    return np.log(np.tan(np.pi / 4 + np.radians(lat_deg) / 2))


def surface_raster(origins: Origins) -> SurfaceRaster:
    """Map the pixels of an image over the grid to the origins under their centres.

    The grid is in a metric CRS, rotated against the map's meridians; each pixel
    (evenly spaced in Web Mercator, as Leaflet stretches an image) shows the cell
    under its centre, so cells land where they are even at the county's edges.
    Computed once per grid; :func:`surface_image` then only colours and encodes.
    """
    to_ll = Transformer.from_crs(origins.crs, DISPLAY_CRS, always_xy=True)
    x1 = origins.x0 + origins.n_cols * origins.cell_m
    y1 = origins.y0 + origins.n_rows * origins.cell_m
    lon, lat = to_ll.transform(
        np.array([origins.x0, x1, origins.x0, x1]), np.array([origins.y0, origins.y0, y1, y1])
    )
    west, east, south, north = float(min(lon)), float(max(lon)), float(min(lat)), float(max(lat))
    mid_lat = math.radians((south + north) / 2)
    width = max(1, round((east - west) * 111_320 * math.cos(mid_lat) / origins.cell_m))
    height = max(1, round((north - south) * 110_574 / origins.cell_m))
    top, bottom = _merc_y(north), _merc_y(south)
    ys = top + (np.arange(height) + 0.5) * (bottom - top) / height
    pix_lat = np.degrees(2 * np.arctan(np.exp(ys)) - np.pi / 2)
    pix_lon = west + (np.arange(width) + 0.5) * (east - west) / width
    grid_lon, grid_lat = np.meshgrid(pix_lon, pix_lat)
    to_xy = Transformer.from_crs(DISPLAY_CRS, origins.crs, always_xy=True)
    px, py = to_xy.transform(grid_lon.ravel(), grid_lat.ravel())
    col = np.floor((px - origins.x0) / origins.cell_m).astype(np.int64)
    row = np.floor((py - origins.y0) / origins.cell_m).astype(np.int64)
    lookup = np.full(origins.n_rows * origins.n_cols, -1, dtype=np.int64)
    lookup[origins.row * origins.n_cols + origins.col] = np.arange(len(origins))
    inside = (col >= 0) & (col < origins.n_cols) & (row >= 0) & (row < origins.n_rows)
    index = np.full(len(px), -1, dtype=np.int64)
    index[inside] = lookup[row[inside] * origins.n_cols + col[inside]]
    return SurfaceRaster(index, width, height, ((south, west), (north, east)))


def surface_image(raster: SurfaceRaster, colours: NDArray[np.uint8]) -> SurfaceImage:
    """Encode per-origin RGBA colours as a PNG over ``raster``'s pixels."""
    rgba = np.zeros((len(raster.origin_of_pixel), 4), dtype=np.uint8)
    shown = raster.origin_of_pixel >= 0
    rgba[shown] = colours[raster.origin_of_pixel[shown]]
    buffer = io.BytesIO()
    Image.fromarray(rgba.reshape(raster.height, raster.width, 4), mode="RGBA").save(
        buffer, format="PNG", compress_level=6
    )
    data = buffer.getvalue()
    return SurfaceImage(
        data_url="data:image/png;base64," + base64.b64encode(data).decode("ascii"),
        bounds=raster.bounds,
        n_bytes=len(data),
        size_px=(raster.width, raster.height),
    )


def surface_legend_html(view: View, lang: Lang, *, method: Method = "buffer") -> str:
    """Return the legend of a surface view (escaped HTML, for the page beside the map).

    With walking distances (and on the gap map) the off-network class is listed.
    """

    def row(rgba: tuple[int, int, int, int], key: str, **kwargs: Any) -> str:
        return (
            f'<span style="display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;'
            f'background:{_hex(rgba)};opacity:{rgba[3] / 255 + 0.2:.2f}"></span>'
            f"{html.escape(tr(key, lang, **kwargs))}"
        )

    if view == "coverage":
        items = [row(_COVERED, "legend_covered"), row(_NOT_COVERED, "legend_not_covered")]
    elif view == "gap":
        items = [
            row(_NETWORK_COVERED, "legend_network_covered"),
            row(_BUFFER_ONLY, "legend_buffer_only"),
            row(_NOT_COVERED, "legend_not_covered"),
        ]
    else:
        edges = [*DISTANCE_BINS_M, None]
        items = [
            row(colour, "legend_distance_bin", low=low, high=high)
            if high is not None
            else row(colour, "legend_distance_over", low=low)
            for colour, low, high in zip(_DISTANCE_COLOURS, edges[:-1], edges[1:], strict=True)
        ]
        items.append(row(_BEYOND, "legend_distance_beyond"))
    if method == "network" or view == "gap":
        items.append(row(_OFF_NETWORK, "legend_off_network"))
    return "<div style='font-size:0.85rem;line-height:1.8'>" + " ".join(items) + "</div>"


def zone_table(
    coverage: pd.DataFrame,
    names: dict[str, str],
    lang: Lang,
    *,
    method: Method,
    per_capita: pd.Series | None = None,
) -> pd.DataFrame:
    """Return the coverage table in ``lang``: zone, demand, shares (%), target, pass."""
    shown = coverage.copy()
    shown["zone"] = [
        names.get(z, tr("whole_county", lang) if z == WHOLE_AREA else z) for z in shown["zone"]
    ]
    out = pd.DataFrame({tr("zone", lang): shown["zone"]})
    out[tr("share_buffer", lang)] = (shown["buffer_share"] * 100).round(1)
    if "network_share" in shown:
        out[tr("share_network", lang)] = (shown["network_share"] * 100).round(1)
        out[tr("share_buffer_not_network", lang)] = (shown["buffer_not_network_share"] * 100).round(
            1
        )
        out[tr("share_off_network", lang)] = (shown["off_network_share"] * 100).round(1)
    out[tr("target_pct", lang)] = (shown["target_share"] * 100).round(0)
    passes = shown["passes_network" if method == "network" else "passes_buffer"]
    out[tr("meets_target", lang)] = [
        "—" if ok is None else tr("yes", lang) if ok else tr("no", lang) for ok in passes
    ]
    if per_capita is not None:
        values = per_capita.reindex(coverage["zone"]).to_numpy(float)
        # Text, so that a unit without a cited population reads "—", not "None".
        out[tr("per_capita_m2", lang)] = ["—" if np.isnan(v) else f"{v:.1f}" for v in values]
    return out
