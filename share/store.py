"""Where snapshots live: SQLite under the data directory, or PostgreSQL (``DATABASE_URL``).

- **SQLite** (default): ``$KUNSHAN_DATA_DIR/snapshots.sqlite``, created on first use,
  in WAL mode with a busy timeout; every write opens with ``BEGIN IMMEDIATE`` (a
  read lock that later upgrades to a write lock fails at once, whatever the
  timeout). WAL needs a local disk, not a network share.
- **PostgreSQL** when ``DATABASE_URL`` is ``postgresql://…`` (driven by psycopg 3).

The schema is made and upgraded by Alembic (``share/migrations``) on first use;
concurrent first uses are serialised (SQLite's write lock, PostgreSQL's advisory
lock). A snapshot, its layer references and its artefacts' hashes are written in
one transaction: a save killed midway leaves nothing behind.

Deleting needs the snapshot's delete token (shown once to whoever saved it; the
store keeps only its SHA-256), or the server's command line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from geo.errors import SnapshotError, SnapshotNotFoundError
from geo.paths import data_dir  # not geo.store.local: a process that only saves needs no geopandas
from share.model import Snapshot, check_id, snapshot_from_payload, unguessable

__all__ = [
    "DATABASE_URL_ENV",
    "LIST_MAX",
    "Saved",
    "SnapshotRow",
    "SnapshotStore",
    "database_url",
    "open_store",
]

DATABASE_URL_ENV = "DATABASE_URL"
LIST_MAX = 50  # snapshots per page of the list
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_BUSY_MS = 30_000
_PG_LOCK = 0x4B53_4E50  # advisory lock id for migrations ("KSNP")

metadata = sa.MetaData()
snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("page", sa.String(16), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("author", sa.String(100), nullable=False, server_default=""),
    sa.Column("created_at", sa.String(32), nullable=False, index=True),
    sa.Column("dataset_version", sa.String(64), nullable=False),
    sa.Column("delete_hash", sa.String(64), nullable=False),
    sa.Column("thumbnail", sa.String(64), nullable=True),
    sa.Column("payload", sa.Text, nullable=False),
)
snapshot_layers = sa.Table(
    "snapshot_layers",
    metadata,
    sa.Column(
        "snapshot_id", sa.String(64), sa.ForeignKey("snapshots.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False, index=True),
)  # fmt: skip
artefacts = sa.Table(
    "artefacts",
    metadata,
    sa.Column(
        "snapshot_id", sa.String(64), sa.ForeignKey("snapshots.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("name", sa.String(40), primary_key=True),  # e.g. "sheet_a4.pdf"
    sa.Column("content_hash", sa.String(64), nullable=False, index=True),
    sa.Column("n_bytes", sa.Integer, nullable=False),
)  # fmt: skip


def database_url() -> str:
    """Return the store's URL: ``$DATABASE_URL``, else SQLite under the data directory."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{data_dir() / 'snapshots.sqlite'}"


@dataclass(frozen=True)
class Saved:
    """A snapshot just saved: its id and its delete token (shown once, never stored)."""

    snapshot_id: str
    delete_token: str


