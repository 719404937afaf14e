"""Polite, bounded HTTP fetches for feeds and pages.

A fetch has a timeout, a few retries with exponential back-off (connection
errors, 429 and 5xx only: a 404 will not get better), a user agent that says
who we are, a size limit enforced while streaming (a server cannot make us
read a gigabyte), and a minimum interval between requests to the same host.
Every failure becomes one :class:`~dashboard.errors.FetchError`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from dashboard import __version__
from dashboard.errors import FetchError

logger = logging.getLogger(__name__)

USER_AGENT = f"news-map/{__version__} (news-mapping dashboard; offline-first)"
RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched document: final URL (after redirects), bytes, declared content type and charset."""

    url: str
    content: bytes
    content_type: str
    charset: str | None
    status: int
    etag: str | None = None  # validators for the next conditional GET (feeds)
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """HTTP 304: the server says the document is what we have (a conditional GET)."""
        return self.status == 304

    def text(self) -> str:
        """The body as text: the declared charset if it decodes cleanly, else a detected one.

        Servers often declare UTF-8 and send Windows-1252; decoding strictly
        first and detecting only on failure keeps the common case exact.
        """
        if self.charset:
            try:
                return self.content.decode(self.charset)
            except (UnicodeDecodeError, LookupError):
                logger.info("%s: declared charset %s does not fit, detecting", self.url, self.charset)
        try:
            return self.content.decode("utf-8")
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes

            best = from_bytes(self.content).best()
            return str(best) if best is not None else self.content.decode("utf-8", errors="replace")


class Fetcher:
    """One HTTP client for a run: shares connections and remembers when it last hit each host."""

    def __init__(
        self,
        *,
        timeout: float = 15.0,
        retries: int = 2,
        backoff: float = 1.0,
        max_bytes: int = 10 * 1024 * 1024,
        per_host_interval: float = 1.0,
        max_redirects: int = 5,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.per_host_interval = per_host_interval
        self.session = requests.Session()
        self.session.max_redirects = max_redirects
        self.session.headers["User-Agent"] = user_agent
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def _wait_for_host(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            ready = self._last.get(host, 0.0) + self.per_host_interval
            self._last[host] = max(now, ready)
        if ready > now:
            time.sleep(ready - now)

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """Fetch ``url`` or raise :class:`FetchError` saying what went wrong, after retries.

        With ``etag``/``last_modified`` (from an earlier answer) the GET is
        conditional: an unchanged document comes back as an empty 304.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError("only http and https URLs can be fetched", source=url)
        last_error = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self._wait_for_host(parts.netloc)
            try:
                return self._get_once(url, headers)
            except _Retryable as err:
                last_error = str(err)
                logger.info("%s: %s (attempt %d of %d)", url, err, attempt + 1, self.retries + 1)
        raise FetchError(f"{last_error} (after {self.retries + 1} attempts)", source=url)

    def _get_once(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        try:
            resp = self.session.get(url, timeout=self.timeout, stream=True, headers=headers)
        except requests.TooManyRedirects as err:
            raise FetchError(f"more than {self.session.max_redirects} redirects", source=url) from err
        except requests.Timeout as err:
            raise _Retryable(f"no answer within {self.timeout:g} s") from err
        except requests.ConnectionError as err:
            raise _Retryable(f"connection failed: {_short(err)}") from err
        except requests.RequestException as err:
            raise FetchError(_short(err), source=url) from err
        with resp:
            if resp.status_code in RETRY_STATUS:
                raise _Retryable(f"HTTP {resp.status_code} {resp.reason}")
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code} {resp.reason}", source=url)
            if resp.status_code == 304:
                return Fetched(resp.url, b"", "", None, 304, resp.headers.get("ETag"),
                               resp.headers.get("Last-Modified"))
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"larger than the {self.max_bytes:,} byte limit ({int(declared):,} bytes)", source=url)
            chunks: list[bytes] = []
            size = 0
            deadline = time.monotonic() + 4 * self.timeout  # a server dripping bytes cannot hold us forever
            try:
                for chunk in resp.iter_content(64 * 1024):
                    if time.monotonic() > deadline:
                        raise _Retryable(f"body not complete within {4 * self.timeout:g} s")
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(f"larger than the {self.max_bytes:,} byte limit", source=url)
                    chunks.append(chunk)
            except requests.Timeout as err:
                raise _Retryable(f"body not received within {self.timeout:g} s") from err
            except requests.RequestException as err:
                raise _Retryable(f"body interrupted: {_short(err)}") from err
            ctype = resp.headers.get("Content-Type", "")
            charset = None
            for part in ctype.split(";")[1:]:
                key, _, value = part.strip().partition("=")
                if key.lower() == "charset" and value:
                    charset = value.strip("\"' ")
            return Fetched(resp.url, b"".join(chunks), ctype.split(";")[0].strip().lower(), charset, resp.status_code,
                           resp.headers.get("ETag"), resp.headers.get("Last-Modified"))

    def close(self) -> None:
        self.session.close()


class _Retryable(Exception):
    """A failure worth another attempt (internal: becomes FetchError after the last)."""


def _short(err: BaseException) -> str:
    text = str(err)
    return text if len(text) < 200 else text[:197] + "..."
