"""Feeds and pages over real HTTP: a server on 127.0.0.1 answers with feeds, pages, redirects,
errors, slow and oversized bodies and wrong charsets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from ingest_helpers import toy_geoparse

from dashboard.errors import FetchError
from dashboard.ingest import Fetcher, IngestOptions, Ingestor
from dashboard.models import Filters
from dashboard.store import Store, open_store

ARTICLE = (
    "<html><head><title>Site | Berlin floods</title>"
    '<meta property="article:published_time" content="2024-03-05T08:00:00Z"></head><body>'
    "<nav>Home Sport Weather</nav><article><h1>Berlin floods &lt;script&gt;</h1>"
    + "".join(f"<p>Paragraph {i}: the river in Berlin rose again and Hamburg sent help to the city.</p>"
              for i in range(6))
    + "</article><footer>Contact</footer></body></html>"
)


def rss(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local News</title><link>{base}</link><language>de-DE</language>
<item><title>Paris &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</title><link>{base}/page</link>
<description>&lt;p&gt;In Paris wurde gewählt.&lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;</description>
<pubDate>Tue, 13 Sep 2022 08:00:00 GMT</pubDate><guid>a1</guid><category>politics</category></item>
<item><title>Zürich</title><link>{base}/missing</link><description>Zürich ist ruhig.</description></item>
</channel></rss>"""


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>
<entry><title>Samarkand summit</title><id>urn:1</id><updated>2024-01-02T10:00:00Z</updated>
<content type="html">&lt;p&gt;Leaders meet in Samarkand.&lt;/p&gt;</content></entry></feed>"""


class Handler(BaseHTTPRequestHandler):
    flaky_hits = 0
    user_agents: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        Handler.user_agents.append(self.headers.get("User-Agent", ""))
        path = self.path
        if path == "/feed.xml":
            self.send(200, rss(base).encode(), "application/rss+xml")
        elif path == "/atom":
            self.send(200, ATOM.encode(), "application/atom+xml")
        elif path == "/page":
            self.send(200, ARTICLE.encode())
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/error":
            self.send(500, b"boom")
        elif path == "/flaky":
            Handler.flaky_hits += 1
            if Handler.flaky_hits == 1:
                self.send(503, b"busy")
            else:
                self.send(200, ARTICLE.encode())
        elif path == "/slow":
            time.sleep(1.5)  # the server is slow on purpose; the client must give up first
            self.send(200, ARTICLE.encode())
        elif path == "/big":
            self.send(200, b"<p>" + b"x" * 300_000 + b"</p>")
        elif path == "/big-stream":
            self.send(200, b"<p>" + b"x" * 300_000 + b"</p>", length=False)
            self.close_connection = True
        elif path == "/latin1":
            body = ARTICLE.replace("Berlin", "Zürich").encode("cp1252")
            self.send(200, body, "text/html; charset=utf-8")
        elif path == "/notxml":
            self.send(200, b"this is { not xml", "application/rss+xml")
        elif path == "/empty":
            self.send(200, b"<html><body><nav>Menu</nav></body></html>")
        else:
            self.send(404, b"not found")


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    f = Fetcher(timeout=0.5, retries=1, backoff=0.01, max_bytes=200_000, per_host_interval=0.0)
    yield f
    f.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'news.sqlite'}")
    yield s
    s.close()


def run(store: Store, fetcher: Fetcher, sources: list[str], **opts: object):
    ing = Ingestor(store, geoparser=toy_geoparse, use_default_tagger=False, fetcher=fetcher)
    return ing.run(sources, IngestOptions(**opts))  # type: ignore[arg-type]


def test_rss_feed_items_become_articles(store: Store, fetcher: Fetcher, base: str) -> None:
    summary = run(store, fetcher, [f"{base}/feed.xml"])
    assert (summary.added, summary.skipped) == (2, 0)
    paris = store.articles(Filters(text="gewählt"))[0]
    assert paris.title == "Paris bold"  # markup is gone, the script with it
    assert paris.source == "Local News" and paris.lang == "de" and paris.categories == ("politics",)
    assert paris.published is not None and paris.published.isoformat() == "2022-09-13T08:00:00+00:00"
    full = store.article(paris.id)
    assert full is not None and full.text is not None and "evil" not in full.text and "<" not in full.text
    zurich = store.articles(Filters(text="ruhig"))[0]
    assert zurich.date_source == "ingest"


def test_atom_feed(store: Store, fetcher: Fetcher, base: str) -> None:
    summary = run(store, fetcher, [f"{base}/atom"])
    assert summary.added == 1
    (row,) = store.articles(Filters())
    assert row.title == "Samarkand summit" and row.places == ("Samarkand",)


def test_fetch_pages_takes_the_text_from_the_linked_page(store: Store, fetcher: Fetcher, base: str) -> None:
    summary = run(store, fetcher, [f"{base}/feed.xml"], fetch_pages=True)
    assert summary.added == 1 and summary.skipped == 1
    assert summary.errors[0][0] == f"{base}/missing" and summary.errors[0][2].startswith("HTTP 404")
    (row,) = store.articles(Filters())
    full = store.article(row.id)
    assert full is not None and full.text is not None and "river in Berlin rose" in full.text
    assert "Home Sport Weather" not in full.text  # boilerplate is not article text
    assert row.title == "Paris bold" and row.published is not None and row.published.year == 2022


def test_page_by_url_with_redirect(store: Store, fetcher: Fetcher, base: str) -> None:
    Handler.user_agents.clear()
    summary = run(store, fetcher, [f"{base}/redirect"])
    assert summary.added == 1
    (row,) = store.articles(Filters())
    assert row.url == f"{base}/page" and row.date_source == "metadata"
    assert row.published is not None and row.published.date().isoformat() == "2024-03-05"
    assert row.title == "Berlin floods"  # from <title>, without the site name
    assert set(store.article(row.id).places) == {"Berlin", "Hamburg"}  # type: ignore[union-attr]
    assert all(ua.startswith("news-map/") for ua in Handler.user_agents)


def test_network_failures_are_skipped_with_reasons(store: Store, fetcher: Fetcher, base: str) -> None:
    sources = [f"{base}/{p}" for p in ("nothere", "error", "slow", "big", "big-stream", "loop", "notxml", "empty")]
    summary = run(store, fetcher, sources)
    assert summary.added == 0 and summary.skipped == len(sources)
    errors = {s.rsplit("/", 1)[1]: m for s, _, m in summary.errors}
    assert errors["nothere"] == "HTTP 404 Not Found"
    assert errors["error"] == "HTTP 500 Internal Server Error (after 2 attempts)"
    assert errors["slow"] == "no answer within 0.5 s (after 2 attempts)"
    assert errors["big"] == "larger than the 200,000 byte limit (300,007 bytes)"
    assert errors["big-stream"] == "larger than the 200,000 byte limit"
    assert errors["loop"] == "more than 5 redirects"
    assert errors["notxml"].startswith("not a feed")
    assert errors["empty"] == "page has no article text"


def test_a_retry_recovers_from_a_temporary_error(store: Store, fetcher: Fetcher, base: str) -> None:
    Handler.flaky_hits = 0
    summary = run(store, fetcher, [f"{base}/flaky"])
    assert summary.added == 1 and Handler.flaky_hits == 2


def test_wrong_charset_is_detected(fetcher: Fetcher, base: str) -> None:
    got = fetcher.get(f"{base}/latin1")
    assert got.charset == "utf-8"
    assert "Zürich" in got.text()


def test_per_host_interval_spaces_requests(base: str) -> None:
    f = Fetcher(per_host_interval=0.2, timeout=2)
    started = time.monotonic()
    for _ in range(3):
        f.get(f"{base}/page")
    assert time.monotonic() - started >= 0.4
    f.close()


def test_only_http_urls_are_fetched(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.get("file:///etc/passwd")
