"""Feed subscriptions and poller leases, kept in the store so a team shares them.

Every poller (``watch``, ``serve --watch``) on any machine reads the same
subscriptions.  Before it fetches a feed it takes that feed's *lease*, a row
in ``leases`` inserted with ``ON CONFLICT DO NOTHING``: the database decides
who won, so two pollers never fetch and ingest the same feed at once.  A lease
expires (a poller that vanished does not block a feed for ever), and one held by
a process of this machine that no longer exists is taken over at once, so a
killed ``watch`` restarted at once goes on where it stopped.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dashboard.errors import InputError, StoreError
from dashboard.store.rows import iso, parse_iso

if TYPE_CHECKING:
    from dashboard.store.backend import Backend, Connection

_FEED_COLS = ("id, url, name, interval_s, lang, topic_rules, full_text, etag, last_modified, created_at,"
              " last_fetch_at, last_status, last_error, failures, failing_since, next_due_at, last_new_at,"
              " new_last, new_total, polls")


@dataclass(frozen=True, slots=True)
class Feed:
    """One subscription and its health, as stored."""

    id: int
    url: str
    name: str
    interval_s: int
    lang: str | None
    topic_rules: str | None
    full_text: bool
    etag: str | None
    last_modified: str | None
    created_at: datetime
    last_fetch_at: datetime | None
    last_status: str  # new | ok | not-modified | error
    last_error: str
    failures: int
    failing_since: datetime | None
    next_due_at: datetime
    last_new_at: datetime | None
    new_last: int
    new_total: int
    polls: int

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in self.__slots__:
            value = getattr(self, key)
            out[key] = iso(value) if isinstance(value, datetime) else value
        return out


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll of a feed found, written back in one statement."""

    status: str  # ok | not-modified | error
    fetched_at: datetime
    next_due_at: datetime
    error: str = ""
    new: int = 0
    etag: str | None = None
    last_modified: str | None = None


def _feed(row: tuple[Any, ...]) -> Feed:
    (fid, url, name, interval, lang, rules, full, etag, lastmod, created, fetched, status, error, failures,
     since, due, last_new, new_last, new_total, polls) = row
    return Feed(int(fid), url, name, int(interval), lang, rules, bool(full), etag, lastmod,
                parse_iso(created) or datetime.now(UTC), parse_iso(fetched), status, error, int(failures),
                parse_iso(since), parse_iso(due) or datetime.now(UTC), parse_iso(last_new), int(new_last),
                int(new_total), int(polls))


