"""A persistent SQLite cache for online geocoder answers.

Online geocoders are slow, rate limited (public Nominatim: one request per
second) and ask to be spared repeated identical queries, so every answer,
including "nothing found", is kept on disk.  Positive answers live long
(places rarely move); negative answers expire sooner because the service's
data improves and a typo'd query should not be remembered forever.

Each call opens its own short-lived connection, so one cache object can be
shared between threads and Streamlit reruns without ``check_same_thread``
tricks; SQLite's own file locking serialises writers.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geopy.location import Location

from dashboard.config import data_dir
from dashboard.errors import ConfigurationError

logger = logging.getLogger(__name__)

DAY = 86_400.0
DEFAULT_POSITIVE_TTL = 90 * DAY
DEFAULT_NEGATIVE_TTL = 7 * DAY
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS geocode_cache (
    service     TEXT NOT NULL,
    domain      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    request     TEXT NOT NULL,
    answer      TEXT NOT NULL,
    found       INTEGER NOT NULL,
    created_at  REAL NOT NULL,
    expires_at  REAL NOT NULL,
    PRIMARY KEY (service, domain, kind, request)
)
"""


def default_cache_path() -> Path:
    """``<data_dir>/cache/geocode.sqlite``: next to the other built artefacts, git-ignored."""
    return data_dir() / "cache" / "geocode.sqlite"


def request_key(params: Mapping[str, Any]) -> str:
    """Canonical text of a request's parameters, so equal requests share one cache row.

    Parameters
    ----------
    params
        The parameters that change the service's answer (query, language,
        country, exactly_one, limit, ...).  ``None`` values are dropped so that
        adding an optional parameter later does not invalidate old rows.
    """
    cleaned = {k: v for k, v in params.items() if v is not None}
    return json.dumps(cleaned, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def geocode_key(
    query: str | Mapping[str, str],
    language: str | None,
    country_codes: tuple[str, ...] | None,
    limit: int | None,
) -> str:
    """The key of a search: case and spacing of the query do not change the services' answers."""
    q: Any = (
        {k: " ".join(str(v).split()).casefold() for k, v in query.items()}
        if isinstance(query, Mapping)
        else " ".join(query.split()).casefold()
    )
    return request_key({"q": q, "language": language, "country": country_codes, "limit": limit})


def reverse_key(lat: float, lon: float, language: str | None, exactly_one: bool) -> str:
    """The key of a reverse lookup, to about 0.1 m, so float noise does not defeat the cache."""
    return request_key(
        {"lat": round(lat, 6), "lon": round(lon, 6), "language": language, "exactly_one": exactly_one}
    )


@dataclass(frozen=True, slots=True)
class CacheHit:
    """A cached answer: the locations found (empty when the service found nothing)."""

    locations: tuple[Location, ...]
    created_at: float

    @property
    def found(self) -> bool:
        return bool(self.locations)


def _encode(locations: tuple[Location, ...] | list[Location]) -> str:
    return json.dumps(
        [[loc.address, loc.latitude, loc.longitude, loc.raw] for loc in locations],
        ensure_ascii=False,
    )


def _decode(text: str) -> tuple[Location, ...]:
    return tuple(Location(address, (lat, lon), raw) for address, lat, lon, raw in json.loads(text))


class GeocodeCache:
    """Remember online geocoder answers in one SQLite file.

    Parameters
    ----------
    path
        The SQLite file; created with its folder on first use.  ``None`` means
        :func:`default_cache_path`.
    positive_ttl, negative_ttl
        Seconds an answer with results / without results stays valid.
    clock
        Seconds since the epoch; replaceable so tests can age entries without sleeping.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        positive_ttl: float = DEFAULT_POSITIVE_TTL,
        negative_ttl: float = DEFAULT_NEGATIVE_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if positive_ttl <= 0 or negative_ttl <= 0:
            raise ConfigurationError(
                f"geocode cache TTLs must be positive seconds (got positive_ttl={positive_ttl!r}, "
                f"negative_ttl={negative_ttl!r}); e.g. positive_ttl={DEFAULT_POSITIVE_TTL:.0f}"
            )
        self.path = Path(path) if path is not None else default_cache_path()
        if str(self.path) == ":memory:":
            raise ConfigurationError(
                "the geocode cache needs a file (each call opens its own connection); "
                "pass a path such as tmp_path / 'geocode.sqlite'"
            )
        self.positive_ttl = float(positive_ttl)
        self.negative_ttl = float(negative_ttl)
        self.clock = clock
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.execute(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as err:
            raise ConfigurationError(
                f"cannot open the geocode cache {self.path}: {err}; "
                "pass another cache path or set DASHBOARD_DATA_DIR to a writable folder"
            ) from err

    def __repr__(self) -> str:
        return f"GeocodeCache({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # closing() closes the file; the inner "with conn" commits or rolls back.
        with closing(sqlite3.connect(self.path, timeout=10.0)) as conn, conn:
            yield conn

    def get(self, service: str, domain: str, kind: str, request: str) -> CacheHit | None:
        """The unexpired answer for this request, or ``None`` when the network must be asked.

        A broken cache file is logged and treated as a miss: the cache is an
        optimisation, never a reason for geocoding to fail.
        """
        try:
            with self._connect() as conn:
                row = conn.execute(
                    "SELECT answer, created_at FROM geocode_cache WHERE service = ? AND domain = ? "
                    "AND kind = ? AND request = ? AND expires_at > ?",
                    (service, domain, kind, request, self.clock()),
                ).fetchone()
        except sqlite3.Error as err:
            logger.warning("geocode cache %s unreadable, asking the service: %s", self.path, err)
            return None
        if row is None:
            return None
        try:
            return CacheHit(_decode(row[0]), float(row[1]))
        except (ValueError, TypeError) as err:
            logger.warning("geocode cache row for %s %r is corrupt, ignoring it: %s", service, request, err)
            return None

    def put(
        self,
        service: str,
        domain: str,
        kind: str,
        request: str,
        locations: tuple[Location, ...] | list[Location],
    ) -> None:
        """Store an answer; an empty ``locations`` records "nothing found" with the shorter TTL."""
        now = self.clock()
        ttl = self.positive_ttl if locations else self.negative_ttl
        try:
            with self._connect() as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO geocode_cache "
                    "(service, domain, kind, request, answer, found, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        service,
                        domain,
                        kind,
                        request,
                        _encode(locations),
                        int(bool(locations)),
                        now,
                        now + ttl,
                    ),
                )
        except sqlite3.Error as err:
            logger.warning("geocode cache %s not writable, answer not cached: %s", self.path, err)

    def purge_expired(self) -> int:
        """Delete expired rows and return how many went; the file otherwise only grows."""
        with self._connect() as conn:
            cur = conn.execute("DELETE FROM geocode_cache WHERE expires_at <= ?", (self.clock(),))
            return cur.rowcount

    def clear(self) -> None:
        """Forget every answer, e.g. after pointing the service at another data set."""
        with self._connect() as conn:
            conn.execute("DELETE FROM geocode_cache")

    def count(self) -> int:
        """How many answers are stored, expired ones included (until :meth:`purge_expired`)."""
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM geocode_cache").fetchone()[0])
