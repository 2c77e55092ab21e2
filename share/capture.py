"""From a page's model to a snapshot and back, without a browser session.

:func:`capture` makes a snapshot of a page for typed choices on a data set: its
figures (:func:`views.figures.figures_for`), which layers and settings were in
use (every layer's content hash), the data set's version and the app's version.
:func:`dataset_of` composes a snapshot's data set again on this server, so its
exports draw the snapshot's layers, whatever a session has open; :func:`permalink`
is its permanent address.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from geo import settings
from geo.store.dataset import DataSet
from share.model import MapView, Snapshot, new_id, now_iso
from views.choices import CHOICES, PAGES, Page, PageChoices
from views.compose import DataChoice, dataset_for
from views.figures import figures_for
from views.reach import park_standards

__all__ = [
    "APP_VERSION",
    "DEFAULT_PAGE",
    "SNAPSHOT_PARAM",
    "capture",
    "choices_from",
    "choices_of",
    "dataset_of",
    "layer_hashes",
    "permalink",
]

_ROOT = Path(__file__).resolve().parent.parent
APP_VERSION: Final = tomllib.loads((_ROOT / "pyproject.toml").read_text("utf-8"))["project"][
    "version"
]
SNAPSHOT_PARAM: Final = "snapshot"
DEFAULT_PAGE: Final[Page] = "clusters"  # the app's first page (app.py)


def layer_hashes(ds: DataSet) -> dict[str, str]:
    """Return every layer and setting of ``ds``: kind -> content hash."""
    return {source.kind: source.content_hash for source in ds.layers}


def choices_from(ds: DataSet, page: Page, values: Mapping[str, Any]) -> PageChoices:
    """Return ``page``'s typed choices from plain values (unknown keys are ignored).

    The parks page's standard defaults to the first of the data set's standards.
    """
    values = dict(values)
    if page == "parks" and "standard_id" not in values:
        values["standard_id"] = park_standards(ds).standards[0].standard_id
    return CHOICES[page].from_dict(values)


def dataset_of(snapshot: Snapshot) -> DataSet:
    """Return the snapshot's data set on this server: its base and its layers, as saved."""
    return dataset_for(DataChoice.of(snapshot.dataset, dict(snapshot.session_layers)))


def choices_of(snapshot: Snapshot) -> PageChoices:
    """Return the snapshot's typed choices."""
    return choices_from(dataset_of(snapshot), snapshot.page, snapshot.choices)


def capture(
    data: DataChoice,
    page: Page,
    choices: PageChoices,
    *,
    title: str,
    note: str = "",
    author: str = "",
    lang: str = "zh",
    view: MapView | None = None,
) -> Snapshot:
    """Return a new snapshot of ``page`` for ``choices`` on the data of ``data``."""
    ds = dataset_for(data)
    return Snapshot(
        snapshot_id=new_id(),
        page=page,
        choices=choices.as_dict(),
        title=title,
        note=note,
        author=author,
        lang=lang,
        view=view or MapView(),
        dataset=data.base,
        session_layers=data.layer_map,
        layer_hashes=layer_hashes(ds),
        dataset_version=ds.version,
        app_version=APP_VERSION,
        created_at=now_iso(),
        figures=figures_for(ds, page, choices),
    )


def permalink(snapshot_id: str, page: str, *, base_url: str | None = None) -> str:
    """Return the snapshot's permanent link (``…/<page>?snapshot=<id>``).

    ``base_url`` is the address the planner's browser used (any page of the app):
    the link, its QR code and every export made in that session use it. A set
    ``KUNSHAN_PUBLIC_URL`` overrides it (a server behind a proxy whose public
    address the browser does not see); without either, ``http://localhost:8501``.
    The first page (clusters) has no path of its own: its link is ``…/?snapshot=<id>``.

    >>> permalink("abcdefghijklmnop", "parks", base_url="http://gis.local/app/corridors?x=1")
    'http://gis.local/app/parks?snapshot=abcdefghijklmnop'
    """
    base = settings.public_url_override() or (base_url or "").split("?", 1)[0].split("#", 1)[0]
    base = base.rstrip("/")
    for known in (*PAGES, "snapshots"):
        if base.endswith("/" + known):
            base = base[: -len(known) - 1]
            break
    base = base or settings.public_url()
    # The first page is the app's address itself: Streamlit serves no /clusters.
    path = "" if page == DEFAULT_PAGE else page
    return f"{base}/{path}?{SNAPSHOT_PARAM}={snapshot_id}"
