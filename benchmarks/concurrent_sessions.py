"""How long the map takes to appear when several colleagues open the dashboard while an ingest runs.

Issue 14: with 5 browser sessions and an ingest running on the same SQLite store, pages took
13-23 s to show the map.  Goal: 10 concurrent sessions during an ingest, each map in under 5 s.

1. Builds (once; reused when present) a SQLite store from the real corpus
   ``../shared/corpus/news.jsonl.gz`` (read in place, never copied into the repo) with the
   ``ingest`` command, and copies it to a working file for every run, so each run starts
   from the same store.
2. Starts ``python -m dashboard serve`` on that store and, while it measures, keeps an
   ingest running into the same file: the corpus again, every text changed so nothing is
   a duplicate (the JSON Lines file is written under /tmp), with one worker; started again
   on fresh texts whenever a pass ends, so every session count is measured during writes.
   ``--replicas N`` serves N read-only replicas behind nginx (``deploy/nginx.conf``) instead.
3. Opens 1, 5 and 10 sessions at the same moment, each on a shared link (the default view,
   a language, a country, a topic, the heatmap...: colleagues' links differ).  By default
   one of them is a real headless Chromium page and the others are protocol-level Streamlit
   clients (``benchmarks/stclient.py``); ``--browsers all`` makes every session a Chromium
   page (one browser context each), as the first version of this benchmark did.

``--compare REF`` runs the same measurement, alternating with this tree, on the code of a
git ref (``git archive`` into /tmp; ``main`` for the code before this branch): only such
side-by-side runs mean anything on a shared machine.  Never a pass/fail test.

    python benchmarks/concurrent_sessions.py                    # 1, 5, 10 sessions, ingest running
    python benchmarks/concurrent_sessions.py --compare main --rounds 2
    python benchmarks/concurrent_sessions.py --sessions 10 --no-ingest
    python benchmarks/concurrent_sessions.py --quick --compare main   # 1 and 10 sessions, a short ingest
    python benchmarks/concurrent_sessions.py --browsers all --compare main   # every session a Chromium page
    python benchmarks/concurrent_sessions.py --replicas 2
"""

from __future__ import annotations

import argparse
import asyncio
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
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stclient  # noqa: E402  (benchmarks/ is not a package)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "news.jsonl.gz"
BASE_STORE = Path("/tmp/concurrent_sessions_base.sqlite")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
# Links colleagues share: session i opens VIEWS[i % len(VIEWS)].
VIEWS = ["/", "/?lang=de", "/?country=US", "/?topic=politics", "/?layer=heatmap", "/?date=30d",
         "/?country=UA", "/?layer=countries", "/?lang=fr", "/?topic=sport"]
DEADLINE_S = 120.0
MODES = """what each kind of session measures:
  Chromium  a real headless Chromium page (its own browser context): seconds from navigation start
            to the first Leaflet map with markers, timed in the page.  Includes the browser's own
            CPU (Streamlit's frontend, the map iframe), which on a small shared machine is most of
            it: with --browsers all, ten pages on two cores measure the machine, not the server.
  protocol  a WebSocket client speaking Streamlit's protocol (streamlit.proto BackMsg/ForwardMsg on
            /_stcore/stream): sends the link's rerun, and times from connecting to the map
            component's message ("map") and to the end of the rerun caused by the map's first
            answer ("answered").  The server does all of a session's work; the client only parses
            messages (its CPU is printed).  It does not draw: add a Chromium page's drawing time
            (the 1-session Chromium figure minus the 1-session protocol map figure) for what a
            colleague would see.
"""

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


def ingest_input(folder: Path, limit: int | None = None) -> Path:
    """The corpus (its first ``limit`` records) with every text changed, so the ingest writes every article."""
    out = folder / "ingest_load.jsonl"
    stamp = time.time_ns()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if limit is not None and i >= limit:
                break
            rec = json.loads(line)
            for key in ("text", "body", "content"):
                if isinstance(rec.get(key), str):
                    rec[key] = f"{rec[key]}\n\nUpdate {stamp}-{i}."
            for key in ("id", "url"):
                if rec.get(key):
                    rec[key] = f"{rec[key]}#load-{stamp}"
            dst.write(json.dumps(rec) + "\n")
    return out


