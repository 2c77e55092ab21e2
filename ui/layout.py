"""Map-first screens: the map is the page, controls and figures sit in a column beside it.

On a desktop window (1400×1000 and up) the map column takes 7/9 of the content
width beside a narrow sidebar, at least 60 % of the window's width, and the map is
620 px tall (62 % of a 1000 px window); the page's controls and key figures sit in
the side column. On a phone the columns stack: the map first at full width, then
the controls and figures. Measured in Chromium by ``tests/test_browser.py``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

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
    style = _STYLE
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
    """A page's map column and its side column, split into two fixed slots."""

    map: Any
    side: Any  # the page's controls and key figures (they change with a selection)
    share: Any  # 分享 / Share, below them


def map_and_side() -> Columns:
    """Return the map column and the side column's two slots (controls and figures; share).

    Share has its own slot made before anything is drawn above it, so it keeps
    its place in the page: when a click on the map changes the figures above it,
    an open 分享 / Share stays open with what the planner typed, instead of being
    drawn anew, shut, under the cursor.
    """
    map_col, side_col = st.columns(list(_COLUMNS), gap="small")
    with side_col:
        side = st.container()
        share = st.container()
    return Columns(map=map_col, side=side, share=share)
