"""The dashboard attacked through its two doors, in real Chromium: a shared link and the articles.

One server (its own store, filled by the real ``ingest`` command from hostile
records, tagged with a hostile topic rules file that ``serve`` is given too)
and one browser context serve every check.  For each hostile input there is one
page load where *every* query parameter holds it, and the article it wrote
(every field: title, text, source, URL, author, image, categories) is the one opened;
then a few loads show the article lists and every map popup and tooltip of
the hostile articles.  After every load:

- no script ran: no dialog, no ``__pwned`` flag in any frame;
- no request left the app's own origin (the browser's record, and a decoy
  server on another 127.0.0.1 port that the inputs point at counts hits);
- every link points into the app, or is the opened article's own http(s) URL;
- the page still shows a map, and a warning wherever the link was rejected
  (its exact text, as the link parser wrote it).

The counts go to ``artifacts/security-summary.json`` (README cites them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import serving
from conftest import ROOT, START_DEADLINE, _free_port

from dashboard.app import safe
from dashboard.app.viewstate import KNOWN_KEYS, parse_params

pytestmark = pytest.mark.browser

WAIT_MS = 60_000
PARAMS = sorted(KNOWN_KEYS)  # every parameter the dashboard reads
DECOY = "127.0.0.1:{decoy}"  # filled in with the decoy server's port

# Each entry: a name and the value(s) a parameter or article field gets.  "{d}" is the decoy host.
HOSTILE: list[tuple[str, list[str]]] = [
    ("md link", ["[Login again](https://phish.example/login)"]),
    ("md image", ["![px](http://{d}/md.png)"]),
    ("md image in link", ["[![i](http://{d}/nested.png)](https://phish.example/n)"]),
    ("md reference link", ["[x][1]\n\n[1]: https://phish.example/ref"]),
    ("md autolink", ["<https://phish.example/auto>"]),
    ("bare url", ["see https://phish.example/bare now"]),
    ("www", ["www.phish.example/w"]),
    ("email", ["victim@phish.example"]),
    ("html img onerror", ['<img src="http://{d}/html.png" onerror="window.top.__pwned=1;alert(1)">']),
    ("script tag", ["<script>window.top.__pwned=1;alert(2)</script>"]),
    ("svg onload", ["<svg onload=\"window.top.__pwned=1\">"]),
    ("iframe", ['<iframe src="http://{d}/frame"></iframe>']),
    ("html anchor js", ['<a href="javascript:window.top.__pwned=1">click</a>']),
    ("attribute breakout", ['"><img src=x onerror="window.top.__pwned=1">']),
    ("js string breakout", ["';window.top.__pwned=1;//"]),
    ("script close", ["</script><script>window.top.__pwned=1</script>"]),
    ("javascript url", ["javascript:window.top.__pwned=1"]),
    ("javascript mixed case", ["JaVaScRiPt:alert(8)"]),
    ("javascript zero width", ["java\u200bscript:alert(9)"]),
    ("data url html", ["data:text/html;base64,PHNjcmlwdD50b3AuX19wd25lZD0xPC9zY3JpcHQ+"]),
    ("data url svg", ["data:image/svg+xml,<svg onload=alert(10)>"]),
    ("vbscript", ["vbscript:msgbox(1)"]),
    ("md link javascript", ["[click](javascript:window.top.__pwned=1)"]),
    ("streamlit colour and icon", [":red[Session expired: log in again] :material/warning: :rotating_light:"]),
    ("latex link", ["$\\href{https://phish.example/tex}{click}$"]),
    ("style fetch", ["<style>body{background:url(http://{d}/css.png)}</style>"]),
    ("link stylesheet", ['<link rel=stylesheet href="http://{d}/l.css">']),
    ("meta refresh", ['<meta http-equiv="refresh" content="0;url=https://phish.example/meta">']),
    ("base href", ['<base href="https://phish.example/">']),
    ("form", ['<form action="https://phish.example/f"><input name=p></form>']),
    ("details ontoggle", ["<details open ontoggle=\"window.top.__pwned=1\">x</details>"]),
    ("entities", ["&lt;script&gt;window.top.__pwned=1&lt;/script&gt; &#106;avascript:alert(1)"]),
    ("template", ["{{7*7}} ${alert(11)} <%= 7*7 %>"]),
    ("heading and table", ["# HEADLINE\n\n| a | b |\n|---|---|\n| [x](https://phish.example/t) | y |"]),
    ("over-long", ["A" * 1500 + "[tail](https://phish.example/long)"]),
    ("over-long markdown", ["[a](https://phish.example/r) " * 60]),
    ("repeated", [f"[r{i}](https://phish.example/rep{i}) ![](http://{{d}}/rep{i}.png)" for i in range(8)]),
    ("look-alike country", ["ΙR"]),  # Greek Iota, Latin R
    ("look-alike host", ["https://exаmple.org/login"]),  # Cyrillic а
    ("fullwidth", ["ｊａｖａｓｃｒｉｐｔ：alert(1)"]),
    ("bidi override", ["\u202egpj.exe [x](https://phish.example/bidi)"]),
    ("control characters", ["a\x00b\x1b[31mc\x7f"]),
    ("crlf", ["a\r\nSet-Cookie: stolen=1\r\n\r\n<b>x</b>"]),
    ("number 1e400", ["1e400"]),
    ("number -1e400", ["-1e400"]),
    ("nan", ["nan"]),
    ("NaN inf", ["NaN"]),
    ("infinity", ["inf"]),
    ("huge integer", ["9" * 400]),
    ("hex and underscores", ["0x10"]),
    ("sql", ["' OR 1=1; DROP TABLE articles; --"]),
    ("path traversal", ["../../../../etc/passwd"]),
    ("emoji", ["😀" * 80]),
    ("percent encoding", ["%3Cscript%3Ealert(12)%3C/script%3E"]),
]
# Inputs that are fine http(s) article addresses, so the article view shows a link: it must be exactly this.
HTTP_URLS = ["https://example.org/news/1", "https://exаmple.org/news/(2)", "http://example.org:8080/a b"]


def _fill(value: str, decoy: str) -> str:
    return value.replace("{d}", decoy)


@dataclass
class Counts:
    inputs: int = 0
    page_loads: int = 0
    parameter_placements: int = 0
    article_fields: int = 0
    requests_left: list[str] = field(default_factory=list)
    decoy_hits: list[str] = field(default_factory=list)
    scripts_run: int = 0
    dialogs: list[str] = field(default_factory=list)
    anchors_outside: list[str] = field(default_factory=list)
    warnings_checked: int = 0
    authors_shown: int = 0


class _Decoy(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        _Decoy.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def decoy() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Decoy)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def _records(decoy: str) -> list[dict[str, Any]]:
    """One article per hostile input, every field hostile; the text names places so it is on the map."""
    out = []
    for i, (name, values) in enumerate(HOSTILE):
        v = _fill(values[0], decoy)
        url = HTTP_URLS[i % len(HTTP_URLS)] if i % 4 == 0 else v
        out.append({
            "id": f"hostile-{i}", "title": v, "source": v, "url": url, "author": v, "image": v, "categories": [v, name],
            "text": f"Almaty and Samarkand ({i}): {v}\n\nMore on {name} in Almaty.", "lang": "en",
            "published": f"2022-09-{1 + i % 28:02d}T10:00:00Z",
        })
    return out


RULES = """
[topics.phish-topic]
names = {{ en = "[Login](https://phish.example/topic) ![t](http://{d}/topic.png)", de = "<img src=x onerror=alert(1)>" }}
categories = ["<script>window.top.__pwned=1</script>", "[cat](https://phish.example/cat)"]

