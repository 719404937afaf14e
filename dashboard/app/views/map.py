"""Map page: where is the news happening, and what does it say?

Pipeline: view from the link and the filters -> store queries (cached) -> map
and article list.  The map lives in a fragment, so panning and zooming rerun
only the map (to keep centre and zoom in the link); clicking a place, which
changes the article list, reruns the page.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import streamlit as st

from dashboard import maps
from dashboard.app import live, mapcache, safe, state
from dashboard.app.articles import article_list, article_view
from dashboard.app.sidebar import copy_link, current_view, draw_sidebar, url_view, write_url
from dashboard.app.viewstate import LAYER_TO_MAPS, ViewState
from dashboard.errors import DashboardError
from dashboard.store.grid import GRID_MAX_ZOOM, degrees_for_zoom
from dashboard.topics import SOURCE_PREFIX

logger = logging.getLogger(__name__)

MAP_KEY = "newsmap"



def _sync_in_view() -> None:
    """Keep "only articles in the map view" in the link."""
    if st.session_state["f_inview"]:
        st.query_params["inview"] = "1"
    else:
        st.query_params.pop("inview", None)

def _polygons() -> dict[str, dict[str, Any]]:
    try:
        return state.country_polygons()
    except (DashboardError, OSError, ImportError) as err:
        safe.warning(f"The place index is not available, so the map has no country outlines: {err}")
        return {}


@st.fragment
def map_fragment(
    view: ViewState,
    places: list[Any],
    counts: dict[str, int],
    polygons: dict[str, Any],
    topic_of: dict[str, str] | None = None,
    topics: tuple[str, ...] = (),
    grid: list[Any] | None = None,
    many: bool = False,
) -> None:
    """Draw the map and follow the user's panning, zooming and clicks."""
    cfg = state.settings()
    ss = st.session_state
    # The map is built at the view it had when its content last changed, and
    # Leaflet keeps track of later moves itself.  Building at the current view on
    # every run would change the map's script, so every click would remount it
    # (and lose popups); passing the view back as st_folium's center/zoom races
    # with the user's own panning.
    signature = (view.filters(state.now(), with_place=False), view.layer, view.by_topic, grid is not None)
    if ss.get("_map_signature") != signature:
        ss["_map_signature"] = signature
        ss["_map_start"] = (view.lat, view.lon, view.zoom)
    start = ss["_map_start"]
    center = (start[0], start[1]) if start[0] is not None and start[1] is not None else None
    def build() -> Any:
        m = maps.build_map(
            places,
            counts,
            polygons,
            layers=(LAYER_TO_MAPS[view.layer],),
            tiles=cfg.tiles,
            attribution=cfg.attribution,
            center=center,
            zoom=start[2] if center else None,
            max_markers=cfg.max_markers,
            country_names=state.country_names_safe(),
            topic_of=topic_of,
            topics=topics,
            grid=grid,
        )
        bad = maps.external_asset_urls(m)
        if bad:
            logger.warning("map would load assets from other hosts: %s", bad)
        return m

    returned = ["last_object_clicked_tooltip", "last_object_clicked", "center", "zoom"]
    if view.in_view:
        returned.append("bounds")
    # Built once per content and shared by sessions and reruns: see dashboard/app/mapcache.py.
    content = mapcache.fingerprint(places, counts, len(polygons), view.layer, cfg.tiles, cfg.attribution, center,
                                   start[2], cfg.max_markers, topic_of, topics, grid)
    out = mapcache.show_map(build, content, key=MAP_KEY, height=560, returned_objects=returned)

    # Keep centre and zoom in the link.
    c, z = out.get("center"), out.get("zoom")
    if isinstance(c, dict) and "lat" in c and isinstance(z, (int, float)):
        lat, lon = round(float(c["lat"]), 4), round(((float(c["lng"]) + 180) % 360) - 180, 4)
        if (lat, lon, int(z)) != (view.lat, view.lon, view.zoom):
            st.query_params["lat"] = f"{lat:.4f}"
            st.query_params["lon"] = f"{lon:.4f}"
            st.query_params["z"] = str(int(z))
            if many and (int(z) <= GRID_MAX_ZOOM) != (grid is not None):  # crossed the grid's zoom: redraw
                st.rerun()

    # A click on a place selects it, which narrows the article list: rerun the page.
    click = (out.get("last_object_clicked_tooltip"), str(out.get("last_object_clicked")))
    if click[0] and click != ss.get("_last_click"):
        ss["_last_click"] = click
        pid = maps.place_id_from_tooltip(click[0])
        if pid and pid != view.place:
            st.query_params["place"] = pid
            st.query_params.pop("article", None)
            st.query_params.pop("page", None)
            st.rerun()

    b = out.get("bounds") if view.in_view else None
    if b and b.get("_southWest") and b["_southWest"].get("lat") is not None:
        sw, ne = b["_southWest"], b["_northEast"]
        bounds = (round(sw["lat"], 3), round(sw["lng"], 3), round(ne["lat"], 3), round(ne["lng"], 3))
        if bounds != ss.get("_bounds"):
            ss["_bounds"] = bounds
            st.rerun()


