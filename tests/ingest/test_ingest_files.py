"""Ingesting local sources into a real SQLite store: folders, JSON Lines, CSV, bad records, re-runs."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from ingest_helpers import PLACES, failing_geoparse, toy_geoparse

from dashboard.errors import ConfigurationError, InputError
from dashboard.ingest import IngestOptions, Ingestor, parse_mapping
from dashboard.ingest.files import read_stdin
from dashboard.models import Filters
from dashboard.store import Store, open_store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(f"sqlite:///{tmp_path / 'news.sqlite'}")
    yield s
    s.close()


def run(store: Store, sources: list[str], opts: IngestOptions | None = None, **kw: object):
    kw.setdefault("geoparser", toy_geoparse)
    kw.setdefault("use_default_tagger", False)
    return Ingestor(store, **kw).run(sources, opts)  # type: ignore[arg-type]


def test_folder_recursive_with_glob(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "a" / "b").mkdir(parents=True)
    (root / "one.txt").write_text("Berlin rains\nIt rained in Berlin all day long.", encoding="utf-8")
    (root / "a" / "b" / "two.txt").write_text("HAMBURG: Hamburg port strike. Workers stop.", encoding="utf-8")
    (root / "a" / "notes.md").write_text("Paris is not read: the glob says *.txt", encoding="utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.txt").write_text("Zürich hidden", encoding="utf-8")
    summary = run(store, [str(root)], IngestOptions(glob="*.txt"))
    assert (summary.seen, summary.added, summary.skipped) == (2, 2, 0)
    titles = sorted(a.title for a in store.articles(Filters()))
    assert titles == ["Berlin rains", "Hamburg port strike."]
    assert {s.place.name for s in store.place_summaries(Filters())} == {"Berlin", "Hamburg"}


def test_the_seed_article_counts_each_mention_once(store: Store) -> None:
    summary = run(store, [str(SEEDS)])
    assert summary.added == 1
    (kz,) = store.place_summaries(Filters(place_ids=(PLACES["Kasachstan"].id,)))
    original = (SEEDS / "000_2959add6671d93e8.txt").read_text(encoding="utf-8").count("Kasachstan")
    assert kz.mentions == (original + 1) // 2  # the body is printed twice, the first line once
    (row,) = store.articles(Filters())
    assert row.date_source == "ingest" and row.source == "seeds"


def test_rerun_adds_nothing_and_copies_from_other_sources_are_duplicates(store: Store, tmp_path: Path) -> None:
    first = run(store, [str(SEEDS)])
    again = run(store, [str(SEEDS)])
    assert (first.added, again.added, again.duplicates) == (1, 0, 1)
    copy = tmp_path / "elsewhere" / "copy.txt"
    copy.parent.mkdir()
    copy.write_text("  " + (SEEDS / "000_2959add6671d93e8.txt").read_text(encoding="utf-8").replace("\n", "\r\n"))
    third = run(store, [str(copy)])
    assert (third.added, third.duplicates) == (0, 1)
    assert store.stats()["articles"] == 1 and store.stats()["ingest_runs"] == 3


def test_jsonl_with_mapping_and_bad_lines(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    rows = [
        json.dumps({"headline": "Paris votes", "body": "Paris votes today.", "date": "2024-05-01T10:00:00Z",
                    "link": "https://example.org/p", "tags": ["politics"]}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"headline": "No body"}),
        "",
        json.dumps({"headline": "<b>Bold</b> <script>x()</script>", "body": "Berlin news.", "date": "bad date"}),
        json.dumps({"headline": "Zürich", "body": "Zürich calm.", "date": "Wed, 01 May 2024 12:00:00 +0200"}),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    opts = IngestOptions(mapping=parse_mapping(("title=headline,text=body", "published=date,url=link")))
    summary = run(store, [str(path)], opts)
    assert (summary.seen, summary.added, summary.skipped) == (6, 2, 4)
    positions = [(p, m.split(":")[0]) for _, p, m in summary.errors]
    assert positions == [("line 2", "broken JSON"), ("line 3", "expected a JSON object, got list"),
                         ("line 4", "no article text (column 'body'); map it with --map text=COLUMN"),
                         ("line 6", "cannot read the date 'bad date'")]
    paris = store.articles(Filters(text="Paris"))[0]
    assert paris.title == "Paris votes" and paris.url == "https://example.org/p"
    assert paris.published is not None and paris.published.hour == 10 and paris.date_source == "metadata"
    zurich = store.articles(Filters(text="calm"))[0]
    assert zurich.published is not None and zurich.published.hour == 10  # 12:00 +02:00 in UTC


def test_csv_with_mapping_rows_and_errors(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text(
        "headline,story,when,lang\n"
        'Berlin,"Berlin votes, then Hamburg.",2024-01-02,de\n'
        "Empty,,2024-01-03,de\n"
        '"Multi\nline",Paris is calm.,2024-01-04,fr\n'
        "Too,many,fields,here,extra\n",
        encoding="utf-8",
    )
    opts = IngestOptions(mapping={"title": "headline", "text": "story", "published": "when"})
    summary = run(store, [str(path)], opts)
    assert (summary.added, summary.skipped) == (2, 2)
    assert [(p, m) for _, p, m in summary.errors] == [
        ("row 3", "no article text (column 'story'); map it with --map text=COLUMN"),
        ("row 5 (line 6)", "1 more fields than the header"),
    ]
    assert store.facets(Filters())["languages"] == {"de": 1, "fr": 1}


def test_bad_files_are_reported_and_the_rest_goes_in(store: Store, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "good.txt").write_text("Berlin today\nBerlin is sunny.", encoding="utf-8")
    (root / "latin1.txt").write_bytes("Zürich heute".encode("latin-1"))
    (root / "empty.txt").write_text("   \n\n", encoding="utf-8")
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (root / "broken.jsonl.gz").write_bytes(b"not gzip at all")
    summary = run(store, [str(root)])
    assert summary.added == 1 and summary.skipped == 4 and summary.exit_code == 1
    errors = {Path(s).name: m for s, _, m in summary.errors}
    assert errors["latin1.txt"].startswith("not UTF-8 text (byte 1)")
    assert errors["empty.txt"] == "empty article"
    assert errors["image.txt"] == "binary file, not text"
    assert errors["broken.jsonl.gz"].startswith("unreadable file")
    assert store.stats()["ingest_errors"] == 4 and store.stats()["last_run"]["skipped"] == 4


def test_a_failing_geoparse_skips_only_that_article(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps({"text": "BOOM in Berlin"}) + "\n" + json.dumps({"text": "Calm in Paris"}) + "\n")
    summary = run(store, [str(path)], geoparser=failing_geoparse)
    assert summary.added == 1
    assert summary.errors == [(str(path), "line 1", "geoparse/topics failed: RuntimeError: geoparser bug")]


def test_missing_source_and_bad_mapping_fail_before_anything(store: Store) -> None:
    with pytest.raises(InputError, match="no such file or folder: nowhere"):
        run(store, ["nowhere"])
    with pytest.raises(ConfigurationError, match="unknown field 'headline'"):
        parse_mapping(("headline=title",))
    with pytest.raises(ConfigurationError, match="write FIELD=COLUMN"):
        parse_mapping(("title",))
    assert store.stats()["ingest_runs"] == 0


def test_stdin_is_sniffed() -> None:
    opts = IngestOptions()
    (jl,) = read_stdin(opts, io.BytesIO(b'{"text": "Paris"}\n'))
    assert jl.article is not None and jl.position == "line 1"
    (cs,) = read_stdin(opts, io.BytesIO(b"title,text\nT,Berlin calm\n"))
    assert cs.article is not None and cs.article.title == "T"
    (tx,) = read_stdin(opts, io.BytesIO("Zürich\nZürich is calm.".encode()))
    assert tx.article is not None and tx.article.title == "Zürich"


def test_language_comes_from_the_source_else_the_detector(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    path.write_text(
        json.dumps({"text": "Der Bürgermeister von Berlin sagt, dass die Stadt und das Land sparen."}) + "\n"
        + json.dumps({"text": "Paris is where the mayor said that the city will save.", "lang": "en"}) + "\n"
    )
    run(store, [str(path)])
    assert store.facets(Filters())["languages"] == {"de": 1, "en": 1}


def test_gzipped_jsonl_and_workers(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl.gz"
    lines = [json.dumps({"text": f"Report {i} from Berlin and Hamburg.", "published": "2024-02-01"})
             for i in range(60)]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    summary = run(store, [str(path)], workers=2, batch_size=25)
    assert summary.added == 60 and summary.mentions == 120
    assert store.country_counts(Filters()) == [("DE", 60)]


def test_killing_a_run_leaves_a_consistent_store_and_rerun_completes(tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    src = tmp_path / "big.jsonl"
    src.write_text("\n".join(json.dumps({"text": f"Item {i}: Berlin and Paris and Berlin."}) for i in range(400)))
    helpers = Path(__file__).resolve().parent
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(helpers)!r})
        from ingest_helpers import toy_geoparse
        from dashboard.ingest import Ingestor
        from dashboard.ingest.progress import Progress
        from dashboard.store import open_store
        store = open_store({f"sqlite:///{db}"!r})
        progress = Progress(sys.stderr, enabled=True, interval=0.0)
        Ingestor(store, geoparser=toy_geoparse, use_default_tagger=False, batch_size=10,
                 progress=progress).run([{str(src)!r}])
        print("finished", file=sys.stderr)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    assert proc.stderr is not None
    first = proc.stderr.read(len("\ringest: "))  # printed only after the first batch is committed
    proc.kill()
    proc.wait()
    assert first == b"\ringest: "
    with open_store(f"sqlite:///{db}") as store:
        conn = store._conn()
        assert conn.scalar("PRAGMA integrity_check") == "ok"
        n = store.stats()["articles"]
        assert n % 10 == 0 and 10 <= n < 400
        # every stored article has all of its mentions and aggregates
        assert store.stats()["mentions"] == 3 * n
        assert conn.scalar("SELECT COUNT(*) FROM article_places") == 2 * n
        summary = Ingestor(store, geoparser=toy_geoparse, use_default_tagger=False).run([str(src)])
        assert summary.added == 400 - n and summary.duplicates == n
        assert store.stats()["articles"] == 400
        (berlin,) = store.place_summaries(Filters(place_ids=(PLACES["Berlin"].id,)))
        assert (berlin.articles, berlin.mentions) == (400, 800)


def test_syndicated_copies_are_linked_to_one_story(store: Store, tmp_path: Path) -> None:
    body = ("The mayor of Berlin met the mayor of Paris on Monday to sign an agreement on trains, "
            "housing and climate, and both cities promised to share data on traffic and air quality.")
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"text": body, "source": "wire"},
        {"text": body + " Reporting by A. Writer.", "source": "paper"},
        {"text": "Hamburg port workers strike for a second day over pay; ships wait at anchor in the Elbe.",
         "source": "paper"},
    ]) + "\n")
    summary = run(store, [str(path)])
    assert (summary.added, summary.near_duplicates) == (3, 1)
    stats = store.stats()
    assert (stats["articles"], stats["stories"]) == (3, 2)
    berlin = store.place_summaries(Filters(place_ids=(PLACES["Berlin"].id,)))[0]
    assert berlin.articles == 1
    # a later run links new copies to stories stored before
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"text": "UPDATE: " + body, "source": "blog"}) + "\n")
    assert run(store, [str(later)]).near_duplicates == 1
    assert store.stats()["stories"] == 2
