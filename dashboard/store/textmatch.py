"""Full-text matches found once per search and date range, shared by every query of a page.

The map page asks about ten questions of one filter set at once (places, grid cells,
the total, the sidebar's five counts).  With a text search each of them used to run
the full-text subquery itself, and the full-text index, which knows words but not
dates, built the whole year's list of matching articles every time: for a word in
most articles ("government": 149,548 of 223,316 at 1M mentions) that list was most
of the work of every count (4.4 s for the sidebar on an idle machine).

Here the list is built once, cut to the date range in the same query, and kept for
the store's current content: articles are only ever added (their text and day never
change), so the highest article id says whether a list is still exact, and the
matches are taken up to that id.  Each query then reads the list as one parameter,
a JSON array through ``json_each`` on SQLite and a ``bigint[]`` on PostgreSQL, which
is a cheap set probe instead of a full-text search.  Concurrent queries of one page
wait for the first one's list instead of building their own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from dashboard.models import Filters
from dashboard.store.backend import Backend, Connection
from dashboard.store.filters import _TOKEN, PG_TS_CONFIGS, Where, fts_query

ENTRIES = 16
"""Lists kept per store (searches times date ranges a few sessions are looking at)."""


@dataclass(frozen=True, slots=True)
class TextHits:
    """The ids of the articles matching a search in a date range, up to ``max_id``, as one SQL parameter."""

    dialect: str
    count: int
    max_id: int
    param: str  # '[1,2,3]' (SQLite, for json_each) or '{1,2,3}' (PostgreSQL, cast to bigint[])

    def condition(self, aid: str) -> tuple[str, str]:
        """``aid`` is one of the hits: (SQL, its one parameter)."""
        if self.dialect == "postgresql":
            return f"{aid} = ANY(CAST(? AS BIGINT[]))", self.param
        return f"{aid} IN (SELECT value FROM json_each(?))", self.param


def searching(f: Filters) -> bool:
    """Does the filter set search the text (has at least one word)?"""
    return bool(f.text.strip() and _TOKEN.search(f.text))


def match_sql(f: Filters, dialect: str, max_id: int) -> tuple[str, list[object]]:
    """The query listing the matching article ids inside the filter's dates, in id order."""
    w = Where()
    if dialect == "postgresql":
        # Each article is indexed in its language's configuration (schema 8): ask all of them at once,
        # a constant expression the GIN index answers; ANDed with the date index by a bitmap.
        query = " || ".join(f"plainto_tsquery('{c}', ?)" for c in PG_TS_CONFIGS)
        w.add(f"to_tsvector(news_ts_config(a.lang), a.title || ' ' || a.text) @@ ({query})",
              *([f.text] * len(PG_TS_CONFIGS)))
    else:
        w.add("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid <= ?)",
              fts_query(f.text), max_id)
    w.add("a.id <= ?", max_id)
    if f.date_from is not None:
        w.add("a.day >= ?", f.date_from.date().isoformat())
    if f.date_to is not None:
        w.add("a.day <= ?", f.date_to.date().isoformat())
    return f"SELECT a.id FROM articles a {w.sql} ORDER BY a.id", w.params


class _Cache:
    """The last :data:`ENTRIES` lists of one store, and a lock per list being built."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[object, ...], TextHits] = OrderedDict()
        self.building: dict[tuple[object, ...], threading.Lock] = {}


_CACHES: WeakKeyDictionary[Backend, _Cache] = WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _cache(backend: Backend) -> _Cache:
    with _CACHES_LOCK:
        cache = _CACHES.get(backend)
        if cache is None:
            cache = _CACHES[backend] = _Cache()
        return cache


def text_hits(backend: Backend, conn: Connection, f: Filters) -> TextHits | None:
    """The articles matching ``f.text`` within ``f``'s dates (``None`` without a text search).

    Exact for the store as it is now: a list is reused only while no article was added.
    """
    if not searching(f):
        return None
    max_id = int(conn.scalar("SELECT MAX(id) FROM articles") or 0)
    key = (
        fts_query(f.text) if conn.dialect == "sqlite" else f.text,
        f.date_from.date().isoformat() if f.date_from is not None else None,
        f.date_to.date().isoformat() if f.date_to is not None else None,
        max_id,
    )
    cache = _cache(backend)
    with cache.lock:
        hit = cache.entries.get(key)
        if hit is not None:
            cache.entries.move_to_end(key)
            return hit
        building = cache.building.setdefault(key, threading.Lock())
    with building:  # the other queries of the page wait here for the first one's list
        with cache.lock:
            hit = cache.entries.get(key)
        if hit is not None:
            return hit
        sql, params = match_sql(f, conn.dialect, max_id)
        ids = [str(int(r[0])) for r in conn.all(sql, params)]
        joined = ",".join(ids)
        hit = TextHits(conn.dialect, len(ids), max_id,
                       "{" + joined + "}" if conn.dialect == "postgresql" else "[" + joined + "]")
        with cache.lock:
            cache.entries[key] = hit
            while len(cache.entries) > ENTRIES:
                cache.entries.popitem(last=False)
            cache.building.pop(key, None)
        return hit
