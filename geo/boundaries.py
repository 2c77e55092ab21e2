"""Load and validate the county outline, planning units and cluster definitions.

Planning-unit schema (bundled file and any official drop-in replacement):

============== ======== ===========================================================
column         required meaning
============== ======== ===========================================================
unit_id        yes      one of the ids in ``planning_units.csv`` (e.g. ``bacheng``)
name_zh        no       Chinese name (taken from the unit table when missing)
name_en        no       English name (taken from the unit table when missing)
boundary_quality no     ``official`` or ``approximate`` (default ``official``)
geometry       yes      Polygon or MultiPolygon, any CRS that is declared
============== ======== ===========================================================

Cited attributes (area, population, sources) always come from the unit table
``planning_units.csv``; measured areas are computed in EPSG:4549 on load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo.crs import ANALYSIS_CRS, DISPLAY_CRS, gdf_to_wgs84
from geo.errors import BoundaryDataError
from geo.paths import CLUSTERS_PATH, OUTLINE_PATH, SOURCES_PATH, UNIT_TABLE_PATH, UNITS_PATH

__all__ = [
    "Cluster",
    "load_clusters",
    "load_outline",
    "load_sources",
    "load_units",
    "read_unit_table",
]

_BOUNDARY_QUALITIES = ("official", "approximate")
_POLYGON_TYPES = {"Polygon", "MultiPolygon"}


@dataclass(frozen=True)
class Cluster:
    """One regional cluster (组团) of the 2022 master plan."""

    cluster_id: str
    name_zh: str
    name_en: str
    short_zh: str
    short_en: str
    direction_zh: str
    direction_en: str
    lead_unit: str
    members: tuple[str, ...]
    role_zh: str
    role_en: str
    tasks_zh: tuple[str, ...]
    tasks_en: tuple[str, ...]
    colour: str

    def __post_init__(self) -> None:
        """Check the members and the colour."""
        if self.lead_unit not in self.members:
            msg = f"Cluster {self.cluster_id!r}: lead unit {self.lead_unit!r} is not a member."
            raise BoundaryDataError(msg)
        if not (self.colour.startswith("#") and len(self.colour) == 7):
            msg = f"Cluster {self.cluster_id!r}: colour {self.colour!r} is not #rrggbb."
            raise BoundaryDataError(msg)

    def name(self, lang: str) -> str:
        """Return the cluster's full name in ``lang`` (``zh`` or ``en``)."""
        return self.name_zh if lang == "zh" else self.name_en

    def short(self, lang: str) -> str:
        """Return the cluster's short name in ``lang``."""
        return self.short_zh if lang == "zh" else self.short_en

    def label(self, lang: str) -> str:
        """Return the one name maps, charts and tables use: the short name, the full in brackets.

        >>> Cluster("e", "国际数字商务贸易组团", "Trade Cluster", "东部组团", "East cluster",
        ...         "东", "east", "a", ("a",), "", "", (), (), "#123456").label("zh")
        '东部组团（国际数字商务贸易组团）'
        """
        if lang == "zh":
            return f"{self.short_zh}（{self.name_zh}）"
        return f"{self.short_en} ({self.name_en})"


