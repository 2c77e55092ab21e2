"""Map-first screens: the map is the page, controls and figures sit in a column beside it.

On a desktop window (1400×1000 and up) the map column takes 7/9 of the content
width beside a narrow sidebar, at least 60 % of the window's width, and the map is
620 px tall (62 % of a 1000 px window); the page's controls and key figures sit in
the side column. On a phone the columns stack: the map first at full width, then
the key figures, then the controls and notes. Measured in Chromium by
``tests/test_browser.py``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

from ui import state

__all__ = [
    "MAP_HEIGHT_PX",
    "MAP_WIDTH_PX",
    "Columns",
    "map_and_side",
    "page_header",
    "page_style",
]

MAP_HEIGHT_PX = 620
MAP_WIDTH_PX = 860  # the map column's width on a 1400 px window, for fitting views
_COLUMNS = (7, 2)

_STYLE = """
<style>
[data-testid="stMainBlockContainer"] {padding: 2.6rem 1.2rem 2rem; max-width: none;}
section[data-testid="stSidebar"] {width: 220px !important; min-width: 220px !important;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.5rem; padding: 0 0 .2rem;}
[data-testid="stMainBlockContainer"] h3 {font-size: 1.1rem;}
</style>
"""


# Streamlit's file uploader speaks English only ("Upload", "200MB per file • ZIP, …"): in
# Chinese its words are replaced by ours (the formats are listed in each panel's help).
_UPLOADER_ZH = """
<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p
  {font-size: 0 !important;}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after
  {content: "选择文件"; font-size: 0.875rem;}
[data-testid="stFileUploaderDropzoneInstructions"] span {font-size: 0 !important;}
[data-testid="stFileUploaderDropzoneInstructions"] span::after
  {content: "拖放文件到此处，单个文件不超过 MB_LIMIT MB"; font-size: 0.875rem;}
</style>
"""


def page_style(lang: str = "zh") -> None:
    """Apply the compact, map-first page style (once per run, from app.py), in ``lang``."""
    style = _STYLE + _PHONE_ORDER
    if lang == "zh":
        limit = int(st.get_option("server.maxUploadSize"))
        style += _UPLOADER_ZH.replace("MB_LIMIT", str(limit))
    st.markdown(style, unsafe_allow_html=True)


def page_header(title: str, intro: str = "") -> None:
    """Draw a page's compact title and its one-line introduction (if any)."""
    st.title(title)
    if intro:
        st.caption(intro)


class Columns(NamedTuple):
    """A page's slots: the map and what follows it; beside it controls, figures and share.

    On a desktop ``map`` and ``under`` make the map column and ``side``,
    ``figures`` and ``share`` the side column, in that order. On a phone the
    columns stack, and the key figures (a tapped station's panel, a cluster's
    figures, the county's coverage) come straight after the map, then what is
    under the map, then the controls (:data:`_PHONE_ORDER`).
    """

    map: Any  # the map and its key
    under: Any  # notes and sections under the map
    side: Any  # the page's controls
    figures: Any  # the key figures (they change with a selection)
    share: Any  # 分享 / Share, below them


# Streamlit stacks columns below 640 px. There the two columns' blocks are laid out
# as one list: the map and its key, the key figures, the rest of the map column
# (notes, the scenario), then the controls and share.
_PHONE_ORDER = (
    """
<style>
@media (max-width: 640px) {
  .st-key-ROWS > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]
    {flex-direction: column; flex-wrap: nowrap; align-items: stretch;}
  .st-key-ROWS > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]
    > [data-testid="stColumn"],
  .st-key-ROWS > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]
    > [data-testid="stColumn"] > [data-testid="stVerticalBlock"] {display: contents;}
  .st-key-ROWS > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]
    > [data-testid="stColumn"]:first-child > [data-testid="stVerticalBlock"] > *
    {order: 3; width: 100%;}
  .st-key-ROWS > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]
    > [data-testid="stColumn"]:last-child > [data-testid="stVerticalBlock"] > *
    {order: 4; width: 100%;}
  .st-key-ROWS [data-testid="stLayoutWrapper"]:has(> .st-key-ROWS_map) {order: 1 !important;}
  .st-key-ROWS [data-testid="stLayoutWrapper"]:has(> .st-key-ROWS_figures) {order: 2 !important;}
}
</style>
""".replace("ROWS_map", state.LAYOUT_MAP)
    .replace("ROWS_figures", state.LAYOUT_FIGURES)
    .replace("ROWS", state.LAYOUT_ROWS)
)


def map_and_side() -> Columns:
    """Return the page's slots: the map column's two, the side column's three.

    Share has its own slot made before anything is drawn above it, so it keeps
    its place in the page: when a click on the map changes the figures above it,
    an open 分享 / Share stays open with what the planner typed, instead of being
    drawn anew, shut, under the cursor.
    """
    with st.container(key=state.LAYOUT_ROWS):
        map_col, side_col = st.columns(list(_COLUMNS), gap="small")
    with map_col:
        shown = st.container(key=state.LAYOUT_MAP)
        under = st.container()
    with side_col:
        side = st.container()
        figures = st.container(key=state.LAYOUT_FIGURES)
        share = st.container()
    return Columns(map=shown, under=under, side=side, figures=figures, share=share)
