"""`watch` as real processes: two pollers on one store, a poller killed mid-poll, a clean SIGTERM stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from feed_server import rss

from dashboard.store import open_store

ROOT = Path(__file__).resolve().parents[2]
CITIES = ["Berlin", "Hamburg", "Paris", "Madrid", "Rome", "Vienna", "Warsaw", "Prague", "Lisbon", "Dublin"]


def _watch(db_url: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "dashboard", "watch", "--db", db_url, "--host-delay", "0", "--retries", "0",
           "--timeout", "20", *args]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _items(feed: int, n: int) -> list[tuple[str, str, str]]:
    return [(f"f{feed}-{i}", f"Report {feed}-{i} from {CITIES[i % len(CITIES)]}",
             f"Report number {i} of feed {feed}: officials in {CITIES[i % len(CITIES)]} said on Monday that"
             f" item {feed}-{i} was confirmed.") for i in range(n)]


def _count(db_url: str, sql: str) -> int:
    with open_store(db_url) as store:
        return int(store._conn().scalar(sql) or 0)


@pytest.mark.timeout(240)
def test_two_watch_processes_on_one_store_do_not_double_ingest(store_url, feeds, tmp_path):
    feeds.delay = 0.3  # every answer takes a while, so the two pollers overlap
    with open_store(store_url) as store:
        for f in range(6):
            store.add_feed(feeds.put(f"/f{f}", rss(_items(f, 5))), interval_s=3600)
    log = tmp_path / "watch.log"
    procs = [_watch(store_url, "--once", log=log) for _ in range(2)]
    codes = [p.wait(timeout=200) for p in procs]
    assert codes == [0, 0], log.read_text()
    assert [feeds.count(f"/f{f}") for f in range(6)] == [1] * 6  # each feed fetched by one poller only
    assert _count(store_url, "SELECT COUNT(*) FROM articles") == 30
    assert _count(store_url, "SELECT COUNT(*) FROM ingest_runs") == 6  # one ingest per feed, no duplicate runs
    assert _count(store_url, "SELECT SUM(new_total) FROM feeds") == 30
    assert _count(store_url, "SELECT COUNT(*) FROM leases") == 0
    text = log.read_text()
    assert text.count(": ok, 5 new") == 6, text


@pytest.mark.timeout(240)
def test_watch_killed_mid_poll_and_restarted_loses_and_doubles_nothing_and_sigterm_finishes_the_feed(
        tmp_path, feeds):
    db_url = f"sqlite:///{tmp_path / 'news.sqlite'}"
    with open_store(db_url) as store:
        store.add_feed(feeds.put("/big", rss(_items(1, 600))), interval_s=3600)  # 3 batches of 200
    log = tmp_path / "watch.log"
    proc = _watch(db_url, log=log)
    deadline = time.monotonic() + 120
    while _count(db_url, "SELECT COUNT(*) FROM articles") == 0:  # the first batch is in
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    stored = _count(db_url, "SELECT COUNT(*) FROM articles")
    assert 0 < stored < 600  # killed mid-poll: some batches are in, the feed is not marked as polled
    assert _count(db_url, "SELECT polls FROM feeds") == 0
    assert _count(db_url, "SELECT COUNT(*) FROM leases") == 1  # the dead poller's lease is left behind

    again = _watch(db_url, log=log)  # forever; SIGTERM while it re-reads the feed
    while _count(db_url, "SELECT COUNT(*) FROM articles") == stored:
        assert again.poll() is None and time.monotonic() < deadline + 60, log.read_text()
        time.sleep(0.02)
    again.send_signal(signal.SIGTERM)
    assert again.wait(timeout=120) == 0, log.read_text()
    assert "Stopping after the current feed" in log.read_text()
    # it finished the feed it was polling before it stopped: everything in, once, and the feed marked polled
    assert _count(db_url, "SELECT COUNT(*) FROM articles") == 600
    assert _count(db_url, "SELECT COUNT(DISTINCT hash) FROM articles") == 600
    assert _count(db_url, "SELECT polls FROM feeds") == 1
    assert _count(db_url, "SELECT new_total FROM feeds") == 600 - stored
    assert _count(db_url, "SELECT COUNT(*) FROM leases") == 0


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.timeout(120)
def test_watch_started_by_serve_exits_with_its_parent(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'news.sqlite'}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    log = tmp_path / "watch.log"
    parent = subprocess.Popen(  # a stand-in for serve: starts the poller, then lives until stdin closes
        ["bash", "-c", f"{sys.executable} -m dashboard watch --db {db_url} --parent-pid $$ >>{log} 2>&1 & echo $!;"
                       " read -r _"], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None and parent.stdin is not None
    pid = int(parent.stdout.readline())
    deadline = time.monotonic() + 60
    while "Watching the feeds" not in (log.read_text() if log.exists() else ""):
        assert _running(pid) and time.monotonic() < deadline, log.read_text() if log.exists() else "no log"
        time.sleep(0.1)
    parent.stdin.close()  # the "dashboard" exits
    parent.wait(timeout=10)
    while _running(pid):
        assert time.monotonic() < deadline, "watch --parent-pid outlived its parent"
        time.sleep(0.1)
    assert "Polled 0 feed(s)" in log.read_text()
