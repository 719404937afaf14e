"""Pre-aggregated counts: kept equal to a rebuild from scratch by every write, and answering as the detailed tables do."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from store_samples import BEIJING, BERLIN, FIJI_SUVA, KAZAKHSTAN, SAMARKAND, XINJIANG

from dashboard.models import Article, Filters, Focus, GeoparseResult, Mention, TopicScore
from dashboard.store import Store, aggregates, rollups

PLACES = (BEIJING, BERLIN, FIJI_SUVA, KAZAKHSTAN, SAMARKAND, XINJIANG)
TOPICS = ("politics", "economy", "sport")


def _article(rng: random.Random, i: int) -> tuple[Article, GeoparseResult, tuple[TopicScore, ...]]:
    chosen = rng.sample(PLACES, rng.randint(0, 3))
    text, mentions = f"Article {i}.", []
    for j, place in enumerate(chosen):
        for _ in range(rng.randint(1, 2)):
            start = len(text) + 1
            text += f" {place.name}"
            role = "dateline" if j == 0 and not mentions and rng.random() < 0.4 else "mention"
            mentions.append(Mention(start, start + len(place.name), place.name, place, role, rng.choice((0.5, 0.9))))
    focus = (Focus(chosen[0], 0.8, 1),) if chosen and rng.random() < 0.7 else ()
    # Dates across a month end, so ranges need whole months and edge days.
    published = datetime(2025, 1, 20, 12) + timedelta(days=rng.randint(0, 45))
    art = Article(text, title=f"Title {i}", source=rng.choice(("agency", "paper")), published=published,
                  date_source="metadata", lang=rng.choice(("en", "de")))
    topics = tuple(TopicScore(t, 0.5) for t in rng.sample(TOPICS, rng.randint(0, 2)))
    return art, GeoparseResult(art.lang or "", tuple(mentions), focus), topics


def _snapshot(store: Store) -> dict[str, set[tuple[object, ...]]]:
    """Every non-zero row of the four tables, scores rounded (sums taken away and added again drift)."""
    conn = store._conn()
    out = {}
    for table, count in zip(aggregates.TABLES, ("articles", "stories", "articles", "articles"), strict=True):
        rows = conn.all(f"SELECT * FROM {table} WHERE {count} <> 0")
        out[table] = {tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in rows}
    return out


def _rebuilt(store: Store) -> dict[str, set[tuple[object, ...]]]:
    conn = store._conn()
    before = _snapshot(store)
    with conn.transaction():
        aggregates.rebuild(conn)
    after = _snapshot(store)
    return {"incremental": before, "rebuilt": after}  # type: ignore[dict-item]


@pytest.fixture
def busy(store: Store) -> Store:
    rng = random.Random(5)
    items = [_article(rng, i) for i in range(60)]
    ids = [store.add_article(*item).id for item in items[:40]]
    store.set_story(ids[5], ids[3])  # a near-copy: counted once
    store.set_story(ids[7], ids[2])
    for art, res, topics in items[40:]:
        store.add_article(art, res, topics, story_id=ids[1] if art.title.endswith("9") else None)
    return store


def test_incremental_counts_equal_a_rebuild_after_every_kind_of_write(busy: Store) -> None:
    snap = _rebuilt(busy)
    assert snap["incremental"] == snap["rebuilt"] and snap["rebuilt"]["place_counts"]
    ids = [r[0] for r in busy._conn().all("SELECT id FROM articles ORDER BY id")]
    rng = random.Random(9)
    for aid in ids[:10]:  # reparse: other places, other roles
        busy.replace_geoparse(aid, _article(rng, aid)[1])
    busy.replace_topics_many([(aid, (TopicScore("economy", 0.4),)) for aid in ids[10:20]])
    busy.set_story(ids[5], ids[5])  # no longer a copy
    row = busy.article(ids[0])
    assert row is not None
    if row.mentions:
        m = row.mentions[0]
        busy.add_correction(ids[0], m.start, m.end, None)  # "not a place"
    snap = _rebuilt(busy)
    assert snap["incremental"] == snap["rebuilt"]


@pytest.fixture
def detailed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Switch the query layer to its detailed-table path (what it does for filters the counts cannot take)."""
    for name in ("place_rows", "place_points", "country_rows", "admin1_rows", "article_total", "languages", "sources", "topics",
                 "daily"):
        monkeypatch.setattr(rollups, name, lambda *a, **k: None)
    yield


