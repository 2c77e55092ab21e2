"""Page script: 公园可达 / Parks within reach (run by st.navigation in app.py)."""

import streamlit as st

from ui import parks_page, state

parks_page.render(st.session_state[state.LANG], st.session_state[state.BASEMAP])