@dataclass(frozen=True)
class SnapshotRow:
    """One line of the snapshots list (no payload)."""

    snapshot_id: str
    title: str
    author: str
    page: str
    created_at: str
    thumbnail: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready values."""
        return {
            "id": self.snapshot_id,
            "title": self.title,
            "author": self.author,
            "page": self.page,
            "created_at": self.created_at,
            "thumbnail": self.thumbnail,
        }


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _sqlite_engine(url: str) -> sa.Engine:
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": _BUSY_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class SnapshotStore:
    """Snapshots in a SQL database (see the module docstring)."""

    def __init__(self, url: str | None = None, artefact_dir: Path | None = None) -> None:
        """Open (and if needed create or upgrade) the store at ``url``."""
        self.url = url or database_url()
        self.is_sqlite = self.url.startswith("sqlite")
        self.engine = _sqlite_engine(self.url) if self.is_sqlite else sa.create_engine(self.url)
        self.artefact_dir = artefact_dir or data_dir() / "artefacts"
        self._migrate()

    # --- schema ----------------------------------------------------------------------------

    def _alembic(self, conn: sa.Connection) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        cfg.attributes["connection"] = conn
        return cfg

    def _migrate(self) -> None:
        head = ScriptDirectory(str(_MIGRATIONS)).get_current_head()
        with self.engine.connect() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                conn.rollback()
                return
            conn.rollback()
        with self._write() as conn:
            if not self.is_sqlite:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
            if MigrationContext.configure(conn).get_current_revision() != head:
                command.upgrade(self._alembic(conn), "head")

    def revision(self) -> str | None:
        """Return the schema's Alembic revision."""
        with self.engine.connect() as conn:
            rev = MigrationContext.configure(conn).get_current_revision()
            conn.rollback()
            return rev

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    # --- snapshots -------------------------------------------------------------------------

    def save(self, snapshot: Snapshot) -> Saved:
        """Store ``snapshot`` (new id each time; immutable once stored) and its layer references."""
        token = unguessable(24)
        payload = json.dumps(snapshot.payload, ensure_ascii=False, allow_nan=False)
        with self._write() as conn:
            conn.execute(
                snapshots.insert().values(
                    id=snapshot.snapshot_id,
                    schema_version=snapshot.schema_version,
                    page=snapshot.page,
                    title=snapshot.title,
                    author=snapshot.author,
                    created_at=snapshot.created_at,
                    dataset_version=snapshot.dataset_version,
                    delete_hash=_token_hash(token),
                    payload=payload,
                )
            )
            refs = [
                {"snapshot_id": snapshot.snapshot_id, "kind": k, "content_hash": v}
                for k, v in sorted(snapshot.uploads.items())
            ]
            if refs:
                conn.execute(snapshot_layers.insert(), refs)
        return Saved(snapshot.snapshot_id, token)

    def get(self, snapshot_id: str) -> Snapshot:
        """Return the snapshot ``snapshot_id`` (migrated to the current schema).

        Raises
        ------
        SnapshotNotFoundError
            If the id is malformed or unknown.
        SnapshotError
            If it was saved by a newer version of the app, or is damaged.
        """
        check_id(snapshot_id)
        with self.engine.connect() as conn:
            raw = conn.execute(
                sa.select(snapshots.c.payload).where(snapshots.c.id == snapshot_id)
            ).scalar_one_or_none()
            conn.rollback()
        if raw is None:
            msg = "未找到该快照。 / No such snapshot."
            raise SnapshotNotFoundError(msg)
        try:
            data = json.loads(raw)
        except ValueError as exc:
            msg = "快照数据已损坏。 / The snapshot is damaged."
            raise SnapshotError(msg) from exc
        return snapshot_from_payload(data)

    def list(
        self, *, search: str = "", limit: int = LIST_MAX, offset: int = 0
    ) -> list[SnapshotRow]:
        """Return snapshots, newest first, whose title contains ``search`` (case-blind)."""
        limit = max(1, min(int(limit), LIST_MAX))
        query = sa.select(
            snapshots.c.id,
            snapshots.c.title,
            snapshots.c.author,
            snapshots.c.page,
            snapshots.c.created_at,
            snapshots.c.thumbnail,
        )
        term = search.strip()[:100]
        if term:
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(snapshots.c.title.ilike(f"%{escaped}%", escape="\\"))
        query = query.order_by(snapshots.c.created_at.desc(), snapshots.c.id).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query.offset(max(0, int(offset)))).all()
            conn.rollback()
        return [SnapshotRow(*tuple(row)) for row in rows]  # type: ignore[arg-type]

    def count(self) -> int:
        """Return how many snapshots are stored."""
        with self.engine.connect() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(snapshots)).scalar_one()
            conn.rollback()
        return int(n)

    def delete(self, snapshot_id: str, token: str | None, *, admin: bool = False) -> None:
        """Delete a snapshot: with its delete token, or as the server's administrator.

        Raises
        ------
        SnapshotNotFoundError
            If there is no such snapshot.
        SnapshotError
            If the token is wrong.
        """
        check_id(snapshot_id)
        with self._write() as conn:
            stored = conn.execute(
                sa.select(snapshots.c.delete_hash).where(snapshots.c.id == snapshot_id)
            ).scalar_one_or_none()
            if stored is None:
                msg = "未找到该快照。 / No such snapshot."
                raise SnapshotNotFoundError(msg)
            if not admin and not hmac.compare_digest(stored, _token_hash(token or "")):
                msg = "删除口令不正确。 / The delete token is not right."
                raise SnapshotError(msg)
            conn.execute(
                snapshot_layers.delete().where(snapshot_layers.c.snapshot_id == snapshot_id)
            )
            conn.execute(artefacts.delete().where(artefacts.c.snapshot_id == snapshot_id))
            conn.execute(snapshots.delete().where(snapshots.c.id == snapshot_id))

    def layers_in_use(self) -> set[str]:
        """Return the content hashes of every uploaded layer a snapshot needs."""
        with self.engine.connect() as conn:
            query = sa.select(snapshot_layers.c.content_hash).distinct()
            found: list[Any] = list(conn.execute(query).scalars().all())
            out = {str(h) for h in found}
            conn.rollback()
        return out

    # --- artefacts (rendered sheets, thumbnails): files named by content hash ------------------

    def put_artefact(self, snapshot_id: str, name: str, content: bytes) -> str:
        """Keep ``content`` as the snapshot's artefact ``name``; return its SHA-256."""
        check_id(snapshot_id)
        digest = hashlib.sha256(content).hexdigest()
        path = self.artefact_path(digest)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(content)
            tmp.replace(path)
        with self._write() as conn:
            conn.execute(
                artefacts.delete().where(
                    (artefacts.c.snapshot_id == snapshot_id) & (artefacts.c.name == name)
                )
            )
            conn.execute(
                artefacts.insert().values(
                    snapshot_id=snapshot_id, name=name, content_hash=digest, n_bytes=len(content)
                )
            )
            if name == "thumbnail.png":
                conn.execute(
                    snapshots.update().where(snapshots.c.id == snapshot_id).values(thumbnail=digest)
                )
        return digest

    def artefact(self, snapshot_id: str, name: str) -> bytes | None:
        """Return the snapshot's artefact ``name``, if one was kept."""
        check_id(snapshot_id)
        with self.engine.connect() as conn:
            digest = conn.execute(
                sa.select(artefacts.c.content_hash).where(
                    (artefacts.c.snapshot_id == snapshot_id) & (artefacts.c.name == name)
                )
            ).scalar_one_or_none()
            conn.rollback()
        if digest is None:
            return None
        path = self.artefact_path(digest)
        return path.read_bytes() if path.is_file() else None

    def artefact_path(self, digest: str) -> Path:
        """Return where the artefact with SHA-256 ``digest`` is kept."""
        return self.artefact_dir / digest[:2] / digest


_OPEN: dict[str, SnapshotStore] = {}


def open_store(url: str | None = None) -> SnapshotStore:
    """Return the store at ``url`` (default :func:`database_url`), opened once per process."""
    key = url or database_url()
    if key not in _OPEN:
        _OPEN[key] = SnapshotStore(key)
    return _OPEN[key]