class IngestLoop:
    """An ingest into the store, started again (on freshly changed texts) each time it finishes.

    One corpus pass takes about 20 s here, shorter than a measurement: looping keeps the
    store being written to while every session count is measured.
    """

    def __init__(self, code_root: Path, db_url: str, work: Path, label: str, limit: int | None,
                 nice: int = 0) -> None:
        self.nice = nice
        self.env = dict(os.environ, PYTHONPATH=str(code_root), DASHBOARD_DATA_DIR=str(ROOT / "data"))
        self.code_root, self.db_url, self.work, self.label, self.limit = code_root, db_url, work, label, limit
        self.passes = 0
        self._done_cpu = 0.0
        self._stop = threading.Event()
        self._proc: subprocess.Popen | None = None  # type: ignore[type-arg]
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            src = ingest_input(self.work, self.limit)
            with self._lock:
                if self._stop.is_set():
                    return
                cmd = [sys.executable, "-m", "dashboard", "ingest", str(src), "--db", self.db_url, "--workers", "1"]
                self._proc = subprocess.Popen(
                    (["nice", "-n", str(self.nice), *cmd] if self.nice else cmd),
                    cwd=self.code_root, env=self.env, stdout=(self.work / f"{self.label}-ingest.log").open("a"),
                    stderr=subprocess.STDOUT, start_new_session=True)
                self.passes += 1
            self._proc.wait()

    def pid(self) -> int | None:
        with self._lock:
            return self._proc.pid if self._proc is not None else None

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            if self._proc is not None:
                stop(self._proc)
        self._thread.join(30)


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

    @property
    def pids(self) -> list[int]:
        return [self.proc.pid]

    def stop(self) -> None:
        stop(self.proc)


class Replicas:
    """``n`` read-only ``serve`` replicas of this tree behind nginx running ``deploy/nginx.conf``.

    The deployment of tests/browser/proxy_setup.py (the shipped config, ports rewritten); each
    new session gets a random route cookie, so sessions spread over the replicas.
    """

    def __init__(self, db_url: str, folder: Path, n: int) -> None:
        sys.path.insert(0, str(ROOT / "tests" / "browser"))
        import proxy_setup

        folder.mkdir(exist_ok=True)
        self.dep = proxy_setup.start(db_url, folder, n)
        self.url = self.dep.url

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.dep.procs]  # the replicas and nginx: the server side

    def stop(self) -> None:
        self.dep.close()


