"""The local layer store: planners' layers kept by content hash, and the server's choices.

Layout under the data directory (``KUNSHAN_DATA_DIR``, default ``data/local`` of the
checkout, git-ignored)::

    layers/<hash>.parquet     the normalised layer in WGS84 (GeoParquet)
    layers/<hash>.json        its record: kind, original file name, who added it and
                              when, the CRS and encoding it was read with, counts
    originals/<sha256>        the uploaded file's bytes, as they came
    server.json               which stored layer is the server's layer of each kind

A layer's hash is a SHA-256 of its geometries (WKB) and attribute values, so the same
data always has the same hash and a snapshot can name exactly the layer it used.
Stored files are never deleted by removing a layer from a data set. Every write goes
to a temporary name first and is moved into place, under a lock for ``server.json``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.atomic import replaced_atomically
from geo.crs import DISPLAY_CRS
from geo.errors import UnknownLayerError, UploadError
from geo.paths import data_dir

__all__ = [
    "StoredLayer",
    "layer_hash",
    "read_stored",
    "server_layers",
    "set_server_layer",
    "store_layer",
    "stored_layers",
]


@dataclass(frozen=True)
class StoredLayer:
    """A stored layer's record (what it is, where it came from, how it was read)."""

    kind: str
    content_hash: str
    file_name: str
    original_sha256: str
    added_by: str
    added_at: str
    crs: str
    encoding: str
    n_features: int
    notes: tuple[str, ...] = ()


def layer_hash(gdf: gpd.GeoDataFrame) -> str:
    """Return the SHA-256 of a layer's geometries (WKB, WGS84) and attribute values.

    >>> a = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(121, 31.4)], crs=4326)
    >>> layer_hash(a) == layer_hash(a.copy()), layer_hash(a) == layer_hash(a.assign(name="y"))
    (True, False)
    """
    frame = gdf.to_crs(DISPLAY_CRS) if gdf.crs is not None else gdf
    digest = hashlib.sha256()
    for wkb in shapely.to_wkb(frame.geometry.to_numpy(), hex=False):
        digest.update(wkb or b"\x00")
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    digest.update(",".join(map(str, attributes.columns)).encode())
    digest.update(attributes.to_csv(index=False).encode())
    return digest.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    with replaced_atomically(path) as tmp:
        tmp.write_bytes(data)


def store_layer(
    gdf: gpd.GeoDataFrame,
    *,
    kind: str,
    original: bytes,
    file_name: str,
    added_by: str = "",
    crs: str = DISPLAY_CRS,
    encoding: str = "",
    notes: tuple[str, ...] = (),
    root: Path | None = None,
) -> StoredLayer:
    """Keep ``gdf`` (WGS84) and the bytes it was read from; return its record.

    Storing the same layer again returns the first record (nothing is rewritten).
    """
    root = root or data_dir()
    gdf = gdf.to_crs(DISPLAY_CRS)
    content = layer_hash(gdf)
    layers = root / "layers"
    record_path = layers / f"{content}.json"
    if record_path.is_file():
        return _record(record_path)
    original_sha = hashlib.sha256(original).hexdigest()
    original_path = root / "originals" / original_sha
    if not original_path.is_file():
        _write_atomic(original_path, original)
    with replaced_atomically(layers / f"{content}.parquet") as tmp:
        gdf.to_parquet(tmp, index=False)
    record = StoredLayer(
        kind=kind,
        content_hash=content,
        file_name=file_name,
        original_sha256=original_sha,
        added_by=added_by,
        added_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        crs=crs,
        encoding=encoding,
        n_features=len(gdf),
        notes=tuple(notes),
    )
    _write_atomic(record_path, json.dumps(asdict(record), ensure_ascii=False).encode())
    return record


def _record(path: Path) -> StoredLayer:
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["notes"] = tuple(raw.get("notes") or ())
    return StoredLayer(**raw)


def stored_layers(root: Path | None = None) -> list[StoredLayer]:
    """Return every stored layer's record, newest first."""
    folder = (root or data_dir()) / "layers"
    if not folder.is_dir():
        return []
    records = [_record(p) for p in folder.glob("*.json")]
    return sorted(records, key=lambda r: r.added_at, reverse=True)


def read_stored(content_hash: str, root: Path | None = None) -> gpd.GeoDataFrame:
    """Return a stored layer by its hash.

    Raises
    ------
    UnknownLayerError
        If no layer with that hash is stored.
    """
    path = (root or data_dir()) / "layers" / f"{content_hash}.parquet"
    if not path.is_file():
        msg = (
            f"图层存储中没有 {content_hash[:12]}…。 / No stored layer {content_hash[:12]}… "
            f"in {path.parent}."
        )
        raise UnknownLayerError(msg)
    return gpd.read_parquet(path)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".server.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def server_layers(root: Path | None = None) -> dict[str, str]:
    """Return the server's layers: kind -> stored layer hash (empty when none is set)."""
    path = (root or data_dir()) / "server.json"
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        msg = (
            f"服务器图层设置 {path} 已损坏。 / The server's layer settings {path} are damaged: "
            f"{exc.__class__.__name__}."
        )
        raise UploadError(msg) from exc
    return {str(k): str(v) for k, v in raw.items()}


def set_server_layer(kind: str, content_hash: str | None, root: Path | None = None) -> None:
    """Make a stored layer the server's layer of ``kind`` (None: back to OSM/bundled).

    Raises
    ------
    UnknownLayerError
        If ``content_hash`` is not stored.
    """
    root = root or data_dir()
    if content_hash is not None and not (root / "layers" / f"{content_hash}.json").is_file():
        msg = f"图层存储中没有 {content_hash[:12]}…。 / No stored layer {content_hash[:12]}…."
        raise UnknownLayerError(msg)
    with _locked(root):
        layers = server_layers(root)
        if content_hash is None:
            layers.pop(kind, None)
        else:
            layers[kind] = content_hash
        _write_atomic(root / "server.json", json.dumps(layers, indent=1).encode())
