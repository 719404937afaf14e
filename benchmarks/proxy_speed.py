"""Page loads through deploy/nginx.conf with two ``serve`` replicas, side by side with one replica and no proxy.

    python benchmarks/proxy_speed.py                       # 6 visitors at once, 2 rounds
    python benchmarks/proxy_speed.py --visitors 10 --rounds 3

A store with the sample article (seeds/) is served read-only by two replicas
behind Debian's nginx (the shipped config, ports rewritten: see
tests/browser/proxy_setup.py) and, for comparison, by one replica alone.
Each round opens N headless Chromium pages at once and times each from
navigation to the first map marker (the page, its assets and the Streamlit
WebSocket), alternating the two set-ups.  Also: the proxy's own cost per
request (the health endpoint, 200 requests one after another, each way).
The browser runs on the same 2 cores as the servers, so this measures the
whole visit on one machine, not what the servers would do on their own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from proxy_setup import start  # noqa: E402

from dashboard.ingest import ingest  # noqa: E402
from dashboard.store import open_store  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


async def _visits(url: str, n: int) -> list[float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)

        async def one() -> float:
            ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
            page = await ctx.new_page()
            t = time.perf_counter()
            await page.goto(url)
            frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
            await frame.locator(".leaflet-interactive, .marker-cluster").first.wait_for(timeout=120_000)
            took = time.perf_counter() - t
            await ctx.close()
            return took

        try:
            return list(await asyncio.gather(*(one() for _ in range(n))))
        finally:
            await browser.close()


def _latency(url: str, n: int = 200) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        with urllib.request.urlopen(url, timeout=10) as resp:
            resp.read()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = f"sqlite:///{folder / 'news.sqlite'}"
        with open_store(db) as store:
            ingest(store, [str(ROOT / "seeds")])
        (folder / "two").mkdir()
        (folder / "one").mkdir()
        two = start(db, folder / "two", 2)
        one = start(db, folder / "one", 1)
        direct = f"http://{one.replicas[0]}/news"
        try:
            asyncio.run(_visits(two.url + "/", 1))  # warm both set-ups once (first visitor loads the index)
            asyncio.run(_visits(direct + "/", 1))
            res: dict[str, list[float]] = {"2 replicas behind nginx": [], "1 replica, no proxy": []}
            for r in range(args.rounds):
                pairs = [("2 replicas behind nginx", two.url), ("1 replica, no proxy", direct)]
                for name, url in pairs if r % 2 == 0 else pairs[::-1]:
                    got = asyncio.run(_visits(url + "/", args.visitors))
                    res[name] += got
                    print(f"round {r + 1} {name:24} p50 {_p(got, 0.5):.1f} s, max {max(got):.1f} s", flush=True)
            print(f"\n{args.visitors} visitors at once, {args.rounds} round(s); {os.cpu_count()} cores, "
                  f"load average {os.getloadavg()[0]:.1f}")
            for name, values in res.items():
                print(f"{name:24} page load to first marker: p50 {_p(values, 0.5):.1f} s, p95 {_p(values, 0.95):.1f} s")
            print(f"health endpoint, median of 200: through nginx {_latency(two.url + '/_stcore/health'):.2f} ms, "
                  f"direct {_latency(direct + '/_stcore/health'):.2f} ms")
            spread = {a for _, up, _ in two.upstreams() for a in up.split(", ") if a != "-"}
            print(f"replicas that served visitors through nginx: {len(spread)}")
        finally:
            two.close()
            one.close()


if __name__ == "__main__":
    main()
