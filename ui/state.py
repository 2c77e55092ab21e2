"""Session-state keys, defined once, and their defaults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import streamlit as st

LANG: Final = "lang"
BASEMAP: Final = "basemap"
CLUSTER: Final = "cluster_select"
CLUSTER_MAP: Final = "cluster_map"
ALL_CLUSTERS: Final = "all"
DATASET: Final = "dataset"
BUNDLED: Final = "bundled"
OSM: Final = "osm"

_DEFAULTS: dict[str, object] = {LANG: "zh", CLUSTER: ALL_CLUSTERS, DATASET: BUNDLED}


def init_state(**overrides: object) -> None:
    """Set defaults for keys that are not in the session yet (never reset them)."""
    for key, value in {**_DEFAULTS, **overrides}.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _copy(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def select_in_lang(
    label: str,
    options: list[str],
    *,
    state_key: str,
    lang: str,
    format_func: Callable[[str], str],
    container: Any = None,
) -> str:
    """Draw a selectbox whose value lives in ``state_key`` across language switches.

    The widget key includes the language: Streamlit's frontend keeps a keyed
    widget's option labels, so a stable key would keep showing the old language.
    A missing or no longer offered value falls back to the first option.
    """
    if st.session_state.get(state_key) not in options:
        st.session_state[state_key] = options[0]
    widget_key = f"{state_key}__{lang}"
    if st.session_state.get(widget_key) != st.session_state[state_key]:
        st.session_state[widget_key] = st.session_state[state_key]
    (container or st).selectbox(
        label,
        options,
        key=widget_key,
        format_func=format_func,
        on_change=_copy,
        args=(widget_key, state_key),
    )
    return str(st.session_state[state_key])
