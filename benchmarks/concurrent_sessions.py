"""How long the map takes to appear when several colleagues open the dashboard while an ingest runs.

Issue 14: with 5 browser sessions and an ingest running on the same SQLite store, pages took
13-23 s to show the map.  Goal: 10 concurrent sessions during an ingest, each map in under 5 s.

1. Builds (once; reused when present) a SQLite store from the real corpus
   ``../shared/corpus/news.jsonl.gz`` (read in place, never copied into the repo) with the
   ``ingest`` command, and copies it to a working file for every run, so each run starts
   from the same store.
2. Starts ``python -m dashboard serve`` on that store and, while it measures, keeps an
   ingest running into the same file: the corpus again, every text changed so nothing is
   a duplicate (the JSON Lines file is written under /tmp), with one worker.
3. Opens 1, 5 and 10 headless Chromium sessions at the same moment (one browser context
   each, like colleagues on their own machines), each on a shared link (the default view,
   a language, a country, a topic, the heatmap...: colleagues' links differ), and times in
   the page itself, from navigation start to the first Leaflet map with markers.

``--compare REF`` runs the same measurement, alternating with this tree, on the code of a
git ref (``git archive`` into /tmp; ``main`` for the code before this branch): only such
side-by-side runs mean anything on a shared machine.  Never a pass/fail test.

    python benchmarks/concurrent_sessions.py                    # 1, 5, 10 sessions, ingest running
    python benchmarks/concurrent_sessions.py --compare main --rounds 2
    python benchmarks/concurrent_sessions.py --sessions 10 --no-ingest
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "news.jsonl.gz"
BASE_STORE = Path("/tmp/concurrent_sessions_base.sqlite")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
# Links colleagues share: session i opens VIEWS[i % len(VIEWS)].
VIEWS = ["/", "/?lang=de", "/?country=US", "/?topic=politics", "/?layer=heatmap", "/?date=30d",
         "/?country=UA", "/?layer=countries", "/?lang=fr", "/?topic=sport"]
DEADLINE_S = 120.0

# Records in the page itself when the map first has markers (ms since navigation start).
TIMER_JS = """
(() => {
  if (window.top !== window) return;
  const t = setInterval(() => {
    for (const f of document.querySelectorAll('iframe')) {
      const w = f.contentWindow;
      if (!w || !w.map) continue;
      let n = 0;
      w.map.eachLayer(l => { if (l.getLayers) n += l.getLayers().length; if (l._latlngs || l._heat) n += 1; });
      if (n > 0) { window.__mapAt = performance.now(); clearInterval(t); return; }
    }
  }, 25);
})();
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_base_store(python: str) -> None:
    if BASE_STORE.exists():
        return
    print(f"building {BASE_STORE} from {CORPUS} (once)...", flush=True)
    tmp = BASE_STORE.with_suffix(".building.sqlite")
    tmp.unlink(missing_ok=True)
    subprocess.run([python, "-m", "dashboard", "ingest", str(CORPUS), "--db", f"sqlite:///{tmp}", "--workers", "2"],
                   cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    # One file (no -wal/-shm beside it), so copies are consistent.
    import sqlite3

    with sqlite3.connect(tmp) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tmp.rename(BASE_STORE)


def ingest_input(folder: Path) -> Path:
    """The corpus with every text changed, so the ingest writes every article (no duplicates)."""
    out = folder / "ingest_load.jsonl"
    stamp = time.time_ns()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            rec = json.loads(line)
            for key in ("text", "body", "content"):
                if isinstance(rec.get(key), str):
                    rec[key] = f"{rec[key]}\n\nUpdate {stamp}-{i}."
            for key in ("id", "url"):
                if rec.get(key):
                    rec[key] = f"{rec[key]}#load-{stamp}"
            dst.write(json.dumps(rec) + "\n")
    return out


class Server:
    """``python -m dashboard serve`` with the code under ``code_root`` on a store file."""

    def __init__(self, code_root: Path, db_url: str, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(code_root), DASHBOARD_DATA_DIR=str(ROOT / "data"))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "serve", "--port", str(self.port), "--db", db_url],
            cwd=code_root, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + DEADLINE_S
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"serve exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("serve did not become healthy") from None
                time.sleep(0.2)  # readiness poll interval

    def stop(self) -> None:
        stop(self.proc)


