"""Map-first screens: the map is the page, controls and figures sit in a column beside it.

On a desktop window (1400×1000 and up) the map column takes 7/9 of the content
width beside a narrow sidebar, at least 60 % of the window's width, and the map is
620 px tall (62 % of a 1000 px window); the page's controls and key figures sit in
the side column. On a phone the columns stack: the map first at full width, then
the controls and figures. Measured in Chromium by ``tests/test_browser.py``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

__all__ = ["MAP_HEIGHT_PX", "MAP_WIDTH_PX", "map_and_side", "page_header", "page_style"]

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


def page_style() -> None:
    """Apply the compact, map-first page style (once per run, from app.py)."""
    st.markdown(_STYLE, unsafe_allow_html=True)


def page_header(title: str, intro: str = "") -> None:
    """Draw a page's compact title and its one-line introduction (if any)."""
    st.title(title)
    if intro:
        st.caption(intro)


def map_and_side() -> tuple[Any, Any]:
    """Return the map column and the side column (controls, then key figures)."""
    map_col, side_col = st.columns(list(_COLUMNS), gap="small")
    return map_col, side_col
