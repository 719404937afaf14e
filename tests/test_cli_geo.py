"""CLI: build-index, geocode, reverse, geoparse — exit codes and exact messages."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dashboard.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_geocode_peking(place_index):
    r = run("geocode", "Peking")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Beijing, China: 39.90750, 116.39723  city  geonameid 1816670")


def test_geocode_json_and_all(place_index):
    r = run("geocode", "Kasachstan", "--lang", "de", "--json")
    assert json.loads(r.output)["raw"]["country_code"] == "KZ"
    r = run("geocode", "Paris", "--all", "--json")
    assert [d["raw"]["country_code"] for d in json.loads(r.output)][:2] == ["FR", "US"]


def test_geocode_user_mistakes(place_index):
    r = run("geocode", "  ")
    assert r.exit_code == 1 and r.output.strip() == "Error: the query is empty"
    r = run("geocode", "Xyzzyplugh")
    assert r.exit_code == 1 and r.output.strip() == "Error: no place found for 'Xyzzyplugh'"
    assert "Traceback" not in r.output


def test_reverse(place_index):
    r = run("reverse", "39.9", "116.4", "--json")
    d = json.loads(r.output)
    assert d["country"]["country_code"] == "CN" and d["admin1"]["name"] == "Beijing"
    r = run("reverse", "100", "0")
    assert r.exit_code == 1
    assert r.output.strip() == "Error: (100.0, 0.0) is not a point: latitude must be within ±90 and longitude within ±180"


def test_build_index_if_stale_is_quick_when_current(place_index):
    r = run("build-index", "--if-stale")
    assert r.exit_code == 0 and r.output.startswith("Place index is current")


def test_geoparse_file(tmp_path, seed_text):
    f = tmp_path / "a.txt"
    f.write_text(seed_text, encoding="utf-8")
    r = run("geoparse", str(f))
    d = json.loads(r.output)
    assert d["lang"] == "de" and d["mentions"][0]["surface"] == "PEKING"


def test_geoparse_jsonl_goes_on_after_a_bad_line(tmp_path):
    lines = [json.dumps({"id": "a", "text": "Riots in Kasachstan.", "lang": "de"}), "{broken", json.dumps({"id": "c"}),
             json.dumps({"id": "d", "text": "Flooding in Texas."})]
    r = CliRunner().invoke(main, ["geoparse", "--jsonl", "-"], input="\n".join(lines))
    out = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert [o["id"] for o in out] == ["a", 2, "c", "d"]
    assert out[0]["mentions"][0]["name"] == "Kazakhstan"
    assert "error" in out[1] and "line 2" in out[1]["error"]
    assert out[2]["error"] == "line 3: missing or non-string 'text'"
    assert out[3]["lang"] == "en" and out[3]["mentions"][0]["name"] == "Texas"


def test_geoparse_rejects_non_utf8(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes("Grüße aus Köln".encode("latin-1"))
    r = run("geoparse", str(f))
    assert r.exit_code == 1 and "not UTF-8 text" in r.output
    r = run("geoparse", str(tmp_path / "missing.txt"))
    assert r.exit_code == 1 and "no such file" in r.output


def test_geoparse_jsonl_keeps_unicode_line_separators_and_skips_bad_bytes(tmp_path):
    f = tmp_path / "docs.jsonl"
    good = json.dumps({"id": "a", "text": "Floods in Texas.\u2028More rain in Ohio."}, ensure_ascii=False)
    f.write_bytes(good.encode() + b"\n" + b'{"id": "b", "text": "caf\xe9 in Paris"}\n'
                  + json.dumps({"id": "c", "text": "Snow in Peking.", "lang": "de"}).encode() + b"\n")
    r = CliRunner().invoke(main, ["geoparse", "--jsonl", str(f)])
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 2, "c"]
    assert [m["name"] for m in out[0]["mentions"]] == ["Texas", "Ohio"]
    assert out[1]["error"] == "line 2: not UTF-8"
    assert out[2]["mentions"][0]["name"] == "Beijing"
