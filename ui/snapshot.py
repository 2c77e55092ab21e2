"""From this session to a snapshot and back: capture the view, restore it from a permalink.

A page hands its typed choices to :func:`capture`; the snapshot itself is made by
:func:`share.capture.capture` from the session's data choice (its base set and
its uploads by hash) and the view the browser last reported. :func:`restore`
writes a snapshot's choices back into the session's state keys, so the page then
draws exactly that view; :func:`changed_layers` says which layers and settings
differ from the data in use now.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from analysis.standards import tier_text
from share import capture as share_capture
from share.model import MapView, Snapshot
from ui import data, state
from views.choices import ALL_CLUSTERS, Page, PageChoices

__all__ = [
    "browser_url",
    "capture",
    "changed_layers",
    "choices_from",
    "current_view",
    "permalink",
    "restore",
]


def browser_url() -> str | None:
    """Return the address this session's browser used (None outside a browser session)."""
    try:
        return str(st.context.url or "") or None
    except (AttributeError, RuntimeError):  # no browser session
        return None


def permalink(snapshot_id: str, page: str) -> str:
    """Return the snapshot's permanent link at the address this planner's browser uses."""
    return share_capture.permalink(snapshot_id, page, base_url=browser_url())


def choices_from(page: Page, values: dict[str, Any]) -> PageChoices:
    """Return ``page``'s typed choices from plain values on the data set in use."""
    return share_capture.choices_from(data.active_dataset(), page, values)


def current_view(page: Page) -> MapView:
    """Return where ``page``'s map looks now: as its browser last reported, with the basemap."""
    basemap = str(st.session_state.get(state.BASEMAP, "osm"))
    reported = (st.session_state.get(state.MAP_VIEWS) or {}).get(state.MAP_KEYS[page])
    return MapView.from_browser(basemap, reported) if reported else MapView(basemap=basemap)


def capture(
    page: Page,
    choices: PageChoices,
    *,
    title: str,
    note: str = "",
    author: str = "",
    lang: str = "zh",
    view: MapView | None = None,
) -> Snapshot:
    """Return a new snapshot of ``page`` as it is now in this session."""
    return share_capture.capture(
        data.data_choice(),
        page,
        choices,
        title=title,
        note=note,
        author=author,
        lang=lang,
        view=view if view is not None else current_view(page),
    )


def changed_layers(snapshot: Snapshot) -> tuple[str, ...]:
    """Return the layer kinds that differ between the snapshot and the data in use now."""
    return snapshot.changed_layers(share_capture.layer_hashes(data.active_dataset()))


def restore(snapshot: Snapshot) -> None:
    """Write the snapshot's data set, layers, basemap and choices into the session's state."""
    st.session_state[state.DATASET] = snapshot.dataset
    st.session_state[state.SESSION_LAYERS] = dict(snapshot.session_layers)
    st.session_state[state.BASEMAP] = snapshot.view.basemap
    choices = snapshot.choices
    if snapshot.page == "clusters":
        st.session_state[state.CLUSTER] = choices.get("cluster_id", ALL_CLUSTERS)
    elif snapshot.page == "corridors":
        st.session_state[state.CORRIDOR_RADIUS] = int(choices.get("radius_m", 500))
        st.session_state[state.CORRIDOR_METHOD] = choices.get("method", "straight")
        st.session_state[state.CORRIDOR_STATION] = choices.get("station_id")
    else:
        standard_id = choices.get("standard_id")
        if standard_id:
            st.session_state[state.PARKS_STANDARD] = standard_id
            st.session_state[state.tier_key(standard_id)] = tier_text(choices.get("tier_id"))
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
