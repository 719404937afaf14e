"""Remote images are a per-store opt-in, checked in real Chromium against a counting image server.

One store holds articles naming pictures on a local image server (127.0.0.1, another
port than the app) and pictures by ``data:``, ``javascript:``, ``ftp:`` addresses and
one that tries to break out of the attribute.  With the store's default setting the
article views make **0** requests to the image server; after
``store-settings --remote-images on`` each article view fetches exactly its own
http(s) picture and nothing else, and no ``<img>`` ever gets another scheme.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import serving
from conftest import ROOT, START_DEADLINE, _free_port

pytestmark = pytest.mark.browser

PNG = base64.b64decode(  # a 1x1 transparent PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
WAIT_MS = 60_000


class _Images(BaseHTTPRequestHandler):
    hits: list[str] = []
    referers: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        _Images.hits.append(self.path)
        _Images.referers.append(self.headers.get("Referer") or "")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def image_host() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def _articles(host: str) -> list[dict[str, Any]]:
    images = {
        "plain": f"http://{host}/plain.png",
        "quote": f'http://{host}/q.png"onerror="window.top.__pwned=1',
        "data": "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        "javascript": "javascript:window.top.__pwned=1",
        "ftp": f"ftp://{host}/ftp.png",
        "credentials": f"http://user:pw@{host}/cred.png",
    }
    return [{"title": f"Picture {name}", "text": f"Almaty and Samarkand ({name}): grain trade talks in Almaty.",
             "image": url, "lang": "en", "published": "2022-09-01T10:00:00Z", "source": "Wire"}
            for name, url in images.items()]


# Per article: the request path the image server must see when remote images are on (None: no request).
EXPECTED_ON = {"plain": "/plain.png", "quote": "/q.png%22onerror=%22window.top.__pwned=1", "data": None,
               "javascript": None, "ftp": None, "credentials": None}


@pytest.fixture(scope="module")
def picture_store(tmp_path_factory: pytest.TempPathFactory, image_host: str) -> tuple[str, dict[str, int], Path]:
    tmp = tmp_path_factory.mktemp("images")
    db_url = f"sqlite:///{tmp / 'news.sqlite'}"
    data = tmp / "pictures.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in _articles(image_host)))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "dashboard", "ingest", str(data), "--db", db_url], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)
    from dashboard.models import Filters
    from dashboard.store import open_store

    with open_store(db_url) as store:
        assert store.settings() == {"remote_images": "off"}
        ids = {r.title.removeprefix("Picture "): r.id for r in store.articles(Filters(), limit=50)}
    assert set(ids) == set(EXPECTED_ON)
    return db_url, ids, tmp


def _views(browser: Any, base: str, ids: dict[str, int], expect: set[str]) -> dict[str, dict[str, Any]]:
    """Open every article view in turn (``expect``: those that must show a picture); what each showed and requested."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    out = {}
    try:
        for name, aid in ids.items():
            before = len(_Images.hits)
            requests.clear()
            page.goto(f"{base}/?article={aid}", wait_until="commit")
            # The article's text (drawn after its picture) must be on the page, and the picture when one is
            # expected: the script's end and the page's drawing are not the same moment.
            picture = "document.querySelector('img.nm-article-image')" if name in expect else "true"
            page.wait_for_function(
                f"""() => document.querySelector("[data-test-script-state='notRunning']")
                    && document.body.innerText.includes('Back to the list')
                    && document.querySelector('.nm-article') && {picture}""", timeout=WAIT_MS)
            imgs = page.evaluate("""() => [...document.querySelectorAll('img')].map(i => ({
                src: i.getAttribute('src'), complete: i.complete, referrer: i.referrerPolicy,
                onerror: i.getAttribute('onerror')}))""")
            pictures = page.evaluate("""() => [...document.querySelectorAll('img.nm-article-image')].map(i => ({
                src: i.getAttribute('src'), referrer: i.referrerPolicy}))""")
            if pictures:  # the picture's request has reached the server once the image has loaded
                page.wait_for_function("() => [...document.querySelectorAll('img.nm-article-image')]"
                                       ".every(i => i.complete)", timeout=WAIT_MS)
            out[name] = {"hits": _Images.hits[before:], "imgs": imgs, "pictures": pictures,
                         "requests": list(requests), "pwned": page.evaluate("() => !!window.__pwned")}
        out["_dialogs"] = {"hits": dialogs}
    finally:
        ctx.close()
    return out


def _serve(db_url: str, tmp: Path, log_name: str) -> Any:
    port = _free_port()
    cmd = [sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--db", db_url]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return serving.dashboard(cmd, port, tmp, tmp / log_name, env=env, deadline_s=START_DEADLINE)


@pytest.mark.timeout(600)
def test_remote_images_off_by_default_then_only_the_articles_own_http_picture(
        browser: Any, picture_store: tuple[str, dict[str, int], Path], image_host: str) -> None:
    db_url, ids, tmp = picture_store
    _Images.hits.clear()
    with _serve(db_url, tmp, "off.log") as (base, _proc):
        off = _views(browser, base, ids, set())
    assert off.pop("_dialogs")["hits"] == []
    assert _Images.hits == []  # 0 image fetches with the store's default setting
    for name, seen in off.items():
        assert seen["pictures"] == [] and not seen["pwned"], name
        assert not [u for u in seen["requests"] if image_host in u], name

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "dashboard", "store-settings", "--remote-images", "on",
                           "--db", db_url], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "remote-images: on" in done.stdout, done.stderr

    _Images.hits.clear()
    with _serve(db_url, tmp, "on.log") as (base, _proc):
        on = _views(browser, base, ids, {n for n, p in EXPECTED_ON.items() if p})
    assert on.pop("_dialogs")["hits"] == []
    for name, seen in on.items():
        expected = EXPECTED_ON[name]
        assert seen["hits"] == ([expected] if expected else []), (name, seen["hits"])
        assert not seen["pwned"], name
        assert all(i["onerror"] is None for i in seen["imgs"]), name
        # No <img> anywhere gets the article's other schemes; only the picture points at the image host.
        srcs = [i["src"] or "" for i in seen["imgs"]]
        assert not [s for s in srcs if s.lower().startswith(("javascript:", "ftp:", "data:image/svg+xml,<svg"))
                    or "pw@" in s], (name, srcs)
        assert len([s for s in srcs if image_host in s]) == len(seen["pictures"]), (name, srcs)
        if expected:
            assert len(seen["pictures"]) == 1, name
            assert seen["pictures"][0]["src"] == f"http://{image_host}{expected}", name
        else:
            assert seen["pictures"] == [], name
    assert sorted(_Images.hits) == sorted(p for p in EXPECTED_ON.values() if p)
    # The shared link the reader opened (its filters, the article) never reaches the image host.
    assert not [r for r in _Images.referers if "article=" in r or "?" in r], _Images.referers
    print("image requests:", list(zip(_Images.hits, _Images.referers, strict=True)))
