"""The batched, overlapped ingest: worker processes, copies linked inside the write, failures mid-run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_helpers import PLACES, toy_geoparse

from dashboard.ingest import Ingestor
from dashboard.ingest.dedupe import StoryIndex, signature
from dashboard.ingest.enrich import enrich_rows, init_worker
from dashboard.models import Article, Filters
from dashboard.store import GeoRows, Store, open_store

BODY = ("The mayor of Berlin met the mayor of Paris on Monday to sign an agreement on trains, "
        "housing and climate, and both cities promised to share data on traffic and air quality.")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'news.sqlite'}")
    yield s
    s.close()


def _write(path: Path, rows: list[dict[str, str]]) -> str:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return str(path)


def _corpus(n: int) -> list[dict[str, str]]:
    rows = [{"text": f"Item {i}: Berlin and Paris and Berlin.", "published": "2024-03-01"} for i in range(n)]
    rows[7] = {"text": BODY, "source": "wire"}
    rows[8] = {"text": BODY + " Reporting by A. Writer.", "source": "paper"}  # a copy in the same batch
    rows[23] = {"text": "UPDATE: " + BODY, "source": "blog"}  # and one in a later batch
    rows[24] = rows[3]  # an exact duplicate of an earlier batch's article
    return rows


@pytest.mark.parametrize("workers", [1, 2])
def test_batches_overlap_and_copies_link_within_and_across_batches(
    store: Store, tmp_path: Path, workers: int
) -> None:
    src = _write(tmp_path / "in.jsonl", _corpus(40))
    summary = Ingestor(store, geoparser=toy_geoparse, use_default_tagger=False, workers=workers,
                       batch_size=10).run([src])
    assert (summary.seen, summary.added, summary.duplicates, summary.near_duplicates) == (40, 39, 1, 2)
    stats = store.stats()
    assert (stats["articles"], stats["stories"]) == (39, 37)
    berlin = store.place_summaries(Filters(place_ids=(PLACES["Berlin"].id,)))[0]
    assert berlin.articles == 37  # stories, not copies
    assert store.count_articles(Filters(countries=("DE",))) == 39


def test_a_failed_write_keeps_whole_batches_and_a_rerun_completes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _write(tmp_path / "in.jsonl", _corpus(40))
    real_add = store.add_articles
    calls = []

    def flaky(items, **kw):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        if len(calls) == 3:  # the batch with the cross-batch copy
            link = kw.get("link")
            if link is not None:  # links made for the failed batch must be forgotten
                link(10_000, signature("UPDATE: " + BODY))
            raise KeyboardInterrupt
        return real_add(items, **kw)

    monkeypatch.setattr(store, "add_articles", flaky)
    with pytest.raises(KeyboardInterrupt):
        Ingestor(store, geoparser=toy_geoparse, use_default_tagger=False, batch_size=10).run([src])
    monkeypatch.setattr(store, "add_articles", real_add)
    assert store.stats()["articles"] == 20 and store.stats()["last_run"]["status"] == "interrupted"
    assert store._conn().scalar("SELECT COUNT(*) FROM mentions") == 3 * 18 + 2 * 2  # whole batches: 18 items, 2 copies
    summary = Ingestor(store, geoparser=toy_geoparse, use_default_tagger=False, batch_size=10).run([src])
    assert (summary.added, summary.duplicates, summary.near_duplicates) == (19, 21, 1)
    assert (store.stats()["articles"], store.stats()["stories"]) == (39, 37)


def test_story_index_forgets_a_rolled_back_batch(store: Store) -> None:
    index = StoryIndex(store)
    sig = signature(BODY)
    assert index.link(1, sig) is None
    index.rollback()
    assert index.link(2, sig) is None  # 1 was never stored: 2 starts its own story
    index.commit()
    assert index.link(3, sig) == 2


def test_workers_send_plain_rows() -> None:
    init_worker(toy_geoparse, None, False)
    geo, topics, sig = enrich_rows(Article(BODY, lang="en"), with_signature=True)  # type: ignore[misc]
    assert isinstance(geo, GeoRows) and topics == ()
    assert all(isinstance(v, (str, int, float)) for m in geo.mentions for v in m)
    assert {p[0] for p in geo.places} == {PLACES["Berlin"].id, PLACES["Paris"].id}
    assert sig == signature(BODY) and len(sig) == 64 * 4