[topics.phish-topic.en]
"almaty" = 3
"samarkand" = 3
"""


@dataclass
class HostileServer:
    url: str
    db_url: str
    ids: dict[str, int]  # input name -> article id in the store
    urls: dict[int, str]  # article id -> its URL field
    authors: dict[int, str]  # article id -> its author as stored
    log: Path


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory, decoy: str) -> Iterator[HostileServer]:
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (run: bash scripts/system-deps.sh)")
    tmp = tmp_path_factory.mktemp("security")
    db_url = f"sqlite:///{tmp / 'news.sqlite'}"
    rules = tmp / "hostile_topics.toml"
    rules.write_text(RULES.format(d=decoy))
    data = tmp / "hostile.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in _records(decoy)))
    log = tmp / "server.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with log.open("a") as out:
        subprocess.run([sys.executable, "-m", "dashboard", "ingest", str(data), "--db", db_url,
                        "--topic-rules", str(rules)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                       timeout=600, check=False)
    from dashboard.store import open_store

    store = open_store(db_url)
    try:
        from dashboard.models import Filters

        rows = list(store.articles(Filters(), limit=1000, offset=0, with_text=True))
    finally:
        store.close()
    urls = {r.id: r.url or "" for r in rows}
    authors = {r.id: r.author for r in rows}
    assert all(authors.values()), "every hostile article has an author"
    ids = {}
    for i, (name, _) in enumerate(HOSTILE):
        found = [r.id for r in rows if (r.text or "").startswith(f"Almaty and Samarkand ({i}):")]
        if found:
            ids[name] = found[0]
    assert len(ids) == len(HOSTILE), f"only {len(ids)} of {len(HOSTILE)} hostile articles stored:\n" + \
        log.read_text()[-2000:]
    port = _free_port()
    cmd = [sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--db", db_url,
           "--topic-rules", str(rules)]
    with serving.dashboard(cmd, port, tmp, log, env=env, deadline_s=START_DEADLINE) as (base, _proc):
        yield HostileServer(base, db_url, ids, urls, authors, log)


STATE_JS = """() => {
    const frames = [window, ...[...document.querySelectorAll('iframe')].map(f => f.contentWindow).filter(Boolean)];
    const out = {pwned: 0, anchors: [], map: false, images: []};
    for (const w of frames) {
        let d;
        try { d = w.document; } catch (e) { continue; }  // a cross-origin frame would itself be a failure below
        if (w.__pwned) out.pwned += 1;
        for (const a of d.querySelectorAll('a[href], area[href]')) out.anchors.push(a.href);
        for (const i of d.querySelectorAll('img[src], image, source, video, audio')) out.images.push(i.src || '');
        if (w.map && w.map._container) out.map = true;
    }
    out.frames = [...document.querySelectorAll('iframe')].map(f => f.src || 'about:srcdoc');
    out.text = document.body.innerText;
    out.alerts = [...document.querySelectorAll('[data-testid="stAlertContentWarning"], [data-testid="stAlert"]')]
        .map(e => e.innerText);
    return out;
}"""

POPUPS_JS = """() => {
    const f = [...document.querySelectorAll('iframe')].map(f => f.contentWindow).find(w => w && w.map);
    if (!f) return null;
    const m = f.map, out = {popups: 0, anchors: [], images: [], pwned: 0};
    const markers = [];
    m.eachLayer(l => { if (l.getLayers) l.getLayers().forEach(x => markers.push(x)); });
    for (const x of markers) {
        if (x.getPopup && x.getPopup()) {
            if (!x._map) m.addLayer(x);  // clustered: put it on the map to open its popup
            x.openPopup();
            x.openTooltip && x.openTooltip();
            out.popups += 1;
            const d = f.document;
            for (const a of d.querySelectorAll('.leaflet-popup-content a[href], .leaflet-tooltip a[href]'))
                out.anchors.push(a.href);
            for (const i of d.querySelectorAll('.leaflet-popup-content img, .leaflet-tooltip img'))
                out.images.push(i.src);
        }
    }
    out.pwned = f.__pwned ? 1 : 0;
    return out;
}"""


# The app's own fixed links: Leaflet's attribution control links to its home page.
APP_LINKS = frozenset({"https://leafletjs.com/"})
TABS = 3  # pages in flight at once in the one browser context: the server and browser overlap work


@dataclass
class Job:
    what: str
    path: str
    pairs: list[tuple[str, str]]
    own_link: str | None = None  # the opened article's own link, when an article view is expected
    article_view: bool = False
    author: str = ""  # the opened article's author, shown as text


@dataclass
class Tab:
    page: Any
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    job: Job | None = None


@pytest.fixture(scope="module")
def tabs(browser, hostile_server: HostileServer) -> Iterator[list[Tab]]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    out = []
    for _ in range(TABS):
        tab = Tab(ctx.new_page())
        tab.page.on("request", lambda r, tab=tab: tab.requests.append(r.url))

        def on_dialog(d: Any, tab: Tab = tab) -> None:
            tab.dialogs.append(d.message)
            d.dismiss()

        tab.page.on("dialog", on_dialog)
        out.append(tab)
    yield out
    ctx.close()


def _start(tab: Tab, base: str, job: Job) -> None:
    tab.job = job
    tab.page.goto(base + job.path + ("?" + urlencode(job.pairs) if job.pairs else ""), wait_until="commit")


def _finish(tab: Tab) -> dict[str, Any]:
    """Wait until the tab's page is ready: map loaded (overview: its tables), the article open if expected."""
    job = tab.job
    assert job is not None
    ready = "f && f.map._loaded" if job.path == "/" else "document.body.innerText.includes('Top countries')"
    if job.article_view:
        ready += " && document.body.innerText.includes('Back to the list')"
    tab.page.wait_for_function(
        f"""() => {{
            const idle = document.querySelector("[data-test-script-state='notRunning']");
            const f = [...document.querySelectorAll('iframe')].map(f => f.contentWindow).find(w => w && w.map);
            return idle && {ready};
        }}""",
        timeout=WAIT_MS,
    )
    return tab.page.evaluate(STATE_JS)


