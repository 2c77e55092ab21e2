"""Batch distances to parks: ``python -m analysis.reach``, the parks page's engine for many places.

Usage::

    python -m analysis.reach --osm-cache CACHE.gpkg
        (--points FILE.csv --crs EPSG:n [--x-column x --y-column y]
         | --area POLYGONS [--cell-m 100] [--demand land|residential])
        [--standards FILE.json] [--standard ID] [--limit-m 2000]
        [--planned PARKS] --out OUT.csv

For every place, the straight-line distance to the boundary of the nearest park
of each tier of a park standard (0 inside such a park) and the walking distance
along the walk network to that park's nearest entrance — computed exactly as on
the parks page (:mod:`analysis.distances`, the entrance rules of
``data/settings/park_access.json`` and the standards of
``data/settings/park_standards.json``).

Places:

``--points FILE.csv``
    One place per row; ``--crs`` (required) is the CRS of its coordinates
    (``EPSG:4326``, ``EPSG:4549``, ``4490``, … anything pyproj reads, or a
    choice of the upload panel such as ``cgcs2000_gk40`` or ``gcj02``). The
    coordinates are read from ``--x-column``/``--y-column`` (default ``x``/``y``;
    when those are missing, a ``lon``/``lng``/``longitude``/``经度`` and a
    ``lat``/``latitude``/``纬度`` column are used). Every input column is kept,
    in the input order, as written. The file is read as the upload panel reads
    it (:mod:`geo.files.reading`): UTF-8 or GB18030, the delimiter from the
    header; an XLSX works too.
``--area POLYGONS``
    A vector file (GeoJSON, GeoPackage, zipped Shapefile, KML, …) with a
    declared CRS, read as the upload panel reads it: one row per cell
    of a ``--cell-m`` grid whose centre lies inside the polygons and not on water
    (as on the page), with its centre (``x``, ``y`` in the metric CRS of the
    analysis — EPSG:4549 in Kunshan — and ``lon``, ``lat`` in WGS84) and its
    demand ``weight`` (m²): the cell's land area, or with ``--demand residential``
    the residential land inside the cell.

Columns added: ``straight_m_<tier>`` and ``walk_m_<tier>`` for every tier of the
standard (metres, to 0.1 m; empty beyond the search limit, or off the network),
and ``off_network`` (``true`` when no usable path lies within reach; empty
without a walk network). ``--standard`` defaults to the file's default standard,
``--limit-m`` to each tier's own limit (twice its radius, at least 2 km). The
CSV is UTF-8 with a BOM, so Excel shows Chinese.

``--planned PARKS`` adds planned parks (a vector file of polygons with a declared
CRS, e.g. the ``SITES.geojson`` of ``python -m analysis.siting`` or 控规 parcels of
planned green space): the distances are then those with the scenario, the new
parks' entrances found by the same rule as the existing parks'.

Bad arguments give a one-line message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from analysis.demand import residential_weights
from analysis.distances import ParkReach, park_reach, prepare_reach, with_planned_park
from analysis.network import WalkGraph, walk_graph_from_arrays
from analysis.standards import ParkStandard, default_limit_m, standards_from_dict
from geo.cli import CommandLineParser, run_command, usage_error
from geo.crs import DISPLAY_CRS
from geo.errors import CRSError, ParkAccessError, StandardError
from geo.files.reading import MAX_UPLOAD_BYTES, ReadOptions, inspect_file, read_layer
from geo.files.schema import planned_parks
from geo.grid import DemandKind, Origins, grid_origins, origins_from_points
from geo.osm.cache import (
    cache_is_current,
    load_walk_arrays,
    read_cache_layer,
    read_cache_metadata,
    upgrade_cache,
)
from geo.osm.entrances import load_access_rules
from geo.paths import STANDARDS_PATH
from geo.standards import read_standards_file

__all__ = [
    "X_ALIASES",
    "Y_ALIASES",
    "ReachCache",
    "area_origins",
    "area_table",
    "batch_reach",
    "load_standard",
    "main",
    "open_cache",
    "reach_columns",
    "read_area",
    "read_planned",
    "read_points",
    "write_table",
]

# Coordinate headers recognised when --x-column/--y-column are not given (case-insensitive).
X_ALIASES = ("x", "lon", "lng", "long", "longitude", "经度")
Y_ALIASES = ("y", "lat", "latitude", "纬度")


def _file_bytes(path: Path, what: tuple[str, str]) -> bytes:
    """Return the bytes of an input file, or say that it is not there."""
    if not path.is_file():
        msg = f"找不到{what[0]} {path}。 / The {what[1]} {path} does not exist."
        raise ParkAccessError(msg)
    return path.read_bytes()


def _limit(content: bytes) -> int:
    """No upload limit on the command line: the planner's own files, named by the planner."""
    return max(len(content), MAX_UPLOAD_BYTES)


