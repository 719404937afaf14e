"""Ingest runs and their per-record errors: the audit trail ``stats`` reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dashboard.store.rows import iso

if TYPE_CHECKING:
    from dashboard.store.backend import Backend, Connection


class RunsMixin:
    """Opening, annotating and closing ingest runs (part of :class:`~dashboard.store.Store`)."""

    _backend: Backend

    def _conn(self) -> Connection:
        return self._backend.connection()

    def begin_run(self, sources: Sequence[str]) -> int:
        """Open an ingest run; its errors and counts are kept for ``stats``."""
        conn = self._conn()
        with conn.transaction():
            return int(conn.scalar(
                "INSERT INTO ingest_runs(started_at, sources) VALUES (?, ?) RETURNING id",
                (iso(datetime.now(UTC)), " ".join(sources)[:2000]),
            ))

    def record_error(self, run_id: int | None, source: str, position: str, message: str) -> None:
        """Keep a skipped record's reason, with where it was, for the run summary."""
        conn = self._conn()
        with conn.transaction():
            conn.execute(
                "INSERT INTO ingest_errors(run_id, source, position, message, created_at) VALUES (?, ?, ?, ?, ?)",
                (run_id, source, position, message[:2000], iso(datetime.now(UTC))),
            )

    def finish_run(self, run_id: int, *, seen: int, added: int, duplicates: int, skipped: int,
                   status: str = "done") -> None:
        conn = self._conn()
        with conn.transaction():
            conn.execute(
                "UPDATE ingest_runs SET finished_at = ?, status = ?, seen = ?, added = ?, duplicates = ?,"
                " skipped = ? WHERE id = ?",
                (iso(datetime.now(UTC)), status, seen, added, duplicates, skipped, run_id),
            )
