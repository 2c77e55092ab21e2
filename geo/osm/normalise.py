"""Normalise raw OpenStreetMap data into the project's layer schemas.

The raw inputs are GeoDataFrames with OSM tags as columns (what pyrosm and
osmnx both produce); where a tag is not a column it is read from a ``tags``
column (a dict or JSON text). Every output is in WGS84 with lengths and areas
measured in a metric CRS (:func:`geo.crs.metric_crs_for`).

Schemas (every layer also has ``geometry``):

=============== ==================================================================
layer           columns
=============== ==================================================================
parks           park_id, name, name_en, osm_tag, access, barrier, area_m2
park_access     park_id, edge_index, edge_u, edge_v, offset_m, end_offset_m, gap_m,
                method (``edge``/``gate``/``nearest``; :mod:`geo.osm.entrances`)
walk_nodes      node_id
walk_edges      u, v, length_m, highway, bridge, name
rail_lines      line_id, name, mode, railway, operator, status
rail_stations   station_id, name, name_en, railway, lines
roads           road_id, name, ref, highway
water_lines     water_id, name, kind
water_areas     water_id, name, kind, area_m2
residential     parcel_id, name, area_m2
=============== ==================================================================
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import DISPLAY_CRS, metric_crs_for
from geo.errors import BoundaryDataError
from geo.osm.entrances import ACCESS_COLUMNS
from geo.osm.entrances import osm_tag as _tag

__all__ = [
    "LAYER_COLUMNS",
    "parks_from_features",
    "rail_from_features",
    "residential_from_features",
    "roads_from_features",
    "walk_network_from",
    "water_from_features",
]

LAYER_COLUMNS: dict[str, tuple[str, ...]] = {
    "parks": ("park_id", "name", "name_en", "osm_tag", "access", "barrier", "area_m2"),
    "park_access": ACCESS_COLUMNS,
    "walk_nodes": ("node_id",),
    "walk_edges": ("u", "v", "length_m", "highway", "bridge", "name"),
    "rail_lines": ("line_id", "name", "mode", "railway", "operator", "status"),
    "rail_stations": ("station_id", "name", "name_en", "railway", "lines"),
    "roads": ("road_id", "name", "ref", "highway"),
    "water_lines": ("water_id", "name", "kind"),
    "water_areas": ("water_id", "name", "kind", "area_m2"),
    "residential": ("parcel_id", "name", "area_m2"),
}

_PARK_TAGS = {"leisure": ("park", "garden", "nature_reserve")}
_CLOSED_ACCESS = {"private", "no", "customers", "permit"}
_OPEN_ACCESS = {"yes", "permissive", "public", "designated"}
_MAJOR_ROADS = ("motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link")
_RAIL_LINES = ("rail", "subway", "light_rail", "monorail", "narrow_gauge", "tram")
_RAIL_PLANNED = ("construction", "proposed")
_STATION_TAGS = ("station", "halt")
_WATER_LINES = ("river", "canal", "stream", "drain", "ditch")
_STATION_LINE_RADIUS_M = 150.0


def _osm_ids(raw: pd.DataFrame, prefix: str) -> pd.Series:
    kinds = raw["osm_type"] if "osm_type" in raw.columns else pd.Series("way", index=raw.index)
    ids = raw["id"] if "id" in raw.columns else pd.Series(raw.index, index=raw.index)
    return pd.Series(
        [f"{prefix}:{k}/{i}" for k, i in zip(kinds, ids, strict=True)], index=raw.index
    )


def _polygons(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    mask = raw.geom_type.isin(["Polygon", "MultiPolygon"])
    out = raw[mask].copy()
    out["geometry"] = shapely.make_valid(out.geometry.to_numpy())
    out = out[out.geom_type.isin(["Polygon", "MultiPolygon"]) & ~out.geometry.is_empty]
    return out


def _lines(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return raw[raw.geom_type.isin(["LineString", "MultiLineString"])].copy()


def _area_m2(gdf: gpd.GeoDataFrame) -> pd.Series:
    if gdf.empty:
        return pd.Series([], index=gdf.index, dtype=float)
    return gdf.to_crs(metric_crs_for(gdf)).area


def _frame(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    columns = [*LAYER_COLUMNS[layer], "geometry"]
    return gpd.GeoDataFrame(
        gdf[columns].reset_index(drop=True), geometry="geometry", crs=DISPLAY_CRS
    )


def _empty(layer: str, geometry_type: str = "Polygon") -> gpd.GeoDataFrame:
    del geometry_type  # an empty GeoSeries carries no type
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in LAYER_COLUMNS[layer]},
        geometry=gpd.GeoSeries([], crs=DISPLAY_CRS),
    )


def parks_from_features(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return public parks and gardens, one feature per OSM object, with their area.

    A park's tier is not stored: it depends on the standard chosen
    (:meth:`analysis.standards.ParkStandard.tier_of_area`).

    Kept: ``leisure=park|garden``, and ``leisure=nature_reserve`` only where
    access is tagged open. Dropped: ``access=private|no|customers|permit``
    and ``fee=yes`` grounds unless their access is tagged open.
    """
    if raw.empty:
        return _empty("parks")
    leisure = _tag(raw, "leisure")
    access = _tag(raw, "access").fillna("").astype(str)
    fee = _tag(raw, "fee").fillna("").astype(str)
    open_access = access.isin(_OPEN_ACCESS)
    keep = leisure.isin(["park", "garden"]) | ((leisure == "nature_reserve") & open_access)
    keep &= ~access.isin(_CLOSED_ACCESS)
    keep &= (fee != "yes") | open_access
    parks = _polygons(raw[keep.to_numpy()])
    if parks.empty:
        return _empty("parks")
    parks["park_id"] = _osm_ids(parks, "osm")
    parks["name"] = _tag(parks, "name")
    parks["name_en"] = _tag(parks, "name:en")
    parks["osm_tag"] = "leisure=" + _tag(parks, "leisure").astype(str)
    parks["access"] = _tag(parks, "access")
    parks["barrier"] = _tag(parks, "barrier")
    parks["area_m2"] = _area_m2(parks).round(1)
    return _frame(parks, "parks")


