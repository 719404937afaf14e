"""The place index: contents, multilingual lookup, reverse lookup, rebuild when stale."""

from __future__ import annotations

import json

import pytest

from dashboard.gazetteer import build_index, is_stale
from dashboard.gazetteer.build import meta_path
from dashboard.gazetteer.index import PlaceIndex


def best(index, query, **kw):
    cands = index.search(query, **kw)
    assert cands, f"nothing found for {query!r}"
    return cands[0].place


def test_index_has_every_kind(place_index):
    kinds = {place_index.row(i)[2] for i in range(len(place_index))}
    assert kinds == {"continent", "region", "country", "admin1", "admin2", "city"}
    assert len(place_index.countries()) >= 240
    assert place_index.name_count > 200_000


@pytest.mark.parametrize("query,lang,name,kind,cc", [
    ("Peking", None, "Beijing", "city", "CN"),
    ("Pékin", "fr", "Beijing", "city", "CN"),
    ("Kasachstan", "de", "Kazakhstan", "country", "KZ"),
    ("Usbekistan", "de", "Uzbekistan", "country", "UZ"),
    ("Vereinigten Staaten", "de", "United States", "country", "US"),
    ("Xinjiang", None, "Xinjiang", "admin1", "CN"),
    ("Samarkand", None, "Samarkand", "city", "UZ"),
    ("Zentralasien", None, "Central Asia", "region", None),
    ("Naher Osten", "de", "Middle East", "region", None),
    ("Asie centrale", "fr", "Central Asia", "region", None),
    ("Frankfurt (Oder)", None, "Frankfurt (Oder)", "city", "DE"),
    ("Laurel County", None, "Laurel County", "admin2", "US"),
])
def test_multilingual_lookup(place_index, query, lang, name, kind, cc):
    p = best(place_index, query, lang=lang)
    assert (p.name, p.kind, p.country_code) == (name, kind, cc)


def test_qualifier_and_country_filter(place_index):
    assert best(place_index, "Paris, Texas").country_code == "US"
    assert best(place_index, "Paris").country_code == "FR"
    assert best(place_index, "Paris", country="CA").country_code == "CA"


def test_regions_have_members_and_boxes(place_index):
    central_asia = best(place_index, "Zentralasien")
    assert set(place_index.region_members(central_asia.id)) == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert central_asia.bbox is not None
    kz = place_index.country("KZ")
    assert kz.bbox is not None and "KZ" in place_index.country_polygons()
    # the region filter offers areas made of countries, not seas or mountain ranges
    ids = {p.id for p in place_index.regions()}
    assert central_asia.id in ids and not any(i.startswith(("water:", "land:")) for i in ids)


@pytest.mark.parametrize("text", ["region:un-143", "Central Asia", "Zentralasien", "Asie centrale", "central-asia"])
def test_a_region_by_id_or_name(place_index, text):
    place = place_index.resolve_region(text)
    assert place is not None and place.id == "region:un-143"


def test_what_is_not_a_region_of_countries(place_index):
    for text in ("Narnia", "Red Sea", "Alps", "Kazakhstan", ""):
        assert place_index.resolve_region(text) is None, text


def test_reverse_gives_country_and_admin1(place_index):
    r = place_index.reverse(39.9, 116.4)
    assert r["country"].country_code == "CN"
    assert r["admin1"].name == "Beijing"
    assert r["city"].name == "Beijing"
    desert = place_index.reverse(41.8, 84.0)  # Taklamakan: no town within 100 km
    assert desert["country"].country_code == "CN" and desert["admin1"].name == "Xinjiang"
    ocean = place_index.reverse(-40.0, -130.0)
    assert ocean["country"] is None and ocean["city"] is None


def test_build_writes_a_current_index_and_detects_stale(tmp_path):
    path = tmp_path / "index" / "places.pickle"
    assert is_stale(path) == "missing"
    report = build_index(path, city_source="cities15000")
    assert report.counts["city"] > 30_000 and report.counts["country"] >= 240
    assert is_stale(path) is None
    idx = PlaceIndex.load(path)
    assert idx.search("Peking")[0].place.name == "Beijing"
    meta = json.loads(meta_path(path).read_text())
    meta["version"] = -1
    meta_path(path).write_text(json.dumps(meta))
    assert "version" in is_stale(path)


def test_unreadable_index_is_a_clear_error(tmp_path):
    from dashboard.errors import PlaceIndexError

    bad = tmp_path / "places.pickle"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(PlaceIndexError, match="build-index"):
        PlaceIndex.load(bad)
