"""Bulk writes (schema 4-5): row forms, in-transaction story links, denormalised topics, and
counts that must equal what a plain join over the articles gives (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest
from store_samples import KAZAKHSTAN, SAMARKAND, XI, XI_PLACES, find_all, sample_corpus

from dashboard.errors import InputError
from dashboard.models import Article, Filters, TopicScore
from dashboard.store import GeoRows, NewArticle, Store, open_store, topic_rows
from dashboard.store.backend import Backend
from dashboard.store.schema import LATEST, migrate


def _items() -> list[NewArticle]:
    return [NewArticle(a, r, t) for a, r, t in sample_corpus()]


def test_row_forms_store_the_same_as_model_objects(store_url: str) -> None:
    rows_form = [NewArticle(a, GeoRows.of(r), topic_rows(t)) for a, r, t in sample_corpus()]
    with open_store(store_url) as store:
        store.add_articles(rows_form)
        via_rows = (store.place_summaries(Filters()), store.daily_counts(Filters()), store.facets(Filters()),
                    [a.to_dict() for a in store.articles(Filters())])
    other = open_store("sqlite://")
    other.add_articles(_items())
    via_models = (other.place_summaries(Filters()), other.daily_counts(Filters()), other.facets(Filters()),
                  [a.to_dict() for a in other.articles(Filters())])
    other.close()
    assert via_rows == via_models


def test_one_batch_with_duplicates_inside_and_already_stored(store: Store) -> None:
    items = _items()
    first = store.add_articles(items[:2])
    again = store.add_articles([items[1], items[2], items[2], items[3]])
    assert [r.inserted for r in again] == [False, True, False, True]
    assert again[0].duplicate_of == first[1].id
    assert again[2].duplicate_of == again[1].id
    assert store.stats()["articles"] == 4
    assert len({r.id for r in first + again}) == 4


def test_a_failing_batch_writes_nothing_and_the_next_one_works(store: Store) -> None:
    items = _items()
    with pytest.raises(InputError):
        store.add_articles([items[0], NewArticle(Article("   ", source="new-source"), items[1].result)])
    assert store.is_empty()
    added = store.add_articles([NewArticle(Article(XI, source="new-source"), items[0].result)])
    assert added[0].inserted and store.facets(Filters())["sources"] == {"new-source": 1}


def test_link_marks_copies_before_they_are_written(store: Store) -> None:
    asked: list[tuple[int, bytes | None]] = []

    def link(article_id: int, sig: bytes | None) -> int | None:
        asked.append((article_id, sig))
        return asked[0][0] if len(asked) > 1 else None  # the second article copies the first

    copy_text = XI + " (Reuters)"
    items = [
        NewArticle(Article(XI, source="a", published=datetime(2022, 9, 13)), find_all(XI, XI_PLACES),
                   (TopicScore("politics", 1.0),), minhash=b"1"),
        NewArticle(Article(copy_text, source="b", published=datetime(2022, 9, 13)),
                   find_all(copy_text, XI_PLACES), (TopicScore("politics", 1.0),), minhash=b"2"),
    ]
    first, copy = store.add_articles(items, link=link)
    assert [s for _, s in asked] == [b"1", b"2"]
    assert (first.story_id, copy.story_id) == (first.id, first.id)
    assert store.daily_counts(Filters()) == [(date(2022, 9, 13), "", 1), (date(2022, 9, 13), "politics", 1)]
    assert store.place_summaries(Filters(place_ids=(KAZAKHSTAN.id,)))[0].articles == 1
    assert store.facets(Filters())["topics"] == {"politics": 2}  # facets count articles, copies too
    flags = store._conn().all("SELECT article_id, is_copy FROM article_topics ORDER BY article_id")
    assert flags == [(first.id, 0), (copy.id, 1)]


def test_set_story_moves_topic_flags_too(store: Store) -> None:
    a, b = store.add_articles(_items()[:2])
    store.set_story(b.id, a.id)
    assert store._conn().scalar("SELECT is_copy FROM article_topics WHERE article_id = ?", (b.id,)) == 1
    store.set_story(b.id, b.id)
    assert store._conn().scalar("SELECT is_copy FROM article_topics WHERE article_id = ?", (b.id,)) == 0


def test_full_text_search_finds_batch_written_articles(store: Store) -> None:
    store.add_articles(_items())
    assert [a.title for a in store.articles(Filters(text="cyclone"))] == ["Floods in Suva"]
    store.add_articles([NewArticle(Article("Storms reach Samarkand again.", source="x"),
                                   find_all("Storms reach Samarkand again.", {"Samarkand": SAMARKAND}))])
    assert store.count_articles(Filters(text="storms")) == 1


def _expected_daily(store: Store, f: Filters) -> list[tuple[date, str, int]]:
    """daily_counts as a plain loop over the matching stories would give it."""
    counts: Counter[tuple[date, str]] = Counter()
    for row in store.iter_articles(f):
        if row.story_id not in (None, row.id) or row.published is None:
            continue
        day = row.published.date()
        counts[(day, "")] += 1
        for topic in row.topics:
            counts[(day, topic)] += 1
    return sorted((d, t, n) for (d, t), n in counts.items())


@pytest.mark.parametrize("f", [
    Filters(),
    Filters(countries=("CN",)),
    Filters(countries=("KZ",), languages=("de",)),
    Filters(topics=("security",)),
    Filters(languages=("en",)),
    Filters(date_from=datetime(2022, 9, 14), date_to=datetime(2022, 9, 14, 23)),
    Filters(role="dateline"),
    Filters(text="Kasachstan"),
], ids=["all", "country", "country+lang", "topic", "lang", "dates", "dateline", "text"])
def test_daily_counts_equal_a_plain_count(store: Store, f: Filters) -> None:
    store.add_articles(_items())
    store.set_story(store.articles(Filters(text="Detentions"))[0].id, store.articles(Filters(text="Haushalt"))[0].id)
    assert store.daily_counts(f) == _expected_daily(store, f)


def test_topic_facet_with_dates_only(store: Store) -> None:
    store.add_articles(_items())
    f = Filters(date_from=datetime(2022, 9, 14), date_to=datetime(2022, 9, 15, 23))
    assert store.facets(f)["topics"] == {"politics": 2, "disaster": 1, "security": 1}
    assert store.facets(Filters(languages=("de",)))["topics"] == {"politics": 2, "security": 1}


def test_topic_filtered_headlines(store: Store) -> None:
    store.add_articles(_items())
    kz = store.place_summaries(Filters(topics=("security",), place_ids=(KAZAKHSTAN.id,)))[0]
    assert kz.headlines == ("Detentions <script>alert(1)</script>", "Xi schwört Sicherheit")
    assert store.place_summaries(Filters(topics=("disaster",), place_ids=(KAZAKHSTAN.id,))) == []


def test_schema_3_store_gets_topic_days_and_flags(store_url: str) -> None:
    backend = Backend(store_url)
    conn = backend.connection()
    assert migrate(conn, target=3) == 3
    with conn.transaction():  # what a schema-3 program wrote: a story and its copy, with topics
        conn.execute("INSERT INTO sources(name, created_at) VALUES ('old', '2022-01-01')")
        for aid, story in ((1, 1), (2, 1)):
            conn.execute(
                "INSERT INTO articles(id, hash, story_id, title, text, source_id, published, day, date_source,"
                " ingested_at) VALUES (?, ?, ?, 'Old', 'Samarkand.', 1, '2022-01-02T00:00:00+00:00',"
                " '2022-01-02', 'metadata', '2022-01-02')",
                (aid, f"h{aid}", story),
            )
            conn.execute("INSERT INTO article_topics(article_id, topic, score) VALUES (?, 'economy', 0.5)", (aid,))
    backend.close()
    with open_store(store_url) as s:
        assert s.schema_version == LATEST
        assert s._conn().all("SELECT article_id, day, is_copy FROM article_topics ORDER BY article_id") == [
            (1, "2022-01-02", 0), (2, "2022-01-02", 1)
        ]
        assert s.daily_counts(Filters()) == [(date(2022, 1, 2), "", 1), (date(2022, 1, 2), "economy", 1)]
        assert s.facets(Filters())["topics"] == {"economy": 2}
        assert s.count_articles(Filters(text="Samarkand")) == 2  # rows indexed by the old trigger stay found
