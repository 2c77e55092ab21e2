"""Load and validate the bundled rail lines and stations (cited, converted to WGS84).

``data/transit/``:

- ``lines.csv``: line_id, name_zh, name_en, mode (metro / intercity / high_speed /
  conventional), status (operating / under_construction / planned / closed), opened,
  source_ids, note;
- ``stations.csv``: station_id, name_zh, name_en, lines (``;``-separated line ids),
  lon, lat **as cited**, datum (WGS84 / GCJ-02 / BD-09), coord_source_id,
  coord_confidence (V / P), opened, status, note;
- ``line_stations.csv``: every station of each line in order (line_id, seq,
  name_zh, station_id where its location is cited, source_id). Stations without
  a cited location are listed but never drawn.
- ``sources.csv``: the ``T*`` sources.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import DATUMS, DISPLAY_CRS, to_wgs84
from geo.errors import BoundaryDataError
from geo.paths import DATA_DIR

__all__ = [
    "LINE_MODES",
    "STATUSES",
    "TRANSIT_DIR",
    "load_ecological_corridors",
    "load_line_stations",
    "load_lines",
    "load_stations",
    "load_transit_sources",
    "stations_from_layer",
    "stations_from_osm",
]

TRANSIT_DIR = DATA_DIR / "transit"
LINE_MODES = ("metro", "intercity", "high_speed", "conventional")
STATUSES = ("operating", "under_construction", "planned", "closed")


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        msg = f"Transit data file not found: {path}."
        raise BoundaryDataError(msg)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_transit_sources(directory: Path = TRANSIT_DIR) -> pd.DataFrame:
    """Return the transit source register (``T*`` ids)."""
    return _read(directory / "sources.csv")


def load_lines(directory: Path = TRANSIT_DIR) -> pd.DataFrame:
    """Return the rail lines, checking modes, statuses and sources.

    Raises
    ------
    BoundaryDataError
        On a duplicate id, an unknown mode or status, or an unregistered source.
    """
    lines = _read(directory / "lines.csv")
    sources = set(load_transit_sources(directory)["source_id"])
    problems = []
    if lines["line_id"].duplicated().any():
        problems.append(
            f"duplicate line_id {sorted(lines.loc[lines['line_id'].duplicated(), 'line_id'])}"
        )
    if bad := sorted(set(lines["mode"]) - set(LINE_MODES)):
        problems.append(f"mode {bad} (use {list(LINE_MODES)})")
    if bad := sorted(set(lines["status"]) - set(STATUSES)):
        problems.append(f"status {bad} (use {list(STATUSES)})")
    cited = {s for ids in lines["source_ids"] for s in ids.split(";") if s}
    if bad := sorted(cited - sources):
        problems.append(f"unregistered sources {bad}")
    if (lines["source_ids"] == "").any():
        problems.append("lines without a source")
    if problems:
        raise BoundaryDataError("lines.csv: " + "; ".join(problems) + ".")
    return lines


def load_stations(directory: Path = TRANSIT_DIR) -> gpd.GeoDataFrame:
    """Return the stations with a cited location, converted to WGS84.

    Returns
    -------
    geopandas.GeoDataFrame
        One point per station in EPSG:4326; ``lon_cited``/``lat_cited`` keep the
        numbers as the source gives them and ``datum`` their datum.

    Raises
    ------
    BoundaryDataError
        On duplicate ids or names, unknown lines, datums or statuses, or a
        station without a registered source.
    """
    stations = _read(directory / "stations.csv")
    lines = set(load_lines(directory)["line_id"])
    sources = set(load_transit_sources(directory)["source_id"])
    problems = []
    for column in ("station_id", "name_zh"):
        if stations[column].duplicated().any():
            problems.append(
                f"duplicate {column} {sorted(stations.loc[stations[column].duplicated(), column])}"
            )
    used = {line for value in stations["lines"] for line in value.split(";") if line}
    if bad := sorted(used - lines):
        problems.append(f"unknown lines {bad}")
    if bad := sorted(set(stations["datum"]) - set(DATUMS)):
        problems.append(f"datum {bad} (use {list(DATUMS)})")
    if bad := sorted(set(stations["status"]) - set(STATUSES)):
        problems.append(f"status {bad} (use {list(STATUSES)})")
    if bad := sorted(set(stations["coord_source_id"]) - sources):
        problems.append(f"unregistered or missing coordinate sources {bad}")
    lon = pd.to_numeric(stations["lon"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(stations["lat"], errors="coerce").to_numpy(float)
    if np.isnan(lon).any() or np.isnan(lat).any():
        problems.append("stations without numeric lon/lat")
    if problems:
        raise BoundaryDataError("stations.csv: " + "; ".join(problems) + ".")
    wgs_lon, wgs_lat = to_wgs84(lon, lat, stations["datum"].to_numpy())
    out = stations.drop(columns=["lon", "lat"]).assign(lon_cited=lon, lat_cited=lat)
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(wgs_lon, wgs_lat), crs=DISPLAY_CRS)


def load_line_stations(directory: Path = TRANSIT_DIR) -> pd.DataFrame:
    """Return each line's stations in order (``station_id`` empty where not located)."""
    table = _read(directory / "line_stations.csv")
    table["seq"] = table["seq"].astype(int)
    known_lines = set(load_lines(directory)["line_id"])
    known_stations = set(load_stations(directory)["station_id"])
    problems = []
    if bad := sorted(set(table["line_id"]) - known_lines):
        problems.append(f"unknown lines {bad}")
    located = set(table["station_id"]) - {""}
    if bad := sorted(located - known_stations):
        problems.append(f"unknown stations {bad}")
    if table.duplicated(["line_id", "seq"]).any():
        problems.append("duplicate (line_id, seq)")
    if problems:
        raise BoundaryDataError("line_stations.csv: " + "; ".join(problems) + ".")
    return table.sort_values(["line_id", "seq"]).reset_index(drop=True)


