"""Writing to the store, on SQLite and PostgreSQL: duplicates, transactions, places, corrections, runs."""

from __future__ import annotations

from datetime import datetime

import pytest
from store_samples import BEIJING, KAZAKHSTAN, SAMARKAND, XI, XI_PLACES, find_all, sample_corpus

from dashboard.errors import InputError, StoreError
from dashboard.models import Article, Filters, GeoparseResult, Mention, TopicScore
from dashboard.store import NewArticle, Store, open_store
from dashboard.store.backend import Backend
from dashboard.store.schema import LATEST, migrate


def _xi(source: str = "agency", text: str = XI) -> tuple[Article, GeoparseResult]:
    art = Article(text, title="Xi", source=source, published=datetime(2022, 9, 13), date_source="metadata")
    return art, find_all(text, XI_PLACES, dateline="PEKING")


def test_add_article_stores_mentions_places_and_topics(store: Store) -> None:
    art, res = _xi()
    added = store.add_article(art, res, (TopicScore("politics", 0.9, ("Präsident",)),))
    assert added.inserted and added.duplicate_of is None and added.mentions == 5
    row = store.article(added.id)
    assert row is not None
    assert row.text == XI and row.topics == ("politics",) and row.source == "agency"
    assert [m.surface for m in row.mentions] == ["PEKING", "Kasachstan", "Samarkand", "Peking", "Kasachstan"]
    assert row.mentions[0].role == "dateline"
    assert row.mentions[0].place == BEIJING
    assert row.places[0] in ("Beijing", "Kazakhstan")


def test_replace_topics_swaps_them_and_the_topic_filter_follows(store: Store) -> None:
    art, res = _xi()
    added = store.add_article(art, res, (TopicScore("politics", 0.9, ("Präsident",)),))
    n = store.replace_topics(added.id, (TopicScore("belt-and-road", 0.8, ("Seidenstraße",)),
                                        TopicScore("economy-business", 0.4, ("Handel",))))
    assert n == 2
    row = store.article(added.id)
    assert row is not None and set(row.topics) == {"belt-and-road", "economy-business"}
    assert [a.id for a in store.articles(Filters(topics=("belt-and-road",)))] == [added.id]
    assert not store.articles(Filters(topics=("politics",)))
    assert store.facets(Filters())["topics"] == {"belt-and-road": 1, "economy-business": 1}
    assert store.replace_topics(added.id, ()) == 0 and store.article(added.id).topics == ()  # type: ignore[union-attr]
    with pytest.raises(InputError, match="no article with id 999"):
        store.replace_topics(999, ())


def test_exact_duplicate_is_stored_once_whatever_the_source(store: Store) -> None:
    art, res = _xi()
    first = store.add_article(art, res, ())
    copy_art, copy_res = _xi(source="other", text=XI.replace(" ", "  ").upper())
    second = store.add_article(copy_art, copy_res, ())
    assert not second.inserted and second.duplicate_of == first.id
    assert store.stats()["articles"] == 1
    assert store.stats()["mentions"] == 5


def test_rerunning_the_same_input_adds_nothing(store: Store) -> None:
    for _ in range(2):
        for art, res, topics in sample_corpus():
            store.add_article(art, res, topics)
    stats = store.stats()
    assert stats["articles"] == 4
    assert stats["mentions"] == sum(len(r.mentions) for _, r, _ in sample_corpus())
    summaries = {s.place.name: s for s in store.place_summaries(Filters())}
    assert summaries["Kazakhstan"].articles == 2 and summaries["Kazakhstan"].mentions == 3


def test_a_batch_is_all_or_nothing(store: Store) -> None:
    art, res = _xi()
    bad = NewArticle(Article("   ", source="x"), GeoparseResult("en"))
    with pytest.raises(InputError):
        store.add_articles([NewArticle(art, res), bad])
    assert store.is_empty()
    assert store.add_articles([NewArticle(art, res), NewArticle(art, res)])[1].duplicate_of is not None
    assert store.stats()["articles"] == 1


def test_places_are_upserted_with_their_attributes(store: Store) -> None:
    art, res = _xi()
    store.add_article(art, res, ())
    (summary,) = store.place_summaries(Filters(place_ids=(SAMARKAND.id,)))
    assert summary.place == SAMARKAND
    assert summary.surfaces == ("Samarkand",)


def test_missing_date_falls_back_to_ingest_time(store: Store) -> None:
    added = store.add_article(Article("Nothing happened in Samarkand.", source="x"),
                              find_all("Nothing happened in Samarkand.", {"Samarkand": SAMARKAND}), ())
    row = store.article(added.id)
    assert row is not None and row.date_source == "ingest"
    assert row.published is not None and abs((datetime.now(row.published.tzinfo) - row.published).days) < 1


def test_hostile_html_in_titles_is_stored_as_text(store: Store) -> None:
    for art, res, topics in sample_corpus():
        store.add_article(art, res, topics)
    titles = [r.title for r in store.articles(Filters(text="detentions"))]
    assert titles == ["Detentions <script>alert(1)</script>"]


def test_correction_pins_a_mention_and_survives_reparse(store: Store) -> None:
    art, res = _xi()
    added = store.add_article(art, res, ())
    start = XI.index("Samarkand")
    store.add_correction(added.id, start, start + len("Samarkand"), KAZAKHSTAN, note="test")
    row = store.article(added.id)
    assert row is not None
    pinned = [m for m in row.mentions if m.start == start]
    assert pinned[0].place == KAZAKHSTAN
    # re-parsing with the original result keeps the user's decision
    store.replace_geoparse(added.id, res)
    row = store.article(added.id)
    assert row is not None and [m.place for m in row.mentions if m.start == start] == [KAZAKHSTAN]
    assert not store.place_summaries(Filters(place_ids=(SAMARKAND.id,)))


