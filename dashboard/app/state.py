"""Every cache of the app, in one place, plus the settings the ``serve`` command passes in.

``st.cache_resource`` holds the shared, long-lived objects (the store
connection, the place index and its polygons); ``st.cache_data`` holds query
results, bounded in entries and age so a busy team server does not grow
without limit.  Cached functions take the store URL, never a widget or the
store itself, and callers must not mutate what they return (the values are
frozen dataclasses and tuples for that reason).
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from dashboard.app import safe
from dashboard.config import default_db_url
from dashboard.errors import DashboardError
from dashboard.models import Filters, PlaceSummary

logger = logging.getLogger(__name__)

QUERY_TTL = 300  # seconds: ingest runs elsewhere, so results may go stale
QUERY_ENTRIES = 256
SETTINGS_TTL = 60  # seconds: store settings change rarely, and by a command run elsewhere


@dataclass(frozen=True, slots=True)
class Settings:
    """How this server was started (``python -m dashboard serve`` sets the environment)."""

    db_url: str
    read_only: bool
    tiles: str | None
    attribution: str | None
    max_markers: int = 500


def _max_markers() -> int:
    raw = os.environ.get("DASHBOARD_MAX_MARKERS", "")
    try:
        return max(1, min(20_000, int(raw))) if raw else 500
    except ValueError:
        logger.warning("DASHBOARD_MAX_MARKERS=%r is not a number; using 500", raw)
        return 500


def settings() -> Settings:
    """Read the settings each run: cheap, and tests change the environment between runs."""
    tiles = os.environ.get("DASHBOARD_TILES") or None
    return Settings(
        max_markers=_max_markers(),
        db_url=os.environ.get("DASHBOARD_DB") or default_db_url(),
        read_only=os.environ.get("DASHBOARD_READ_ONLY", "") not in ("", "0", "false"),
        tiles=tiles,
        attribution=(os.environ.get("DASHBOARD_TILES_ATTRIBUTION") or None) if tiles else None,
    )


# --- shared resources ----------------------------------------------------


@st.cache_resource(show_spinner="Opening the store…")
def get_store(db_url: str) -> Any:
    """One store per URL and process; the store is safe to share between sessions."""
    from dashboard.store import open_store

    return open_store(db_url)


@st.cache_resource(show_spinner="Loading the place index…")
def get_index() -> Any:
    """The offline place index (built on first use when missing)."""
    from dashboard.gazetteer import load_index

    return load_index()


@st.cache_resource(show_spinner=False)
def country_polygons() -> dict[str, dict[str, Any]]:
    """ISO2 -> GeoJSON geometry, for the basemap and the country shading."""
    return get_index().country_polygons()


@st.cache_resource(show_spinner=False)
def country_names() -> dict[str, str]:
    """ISO2 -> English name, from the place index."""
    return {p.country_code: p.name for p in get_index().countries() if p.country_code}


@st.cache_resource(show_spinner=False)
def region_options() -> dict[str, str]:
    """Continent and region place id -> name, for the region filter."""
    regions = sorted(get_index().regions(), key=lambda p: (p.kind != "continent", p.name))
    return {p.id: p.name for p in regions}


@st.cache_resource(show_spinner=False)
def _admin1_labels() -> dict[str, str]:
    """``"CC.code"`` -> ``"Name, Country"``, filled as the store shows new units (one per place-index admin1)."""
    return {}


def admin1_names(keys: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Labels for first-level divisions (``"US.TX"`` -> ``"Texas, United States"``) from the place index.

    Looked up once per unit and process (a dict held by ``st.cache_resource``); a unit the
    index does not know keeps its code as its label.
    """
    labels = _admin1_labels()
    missing = [k for k in keys if k not in labels]
    if missing:
        index, countries = get_index(), country_names()
        for key in missing:
            cc, _, code = key.partition(".")
            place = index.admin1(cc, code) if code else None
            country = countries.get(cc, cc)
            labels[key] = f"{place.name}, {country}" if place is not None else key
    return {k: labels[k] for k in keys}


@st.cache_resource(show_spinner=False)
def query_pool() -> ThreadPoolExecutor:
    """Threads that run a page's store queries side by side (each keeps its own connection).

    SQLite and PostgreSQL release the GIL while they work, so the map's
    queries and the sidebar's counts overlap instead of adding up.
    """
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="dashboard-query")


def submit(fn: Any, *args: Any, **kwargs: Any) -> Future[Any]:
    """Run a cached query function in :func:`query_pool` (cached functions never touch widgets)."""
    return query_pool().submit(fn, *args, **kwargs)


