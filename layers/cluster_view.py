"""Prepare the cluster overview's layers: display GeoJSON, labels and texts."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from analysis.clusters import cluster_polygons, unit_cluster_ids
from geo.crs import ANALYSIS_CRS, DISPLAY_CRS
from geo.display import geojson_for_display
from layers.labels import Lang, tr
from layers.specs import UNIT_TOOLTIP_FIELDS, MapLayer

if TYPE_CHECKING:
    from geo.boundaries import Cluster

__all__ = [
    "ClusterMapInputs",
    "cluster_layers",
    "cluster_map_inputs",
    "cluster_population_text",
    "comparison_table",
    "format_cited_area",
    "format_population",
    "members_table",
]


@dataclass(frozen=True)
class ClusterMapInputs:
    """Everything the cluster map draws, already light and escaped."""

    outline_geojson: dict[str, Any]
    clusters_geojson: dict[str, Any]
    units_geojson: dict[str, Any]
    labels: list[dict[str, Any]]
    cluster_bounds: dict[str, tuple[float, float, float, float]]
    outline_bounds: tuple[float, float, float, float]
    approximate_units: bool

    def cluster_feature(self, cluster_id: str) -> dict[str, Any] | None:
        """Return the display feature of ``cluster_id`` (None if unknown)."""
        for feature in self.clusters_geojson["features"]:
            if feature["properties"]["cluster_id"] == cluster_id:
                return feature
        return None


def _two_lines(label: str) -> str:
    for bracket in ("（", " ("):
        if bracket in label:
            short, _, rest = label.partition(bracket)
            return f"{short}\n{bracket.strip()}{rest}"
    return label


def cluster_layers(inputs: ClusterMapInputs, lang: Lang, *, muted: bool = False) -> list[MapLayer]:
    """Return the layers every page draws first: clusters, units, outline, cluster names.

    ``muted`` draws the clusters lighter, beneath a page's own theme (parks, rail).
    """
    labels = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lab["lon"], lab["lat"]]},
                # The same name on two lines: the short one, then the full in brackets.
                "properties": {"label": html.escape(_two_lines(lab["label"]))},
            }
            for lab in inputs.labels
        ],
    }
    unit_title = "legend_units" if inputs.approximate_units else "legend_units_official"
    return [
        MapLayer(
            "clusters",
            inputs.clusters_geojson,
            muted=muted,
            categories=tuple((lab["label"], lab["colour"], False) for lab in inputs.labels),
        ),
        MapLayer(
            "units",
            inputs.units_geojson,
            title=tr(unit_title, lang),
            tooltip_aliases=tuple(
                tr(k, lang)
                for k in ("unit", "cluster", "area_km2", "population", "boundary_quality")
            ),
        ),
        MapLayer("outline", inputs.outline_geojson, title=tr("legend_outline", lang)),
        MapLayer("cluster_labels", labels),
    ]


def _is_missing(value: object) -> bool:
    """Return True for None, NaN and pandas' NA."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def format_population(value: object, year: object, lang: Lang) -> str:
    """Return a population with its year, or the 'no cited figure' text.

    Examples
    --------
    >>> format_population(62927, 2017, "en")
    '62,927 (2017)'
    >>> format_population(None, None, "zh")
    '暂无可引用数据'
    """
    if _is_missing(value):
        return tr("population_unknown", lang)
    suffix = "" if _is_missing(year) else f" ({int(year)})"  # type: ignore[call-overload]
    return f"{int(value):,}{suffix}"  # type: ignore[call-overload]


def format_cited_area(area_km2: object, year: object) -> str:
    """Return a cited area with its year (``?`` when undated), or a dash.

    Examples
    --------
    >>> format_cited_area(81.56, None), format_cited_area(157.0, 2015.0)
    ('81.56 (?)', '157 (2015)')
    """
    if _is_missing(area_km2):
        return "—"
    year_text = "?" if _is_missing(year) else str(int(year))  # type: ignore[call-overload]
    return f"{area_km2:g} ({year_text})"


