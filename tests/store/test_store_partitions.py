"""Committed partitions of bulk ingests (schema 7): marked in the articles' transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from store_samples import sample_corpus

from dashboard.store import NewArticle, PartitionMark, Store


def _mark(key: str, added: int, skipped: int = 0) -> PartitionMark:
    return PartitionMark(key, "archive.jsonl.gz", "lines 1-500", 3, added, 0, skipped)


def test_a_partition_and_its_mark_commit_together(store: Store) -> None:
    items = [NewArticle(a, r, t) for a, r, t in sample_corpus()]
    run = store.begin_run(["archive.jsonl.gz"])
    with store.partition_transaction(lambda: _mark("k1", 2), run):
        store.add_articles(items[:2], run_id=run)
    with store.partition_transaction(lambda: _mark("k2", 1, skipped=1), run):
        store.add_articles(items[2:3], run_id=run)
        store.record_error(run, "archive.jsonl.gz", "line 7", "broken JSON")
    assert store.clean_partitions(["k1", "k2", "k3"]) == {"k1"}  # k2 skipped a record: done again next time
    assert store.stats()["articles"] == 3


def test_a_failed_partition_leaves_neither_articles_nor_mark(store: Store) -> None:
    items = [NewArticle(a, r, t) for a, r, t in sample_corpus()]
    with pytest.raises(KeyboardInterrupt), store.partition_transaction(lambda: _mark("k1", 2)):
        store.add_articles(items[:2])
        raise KeyboardInterrupt  # the client killed between the write and the commit
    assert store.clean_partitions(["k1"]) == set() and store.stats()["articles"] == 0
    assert store._place_rows == {}  # the cache forgot the places the rollback took away
    with store.partition_transaction(lambda: _mark("k1", 2)):
        store.add_articles(items[:2])  # so the places are written again and the mentions find them
    assert store.clean_partitions(["k1"]) == {"k1"} and store.stats()["mentions"] > 0
