"""Reading the store: the one query layer behind the dashboard and ``export``.

Every answer is an aggregate computed in SQL (GROUP BY over indexed columns)
or a page of rows; nothing here loads the whole table into Python.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from dashboard.models import Candidate, Filters, GridCell, Mention, Place, PlaceSummary
from dashboard.store import rollups, textmatch
from dashboard.store.backend import Connection
from dashboard.store.filters import (
    Where,
    articles_where,
    marks,
    mentions_where,
    only_dates,
    restricts_places,
)
from dashboard.store.rows import ArticleRow, parse_iso

if TYPE_CHECKING:
    from dashboard.store.backend import Backend

_PLACE_COLS = "id, name, kind, lat, lon, geonameid, country_code, admin1_code, population"
_ARTICLE_COLS = (
    "a.id, a.title, s.name, a.url, a.published, a.date_source, a.lang, a.story_id, a.categories, a.author,"
    " a.image_url"
)


def _candidate(d: dict[str, Any]) -> Candidate:
    gid = d.get("geonameid")
    place = Place(
        id=f"gn:{gid}" if gid else "", name=d.get("name", ""), kind=d.get("kind", ""),
        lat=d.get("lat", 0.0), lon=d.get("lon", 0.0), geonameid=gid, country_code=d.get("country_code"),
    )
    return Candidate(place, float(d.get("score", 0.0)))



_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _facet_pool() -> ThreadPoolExecutor:
    """Threads for :meth:`QueryMixin.facets`, shared by every store of the process."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="facets")
        return _POOL

