"""The offline geocoder is a real geopy Geocoder: Location objects, RateLimiter, reverse."""

from __future__ import annotations

import pytest
from geopy.extra.rate_limiter import RateLimiter
from geopy.location import Location

from dashboard.geocode.offline import OfflineGeocoder


@pytest.fixture(scope="module")
def geocoder(place_index):
    return OfflineGeocoder(place_index)


@pytest.mark.parametrize(
    "query,language,name,lat,lon",
    [
        ("Peking", None, "Beijing", 39.9, 116.4),
        ("Kasachstan", "de", "Kazakhstan", 48.0, 68.0),
        ("Xinjiang", None, "Xinjiang", 42.0, 85.0),
        ("Samarkand", None, "Samarkand", 39.65, 66.96),
        ("Zentralasien", None, "Central Asia", 42.0, 67.0),
    ],
)
def test_geocode_examples(geocoder, query, language, name, lat, lon):
    loc = geocoder.geocode(query, language=language)
    assert isinstance(loc, Location)
    assert loc.raw["name"] == name
    assert abs(loc.latitude - lat) < 3 and abs(loc.longitude - lon) < 3


def test_ranked_candidates(geocoder):
    locs = geocoder.geocode("Paris", exactly_one=False)
    assert [loc.raw["country_code"] for loc in locs[:2]] == ["FR", "US"]  # Paris, Texas ranks second
    scores = [loc.raw["score"] for loc in locs]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0


def test_nothing_found_is_none(geocoder):
    assert geocoder.geocode("Xyzzyplugh") is None
    assert geocoder.geocode("Xyzzyplugh", exactly_one=False) == []


def test_reverse_gives_country_and_admin1(geocoder):
    loc = geocoder.reverse((39.65, 66.96))
    assert loc.raw["name"] == "Samarkand"
    assert loc.raw["country"]["country_code"] == "UZ"
    assert loc.raw["admin1"]["name"].startswith("Samarqand")


def test_works_inside_geopy_rate_limiter(geocoder):
    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    assert geocode("Moskau").raw["name"] == "Moscow"
