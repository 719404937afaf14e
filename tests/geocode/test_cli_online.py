"""`geocode --online`: the CLI falls back to a Nominatim-like server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dashboard import config
from dashboard.cli import main

from .conftest import FakeGeoServer, Reply

HIT = [{
    "place_id": 999, "osm_type": "node", "osm_id": 1, "lat": "14.8361", "lon": "120.9822",
    "display_name": "Pandi, Bulacan, Central Luzon, Philippines", "class": "place", "type": "town",
    "importance": 0.4, "address": {"town": "Pandi", "state": "Bulacan", "country": "Philippines",
                                   "country_code": "ph"},
}]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """A fresh geocoder cache per test (under a temporary data folder), the shared place index."""
    monkeypatch.setenv("DASHBOARD_INDEX", str(config.index_path()))


def run(server: FakeGeoServer, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["geocode", *args, "--online", "nominatim", "--online-domain",
                                     server.domain, "--online-scheme", "http", "--json"], env=env)


def test_offline_hit_never_asks_the_server(geo_server: FakeGeoServer):
    r = run(geo_server, "Peking")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["raw"]["name"] == "Beijing"
    assert geo_server.count == 0


def test_offline_miss_asks_the_server(geo_server: FakeGeoServer):
    geo_server.reply(Reply(body=HIT))
    r = run(geo_server, "Xyzzy Pandi Barangay")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["address"].startswith("Pandi, Bulacan") and abs(d["lat"] - 14.8361) < 1e-6
    assert geo_server.count == 1


def test_server_error_is_a_clean_fallback_or_a_strict_error(geo_server: FakeGeoServer):
    geo_server.reply(Reply(status=500, body={"error": "boom"}), Reply(status=500, body={"error": "boom"}))
    r = run(geo_server, "Xyzzy Nowhere")
    assert r.exit_code == 1 and r.output.strip().endswith("Error: no place found for 'Xyzzy Nowhere'")
    geo_server.reply(*[Reply(status=500, body={"error": "boom"})] * 4)
    r = run(geo_server, "Xyzzy Elsewhere", "--strict")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert r.output.strip().splitlines()[-1].startswith("Error:")
