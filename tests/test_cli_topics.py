"""The ``topics`` command, invoked through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.topics import default_tagger

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_2959add6671d93e8.txt"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["topics", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_text_argument_prints_topics_best_first_with_words() -> None:
    code, out, _ = run("Die Waffenruhe wurde nach neuen Luftangriffen gebrochen.", "--lang", "de")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[0] == "conflict-war-peace"
    assert "Konflikt, Krieg und Frieden: " in lines[0]
    assert "waffenruhe" in lines[0] and "luftangriffen" in lines[0]


def test_file_argument_and_json_shape() -> None:
    code, out, _ = run(str(SEED), "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["topics"]
    topics = data["topics"]
    assert [t["topic"] for t in topics[:2]] == ["politics", "conflict-war-peace"]
    assert all(set(t) == {"topic", "score", "evidence"} for t in topics)
    assert [t["score"] for t in topics] == sorted((t["score"] for t in topics), reverse=True)
    assert "sport" not in {t["topic"] for t in topics}


def test_stdin() -> None:
    code, out, _ = run(
        "-", "--json", stdin="Le séisme a fait 40 morts; les secours cherchent des survivants."
    )
    assert code == 0
    assert json.loads(out)["topics"][0]["topic"] == "disaster-accident"


def test_no_topics() -> None:
    code, out, _ = run("Hello there.")
    assert (code, out) == (0, "No topics found.\n")
    code, out, _ = run("Hello there.", "--json")
    assert (code, out) == (0, '{"topics": []}\n')


def test_categories_and_source_tags() -> None:
    code, out, _ = run("Short.", "--category", "Sports", "--category", "Gaza war", "--json")
    assert code == 0
    assert json.loads(out)["topics"] == [
        {"topic": "sport", "score": 0.6321, "evidence": ["category: Sports"]},
        {"topic": "source:Gaza war", "score": 1.0, "evidence": ["category"]},
    ]


def test_user_rules_extend_and_replace(tmp_path: Path) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text(
        '[topics.belt-and-road]\nnames = { en = "Belt and Road" }\n'
        '[topics.belt-and-road.en]\n"belt and road" = 4\n',
        encoding="utf-8",
    )
    text = "The Belt and Road forum opened as the election campaign began."
    code, out, _ = run(text, "--rules", str(rules), "--json")
    assert code == 0
    assert {t["topic"] for t in json.loads(out)["topics"]} == {"belt-and-road", "politics"}
    code, out, _ = run(text, "--rules", str(rules), "--rules-mode", "replace")
    assert code == 0
    assert out == "belt-and-road  0.49  Belt and Road: belt and road\n"


def test_bad_rules_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[topics.x.en]\n"ok" = 1\n"bad" = "heavy"\n', encoding="utf-8")
    code, out, err = run("text", "--rules", str(bad))
    assert code == 1
    assert out == ""
    assert err == f"Error: {bad}, line 3: topics.x.en: weight of 'bad' must be a number\n"


def test_rules_named_in_the_environment_are_used_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text('[topics.uyghurs.any]\n"uyghur*" = 3\n"*uiguren*" = 3\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_TOPIC_RULES", str(rules))
    code, out, _ = run("Lager für Uiguren in Xinjiang", "--json")
    assert code == 0 and "uyghurs" in [t["topic"] for t in json.loads(out)["topics"]]
    # the library's default tagger (ingest, reparse, the app) reads the same setting
    assert default_tagger().topic("uyghurs") is not None
    monkeypatch.setenv("DASHBOARD_TOPIC_RULES_MODE", "merge")
    code, _, err = run("text")
    assert code == 1 and err == "Error: DASHBOARD_TOPIC_RULES_MODE must be one of extend, replace, got 'merge'\n"
    monkeypatch.delenv("DASHBOARD_TOPIC_RULES_MODE")
    monkeypatch.setenv("DASHBOARD_TOPIC_RULES", str(tmp_path / "missing.toml"))
    code, _, err = run("text")
    assert code == 1 and err.startswith(f"Error: {tmp_path / 'missing.toml'}: cannot read topic rules:")
    monkeypatch.delenv("DASHBOARD_TOPIC_RULES")
    assert default_tagger().topic("uyghurs") is None  # back to the shipped rules