def _label_point(geometry_m: shapely.Geometry) -> shapely.Point:
    """Return the centre of the largest inscribed circle (a good label spot)."""
    circle = shapely.maximum_inscribed_circle(geometry_m, tolerance=50.0)
    return shapely.get_point(circle, 0)


def cluster_map_inputs(
    outline: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    clusters: tuple[Cluster, ...],
    *,
    lang: Lang,
) -> ClusterMapInputs:
    """Build the display layers of the cluster overview in ``lang``."""
    by_id = {c.cluster_id: c for c in clusters}
    units = units.copy()
    units["cluster_id"] = unit_cluster_ids(units, clusters)
    name_col = "name_zh" if lang == "zh" else "name_en"
    quality_text = {
        "approximate": tr("quality_approximate", lang),
        "official": tr("quality_official", lang),
    }
    units["tt_name"] = [
        html.escape(f"{zh} / {en}")
        for zh, en in zip(units["name_zh"], units["name_en"], strict=True)
    ]
    units["tt_cluster"] = [html.escape(by_id[c].label(lang)) for c in units["cluster_id"]]
    units["tt_area"] = [f"{a:.1f}" for a in units["area_km2"]]
    units["tt_population"] = [
        html.escape(format_population(p, y, lang))
        for p, y in zip(units["population"], units["population_year"], strict=True)
    ]
    units["tt_quality"] = [html.escape(quality_text[q]) for q in units["boundary_quality"]]
    units["name"] = units[name_col].map(html.escape)

    polygons = cluster_polygons(units, clusters)
    polygons["colour"] = [by_id[c].colour for c in polygons["cluster_id"]]
    polygons["tt_cluster"] = [html.escape(by_id[c].label(lang)) for c in polygons["cluster_id"]]
    metric = polygons.to_crs(ANALYSIS_CRS)
    points = gpd.GeoSeries([_label_point(g) for g in metric.geometry], crs=ANALYSIS_CRS).to_crs(
        DISPLAY_CRS
    )
    labels = [
        {
            "lat": round(p.y, 6),
            "lon": round(p.x, 6),
            "label": by_id[cid].label(lang),
            "colour": by_id[cid].colour,
            "cluster_id": cid,
        }
        for cid, p in zip(polygons["cluster_id"], points, strict=True)
    ]
    bounds = {
        cid: tuple(float(v) for v in geom.bounds)
        for cid, geom in zip(polygons["cluster_id"], polygons.geometry, strict=True)
    }
    return ClusterMapInputs(
        outline_geojson=geojson_for_display(outline, columns=[], tolerance_m=5.0, coverage=True),
        clusters_geojson=geojson_for_display(
            polygons,
            columns=["cluster_id", "colour", "tt_cluster"],
            tolerance_m=5.0,
            coverage=True,
        ),
        units_geojson=geojson_for_display(
            units,
            columns=["unit_id", "cluster_id", "name", *UNIT_TOOLTIP_FIELDS],
            tolerance_m=5.0,
            coverage=True,
        ),
        labels=labels,
        cluster_bounds=bounds,  # type: ignore[arg-type]
        outline_bounds=tuple(float(v) for v in outline.total_bounds),  # type: ignore[arg-type]
        approximate_units=bool((units["boundary_quality"] != "official").any()),
    )


def cluster_population_text(population: object, years: str, known: str, lang: Lang) -> str:
    """Return a cluster's population with its year(s), or how many members have a figure.

    Examples
    --------
    >>> cluster_population_text(275000, "2021", "2/3", "en")
    '275,000 (2021)'
    >>> cluster_population_text(None, "", "1/2", "en")
    'known for 1 of 2 units'
    """
    if _is_missing(population):
        done, total = known.split("/")
        return tr("population_partial", lang, known=done, total=total)
    return format_population(population, None, lang) + (f" ({years})" if years else "")


