"""Writing to the store: articles with their mentions and topics, ingest runs, corrections.

Every article is written in one transaction (or a batch of them in one), so a
process killed mid-run leaves whole articles or none; exact duplicates are
recognised by the hash of their normalised text, so re-running an ingest adds
nothing twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dashboard.errors import InputError
from dashboard.models import Article, Focus, GeoparseResult, Mention, Place, TopicScore
from dashboard.store.backend import Connection
from dashboard.store.rows import AddResult, content_hash, context_key, iso, to_utc

if TYPE_CHECKING:
    from dashboard.store.backend import Backend

logger = logging.getLogger(__name__)

_PLACE_UPSERT = """
INSERT INTO places(id, name, kind, lat, lon, geonameid, country_code, admin1_code, population)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, lat = excluded.lat,
    lon = excluded.lon, geonameid = excluded.geonameid, country_code = excluded.country_code,
    admin1_code = excluded.admin1_code, population = excluded.population
"""


@dataclass(frozen=True, slots=True)
class NewArticle:
    """Everything :meth:`Store.add_articles` needs for one article."""

    article: Article
    result: GeoparseResult
    topics: tuple[TopicScore, ...] = ()
    story_id: int | None = None
    minhash: bytes | None = None


def _place_row(p: Place) -> tuple[object, ...]:
    return (p.id, p.name, p.kind, p.lat, p.lon, p.geonameid, p.country_code, p.admin1_code, p.population)


class WriterMixin:
    """The writing half of :class:`~dashboard.store.Store`."""

    _backend: Backend
    _known_places: dict[str, Place]
    _source_ids: dict[str, int]

    def _conn(self) -> Connection:
        return self._backend.connection()

    # --- articles -----------------------------------------------------------

    def add_article(
        self,
        article: Article,
        result: GeoparseResult,
        topics: tuple[TopicScore, ...] = (),
        *,
        run_id: int | None = None,
        story_id: int | None = None,
        minhash: bytes | None = None,
    ) -> AddResult:
        """Store one geoparsed, tagged article, or recognise it as a duplicate.

        Parameters
        ----------
        article, result, topics
            The article as read, what the geoparser found in it, and its topics.
        run_id
            The ingest run it belongs to (:meth:`begin_run`), for the audit trail.
        story_id
            The id of an earlier article this one is a near-copy of; ``None`` starts a new story.

        Returns
        -------
        AddResult
            ``inserted=True`` with the new id, or ``inserted=False`` and
            ``duplicate_of`` the id of the article with the same normalised text.
        """
        item = NewArticle(article, result, tuple(topics), story_id, minhash)
        return self.add_articles([item], run_id=run_id)[0]

    def add_articles(self, items: Sequence[NewArticle], *, run_id: int | None = None) -> list[AddResult]:
        """Store a batch in one transaction: faster than one by one, and still all-or-nothing."""
        conn = self._conn()
        now = datetime.now(UTC)
        pending_places: dict[str, Place] = {}
        pending_sources: dict[str, int] = {}
        results: list[AddResult] = []
        seen_in_batch: dict[str, AddResult] = {}
        with conn.transaction():
            for item in items:
                digest = content_hash(item.article.text)
                if digest in seen_in_batch:
                    first = seen_in_batch[digest]
                    results.append(AddResult(first.id, False, first.id, 0, first.story_id))
                    continue
                res = self._add_one(conn, item, digest, run_id, now, pending_places, pending_sources)
                seen_in_batch[digest] = res
                results.append(res)
        self._known_places.update(pending_places)
        self._source_ids.update(pending_sources)
        return results

    def _source_id(self, conn: Connection, name: str, pending: dict[str, int]) -> int:
        if name in self._source_ids:
            return self._source_ids[name]
        if name in pending:
            return pending[name]
        conn.execute(
            "INSERT INTO sources(name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, iso(datetime.now(UTC))),
        )
        sid = int(conn.scalar("SELECT id FROM sources WHERE name = ?", (name,)))
        pending[name] = sid
        return sid

    def _add_one(
        self,
        conn: Connection,
        item: NewArticle,
        digest: str,
        run_id: int | None,
        now: datetime,
        pending_places: dict[str, Place],
        pending_sources: dict[str, int],
    ) -> AddResult:
        art = item.article
        if not art.text.strip():
            raise InputError("an article needs text")
        source_id = self._source_id(conn, art.source or "unknown", pending_sources)
        published = to_utc(art.published) if art.published else now
        date_source = art.date_source if art.published else "ingest"
        row = conn.one(
            """INSERT INTO articles(hash, story_id, title, text, url, external_id, source_id, published, day,
                   date_source, lang, categories, ingested_at, run_id, minhash)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (hash) DO NOTHING RETURNING id""",
            (
                digest,
                item.story_id,
                art.title,
                art.text,
                art.url,
                art.id,
                source_id,
                iso(published),
                published.date().isoformat(),
                date_source,
                art.lang or item.result.lang or None,
                json.dumps(list(art.categories), ensure_ascii=False),
                iso(now),
                run_id,
                item.minhash,
            ),
        )
        if row is None:
            existing = conn.one("SELECT id, story_id FROM articles WHERE hash = ?", (digest,))
            if existing is None:  # pragma: no cover - the conflict row vanished under us
                raise InputError("duplicate article disappeared during insert")
            return AddResult(int(existing[0]), False, int(existing[0]), 0, existing[1])
        article_id = int(row[0])
        story_id = item.story_id if item.story_id is not None else article_id
        if item.story_id is None:
            conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", (article_id, article_id))
        lang = art.lang or item.result.lang or None
        n = self._write_geo(conn, article_id, art.text, item.result, published.date().isoformat(),
                            lang, source_id, pending_places, story_id != article_id)
        conn.executemany(
            "INSERT INTO article_topics(article_id, topic, score, evidence) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (article_id, topic) DO NOTHING",
            [(article_id, t.topic, float(t.score), json.dumps(list(t.evidence), ensure_ascii=False))
             for t in item.topics],
        )
        return AddResult(article_id, True, None, n, story_id)

    # --- mentions -----------------------------------------------------------

    def _apply_corrections(
        self, conn: Connection, text: str, mentions: Iterable[Mention]
    ) -> list[tuple[Mention, bool]]:
        """Replace or drop mentions that a user corrected in the same surface and context.

        Returns each kept mention with whether a correction decided it.
        """
        mentions = list(mentions)
        surfaces = sorted({m.surface for m in mentions})
        if not surfaces:
            return [(m, False) for m in mentions]
        marks = ",".join("?" * len(surfaces))
        rules = {
            (s, c): pid
            for s, c, pid in conn.all(
                f"SELECT surface, context, place_id FROM corrections WHERE surface IN ({marks})", surfaces
            )
        }
        if not rules:
            return [(m, False) for m in mentions]
        out: list[tuple[Mention, bool]] = []
        for m in mentions:
            key = (m.surface, context_key(text, m.start, m.end))
            if key not in rules:
                out.append((m, False))
                continue
            pid = rules[key]
            if pid is None:
                continue  # the user said: not a place
            place = self._load_place(conn, pid)
            if place is not None:
                out.append((Mention(m.start, m.end, m.surface, place, m.role, 1.0, ()), True))
        return out

    def _load_place(self, conn: Connection, place_id: str) -> Place | None:
        if place_id in self._known_places:
            return self._known_places[place_id]
        row = conn.one(
            "SELECT id, name, kind, lat, lon, geonameid, country_code, admin1_code, population"
            " FROM places WHERE id = ?",
            (place_id,),
        )
        return Place(*row) if row else None

    def _write_geo(
        self,
        conn: Connection,
        article_id: int,
        text: str,
        result: GeoparseResult,
        day: str,
        lang: str | None,
        source_id: int,
        pending_places: dict[str, Place],
        is_copy: bool = False,
    ) -> int:
        """Write mentions, the per-(article, place) aggregate and new places; returns the mention count."""
        checked = self._apply_corrections(conn, text, result.mentions)
        mentions = [m for m, _ in checked]
        places = {m.place.id: m.place for m in mentions}
        places.update({f.place.id: f.place for f in result.focus})
        new = [p for pid, p in places.items()
               if self._known_places.get(pid) != p and pending_places.get(pid) != p]
        conn.executemany(_PLACE_UPSERT, [_place_row(p) for p in new])
        pending_places.update({p.id: p for p in new})
        conn.executemany(
            "INSERT INTO mentions(article_id, place_id, start_char, end_char, surface, role, score,"
            " corrected, alternatives) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (article_id, m.place.id, m.start, m.end, m.surface, m.role, float(m.score), int(fixed),
                 json.dumps([c.to_dict() for c in m.alternatives], ensure_ascii=False))
                for m, fixed in checked
            ],
        )
        agg: dict[str, list[float]] = {}  # place_id -> [mentions, max score, dateline, focus, focus score]
        for m in mentions:
            a = agg.setdefault(m.place.id, [0, 0.0, 0, 0, 0.0])
            a[0] += 1
            a[1] = max(a[1], float(m.score))
            a[2] = a[2] or int(m.role == "dateline")
        for f in result.focus:
            a = agg.setdefault(f.place.id, [0, float(f.score), 0, 0, 0.0])
            a[3], a[4] = 1, float(f.score)
        conn.executemany(
            "INSERT INTO article_places(article_id, place_id, mentions, score, is_dateline, is_focus,"
            " focus_score, day, lang, source_id, country_code, is_copy)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (article_id, pid, int(a[0]), a[1], int(a[2]), int(a[3]), a[4], day, lang, source_id,
                 places[pid].country_code, int(is_copy))
                for pid, a in agg.items()
            ],
        )
        surfaces: dict[tuple[str, str], int] = {}
        for m in mentions:
            surfaces[(m.place.id, m.surface)] = surfaces.get((m.place.id, m.surface), 0) + 1
        conn.executemany(
            "INSERT INTO place_surfaces(place_id, surface, mentions) VALUES (?, ?, ?)"
            " ON CONFLICT (place_id, surface) DO UPDATE SET mentions = place_surfaces.mentions + excluded.mentions",
            [(pid, s, n) for (pid, s), n in sorted(surfaces.items())],
        )
        return len(mentions)

    def _clear_geo(self, conn: Connection, article_id: int) -> None:
        """Remove an article's mentions and aggregates (before re-parsing it)."""
        for pid, surface, n in conn.all(
            "SELECT place_id, surface, COUNT(*) FROM mentions WHERE article_id = ? GROUP BY place_id, surface",
            (article_id,),
        ):
            conn.execute(
                "UPDATE place_surfaces SET mentions = mentions - ? WHERE place_id = ? AND surface = ?",
                (n, pid, surface),
            )
        conn.execute("DELETE FROM place_surfaces WHERE mentions <= 0")
        conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM article_places WHERE article_id = ?", (article_id,))

    def replace_geoparse(self, article_id: int, result: GeoparseResult) -> int:
        """Swap an article's mentions for a new geoparse (``reparse``); corrections still apply."""
        conn = self._conn()
        pending: dict[str, Place] = {}
        with conn.transaction():
            row = conn.one("SELECT text, day, lang, source_id, story_id FROM articles WHERE id = ?", (article_id,))
            if row is None:
                raise InputError(f"no article with id {article_id}")
            self._clear_geo(conn, article_id)
            n = self._write_geo(conn, article_id, row[0], result, row[1], row[2], row[3], pending,
                                row[4] not in (None, article_id))
        self._known_places.update(pending)
        return n

    def set_story(self, article_id: int, story_id: int) -> None:
        """Link an article to the story it is a near-copy of; aggregates then count it once."""
        conn = self._conn()
        with conn.transaction():
            conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))
            conn.execute("UPDATE article_places SET is_copy = ? WHERE article_id = ?",
                         (int(story_id != article_id), article_id))

    # --- corrections --------------------------------------------------------

    def add_correction(self, article_id: int, start: int, end: int, place: Place | None, note: str = "") -> int:
        """Pin the mention at ``text[start:end]`` of an article to ``place`` (``None``: not a place).

        The correction is kept by surface and context, so it survives re-parsing
        and applies to the same words in the same context in other articles
        (from now on, and to stored ones on ``reparse``).  The article itself is
        corrected at once.
        """
        conn = self._conn()
        with conn.transaction():
            row = conn.one("SELECT text FROM articles WHERE id = ?", (article_id,))
            if row is None:
                raise InputError(f"no article with id {article_id}")
            text = row[0]
            if not (0 <= start < end <= len(text)):
                raise InputError(f"span {start}:{end} is outside article {article_id}")
            surface, ctx = text[start:end], context_key(text, start, end)
            if place is not None:
                conn.execute(_PLACE_UPSERT, _place_row(place))
            conn.execute("DELETE FROM corrections WHERE surface = ? AND context = ?", (surface, ctx))
            cid = int(conn.scalar(
                "INSERT INTO corrections(surface, context, place_id, article_id, start_char, note, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (surface, ctx, place.id if place else None, article_id, start, note, iso(datetime.now(UTC))),
            ))
            current = self.article(article_id)  # type: ignore[attr-defined]
            mentions = [m for m in current.mentions if not (m.start == start and m.end == end)]
            if place is not None:
                mentions.append(Mention(start, end, surface, place, "mention", 1.0))
            day, lang, source_id, story_id = conn.one(
                "SELECT day, lang, source_id, story_id FROM articles WHERE id = ?", (article_id,)
            ) or ("", None, 0, None)
            focus = tuple(
                Focus(place, fs, n)
                for pid, fs, n in conn.all(
                    "SELECT place_id, focus_score, mentions FROM article_places"
                    " WHERE article_id = ? AND is_focus = 1",
                    (article_id,),
                )
                if (place := self._load_place(conn, pid)) is not None
            )
            self._clear_geo(conn, article_id)
            result = GeoparseResult(lang or "", tuple(sorted(mentions, key=lambda m: m.start)), focus)
            self._write_geo(conn, article_id, text, result, day, lang, source_id, {},
                            story_id not in (None, article_id))
        return cid
