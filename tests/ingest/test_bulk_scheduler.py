"""The Dask scheduler killed mid-ingest: a real LocalCluster of processes whose scheduler process is
sent SIGKILL while the real ``ingest --scheduler`` command runs against it.

The command must stop with one clear ``Error:`` line, the store must hold whole partitions only
(every committed partition's articles with all their mentions, nothing of the others), and the
same command against a new cluster must finish the rest and add nothing twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from dashboard.store import open_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HELPER = Path(__file__).with_name("scheduler_process.py")
RECORDS, SIZE = 240, 4


@contextmanager
def cluster_process(log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A LocalCluster in its own session: yields the scheduler address and the scheduler's process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with log.open("ab") as err:
        proc = subprocess.Popen([sys.executable, str(HELPER), "2"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=err, start_new_session=True)
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().decode().strip()  # blocks until the workers are up (or it died)
        assert address.startswith("tcp://"), log.read_text()[-2000:]
        yield address, proc
    finally:
        try:  # the scheduler and whatever worker processes outlived it: the whole session we started
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)


def _consistent(db: str) -> tuple[int, int]:
    """Whole partitions only: articles = what the committed partitions added, each with all its mentions."""
    with open_store(db) as s:
        conn = s._conn()
        articles = conn.scalar("SELECT COUNT(*) FROM articles")
        parts, added = conn.one("SELECT COUNT(*), COALESCE(SUM(added), 0) FROM bulk_partitions") or (0, 0)
        assert articles == added
        per_article = {n for (n,) in conn.all(
            "SELECT COUNT(m.id) FROM articles a LEFT JOIN mentions m ON m.article_id = a.id GROUP BY a.id")}
        assert len(per_article) <= 1 and 0 not in per_article, per_article  # the same text: the same mentions
        places = conn.scalar("SELECT COALESCE(SUM(mentions), 0) FROM place_surfaces")
        assert places == conn.scalar("SELECT COUNT(*) FROM mentions")  # the count tables agree with the rows
        return int(articles), int(parts)


@pytest.mark.timeout(900)
def test_a_killed_scheduler_stops_the_ingest_clearly_and_a_rerun_adds_nothing_twice(tmp_path: Path) -> None:
    seed = (ROOT / "seeds" / "000_2959add6671d93e8.txt").read_text(encoding="utf-8")[:600]
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps({"text": f"Meldung {i}.\n\n{seed}", "lang": "de"})
                              for i in range(RECORDS)) + "\n")
    db = f"sqlite:///{tmp_path / 'bulk.sqlite'}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    with cluster_process(tmp_path / "cluster1.log") as (address, scheduler):
        cmd = [sys.executable, "-m", "dashboard", "ingest", str(path), "--db", db, "--scheduler", address,
               "--partition-size", str(SIZE)]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline, committed = time.monotonic() + 300, 0
        while time.monotonic() < deadline and proc.poll() is None and committed < 2:
            try:
                with open_store(db) as s:
                    committed = int(s._conn().scalar("SELECT COUNT(*) FROM bulk_partitions") or 0)
            except Exception:  # the store is being created by the command
                committed = 0
            time.sleep(0.05)
        assert proc.poll() is None, "the ingest ended before the scheduler could be killed"
        scheduler.send_signal(signal.SIGKILL)  # the scheduler's process only; its workers are orphaned
        out, err = proc.communicate(timeout=300)
    stderr = err.decode()
    assert proc.returncode == 1, stderr[-2000:]
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "lost the Dask scheduler after" in errors[0] \
        and "run the same command again to do the rest" in errors[0], stderr[-2000:]
    assert "Traceback" not in stderr
    first_articles, first_parts = _consistent(db)
    assert 0 < first_parts < RECORDS // SIZE and first_articles == first_parts * SIZE
    with open_store(db) as s:
        run = s.stats()["last_run"]
        assert run["status"] == "failed" and run["added"] == first_articles

    with cluster_process(tmp_path / "cluster2.log") as (address, _scheduler):
        cmd[cmd.index("--scheduler") + 1] = address
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"{first_parts} committed before (passed by)" in done.stderr, done.stderr[-2000:]
        again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stderr[-2000:]
    articles, parts = _consistent(db)
    assert (articles, parts) == (RECORDS, RECORDS // SIZE)
    assert f"{RECORDS // SIZE} committed before (passed by)" in again.stderr
