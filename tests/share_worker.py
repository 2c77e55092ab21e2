"""A separate process that saves one snapshot (the store tests start many of these).

``python tests/share_worker.py URL save TITLE`` saves and prints the id;
``… hang TITLE`` starts the save, prints ``inserted`` once the snapshot's row is
written inside the transaction, then waits (to be killed midway).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from share.model import Snapshot, new_id, now_iso
from share.store import SnapshotStore


def main() -> None:
    """Save one snapshot into the store at argv[1]."""
    url, mode, title = sys.argv[1:4]
    store = SnapshotStore(url)
    if mode == "hang":

        @sa.event.listens_for(store.engine, "after_cursor_execute")
        def _pause(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("INSERT INTO SNAPSHOTS"):
                print("inserted", flush=True)
                time.sleep(120)

    snap = Snapshot(
        new_id(),
        "clusters",
        {"cluster_id": "east"},
        title=title,
        author="worker",
        created_at=now_iso(),
        layer_hashes={"outline": "a" * 64},
        session_layers={"units": "b" * 64},
    )
    saved = store.save(snap)
    print(saved.snapshot_id, flush=True)


if __name__ == "__main__":
    main()
