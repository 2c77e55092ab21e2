"""Kunshan planning map: Streamlit entry point (thin: settings, sidebar, pages)."""

from __future__ import annotations

import streamlit as st

from geo import settings
from layers.labels import LANGUAGES, Lang, tr
from layers.specs import BASEMAPS
from share.capture import DEFAULT_PAGE
from ui import data_panel, layout, share_panel, state

st.set_page_config(page_title="昆山规划地图 · Kunshan planning map", page_icon="🗺️", layout="wide")
layout.page_style(st.session_state.get(state.LANG, "zh"))
state.init_state(**{state.BASEMAP: settings.default_basemap()})
state.restore_session_layers()
# A permalink (?snapshot=<id>) restores its layers and choices before any widget is drawn.
opened = share_panel.open_from_address()
# Its view is shown read-only: every control is locked until "继续操作 / go on from here".
st.session_state[state.READ_ONLY] = opened is not None
if st.session_state[state.BASEMAP] not in {b.id for b in BASEMAPS}:
    st.session_state[state.BASEMAP] = "osm"

with st.sidebar:
    st.segmented_control(
        tr("language", "zh"),
        LANGUAGES,
        key=state.LANG,
        format_func={"zh": "中文", "en": "English"}.get,
        required=True,  # clicking the active language must not leave none selected
    )
    lang: Lang = st.session_state[state.LANG]
    st.markdown(f"### {tr('app_title', lang)}")
    state.select_in_lang(
        tr("basemap", lang),
        [b.id for b in BASEMAPS],
        state_key=state.BASEMAP,
        lang=lang,
        format_func=lambda bid: tr(next(b for b in BASEMAPS if b.id == bid).label_key, lang),
    )
    if st.session_state[state.BASEMAP] == "tianditu" and not settings.tianditu_key():
        st.caption(tr("tianditu_needs_key", lang))
    data_panel.render(lang)


pages = {
    "clusters": st.Page(
        "ui/page_clusters.py",
        title=tr("page_clusters", lang),
        url_path=DEFAULT_PAGE,
        default=True,
    ),
    "corridors": st.Page(
        "ui/page_corridors.py", title=tr("page_corridors", lang), url_path="corridors"
    ),
    "parks": st.Page("ui/page_parks.py", title=tr("page_parks", lang), url_path="parks"),
    "snapshots": st.Page(
        "ui/page_snapshots.py", title=tr("page_snapshots", lang), url_path="snapshots"
    ),
}
current = st.navigation(list(pages.values()))
if opened is not None and (current.url_path or DEFAULT_PAGE) != opened.page:
    # A snapshot link opened on another page: go to the snapshot's own page.
    st.switch_page(pages[opened.page], query_params={"snapshot": opened.snapshot_id})
current.run()
