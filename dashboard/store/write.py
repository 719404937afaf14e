"""Writing to the store: articles with their mentions and topics, ingest runs, corrections.

Batches of new articles are written by :mod:`dashboard.store.batch`; this module
re-parses, corrects and links stored ones, each change in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dashboard.errors import InputError
from dashboard.models import Article, Focus, GeoparseResult, Mention, Place, TopicScore
from dashboard.store import aggregates
from dashboard.store.backend import Connection
from dashboard.store.batch import (
    _AP_COLS,
    _MENTION_COLS,
    PLACE_UPSERT,
    BatchWriterMixin,
    GeoRows,
    NewArticle,
    geo_aggregates,
    place_row,
    topic_rows,
)
from dashboard.store.rows import AddResult, context_key, iso

if TYPE_CHECKING:
    from dashboard.store.backend import Backend

logger = logging.getLogger(__name__)


class WriterMixin(BatchWriterMixin):
    """The writing half of :class:`~dashboard.store.Store` (bulk article writes: :mod:`.batch`)."""

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

    # --- mentions -----------------------------------------------------------

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
        geo = GeoRows.of(result)
        geo, corrected = self._corrections(conn, {0: (text, geo)}).get(0, (geo, None))
        changed = [p for p in geo.places if self._place_rows.get(p[0]) != p]
        conn.executemany(PLACE_UPSERT, changed)
        for p in changed:  # the bulk writer's cache learns them again after its next commit
            self._place_rows.pop(p[0], None)
        pending_places.update({pid: p for pid, p in ((m.place.id, m.place) for m in result.mentions)})
        mentions, ap_rows, surfaces = geo_aggregates(article_id, geo, day, lang, source_id, is_copy, corrected)
        conn.copy_rows("mentions", _MENTION_COLS, mentions)
        conn.copy_rows("article_places", _AP_COLS, ap_rows)
        counts: dict[tuple[str, str], int] = {}
        for key in surfaces:
            counts[key] = counts.get(key, 0) + 1
        conn.executemany(
            "INSERT INTO place_surfaces(place_id, surface, mentions) VALUES (?, ?, ?)"
            " ON CONFLICT (place_id, surface) DO UPDATE SET mentions = place_surfaces.mentions + excluded.mentions",
            [(pid, s, n) for (pid, s), n in sorted(counts.items())],
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
            aggregates.account(conn, [article_id], -1)
            self._clear_geo(conn, article_id)
            n = self._write_geo(conn, article_id, row[0], result, row[1], row[2], row[3], pending,
                                row[4] not in (None, article_id))
            aggregates.account(conn, [article_id], 1)
        self._known_places.update(pending)
        return n

    def replace_topics(self, article_id: int, topics: Sequence[TopicScore]) -> int:
        """Swap an article's topics for a new tagging (``reparse`` after the rules changed)."""
        return self.replace_topics_many([(article_id, topics)])

    def replace_topics_many(self, items: Sequence[tuple[int, Sequence[TopicScore]]]) -> int:
        """:meth:`replace_topics` for many articles in one transaction (all or none); the topics stored."""
        if not items:
            return 0
        conn = self._conn()
        ids = [aid for aid, _ in items]
        with conn.transaction():
            known = {aid: (day, story) for aid, day, story in conn.all(
                f"SELECT id, day, story_id FROM articles WHERE id IN ({', '.join('?' * len(ids))})", ids)}
            missing = [aid for aid in ids if aid not in known]
            if missing:
                raise InputError(f"no article with id {missing[0]}")
            rows = []
            for aid, topics in items:
                day, story = known[aid]
                rows += [(aid, t, score, ev, day, int(story not in (None, aid))) for t, score, ev in topic_rows(topics)]
            aggregates.account(conn, ids, -1)
            conn.executemany("DELETE FROM article_topics WHERE article_id = ?", [(aid,) for aid in ids])
            conn.executemany(
                "INSERT INTO article_topics(article_id, topic, score, evidence, day, is_copy)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, topic) DO NOTHING",
                rows,
            )
            aggregates.account(conn, ids, 1)
        return len(rows)

    def set_story(self, article_id: int, story_id: int) -> None:
        """Link an article to the story it is a near-copy of; aggregates then count it once."""
        conn = self._conn()
        with conn.transaction():
            aggregates.account(conn, [article_id], -1)
            conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))
            for table in ("article_places", "article_topics"):
                conn.execute(f"UPDATE {table} SET is_copy = ? WHERE article_id = ?",
                             (int(story_id != article_id), article_id))
            aggregates.account(conn, [article_id], 1)

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
                conn.execute(PLACE_UPSERT, place_row(place))
                self._place_rows.pop(place.id, None)
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
            aggregates.account(conn, [article_id], -1)
            self._clear_geo(conn, article_id)
            result = GeoparseResult(lang or "", tuple(sorted(mentions, key=lambda m: m.start)), focus)
            self._write_geo(conn, article_id, text, result, day, lang, source_id, {},
                            story_id not in (None, article_id))
            aggregates.account(conn, [article_id], 1)
        return cid
