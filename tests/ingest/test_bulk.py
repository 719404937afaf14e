"""Bulk ingest and reparse on a real Dask LocalCluster (2 worker processes), killed workers and clients included.

One cluster serves the module (Dask starts in seconds, not milliseconds);
each test registers its own geoparser through the worker plugin.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_helpers import PLACES, toy_geoparse

distributed = pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from distributed.utils import key_split  # noqa: E402

from dashboard.cli import main  # noqa: E402
from dashboard.errors import InputError  # noqa: E402
from dashboard.ingest import IngestOptions, Ingestor, parse_mapping  # noqa: E402
from dashboard.ingest.bulk import BulkIngestor, task_name  # noqa: E402
from dashboard.ingest.bulk_reparse import bulk_reparse  # noqa: E402
from dashboard.ingest.partition import expand_sources, partitions  # noqa: E402
from dashboard.models import Filters, GeoparseResult  # noqa: E402
from dashboard.store import Store, open_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BODY = ("The mayor of Berlin met the mayor of Paris on Monday to sign an agreement on trains, "
        "housing and climate, and both cities promised to share data on traffic and air quality.")


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    """A 2-process cluster for the module (the nanny restarts a killed worker)."""
    import types

    import dask

    # Streamlit's AppTest (tests/app) leaves the app script as __main__; Dask spawns its worker
    # processes by re-importing __main__, which would run the dashboard in each of them.
    main_module = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    with dask.config.set({"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address="127.0.0.1:0", silence_logs=40)
        c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()
        sys.modules["__main__"] = main_module


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'news.sqlite'}")
    yield s
    s.close()


def _rows(n: int, tag: str = "Item") -> list[dict[str, str]]:
    rows = [{"text": f"{tag} {i}: Berlin and Paris and Berlin.", "published": "2024-03-01"} for i in range(n)]
    rows[7] = {"text": BODY, "source": "wire"}
    rows[8] = {"text": BODY + " Reporting by A. Writer.", "source": "paper"}  # a near-copy in the same partition
    rows[23] = {"text": "UPDATE: " + BODY, "source": "blog"}  # and in another
    rows[24] = rows[3]  # an exact duplicate of another partition's article
    return rows


def _inputs(folder: Path) -> list[str]:
    """JSON Lines (gzip, with a broken line), CSV with other column names, Parquet, and a folder of texts."""
    folder.mkdir()
    lines = [json.dumps(r) for r in _rows(30)]
    lines.insert(12, "{broken")
    lines.insert(5, "")
    with gzip.open(folder / "a.jsonl.gz", "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    with (folder / "b.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["body", "date"])
        for i in range(12):
            w.writerow([f"Row {i} from Hamburg, near Berlin.", "2024-04-02"])
        w.writerow(["", "2024-04-02"])  # no text: an error naming its row
    pq.write_table(pa.table({"body": [f"Parquet {i} in Zürich." for i in range(15)],
                             "headline": [f"P{i}" for i in range(15)]}), folder / "c.parquet")
    texts = folder / "texts"
    texts.mkdir()
    for i in range(4):
        (texts / f"{i}.txt").write_text(f"Title {i}\n\nA story from Kasachstan and Samarkand, number {i}.")
    return [str(folder / "a.jsonl.gz"), str(folder / "b.csv"), str(folder / "c.parquet"), str(texts)]


def _bulk(store: Store, client: distributed.Client, sources: list[str], opts: IngestOptions | None = None,
          geoparser=toy_geoparse, size: int = 5):  # type: ignore[no-untyped-def]
    return BulkIngestor(store, client, geoparser=geoparser, use_default_tagger=False,
                        partition_size=size).run(sources, opts)


def _content(store: Store) -> tuple[object, ...]:
    conn = store._conn()
    return (
        sorted(r[0] for r in conn.all("SELECT hash FROM articles")),
        conn.scalar("SELECT COUNT(*) FROM mentions"),
        conn.scalar("SELECT COUNT(DISTINCT story_id) FROM articles"),
        sorted(conn.all("SELECT place_id, surface, mentions FROM place_surfaces")),
    )


def test_bulk_ingest_stores_what_the_one_process_ingest_stores(
    client: distributed.Client, store: Store, tmp_path: Path
) -> None:
    sources = _inputs(tmp_path / "in")
    opts = IngestOptions()
    bulk = _bulk(store, client, sources, opts)
    assert bulk.partitions == 7 + 3 + 3 + 1 and bulk.partitions_failed == 0
    assert (bulk.added, bulk.duplicates, bulk.near_duplicates, bulk.skipped) == (29 + 12 + 15 + 4, 1, 2, 2)
    assert sorted((s.rsplit("/", 1)[-1], p) for s, p, _ in bulk.errors) == [("a.jsonl.gz", "line 14"), ("b.csv", "row 14")]
    with open_store(f"sqlite:///{tmp_path / 'local.sqlite'}") as local:
        one = Ingestor(local, geoparser=toy_geoparse, use_default_tagger=False).run(sources, opts)
        assert (one.added, one.duplicates, one.near_duplicates, one.skipped) == (
            bulk.added, bulk.duplicates, bulk.near_duplicates, bulk.skipped)
        assert sorted(one.errors) == sorted(bulk.errors)
        assert _content(local) == _content(store)
    zurich = store.place_summaries(Filters(place_ids=(PLACES["Zürich"].id,)))[0]
    assert zurich.articles == 15
    # the same command again: every clean partition is passed by, nothing is added
    again = _bulk(store, client, sources, opts)
    assert (again.added, again.partitions_passed) == (0, 12)
    assert again.partitions == 2 and again.skipped == 2  # partitions with errors are done (and reported) again
    assert _content(store) == _content(open_store(f"sqlite:///{tmp_path / 'local.sqlite'}"))


def test_an_archive_that_grew_is_only_read_from_where_it_grew(
    client: distributed.Client, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "grow.jsonl"
    rows = [json.dumps({"text": f"Day {i} in Berlin."}) for i in range(20)]
    path.write_text("\n".join(rows[:10]) + "\n")
    assert _bulk(store, client, [str(path)]).added == 10
    path.write_text("\n".join(rows) + "\n")
    grown = _bulk(store, client, [str(path)])
    assert (grown.added, grown.partitions, grown.partitions_passed) == (10, 2, 2)


def test_other_reading_options_read_the_partitions_again(client: distributed.Client, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(json.dumps({"story": f"Note {i} from Paris."}) for i in range(6)) + "\n")
    wrong = _bulk(store, client, [str(path)])
    assert (wrong.added, wrong.skipped) == (0, 6)  # no text column: errors, so not passed by next time
    right = _bulk(store, client, [str(path)], IngestOptions(mapping=parse_mapping(["text=story"])))
    assert (right.added, right.partitions_passed) == (6, 0)
    other = _bulk(store, client, [str(path)], IngestOptions(mapping={"text": "story"}, source_name="Wire"))
    assert (other.added, other.duplicates, other.partitions_passed) == (0, 6, 0)  # read again, stored once
    same = _bulk(store, client, [str(path)], IngestOptions(mapping={"text": "story"}, source_name="Wire"))
    assert (same.added, same.partitions_passed) == (0, 2)


def slow_geoparse(text: str, lang: str | None = None) -> GeoparseResult:
    """Writes its process id to the file named after ``SLOW:`` and takes a while: a partition to kill a worker in."""
    if "SLOW:" in text:
        Path(text.split("SLOW:", 1)[1].split()[0]).write_text(str(os.getpid()))
        time.sleep(1.5)
    return toy_geoparse(text, lang)


def crash_geoparse(text: str, lang: str | None = None) -> GeoparseResult:
    """Ends its worker process while the file after ``CRASH:`` exists, as a segfaulting library would."""
    if "CRASH:" in text and Path(text.split("CRASH:", 1)[1].split()[0]).exists():
        os._exit(3)
    return toy_geoparse(text, lang)


def test_a_worker_killed_mid_partition_is_recovered_and_nothing_is_stored_twice(
    client: distributed.Client, store: Store, tmp_path: Path
) -> None:
    pidfile = tmp_path / "pid"
    rows = [{"text": f"Story {i} about Berlin and Paris."} for i in range(30)]
    rows[12] = {"text": f"A slow one from Hamburg. SLOW:{pidfile} end"}
    path = tmp_path / "k.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 60
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        pid = int(pidfile.read_text())
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    t = threading.Thread(target=killer)
    t.start()
    summary = _bulk(store, client, [str(path)], geoparser=slow_geoparse)
    t.join()
    assert killed, "the slow partition never started"
    assert (summary.added, summary.skipped, summary.partitions_failed) == (30, 0, 0)
    assert store._conn().scalar("SELECT COUNT(*) FROM mentions") == 29 * 2 + 1
    again = _bulk(store, client, [str(path)], geoparser=slow_geoparse)
    assert (again.added, again.partitions_passed) == (0, 6)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed one


def test_a_partition_that_kills_its_workers_is_reported_and_a_rerun_completes(
    client: distributed.Client, store: Store, tmp_path: Path
) -> None:
    flag = tmp_path / "crash-while-this-exists"
    flag.write_text("")
    rows = [{"text": f"Story {i} about Paris."} for i in range(20)]
    rows[7] = {"text": f"Trouble in Berlin. CRASH:{flag} end"}
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    first = _bulk(store, client, [str(path)], geoparser=crash_geoparse)
    assert (first.added, first.partitions, first.partitions_failed, first.skipped) == (15, 3, 1, 5)
    assert first.errors[0][1] == "lines 6-10" and "KilledWorker" in first.errors[0][2]
    assert first.exit_code == 1
    flag.unlink()
    client.wait_for_workers(2, timeout=60)
    second = _bulk(store, client, [str(path)], geoparser=crash_geoparse)
    assert (second.added, second.partitions, second.partitions_passed, second.skipped) == (5, 1, 3, 0)
    assert store.stats()["articles"] == 20


def test_a_killed_client_leaves_whole_partitions_and_a_rerun_finishes(
    client: distributed.Client, tmp_path: Path
) -> None:
    """The real command, the real geoparser, against the cluster's scheduler: killed mid-run, then run again."""
    seed = (ROOT / "seeds" / "000_2959add6671d93e8.txt").read_text(encoding="utf-8")[:800]
    path = tmp_path / "seedlike.jsonl"
    path.write_text("\n".join(json.dumps({"text": f"Meldung {i}.\n\n{seed}", "lang": "de"}) for i in range(60)) + "\n")
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    cmd = [sys.executable, "-m", "dashboard", "ingest", str(path), "--db", db, "--scheduler",
           client.scheduler_info()["address"], "--partition-size", "3"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with open_store(db) as s:
                committed = s._conn().scalar("SELECT COUNT(*) FROM bulk_partitions")
        except Exception:  # the store is being created
            committed = 0
        if committed >= 1:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode() if proc.stderr else ""
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "committed before (passed by)" in done.stderr
    with open_store(db) as s:
        conn = s._conn()
        assert conn.scalar("SELECT COUNT(*) FROM articles") == 60
        per_article = conn.all("SELECT COUNT(*) FROM mentions GROUP BY article_id")
        assert len({n for (n,) in per_article}) == 1  # every copy of the text has the same mentions: none twice
        assert conn.scalar("SELECT COUNT(*) FROM bulk_partitions") == 20


def test_bulk_reparse_replaces_places_and_topics_page_by_page(
    client: distributed.Client, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps({"text": f"Story {i}: Berlin, Paris and Hamburg."}) for i in range(12)) + "\n")
    _bulk(store, client, [str(path)])
    assert store._conn().scalar("SELECT COUNT(*) FROM mentions") == 36
    res = bulk_reparse(store, client, Filters(), only="places", partition_size=5, geoparser=berlin_only)
    assert (res.articles, res.partitions, res.mentions, res.failed) == (12, 3, 12, [])
    assert store._conn().scalar("SELECT COUNT(*) FROM mentions") == 12
    again = bulk_reparse(store, client, Filters(), only="places", partition_size=5, geoparser=berlin_only)
    assert again.mentions == 12 and store._conn().scalar("SELECT COUNT(*) FROM mentions") == 12


