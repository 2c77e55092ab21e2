"""Page script: 组团总览 / Cluster overview (run by st.navigation in app.py)."""

import streamlit as st

from ui import cluster_page, state

cluster_page.render(st.session_state[state.LANG], st.session_state[state.BASEMAP])