def stop(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def open_sessions(browser, base: str, n: int) -> list[float]:
    """Open ``n`` sessions at once; seconds from navigation start to the map with markers, per session."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(n)]
    pages = []
    try:
        for ctx in contexts:
            ctx.add_init_script(TIMER_JS)
            pages.append(ctx.new_page())
        for i, page in enumerate(pages):
            page.goto(base + VIEWS[i % len(VIEWS)], wait_until="commit")
        out = []
        for page in pages:
            handle = page.wait_for_function("() => window.__mapAt || null", timeout=DEADLINE_S * 1000)
            out.append(float(handle.json_value()) / 1000)
        return out
    finally:
        for ctx in contexts:
            ctx.close()


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants."""
    pids, i, total = [root], 0, 0.0
    while i < len(pids):
        try:
            children = Path(f"/proc/{pids[i]}/task/{pids[i]}/children").read_text().split()
        except OSError:
            children = []
        pids += [int(c) for c in children]
        i += 1
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_variant(label: str, code_root: Path, work: Path, counts: list[int], ingest: bool, browser,
                cpu: dict[int, tuple[float, float]]) -> dict[int, list[float]]:
    """Serve ``code_root`` on a fresh copy of the store, start the ingest, open the sessions."""
    db = work / f"{label}.sqlite"
    shutil.copyfile(BASE_STORE, db)
    db_url = f"sqlite:///{db}"
    server = Server(code_root, db_url, work / f"{label}-serve.log")
    loader = None
    try:
        open_sessions(browser, server.url, 1)  # warm-up: imports, place index, first queries
        if ingest:
            env = dict(os.environ, PYTHONPATH=str(code_root), DASHBOARD_DATA_DIR=str(ROOT / "data"))
            loader = subprocess.Popen(
                [sys.executable, "-m", "dashboard", "ingest", str(ingest_input(work)), "--db", db_url, "--workers", "1"],
                cwd=code_root, env=env, stdout=(work / f"{label}-ingest.log").open("w"), stderr=subprocess.STDOUT,
                start_new_session=True)
            time.sleep(3)  # let the ingest reach its first writes (it is load, not something waited for)
        results = {}
        for n in counts:
            if loader is not None and loader.poll() is not None:
                print(f"  ({label}: the ingest finished before {n} sessions)")
            def sample() -> tuple[float, float]:
                srv = tree_cpu(server.proc.pid)
                ing = tree_cpu(loader.pid) if loader is not None else 0.0
                return srv, tree_cpu(os.getpid()) - srv - ing  # the rest of this process tree: the browsers

            s0, b0 = sample()
            results[n] = open_sessions(browser, server.url, n)
            s1, b1 = sample()
            cpu[n] = ((s1 - s0) / n, (b1 - b0) / n)
            print(f"  {label:>8} {n:>2} sessions: p50 {statistics.median(results[n]):5.2f} s  "
                  f"p95 {pct(results[n], 0.95):5.2f} s  max {max(results[n]):5.2f} s; CPU per session: "
                  f"server {cpu[n][0]:.2f} s, browser {cpu[n][1]:.2f} s; load {os.getloadavg()[0]:.1f}"
                  f"{'  (ingest running)' if loader is not None and loader.poll() is None else ''}", flush=True)
        return results
    finally:
        if loader is not None:
            stop(loader)
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", default="1,5,10", help="comma-separated session counts (default 1,5,10)")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of each variant, alternating (default 1)")
    ap.add_argument("--compare", metavar="REF", help="also run the code of this git ref, side by side")
    ap.add_argument("--no-ingest", action="store_true", help="no concurrent ingest")
    args = ap.parse_args()
    counts = [int(x) for x in args.sessions.split(",") if x.strip()]
    build_base_store(sys.executable)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="concurrent-sessions-") as tmp:
        work = Path(tmp)
        variants = [("this", ROOT)]
        if args.compare:
            ref_root = work / "ref"
            ref_root.mkdir()
            archive = subprocess.run(["git", "archive", args.compare], cwd=ROOT, check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(ref_root)], input=archive, check=True)
            variants.append((args.compare, ref_root))
        load = os.getloadavg()
        print(f"store {BASE_STORE} ({BASE_STORE.stat().st_size / 1e6:.0f} MB), {os.cpu_count()} cores, "
              f"load average {load[0]:.1f}; ingest {'off' if args.no_ingest else 'running'}", flush=True)
        all_results: dict[str, dict[int, list[float]]] = {label: {n: [] for n in counts} for label, _ in variants}
        all_cpu: dict[str, dict[int, list[tuple[float, float]]]] = {label: {n: [] for n in counts} for label, _ in variants}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            try:
                for r in range(args.rounds):
                    order = variants if r % 2 == 0 else variants[::-1]
                    for label, code_root in order:
                        cpu: dict[int, tuple[float, float]] = {}
                        res = run_variant(label, code_root, work, counts, not args.no_ingest, browser, cpu)
                        for n, times in res.items():
                            all_results[label][n] += times
                            all_cpu[label][n].append(cpu[n])
            finally:
                browser.close()
        print(f"\nseconds from navigation start to the map with markers (load average now {os.getloadavg()[0]:.1f})")
        print(f"{'sessions':>8} " + "".join(f"{label + ' p50':>12}{label + ' p95':>12}" for label, _ in variants)
              + ("   p95 ratio" if len(variants) > 1 else ""))
        for n in counts:
            row = f"{n:>8} "
            for label, _ in variants:
                t = all_results[label][n]
                row += f"{statistics.median(t):>12.2f}{pct(t, 0.95):>12.2f}"
            if len(variants) > 1:
                row += f"   {pct(all_results[variants[1][0]][n], 0.95) / pct(all_results['this'][n], 0.95):>8.1f}x"
            print(row)
        print("\nCPU seconds per session (server process / the headless browsers, all on this machine)")
        for n in counts:
            print(f"{n:>8} " + "".join(
                f"{label:>8}: {statistics.mean(c[0] for c in all_cpu[label][n]):5.2f} / "
                f"{statistics.mean(c[1] for c in all_cpu[label][n]):5.2f}   " for label, _ in variants))


if __name__ == "__main__":
    main()