def _coordinate_column(
    columns: Sequence[str], requested: str | None, aliases: tuple[str, ...], option: str
) -> str:
    """Return the column ``requested``, or the first alias present when none was requested."""
    known = ", ".join(columns)
    if requested is not None:
        if requested in columns:
            return requested
        msg = (
            f"点文件中没有 {requested!r} 列（现有：{known}）。 / "
            f"The points file has no {requested!r} column (it has: {known})."
        )
        raise ParkAccessError(msg)
    by_name = {str(c).strip().lower(): c for c in columns}
    for alias in aliases:
        if alias in by_name:
            return by_name[alias]
    msg = (
        f"点文件中找不到坐标列 {'/'.join(aliases)}，请用 {option} 指定（现有：{known}）。 / "
        f"The points file has no {'/'.join(aliases)} column: name it with {option} "
        f"(it has: {known})."
    )
    raise ParkAccessError(msg)


def read_points(
    path: Path, *, crs: str, x_column: str | None = None, y_column: str | None = None
) -> tuple[pd.DataFrame, gpd.GeoSeries]:
    """Read a table of points with the readers: its rows as they are, and their points.

    Parameters
    ----------
    path
        The CSV (UTF-8, with or without BOM, or GB18030 as Excel writes it in
        China; the delimiter is found from the header) or XLSX.
    crs
        The CRS of the coordinates: anything :class:`geo.files.reading.ReadOptions`
        takes (``"EPSG:4326"``, ``"4490"``, ``"cgcs2000_gk40"``, ``"gcj02"``).
    x_column, y_column
        The coordinate columns; None looks for :data:`X_ALIASES`/:data:`Y_ALIASES`.

    Returns
    -------
    tuple of DataFrame and GeoSeries
        Every column as read (a CSV's cells as text, blank cells empty), and one
        point per row in WGS84.

    Raises
    ------
    ParkAccessError
        If the file is missing, or a coordinate column is missing.
    UploadError
        If the file cannot be read, has no rows, or a coordinate is not a number.
    """
    path = Path(path)
    options = ReadOptions(crs=crs, keep_text=True)  # checks the CRS before the file
    content = _file_bytes(path, ("点文件", "points file"))
    info = inspect_file(content, path.name, options, max_bytes=_limit(content))
    x_name = _coordinate_column(info.columns, x_column, X_ALIASES, "--x-column")
    y_name = _coordinate_column(info.columns, y_column, Y_ALIASES, "--y-column")
    options = ReadOptions(crs=crs, x_column=x_name, y_column=y_name, keep_text=True)
    gdf = read_layer(content, path.name, options, max_bytes=_limit(content)).gdf
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    frame.columns = list(info.columns)  # as in the file (the reader renames "geometry")
    return frame, gdf.geometry