def members_table(
    members: tuple[str, ...],
    units: gpd.GeoDataFrame,
    unit_table: pd.DataFrame,
    lang: Lang,
) -> pd.DataFrame:
    """Return the member units of a cluster as a display table in ``lang``.

    A member with no territory of its own (the tourism resort) lists the towns
    it administers instead of a measured area.
    """
    measured = units.set_index("unit_id")["area_km2"]
    quality = units.set_index("unit_id")["boundary_quality"]
    info = unit_table.set_index("unit_id")
    names = info["name_zh"] if lang == "zh" else info["name_en"]
    separator = "、" if lang == "zh" else ", "
    rows = []
    for uid in members:
        if uid in measured.index:
            area = f"{measured[uid]:.1f}"
            note = tr(f"quality_{quality[uid]}", lang)
        else:
            towns = [str(names[t]) for t in info.index[info["administered_by"] == uid]]
            area = "—"
            note = tr("no_territory", lang, towns=separator.join(towns))
        rows.append(
            {
                tr("unit", lang): names[uid],
                tr("area_measured", lang): area,
                tr("area_cited", lang): format_cited_area(
                    info.at[uid, "area_km2_cited"], info.at[uid, "area_year"]
                ),
                tr("population", lang): format_population(
                    info.at[uid, "population"], info.at[uid, "population_year"], lang
                ),
                tr("boundary_quality", lang): note,
            }
        )
    return pd.DataFrame(rows)


def comparison_table(summary: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Return the four-cluster comparison (from ``cluster_summary``) with headers in ``lang``."""
    suffix = "zh" if lang == "zh" else "en"
    return pd.DataFrame(
        {
            tr("cluster", lang): summary[f"label_{suffix}"],
            tr("direction", lang): summary[f"direction_{suffix}"],
            tr("units_count", lang): summary["members"],
            tr("area_measured", lang) + " (km²)": summary["area_km2"],
            tr("share_of_county", lang): [f"{s:.1%}" for s in summary["share_of_county"]],
            tr("population", lang): [
                cluster_population_text(p, y, k, lang)
                for p, y, k in zip(
                    summary["population"],
                    summary["population_year"],
                    summary["population_known"],
                    strict=True,
                )
            ],
            tr("boundary_quality", lang): [
                tr(f"quality_{q}", lang) for q in summary["boundary_quality"]
            ],
        }
    )


Bounds = tuple[float, float, float, float]


def fit_to_data(outline: Bounds, data: Bounds | None, *, max_share: float = 0.5) -> Bounds:
    """Return the view a map opens on: the county, or the data where it covers only part.

    When the data's box (clipped to the county's) is under ``max_share`` of the county's
    box, the map opens on the data, with a 5 % margin; the county outline is still drawn.

    >>> county = (120.8, 31.1, 121.2, 31.5)
    >>> fit_to_data(county, None) == county, fit_to_data(county, (120.7, 31.0, 121.3, 31.6))
    (True, (120.8, 31.1, 121.2, 31.5))
    >>> [round(v, 3) for v in fit_to_data(county, (120.95, 31.35, 121.03, 31.41))]
    [120.946, 31.347, 121.034, 31.413]
    """
    if data is None:
        return outline
    x0, y0 = max(outline[0], data[0]), max(outline[1], data[1])
    x1, y1 = min(outline[2], data[2]), min(outline[3], data[3])
    if x1 <= x0 or y1 <= y0:
        return outline  # no data inside the county: show the county (the page says why)
    county_area = (outline[2] - outline[0]) * (outline[3] - outline[1])
    if (x1 - x0) * (y1 - y0) >= max_share * county_area:
        return outline
    dx, dy = 0.05 * (x1 - x0), 0.05 * (y1 - y0)
    return (x0 - dx, y0 - dy, x1 + dx, y1 + dy)
