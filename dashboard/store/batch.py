"""Writing a batch of articles: one transaction, one bulk statement per table.

A batch is all-or-nothing, so a process killed mid-run leaves whole batches;
exact duplicates are recognised by the hash of their normalised text (checked
again inside the transaction, under the write lock), so re-running an ingest
adds nothing twice.

Geoparse results travel as :class:`GeoRows`, plain tuples that are cheap to
send from worker processes and need no re-building before they are written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dashboard.errors import InputError
from dashboard.models import Article, GeoparseResult, Place, TopicScore
from dashboard.store import aggregates
from dashboard.store.backend import Connection
from dashboard.store.rows import AddResult, content_hash, context_key, iso, to_utc

if TYPE_CHECKING:
    from dashboard.store.backend import Backend

PLACE_UPSERT = """
INSERT INTO places(id, name, kind, lat, lon, geonameid, country_code, admin1_code, population)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, lat = excluded.lat,
    lon = excluded.lon, geonameid = excluded.geonameid, country_code = excluded.country_code,
    admin1_code = excluded.admin1_code, population = excluded.population
"""
_ARTICLE_COLS = ("id", "hash", "story_id", "title", "text", "url", "external_id", "source_id", "published", "day",
                 "date_source", "lang", "categories", "ingested_at", "run_id", "minhash", "author", "image_url")
_MENTION_COLS = ("article_id", "place_id", "start_char", "end_char", "surface", "role", "score", "corrected",
                 "alternatives")
_AP_COLS = ("article_id", "place_id", "mentions", "score", "is_dateline", "is_focus", "focus_score", "day", "lang",
            "source_id", "country_code", "is_copy", "admin1_code")

PlaceRow = tuple[Any, ...]  # id, name, kind, lat, lon, geonameid, country_code, admin1_code, population
MentionRow = tuple[int, int, str, str, str, float, str]  # start, end, surface, place_id, role, score, alternatives
TopicRow = tuple[str, float, str]  # topic, score, evidence as JSON


def place_row(p: Place) -> PlaceRow:
    return (p.id, p.name, p.kind, p.lat, p.lon, p.geonameid, p.country_code, p.admin1_code, p.population)


@dataclass(frozen=True, slots=True)
class GeoRows:
    """A geoparse result as the tables hold it: places, mentions and focus as plain tuples."""

    lang: str
    places: tuple[PlaceRow, ...]
    mentions: tuple[MentionRow, ...]
    focus: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, result: GeoparseResult) -> GeoRows:
        places: dict[str, PlaceRow] = {}
        mentions = []
        for m in result.mentions:
            places.setdefault(m.place.id, place_row(m.place))
            alts = json.dumps([c.to_dict() for c in m.alternatives], ensure_ascii=False) if m.alternatives else "[]"
            mentions.append((m.start, m.end, m.surface, m.place.id, m.role, float(m.score), alts))
        for f in result.focus:
            places.setdefault(f.place.id, place_row(f.place))
        return cls(result.lang, tuple(places.values()), tuple(mentions),
                   tuple((f.place.id, float(f.score)) for f in result.focus))


def as_geo_rows(result: GeoparseResult | GeoRows) -> GeoRows:
    """``result`` in row form (as it is when a worker process already converted it)."""
    return result if isinstance(result, GeoRows) else GeoRows.of(result)


def topic_rows(topics: Sequence[TopicScore] | Sequence[TopicRow]) -> tuple[TopicRow, ...]:
    return tuple(
        (t.topic, float(t.score), json.dumps(list(t.evidence), ensure_ascii=False)) if isinstance(t, TopicScore)
        else t
        for t in topics
    )


@dataclass(frozen=True, slots=True)
class NewArticle:
    """Everything :meth:`Store.add_articles` needs for one article.

    ``result`` and ``topics`` may be the model objects or their row forms
    (:class:`GeoRows`, :func:`topic_rows`); ``hash`` is computed when not given.
    """

    article: Article
    result: GeoparseResult | GeoRows
    topics: tuple[TopicScore, ...] | tuple[TopicRow, ...] = ()
    story_id: int | None = None
    minhash: bytes | None = None
    hash: str | None = None


def geo_aggregates(article_id: int, geo: GeoRows, day: str, lang: str | None, source_id: int | None,
                   is_copy: bool, corrected: dict[int, bool] | None = None) -> tuple[list[tuple[Any, ...]], ...]:
    """Mention rows, article_places rows and (place, surface) counts of one article's geoparse."""
    cc = {p[0]: p[6] for p in geo.places}
    a1 = {p[0]: p[7] for p in geo.places}
    mention_rows = [(article_id, m[3], m[0], m[1], m[2], m[4], m[5], int(bool(corrected and corrected.get(i))), m[6])
                    for i, m in enumerate(geo.mentions)]
    agg: dict[str, list[Any]] = {}  # place_id -> [mentions, max score, dateline, focus, focus score]
    for m in geo.mentions:
        a = agg.setdefault(m[3], [0, 0.0, 0, 0, 0.0])
        a[0] += 1
        a[1] = max(a[1], m[5])
        a[2] = a[2] or int(m[4] == "dateline")
    for pid, score in geo.focus:
        a = agg.setdefault(pid, [0, score, 0, 0, 0.0])
        a[3], a[4] = 1, score
    ap_rows = [(article_id, pid, int(a[0]), a[1], int(a[2]), int(a[3]), a[4], day, lang, source_id, cc.get(pid),
                int(is_copy), a1.get(pid)) for pid, a in agg.items()]
    surfaces = [(m[3], m[2]) for m in geo.mentions]
    return mention_rows, ap_rows, surfaces


