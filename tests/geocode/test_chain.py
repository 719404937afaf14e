"""FallbackGeocoder: offline first, online only on a miss, a clean fallback when online fails."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from dashboard.errors import ConfigurationError, GeocodeTimeout, GeocodeUnavailable
from dashboard.geocode import FallbackGeocoder, OnlineGeocoder, make_online_geocoder

from .conftest import FakeGeoServer, Reply

AGENT = "news-map-dashboard-tests/1.0 (tests@example.org)"


class MemoryGeocoder(Geocoder):
    """A real geopy Geocoder answering from a dict, standing in for the offline gazetteer."""

    def __init__(self, places: dict[str, tuple[float, float]]) -> None:
        super().__init__(user_agent="memory")
        self.places = places
        self.calls: list[tuple[str, Any]] = []

    def geocode(self, query: Any, *, exactly_one: bool = True, **kwargs: Any) -> Any:
        self.calls.append(("geocode", query))
        found = [Location(query, self.places[query], {"source": "memory"})] if query in self.places else []
        return (found[0] if found else None) if exactly_one else found

    def reverse(self, query: Any, *, exactly_one: bool = True, **kwargs: Any) -> Any:
        self.calls.append(("reverse", query))
        return None if exactly_one else []


@pytest.fixture
def primary() -> MemoryGeocoder:
    return MemoryGeocoder({"Almaty": (43.25, 76.95)})


def online(server: FakeGeoServer, tmp_path: Path, **kwargs: Any) -> OnlineGeocoder:
    options: dict[str, Any] = {
        "domain": server.domain,
        "scheme": "http",
        "user_agent": AGENT,
        "min_delay_seconds": 0.0,
        "max_retries": 0,
        "cache_path": tmp_path / "geocode.sqlite",
    }
    options.update(kwargs)
    return make_online_geocoder(**options)


def test_primary_hit_never_asks_online(
    geo_server: FakeGeoServer, tmp_path: Path, primary: MemoryGeocoder
) -> None:
    chain = FallbackGeocoder(primary, online(geo_server, tmp_path))
    loc = chain.geocode("Almaty", language="de")
    assert isinstance(chain, Geocoder)
    assert isinstance(loc, Location) and loc.raw == {"source": "memory"}
    assert geo_server.count == 0


def test_primary_miss_then_online_hit(
    geo_server: FakeGeoServer, tmp_path: Path, primary: MemoryGeocoder
) -> None:
    chain = FallbackGeocoder(primary, online(geo_server, tmp_path))
    loc = chain.geocode("Samarkand")
    assert isinstance(loc, Location)
    assert loc.raw["place_id"] == 101
    assert primary.calls == [("geocode", "Samarkand")]
    assert chain.geocode("Atlantis") is None
    assert chain.geocode("Atlantis", exactly_one=False) == []
    assert geo_server.count == 3


def test_reverse_falls_back_too(geo_server: FakeGeoServer, tmp_path: Path, primary: MemoryGeocoder) -> None:
    loc = FallbackGeocoder(primary, online(geo_server, tmp_path)).reverse((39.65, 66.97))
    assert isinstance(loc, Location) and loc.raw["place_id"] == 101
    assert primary.calls == [("reverse", (39.65, 66.97))]


def test_online_failure_is_a_clean_fallback(
    geo_server: FakeGeoServer, tmp_path: Path, primary: MemoryGeocoder, caplog: pytest.LogCaptureFixture
) -> None:
    geo_server.reply(Reply(status=500, body={"error": "boom"}))
    chain = FallbackGeocoder(primary, online(geo_server, tmp_path))
    with caplog.at_level(logging.WARNING, logger="dashboard.geocode.chain"):
        assert chain.geocode("Samarkand") is None
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "'Samarkand'" in record.getMessage()
    assert f"nominatim at {geo_server.domain}" in record.getMessage()
    assert chain.geocode("Samarkand") is not None  # the failure was not cached


def test_strict_raises_the_typed_error(
    geo_server: FakeGeoServer, tmp_path: Path, primary: MemoryGeocoder
) -> None:
    geo_server.reply(Reply(status=500, body={}), Reply(body=[], delay=2.0))
    chain = FallbackGeocoder(primary, online(geo_server, tmp_path, timeout=0.3), strict=True)
    with pytest.raises(GeocodeUnavailable, match="HTTP 500"):
        chain.geocode("Samarkand")
    with pytest.raises(GeocodeTimeout):
        chain.geocode("Samarkand")
    assert chain.geocode("Almaty") is not None  # a primary hit never touches the failing service


def test_repeated_failures_pause_the_online_service(
    geo_server: FakeGeoServer, tmp_path: Path, primary: MemoryGeocoder, caplog: pytest.LogCaptureFixture
) -> None:
    geo_server.always = Reply(status=502, body={})
    chain = FallbackGeocoder(primary, online(geo_server, tmp_path), max_failures=2, cooldown_seconds=60)
    with caplog.at_level(logging.WARNING, logger="dashboard.geocode.chain"):
        for name in ("Samarkand", "Springfield", "Atlantis", "Bukhara"):
            assert chain.geocode(name) is None
    assert geo_server.count == 2
    assert chain.online_paused
    assert "not asking it for 60 s" in caplog.records[-1].getMessage()


def test_plain_geopy_online_errors_are_translated(geo_server: FakeGeoServer, primary: MemoryGeocoder) -> None:
    geo_server.reply(Reply(status=500, body={}))
    plain = Nominatim(domain=geo_server.domain, scheme="http", user_agent=AGENT)
    chain = FallbackGeocoder(primary, plain, strict=True)
    with pytest.raises(GeocodeUnavailable, match=f"Nominatim at {geo_server.domain}"):
        chain.geocode("Samarkand")


def test_bad_chain_configuration(primary: MemoryGeocoder) -> None:
    with pytest.raises(ConfigurationError, match="geopy Geocoder"):
        FallbackGeocoder(primary, object())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_failures"):
        FallbackGeocoder(primary, primary, max_failures=0)