# --- query results -------------------------------------------------------


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_ENTRIES, show_spinner=False)
def place_summaries(db_url: str, filters: Filters, limit: int = 500) -> list[PlaceSummary]:
    return list(get_store(db_url).place_summaries(filters, limit=limit))


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_ENTRIES, show_spinner=False)
def country_counts(db_url: str, filters: Filters) -> dict[str, int]:
    return {cc: int(n) for cc, n in get_store(db_url).country_counts(filters)}


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_ENTRIES, show_spinner=False)
def articles(db_url: str, filters: Filters, limit: int = 20, offset: int = 0) -> list[Any]:
    return list(get_store(db_url).articles(filters, limit=limit, offset=offset))


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_ENTRIES, show_spinner=False)
def count_articles(db_url: str, filters: Filters) -> int:
    return int(get_store(db_url).count_articles(filters))


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_ENTRIES, show_spinner=False)
def daily_counts(db_url: str, filters: Filters) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in get_store(db_url).daily_counts(filters)]


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_ENTRIES, show_spinner=False)
def facets(db_url: str, filters: Filters) -> dict[str, list[tuple[str, int]]]:
    """Values of each filter with how many articles each would leave."""
    raw = get_store(db_url).facets(filters, parallel=False)  # one lane: see Store.facets
    out: dict[str, list[tuple[str, int]]] = {}
    for key, values in dict(raw).items():
        if isinstance(values, dict):
            values = list(values.items())
        out[key] = [(str(v), int(n)) for v, n in values]
    return out


TOPIC_COLOURS = 8  # topics that get a colour of their own; the rest are "other"


@st.cache_data(ttl=QUERY_TTL, max_entries=QUERY_ENTRIES, show_spinner=False)
def dominant_topics(db_url: str, filters: Filters, topics: tuple[str, ...], limit: int = 1000) -> dict[str, str]:
    """Place id -> the topic most of its filtered articles carry, among ``topics``.

    One ``place_summaries`` query per topic (run side by side), through the
    store's public API; places with no tagged article are left out.
    """
    store = get_store(db_url)
    futures = {t: submit(store.place_summaries, replace(filters, topics=(t,)), limit=limit) for t in topics}
    best: dict[str, tuple[int, str]] = {}
    for topic in topics:
        for s in futures[topic].result():
            if s.articles > best.get(s.place.id, (0, ""))[0]:
                best[s.place.id] = (s.articles, topic)
    return {pid: topic for pid, (_, topic) in best.items()}


@st.cache_data(ttl=QUERY_TTL, max_entries=64, show_spinner=False)
def article(db_url: str, article_id: int) -> Any:
    return get_store(db_url).article(article_id)


@st.cache_data(ttl=SETTINGS_TTL, max_entries=16, show_spinner=False)
def remote_images(db_url: str) -> bool:
    """The store's ``remote_images`` setting (``store-settings``); a change shows within a minute."""
    return bool(get_store(db_url).remote_images())


@st.cache_resource(show_spinner=False)
def get_geocoder() -> Any:
    """The offline geocoder over the shared place index (for "wrong place?" searches)."""
    from dashboard.geocode.offline import OfflineGeocoder

    return OfflineGeocoder(get_index())


@st.cache_data(ttl=3600, max_entries=256, show_spinner=False)
def search_places(query: str, limit: int = 10) -> list[Any]:
    """Places of the index matching ``query`` (any language the index knows), best first."""
    query = query.strip()
    if not query:
        return []
    index = get_index()
    found = get_geocoder().geocode(query, exactly_one=False, limit=limit) or []
    places = []
    for loc in found:
        raw = loc.raw or {}
        place = index.by_id(raw.get("id", "")) if raw.get("id") else None
        if place is not None:
            places.append(place)
    return places


def invalidate_queries() -> None:
    """Forget every cached query result: the store changed (a correction, an ingest)."""
    for fn in (place_summaries, country_counts, articles, count_articles, daily_counts, facets, article,
               dominant_topics, remote_images):
        fn.clear()


def now() -> datetime:
    """The reference time for date presets, to the hour.

    Rounded so that "last 7 days" is the same filter on every rerun within the
    hour: otherwise each rerun would miss the query cache and rebuild the map.
    """
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def store_error(err: DashboardError) -> None:
    """Show a store or index failure as one clear message instead of a traceback."""
    safe.error(err)  # the store's message may quote a link's or an article's text
    logger.warning("dashboard error: %s", err)


def country_names_safe() -> dict[str, str]:
    """:func:`country_names`, or nothing when the index cannot be loaded (the page says why elsewhere)."""
    try:
        return country_names()
    except (DashboardError, OSError) as err:
        logger.warning("no country names: %s", err)
        return {}


def admin1_names_safe(keys: tuple[str, ...] | list[str]) -> dict[str, str]:
    """:func:`admin1_names`, or nothing when the index cannot be loaded."""
    try:
        return admin1_names(keys)
    except (DashboardError, OSError) as err:
        logger.warning("no state or province names: %s", err)
        return {}


def resolve_region(text: str) -> str | None:
    """The id of a continent or region named ``text`` (any language the index knows), or ``None``."""
    try:
        place = get_index().resolve_region(text)
    except (DashboardError, OSError) as err:
        logger.warning("regions cannot be resolved: %s", err)
        return None
    return place.id if place else None


def region_options_safe() -> dict[str, str]:
    """:func:`region_options`, or nothing when the index cannot be loaded."""
    try:
        return region_options()
    except (DashboardError, OSError) as err:
        logger.warning("no regions: %s", err)
        return {}
