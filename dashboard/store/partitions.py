"""Committed input partitions of bulk (Dask) ingests: what a re-run may skip.

A partition's articles and its row here are written in one transaction, so
after a killed worker, scheduler or client a partition is either wholly in
the store and marked, or absent and unmarked; the next run redoes only the
unmarked ones.  Exact duplicates are refused by the article hash anyway: the
marks save the geoparsing, they are not what keeps the store free of copies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dashboard.models import Place
from dashboard.store.rows import iso

if TYPE_CHECKING:
    from dashboard.store.backend import Backend, Connection


@dataclass(frozen=True, slots=True)
class PartitionMark:
    """One committed partition: its key, where it was read from and what came of it."""

    input_key: str
    source: str
    position: str
    records: int
    added: int
    duplicates: int
    skipped: int


class PartitionsMixin:
    """Reading and writing :class:`PartitionMark` rows (part of :class:`~dashboard.store.Store`)."""

    _backend: Backend
    _place_rows: dict[str, tuple[object, ...]]
    _source_ids: dict[str, int]
    _known_places: dict[str, Place]

    def _conn(self) -> Connection:
        return self._backend.connection()

    def clean_partitions(self, keys: Sequence[str]) -> set[str]:
        """Which of these partitions are committed with nothing skipped (a re-run can pass them by).

        Partitions that skipped records are done again, so a re-run reports
        their errors again (and exits 1) until the input is fixed.
        """
        found: set[str] = set()
        conn = self._conn()
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            found.update(r[0] for r in conn.all(
                f"SELECT input_key FROM bulk_partitions WHERE skipped = 0 AND input_key IN ({','.join('?' * len(chunk))})",
                chunk,
            ))
        return found

    @contextmanager
    def partition_transaction(self, mark: Callable[[], PartitionMark] | None = None,
                              run_id: int | None = None) -> Iterator[Connection]:
        """One transaction around a partition's writes that also records its mark (``mark()`` is asked last).

        The store's caches of places and sources are dropped when it fails, as
        they may name rows the rollback took away.
        """
        conn = self._conn()
        try:
            with conn.transaction():
                yield conn
                if mark is None:
                    return
                m = mark()
                conn.execute(
                    "INSERT INTO bulk_partitions(input_key, source, position, records, added, duplicates, skipped,"
                    " run_id, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (input_key) DO UPDATE SET"
                    " records = excluded.records, added = bulk_partitions.added + excluded.added,"
                    " duplicates = excluded.duplicates, skipped = excluded.skipped, run_id = excluded.run_id,"
                    " committed_at = excluded.committed_at",
                    (m.input_key, m.source[:1000], m.position, m.records, m.added, m.duplicates, m.skipped, run_id,
                     iso(datetime.now(UTC))),
                )
        except BaseException:
            self._place_rows.clear()
            self._source_ids.clear()
            self._known_places.clear()
            raise