def read_area(path: Path) -> gpd.GeoDataFrame:
    """Read the polygons of an area with the readers (a vector file with a declared CRS).

    Any format of :func:`geo.files.reading.read_layer` (GeoJSON, GeoPackage,
    zipped Shapefile, KML/KMZ); of several layers, the first. Points mixed in are
    left out.

    Returns
    -------
    geopandas.GeoDataFrame
        The polygons, in WGS84.

    Raises
    ------
    ParkAccessError
        If the file is missing or holds no polygon.
    CRSError
        If it declares no CRS.
    UploadError
        If it cannot be read.
    """
    path = Path(path)
    content = _file_bytes(path, ("范围文件", "area file"))
    info = inspect_file(content, path.name, max_bytes=_limit(content))
    if info.declared_crs is None:
        msg = (
            f"范围文件 {path.name} 没有声明坐标系。 / "
            f"The area file {path.name} declares no coordinate reference system."
        )
        raise CRSError(msg)
    area = read_layer(
        content,
        path.name,
        ReadOptions(layer=info.layer if len(info.layers) > 1 else None),
        max_bytes=_limit(content),
        points_and_polygons=True,
    ).gdf
    polygons = area[area.geometry.notna() & area.geom_type.isin(["Polygon", "MultiPolygon"])]
    polygons = polygons[~polygons.geometry.is_empty]
    if polygons.empty:
        msg = f"范围文件 {path.name} 中没有面要素。 / The area file {path.name} holds no polygon."
        raise ParkAccessError(msg)
    return polygons


def load_standard(path: Path = STANDARDS_PATH, standard_id: str | None = None) -> ParkStandard:
    """Return the standard ``standard_id`` of the standards file (its default when None).

    Raises
    ------
    StandardError
        If the file cannot be read or is invalid, or it has no such standard.
    """
    raw = read_standards_file(Path(path))
    try:
        settings = standards_from_dict(raw)
    except (AttributeError, TypeError) as exc:  # an entry is not an object
        msg = (
            f"标准设置文件 {Path(path).name} 结构错误。 / "
            f"The standards file {Path(path).name} is malformed: {exc}"
        )
        raise StandardError(msg) from exc
    return settings.default if standard_id is None else settings.standard(standard_id)


@dataclass(frozen=True)
class ReachCache:
    """What the distances need from an OpenStreetMap cache (``graph`` None without paths)."""

    path: Path
    parks: gpd.GeoDataFrame
    entrances: gpd.GeoDataFrame
    graph: WalkGraph | None


def open_cache(path: Path) -> ReachCache:
    """Upgrade the cache if it is from an earlier version, then read parks, entrances and graph.

    Raises
    ------
    ParkAccessError
        If there is no cache at ``path``.
    CacheVersionError
        If the cache cannot be read or was written by a newer version.
    """
    path = Path(path)
    if not path.is_file():
        msg = (
            f"找不到 OpenStreetMap 缓存 {path}"
            "（可用 python -m geo.osm import 文件.osm.pbf 生成）。 / "
            f"No OpenStreetMap cache at {path} (make one with python -m geo.osm import "
            "FILE.osm.pbf)."
        )
        raise ParkAccessError(msg)
    if not cache_is_current(path):  # a current cache is only read (it may be read-only)
        upgrade_cache(path)
    meta = read_cache_metadata(path)
    edges = meta.get("count_walk_edges", "0")
    has_walk = edges.isdigit() and int(edges) > 0
    return ReachCache(
        path=path,
        parks=read_cache_layer("parks", path),
        entrances=read_cache_layer("park_access", path),
        graph=walk_graph_from_arrays(load_walk_arrays(path)) if has_walk else None,
    )


def batch_reach(
    origins: Origins,
    cache: ReachCache,
    standard: ParkStandard,
    *,
    limit_m: float | None = None,
    planned: gpd.GeoDataFrame | None = None,
) -> ParkReach:
    """Measure every origin's distances to the standard's tiers, as the parks page does.

    ``limit_m`` is one search limit for every tier (None: each tier's default).
    ``planned`` parks (:func:`geo.files.schema.planned_parks`) are added as the
    page adds a scenario (:func:`analysis.distances.with_planned_park`).
    """
    if limit_m is not None and (not np.isfinite(limit_m) or limit_m <= 0):
        msg = (
            f"搜索上限必须为正数，收到 {limit_m}。 / The search limit must be positive: {limit_m}."
        )
        raise ParkAccessError(msg)
    largest = (
        max(default_limit_m(t.radius_m) for t in standard.tiers) if limit_m is None else limit_m
    )
    prepared = prepare_reach(
        origins,
        cache.parks,
        graph=cache.graph,
        entrances=cache.entrances if cache.graph is not None else None,
        rules=load_access_rules(),
        limit_m=largest,
    )
    reach = park_reach(prepared, standard, limit_m=limit_m)
    if planned is not None and not planned.empty:
        reach = with_planned_park(reach, prepared, planned)
    return reach


