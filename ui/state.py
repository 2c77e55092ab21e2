"""Session-state keys, defined once, and their defaults."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import streamlit as st

from geo.dataset import LAYER_KINDS

LANG: Final = "lang"
BASEMAP: Final = "basemap"
CLUSTER: Final = "cluster_select"
CLUSTER_MAP: Final = "cluster_map"
ALL_CLUSTERS: Final = "all"
DATASET: Final = "dataset"
BUNDLED: Final = "bundled"
OSM: Final = "osm"
SESSION_LAYERS: Final = "session_layers"  # kind -> stored layer hash ("" = OSM/bundled)
OSM_JOB_SEEN: Final = "osm_job_seen"  # the start time of the OSM job this session watched
OSM_JOB_DONE: Final = "osm_job_done"  # (start time, succeeded, last lines) once it ended

_DEFAULTS: dict[str, object] = {LANG: "zh", CLUSTER: ALL_CLUSTERS, DATASET: BUNDLED}


def init_state(**overrides: object) -> None:
    """Set defaults for keys that are not in the session yet (never reset them)."""
    for key, value in {**_DEFAULTS, **overrides}.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _copy(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def choose_in_lang(
    widget: str,
    label: str,
    options: list[Any],
    *,
    state_key: str,
    lang: str,
    format_func: Callable[[Any], str],
    container: Any = None,
    **kwargs: Any,
) -> Any:
    """Draw a choice widget whose value lives in ``state_key`` across language switches.

    ``widget`` is ``selectbox``, ``radio`` or ``segmented_control``. The widget key
    includes the language: Streamlit's frontend keeps a keyed widget's option
    labels (and a radio then shows no selection), so a stable key would keep
    the old language. A missing or no longer offered value falls back to the
    first option.
    """
    if st.session_state.get(state_key) not in options:
        st.session_state[state_key] = options[0]
    widget_key = f"{state_key}__{lang}"
    if st.session_state.get(widget_key) != st.session_state[state_key]:
        st.session_state[widget_key] = st.session_state[state_key]
    draw = getattr(container or st, widget)
    if widget == "segmented_control":
        kwargs.setdefault("required", True)
    draw(
        label,
        options,
        key=widget_key,
        format_func=format_func,
        on_change=_copy,
        args=(widget_key, state_key),
        **kwargs,
    )
    return st.session_state[state_key]


def select_in_lang(
    label: str,
    options: list[str],
    *,
    state_key: str,
    lang: str,
    format_func: Callable[[str], str],
    container: Any = None,
) -> str:
    """Draw a selectbox whose value survives language switches (see :func:`choose_in_lang`)."""
    return str(
        choose_in_lang(
            "selectbox",
            label,
            options,
            state_key=state_key,
            lang=lang,
            format_func=format_func,
            container=container,
        )
    )


LAYERS_PARAM: Final = "layers"  # ?layers=parks:<hash>,… keeps a session's layers over a reload
_HASH = re.compile(r"^[0-9a-f]{64}$")


def restore_session_layers() -> None:
    """Take the session's layer choices from the page address (a reload keeps them).

    Only well-formed entries (a known kind, a SHA-256 or empty) are taken.
    """
    if SESSION_LAYERS in st.session_state:
        return
    raw = st.query_params.get(LAYERS_PARAM, "")
    layers = {}
    for item in str(raw).split(","):
        kind, _, content = item.partition(":")
        if kind in LAYER_KINDS and (content == "" or _HASH.match(content)):
            layers[kind] = content
    st.session_state[SESSION_LAYERS] = layers


def set_session_layer(kind: str, content_hash: str) -> None:
    """Use a stored layer of ``kind`` here ("": back to OSM/bundled); keep it in the URL."""
    layers = dict(st.session_state.get(SESSION_LAYERS) or {})
    layers[kind] = content_hash
    st.session_state[SESSION_LAYERS] = layers
    st.query_params[LAYERS_PARAM] = ",".join(f"{k}:{v}" for k, v in sorted(layers.items()))
