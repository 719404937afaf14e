"""The map component's input built once per map (``dashboard/app/mapcache.py``) is what st_folium would send.

The cache computes the strings itself (to share them across sessions) and renders
the map once instead of twice: the result must not differ from streamlit_folium's
own steps, apart from the random element ids folium draws for every map it builds.
"""

from __future__ import annotations

import re

import streamlit_folium as sf

from dashboard import maps
from dashboard.app import mapcache
from dashboard.models import Filters
from dashboard.store import open_store

_ID = re.compile(r"[0-9a-f]{32}")


def _build(db_url: str):
    store = open_store(db_url)
    try:
        places = list(store.place_summaries(Filters(), limit=500))
    finally:
        store.close()
    assert places

    def build():
        return maps.build_map(places, {}, None, layers=("markers",), max_markers=500)

    return build


def test_component_args_match_what_st_folium_computes(seeded_db: str) -> None:
    build = _build(seeded_db)
    got = mapcache._component_args(mapcache.fingerprint("test_mapcache", seeded_db), build)
    m = build()  # streamlit_folium's own steps: render the figure, render the map again, extract
    m.get_root().render()
    m.render()
    want = {"html": sf._get_html(m), "header": sf._get_header(m), "script": sf._get_map_string(m)}
    for key, value in want.items():
        assert _ID.sub("ID", got[key]) == _ID.sub("ID", value), key
    assert "Beijing" in got["script"]  # a marker of the seeded store
    assert got["id"].startswith("map_")


def test_the_same_content_is_built_once(seeded_db: str) -> None:
    calls = []
    build = _build(seeded_db)

    def counted():
        calls.append(1)
        return build()

    key = mapcache.fingerprint("test_mapcache_once", seeded_db)
    first = mapcache._component_args(key, counted)
    assert mapcache._component_args(key, counted) is first
    assert len(calls) == 1