def _metres(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Round to 0.1 m; infinite (beyond the limit, no path) becomes NaN, an empty CSV cell."""
    return np.where(np.isfinite(values), np.round(values, 1), np.nan)


def reach_columns(reach: ParkReach) -> pd.DataFrame:
    """Return the result columns: straight and walking metres per tier, and ``off_network``.

    Walking columns (and ``off_network``) are empty when there is no walk network.
    """
    n = reach.straight_m.shape[1]
    columns: dict[str, Any] = {}
    for t, tier in enumerate(reach.standard.tiers):
        columns[f"straight_m_{tier.tier_id}"] = _metres(reach.straight_m[t])
        walk = reach.network_m[t] if reach.network_m is not None else np.full(n, np.inf)
        columns[f"walk_m_{tier.tier_id}"] = _metres(walk)
    off = reach.off_network
    columns["off_network"] = (
        np.where(off, "true", "false") if off is not None else np.full(n, "", dtype=object)
    )
    return pd.DataFrame(columns)


def area_table(origins: Origins) -> pd.DataFrame:
    """Return the grid cells' centres (metric ``x``, ``y``; WGS84 ``lon``, ``lat``) and weights."""
    lonlat = gpd.GeoSeries(origins.points, crs=origins.crs).to_crs(DISPLAY_CRS).to_numpy()
    return pd.DataFrame(
        {
            "x": np.round(origins.x, 2),
            "y": np.round(origins.y, 2),
            "lon": np.round(shapely.get_x(lonlat), 7),
            "lat": np.round(shapely.get_y(lonlat), 7),
            "weight": np.round(origins.weight, 1),
        }
    )


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` as CSV in UTF-8 with a BOM (Excel then reads Chinese)."""
    table.to_csv(path, index=False, encoding="utf-8-sig")


def area_origins(
    area: gpd.GeoDataFrame, cache: ReachCache, *, cell_m: float, demand: DemandKind
) -> Origins:
    """Return the ``cell_m`` grid over ``area`` (not on the cache's water), weighted by demand."""
    water = read_cache_layer("water_areas", cache.path)
    origins = grid_origins(area, cell_m=cell_m, water=water)
    if len(origins) == 0:
        msg = (
            f"范围内没有 {cell_m:g} m 网格的格心（范围太小或全为水面）。 / No {cell_m:g} m "
            "grid cell has its centre inside the area (too small, or all water)."
        )
        raise ParkAccessError(msg)
    if demand == "residential":
        residential = read_cache_layer("residential", cache.path)
        if residential.empty:
            print(
                "注意：缓存中没有居住用地，权重均为 0。 / Note: the cache has no residential land."
            )
        origins = origins.with_weights(residential_weights(origins, residential), "residential")
    return origins


def _check_options(args: argparse.Namespace) -> None:
    """Reject options that do not apply to the chosen input, and an output with nowhere to go."""
    if args.points is not None:
        if args.crs is None:
            msg = "--points 需要 --crs。 / --points needs --crs (e.g. EPSG:4326)."
            raise usage_error(msg)
        given: list[tuple[str, Any]] = [("--cell-m", args.cell_m), ("--demand", args.demand)]
    else:
        given = [("--crs", args.crs), ("--x-column", args.x_column), ("--y-column", args.y_column)]
    wrong = ", ".join(option for option, value in given if value is not None)
    for option, value in (("--limit-m", args.limit_m), ("--cell-m", args.cell_m)):
        if value is not None and not (np.isfinite(value) and value > 0):
            msg = (
                f"{option} 必须为正数，收到 {value:g}。 / {option} must be positive, got {value:g}."
            )
            raise usage_error(msg)
    if wrong:
        mode = "--points" if args.points is not None else "--area"
        msg = f"{wrong} 不适用于 {mode}。 / {wrong}: not for {mode}."
        raise usage_error(msg)
    if not args.out.parent.is_dir():
        msg = (
            f"输出目录 {args.out.parent} 不存在。 / "
            f"The output folder {args.out.parent} does not exist."
        )
        raise ParkAccessError(msg)


def _places(args: argparse.Namespace) -> tuple[pd.DataFrame, Origins, ReachCache]:
    """Read the input (before the cache, so a bad file fails at once), then the cache."""
    if args.points is not None:
        frame, points = read_points(
            args.points, crs=args.crs, x_column=args.x_column, y_column=args.y_column
        )
        origins = origins_from_points(points)
        return frame, origins, open_cache(args.osm_cache)
    area = read_area(args.area)
    cache = open_cache(args.osm_cache)
    cell_m = 100.0 if args.cell_m is None else float(args.cell_m)
    origins = area_origins(area, cache, cell_m=cell_m, demand=args.demand or "land")
    return area_table(origins), origins, cache


def read_planned(path: Path) -> gpd.GeoDataFrame:
    """Read planned parks from a vector file (declared CRS), normalised (ids, areas, years)."""
    return planned_parks(read_area(path))


def _run(args: argparse.Namespace) -> None:
    standard = load_standard(args.standards, args.standard)
    planned = read_planned(args.planned) if args.planned is not None else None
    frame, origins, cache = _places(args)
    walking = "步行+直线 / walking and straight" if cache.graph is not None else "直线 / straight"
    print(f"{len(origins):,} 处 / places · {standard.standard_id} · {walking}", flush=True)
    if cache.graph is None:
        print(
            "注意：缓存中没有步行路网，步行距离列为空。 / "
            "Note: the cache has no walk network; the walk columns are empty."
        )
    if planned is not None:
        print(f"规划公园 / planned parks: {len(planned)}", flush=True)
    reach = batch_reach(origins, cache, standard, limit_m=args.limit_m, planned=planned)
    if not np.isfinite(reach.straight_m).any():
        print(
            "注意：所有地点在搜索上限内都没有公园——坐标系或缓存是否正确？ / Note: no place has a "
            "park within the search limit: are the CRS and the cache right?"
        )
    result = reach_columns(reach)
    table = frame.reset_index(drop=True).copy()
    for column in result.columns:
        table[column] = result[column].to_numpy()
    write_table(table, args.out)
    print(f"完成 / done: {len(table):,} 行 / rows -> {args.out}")


def _parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(
        prog="python -m analysis.reach",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--osm-cache", type=Path, required=True, help="OpenStreetMap GeoPackage")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--points", type=Path, help="CSV of points, one row each")
    where.add_argument("--area", type=Path, help="polygons to cover with a grid")
    parser.add_argument("--crs", help="CRS of the points' coordinates, e.g. EPSG:4326")
    parser.add_argument("--x-column", help="x / longitude column (default x, lon, 经度, …)")
    parser.add_argument("--y-column", help="y / latitude column (default y, lat, 纬度, …)")
    parser.add_argument("--cell-m", type=float, help="grid cell of --area in metres (100)")
    parser.add_argument("--demand", choices=["land", "residential"], help="weight of --area cells")
    parser.add_argument("--standards", type=Path, default=STANDARDS_PATH, help="standards JSON")
    parser.add_argument("--standard", help="standard id (default: the file's default)")
    parser.add_argument("--limit-m", type=float, help="one search limit for every tier (m)")
    parser.add_argument(
        "--planned", type=Path, help="planned parks (polygons, e.g. SITES.geojson) to include"
    )
    parser.add_argument("--out", type=Path, required=True, help="CSV to write")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the batch command; return the exit code (2 for bad arguments or inputs)."""
    return run_command(lambda: _main(argv), file_errors=True)


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    _check_options(args)
    _run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
