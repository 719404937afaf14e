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


BRI_RULES = """
[topics.belt-and-road]
names = { en = "Belt and Road", de = "Neue Seidenstraße" }

[topics.belt-and-road.en]
"belt and road" = 4
"silk road" = 2
"""


def test_ingest_with_user_topic_rules_reaches_the_store_and_its_filter(db: str, tmp_path: Path) -> None:
    pytest.importorskip("dashboard.geoparse")
    rules = tmp_path / "bri.toml"
    rules.write_text(BRI_RULES, encoding="utf-8")
    data = ('{"text": "A Belt and Road port opens in Gwadar, Pakistan.", "published": "2024-03-01"}\n'
            '{"text": "Heavy rain in Berlin today.", "published": "2024-03-02"}\n')
    result = invoke("ingest", "-", "--db", db, "--lang", "en", "--topic-rules", str(rules), input=data)
    assert result.exit_code == 0, result.output
    exported = invoke("export", "--format", "jsonl", "--topic", "belt-and-road", "--db", db)
    (line,) = exported.output.splitlines()
    assert json.loads(line)["title"].startswith("A Belt and Road port") and "belt-and-road" in json.loads(line)["topics"]
    with open_store(db) as store:
        assert store.facets(Filters())["topics"]["belt-and-road"] == 1


def test_a_bad_topic_rules_file_stops_ingest_before_anything_is_written(db: str, tmp_path: Path) -> None:
    rules = tmp_path / "bad.toml"
    rules.write_text('[topics.x]\nnames = { en = "X" }\n[topics.x.en]\n"bad" = "high"\n', encoding="utf-8")
    result = invoke("ingest", "-", "--db", db, "--topic-rules", str(rules), input='{"text": "Rain in Berlin."}\n')
    assert result.exit_code == 1
    assert result.output == f"Error: {rules}, line 4: topics.x.en: weight of 'bad' must be a number\n"
    with open_store(db) as store:
        assert store.is_empty()


def test_reparse_only_topics_applies_new_rules_and_leaves_places(
    filled: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "talks.toml"
    rules.write_text('[topics.talks]\nnames = { en = "Talks" }\n[topics.talks.en]\n"talk*" = 3\n', encoding="utf-8")
    result = invoke("reparse", "--only", "topics", "--topic-rules", str(rules), "--topic-rules-mode", "replace",
                    "--db", filled)
    assert (result.exit_code, result.output) == (0, "Re-parsed 2 article(s): 1 topics.\n")
    with open_store(filled) as store:
        talks = store.article(1)
        calm = store.article(2)
        assert talks is not None and calm is not None
        assert talks.topics == ("talks",) and calm.topics == ()
        assert [m.surface for m in talks.mentions] == ["Berlin", "Paris", "Berlin"]  # places untouched
        assert store.stats()["mentions"] == 4
    # the shipped rules again (a new process: --topic-rules lives in its environment): the user's topic is gone
    monkeypatch.delenv("DASHBOARD_TOPIC_RULES")
    monkeypatch.delenv("DASHBOARD_TOPIC_RULES_MODE")
    again = invoke("reparse", "--only", "topics", "--db", filled)
    assert again.exit_code == 0
    with open_store(filled) as store:
        assert "talks" not in store.facets(Filters())["topics"]


def test_region_by_name_or_id_and_a_clear_error_for_an_unknown_one(filled: str) -> None:
    pytest.importorskip("dashboard.gazetteer")
    for region in ("Europe", "Europa", "gn:6255148"):
        result = invoke("export", "--format", "jsonl", "--region", region, "--db", filled)
        assert result.exit_code == 0 and len(result.output.splitlines()) == 2, region
    assert invoke("export", "--format", "jsonl", "--region", "Central Asia", "--db", filled).output == ""
    bad = invoke("export", "--format", "jsonl", "--region", "region:central-asia", "--db", filled)
    assert bad.exit_code == 1
    assert bad.output.startswith("Error: --region 'region:central-asia': no continent or region of countries")
    assert "region:un-143 (Central Asia)" in bad.output