def berlin_only(text: str, lang: str | None = None) -> GeoparseResult:
    res = toy_geoparse(text, lang)
    return GeoparseResult(res.lang, tuple(m for m in res.mentions if m.surface == "Berlin"), ())


def test_task_names_say_what_they_are_and_the_dask_dashboard_answers(client: distributed.Client, tmp_path: Path) -> None:
    path = tmp_path / "news-2024.jsonl"
    path.write_text(json.dumps({"text": "Berlin."}) + "\n")
    part = next(p for p in partitions(expand_sources([str(path)], IngestOptions()), IngestOptions(), 10))
    name = task_name(part, 7)
    assert name.startswith("geoparse-topics-news_2024.jsonl-0-run7-") and key_split(name) == "geoparse-topics"
    with urllib.request.urlopen(client.dashboard_link, timeout=10) as resp:
        assert resp.status == 200


def test_sources_a_bulk_ingest_cannot_partition_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="standard input and URLs without --scheduler"):
        expand_sources(["https://example.org/feed.xml"], IngestOptions())
    with pytest.raises(InputError, match="no files match"):
        expand_sources([str(tmp_path / "*.jsonl")], IngestOptions())
    (tmp_path / "x.jsonl").write_text("{}\n")
    assert expand_sources([str(tmp_path / "*.jsonl")], IngestOptions()) == [tmp_path / "x.jsonl"]


