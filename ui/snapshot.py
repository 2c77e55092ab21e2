"""From a page to a snapshot and back: capture the view, restore it from a permalink.

A page hands its typed choices and its figures (:mod:`ui.figures`) to
:func:`capture`; the snapshot adds which layers were in use (the session's uploads
by hash, the base data set, every layer's content hash) and the app's version.
:func:`restore` writes a snapshot's choices back into the session's state keys, so
the page then draws exactly that view; :func:`changed_layers` says which layers
differ from the data in use now.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import streamlit as st

from geo.errors import PlanningMapError
from layers.labels import Lang
from share.model import PAGES, Figure, MapView, Page, Snapshot, new_id, now_iso
from ui import data, settings, state
from ui.choices import ClusterChoices, CorridorChoices, ParksChoices

__all__ = [
    "APP_VERSION",
    "CHOICES",
    "PAGE_FILES",
    "capture",
    "changed_layers",
    "choices_from",
    "current_layer_hashes",
    "current_view",
    "data_of",
    "figures_for",
    "headless_session",
    "permalink",
    "restore",
]

_ROOT = Path(__file__).resolve().parent.parent
APP_VERSION: Final = tomllib.loads((_ROOT / "pyproject.toml").read_text("utf-8"))["project"][
    "version"
]
CHOICES: Final[dict[str, type[Any]]] = {
    "clusters": ClusterChoices,
    "corridors": CorridorChoices,
    "parks": ParksChoices,
}
PAGE_FILES: Final = {p: f"ui/page_{p}.py" for p in PAGES}
SNAPSHOT_PARAM: Final = "snapshot"
DEFAULT_PAGE: Final = "clusters"  # the app's first page (app.py)


def current_layer_hashes() -> dict[str, str]:
    """Return every layer of the data set in use: kind -> content hash."""
    ds = data.active_dataset()
    out = {}
    for kind in ds.kinds():
        source = ds.source(kind)
        if source is not None:
            out[kind] = source.content_hash
    return out


def choices_from(page: str, values: dict[str, Any]) -> Any:
    """Return ``page``'s typed choices from plain values (unknown keys are ignored)."""
    if page == "parks" and "standard_id" not in values:
        values = {"standard_id": data.park_standards().standards[0].standard_id, **values}
    return CHOICES[page].from_dict(values)


def figures_for(page: str, choices: Any) -> tuple[Figure, ...]:
    """Return the figures ``page`` shows for ``choices`` on the data set in use."""
    from ui import figures  # noqa: PLC0415 - heavy, and only for saving

    if page == "clusters":
        return figures.cluster_figures(choices)
    if page == "corridors":
        return figures.corridor_figures(choices)
    return figures.parks_figures(choices)


def capture(
    page: Page,
    choices: Any,
    figures: tuple[Figure, ...],
    *,
    title: str,
    note: str = "",
    author: str = "",
    lang: str = "zh",
    view: MapView | None = None,
) -> Snapshot:
    """Return a new snapshot of ``page`` as it is now in this session."""
    ds = data.active_dataset()
    session_layers = dict(st.session_state.get(state.SESSION_LAYERS) or {})
    if view is None:
        view = current_view(page)
    return Snapshot(
        snapshot_id=new_id(),
        page=page,
        choices=choices.as_dict(),
        title=title,
        note=note,
        author=author,
        lang=lang,
        view=view,
        dataset=str(st.session_state.get(state.DATASET, state.BUNDLED)),
        session_layers=session_layers,
        layer_hashes=current_layer_hashes(),
        dataset_version=ds.version,
        app_version=APP_VERSION,
        created_at=now_iso(),
        figures=figures,
    )


def current_view(page: Page) -> MapView:
    """Return where ``page``'s map looks now: as its browser last reported, with the basemap."""
    basemap = str(st.session_state.get(state.BASEMAP, "osm"))
    reported = (st.session_state.get(state.MAP_VIEWS) or {}).get(state.MAP_KEYS[page])
    return MapView.from_browser(basemap, reported) if reported else MapView(basemap=basemap)