def new_holder() -> str:
    """A lease holder name: host, process id and a random part (a restarted pid is someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _holder_is_dead(holder: str) -> bool:
    """Is ``holder`` a process of this machine that no longer runs?"""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class FeedsMixin:
    """Subscriptions, their poll results and leases (part of :class:`~dashboard.store.Store`)."""

    _backend: Backend

    def _conn(self) -> Connection:
        return self._backend.connection()

    def add_feed(self, url: str, *, name: str = "", interval_s: int = 900, lang: str | None = None,
                 topic_rules: str | None = None, full_text: bool = False) -> Feed:
        """Subscribe to ``url`` (due at once); adding a URL twice is an :class:`InputError`."""
        conn = self._conn()
        now = iso(datetime.now(UTC))
        with conn.transaction():
            if conn.one("SELECT 1 FROM feeds WHERE url = ?", (url,)) is not None:
                raise InputError(f"already subscribed to {url}")
            fid = conn.scalar(
                "INSERT INTO feeds(url, name, interval_s, lang, topic_rules, full_text, created_at, next_due_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (url, name, int(interval_s), lang, topic_rules, int(full_text), now, now),
            )
        feed = self.feed(int(fid))
        if feed is None:
            raise StoreError(f"the subscription to {url} vanished as it was added (removed at once by someone?)")
        return feed

    def feeds(self) -> list[Feed]:
        return [_feed(r) for r in self._conn().all(f"SELECT {_FEED_COLS} FROM feeds ORDER BY id")]

    def feed(self, key: int | str) -> Feed | None:
        """A feed by id, URL or name."""
        conn = self._conn()
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            row = conn.one(f"SELECT {_FEED_COLS} FROM feeds WHERE id = ?", (int(key),))
        else:
            row = conn.one(f"SELECT {_FEED_COLS} FROM feeds WHERE url = ? OR name = ? ORDER BY id LIMIT 1",
                           (key, key))
        return _feed(row) if row else None

    def remove_feed(self, key: int | str) -> Feed | None:
        """Unsubscribe (the feed's articles stay); ``None`` when there is no such feed."""
        feed = self.feed(key)
        if feed is None:
            return None
        conn = self._conn()
        with conn.transaction():
            conn.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
            conn.execute("DELETE FROM leases WHERE name = ?", (f"feed:{feed.id}",))
        return feed

    def due_feeds(self, now: datetime) -> list[Feed]:
        """Feeds whose next poll time has come, most overdue first."""
        return [_feed(r) for r in self._conn().all(
            f"SELECT {_FEED_COLS} FROM feeds WHERE next_due_at <= ? ORDER BY next_due_at, id", (iso(now),))]

    def next_due(self) -> datetime | None:
        return parse_iso(self._conn().scalar("SELECT MIN(next_due_at) FROM feeds"))

    def record_poll(self, feed_id: int, result: PollResult, *, holder: str | None = None) -> None:
        """Write a poll's outcome and, in the same transaction, give the lease back.

        Called only after the poll's articles are stored: a poller killed
        before this line polls the feed again, and the hashes make that a no-op.
        """
        conn = self._conn()
        fetched = iso(result.fetched_at)
        with conn.transaction():
            if result.status == "error":
                conn.execute(
                    "UPDATE feeds SET last_fetch_at = ?, last_status = 'error', last_error = ?,"
                    " failures = failures + 1, failing_since = COALESCE(failing_since, ?), next_due_at = ?,"
                    " new_last = 0, polls = polls + 1 WHERE id = ?",
                    (fetched, result.error[:2000], fetched, iso(result.next_due_at), feed_id),
                )
            else:
                conn.execute(
                    "UPDATE feeds SET last_fetch_at = ?, last_status = ?, last_error = ?, failures = 0,"
                    " failing_since = NULL, next_due_at = ?, new_last = ?, new_total = new_total + ?,"
                    " last_new_at = CASE WHEN ? > 0 THEN ? ELSE last_new_at END,"
                    " etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), polls = polls + 1"
                    " WHERE id = ?",
                    (fetched, result.status, result.error[:2000], iso(result.next_due_at), result.new, result.new, result.new, fetched,
                     result.etag, result.last_modified, feed_id),
                )
            if holder is not None:
                conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (f"feed:{feed_id}", holder))

    def latest_article_id(self) -> int:
        """The newest article's id (0 for an empty store): how the dashboard notices new articles."""
        return int(self._conn().scalar("SELECT COALESCE(MAX(id), 0) FROM articles") or 0)

    def known_urls(self, urls: list[str]) -> set[str]:
        """Which of these article URLs are stored already (a full-text poll skips their pages)."""
        found: set[str] = set()
        conn = self._conn()
        for i in range(0, len(urls), 500):
            chunk = urls[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in conn.all(f"SELECT url FROM articles WHERE url IN ({marks})", chunk))
        return found

    # --- leases ----------------------------------------------------------------

    def claim_feed(self, feed_id: int, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Take the lease of a due feed; ``False`` when another poller holds it or polled it already."""
        name = f"feed:{feed_id}"
        conn = self._conn()
        with conn.transaction():
            if not self._take_lease(conn, name, holder, now, ttl):
                return False
            due = conn.scalar("SELECT next_due_at FROM feeds WHERE id = ?", (feed_id,))
            if due is None or due > iso(now):  # polled by someone else since we listed it, or removed
                conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))
                return False
        return True

    def release_feed(self, feed_id: int, holder: str) -> None:
        conn = self._conn()
        with conn.transaction():
            conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (f"feed:{feed_id}", holder))

    def take_lease(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """A named lease (e.g. ``alerts``) for work only one poller should do at a time."""
        conn = self._conn()
        with conn.transaction():
            return self._take_lease(conn, name, holder, now, ttl)

    def release_lease(self, name: str, holder: str) -> None:
        conn = self._conn()
        with conn.transaction():
            conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))

    def leases(self) -> list[tuple[str, str, datetime | None]]:
        return [(n, h, parse_iso(e)) for n, h, e in self._conn().all(
            "SELECT name, holder, expires_at FROM leases ORDER BY name")]

    @staticmethod
    def _take_lease(conn: Connection, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        expires = iso(now + ttl)
        conn.execute("DELETE FROM leases WHERE name = ? AND expires_at < ?", (name, iso(now)))
        current = conn.scalar("SELECT holder FROM leases WHERE name = ?", (name,))
        if current is not None:
            if current != holder and not _holder_is_dead(str(current)):
                return False
            conn.execute("UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND holder = ?",
                         (holder, expires, name, current))
            return True
        got = conn.scalar(
            "INSERT INTO leases(name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING"
            " RETURNING name", (name, holder, expires))
        return got is not None
