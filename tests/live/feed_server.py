"""A real HTTP server on 127.0.0.1 serving RSS and Atom documents that tests change between polls.

It honours conditional GETs like a well-behaved news site (ETag and
Last-Modified, answering 304), can be told to fail per path (HTTP 500, an
answer slower than the client's timeout, a body that is not a feed), and
records every request so tests can count fetches and 304s.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

Item = tuple[str, str, str]  # guid, title, text


def rss(items: Sequence[Item], title: str = "Test wire", build: str = "") -> bytes:
    parts = [f"<item><guid>{escape(g)}</guid><title>{escape(t)}</title><link>https://news.test/{escape(g)}</link>"
             f"<description>{escape(x)}</description><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate></item>"
             for g, t, x in items]
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<lastBuildDate>{build}</lastBuildDate>{''.join(parts)}</channel></rss>").encode()


def atom(items: Sequence[Item], title: str = "Test atom") -> bytes:
    parts = [f"<entry><id>urn:{escape(g)}</id><title>{escape(t)}</title><updated>2025-01-06T10:00:00Z</updated>"
             f'<link href="https://atom.test/{escape(g)}"/><summary>{escape(x)}</summary></entry>' for g, t, x in items]
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:test</id><updated>2025-01-06T10:00:00Z</updated>"
            f"{''.join(parts)}</feed>").encode()


@dataclass
class Doc:
    body: bytes
    ctype: str = "application/rss+xml"
    mode: str = "ok"  # ok | 500 | slow | garbage
    validators: bool = True
    modified: str = ""

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


class FeedServer:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self.requests: list[tuple[str, int]] = []  # (path, status answered)
        self.delay = 0.0  # seconds before every answer (to make two pollers overlap)
        self.slow = 3.0
        self._lock = threading.Lock()
        self._version = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if server.delay:
                    time.sleep(server.delay)
                doc = server.docs.get(self.path)
                status = self._answer(doc)
                with server._lock:
                    server.requests.append((self.path, status))

            def _answer(self, doc: Doc | None) -> int:
                if doc is None:
                    return self._send(404, b"no", "text/plain")
                if doc.mode == "500":
                    return self._send(500, b"oops", "text/plain")
                if doc.mode == "slow":
                    time.sleep(server.slow)
                    return self._send(200, doc.body, doc.ctype)
                if doc.mode == "garbage":
                    return self._send(200, b"\x00\x01 this is {not} a feed \xff", "application/rss+xml")
                if doc.validators and (self.headers.get("If-None-Match") == doc.etag
                                       or self.headers.get("If-Modified-Since") == doc.modified):
                    return self._send(304, b"", None, doc)
                return self._send(200, doc.body, doc.ctype, doc)

            def _send(self, status: int, body: bytes, ctype: str | None, doc: Doc | None = None) -> int:
                try:
                    self.send_response(status)
                    if ctype:
                        self.send_header("Content-Type", ctype)
                    if doc is not None and doc.validators:
                        self.send_header("ETag", doc.etag)
                        self.send_header("Last-Modified", doc.modified)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if body:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)
                return status

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, body: bytes, **kwargs: object) -> str:
        """Serve ``body`` at ``path``; each new version gets a later Last-Modified date."""
        self._version += 1
        doc = Doc(body, **kwargs)  # type: ignore[arg-type]
        doc.modified = formatdate(1_700_000_000 + 60 * self._version, usegmt=True)
        self.docs[path] = doc
        return self.url(path)

    def count(self, path: str, status: int | None = None) -> int:
        with self._lock:
            return sum(1 for p, s in self.requests if p == path and (status is None or s == status))


@contextmanager
def running() -> Iterator[FeedServer]:
    srv = FeedServer()
    thread = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
