"""Text search through matches found once per search and date range (dashboard.store.textmatch).

Every answer must equal the plain detailed query (the full-text subquery inside each count) on both
backends, the list must be built once for all queries of a page, and an article added afterwards
must be found by the next search.
"""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from store_samples import BEIJING, BERLIN, FIJI_SUVA, KAZAKHSTAN, SAMARKAND, XINJIANG

from dashboard.models import Article, Filters, Focus, GeoparseResult, Mention, TopicScore
from dashboard.store import Store, rollups, textmatch

PLACES = (BEIJING, BERLIN, FIJI_SUVA, KAZAKHSTAN, SAMARKAND, XINJIANG)
COMMON = ("The government met on Monday.", "A government spokesman said talks went on.",
          "Die Regierung tagte am Montag.", "Flooding closed the roads.")
START = datetime(2025, 1, 20, 9)


def _article(rng: random.Random, i: int) -> tuple[Article, GeoparseResult, tuple[TopicScore, ...]]:
    text = rng.choice(COMMON) + (" A ceasefire was agreed." if i % 9 == 0 else "")
    mentions = []
    chosen = rng.sample(PLACES, rng.randint(0, 3))
    for j, place in enumerate(chosen):
        for _ in range(rng.randint(1, 2)):
            start = len(text) + 1
            text += f" {place.name}"
            role = "dateline" if j == 0 and not mentions and rng.random() < 0.4 else "mention"
            mentions.append(Mention(start, start + len(place.name), place.name, place, role, rng.choice((0.5, 0.9))))
    focus = (Focus(chosen[0], 0.8, 1),) if chosen and rng.random() < 0.7 else ()
    art = Article(text, title=f"Report {i}", source=rng.choice(("agency", "paper")),
                  published=START + timedelta(days=rng.randint(0, 45)), date_source="metadata",
                  lang="de" if text.startswith("Die") else "en")
    topics = tuple(TopicScore(t, 0.5) for t in rng.sample(("politics", "economy", "sport"), rng.randint(0, 2)))
    return art, GeoparseResult(art.lang or "", tuple(mentions), focus), topics


@pytest.fixture
def searchable(store: Store) -> Store:
    rng = random.Random(13)
    items = [_article(rng, i) for i in range(90)]
    ids = [store.add_article(*item).id for item in items]
    store.set_story(ids[6], ids[4])  # a near-copy: counted once
    store.set_story(ids[11], ids[2])
    return store


FILTERS = [
    Filters(text="government"),
    Filters(text="Government", date_from=datetime(2025, 2, 1)),
    Filters(text="government", date_from=datetime(2025, 1, 28), date_to=datetime(2025, 2, 20), role="dateline"),
    Filters(text="government talks", role="focus"),
    Filters(text="ceasefire", date_to=datetime(2025, 2, 10)),
    Filters(text="government", countries=("CN",), date_from=datetime(2025, 2, 1)),
    Filters(text="government", admin1=("CN.13",)),
    Filters(text="government", languages=("en",), topics=("politics",)),
    Filters(text="government", sources=("paper",), min_score=0.6),
    Filters(text="government", bounds=(30.0, 60.0, 50.0, 120.0)),
    Filters(text="Regierung"),
    Filters(text="nowhere-to-be-found"),
    Filters(text="government", date_from=datetime(2026, 1, 1)),  # no article in range
]


def _answers(store: Store, f: Filters) -> list[object]:
    return [
        [(s.place.id, s.articles, s.mentions, round(s.score, 6), s.headlines) for s in store.place_summaries(f)],
        store.country_counts(f), store.admin1_counts(f), store.count_articles(f), store.daily_counts(f),
        store.facets(f, parallel=False), [(r.id, r.title) for r in store.articles(f, limit=20)],
        [r.id for r in store.iter_articles(f, page=7)], len(list(store.iter_mentions(f, page=11))),
        store.grid_cells(f, 30.0),
    ]


def test_answers_equal_the_plain_full_text_subquery(searchable: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [_answers(searchable, f) for f in FILTERS]
    assert fast[0][3] > 30 and fast[4][3] > 0  # a common word, and a rare one
    monkeypatch.setattr(textmatch, "text_hits", lambda *a, **k: None)  # each query runs its own subquery
    slow = [_answers(searchable, f) for f in FILTERS]
    for f, a, b in zip(FILTERS, fast, slow, strict=True):
        assert a == b, f


def test_answers_equal_the_plain_subquery_on_the_detailed_tables_too(
    searchable: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("place_rows", "place_points", "country_rows", "admin1_rows", "article_total", "languages",
                 "sources", "topics", "daily"):
        monkeypatch.setattr(rollups, name, lambda *a, **k: None)
    f = Filters(text="government", date_from=datetime(2025, 2, 1))
    fast = _answers(searchable, f)
    monkeypatch.setattr(textmatch, "text_hits", lambda *a, **k: None)
    assert _answers(searchable, f) == fast


def test_matches_are_the_articles_with_the_word_in_the_date_range(searchable: Store) -> None:
    conn = searchable._conn()
    f = Filters(text="government", date_from=datetime(2025, 1, 28), date_to=datetime(2025, 2, 20))
    hits = textmatch.text_hits(searchable._backend, conn, f)
    assert hits is not None
    expected = [aid for aid, title, text, day in conn.all("SELECT id, title, text, day FROM articles ORDER BY id")
                if re.search(r"\bgovernment\b", f"{title} {text}", re.I) and "2025-01-28" <= day <= "2025-02-20"]
    got = [int(x) for x in re.findall(r"\d+", hits.param)]
    assert got == expected and hits.count == len(expected) > 10
    assert textmatch.text_hits(searchable._backend, conn, Filters(text=" ,; ")) is None  # no word: no search


def test_the_list_is_built_once_for_all_queries_of_a_page(searchable: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real = textmatch.match_sql

    def counting(f: Filters, dialect: str, max_id: int) -> tuple[str, list[object]]:
        built.append(f.text)
        return real(f, dialect, max_id)

    monkeypatch.setattr(textmatch, "match_sql", counting)
    f = Filters(text="government", date_from=datetime(2025, 2, 3))
    jobs = [lambda: searchable.place_summaries(f), lambda: searchable.facets(f), lambda: searchable.count_articles(f),
            lambda: searchable.grid_cells(f, 30.0), lambda: searchable.daily_counts(f)]
    with ThreadPoolExecutor(max_workers=4) as pool:  # side by side, as the map page asks them
        results = [fut.result() for fut in [pool.submit(job) for job in jobs]]
    assert built == ["government"] and results[2] > 0
    searchable.country_counts(f)
    assert built == ["government"]
    searchable.count_articles(Filters(text="government"))  # another date range: another list
    assert built == ["government", "government"]


def test_an_article_added_after_a_search_is_found_by_the_next_one(searchable: Store) -> None:
    f = Filters(text="ceasefire")
    before = searchable.count_articles(f)
    text = "A ceasefire in Berlin."
    start = text.index("Berlin")
    searchable.add_article(
        Article(text, title="Late news", source="agency", published=START + timedelta(days=3),
                date_source="metadata", lang="en"),
        GeoparseResult("en", (Mention(start, start + 6, "Berlin", BERLIN, "mention", 0.9),)))
    assert searchable.count_articles(f) == before + 1
    assert BERLIN.id in [s.place.id for s in searchable.place_summaries(f)]
