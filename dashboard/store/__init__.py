"""Persistence: articles, their mentions and topics, in SQLite (default) or PostgreSQL.

>>> store = open_store("sqlite:///data/news.sqlite")     # doctest: +SKIP
>>> store.place_summaries(Filters(countries=("KZ",)))    # doctest: +SKIP

One code path serves both databases (see :mod:`dashboard.store.backend`); the
schema migrates itself on first use (:mod:`dashboard.store.schema`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from dashboard.errors import StoreError
from dashboard.models import Place
from dashboard.store.alerts import AlertsMixin
from dashboard.store.backend import Backend, parse_url
from dashboard.store.batch import GeoRows, NewArticle, topic_rows
from dashboard.store.feeds import FeedsMixin
from dashboard.store.partitions import PartitionMark, PartitionsMixin
from dashboard.store.query import QueryMixin
from dashboard.store.rows import AddResult, ArticleRow, content_hash, normalise_text
from dashboard.store.runs import RunsMixin
from dashboard.store.schema import migrate
from dashboard.store.settings import SettingsMixin
from dashboard.store.write import WriterMixin

logger = logging.getLogger(__name__)

__all__ = [
    "AddResult",
    "ArticleRow",
    "GeoRows",
    "NewArticle",
    "PartitionMark",
    "Store",
    "content_hash",
    "normalise_text",
    "open_store",
    "parse_url",
    "topic_rows",
]


class Store(WriterMixin, RunsMixin, PartitionsMixin, QueryMixin, FeedsMixin, AlertsMixin, SettingsMixin):
    """A news store at one URL; safe to share between threads (each gets its own connection)."""

    def __init__(self, url: str | None = None) -> None:
        self._backend = Backend(url)
        self._known_places: dict[str, Place] = {}
        self._place_rows: dict[str, tuple[object, ...]] = {}
        self._source_ids: dict[str, int] = {}
        self.schema_version = migrate(self._backend.connection())

    @property
    def url(self) -> str:
        """The store URL with any password hidden."""
        return self._backend.url.redacted

    def known_hashes(self, hashes: list[str]) -> set[str]:
        """Which of these content hashes are stored already (checked before the costly geoparse)."""
        found: set[str] = set()
        conn = self._conn()
        for i in range(0, len(hashes), 500):
            chunk = hashes[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in conn.all(f"SELECT hash FROM articles WHERE hash IN ({marks})", chunk))
        return found

    def signatures(self) -> Iterator[tuple[int, int, bytes]]:
        """(article id, story id, MinHash bytes) of every article that has a signature."""
        conn = self._conn()
        after = 0
        while True:
            rows = conn.all(
                "SELECT id, story_id, minhash FROM articles WHERE minhash IS NOT NULL AND id > ?"
                " ORDER BY id LIMIT 5000",
                (after,),
            )
            for aid, story, sig in rows:
                yield int(aid), int(story if story is not None else aid), bytes(sig)
            if len(rows) < 5000:
                return
            after = int(rows[-1][0])

    def is_empty(self) -> bool:
        return self._conn().one("SELECT 1 FROM articles LIMIT 1") is None

    def optimize(self) -> None:
        """Refresh the planner's statistics after a large write (SQLite ``PRAGMA optimize``, PostgreSQL ``ANALYZE``)."""
        conn = self._conn()
        try:
            conn.execute("ANALYZE" if self.dialect == "postgresql" else "PRAGMA optimize")
        except StoreError as err:  # advisory: another writer (a second poller) holds the lock
            logger.info("planner statistics not refreshed: %s", err)

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"


def open_store(url: str | None = None) -> Store:
    """Open (and create or migrate when needed) the store at ``url``.

    Parameters
    ----------
    url
        ``sqlite:///path/to/file.sqlite``, ``sqlite://`` for memory, or
        ``postgresql://user:password@host/dbname``.  ``None`` means
        ``$DASHBOARD_DB`` or the embedded file under ``data/``
        (:func:`dashboard.config.default_db_url`).
    """
    return Store(url)