def test_without_dask_the_flag_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.jsonl").write_text(json.dumps({"text": "Berlin."}) + "\n")
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "x.jsonl"), "--db", f"sqlite:///{tmp_path / 's.sqlite'}",
                                       "--scheduler", "local"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: --scheduler needs Dask: pip install 'news-map-dashboard[bulk]' (Dask distributed, bokeh for its "
        "dashboard, pyarrow)")
    bad = CliRunner().invoke(main, ["ingest", str(tmp_path / "x.jsonl"), "--scheduler", "somewhere",
                                    "--db", f"sqlite:///{tmp_path / 's.sqlite'}"])
    assert bad.exit_code == 1 and "give tcp://HOST:8786" in bad.output


def test_workers_with_a_running_scheduler_or_without_one_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text(json.dumps({"text": "Berlin."}) + "\n")
    db = ["--db", f"sqlite:///{tmp_path / 's.sqlite'}"]
    remote = CliRunner().invoke(main, ["ingest", str(tmp_path / "x.jsonl"), *db, "--scheduler", "tcp://127.0.0.1:9",
                                       "--workers", "2"])
    assert remote.exit_code == 1 and "a running scheduler brings its own workers" in remote.output
    local = CliRunner().invoke(main, ["reparse", *db, "--workers", "2"])
    assert local.exit_code == 1
    assert local.output.strip().splitlines()[-1] == (
        "Error: reparse --workers N needs --scheduler local (a local Dask cluster)")