def _allowed_anchor(href: str, base: str, own: str | None) -> bool:
    return (href.startswith(base + "/") or href == base or href.startswith("about:") or href in APP_LINKS
            or (own is not None and href == own))


def _expected_warnings(pairs: list[tuple[str, str]]) -> list[str]:
    params: dict[str, list[str]] = {}
    for k, v in pairs:
        params.setdefault(k, []).append(v)
    _, warnings = parse_params(params)
    return warnings


def _visible(text: str, limit: int = 1000) -> str:
    return " ".join(safe.shorten(text, limit).replace(safe.JOINER, "").split())


def _check(state: dict[str, Any], tab: Tab, counts: Counts, base: str) -> None:
    job = tab.job
    assert job is not None
    what = job.what
    left = [u for u in tab.requests if not u.startswith((base + "/", "data:", "blob:", "about:"))]
    counts.requests_left += left
    tab.requests.clear()
    counts.scripts_run += state["pwned"]
    counts.dialogs += tab.dialogs
    outside = [a for a in state["anchors"] if not _allowed_anchor(a, base, job.own_link)]
    counts.anchors_outside += outside
    counts.page_loads += 1
    assert state["pwned"] == 0 and not tab.dialogs, (what, tab.dialogs)
    assert left == [], (what, left)
    assert outside == [], (what, outside)
    assert state["map"] or job.path == "/overview", f"{what}: no map"
    assert all(src.startswith(base + "/") or src.startswith("data:") for src in state["images"]), \
        (what, state["images"])
    if job.article_view:
        shown_links = [a for a in state["anchors"] if not a.startswith(base) and a not in APP_LINKS]
        assert shown_links == ([job.own_link] if job.own_link else []), (what, shown_links)
        page_text = _visible(state["text"], 10**7)
        at = page_text.find("By ")
        assert _visible("By " + job.author) in page_text, (what, job.author[:80], page_text[at - 20:at + 200])
        counts.article_fields += 7
        counts.authors_shown += 1
    expected = _expected_warnings(job.pairs)
    if expected:
        alerts = _visible(" ".join(state["alerts"]))
        assert alerts, f"{what}: the link was rejected ({expected[0]}) but no warning is shown"
        assert _visible(expected[0]) in alerts, (what, expected[0], alerts[:500])
        counts.warnings_checked += 1


