"""Alerts: saved views whose new matching articles are published (Atom, webhook) once each.

An alert stores its filters as JSON and the highest article id that existed when
it was made (``since_id``), so saving a view does not fire on the whole back
catalogue.  ``alert_deliveries`` has one row per (alert, article) with the
primary key doing the "once": matching inserts only articles not yet there,
from any number of pollers, and a webhook that failed is retried from the rows
whose ``delivered_at`` is still empty, after a restart too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dashboard.errors import InputError
from dashboard.models import Filters
from dashboard.store.filters import articles_where
from dashboard.store.rows import ArticleRow, iso, parse_iso

if TYPE_CHECKING:
    from dashboard.store.backend import Backend, Connection


@dataclass(frozen=True, slots=True)
class Alert:
    """A named saved view and where its new articles go."""

    id: int
    name: str
    filters: Filters
    webhook: str | None
    since_id: int
    created_at: datetime


def filters_to_json(f: Filters) -> str:
    """A :class:`Filters` as JSON (dates as ISO text, tuples as lists)."""
    out: dict[str, Any] = {}
    for fld in fields(Filters):
        value = getattr(f, fld.name)
        if value in (None, (), "", 0.0, "any"):
            continue
        out[fld.name] = iso(value) if isinstance(value, datetime) else (list(value) if isinstance(value, tuple)
                                                                          else value)
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def filters_from_json(text: str) -> Filters:
    raw = json.loads(text or "{}")
    values: dict[str, Any] = {}
    for fld in fields(Filters):
        if fld.name not in raw:
            continue
        value = raw[fld.name]
        if fld.name in ("date_from", "date_to"):
            value = parse_iso(value)
        elif isinstance(value, list):
            value = tuple(float(v) for v in value) if fld.name == "bounds" else tuple(str(v) for v in value)
        values[fld.name] = value
    return Filters(**values)


def _alert(row: tuple[Any, ...]) -> Alert:
    aid, name, filters, webhook, since, created = row
    return Alert(int(aid), name, filters_from_json(filters), webhook or None, int(since),
                 parse_iso(created) or datetime.now(UTC))


_COLS = "id, name, filters, webhook, since_id, created_at"


class AlertsMixin:
    """Saved views and their deliveries (part of :class:`~dashboard.store.Store`)."""

    _backend: Backend

    def _conn(self) -> Connection:
        return self._backend.connection()

    def add_alert(self, name: str, filters: Filters, webhook: str | None = None) -> Alert:
        """Save a view as an alert; it fires on articles stored from now on."""
        name = name.strip()
        if not name:
            raise InputError("an alert needs a name")
        if webhook and not webhook.startswith(("http://", "https://")):
            raise InputError(f"webhook {webhook!r}: give an http:// or https:// URL")
        conn = self._conn()
        with conn.transaction():
            if conn.one("SELECT 1 FROM alerts WHERE name = ?", (name,)) is not None:
                raise InputError(f"there is already an alert named {name!r}")
            since = int(conn.scalar("SELECT COALESCE(MAX(id), 0) FROM articles") or 0)
            conn.execute("INSERT INTO alerts(name, filters, webhook, since_id, created_at) VALUES (?, ?, ?, ?, ?)",
                         (name, filters_to_json(filters), webhook or None, since, iso(datetime.now(UTC))))
        found = self.alert(name)
        if found is None:
            raise InputError(f"the alert {name!r} vanished as it was saved")
        return found

    def alerts(self) -> list[Alert]:
        return [_alert(r) for r in self._conn().all(f"SELECT {_COLS} FROM alerts ORDER BY name")]

    def alert(self, name: str) -> Alert | None:
        row = self._conn().one(f"SELECT {_COLS} FROM alerts WHERE name = ?", (name,))
        return _alert(row) if row else None

    def remove_alert(self, name: str) -> bool:
        conn = self._conn()
        with conn.transaction():
            return conn.execute("DELETE FROM alerts WHERE name = ?", (name,)).rowcount > 0

    def match_alert(self, alert: Alert, now: datetime) -> int:
        """Record the stored stories matching ``alert`` that it has not seen; returns how many."""
        conn = self._conn()
        w = articles_where(alert.filters, self._backend.dialect, stories_only=True)
        extra = (" AND " if w.parts else " WHERE ") + (
            "a.id > ? AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = ? AND d.article_id = a.id)")
        with conn.transaction():
            cur = conn.execute(
                f"INSERT INTO alert_deliveries(alert_id, article_id, matched_at) SELECT ?, a.id, ? FROM articles a"
                f" {w.sql}{extra} ON CONFLICT DO NOTHING",
                [alert.id, iso(now), *w.params, alert.since_id, alert.id],
            )
            return max(int(cur.rowcount or 0), 0)

    def undelivered(self, alert_id: int, limit: int = 100) -> list[int]:
        """Matched articles whose webhook POST has not succeeded yet, oldest first."""
        return [int(r[0]) for r in self._conn().all(
            "SELECT article_id FROM alert_deliveries WHERE alert_id = ? AND delivered_at IS NULL"
            " ORDER BY article_id LIMIT ?", (alert_id, limit))]

    def mark_delivered(self, alert_id: int, article_ids: list[int], now: datetime, error: str = "") -> None:
        """Delivered (``error`` empty) or one more failed attempt with its reason."""
        if not article_ids:
            return
        conn = self._conn()
        marks = ",".join("?" * len(article_ids))
        with conn.transaction():
            if error:
                conn.execute(f"UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?"
                             f" WHERE alert_id = ? AND article_id IN ({marks})", [error[:500], alert_id, *article_ids])
            else:
                conn.execute(f"UPDATE alert_deliveries SET attempts = attempts + 1, last_error = '', delivered_at = ?"
                             f" WHERE alert_id = ? AND article_id IN ({marks})", [iso(now), alert_id, *article_ids])

    def alert_matches(self, alert_id: int, limit: int = 50) -> list[tuple[ArticleRow, datetime]]:
        """The alert's latest matched articles (newest match first) with when each matched."""
        out: list[tuple[ArticleRow, datetime]] = []
        for aid, matched in self._conn().all(
            "SELECT article_id, matched_at FROM alert_deliveries WHERE alert_id = ?"
            " ORDER BY matched_at DESC, article_id DESC LIMIT ?", (alert_id, limit)):
            row = self.article(int(aid))  # type: ignore[attr-defined]
            if row is not None:
                out.append((row, parse_iso(matched) or datetime.now(UTC)))
        return out

    def delivery_counts(self, alert_id: int) -> tuple[int, int, str]:
        """(matched, delivered, last error) for ``alerts list``."""
        row = self._conn().one(
            "SELECT COUNT(*), COUNT(delivered_at), MAX(last_error) FROM alert_deliveries WHERE alert_id = ?",
            (alert_id,))
        return (int(row[0]), int(row[1]), row[2] or "") if row else (0, 0, "")