class QueryMixin:
    """The reading half of :class:`~dashboard.store.Store`."""

    _backend: Backend

    def _conn(self) -> Connection:
        return self._backend.connection()

    @property
    def dialect(self) -> str:
        return self._backend.dialect

    def _hits(self, filters: Filters) -> textmatch.TextHits | None:
        """The text search's matches in the filter's dates, found once and shared (``None``: no search)."""
        return textmatch.text_hits(self._backend, self._conn(), filters)

    def _places(self, conn: Connection, ids: list[str]) -> dict[str, Place]:
        if not ids:
            return {}
        rows = conn.all(f"SELECT {_PLACE_COLS} FROM places WHERE id IN ({marks(ids)})", ids)
        return {r[0]: Place(*r) for r in rows}

    # --- aggregates for the map ----------------------------------------------

    def place_summaries(self, filters: Filters, limit: int = 500) -> list[PlaceSummary]:
        """The places the filtered articles mention, most-mentioned first (by article count).

        Counts are of stories: a near-copy of an earlier article (same ``story_id``) is left out.

        ``surfaces`` are the place's most frequent spellings in the store and
        ``headlines`` the titles of its three latest matching articles.
        """
        conn = self._conn()
        w = mentions_where(filters, self.dialect, hits=self._hits(filters))
        rows: list[tuple[Any, ...]] | None = rollups.place_rows(conn, filters, limit)  # type: ignore[assignment]
        if rows is None:  # not answerable from the pre-aggregated counts
            rows = conn.all(
                "SELECT ap.place_id, COUNT(*), SUM(ap.mentions), AVG(ap.score) FROM article_places ap"
                f" {w.sql} GROUP BY ap.place_id ORDER BY COUNT(*) DESC, ap.place_id LIMIT ?",
                [*w.params, int(limit)],
            )
        ids = [r[0] for r in rows]
        places = self._places(conn, ids)
        surfaces: dict[str, list[str]] = defaultdict(list)
        if ids:
            for pid, surface in conn.all(
                f"SELECT place_id, surface FROM place_surfaces WHERE place_id IN ({marks(ids)})"
                " ORDER BY place_id, mentions DESC, surface",
                ids,
            ):
                if len(surfaces[pid]) < 5:
                    surfaces[pid].append(surface)
        heads = self._headlines(conn, ids, w, filters)
        return [
            PlaceSummary(
                place=places[pid], articles=int(n_articles), mentions=int(n_mentions or 0),
                surfaces=tuple(surfaces.get(pid, ())), headlines=tuple(heads.get(pid, ())),
                score=float(score or 0.0),
            )
            for pid, n_articles, n_mentions, score in rows
        ]

    def _headlines(
        self, conn: Connection, ids: list[str], w: Where, filters: Filters, per_place: int = 3
    ) -> dict[str, list[str]]:
        """Titles of the latest matching articles of each place.

        Column, topic and source filters: a short backward scan per place (topics probed per row).
        Full text and area sub-queries: one windowed pass over the filtered rows, so those
        sub-queries run once and not once per place.
        """
        if not ids:
            return {}
        # A text search (its matches are a set of ids either way) or an area sub-query: windowed.
        windowed = textmatch.searching(filters) or (
            "SELECT" in w.sql and (filters.admin1 or filters.bounds is not None))
        if not windowed:
            if "SELECT" in w.sql:
                w = mentions_where(filters, self.dialect, correlated=True, hits=self._hits(filters))
            # Plain column filters: a short index range scan per place beats one pass over all rows.
            return {
                pid: [r[0] for r in conn.all(
                    "SELECT a.title FROM article_places ap JOIN articles a ON a.id = ap.article_id"
                    f" WHERE ap.place_id = ?{w.and_sql} ORDER BY ap.day DESC, ap.article_id DESC LIMIT ?",
                    [pid, *w.params, per_place],
                )]
                for pid in ids
            }
        latest = conn.all(
            "SELECT place_id, article_id FROM (SELECT ap.place_id, ap.article_id, ROW_NUMBER() OVER"
            " (PARTITION BY ap.place_id ORDER BY ap.day DESC, ap.article_id DESC) AS rn"
            f" FROM article_places ap WHERE ap.place_id IN ({marks(ids)}){w.and_sql}) x"
            " WHERE rn <= ? ORDER BY place_id, rn",
            [*ids, *w.params, per_place],
        )
        article_ids = sorted({aid for _, aid in latest})
        titles: dict[int, str] = {}
        for i in range(0, len(article_ids), 900):
            chunk = article_ids[i : i + 900]
            titles.update(conn.all(f"SELECT id, title FROM articles WHERE id IN ({marks(chunk)})", chunk))
        out: dict[str, list[str]] = defaultdict(list)
        for pid, aid in latest:
            out[pid].append(titles[aid])
        return out

    def grid_cells(self, filters: Filters, degrees: float) -> list[GridCell]:
        """The matching places summed into lat/lon cells of ``degrees`` (:mod:`dashboard.store.grid`)."""
        from dashboard.store.grid import grid_cells

        return grid_cells(self._conn(), self.dialect, filters, degrees, hits=self._hits(filters))

    def country_counts(self, filters: Filters) -> list[tuple[str, int]]:
        """(ISO alpha-2, number of matching stories that mention a place there), largest first."""
        fast = rollups.country_rows(self._conn(), filters)
        if fast is not None:
            return fast
        w = mentions_where(filters, self.dialect, hits=self._hits(filters))
        w.add("ap.country_code IS NOT NULL")
        rows = self._conn().all(
            f"SELECT ap.country_code, COUNT(DISTINCT ap.article_id) FROM article_places ap {w.sql}"
            " GROUP BY ap.country_code ORDER BY 2 DESC, 1",
            w.params,
        )
        return [(r[0], int(r[1])) for r in rows]

    def admin1_counts(self, filters: Filters) -> list[tuple[str, int]]:
        """(``"CC.code"``, number of matching stories that mention a place in that first-level division).

        A division is a place's (country_code, admin1_code), as the ``admin1`` filter reads it; a story
        naming two cities of one state counts once.  Grouped by the columns of the covering index
        ``article_places_admin1`` (schema 6), so no join with ``places`` is needed.
        """
        rows = rollups.admin1_rows(self._conn(), filters)
        if rows is None:
            w = mentions_where(filters, self.dialect, hits=self._hits(filters))
            w.add("ap.country_code IS NOT NULL AND ap.admin1_code IS NOT NULL AND ap.admin1_code <> ''")
            rows = self._conn().all(
                "SELECT ap.country_code, ap.admin1_code, COUNT(DISTINCT ap.article_id)"
                f" FROM article_places ap {w.sql}"
                " GROUP BY ap.admin1_code, ap.country_code",
                w.params,
            )
        return sorted(((f"{cc}.{code}", int(n)) for cc, code, n in rows), key=lambda r: (-r[1], r[0]))

    def daily_counts(self, filters: Filters) -> list[tuple[date, str, int]]:
        """Stories per day: topic ``""`` for all of them, then one row per topic that day."""
        conn = self._conn()
        fast = rollups.daily(conn, filters)
        if fast is not None and fast[1] is not None:
            out = [(date.fromisoformat(d), "", n) for d, n in fast[0]]
            out += [(date.fromisoformat(d), t, n) for d, t, n in fast[1]]
            return sorted(out, key=lambda r: (r[0], r[1]))
        tw = Where()
        tw.add("t.is_copy = 0")
        if restricts_places(filters):
            # Straight from article_places (day and story flag are copied there): no article lookups.
            w = mentions_where(filters, self.dialect, hits=self._hits(filters))
            total = conn.all(
                f"SELECT ap.day, COUNT(DISTINCT ap.article_id) FROM article_places ap {w.sql} GROUP BY ap.day",
                w.params,
            )
            tw.add(f"t.article_id IN (SELECT ap.article_id FROM article_places ap {w.sql})", *w.params)
        else:
            w = articles_where(filters, self.dialect, stories_only=True, hits=self._hits(filters))
            total = conn.all(f"SELECT a.day, COUNT(*) FROM articles a {w.sql} GROUP BY a.day", w.params)
            tw.extend(_topic_days(filters))
            if not only_dates(filters):
                tw.add(f"t.article_id IN (SELECT a.id FROM articles a {w.sql})", *w.params)
        per_topic = conn.all(
            f"SELECT t.day, t.topic, COUNT(*) FROM article_topics t {tw.sql} GROUP BY t.day, t.topic", tw.params
        )
        out = [(date.fromisoformat(d), "", int(n)) for d, n in total]
        out += [(date.fromisoformat(d), t, int(n)) for d, t, n in per_topic]
        return sorted(out, key=lambda r: (r[0], r[1]))

    # --- pages of articles ------------------------------------------------------

    def count_articles(self, filters: Filters) -> int:
        fast = rollups.article_total(self._conn(), filters)
        if fast is not None:
            return fast
        w = articles_where(filters, self.dialect, hits=self._hits(filters))
        return int(self._conn().scalar(f"SELECT COUNT(*) FROM articles a {w.sql}", w.params) or 0)

    def articles(
        self, filters: Filters, limit: int = 50, offset: int = 0, *, with_text: bool = False
    ) -> list[ArticleRow]:
        """A page of matching articles, newest first, with their topics and place names."""
        conn = self._conn()
        w = articles_where(filters, self.dialect, hits=self._hits(filters))
        text_col = ", a.text" if with_text else ""
        rows = conn.all(
            f"SELECT {_ARTICLE_COLS}{text_col} FROM articles a LEFT JOIN sources s ON s.id = a.source_id"
            f" {w.sql} ORDER BY a.published DESC, a.id DESC LIMIT ? OFFSET ?",
            [*w.params, int(limit), int(offset)],
        )
        return self._rows(conn, rows, with_text)

    def iter_articles(self, filters: Filters, *, with_text: bool = False, page: int = 500) -> Iterator[ArticleRow]:
        """Every matching article, page by page (keyset pagination: stable while ingest runs)."""
        conn = self._conn()
        w = articles_where(filters, self.dialect, hits=self._hits(filters))
        text_col = ", a.text" if with_text else ""
        after: tuple[str, int] | None = None
        while True:
            extra, params = "", list(w.params)
            if after is not None:
                extra = (" AND " if w.parts else "WHERE ") + "(a.published < ? OR (a.published = ? AND a.id < ?))"
                params += [after[0], after[0], after[1]]
            rows = conn.all(
                f"SELECT {_ARTICLE_COLS}{text_col}, a.published FROM articles a"
                f" LEFT JOIN sources s ON s.id = a.source_id {w.sql}{extra}"
                " ORDER BY a.published DESC, a.id DESC LIMIT ?",
                [*params, page],
            )
            if not rows:
                return
            yield from self._rows(conn, [r[:-1] for r in rows], with_text)
            after = (rows[-1][-1], rows[-1][0])

    def _rows(self, conn: Connection, rows: list[tuple[Any, ...]], with_text: bool) -> list[ArticleRow]:
        ids = [r[0] for r in rows]
        topics: dict[int, list[str]] = defaultdict(list)
        names: dict[int, list[str]] = defaultdict(list)
        if ids:
            for aid, topic in conn.all(
                f"SELECT article_id, topic FROM article_topics WHERE article_id IN ({marks(ids)})"
                " ORDER BY article_id, score DESC, topic",
                ids,
            ):
                topics[aid].append(topic)
            for aid, name in conn.all(
                "SELECT ap.article_id, p.name FROM article_places ap JOIN places p ON p.id = ap.place_id"
                f" WHERE ap.article_id IN ({marks(ids)}) AND ap.mentions > 0"
                " ORDER BY ap.article_id, ap.mentions DESC, p.name",
                ids,
            ):
                names[aid].append(name)
        return [
            ArticleRow(
                id=int(r[0]), title=r[1], source=r[2] or "", url=r[3], published=parse_iso(r[4]),
                date_source=r[5], lang=r[6], story_id=r[7], categories=tuple(json.loads(r[8] or "[]")),
                topics=tuple(topics.get(r[0], ())), places=tuple(names.get(r[0], ())),
                author=r[9] or "", image_url=r[10], text=r[11] if with_text else None,
            )
            for r in rows
        ]

    def article(self, article_id: int) -> ArticleRow | None:
        """One article with its text and mentions (``None`` when there is no such id)."""
        conn = self._conn()
        rows = conn.all(
            f"SELECT {_ARTICLE_COLS}, a.text FROM articles a LEFT JOIN sources s ON s.id = a.source_id"
            " WHERE a.id = ?",
            (int(article_id),),
        )
        if not rows:
            return None
        row = self._rows(conn, rows, True)[0]
        mrows = conn.all(
            "SELECT start_char, end_char, surface, role, score, alternatives, place_id FROM mentions"
            " WHERE article_id = ? ORDER BY start_char, id",
            (int(article_id),),
        )
        places = self._places(conn, sorted({m[6] for m in mrows}))
        mentions = tuple(
            Mention(s, e, surface, places[pid], role, float(score),
                    tuple(_candidate(d) for d in json.loads(alts or "[]")))
            for s, e, surface, role, score, alts, pid in mrows
        )
        return replace(row, mentions=mentions)

    def iter_mentions(self, filters: Filters, *, page: int = 2000) -> Iterator[dict[str, Any]]:
        """Every mention of the matching articles that passes the place filters (for CSV export)."""
        conn = self._conn()
        w = mentions_where(filters, self.dialect, stories_only=False, hits=self._hits(filters))
        cols = ("article_id", "title", "author", "published", "date_source", "source", "url", "lang", "surface", "start",
                "end", "role", "score", "place_id", "place_name", "kind", "lat", "lon", "country_code",
                "admin1_code")
        sql = (
            "SELECT a.id, a.title, a.author, a.published, a.date_source, s.name, a.url, a.lang, m.surface, m.start_char,"
            " m.end_char, m.role, m.score, p.id, p.name, p.kind, p.lat, p.lon, p.country_code, p.admin1_code"
            " FROM mentions m JOIN article_places ap ON ap.article_id = m.article_id AND ap.place_id = m.place_id"
            " JOIN articles a ON a.id = m.article_id JOIN places p ON p.id = m.place_id"
            f" LEFT JOIN sources s ON s.id = a.source_id {w.sql}"
            " ORDER BY a.published DESC, a.id DESC, m.start_char, m.id LIMIT ? OFFSET ?"
        )
        offset = 0
        while True:
            rows = conn.all(sql, [*w.params, page, offset])
            for r in rows:
                yield dict(zip(cols, r, strict=True))
            if len(rows) < page:
                return
            offset += page

    # --- sidebar and overview -------------------------------------------------

    def facets(self, filters: Filters, *, parallel: bool = True) -> dict[str, dict[str, int]]:
        """Counts for the sidebar: ``languages``, ``sources``, ``topics``, ``countries``, ``admin1``.

        Each facet ignores its own filter, so choosing one language still shows
        how many articles the others would give.  On a file or server store the
        division counts run beside the others, on their thread's own connection
        (the database does the work, outside the GIL), unless ``parallel`` is
        false: the dashboard asks for one lane, because a rerun that starts while
        an interrupted one is still counting would otherwise find both cores taken
        (measured: filter-change p95 1.15 s with two lanes, 0.91 s with one).
        """

        def grouped(sql: str, skip: str) -> dict[str, int]:
            fast = {"languages": rollups.languages, "sources": rollups.sources, "topics": rollups.topics}[skip](
                self._conn(), filters)
            if fast is not None:
                return dict(sorted(fast.items(), key=lambda r: (-r[1], r[0])))
            if skip == "topics" and only_dates(filters, skip=(skip,)):
                # Topics carry their article's day: no join with articles.
                w = _topic_days(filters)
                sql = "SELECT t.topic, COUNT(*) FROM article_topics t {where} GROUP BY t.topic"
            else:
                w = articles_where(filters, self.dialect, skip=(skip,), hits=self._hits(filters))
            counts: dict[str, int] = defaultdict(int)
            for k, n in self._conn().all(sql.format(where=w.sql), w.params):
                counts[str(k or "")] += int(n)  # languages: no language (NULL) counts as ""
            return dict(sorted(counts.items(), key=lambda r: (-r[1], r[0])))

        jobs: dict[str, Callable[[], dict[str, int]]] = {
            "languages": lambda: grouped(
                "SELECT a.lang, COUNT(*) FROM articles a {where} GROUP BY a.lang",  # index-only, unlike COALESCE
                "languages",
            ),
            "sources": lambda: grouped(
                "SELECT s.name, COUNT(*) FROM articles a JOIN sources s ON s.id = a.source_id {where}"
                " GROUP BY s.name",
                "sources",
            ),
            "topics": lambda: grouped(
                "SELECT t.topic, COUNT(*) FROM articles a JOIN article_topics t ON t.article_id = a.id"
                " {where} GROUP BY t.topic",
                "topics",
            ),
            "countries": lambda: dict(self.country_counts(replace(filters, countries=()))),
            "admin1": lambda: dict(self.admin1_counts(replace(filters, admin1=()))),
        }
        if not (parallel and self._backend.per_thread):
            return {name: job() for name, job in jobs.items()}
        # The division counts (the costliest) run on one helper thread while this thread does
        # the rest.
        pending = _facet_pool().submit(jobs.pop("admin1"))
        out = {name: job() for name, job in jobs.items()}
        out["admin1"] = pending.result()
        return out

    def stats(self) -> dict[str, Any]:
        """Totals and the last ingest run, for ``stats`` and the dashboard's status line."""
        conn = self._conn()
        count = lambda table: int(conn.scalar(f"SELECT COUNT(*) FROM {table}") or 0)  # noqa: E731
        first, last = conn.one("SELECT MIN(day), MAX(day) FROM articles") or (None, None)
        run = conn.one(
            "SELECT id, started_at, finished_at, status, seen, added, duplicates, skipped"
            " FROM ingest_runs ORDER BY id DESC LIMIT 1"
        )
        keys = ("id", "started_at", "finished_at", "status", "seen", "added", "duplicates", "skipped")
        return {
            "backend": self.dialect,
            "url": self._backend.url.redacted,
            "schema_version": int(conn.scalar("SELECT MAX(version) FROM schema_version") or 0),
            "articles": count("articles"),
            "stories": int(conn.scalar("SELECT COUNT(DISTINCT story_id) FROM articles") or 0),
            "mentions": count("mentions"),
            # One index probe per place instead of a DISTINCT over every (article, place) row.
            "places": int(conn.scalar(
                "SELECT COUNT(*) FROM places p WHERE EXISTS (SELECT 1 FROM article_places ap WHERE ap.place_id = p.id)"
            ) or 0),
            "sources": count("sources"),
            "languages": int(conn.scalar("SELECT COUNT(DISTINCT lang) FROM articles") or 0),
            "corrections": count("corrections"),
            "ingest_runs": count("ingest_runs"),
            "ingest_errors": count("ingest_errors"),
            "first_day": first,
            "last_day": last,
            "last_run": dict(zip(keys, run, strict=True)) if run else None,
        }


def _topic_days(f: Filters) -> Where:
    """The date range as conditions on ``t`` (article_topics), which carries its article's day."""
    w = Where()
    if f.date_from is not None:
        w.add("t.day >= ?", f.date_from.date().isoformat())
    if f.date_to is not None:
        w.add("t.day <= ?", f.date_to.date().isoformat())
    return w
