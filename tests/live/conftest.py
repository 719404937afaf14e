"""Fixtures for the live side: a feed server, stores on both backends, a webhook receiver.

The PostgreSQL fixtures are the store tests' own (``tests/store/conftest.py``),
loaded from there so both suites run against the same kind of throwaway server.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from feed_server import FeedServer, running

_spec = importlib.util.spec_from_file_location("_store_fixtures", Path(__file__).parents[1] / "store" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_store_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_fixtures)
pg_server_url = _store_fixtures.pg_server_url
store_url = _store_fixtures.store_url
store = _store_fixtures.store
fresh_pg_database = _store_fixtures.fresh_pg_database

_spec = importlib.util.spec_from_file_location("_ingest_helpers",
                                               Path(__file__).parents[1] / "ingest" / "ingest_helpers.py")
assert _spec is not None and _spec.loader is not None
ingest_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ingest_helpers)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with running() as srv:
        yield srv


class Hook:
    """A webhook receiver: records every JSON body POSTed; ``fail`` answers 500 instead."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if hook.fail:
                    hook.fail -= 1
                    self.send_response(500)
                else:
                    hook.bodies.append(json.loads(data))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    t = threading.Thread(target=h.httpd.serve_forever, daemon=True)
    t.start()
    yield h
    h.httpd.shutdown()
    h.httpd.server_close()


class Clock:
    """A settable clock for the poller: back-off over hours without waiting hours."""

    def __init__(self) -> None:
        from datetime import UTC, datetime, timedelta

        # a little ahead of the wall clock, which stamps new subscriptions "due now"
        self.now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)

    def __call__(self):  # noqa: ANN204
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def counting_geoparse():
    """The ingest tests' toy geoparser, counting the texts it is given (to prove what is skipped)."""
    calls: list[str] = []

    def parse(text: str, lang: str | None = None):  # noqa: ANN202
        calls.append(text)
        return ingest_helpers.toy_geoparse(text, lang)

    parse.calls = calls  # type: ignore[attr-defined]
    return parse