class BatchWriterMixin:
    """:meth:`add_articles`, the bulk write path of :class:`~dashboard.store.Store`."""

    _backend: Backend
    _known_places: dict[str, Place]
    _place_rows: dict[str, PlaceRow]
    _source_ids: dict[str, int]

    if TYPE_CHECKING:  # provided by WriterMixin (dashboard.store.write), which builds on this class

        def _load_place(self, conn: Connection, place_id: str) -> Place | None: ...

    def _conn(self) -> Connection:
        return self._backend.connection()

    def add_articles(
        self,
        items: Sequence[NewArticle],
        *,
        run_id: int | None = None,
        link: Callable[[int, bytes | None], int | None] | None = None,
    ) -> list[AddResult]:
        """Store a batch in one transaction: one statement per table, and still all-or-nothing.

        ``link(article_id, minhash)`` is asked, once ids are known and before anything is
        written, which earlier story a new article is a near-copy of (``None``: a story of
        its own), so copies are written flagged instead of updated afterwards.
        """
        conn = self._conn()
        now = datetime.now(UTC)
        digests = [it.hash or content_hash(it.article.text) for it in items]
        for it in items:
            if not it.article.text.strip():
                raise InputError("an article needs text")
        new_places: dict[str, PlaceRow] = {}
        with conn.transaction():
            if conn.dialect == "postgresql":  # writers take turns, as SQLite's BEGIN IMMEDIATE makes them
                conn.execute("SELECT pg_advisory_xact_lock(7243002)")
            existing = self._existing(conn, sorted(set(digests)))
            fresh: list[int] = []  # the first of each new digest, in order
            seen: set[str] = set()
            for i, d in enumerate(digests):
                if d not in existing and d not in seen:
                    seen.add(d)
                    fresh.append(i)
            ids = self._new_ids(conn, len(fresh))
            id_of = {digests[i]: aid for i, aid in zip(fresh, ids, strict=True)}
            sources = self._sources(conn, {items[i].article.source or "unknown" for i in fresh})
            geos = {i: as_geo_rows(items[i].result) for i in fresh}
            fixed = self._corrections(conn, {i: (items[i].article.text, geos[i]) for i in fresh})
            article_rows: list[tuple[Any, ...]] = []
            mention_rows: list[tuple[Any, ...]] = []
            ap_rows: list[tuple[Any, ...]] = []
            topic_rows_: list[tuple[int, str, float, str, str, int]] = []
            surfaces: dict[tuple[str, str], int] = {}
            results: list[AddResult] = []
            done: dict[str, AddResult] = {}
            for i, (item, digest) in enumerate(zip(items, digests, strict=True)):
                if digest in existing:
                    eid, story = existing[digest]
                    results.append(AddResult(eid, False, eid, 0, story))
                    continue
                if digest in done:
                    first = done[digest]
                    results.append(AddResult(first.id, False, first.id, 0, first.story_id))
                    continue
                aid, art = id_of[digest], item.article
                story = item.story_id
                if story is None and link is not None:
                    story = link(aid, item.minhash)
                story = aid if story is None else story
                geo, corrected = fixed.get(i, (geos[i], None))
                for p in geo.places:
                    if self._place_rows.get(p[0]) != p and new_places.get(p[0]) != p:
                        new_places[p[0]] = p
                published = to_utc(art.published) if art.published else now
                day = published.date().isoformat()
                lang = art.lang or geo.lang or None
                source_id = sources[art.source or "unknown"]
                article_rows.append((
                    aid, digest, story, art.title, art.text, art.url, art.id, source_id, iso(published), day,
                    art.date_source if art.published else "ingest", lang,
                    json.dumps(list(art.categories), ensure_ascii=False), iso(now), run_id, item.minhash,
                    art.author or "", art.image or None,
                ))
                ms, aps, surf = geo_aggregates(aid, geo, day, lang, source_id, story != aid, corrected)
                mention_rows += ms
                ap_rows += aps
                for key in surf:
                    surfaces[key] = surfaces.get(key, 0) + 1
                topic_rows_ += [(aid, t, s, ev, day, int(story != aid)) for t, s, ev in topic_rows(item.topics)]
                done[digest] = AddResult(aid, True, None, len(ms), story)
                results.append(done[digest])
            conn.executemany(PLACE_UPSERT, sorted(new_places.values()))
            conn.copy_rows("articles", _ARTICLE_COLS, article_rows)
            if conn.dialect == "sqlite" and ids:  # schema 5: no per-row trigger; the new ids are contiguous
                conn.execute("INSERT INTO articles_fts(rowid, title, text) SELECT id, title, text FROM articles"
                             " WHERE id BETWEEN ? AND ?", (ids[0], ids[-1]))
            conn.copy_rows("mentions", _MENTION_COLS, mention_rows)
            conn.copy_rows("article_places", _AP_COLS, ap_rows)
            conn.executemany(
                "INSERT INTO place_surfaces(place_id, surface, mentions) VALUES (?, ?, ?) ON CONFLICT (place_id,"
                " surface) DO UPDATE SET mentions = place_surfaces.mentions + excluded.mentions",
                [(pid, s, n) for (pid, s), n in sorted(surfaces.items())],
            )
            conn.executemany(
                "INSERT INTO article_topics(article_id, topic, score, evidence, day, is_copy)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, topic) DO NOTHING",
                topic_rows_,
            )
            aggregates.account(conn, ids, 1)
        self._place_rows.update(new_places)
        self._source_ids.update(sources)
        return results

    def _existing(self, conn: Connection, digests: list[str]) -> dict[str, tuple[int, int | None]]:
        found: dict[str, tuple[int, int | None]] = {}
        for k in range(0, len(digests), 500):
            chunk = digests[k : k + 500]
            for aid, story, digest in conn.all(
                f"SELECT id, story_id, hash FROM articles WHERE hash IN ({','.join('?' * len(chunk))})", chunk
            ):
                found[digest] = (int(aid), story)
        return found

    def _new_ids(self, conn: Connection, n: int) -> list[int]:
        """Ids for ``n`` new articles (under the write lock, so nobody else takes them)."""
        if n == 0:
            return []
        if conn.dialect == "postgresql":
            return [int(r[0]) for r in conn.all(
                "SELECT nextval(pg_get_serial_sequence('articles', 'id')) FROM generate_series(1, ?)", (n,)
            )]
        top = int(conn.scalar("SELECT COALESCE(MAX(id), 0) FROM articles") or 0)
        return list(range(top + 1, top + n + 1))

    def _sources(self, conn: Connection, names: set[str]) -> dict[str, int]:
        """Source ids by name, adding new sources (cached by the caller only once committed)."""
        out = {n: self._source_ids[n] for n in names if n in self._source_ids}
        missing = sorted(names - out.keys())
        if missing:
            stamp = iso(datetime.now(UTC))
            conn.executemany("INSERT INTO sources(name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                             [(n, stamp) for n in missing])
            marks = ",".join("?" * len(missing))
            out.update({n: int(sid) for n, sid in conn.all(
                f"SELECT name, id FROM sources WHERE name IN ({marks})", missing)})
        return out

    def _corrections(
        self, conn: Connection, texts: dict[int, tuple[str, GeoRows]]
    ) -> dict[int, tuple[GeoRows, dict[int, bool]]]:
        """Mentions a user corrected (same surface, same context): replaced or dropped, batch-wide."""
        if conn.one("SELECT 1 FROM corrections LIMIT 1") is None:
            return {}
        surfaces = sorted({m[2] for _, geo in texts.values() for m in geo.mentions})
        rules: dict[tuple[str, str], str | None] = {}
        for k in range(0, len(surfaces), 500):
            chunk = surfaces[k : k + 500]
            rules.update({(s, c): pid for s, c, pid in conn.all(
                f"SELECT surface, context, place_id FROM corrections WHERE surface IN ({','.join('?' * len(chunk))})",
                chunk,
            )})
        out: dict[int, tuple[GeoRows, dict[int, bool]]] = {}
        for i, (text, geo) in texts.items():
            keys = [(m[2], context_key(text, m[0], m[1])) for m in geo.mentions]
            if not any(k in rules for k in keys):
                continue
            places = {p[0]: p for p in geo.places}
            mentions: list[MentionRow] = []
            fixed: dict[int, bool] = {}
            for m, key in zip(geo.mentions, keys, strict=True):
                if key not in rules:
                    mentions.append(m)
                    continue
                pid = rules[key]
                place = self._load_place(conn, pid) if pid is not None else None
                if place is None:
                    continue  # the user said: not a place
                places.setdefault(place.id, place_row(place))
                fixed[len(mentions)] = True
                mentions.append((m[0], m[1], m[2], place.id, m[4], 1.0, "[]"))
            used = {m[3] for m in mentions} | {f[0] for f in geo.focus}
            out[i] = (GeoRows(geo.lang, tuple(p for pid, p in places.items() if pid in used), tuple(mentions),
                              geo.focus), fixed)
        return out
