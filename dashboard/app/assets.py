"""Point folium at the vendored Leaflet files under ``static/vendor`` (once per process)."""

from __future__ import annotations

import logging

import streamlit as st

from dashboard import maps

logger = logging.getLogger(__name__)


def asset_base() -> str:
    """URL path of ``static/vendor`` as the browser sees it, honouring ``server.baseUrlPath``."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/vendor" if base else "/app/static/vendor"


@st.cache_resource(show_spinner=False)
def configure_assets(base: str | None = None) -> str:
    """Call :func:`dashboard.maps.use_local_assets` once; folium's defaults are process-wide.

    Also warns when static serving is off, because then the map cannot load Leaflet.
    """
    base = base or asset_base()
    maps.use_local_assets(base)
    if not st.get_option("server.enableStaticServing"):
        logger.warning("server.enableStaticServing is off: the map cannot load Leaflet from %s", base)
    return base