def read_unit_table(path: Path = UNIT_TABLE_PATH) -> pd.DataFrame:
    """Read the cited attributes of every planning unit (one row per unit).

    Returns
    -------
    pandas.DataFrame
        Indexed 0..n-1 with ``unit_id`` unique; ``territorial`` is boolean.
    """
    table = pd.read_csv(path, dtype={"unit_id": str, "administered_by": str})
    table["territorial"] = table["territorial"].astype(str).str.lower() == "true"
    for column in ("area_km2_cited", "population", "seat_lon", "seat_lat"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    table["population"] = table["population"].astype("Int64")
    table["administered_by"] = table["administered_by"].fillna("")
    if table["unit_id"].duplicated().any():
        dupes = table.loc[table["unit_id"].duplicated(), "unit_id"].tolist()
        msg = f"{path.name}: duplicate unit_id {dupes}."
        raise BoundaryDataError(msg)
    return table


def _read_vector(path: Path, what: str) -> gpd.GeoDataFrame:
    if not path.exists():
        msg = f"{what} file not found: {path}."
        raise BoundaryDataError(msg)
    try:
        return gpd.read_file(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"{what} file {path.name} could not be read as vector data ({exc})."
        raise BoundaryDataError(msg) from exc


def _check_polygons(gdf: gpd.GeoDataFrame, what: str) -> None:
    problems = []
    if gdf.empty:
        problems.append("it holds no features")
    kinds = set(gdf.geom_type.dropna()) - _POLYGON_TYPES
    if kinds:
        problems.append(f"geometry types {sorted(kinds)} (need Polygon/MultiPolygon)")
    if gdf.geometry.isna().any() or gdf.geometry.is_empty.any():
        problems.append("some features have no geometry")
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        problems.append(f"{int(invalid.sum())} invalid geometries")
    if problems:
        msg = f"{what}: " + "; ".join(problems) + "."
        raise BoundaryDataError(msg)


def load_outline(path: Path = OUTLINE_PATH) -> gpd.GeoDataFrame:
    """Load the county outline in WGS84 with its area measured in EPSG:4549."""
    outline = gdf_to_wgs84(_read_vector(path, "County outline"), what="County outline")
    _check_polygons(outline, "County outline")
    outline = outline.copy()
    outline["area_km2"] = outline.to_crs(ANALYSIS_CRS).area / 1e6
    return outline


def load_units(
    path: Path = UNITS_PATH, *, unit_table: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """Load territorial planning units, validate the schema and add cited attributes.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage or Shapefile with the schema in this module's
        docstring: the bundled approximate file or an official replacement.
    unit_table
        Cited attributes; read from ``planning_units.csv`` when omitted.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per territorial unit in WGS84 with ``area_km2`` measured in
        EPSG:4549 and the cited columns of the unit table.

    Raises
    ------
    BoundaryDataError
        If a required column is missing, ids are unknown, duplicated or
        missing, or geometries are not valid polygons.
    CRSError
        If the file declares no CRS.
    """
    table = read_unit_table() if unit_table is None else unit_table
    units = gdf_to_wgs84(_read_vector(path, "Planning units"), what="Planning units")
    return units_from_frame(units, table, what=f"Planning units ({Path(path).name})")


def _unit_ids_from_names(units: gpd.GeoDataFrame, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Give ``unit_id`` from a ``name`` column matching the table's Chinese names.

    Town files name their features (花桥镇, 昆山开发区…) rather than use our ids; a
    name matches when it equals a unit's ``name_zh`` with or without 镇/街道/区.
    """
    if "name" not in units.columns:
        return units
    ids = set(table["unit_id"])
    if "unit_id" in units.columns and set(units["unit_id"].astype(str)) <= ids:
        return units

    def bare(text: object) -> str:
        return str(text).strip().removesuffix("街道").removesuffix("镇").removesuffix("区")

    lookup = {bare(n): uid for uid, n in zip(table["unit_id"], table["name_zh"], strict=True)}
    matched = units["name"].map(lambda n: lookup.get(bare(n)))
    if matched.isna().any():
        return units
    out = units.copy()
    out["unit_id"] = matched.to_numpy()
    return out


def units_from_frame(
    units: gpd.GeoDataFrame, table: pd.DataFrame, *, what: str = "Planning units"
) -> gpd.GeoDataFrame:
    """Validate planning units already read (WGS84) and add the table's cited attributes.

    The checks and output of :func:`load_units`; a planner's layer whose ``name``
    column holds the units' Chinese names gets their ids.

    Raises
    ------
    BoundaryDataError
        As :func:`load_units`.
    """
    units = _unit_ids_from_names(units.to_crs(DISPLAY_CRS), table)
    if "unit_id" not in units.columns:
        msg = f"{what}: no 'unit_id' column; columns are {sorted(units.columns)}."
        raise BoundaryDataError(msg)
    _check_polygons(units, what)
    territorial = table[table["territorial"]]
    expected = set(territorial["unit_id"])
    found = units["unit_id"].astype(str)
    problems = []
    if unknown := sorted(set(found) - set(table["unit_id"])):
        problems.append(f"unknown unit_id {unknown} (valid: {sorted(expected)})")
    if non_territorial := sorted(set(found) & set(table.loc[~table["territorial"], "unit_id"])):
        problems.append(f"{non_territorial} have no territory of their own")
    if dupes := sorted(set(found[found.duplicated()])):
        problems.append(f"duplicate unit_id {dupes}")
    if missing := sorted(expected - set(found)):
        problems.append(f"missing units {missing}")
    if "boundary_quality" in units.columns:
        bad = sorted(set(units["boundary_quality"].dropna()) - set(_BOUNDARY_QUALITIES))
        if bad:
            problems.append(f"boundary_quality {bad} (use {list(_BOUNDARY_QUALITIES)})")
    if problems:
        raise BoundaryDataError(f"{what}: " + "; ".join(problems) + ".")

    keep = ["unit_id", "geometry"]
    if "boundary_quality" in units.columns:
        keep.append("boundary_quality")
    out = units[keep].copy()
    out["unit_id"] = out["unit_id"].astype(str)
    if "boundary_quality" not in out.columns:
        out["boundary_quality"] = "official"
    out["boundary_quality"] = out["boundary_quality"].fillna("official")
    attributes = table.drop(columns=["seat_lon", "seat_lat"])
    out = out.merge(attributes, on="unit_id", how="left", validate="one_to_one")
    out["geometry"] = shapely.force_2d(out.geometry.values)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=DISPLAY_CRS)
    out["area_km2"] = out.to_crs(ANALYSIS_CRS).area / 1e6
    order = {uid: i for i, uid in enumerate(table["unit_id"])}
    return out.sort_values("unit_id", key=lambda s: s.map(order)).reset_index(drop=True)


def load_clusters(
    path: Path = CLUSTERS_PATH, *, unit_table: pd.DataFrame | None = None
) -> tuple[Cluster, ...]:
    """Load the four clusters and check that every unit belongs to exactly one.

    Raises
    ------
    BoundaryDataError
        If the file is malformed, a member is unknown, or a unit is in no
        cluster or in two.
    """
    table = read_unit_table() if unit_table is None else unit_table
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        clusters = tuple(
            Cluster(
                **{
                    **c,
                    "members": tuple(c["members"]),
                    "tasks_zh": tuple(c["tasks_zh"]),
                    "tasks_en": tuple(c["tasks_en"]),
                }
            )
            for c in raw["clusters"]
        )
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        msg = f"Cluster file {Path(path).name} is malformed: {exc}."
        raise BoundaryDataError(msg) from exc
    counts: dict[str, int] = {}
    for cluster in clusters:
        for member in cluster.members:
            counts[member] = counts.get(member, 0) + 1
    known = set(table["unit_id"])
    problems = []
    if unknown := sorted(set(counts) - known):
        problems.append(f"unknown members {unknown}")
    if twice := sorted(u for u, n in counts.items() if n > 1):
        problems.append(f"units in more than one cluster {twice}")
    if orphans := sorted(known - set(counts)):
        problems.append(f"units in no cluster {orphans}")
    if len({c.cluster_id for c in clusters}) != len(clusters):
        problems.append("duplicate cluster_id")
    if problems:
        raise BoundaryDataError(f"Cluster file {Path(path).name}: " + "; ".join(problems) + ".")
    return clusters


def load_sources(path: Path = SOURCES_PATH) -> pd.DataFrame:
    """Read the source register (one row per cited source, keyed by ``source_id``)."""
    return pd.read_csv(path, dtype=str).fillna("")