def test_not_a_place_correction_applies_in_the_same_context_elsewhere(store: Store) -> None:
    art, res = _xi()
    added = store.add_article(art, res, ())
    start = XI.index("Peking und")
    store.add_correction(added.id, start, start + len("Peking"), None)
    row = store.article(added.id)
    assert row is not None and all(m.start != start for m in row.mentions)
    # the same words in another article: the correction applies on arrival
    other = "Anderer Text. Er reist nach Samarkand. Peking und Kasachstan arbeiten zusammen."
    added2 = store.add_article(Article(other, source="b"), find_all(other, XI_PLACES), ())
    row2 = store.article(added2.id)
    assert row2 is not None and "Peking" not in [m.surface for m in row2.mentions]
    assert store.stats()["corrections"] == 1


def test_correction_outside_the_text_is_a_clear_error(store: Store) -> None:
    art, res = _xi()
    added = store.add_article(art, res, ())
    with pytest.raises(InputError, match="outside"):
        store.add_correction(added.id, 5, 10_000, BEIJING)
    with pytest.raises(InputError, match="no article"):
        store.add_correction(999_999, 0, 1, BEIJING)


def test_ingest_runs_and_errors_are_recorded(store: Store) -> None:
    run = store.begin_run(["seeds/"])
    store.record_error(run, "seeds/bad.txt", "line 3", "not UTF-8")
    store.finish_run(run, seen=3, added=2, duplicates=0, skipped=1, status="done")
    stats = store.stats()
    assert stats["ingest_errors"] == 1
    assert stats["last_run"]["skipped"] == 1 and stats["last_run"]["status"] == "done"


def test_reopening_keeps_data_and_schema(store_url: str) -> None:
    with open_store(store_url) as s:
        art, res = _xi()
        s.add_article(art, res, ())
    with open_store(store_url) as s:
        assert s.schema_version == LATEST
        assert s.stats()["articles"] == 1 and s.stats()["schema_version"] == LATEST


def test_a_failed_statement_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        store._conn().execute("SELECT * FROM no_such_table")
    # the connection is still usable afterwards
    assert store.is_empty()


def test_mentions_keep_alternatives(store: Store) -> None:
    from dashboard.models import Candidate

    text = "Er reist nach Samarkand."
    m = Mention(14, 23, "Samarkand", SAMARKAND, "mention", 0.6, (Candidate(KAZAKHSTAN, 0.3),))
    added = store.add_article(Article(text, source="x"), GeoparseResult("de", (m,)), ())
    row = store.article(added.id)
    assert row is not None
    assert row.mentions[0].alternatives[0].place.name == "Kazakhstan"
    assert row.mentions[0].alternatives[0].score == pytest.approx(0.3)


def test_an_older_store_is_migrated_with_its_data(store_url: str) -> None:
    backend = Backend(store_url)
    conn = backend.connection()
    assert migrate(conn, target=1) == 1
    with conn.transaction():  # what a schema-1 program wrote
        conn.execute("INSERT INTO sources(name, created_at) VALUES ('old', '2022-01-01')")
        conn.execute(
            "INSERT INTO articles(id, hash, story_id, title, text, source_id, published, day, date_source,"
            " ingested_at) VALUES (1, 'h', 1, 'Old', 'Samarkand.', 1, '2022-01-01T00:00:00+00:00',"
            " '2022-01-01', 'metadata', '2022-01-01')"
        )
        conn.execute("INSERT INTO places(id, name, kind, lat, lon) VALUES (?, 'Samarkand', 'city', 39.6, 66.9)",
                     (SAMARKAND.id,))
        conn.execute("INSERT INTO mentions(article_id, place_id, start_char, end_char, surface, role, score)"
                     " VALUES (1, ?, 0, 9, 'Samarkand', 'mention', 1.0)", (SAMARKAND.id,))
        conn.execute("INSERT INTO article_places(article_id, place_id, mentions, score, day)"
                     " VALUES (1, ?, 1, 1.0, '2022-01-01')", (SAMARKAND.id,))
    backend.close()
    with open_store(store_url) as s:
        assert s.schema_version == LATEST
        (summary,) = s.place_summaries(Filters())
        assert (summary.place.name, summary.articles, summary.headlines) == ("Samarkand", 1, ("Old",))


def test_near_copies_count_once_in_aggregates(store: Store) -> None:
    art, res = _xi()
    first = store.add_article(art, res, (TopicScore("politics", 1.0),))
    copy_text = XI + " (Reuters)"
    copy = store.add_article(Article(copy_text, title="Xi copy", source="other"),
                             find_all(copy_text, XI_PLACES, dateline="PEKING"), (TopicScore("politics", 1.0),))
    store.set_story(copy.id, first.id)
    kz = store.place_summaries(Filters(place_ids=(KAZAKHSTAN.id,)))[0]
    assert kz.articles == 1
    assert store.country_counts(Filters()) == [("CN", 1), ("KZ", 1), ("UZ", 1)]
    assert sum(n for _, topic, n in store.daily_counts(Filters()) if topic == "") == 1
    assert store.count_articles(Filters()) == 2  # the list still shows both copies
    assert store.stats()["stories"] == 1
    assert store.article(copy.id).story_id == first.id  # type: ignore[union-attr]
