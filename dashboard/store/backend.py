"""One thin connection layer over SQLite (stdlib ``sqlite3``) and PostgreSQL (psycopg 3).

The rest of the store writes portable SQL with ``?`` placeholders and calls
:class:`Backend`; only this module knows how each database wants its
placeholders, transactions and connection settings.  That keeps one code path
for both backends, which is what lets one test suite cover them both.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.config import default_db_url
from dashboard.errors import ConfigurationError, StoreError

logger = logging.getLogger(__name__)

Params = Sequence[Any]


@dataclass(frozen=True, slots=True)
class StoreURL:
    """A parsed store URL: ``dialect`` is ``"sqlite"`` or ``"postgresql"``."""

    dialect: str
    target: str  # a file path, ":memory:" or a libpq connection string
    raw: str

    @property
    def redacted(self) -> str:
        """The URL with any password replaced, safe to print and log."""
        return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", self.raw)


def parse_url(url: str | None) -> StoreURL:
    """Turn ``sqlite:///path``, ``sqlite://`` (memory) or ``postgresql://...`` into a :class:`StoreURL`.

    A bare path is accepted as an SQLite file, because that is what people type.
    Anything else fails here, at construction, with the forms that would work.
    """
    raw = url or default_db_url()
    if raw in ("sqlite://", "sqlite:///:memory:", ":memory:"):
        return StoreURL("sqlite", ":memory:", raw)
    if raw.startswith("sqlite:///"):
        path = raw[len("sqlite:///") :]
        if not path:
            raise ConfigurationError(f"store URL {raw!r} has no file path: use sqlite:///path/to/news.sqlite")
        return StoreURL("sqlite", path, raw)
    scheme = raw.split("://", 1)[0].lower() if "://" in raw else ""
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        target = "postgresql://" + raw.split("://", 1)[1]
        return StoreURL("postgresql", target, raw)
    if not scheme:
        return StoreURL("sqlite", raw, f"sqlite:///{raw}")
    raise ConfigurationError(
        f"unknown store URL {raw!r}: use sqlite:///path/to/news.sqlite or postgresql://user@host/dbname"
    )


def _to_pyformat(sql: str) -> str:
    """Rewrite ``?`` placeholders as psycopg's ``%s`` (our SQL never has ``?`` inside literals)."""
    return sql.replace("%", "%%").replace("?", "%s")


class Connection:
    """A DB-API connection plus the dialect knowledge needed to run our portable SQL."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect
        self._in_tx = False

    def _sql(self, sql: str) -> str:
        return _to_pyformat(sql) if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Params = ()) -> Any:
        """Run one statement; ``?`` placeholders work on both backends."""
        try:
            if self.dialect == "postgresql":
                return self.raw.execute(self._sql(sql), tuple(params)) if params else self.raw.execute(sql)
            return self.raw.execute(sql, tuple(params))
        except (sqlite3.Error, _pg_error()) as err:
            raise StoreError(f"{err} (while running: {sql.strip()[:120]})") from err

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows (one round trip per batch on PostgreSQL)."""
        rows = list(rows)
        if not rows:
            return
        try:
            if self.dialect == "postgresql":
                with self.raw.cursor() as cur:
                    cur.executemany(self._sql(sql), rows)
            else:
                self.raw.executemany(sql, rows)
        except (sqlite3.Error, _pg_error()) as err:
            raise StoreError(f"{err} (while running: {sql.strip()[:120]})") from err

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Params]) -> None:
        """Append rows to a table: ``COPY`` on PostgreSQL, one ``executemany`` on SQLite."""
        if not rows:
            return
        cols = ", ".join(columns)
        if self.dialect != "postgresql":
            self.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(columns))})", rows)
            return
        try:
            with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except _pg_error() as err:
            raise StoreError(f"{err} (while copying rows into {table})") from err

    def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.execute(sql, params).fetchall()]

    def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        row = self.execute(sql, params).fetchone()
        return tuple(row) if row is not None else None

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.one(sql, params)
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """All or nothing: a crash inside leaves the store as it was before.

        SQLite takes the write lock up front (``BEGIN IMMEDIATE``) so two writers
        queue instead of failing half-way with "database is locked".
        """
        if self._in_tx:
            yield self
            return
        self._in_tx = True
        try:
            if self.dialect == "postgresql":
                with self.raw.transaction():
                    yield self
            else:
                self.raw.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                except BaseException:
                    self.raw.execute("ROLLBACK")
                    raise
                self.raw.execute("COMMIT")
        finally:
            self._in_tx = False

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:  # closing a broken connection must not hide the real error
            logger.debug("error while closing a store connection", exc_info=True)


def _pg_error() -> type[BaseException]:
    """psycopg's base error, or a class nothing raises when psycopg is not installed."""
    try:
        import psycopg
    except ImportError:
        return _NeverRaised
    return psycopg.Error  # type: ignore[no-any-return]


class _NeverRaised(Exception):
    pass


class Backend:
    """Opens connections for one store URL: one per thread for files and servers.

    Streamlit serves each session from its own thread, and both sqlite3 and
    psycopg connections are best not shared between threads; an in-memory SQLite
    database is the exception (each connection would see a different database),
    so it has a single connection behind a lock.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = parse_url(url)
        self.dialect = self.url.dialect
        self._local = threading.local()
        self._all: list[Connection] = []
        self._lock = threading.RLock()
        self._shared: Connection | None = None
        if self.dialect == "postgresql":
            try:
                import psycopg  # noqa: F401
            except ImportError as err:
                raise ConfigurationError(
                    "PostgreSQL stores need psycopg: pip install 'news-map-dashboard[postgres]'"
                ) from err
        elif self.url.target != ":memory:":
            Path(self.url.target).expanduser().parent.mkdir(parents=True, exist_ok=True)

    @property
    def per_thread(self) -> bool:
        """Does each thread get a connection of its own (so queries may run side by side)?"""
        return not (self.dialect == "sqlite" and self.url.target == ":memory:")

    def connection(self) -> Connection:
        """This thread's connection, opened on first use."""
        if self.dialect == "sqlite" and self.url.target == ":memory:":
            with self._lock:
                if self._shared is None:
                    self._shared = self._open()
                return self._shared
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _open(self) -> Connection:
        if self.dialect == "postgresql":
            import psycopg

            try:
                pg = psycopg.connect(self.url.target, autocommit=True, connect_timeout=10)
            except psycopg.Error as err:
                raise StoreError(f"cannot connect to {self.url.redacted}: {err}".strip()) from err
            return Connection(pg, "postgresql")
        target = str(Path(self.url.target).expanduser()) if self.url.target != ":memory:" else ":memory:"
        try:
            raw = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=30)
            raw.execute("PRAGMA foreign_keys = ON")
            raw.execute("PRAGMA busy_timeout = 30000")
            if target != ":memory:":
                raw.execute("PRAGMA journal_mode = WAL")
                raw.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as err:
            raise StoreError(f"cannot open SQLite store {target}: {err}") from err
        return Connection(raw, "sqlite")

    def close(self) -> None:
        """Close every connection this backend opened, in any thread."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            if self._shared is not None:
                self._shared.close()
                self._shared = None
        self._local = threading.local()
