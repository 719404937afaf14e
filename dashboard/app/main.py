"""Entry script of the Streamlit dashboard: page set-up, offline assets, routing.

Started by ``python -m dashboard serve`` (which passes the store URL and the
server options); each page under ``views/`` is a short pipeline: read the view
from the link and the filters, query the store, render.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.app import state
from dashboard.app.assets import configure_assets

HERE = Path(__file__).resolve().parent
# The page scripts live in views/, not pages/: Streamlit lists a pages/ folder next to the entry
# script as pages of its own ("main", "ingest"...) when a link such as /overview is opened directly.

# A local file: a Material icon as page_icon makes the browser fetch the favicon from Google's font CDN.
st.set_page_config(
    page_title="News map", page_icon=str(HERE / "static" / "vendor" / "leaflet" / "images" / "marker-icon.png"),
    layout="wide",
)
configure_assets()

pages = [
    st.Page(str(HERE / "views" / "map.py"), title="Map", icon=":material/map:", default=True),
    st.Page(str(HERE / "views" / "overview.py"), title="Overview", icon=":material/bar_chart:", url_path="overview"),
]
pages.append(st.Page(str(HERE / "views" / "feeds.py"), title="Feeds", icon=":material/rss_feed:", url_path="feeds"))
if not state.settings().read_only:  # read-only: shared links work, ingest is not offered at all
    pages.append(st.Page(str(HERE / "views" / "ingest.py"), title="Ingest", icon=":material/upload:",
                         url_path="ingest"))
st.navigation(pages).run()