def main() -> None:
    cfg = state.settings()
    url, warnings = url_view()
    ss = st.session_state
    if "_link_warnings" not in ss:
        ss["_link_warnings"] = warnings
    for w in ss["_link_warnings"]:
        safe.warning(w)

    t0 = time.perf_counter()
    view = current_view(url)
    view = live.refresh_control(view).with_(bounds=ss.get("_bounds"))
    live.watch_for_new(view)  # before the queries: an article stored meanwhile triggers the next refresh
    map_filters = view.filters(state.now(), with_place=False)
    db = cfg.db_url
    # All queries at once: the map is drawn as soon as its own results are in,
    # while the sidebar's counts (the slowest query) are still being computed.
    facets_f = state.submit(state.facets, db, map_filters)
    total_f = state.submit(state.count_articles, db, map_filters)
    places_f = state.submit(state.place_summaries, db, map_filters, limit=cfg.max_markers)
    # Zoomed out, more places may match than are drawn as markers: then every place, summed into grid cells.
    zoom = view.zoom if view.zoom is not None else 2
    grid_ok = view.layer == "clusters" and not view.by_topic
    grid_f = state.submit(state.grid_cells, db, map_filters, degrees_for_zoom(zoom)) \
        if grid_ok and zoom <= GRID_MAX_ZOOM else None
    counts_f = state.submit(state.country_counts, db, map_filters) if view.layer == "countries" else None
    try:
        total = total_f.result()
        places = places_f.result()
        counts = counts_f.result() if counts_f is not None else {}
        topic_of, topics = _topics(view, map_filters, facets_f) if view.by_topic and view.layer == "clusters" \
            else (None, ())
    except DashboardError as err:
        state.store_error(err)
        st.stop()

    many = grid_ok and len(places) >= cfg.max_markers
    grid = None
    if many and grid_f is not None:
        try:
            grid = grid_f.result()
        except DashboardError as err:
            state.store_error(err)
            st.stop()

    t1 = time.perf_counter()
    names = {s.place.id: s.place.name for s in places}
    left, right = st.columns([3, 2], gap="medium")
    with left:
        live.new_since_opened(view, total)
        if total == 0:
            st.info("No articles match these filters. Widen the date range or clear some filters.")
        elif grid is not None:
            st.caption(f"{total:,} articles; places summed into {len(grid)} grid cells at this zoom: "
                       "zoom in to see single places.")
        elif len(places) >= cfg.max_markers:
            st.caption(f"Showing the {cfg.max_markers:d} places with most articles "
                       f"{'in view' if view.in_view else 'under these filters'} "
                       f"({total:,} articles); filter or zoom in for the rest.")
        else:
            st.caption(f"{len(places)} place{'s' * (len(places) != 1)} in {total:,} "
                       f"article{'s' * (total != 1)}")
        map_fragment(view, places, counts, _polygons(), topic_of, topics, grid, many)
    t2 = time.perf_counter()

    try:
        facets = facets_f.result()
    except DashboardError as err:
        state.store_error(err)
        st.stop()
    draw_sidebar(facets, total)
    st.sidebar.checkbox(
        "Only articles in the map view",
        value=view.in_view,
        key="f_inview",
        on_change=_sync_in_view,
    )
    write_url(view)
    copy_link(view)
    if cfg.read_only:
        st.sidebar.caption("Read-only dashboard: ingest and corrections are switched off.")
    else:
        live.save_alert_form(view, ss.get("_bounds"))

    with right:
        if view.article and article_view(view, cfg.read_only):
            return
        article_list(view, names.get(view.place or ""))
    logger.debug("map page: map queries %.3f s, map %.3f s, rest %.3f s", t1 - t0, t2 - t1, time.perf_counter() - t2)


def _topics(view: ViewState, filters: Any, facets_f: Any) -> tuple[dict[str, str], tuple[str, ...]]:
    """Each place's dominant topic, for colouring: among the chosen topics, or the most frequent ones."""
    if view.topics:
        topics = tuple(view.topics[: state.TOPIC_COLOURS])
    else:
        # taxonomy topics only: a feed's own categories (source: tags) are too many and too narrow to colour by
        ranked = sorted((kv for kv in facets_f.result().get("topics", []) if not kv[0].startswith(SOURCE_PREFIX)),
                        key=lambda kv: -kv[1])
        topics = tuple(t for t, n in ranked[: state.TOPIC_COLOURS] if n > 0)
    if not topics:
        return {}, ()
    return state.dominant_topics(state.settings().db_url, filters, topics), topics


main()
