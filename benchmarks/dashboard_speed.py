"""How fast the dashboard answers in a real browser on a store with 1,000,000 mentions.

Goal (issue 6): cold start to first map <= 5 s, filter change to redrawn map p95 <= 1 s.

1. Builds (once; reused when present) a SQLite store under /tmp with about
   1,000,000 mentions of real places from the offline place index: places drawn
   Zipf-like by population (countries and capitals in most articles, small
   towns rare, as in real news), a year of dates up to now with more articles
   recently and fewer at weekends, six languages, fifty sources, twelve topics,
   one focus place per article.
   Written with ``Store.add_articles`` in batches of 2,000.
2. Starts the dashboard as a user would (``python -m dashboard serve``) and
   drives Debian's chromium headless through Playwright:

   * cold start: from launching the server process to the first map with
     markers drawn (server start-up, first script run, store queries, map in
     the browser), and separately from page load to markers;
   * filter changes: 20 changes of the sidebar filters (date preset, mention
     role, text search), each to a state not seen before so no cached result
     helps, timed from the commit (choosing the option, clicking the radio,
     pressing Enter) to the redrawn map (a new Leaflet map with its markers).
     The search word is a place name in about 1 % of the articles ("Tokyo"):
     the synthetic texts repeat twenty common words, each in most articles,
     which no real search resembles.

Never a pass/fail test: it prints the figures.

    python benchmarks/dashboard_speed.py                  # store at /tmp/dashboard_speed_1m.sqlite
    python benchmarks/dashboard_speed.py --mentions 200000 --db sqlite:////tmp/small.sqlite
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dashboard.models import Article, Focus, GeoparseResult, Mention, Place, TopicScore  # noqa: E402
from dashboard.store import NewArticle, Store, open_store  # noqa: E402

DEFAULT_DB = "sqlite:////tmp/dashboard_speed_1m.sqlite"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
TOPICS = ["politics", "economy", "conflict", "crime", "health", "science", "sport", "culture", "weather",
          "disaster", "technology", "environment"]
LANGS = ["en", "en", "en", "de", "fr", "es", "ru", "zh"]
WORDS = ("government minister talks election market flood storm border troops court vaccine stadium festival "
         "energy climate protest summit trade rail port harvest").split()
TIMEOUT_MS = 120_000


# --- the store -------------------------------------------------------------------------------


def index_places(limit_cities: int = 15_000) -> tuple[list[Place], list[float]]:
    """Countries, first-level regions and the biggest cities of the place index, with Zipf weights.

    Ranked by population; the weight of rank r is 1 / (r + 1), so the few
    biggest places carry most mentions and the long tail stays sparse.
    """
    from dashboard.gazetteer import load_index

    index = load_index()
    places = [index.place(i) for i in range(len(index))]
    countries = [p for p in places if p.kind == "country"]
    admin1 = [p for p in places if p.kind == "admin1"]
    cities = sorted((p for p in places if p.kind == "city"), key=lambda p: -p.population)[:limit_cities]
    chosen = sorted(countries + admin1 + cities, key=lambda p: -(p.population or 0))
    weights = [1.0 / (rank + 1) for rank in range(len(chosen))]
    return chosen, weights


def _day(rng: random.Random, now: datetime) -> datetime:
    """A time in the last year: denser recently, thinner at weekends."""
    while True:
        back = rng.expovariate(1 / 90)  # mean 90 days back
        if back < 365:
            when = now - timedelta(days=back)
            if when.weekday() < 5 or rng.random() < 0.6:
                return when.replace(microsecond=0)


def fill(store: Store, mentions: int, seed: int = 11) -> int:
    """Write articles until about ``mentions`` mentions are stored; returns the article count."""
    rng = random.Random(seed)
    places, weights = index_places()
    cum = list(_cumulative(weights))
    now = datetime.now(UTC)
    written = articles = 0
    batch: list[NewArticle] = []
    t0 = time.perf_counter()
    while written < mentions:
        k = max(1, min(15, int(rng.expovariate(1 / 5))))
        chosen = rng.choices(places, cum_weights=cum, k=k)
        text_parts, ms = [], []
        pos = 0
        for place in chosen:
            chunk = f"{' '.join(rng.choices(WORDS, k=6))} {place.name}. "
            start_char = pos + chunk.index(place.name, len(chunk) - len(place.name) - 2)
            role = "dateline" if not ms and rng.random() < 0.3 else "mention"
            ms.append(Mention(start_char, start_char + len(place.name), place.name, place, role,
                              round(rng.uniform(0.4, 1.0), 3)))
            text_parts.append(chunk)
            pos += len(chunk)
        text = "".join(text_parts) + f" #{articles}"
        # The geoparser's focus: the most mentioned place (the dateline's on ties), about 70 % of the weight.
        top = max(dict.fromkeys(chosen), key=lambda p: (sum(q is p for q in chosen), p is chosen[0]))
        focus = (Focus(top, round(rng.uniform(0.5, 0.9), 3), sum(q is top for q in chosen)),)
        topics = tuple(TopicScore(t, round(rng.random(), 3)) for t in rng.sample(TOPICS, rng.randint(0, 3)))
        lang = rng.choice(LANGS)
        art = Article(text, title=f"{chosen[0].name}: {' '.join(rng.choices(WORDS, k=5))} #{articles}",
                      source=f"source-{rng.randint(1, 50)}", published=_day(rng, now), date_source="metadata",
                      lang=lang)
        batch.append(NewArticle(art, GeoparseResult(lang, tuple(ms), focus), topics))
        written += len(ms)
        articles += 1
        if len(batch) == 2000:
            store.add_articles(batch)
            batch = []
            rate = articles / (time.perf_counter() - t0)
            print(f"\rfilling: {written:,} mentions, {articles:,} articles ({rate:,.0f} articles/s)", end="",
                  flush=True)
    if batch:
        store.add_articles(batch)
    print()
    store.optimize()
    return articles


def _cumulative(weights: list[float]):
    total = 0.0
    for w in weights:
        total += w
        yield total


def ensure_store(url: str, mentions: int) -> None:
    """Fill the store at ``url`` unless it already holds at least 95 % of ``mentions``."""
    store = open_store(url)
    try:
        have = int(store.stats().get("mentions", 0))
        if have >= 0.95 * mentions:
            print(f"reusing {url}: {have:,} mentions")
            return
        if have:
            raise SystemExit(f"{url} holds {have:,} mentions, fewer than asked; delete it or pass another --db")
        t = time.perf_counter()
        n = fill(store, mentions)
        print(f"filled {n:,} articles in {time.perf_counter() - t:.0f} s")
    finally:
        store.close()


# --- the browser -----------------------------------------------------------------------------

# The st_folium iframe's Leaflet map, once it shows markers (clustered or not) or a heatmap.
_MAP_READY = """(mark) => {
    const f = [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')]
        .find(f => f.contentWindow && f.contentWindow.map);
    if (!f) return false;
    const map = f.contentWindow.map;
    if (mark && map.__bench === mark) return false;  // still the map from before the change
    let drawn = false;
    map.eachLayer(l => { if (l._featureGroup || l._heat || (l._radius && l._map)) drawn = true; });
    const icons = f.contentDocument.querySelectorAll('.marker-cluster, path.leaflet-interactive').length;
    const empty = [...document.querySelectorAll('[data-testid="stAlert"]')]
        .some(e => e.textContent.includes('No articles match'));
    return (drawn && icons > 0) || empty;
}"""

_MARK = """(mark) => {
    const f = [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')]
        .find(f => f.contentWindow && f.contentWindow.map);
    if (f) f.contentWindow.map.__bench = mark;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the dashboard exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)  # readiness poll interval
    raise SystemExit("the dashboard did not become healthy in time")


def _idle(page) -> None:
    page.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=TIMEOUT_MS)


def _states(search: str = "Tokyo") -> list[tuple[str, str, str]]:
    """21 filter states (date, role, text), each one widget away from the previous one."""
    out: list[tuple[str, str, str]] = []
    dates = ["All time", "Last 30 days", "Last 7 days", "Last 24 h"]
    roles = ["Any mention", "Dateline", "Main focus only"]
    for ti, text in enumerate(["", search]):
        for ri, role in enumerate(roles if ti % 2 == 0 else roles[::-1]):
            for date in dates if (ti * 3 + ri) % 2 == 0 else dates[::-1]:
                out.append((date, role, text))
    return out[:21]


def _apply(page, old: tuple[str, str, str], new: tuple[str, str, str]):
    """Prepare the one sidebar change between two states, as a user would; returns the committing action.

    The clock runs from the commit (choosing the option, clicking the radio,
    pressing Enter), not from opening a drop-down.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    sidebar = page.locator("[data-testid='stSidebar']")
    if old[0] != new[0]:
        option = page.get_by_role("option", name=new[0], exact=True)
        for _ in range(5):  # a click landing during a re-render does not open the list: open it again
            sidebar.locator("[data-testid='stSelectbox']").filter(has_text="Date").click()
            try:
                option.wait_for(timeout=3000)
                break
            except PlaywrightTimeout:
                continue
        return option.click
    if old[1] != new[1]:
        return sidebar.locator("[data-testid='stRadio']").filter(has_text="Mention role").get_by_text(
            new[1], exact=True).click
    box = sidebar.get_by_placeholder("words in title or text")
    box.fill(new[2])
    return lambda: box.press("Enter")


def measure(url: str, changes: int, screenshot: Path | None, search: str = "Tokyo") -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("Debian's chromium is not installed (apt-get install -y chromium)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="dashboard_speed_", suffix=".log", delete=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        t_launch = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--db", url],
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_healthy(base, proc, time.monotonic() + 120)
            t_healthy = time.monotonic()
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(base + "/")
            page.wait_for_function(_MAP_READY, arg=None, timeout=TIMEOUT_MS)
            t_map = time.monotonic()
            _idle(page)
            # A second page: what a colleague opening a link sees once the server is warm.
            t = time.monotonic()
            page2 = browser.new_page(viewport={"width": 1400, "height": 900})
            page2.goto(base + "/")
            page2.wait_for_function(_MAP_READY, arg=None, timeout=TIMEOUT_MS)
            warm = time.monotonic() - t
            page2.close()

            states = _states(search)[: changes + 1]
            times: list[float] = []
            text_times: list[float] = []
            for i in range(1, len(states)):
                _idle(page)
                mark = f"b{i}"
                page.evaluate(_MARK, mark)
                commit = _apply(page, states[i - 1], states[i])
                t = time.monotonic()
                commit()
                page.wait_for_function(_MAP_READY, arg=mark, timeout=TIMEOUT_MS)
                times.append(time.monotonic() - t)
                if states[i][2]:
                    text_times.append(times[-1])
                print(f"  change {i:2}: {' / '.join(x or '-' for x in states[i]):40} {times[-1]:.2f} s", flush=True)
            if screenshot:
                _idle(page)
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            browser.close()
    times_sorted = sorted(times)
    text_sorted = sorted(text_times) or [float("nan")]
    return {
        "text_p50": statistics.median(text_sorted),
        "text_p95": text_sorted[max(0, math.ceil(0.95 * len(text_sorted)) - 1)],
        "text_changes": len(text_times),
        "server_start": t_healthy - t_launch,
        "cold_start": t_map - t_launch,
        "page_to_map": t_map - t_healthy,
        "warm_page": warm,
        "p50": statistics.median(times_sorted),
        "p95": times_sorted[max(0, math.ceil(0.95 * len(times_sorted)) - 1)],
        "changes": times,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=None, help=f"Store URL, reused when filled (default {DEFAULT_DB}).")
    ap.add_argument("--mentions", type=int, default=1_000_000)
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite",
                    help="With --mentions above 1,000,000: the backend of the synthetic store (postgres needs --db).")
    ap.add_argument("--search", default="Tokyo", help="The word of the text-search changes (default Tokyo).")
    ap.add_argument("--changes", type=int, default=20)
    ap.add_argument("--build-only", action="store_true", help="Fill the store and stop.")
    ap.add_argument("--screenshot", type=Path, default=None, help="Save the page after the last change.")
    args = ap.parse_args()
    if args.mentions > 1_000_000:
        # Ten million mentions: the bulk builder, from the real corpus' distributions (synth_store.py).
        import synth_store

        if args.db is None and args.backend == "postgres":
            raise SystemExit("--backend postgres needs --db postgresql://... (an empty database)")
        args.db = args.db or f"sqlite:////tmp/dashboard_speed_{args.mentions // 1_000_000}m.sqlite"
        store = open_store(args.db)
        empty = store.is_empty()
        store.close()
        if empty:
            synth_store.build(args.db, args.mentions)
    else:
        args.db = args.db or DEFAULT_DB
        ensure_store(args.db, args.mentions)
    if args.build_only:
        return
    store = open_store(args.db)
    stats = store.stats()
    store.close()
    print(f"store: {stats['articles']:,} articles, {stats['mentions']:,} mentions, {stats['places']:,} places")
    r = measure(args.db, min(args.changes, 20), args.screenshot, args.search)
    print(f"server start (process to /_stcore/health): {r['server_start']:.2f} s")
    print(f"cold start to first map (process start to markers): {r['cold_start']:.2f} s (goal 5 s); "
          f"page load to markers {r['page_to_map']:.2f} s")
    print(f"second page, warm server: {r['warm_page']:.2f} s")
    print(f"filter change to redrawn map over {len(r['changes'])} changes: "  # type: ignore[arg-type]
          f"p50 {r['p50']:.2f} s, p95 {r['p95']:.2f} s (goal p95 1 s)")
    print(f"text search ({args.search!r}) changes, {r['text_changes']} of them: "
          f"p50 {r['text_p50']:.2f} s, p95 {r['text_p95']:.2f} s (goal p95 1 s)")


if __name__ == "__main__":
    main()