def changed_layers(snapshot: Snapshot) -> tuple[str, ...]:
    """Return the layer kinds that differ between the snapshot and the data in use now."""
    return snapshot.changed_layers(current_layer_hashes())


@contextmanager
def data_of(snapshot: Snapshot) -> Iterator[None]:
    """Use the snapshot's data set and layers for what runs inside; the session's after.

    Exports drawn from the snapshots list must show the snapshot's layers, not the
    ones the planner has open.
    """
    keys = (state.DATASET, state.SESSION_LAYERS)
    before = {k: st.session_state[k] for k in keys if k in st.session_state}
    st.session_state[state.DATASET] = snapshot.dataset
    st.session_state[state.SESSION_LAYERS] = dict(snapshot.session_layers)
    try:
        yield
    finally:
        for key in keys:
            if key in before:
                st.session_state[key] = before[key]
            else:
                st.session_state.pop(key, None)


def restore(snapshot: Snapshot) -> None:
    """Write the snapshot's data set, layers, basemap and choices into the session's state."""
    st.session_state[state.DATASET] = snapshot.dataset
    st.session_state[state.SESSION_LAYERS] = dict(snapshot.session_layers)
    st.session_state[state.BASEMAP] = snapshot.view.basemap
    choices = snapshot.choices
    if snapshot.page == "clusters":
        st.session_state[state.CLUSTER] = choices.get("cluster_id", state.ALL_CLUSTERS)
    elif snapshot.page == "corridors":
        st.session_state[state.CORRIDOR_RADIUS] = int(choices.get("radius_m", 500))
        st.session_state[state.CORRIDOR_METHOD] = choices.get("method", "straight")
        st.session_state[state.CORRIDOR_STATION] = choices.get("station_id")
    else:
        standard_id = choices.get("standard_id")
        if standard_id:
            st.session_state[state.PARKS_STANDARD] = standard_id
            st.session_state[state.tier_key(standard_id)] = choices.get("tier_id") or state.ANY_TIER
        for key, name in (
            (state.PARKS_METHOD, "method"),
            (state.PARKS_DEMAND, "demand"),
            (state.PARKS_CELL, "cell_m"),
            (state.PARKS_VIEW, "view"),
            (state.PARKS_BASIS, "basis"),
            (state.PARKS_ENTRANCES, "show_entrances"),
        ):
            if name in choices:
                st.session_state[key] = choices[name]


def headless_session(*, dataset: str, layers: dict[str, str], basemap: str, lang: str) -> Lang:
    """Set up a session without a browser (the command line): data set, layers, basemap, language.

    Returns the language to build figures in.
    """
    if dataset not in {state.BUNDLED, state.OSM}:
        msg = f"dataset 只能是 bundled 或 osm，收到 {dataset!r}。 / dataset is bundled or osm."
        raise PlanningMapError(msg)
    st.session_state[state.DATASET] = dataset
    st.session_state[state.SESSION_LAYERS] = dict(layers)
    st.session_state[state.BASEMAP] = basemap
    chosen: Lang = "en" if lang == "en" else "zh"
    st.session_state[state.LANG] = chosen
    return chosen


def permalink(snapshot_id: str, page: str) -> str:
    """Return the snapshot's permanent link on this server (``…/<page>?snapshot=<id>``).

    The first page (clusters) has no path of its own: its link is ``…/?snapshot=<id>``.
    """
    base = ""
    try:
        base = str(st.context.url or "")
    except (AttributeError, RuntimeError):  # no browser session (command line)
        base = ""
    base = base.split("?", 1)[0].rstrip("/")
    for p in (*PAGES, "snapshots"):
        if base.endswith("/" + p):
            base = base[: -len(p) - 1]
            break
    base = base or settings.public_url()
    # The first page is the app's address itself: Streamlit serves no /clusters.
    path = "" if page == DEFAULT_PAGE else page
    return f"{base}/{path}?{SNAPSHOT_PARAM}={snapshot_id}"