def stop(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@dataclass
class Round:
    """One moment at which ``n`` sessions open together: what each kind of session saw, and its CPU."""

    browser_s: list[float] = field(default_factory=list)  # navigation start -> map with markers, in Chromium
    proto_map_s: list[float] = field(default_factory=list)  # connect -> the map component's message
    proto_done_s: list[float] = field(default_factory=list)  # connect -> the run after the map's answer finished
    proto_errors: list[str] = field(default_factory=list)
    client_cpu_s: float = 0.0  # CPU of the protocol clients (one thread of this process)


def browser_count(mode: str, n: int) -> int:
    """How many of ``n`` sessions are real Chromium pages: ``all``, or a number (the rest are protocol clients)."""
    return n if mode == "all" else min(n, int(mode))


def open_sessions(browser, base: str, n: int, browsers: int,
                  before_close: Callable[[], None] = lambda: None) -> Round:
    """Open ``n`` sessions at once (``browsers`` of them in Chromium, the rest protocol-level).

    ``before_close`` runs once every session has its map, before the pages close (their
    renderer processes exit then, and their CPU time with them).
    """
    out = Round()
    protos = [VIEWS[i % len(VIEWS)].lstrip("/?") for i in range(browsers, n)]
    proto_result: list[stclient.SessionTiming] = []

    def run_protos() -> None:
        t = time.thread_time()
        proto_result.extend(asyncio.run(stclient.open_sessions(base, protos, timeout=DEADLINE_S)))
        out.client_cpu_s = time.thread_time() - t

    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(browsers)]
    pages = []
    try:
        for ctx in contexts:
            ctx.add_init_script(TIMER_JS)
            pages.append(ctx.new_page())
        thread = threading.Thread(target=run_protos, daemon=True)
        thread.start()
        for i, page in enumerate(pages):
            page.goto(base + VIEWS[i % len(VIEWS)], wait_until="commit")
        for page in pages:
            handle = page.wait_for_function("() => window.__mapAt || null", timeout=DEADLINE_S * 1000)
            out.browser_s.append(float(handle.json_value()) / 1000)
        thread.join(DEADLINE_S)
        before_close()
    finally:
        for ctx in contexts:
            ctx.close()
    for t in proto_result:
        if t.errors or t.map_s is None or t.answered_s is None:
            out.proto_errors.append(f"{t.query or '/'}: {'; '.join(t.errors) or 'no map'}")
        if t.map_s is not None:
            out.proto_map_s.append(t.map_s)
        if t.answered_s is not None:
            out.proto_done_s.append(t.answered_s)
    return out


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


