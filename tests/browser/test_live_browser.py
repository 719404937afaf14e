"""Auto-refresh in a real browser: `serve --watch` polls a feed, a new item reaches the open map without a reload.

The dashboard is started as a user would (``serve --watch --alerts-port``) on a
store subscribed to a feed served from 127.0.0.1; the test changes the feed
and waits (for a condition, never a fixed time) until the new place is a
marker on the map of the page it opened before the change.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import serving
from test_browser import wait_markers

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "live"))
from feed_server import FeedServer, rss, running  # noqa: E402

from dashboard.models import Filters  # noqa: E402
from dashboard.store import open_store  # noqa: E402

OSLO = ("n1", "Storm warning in Oslo", "OSLO: Forecasters in Oslo warned of a strong storm reaching Norway on Monday.")
NAIROBI = ("n2", "Floods in Nairobi", "NAIROBI: Heavy rain flooded the roads of Nairobi, the capital of Kenya, on"
           " Monday, officials said.")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stored(db: str, title: str) -> bool:
    with open_store(db) as store:
        return bool(store._conn().scalar("SELECT COUNT(*) FROM articles WHERE title = ?", (title,)))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, FeedServer, Path]]:
    tmp = tmp_path_factory.mktemp("live")
    db = f"sqlite:///{tmp / 'news.sqlite'}"
    log = tmp / "server.log"
    with running() as feeds:
        with open_store(db) as store:
            store.add_feed(feeds.put("/rss", rss([OSLO])), interval_s=10)
            store.add_alert("kenya", Filters(countries=("KE",)))
        port, alerts_port = _free_port(), _free_port()
        cmd = [sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--db", db, "--watch",
               "--alerts-port", str(alerts_port)]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        with serving.dashboard(cmd, port, tmp, log, env=env) as (base, proc):
            deadline = time.monotonic() + 90
            while not _stored(db, OSLO[1]):  # the first poll of serve --watch
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
            yield base, f"http://127.0.0.1:{alerts_port}", feeds, log


def _atom(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read().decode()


def test_new_feed_item_appears_on_the_open_map_without_a_reload(browser, live, artifacts) -> None:
    base, alerts_base, feeds, log = live
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    try:
        page = ctx.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(base + "/?refresh=5")
        wait_markers(page, "names => names.some(n => n.includes('Oslo'))")
        page.evaluate("() => { window.__sameDocument = true; }")
        assert "Floods in Nairobi" not in _atom(f"{alerts_base}/alerts/kenya.atom")

        feeds.put("/rss", rss([OSLO, NAIROBI]))
        names = wait_markers(page, "names => names.some(n => n.includes('Nairobi'))")
        assert any("Oslo" in n for n in names)
        assert page.evaluate("() => window.__sameDocument === true")  # no reload happened
        assert "refresh=5" in page.url
        page.screenshot(path=str(artifacts / "live-auto-refresh.png"))
        assert [u for u in requests if not u.startswith((base, "data:", "blob:", "about:"))] == []

        deadline = time.monotonic() + 30  # the alert is matched right after the poll that stored the article
        while "Floods in Nairobi" not in (xml := _atom(f"{alerts_base}/alerts/kenya.atom")):
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        assert "Storm warning in Oslo" not in xml
    finally:
        ctx.close()
