"""The online geocoder against a real local HTTP server: answers, cache, errors, pacing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from geopy.exc import GeocoderServiceError
from geopy.location import Location

from dashboard.errors import (
    ConfigurationError,
    GeocodeError,
    GeocodeRateLimited,
    GeocodeTimeout,
    GeocodeUnavailable,
    InputError,
)
from dashboard.geocode import GeocodeCache, OnlineGeocoder, make_online_geocoder
from dashboard.geocode.online import USER_AGENT_ENV

from .conftest import FakeGeoServer, Reply

AGENT = "news-map-dashboard-tests/1.0 (tests@example.org)"


def make(
    server: FakeGeoServer, tmp_path: Path, service: str = "nominatim", **kwargs: object
) -> OnlineGeocoder:
    options: dict[str, object] = {
        "domain": server.domain,
        "scheme": "http",
        "user_agent": AGENT,
        "timeout": 2.0,
        "min_delay_seconds": 0.0,
        "cache_path": tmp_path / "geocode.sqlite",
        "error_wait_seconds": 0.01,
    }
    options.update(kwargs)
    return make_online_geocoder(service, **options)  # type: ignore[arg-type]


# --- Nominatim answers ---------------------------------------------------------------------


def test_nominatim_hit_returns_location_with_raw_answer(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geocoder = make(geo_server, tmp_path)
    loc = geocoder.geocode("Samarkand")
    assert isinstance(loc, Location)
    assert loc.address == "Samarkand, Samarqand Region, Uzbekistan"
    assert (loc.latitude, loc.longitude) == pytest.approx((39.6547, 66.9758))
    assert loc.raw["place_id"] == 101
    assert loc.raw["osm_type"] == "relation"
    assert loc.raw["address"]["country_code"] == "uz"
    [seen] = geo_server.seen
    assert seen.path == "/search"
    assert seen.params["q"] == "Samarkand"
    assert seen.params["format"] == "json"
    assert seen.params["limit"] == "1"
    assert seen.headers["User-Agent"] == AGENT


def test_default_user_agent_names_the_project(
    geo_server: FakeGeoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(USER_AGENT_ENV, raising=False)
    make(geo_server, tmp_path, user_agent=None).geocode("Samarkand")
    assert geo_server.seen[0].headers["User-Agent"].startswith("news-map-dashboard/")
    monkeypatch.setenv(USER_AGENT_ENV, "newsroom-map/2.0 (desk@example.org)")
    make(geo_server, tmp_path, user_agent=None, use_cache=False).geocode("Samarkand")
    assert geo_server.seen[1].headers["User-Agent"] == "newsroom-map/2.0 (desk@example.org)"


def test_several_results_and_country_filter(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geocoder = make(geo_server, tmp_path)
    both = geocoder.geocode("Springfield", exactly_one=False)
    assert isinstance(both, list)
    assert [loc.raw["address"]["country_code"] for loc in both] == ["us", "au"]
    au = geocoder.geocode("Springfield", country_codes="AU")
    assert isinstance(au, Location) and au.raw["place_id"] == 303
    assert geo_server.seen[-1].params["countrycodes"] == "au"


def test_nothing_found_is_none_and_cached(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geocoder = make(geo_server, tmp_path)
    assert geocoder.geocode("Atlantis") is None
    assert geocoder.geocode("  atlantis ") is None  # same key: case and spacing do not matter
    assert geocoder.geocode("Atlantis", exactly_one=False) == []
    assert geo_server.count == 2  # exactly_one=False is another question, asked once
    assert geocoder.cache is not None and geocoder.cache.count() == 2


def test_language_is_sent_and_part_of_the_key(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geocoder = make(geo_server, tmp_path)
    ru = geocoder.geocode("Samarkand", language="ru")
    en = geocoder.geocode("Samarkand")
    assert isinstance(ru, Location) and ru.address.startswith("Самарканд")
    assert isinstance(en, Location) and en.address.startswith("Samarkand")
    assert [s.params.get("accept-language") for s in geo_server.seen] == ["ru", None]


def test_cache_persists_across_instances(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    first = make(geo_server, tmp_path).geocode("Samarkand")
    second = make(geo_server, tmp_path).geocode("Samarkand")
    assert geo_server.count == 1
    assert second == first
    assert second is not None and second.raw == first.raw  # type: ignore[union-attr]


def test_negative_answers_expire_sooner(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    now = [1_000_000.0]
    cache = GeocodeCache(tmp_path / "ttl.sqlite", positive_ttl=100.0, negative_ttl=10.0, clock=lambda: now[0])
    geocoder = make(geo_server, tmp_path, use_cache=False)
    geocoder.cache = cache
    geocoder.geocode("Samarkand")
    geocoder.geocode("Atlantis")
    now[0] += 50
    geocoder.geocode("Samarkand")
    geocoder.geocode("Atlantis")
    assert [s.params["q"] for s in geo_server.seen] == ["Samarkand", "Atlantis", "Atlantis"]
    now[0] += 100
    assert cache.purge_expired() == 2
    assert cache.count() == 0


def test_nominatim_reverse(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geocoder = make(geo_server, tmp_path)
    loc = geocoder.reverse((39.65, 66.97))
    assert isinstance(loc, Location) and loc.raw["place_id"] == 101
    assert geocoder.reverse("0, 0") is None  # {"error": "Unable to geocode"}
    assert geocoder.reverse((0.0, 0.0)) is None
    assert geo_server.count == 2
    assert geo_server.seen[0].path == "/reverse" and geo_server.seen[0].params["lat"] == "39.65"


# --- Photon answers ------------------------------------------------------------------------


def test_photon_geocode_and_reverse(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geocoder = make(geo_server, tmp_path, "photon")
    loc = geocoder.geocode("Samarkand", language="de")
    assert isinstance(loc, Location)
    assert loc.address == "Samarkand, Samarqand Region, Uzbekistan"
    assert (loc.latitude, loc.longitude) == pytest.approx((39.6547, 66.9758))
    assert loc.raw["properties"]["countrycode"] == "UZ"
    assert geo_server.seen[0].path == "/api" and geo_server.seen[0].params["lang"] == "de"
    back = geocoder.reverse((-27.65, 152.92))
    assert isinstance(back, Location) and back.raw["properties"]["state"] == "Queensland"
    assert geo_server.seen[1].path == "/reverse" and "format" not in geo_server.seen[1].params
    assert geocoder.geocode("Atlantis") is None


def test_photon_country_filter_is_applied_locally(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    loc = make(geo_server, tmp_path, "photon").geocode("Springfield", country_codes=["au"])
    assert isinstance(loc, Location) and loc.raw["properties"]["state"] == "Queensland"
    assert int(geo_server.seen[0].params["limit"]) > 1


# --- errors --------------------------------------------------------------------------------


def test_429_is_rate_limited(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geo_server.reply(Reply(status=429, body={"error": "slow down"}, headers={"Retry-After": "120"}))
    geocoder = make(geo_server, tmp_path, max_retries=2)
    started = time.monotonic()
    with pytest.raises(GeocodeRateLimited, match=rf"nominatim at {geo_server.domain}.*429") as info:
        geocoder.geocode("Samarkand")
    assert isinstance(info.value.__cause__, GeocoderServiceError)
    assert geo_server.count == 1  # Retry-After beyond our patience: not retried ...
    assert time.monotonic() - started < 1.0  # ... and not slept on inside the HTTP library either
    assert geocoder.geocode("Samarkand") is not None  # errors are not cached


def test_429_with_short_retry_after_is_retried(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geo_server.reply(Reply(status=429, body=[], headers={"Retry-After": "0"}))
    assert make(geo_server, tmp_path).geocode("Samarkand") is not None
    assert geo_server.count == 2


def test_500_is_unavailable_after_bounded_retries(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geo_server.always = Reply(status=500, body={"error": "boom"})
    geocoder = make(geo_server, tmp_path, max_retries=2)
    with pytest.raises(GeocodeUnavailable, match=rf"nominatim at {geo_server.domain}.*HTTP 500"):
        geocoder.geocode("Samarkand")
    assert geo_server.count == 3
    assert geocoder.cache is not None and geocoder.cache.count() == 0


def test_one_500_then_success_is_retried(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geo_server.reply(Reply(status=500, body={}))
    assert make(geo_server, tmp_path, max_retries=1).geocode("Samarkand") is not None
    assert geo_server.count == 2


def test_503_reads_as_unavailable_not_timeout(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geo_server.reply(Reply(status=503, body={}))
    with pytest.raises(GeocodeUnavailable, match="HTTP 503"):
        make(geo_server, tmp_path, "photon", max_retries=0).geocode("Samarkand")


def test_timeout_is_bounded(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geo_server.reply(Reply(body=[], delay=2.0))
    geocoder = make(geo_server, tmp_path, timeout=0.5, max_retries=2)
    started = time.monotonic()
    with pytest.raises(
        GeocodeTimeout, match=rf"nominatim at {geo_server.domain} did not answer within 0.5 s"
    ):
        geocoder.geocode("Samarkand")
    assert time.monotonic() - started < 1.5
    assert geo_server.count == 1  # timeouts are not retried
    with pytest.raises(TimeoutError):  # also catchable as the built-in
        geo_server.reply(Reply(body=[], delay=2.0))
        geocoder.geocode("Springfield")


def test_connection_refused_is_unavailable(free_port: int, tmp_path: Path) -> None:
    geocoder = make_online_geocoder(
        domain=f"127.0.0.1:{free_port}",
        scheme="http",
        user_agent=AGENT,
        min_delay_seconds=0,
        max_retries=0,
        cache_path=tmp_path / "c.sqlite",
    )
    with pytest.raises(GeocodeUnavailable, match=f"127.0.0.1:{free_port}") as info:
        geocoder.geocode("Samarkand")
    assert isinstance(info.value, ConnectionError)


def test_garbled_answers_are_geocode_errors(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geo_server.reply(Reply(text="<html>proxy error</html>"), Reply(body={"unexpected": True}))
    with pytest.raises(GeocodeError, match="nominatim"):
        make(geo_server, tmp_path).geocode("Samarkand")
    with pytest.raises(GeocodeError, match="answered oddly"):
        make(geo_server, tmp_path, "photon").geocode("Samarkand")


def test_bad_queries_are_input_errors(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    photon = make(geo_server, tmp_path, "photon")
    with pytest.raises(InputError, match="structured"):
        photon.geocode({"city": "Samarkand"})
    with pytest.raises(InputError, match="alpha-2"):
        photon.geocode("Samarkand", country_codes="Uzbekistan")
    with pytest.raises(InputError, match="latitude, longitude"):
        photon.reverse("somewhere")
    assert photon.geocode("   ") is None
    assert geo_server.count == 0


# --- pacing --------------------------------------------------------------------------------


def test_rate_limiter_spaces_requests(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geocoder = make(geo_server, tmp_path, min_delay_seconds=0.1)
    other = make(geo_server, tmp_path, min_delay_seconds=0.1, cache_path=tmp_path / "other.sqlite")
    for name in ("Samarkand", "Springfield", "Atlantis"):
        geocoder.geocode(name)
    other.geocode("Samarkand")  # another object, same server: same spacing
    times = [s.at for s in geo_server.seen]
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.08, gaps


# --- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "fix"),
    [
        ({"service": "google"}, "use one of nominatim, photon"),
        ({"user_agent": "  "}, "names your application"),
        ({"user_agent": "geopy/2.5.0"}, "names your application"),
        ({"scheme": "ftp"}, "use 'https' or 'http'"),
        ({"domain": "http://127.0.0.1:8080"}, "scheme=.http."),
        ({"domain": ""}, "not a host"),
        ({"timeout": 0}, "positive seconds"),
        ({"min_delay_seconds": -1}, "zero or more"),
        ({"domain": None, "min_delay_seconds": 0.5}, "one request per second"),
        ({"max_retries": 9}, "from 0 to 5"),
    ],
)
def test_bad_configuration_fails_at_construction(tmp_path: Path, kwargs: dict[str, object], fix: str) -> None:
    options: dict[str, object] = {"service": "nominatim", "domain": "127.0.0.1:9", "user_agent": AGENT}
    options.update(kwargs)
    cache_path = tmp_path / "never.sqlite"
    with pytest.raises(ConfigurationError, match=fix):
        make_online_geocoder(cache_path=cache_path, **options)  # type: ignore[arg-type]
    assert not cache_path.exists()


def test_defaults_point_at_public_servers(tmp_path: Path) -> None:
    nominatim = make_online_geocoder(cache_path=tmp_path / "a.sqlite")
    photon = make_online_geocoder("photon", cache_path=tmp_path / "a.sqlite")
    assert (nominatim.domain, nominatim.scheme, nominatim.timeout) == (
        "nominatim.openstreetmap.org",
        "https",
        10.0,
    )
    assert photon.domain == "photon.komoot.io"
    assert nominatim.min_delay_seconds == 1.0


def test_default_cache_lives_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "data"))
    geocoder = make_online_geocoder(domain="127.0.0.1:9", scheme="http", user_agent=AGENT)
    assert geocoder.cache is not None
    assert geocoder.cache.path == tmp_path / "data" / "cache" / "geocode.sqlite"
    assert geocoder.cache.path.exists()


# --- sharing and robustness -----------------------------------------------------------------


def test_threads_share_one_geocoder_and_cache(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    geocoder = make(geo_server, tmp_path)
    names = ["Samarkand", "Springfield", "Atlantis"] * 8
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(geocoder.geocode, names))
    assert [a.raw["place_id"] if isinstance(a, Location) else a for a in answers[:3]] == [101, 202, None]
    assert answers[3:] == answers[:3] * 7
    assert geocoder.cache is not None and geocoder.cache.count() == 3
    assert geo_server.count <= len(names)  # concurrent first lookups may both ask; later ones hit the cache


def test_structured_query_goes_to_nominatim(geo_server: FakeGeoServer, tmp_path: Path) -> None:
    geocoder = make(geo_server, tmp_path)
    geocoder.geocode({"city": " Samarkand ", "country": "Uzbekistan", "state": ""})
    geocoder.geocode({"country": "uzbekistan", "city": "samarkand"})  # same question
    assert geo_server.count == 1
    assert geo_server.seen[0].params["city"] == "Samarkand"
    assert "state" not in geo_server.seen[0].params and "q" not in geo_server.seen[0].params


def test_unreadable_cache_degrades_to_the_network(
    geo_server: FakeGeoServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    geocoder = make(geo_server, tmp_path)
    assert geocoder.cache is not None
    geocoder.cache.path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level("WARNING", logger="dashboard.geocode.cache"):
        assert isinstance(geocoder.geocode("Samarkand"), Location)
    assert geo_server.count == 1
    assert "geocode cache" in caplog.text