def walk_network_from(
    nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return walk nodes and edges with lengths measured in metres in a metric CRS.

    ``edges`` needs ``u``, ``v`` and line geometries; ``nodes`` needs an ``id``
    or ``node_id`` column and points. Motorways, rail and water are barriers
    because they carry no walkable edge; bridges are kept (``bridge`` flag).
    Nodes no edge uses are dropped.
    """
    id_column = "node_id" if "node_id" in nodes.columns else "id"
    node_frame = gpd.GeoDataFrame(
        {"node_id": nodes[id_column].astype("int64").to_numpy()},
        geometry=nodes.geometry.to_numpy(),
        crs=nodes.crs,
    ).to_crs(DISPLAY_CRS)
    lines = _lines(edges).to_crs(DISPLAY_CRS)
    lines["u"] = lines["u"].astype("int64")
    lines["v"] = lines["v"].astype("int64")
    lines = lines[lines["u"] != lines["v"]]
    lines["length_m"] = lines.to_crs(metric_crs_for(lines)).length.round(3)
    lines["highway"] = _tag(lines, "highway").astype(str)
    bridge = _tag(lines, "bridge").fillna("no").astype(str)
    lines["bridge"] = ~bridge.isin(["no", "False", "false", "0"])
    lines["name"] = _tag(lines, "name")
    used = np.union1d(lines["u"].to_numpy(), lines["v"].to_numpy())
    node_frame = node_frame[node_frame["node_id"].isin(used)].drop_duplicates("node_id")
    missing = np.setdiff1d(used, node_frame["node_id"].to_numpy())
    if missing.size:
        msg = f"{missing.size} edge end nodes have no coordinates (e.g. {missing[:3].tolist()})."
        raise BoundaryDataError(msg)
    edges_out = _frame(lines, "walk_edges")
    nodes_out = gpd.GeoDataFrame(
        node_frame.reset_index(drop=True), geometry="geometry", crs=DISPLAY_CRS
    )
    return nodes_out, edges_out


def rail_from_features(raw: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return rail lines (with mode and status) and stations (with the lines near them).

    Mode: ``metro`` (subway, light rail, monorail), ``tram``, ``intercity``
    (named 城际/Intercity, or ``service=intercity``), ``high_speed``
    (``highspeed=yes``) or ``conventional``. Status: ``operating``,
    ``under_construction`` (``railway=construction``) or ``planned``
    (``railway=proposed``). Disused and abandoned lines are dropped.
    """
    if raw.empty:
        return _empty("rail_lines"), _empty("rail_stations")
    railway = _tag(raw, "railway").fillna("").astype(str)
    lines = _lines(raw[railway.isin(_RAIL_LINES + _RAIL_PLANNED).to_numpy()])
    if not lines.empty:
        kind = _tag(lines, "railway").astype(str)
        planned_kind = (
            _tag(lines, "construction").fillna(_tag(lines, "proposed")).fillna("").astype(str)
        )
        effective = kind.where(~kind.isin(_RAIL_PLANNED), planned_kind)
        highspeed = _tag(lines, "highspeed").fillna("").astype(str) == "yes"
        name = _tag(lines, "name").fillna("").astype(str)
        intercity = name.str.contains("城际|Intercity|intercity", regex=True) | (
            _tag(lines, "service").fillna("").astype(str) == "intercity"
        )
        mode = np.select(
            [
                effective.isin(["subway", "light_rail", "monorail"]),
                effective == "tram",
                intercity,
                highspeed,
            ],
            ["metro", "tram", "intercity", "high_speed"],
            default="conventional",
        )
        lines["line_id"] = _osm_ids(lines, "osm")
        lines["name"] = _tag(lines, "name")
        lines["mode"] = mode
        lines["railway"] = kind
        lines["operator"] = _tag(lines, "operator")
        lines["status"] = np.select(
            [kind == "construction", kind == "proposed"],
            ["under_construction", "planned"],
            default="operating",
        )
        lines_out = _frame(lines, "rail_lines")
    else:
        lines_out = _empty("rail_lines")

    is_station = railway.isin(_STATION_TAGS) | (
        _tag(raw, "public_transport").fillna("").astype(str) == "station"
    ) & railway.ne("")
    stations = raw[is_station.to_numpy()].copy()
    if stations.empty:
        return lines_out, _empty("rail_stations")
    stations["geometry"] = stations.geometry.representative_point()
    stations["station_id"] = _osm_ids(stations, "osm")
    stations["name"] = _tag(stations, "name")
    stations["name_en"] = _tag(stations, "name:en")
    stations["railway"] = _tag(stations, "railway")
    stations["lines"] = _lines_near(stations, lines_out)
    return lines_out, _frame(stations, "rail_stations")


def _lines_near(stations: gpd.GeoDataFrame, lines: gpd.GeoDataFrame) -> list[str | None]:
    """Return the names of the operating or planned lines within 150 m of each station."""
    if lines.empty:
        return [None] * len(stations)
    crs = metric_crs_for(stations)
    named = lines[lines["name"].notna()].to_crs(crs)
    buffered = gpd.GeoDataFrame(
        geometry=stations.to_crs(crs).buffer(_STATION_LINE_RADIUS_M).to_numpy(), crs=crs
    )
    hits = gpd.sjoin(buffered, named[["name", "geometry"]], predicate="intersects")
    names = hits.groupby(level=0)["name"].agg(lambda s: ";".join(sorted(set(s))))
    return [names.get(i) for i in range(len(stations))]


def roads_from_features(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return motorways, trunk and primary roads (and their links) with name and ref."""
    if raw.empty:
        return _empty("roads")
    highway = _tag(raw, "highway").fillna("").astype(str)
    roads = _lines(raw[highway.isin(_MAJOR_ROADS).to_numpy()])
    if roads.empty:
        return _empty("roads")
    roads["road_id"] = _osm_ids(roads, "osm")
    roads["name"] = _tag(roads, "name")
    roads["ref"] = _tag(roads, "ref")
    roads["highway"] = _tag(roads, "highway")
    return _frame(roads, "roads")


def water_from_features(raw: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return waterways (rivers, canals, streams, drains) and water areas (lakes, ponds)."""
    if raw.empty:
        return _empty("water_lines"), _empty("water_areas")
    waterway = _tag(raw, "waterway").fillna("").astype(str)
    natural = _tag(raw, "natural").fillna("").astype(str)
    landuse = _tag(raw, "landuse").fillna("").astype(str)
    lines = _lines(raw[waterway.isin(_WATER_LINES).to_numpy()])
    if not lines.empty:
        lines["water_id"] = _osm_ids(lines, "osm")
        lines["name"] = _tag(lines, "name")
        lines["kind"] = _tag(lines, "waterway")
        lines_out = _frame(lines, "water_lines")
    else:
        lines_out = _empty("water_lines")
    is_area = (
        (natural == "water") | landuse.isin(["reservoir", "basin"]) | (waterway == "riverbank")
    )
    areas = _polygons(raw[is_area.to_numpy()])
    if areas.empty:
        return lines_out, _empty("water_areas")
    water_kind = _tag(areas, "water")
    areas["water_id"] = _osm_ids(areas, "osm")
    areas["name"] = _tag(areas, "name")
    areas["kind"] = water_kind.fillna("water")
    areas["area_m2"] = _area_m2(areas).round(1)
    return lines_out, _frame(areas, "water_areas")


def residential_from_features(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``landuse=residential`` polygons with their area (the coverage denominator)."""
    if raw.empty:
        return _empty("residential")
    landuse = _tag(raw, "landuse").fillna("").astype(str)
    parcels = _polygons(raw[(landuse == "residential").to_numpy()])
    if parcels.empty:
        return _empty("residential")
    parcels["parcel_id"] = _osm_ids(parcels, "osm")
    parcels["name"] = _tag(parcels, "name")
    parcels["area_m2"] = _area_m2(parcels).round(1)
    return _frame(parcels, "residential")