def _jobs(server: HostileServer, decoy: str) -> list[Job]:
    """One load per input with every parameter holding it; then the lists with hostile ``article`` values."""
    jobs = []
    for i, (name, values) in enumerate(HOSTILE):
        filled = [_fill(v, decoy) for v in values]
        pairs = [(p, v) for p in PARAMS if p != "article" for v in filled] + [(filled[0][:100], filled[0])]
        aid = server.ids[name]
        if i % 5 == 4:  # the overview reads the same link (it has no article view)
            jobs.append(Job(name, "/overview", pairs + [("article", filled[0])]))
            continue
        link = safe.article_link(server.urls.get(aid))
        jobs.append(Job(name, "/", pairs + [("article", str(aid))], link.href if link else None, True,
                        server.authors[aid]))
    for k in range(6):  # every hostile article's title, source and categories in the list, page by page
        v = _fill(HOSTILE[k * 7 % len(HOSTILE)][1][0], decoy)
        jobs.append(Job(f"list page {k % 3 + 1}", "/", [("page", str(k % 3 + 1)), ("article", v)]))
    return jobs


@pytest.mark.timeout(900)  # 61 page loads: about 3 minutes on this shared machine, more when it is busier
def test_hostile_links_and_articles(hostile_server: HostileServer, tabs: list[Tab], decoy: str,
                                    artifacts: Path) -> None:
    base = hostile_server.url
    counts = Counts(inputs=len(HOSTILE))
    t0 = time.monotonic()
    jobs = _jobs(hostile_server, decoy)
    queue = list(jobs)
    busy: list[Tab] = []
    for tab in tabs:
        if queue:
            _start(tab, base, queue.pop(0))
            busy.append(tab)
    while busy:
        tab = busy.pop(0)
        _check(_finish(tab), tab, counts, base)
        if queue:
            _start(tab, base, queue.pop(0))
            busy.append(tab)
    counts.parameter_placements = sum(len({k for k, _ in j.pairs}) for j in jobs if j.what in dict(HOSTILE))

    # Every popup and tooltip on the map (headlines, place names) opened in turn.
    tab = tabs[0]
    _start(tab, base, Job("popups", "/", []))
    _finish(tab)
    popups = tab.page.evaluate(POPUPS_JS)
    assert popups and popups["popups"] > 0
    assert popups["anchors"] == [] and popups["images"] == [] and popups["pwned"] == 0, popups
    _check(tab.page.evaluate(STATE_JS), tab, counts, base)

    counts.decoy_hits = list(_Decoy.hits)
    summary = {
        "inputs": counts.inputs,
        "page_loads": counts.page_loads,
        "tabs": TABS,
        "parameters_per_load": len(PARAMS) + 1,
        "parameter_placements": counts.parameter_placements,
        "article_views_checked": counts.article_fields // 7,
        "authors_shown_as_text": counts.authors_shown,
        "popups_opened": popups["popups"],
        "warnings_checked": counts.warnings_checked,
        "requests_left": len(counts.requests_left) + len(counts.decoy_hits),
        "scripts_run": counts.scripts_run + len(counts.dialogs),
        "anchors_outside": len(counts.anchors_outside),
        "seconds": round(time.monotonic() - t0, 1),
    }
    artifacts.mkdir(exist_ok=True)
    (artifacts / "security-summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print("security summary:", json.dumps(summary))
    assert counts.decoy_hits == []
    assert summary["requests_left"] == 0 and summary["scripts_run"] == 0 and summary["anchors_outside"] == 0
