"""Page script: 交通走廊 / Corridors (run by st.navigation in app.py)."""

import streamlit as st

from ui import corridors_page, state

corridors_page.render(st.session_state[state.LANG], st.session_state[state.BASEMAP])
