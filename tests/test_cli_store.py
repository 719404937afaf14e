"""The store commands end to end: ingest, export, stats, correct, with exact messages and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.models import Article, Filters, GeoparseResult, Mention, Place
from dashboard.store import open_store

BERLIN = Place("gn:2950159", "Berlin", "city", 52.52437, 13.41053, 2950159, "DE", "16", 3426354)
PARIS = Place("gn:2988507", "Paris", "city", 48.85341, 2.3488, 2988507, "FR", "11", 2138551)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'news.sqlite'}"


@pytest.fixture
def filled(db: str) -> str:
    """A store with two articles written through the store API (no geoparser needed)."""
    with open_store(db) as store:
        text = "Berlin and Paris talk. Berlin agrees."
        mentions = (Mention(0, 6, "Berlin", BERLIN, "dateline"), Mention(11, 16, "Paris", PARIS),
                    Mention(23, 29, "Berlin", BERLIN))
        store.add_article(Article(text, title="Talks", source="wire", lang="en"), GeoparseResult("en", mentions), ())
        text2 = "Paris is calm today."
        store.add_article(Article(text2, title="Calm", source="paper", lang="en"),
                          GeoparseResult("en", (Mention(0, 5, "Paris", PARIS),)), ())
    return db


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_export_geojson(filled: str) -> None:
    result = invoke("export", "--format", "geojson", "--db", filled)
    assert result.exit_code == 0
    data = json.loads(result.output)
    features = {f["properties"]["name"]: f for f in data["features"]}
    assert features["Paris"]["properties"]["articles"] == 2
    assert features["Berlin"]["properties"]["mentions"] == 2
    assert features["Berlin"]["geometry"]["coordinates"] == [13.41053, 52.52437]


def test_export_csv_one_mention_per_row_with_filters(filled: str, tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    result = invoke("export", "--format", "csv", "--country", "DE", "-o", str(out), "--db", filled)
    assert result.exit_code == 0
    assert result.output == f"Wrote 2 mention rows to {out}.\n"
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["surface"], r["start"], r["role"]) for r in rows] == [("Berlin", "0", "dateline"), ("Berlin", "23", "mention")]


def test_export_jsonl_one_article_per_line_with_mentions(filled: str) -> None:
    result = invoke("export", "--format", "jsonl", "--search", "calm", "--db", filled)
    (line,) = result.output.splitlines()
    article = json.loads(line)
    assert article["title"] == "Calm" and article["mentions"][0]["name"] == "Paris"


def test_stats_json_and_text(filled: str) -> None:
    data = json.loads(invoke("stats", "--json", "--db", filled).output)
    assert data["articles"] == 2 and data["mentions"] == 4
    text = invoke("stats", "--db", filled).output
    assert "Articles:    2 in 2 stories, 1 language(s), 2 source(s)" in text


def test_correct_marks_not_a_place(filled: str) -> None:
    result = invoke("correct", "1", "11", "16", "--not-a-place", "--db", filled)
    assert result.exit_code == 0 and result.output == "Correction #1: article 1 [11:16] -> not a place.\n"
    with open_store(filled) as store:
        assert store.article(1).places == ("Berlin",)  # type: ignore[union-attr]


def test_user_mistakes_are_one_line_and_non_zero(filled: str) -> None:
    bad = invoke("correct", "1", "11", "16", "--db", filled)
    assert (bad.exit_code, bad.output) == (1, "Error: give exactly one of --place ID or --not-a-place\n")
    bounds = invoke("export", "--format", "csv", "--bounds", "1,2", "--db", filled)
    assert bounds.exit_code == 1
    assert bounds.output == "Error: --bounds '1,2': give four numbers S,W,N,E, e.g. --bounds 35,45,55,90\n"
    missing = invoke("ingest", "no/such/dir", "--db", filled)
    assert (missing.exit_code, missing.output) == (1, "Error: no such file or folder: no/such/dir\n")
    url = invoke("stats", "--db", "mysql://x")
    assert url.exit_code == 1 and url.output.startswith("Error: unknown store URL 'mysql://x'")
    mapping = invoke("ingest", "-", "--map", "headline", "--db", filled, input="")
    assert mapping.exit_code == 1
    assert mapping.output == "Error: --map 'headline': write FIELD=COLUMN, e.g. --map title=headline\n"


def test_ingest_if_empty_does_nothing_on_a_filled_store(filled: str) -> None:
    result = invoke("ingest", "seeds/", "--if-empty", "--db", filled)
    assert result.exit_code == 0
    assert result.output.startswith("The store already has articles; nothing to do (--if-empty)")


def test_ingest_stdin_reports_skipped_records_and_exits_1(db: str) -> None:
    pytest.importorskip("dashboard.geoparse")
    data = '{"text": "Heavy rain in Berlin today.", "published": "2024-03-01"}\n{broken\n'
    result = invoke("ingest", "-", "--db", db, "--lang", "en", input=data)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("Ingested 1 new article(s)") and "1 skipped, from 2 record(s)" in lines[0]
    assert lines[1] == "  skipped -:line 2: broken JSON: Expecting property name enclosed in double quotes (column 2)"
    with open_store(db) as store:
        (row,) = store.articles(Filters())
        assert row.lang == "en" and row.published is not None and row.published.day == 1


def test_every_command_has_an_example() -> None:
    for name in ("ingest", "export", "stats", "reparse", "correct"):
        result = invoke(name, "--help")
        assert result.exit_code == 0 and "Example:" in result.output