def run_variant(label: str, code_root: Path, work: Path, counts: list[int], args: argparse.Namespace,
                browser) -> dict[int, tuple[Round, float, float]]:
    """Serve ``code_root`` on a fresh copy of the store, start the ingest, open the sessions.

    Returns, per session count, the round and the CPU seconds per session of the server and of
    the Chromium pages (per Chromium page).
    """
    db = work / f"{label}.sqlite"
    shutil.copyfile(BASE_STORE, db)
    db_url = f"sqlite:///{db}"
    server: Server | Replicas = Replicas(db_url, work / f"{label}-replicas", args.replicas) if args.replicas > 1 \
        else Server(code_root, db_url, work / f"{label}-serve.log")
    loader = None
    try:
        open_sessions(browser, server.url, 1, 1)  # warm-up: imports, place index, first queries
        if not args.no_ingest:
            loader = IngestLoop(code_root, db_url, work, label, args.ingest_limit, args.ingest_nice)
            time.sleep(3)  # let the ingest reach its first writes (it is load, not something waited for)
        results = {}
        for n in counts:
            k = browser_count(args.browsers, n)

            def sample() -> tuple[float, float]:
                # the browsers: every child process tree of this one but the server and the ingest
                skip = {*server.pids, loader.pid() if loader is not None else None}
                kids = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
                return sum(tree_cpu(p) for p in server.pids), sum(tree_cpu(int(k)) for k in kids if int(k) not in skip)

            s0, b0 = sample()
            end: list[tuple[float, float]] = []
            rnd = open_sessions(browser, server.url, n, k, lambda end=end: end.append(sample()))
            s1, b1 = end[0]
            browser_cpu = (b1 - b0) / k if k else 0.0
            results[n] = (rnd, (s1 - s0) / n, browser_cpu)
            line = f"  {label:>8} {n:>2} sessions ({k} Chromium, {n - k} protocol):"
            if rnd.browser_s:
                line += f" Chromium p50 {statistics.median(rnd.browser_s):5.2f} s max {max(rnd.browser_s):5.2f} s;"
            if rnd.proto_map_s:
                line += (f" protocol map p50 {statistics.median(rnd.proto_map_s):5.2f} s p95 {pct(rnd.proto_map_s, 0.95):5.2f} s,"
                         f" answered p95 {pct(rnd.proto_done_s or [float('nan')], 0.95):5.2f} s;")
            line += (f" CPU per session: server {results[n][1]:.2f} s, per Chromium {browser_cpu:.2f} s, "
                     f"protocol clients {rnd.client_cpu_s:.2f} s in all; load {os.getloadavg()[0]:.1f}"
                     f"{f'  (ingest running, pass {loader.passes})' if loader is not None else ''}")
            print(line, flush=True)
            for err in rnd.proto_errors:
                print(f"    protocol session error: {err}")
        return results
    finally:
        if loader is not None:
            loader.stop()
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=MODES)
    ap.add_argument("--sessions", default="1,5,10", help="comma-separated session counts (default 1,5,10)")
    ap.add_argument("--browsers", default="1",
                    help="how many sessions of each count are real Chromium pages: a number (default 1; the rest "
                         "are protocol-level clients) or 'all' (every session a Chromium page, as before)")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of each variant, alternating (default 1)")
    ap.add_argument("--compare", metavar="REF", help="also run the code of this git ref, side by side")
    ap.add_argument("--no-ingest", action="store_true", help="no concurrent ingest")
    ap.add_argument("--ingest-nice", type=int, default=0, metavar="N",
                    help="run the ingest under nice -n N (a batch job yielding the CPU to the sessions)")
    ap.add_argument("--replicas", type=int, default=1, metavar="N",
                    help="N read-only serve replicas of this tree behind nginx (deploy/nginx.conf); not with --compare")
    ap.add_argument("--quick", action="store_true",
                    help="a short run: 1 and 10 sessions, an ingest of the first 3000 articles only")
    args = ap.parse_args()
    if args.browsers != "all" and not args.browsers.isdigit():
        ap.error("--browsers takes a number or 'all'")
    if args.replicas > 1 and args.compare:
        ap.error("--replicas runs this tree only (the replicas are started from the installed package)")
    if args.quick and args.sessions == "1,5,10":
        args.sessions = "1,10"
    args.ingest_limit = 3000 if args.quick else None
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
              f"load average {load[0]:.1f}; ingest {'off' if args.no_ingest else 'running'}; "
              f"Chromium sessions per count: {args.browsers}; ingest nice {args.ingest_nice}", flush=True)
        rounds: dict[str, dict[int, list[tuple[Round, float, float]]]] = {
            label: {n: [] for n in counts} for label, _ in variants}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            try:
                for r in range(args.rounds):
                    order = variants if r % 2 == 0 else variants[::-1]
                    for label, code_root in order:
                        for n, res in run_variant(label, code_root, work, counts, args, browser).items():
                            rounds[label][n].append(res)
            finally:
                browser.close()
        report(rounds, variants, counts)


def report(rounds: dict[str, dict[int, list[tuple[Round, float, float]]]], variants: list[tuple[str, Path]],
           counts: list[int]) -> None:
    """The side-by-side table: p50 / p95 per kind of session, and CPU per session."""
    def col(values: list[float]) -> str:
        return f"{statistics.median(values):6.2f} /{pct(values, 0.95):6.2f}" if values else f"{'-':>14}"

    print(f"\np50 / p95 seconds (load average now {os.getloadavg()[0]:.1f}). Chromium: navigation start -> map "
          "with markers; protocol: connect -> map message, and -> the run after the map's answer finished")
    print(f"{'sessions':>8} {'variant':>8} {'Chromium':>14} {'protocol map':>14} {'proto answered':>14}"
          f"   CPU/session: server, per Chromium")
    for n in counts:
        for label, _ in variants:
            rs = rounds[label][n]
            b = [x for r, _, _ in rs for x in r.browser_s]
            m = [x for r, _, _ in rs for x in r.proto_map_s]
            d = [x for r, _, _ in rs for x in r.proto_done_s]
            print(f"{n:>8} {label:>8} {col(b)} {col(m)} {col(d)}   "
                  f"{statistics.mean(s for _, s, _ in rs):5.2f} s, {statistics.mean(c for _, _, c in rs):5.2f} s")


if __name__ == "__main__":
    main()