FILTERS = [
    Filters(),
    Filters(role="dateline"),
    Filters(role="focus"),
    Filters(date_from=datetime(2025, 1, 25)),
    Filters(date_from=datetime(2025, 2, 1), date_to=datetime(2025, 2, 28, 23)),
    Filters(date_from=datetime(2025, 1, 28), date_to=datetime(2025, 3, 2), role="focus"),
    Filters(date_to=datetime(2025, 2, 10)),
    Filters(date_from=datetime(2025, 2, 3), date_to=datetime(2025, 2, 9)),
    Filters(countries=("CN",)),
    Filters(countries=("CN", "KZ"), role="dateline", date_from=datetime(2025, 2, 1)),
    Filters(admin1=("CN.13",)),
    Filters(languages=("de",), date_from=datetime(2025, 2, 1)),
    Filters(sources=("paper",), role="focus"),
    Filters(place_ids=(BEIJING.id,)),
    Filters(bounds=(30.0, 60.0, 50.0, 120.0), role="focus"),
]


def _answers(store: Store) -> list[object]:
    out: list[object] = []
    for f in FILTERS:
        out.append([(s.place.id, s.articles, s.mentions, round(s.score, 6), s.headlines)
                    for s in store.place_summaries(f)])
        out += [store.country_counts(f), store.admin1_counts(f), store.count_articles(f), store.daily_counts(f),
                store.facets(f, parallel=False)]
    return out


def test_counts_answer_as_the_detailed_tables(busy: Store, request: pytest.FixtureRequest) -> None:
    fast = _answers(busy)
    request.getfixturevalue("detailed")
    slow = _answers(busy)
    for f, a, b in zip([f for f in FILTERS for _ in range(6)], fast, slow, strict=True):
        assert a == b, f


def test_buckets_cover_a_range_with_whole_months_and_edge_days() -> None:
    w = aggregates.buckets(Filters(date_from=datetime(2025, 1, 28), date_to=datetime(2025, 3, 2)), "x")
    assert w.params == ["2025-02", "2025-02", "2025-01-28", "2025-02-01", "2025-02-28", "2025-03-02"]
    w = aggregates.buckets(Filters(date_from=datetime(2025, 2, 3), date_to=datetime(2025, 2, 9)), "x")
    assert w.params == ["2025-02-03", "2025-02-09"]
    assert aggregates.buckets(Filters(), "x").parts == ["x.grain = 'a' AND x.bucket = ''"]


def test_full_text_search_finds_words_in_most_articles_and_uses_the_language(store: Store) -> None:
    texts = [("en", "The elections in Berlin were held on Sunday."), ("en", "Voters in Berlin go to the polls."),
             ("de", "Die Wahlen in Berlin finden am Sonntag statt."), (None, "Berlin: the count goes on.")]
    for i, (lang, text) in enumerate(texts):
        start = text.index("Berlin")
        res = GeoparseResult(lang or "", (Mention(start, start + 6, "Berlin", BERLIN, "mention", 0.9),))
        store.add_article(Article(text, title=f"Story {i}", source="agency", published=datetime(2025, 3, 1 + i),
                                  date_source="metadata", lang=lang), res)
    assert store.count_articles(Filters(text="Berlin")) == 4  # a word found in every article
    assert [s.articles for s in store.place_summaries(Filters(text="berlin"))] == [4]
    assert store.count_articles(Filters(text="polls Berlin")) == 1
    assert store.count_articles(Filters(text="Wahlen")) == 1
    if store.dialect == "postgresql":
        # Stemmed in the article's language: "election" finds "elections", "Wahl" finds "Wahlen".
        assert store.count_articles(Filters(text="election")) == 1
        assert store.count_articles(Filters(text="Wahl")) == 1


def test_grid_cells_sum_every_place_into_bounded_cells(busy: Store, request: pytest.FixtureRequest) -> None:
    places = busy.place_summaries(Filters(), limit=100)
    cells = busy.grid_cells(Filters(), 90.0)
    assert len(cells) <= 4 * 2
    assert sum(c.articles for c in cells) == sum(s.articles for s in places)
    assert sum(c.places for c in cells) == len(places)
    fine = busy.grid_cells(Filters(), 1.0)
    assert len(fine) == len({(math.floor(s.place.lat), math.floor(s.place.lon)) for s in places})
    f = Filters(role="focus", date_from=datetime(2025, 2, 1))
    fast = busy.grid_cells(f, 10.0)
    request.getfixturevalue("detailed")
    assert busy.grid_cells(f, 10.0) == fast
    with pytest.raises(ValueError):
        busy.grid_cells(Filters(), 0)