def load_ecological_corridors(directory: Path = TRANSIT_DIR) -> pd.DataFrame:
    """Return the rivers named as ecological corridors in cited sources, with OSM names."""
    corridors = _read(directory / "ecological_corridors.csv")
    sources = set(load_transit_sources(directory)["source_id"])
    if bad := sorted(set(corridors["source_id"]) - sources):
        msg = f"ecological_corridors.csv: unregistered sources {bad}."
        raise BoundaryDataError(msg)
    return corridors


def stations_from_osm(
    rail_stations: gpd.GeoDataFrame, outline: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the OpenStreetMap stations inside the county in the station schema.

    The schema of :func:`load_stations`: ``station_id``, ``name_zh``, ``name_en``,
    ``lines``, ``opened`` (unknown: ""), ``status`` (operating) and points, WGS84.
    """
    county = outline.to_crs(DISPLAY_CRS).geometry.iloc[0]
    inside = rail_stations[rail_stations.to_crs(DISPLAY_CRS).within(county)]
    return gpd.GeoDataFrame(
        {
            "station_id": inside["station_id"].to_numpy(),
            "name_zh": inside["name"].fillna("—").to_numpy(),
            "name_en": inside["name_en"].fillna(inside["name"]).fillna("—").to_numpy(),
            "lines": inside["lines"].fillna("").to_numpy(),
            "opened": "",
            "status": "operating",
        },
        geometry=inside.to_crs(DISPLAY_CRS).geometry.to_numpy(),
        crs=DISPLAY_CRS,
    )


def stations_from_layer(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a planner's station layer (``station_id``, ``name``, points) in the station schema.

    Examples
    --------
    >>> import shapely
    >>> up = gpd.GeoDataFrame({"station_id": ["s1"], "name": ["花桥站"]},
    ...     geometry=[shapely.Point(121.1, 31.3)], crs=4326)
    >>> stations_from_layer(up)[["station_id", "name_zh", "status"]].values.tolist()
    [['s1', '花桥站', 'operating']]
    """
    points = layer.to_crs(DISPLAY_CRS)
    geoms = points.geometry.representative_point()
    names = points["name"] if "name" in points else None
    return gpd.GeoDataFrame(
        {
            "station_id": points["station_id"].astype(str).to_numpy(),
            "name_zh": (names.fillna("—") if names is not None else "—"),
            "name_en": (names.fillna("—") if names is not None else "—"),
            "lines": points["lines"].fillna("").to_numpy() if "lines" in points else "",
            "opened": "",
            "status": "operating",
        },
        geometry=geoms.to_numpy(),
        crs=DISPLAY_CRS,
    )
