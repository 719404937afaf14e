"""The query layer behind the dashboard and export, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from store_samples import BEIJING, FIJI_SUVA, KAZAKHSTAN, XINJIANG, find_all, sample_corpus

from dashboard.errors import InputError
from dashboard.models import Article, Filters, Place
from dashboard.store import Store


@pytest.fixture
def filled(store: Store) -> Store:
    for art, res, topics in sample_corpus():
        store.add_article(art, res, topics)
    return store


def names(store: Store, f: Filters) -> list[str]:
    return [s.place.name for s in store.place_summaries(f)]


def test_place_summaries_are_ordered_by_articles(filled: Store) -> None:
    summaries = filled.place_summaries(Filters())
    assert [s.place.name for s in summaries[:2]] == ["Kazakhstan", "Xinjiang"]
    kz = summaries[0]
    assert (kz.articles, kz.mentions) == (2, 3)
    assert kz.surfaces == ("Kasachstan",)
    assert kz.headlines == ("Detentions <script>alert(1)</script>", "Xi schwört Sicherheit")
    beijing = next(s for s in summaries if s.place == BEIJING)
    assert set(beijing.surfaces) == {"PEKING", "Peking"} and beijing.mentions == 2
    assert 0 < beijing.score <= 1
    assert len(filled.place_summaries(Filters(), limit=2)) == 2


def test_date_range(filled: Store) -> None:
    f = Filters(date_from=datetime(2022, 9, 14), date_to=datetime(2022, 9, 14, 23))
    assert filled.count_articles(f) == 2
    assert set(names(filled, f)) == {"Berlin", "Xinjiang", "Suva"}


def test_countries_regions_and_admin1(filled: Store) -> None:
    assert set(names(filled, Filters(countries=("CN",)))) == {"Beijing", "Xinjiang"}
    assert filled.count_articles(Filters(countries=("cn",))) == 3
    assert set(names(filled, Filters(regions=("FJ",)))) == {"Suva"}
    assert names(filled, Filters(admin1=("CN.13",))) == ["Xinjiang"]
    assert set(names(filled, Filters(countries=("FJ",), admin1=("CN.13",)))) == {"Suva", "Xinjiang"}


def test_topics_languages_sources_and_text(filled: Store) -> None:
    assert filled.count_articles(Filters(topics=("security",))) == 2
    assert filled.count_articles(Filters(languages=("en",))) == 2
    assert filled.count_articles(Filters(sources=("paper",))) == 2
    assert [a.title for a in filled.articles(Filters(text="Haushalt"))] == ["Haushaltsdebatte"]
    assert filled.count_articles(Filters(text="cyclone floods")) == 1
    assert filled.count_articles(Filters(text='"; DROP TABLE articles; --')) == 0
    assert filled.count_articles(Filters(text="   ")) == 4
    assert set(names(filled, Filters(topics=("disaster",)))) == {"Suva"}


def test_role_score_bounds_and_place_ids(filled: Store) -> None:
    assert set(names(filled, Filters(role="dateline"))) == {"Beijing", "Berlin"}
    assert filled.count_articles(Filters(role="dateline")) == 2
    focus = names(filled, Filters(role="focus"))
    assert "Beijing" in focus and "Samarkand" not in focus
    assert filled.count_articles(Filters(min_score=0.95)) == 0
    assert filled.count_articles(Filters(min_score=0.5)) == 4
    asia = Filters(bounds=(30.0, 60.0, 50.0, 120.0))
    assert set(names(filled, asia)) == {"Beijing", "Kazakhstan", "Samarkand", "Xinjiang"}
    across_antimeridian = Filters(bounds=(-30.0, 170.0, 0.0, -170.0))
    assert names(filled, across_antimeridian) == ["Suva"]
    assert filled.count_articles(Filters(place_ids=(FIJI_SUVA.id,))) == 1
    with pytest.raises(InputError, match="unknown mention role"):
        filled.count_articles(Filters(role="sideways"))


def test_country_counts(filled: Store) -> None:
    assert filled.country_counts(Filters()) == [("CN", 3), ("KZ", 2), ("DE", 1), ("FJ", 1), ("UZ", 1)]
    assert filled.country_counts(Filters(languages=("en",))) == [("CN", 1), ("FJ", 1), ("KZ", 1)]


def test_daily_counts(filled: Store) -> None:
    rows = filled.daily_counts(Filters())
    assert (date(2022, 9, 14), "", 2) in rows
    assert (date(2022, 9, 13), "politics", 1) in rows
    assert (date(2022, 9, 15), "security", 1) in rows
    assert rows == sorted(rows)
    assert filled.daily_counts(Filters(topics=("disaster",))) == [
        (date(2022, 9, 14), "", 1), (date(2022, 9, 14), "disaster", 1)
    ]


def test_articles_pages_newest_first(filled: Store) -> None:
    page1 = filled.articles(Filters(), limit=3)
    page2 = filled.articles(Filters(), limit=3, offset=3)
    assert [a.title for a in page1 + page2] == [
        "Detentions <script>alert(1)</script>", "Floods in Suva", "Haushaltsdebatte", "Xi schwört Sicherheit"
    ]
    first = page1[0]
    assert first.topics == ("politics", "security") and set(first.places) == {"Xinjiang", "Kazakhstan"}
    assert first.text is None and first.lang == "en" and first.date_source == "metadata"
    assert filled.articles(Filters(), limit=1, with_text=True)[0].text.startswith("Reports from Xinjiang")
    everything = list(filled.iter_articles(Filters(), page=2))
    assert [a.id for a in everything] == [a.id for a in page1 + page2]


def test_article_by_id(filled: Store) -> None:
    (row,) = filled.articles(Filters(text="Samarkand"))
    full = filled.article(row.id)
    assert full is not None and full.text is not None
    assert {m.place for m in full.mentions} >= {BEIJING, KAZAKHSTAN}
    assert all(full.text[m.start:m.end] == m.surface for m in full.mentions)
    assert filled.article(987654) is None


def test_facets_ignore_their_own_filter(filled: Store) -> None:
    facets = filled.facets(Filters(languages=("en",)))
    assert facets["languages"] == {"de": 2, "en": 2}
    assert facets["sources"] == {"agency": 1, "paper": 1}
    assert facets["topics"] == {"disaster": 1, "politics": 1, "security": 1}
    assert facets["countries"] == {"CN": 1, "FJ": 1, "KZ": 1}


def test_admin1_facet_counts_stories_per_division(filled: Store) -> None:
    facets = filled.facets(Filters())
    # Xinjiang is named in two articles; Beijing (CN.22), Samarkand, Berlin and Suva in one each;
    # Kazakhstan is a country (no admin1 code) and has no division.
    assert facets["admin1"] == {"CN.13": 2, "CN.22": 1, "DE.16": 1, "FJ.01": 1, "UZ.10": 1}
    assert list(facets["admin1"])[0] == "CN.13"  # largest first
    # Each count is what choosing that division alone would give.
    for key, n in facets["admin1"].items():
        assert filled.count_articles(Filters(admin1=(key,))) == n, key


def test_admin1_facet_ignores_its_own_filter_only(filled: Store) -> None:
    chosen = filled.facets(Filters(admin1=("CN.13",)))
    assert chosen["admin1"] == filled.facets(Filters())["admin1"]
    assert chosen["countries"] == {"CN": 2}  # the other facets follow the choice
    assert chosen["languages"] == {"de": 1, "en": 1}
    english = filled.facets(Filters(languages=("en",)))
    assert english["admin1"] == {"CN.13": 1, "FJ.01": 1}
    assert filled.facets(Filters(countries=("DE",)))["admin1"] == {"DE.16": 1}
    assert filled.facets(Filters(date_from=datetime(2022, 9, 15)))["admin1"] == {"CN.13": 1}


def test_facets_in_one_lane_equal_two_lanes(filled: Store) -> None:
    for f in (Filters(), Filters(languages=("en",)), Filters(countries=("KZ",)), Filters(admin1=("CN.13",))):
        assert filled.facets(f, parallel=False) == filled.facets(f)


def test_admin1_counts_a_story_once_per_division(store: Store) -> None:
    urumqi = Place("gn:1529102", "Urumqi", "city", 43.80096, 87.60046, 1529102, "CN", "13", 3029372)
    text = "Urumqi and Xinjiang: news from Urumqi."
    art = Article(text, title="Two places, one province", source="agency", published=datetime(2022, 9, 16))
    store.add_article(art, find_all(text, {"Urumqi": urumqi, "Xinjiang": XINJIANG}), ())
    assert store.facets(Filters())["admin1"] == {"CN.13": 1}
    assert store.admin1_counts(Filters(admin1=("CN.13",))) == [("CN.13", 1)]


def test_stats(filled: Store) -> None:
    stats = filled.stats()
    assert stats["articles"] == 4 and stats["stories"] == 4 and stats["sources"] == 2
    assert stats["places"] == 6 and stats["first_day"] == "2022-09-13" and stats["last_day"] == "2022-09-15"
    assert stats["backend"] in ("sqlite", "postgresql")


def test_empty_store_answers_empty(store: Store) -> None:
    assert store.place_summaries(Filters()) == []
    assert store.country_counts(Filters()) == []
    assert store.daily_counts(Filters()) == []
    assert store.articles(Filters()) == []
    assert store.count_articles(Filters()) == 0
    assert store.facets(Filters()) == {"languages": {}, "sources": {}, "topics": {}, "countries": {}, "admin1": {}}
    assert store.stats()["last_run"] is None


def test_xinjiang_region_is_kept_with_its_admin_code(filled: Store) -> None:
    (s,) = filled.place_summaries(Filters(place_ids=(XINJIANG.id,)))
    assert s.place.admin1_code == "13" and s.articles == 2
