"""``reparse --scheduler``: stored articles re-geoparsed and re-tagged by Dask tasks, a partition per transaction.

The client pages through the matching articles (keyset pagination, stable
while it writes), sends each page of texts to a worker and replaces the
page's places and topics in one transaction.  Replacing is idempotent: a
re-run after a killed worker, scheduler or client redoes pages and doubles
nothing, and corrections still apply as they are written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from typing import Any

from distributed import Client, as_completed

from dashboard.errors import ClusterError
from dashboard.ingest.bulk_tasks import EnrichPlugin, reparse_partition
from dashboard.ingest.enrich import GeoparseFn, TagFn, default_tagger
from dashboard.ingest.progress import Progress
from dashboard.models import Filters
from dashboard.store import Store

logger = logging.getLogger(__name__)

Page = list[tuple[int, str, str | None, str, tuple[str, ...]]]


@dataclass(slots=True)
class ReparseSummary:
    articles: int = 0
    mentions: int = 0
    topics: int = 0
    partitions: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0


class _ReparseProgress(Progress):
    @staticmethod
    def line(c: Any) -> str:
        rate = c.articles / c.seconds if c.seconds > 0 else 0.0
        return (f"reparse: {c.partitions:,} partitions, {c.articles:,} articles, {len(c.failed):,} failed, "
                f"{rate:,.0f}/s")


def _pages(store: Store, filters: Filters, size: int) -> Iterator[Page]:
    page: Page = []
    for a in store.iter_articles(filters, with_text=True, page=size):
        page.append((a.id, a.text or "", a.lang, a.title, a.categories))
        if len(page) >= size:
            yield page
            page = []
    if page:
        yield page


def bulk_reparse(store: Store, client: Client, filters: Filters, *, only: str | None = None,
                 partition_size: int = 500, geoparser: GeoparseFn | None = None, tagger: TagFn | None = None,
                 progress: bool | None = False) -> ReparseSummary:
    """Re-run the geoparser and/or tagger (``only``: ``places`` or ``topics``) on the matching articles."""
    if tagger is None and only != "places":
        default_tagger()  # a bad rules file stops the run before it starts
    client.register_plugin(EnrichPlugin(geoparser, tagger, only != "places"))
    summary = ReparseSummary()
    shown = _ReparseProgress(enabled=progress)
    started = time.monotonic()
    limit = 2 * max(1, len(client.scheduler_info().get("workers", {}))) + 1
    pages = _pages(store, filters, max(1, partition_size))
    pending: dict[Any, Page] = {}
    queue = as_completed()
    number = 0

    def submit_more() -> None:
        nonlocal number
        while len(pending) < limit and (page := next(pages, None)) is not None:
            key = f"reparse-{only or 'places_topics'}-{number}-ids{page[0][0]}_{page[-1][0]}-{time.time_ns()}"
            future = client.submit(reparse_partition, page, only, key=key, pure=False)
            pending[future.key] = page
            queue.add(future)
            number += 1

    submit_more()
    for future in queue:
        page = pending.pop(future.key)
        try:
            rows = future.result()
        except CancelledError as err:
            raise ClusterError(f"lost the Dask scheduler after {summary.articles:,} articles were re-parsed; "
                               "run the same command again (re-parsing twice changes nothing)") from err
        except Exception as err:  # KilledWorker or a bug in a task: this page only
            summary.failed += [(aid, f"{type(err).__name__}: {err}") for aid, *_ in page]
        else:
            _write(store, rows, summary)
        finally:
            future.release()
        summary.seconds = time.monotonic() - started
        shown.update(summary)  # type: ignore[arg-type]
        submit_more()
    summary.seconds = time.monotonic() - started
    shown.close(summary)  # type: ignore[arg-type]
    return summary


def _write(store: Store, rows: list[tuple[int, Any, Any]], summary: ReparseSummary) -> None:
    """One page's new places and topics, all or nothing."""
    topics: list[tuple[int, Any]] = []
    mentions = 0
    with store.partition_transaction():
        for aid, geo, found in rows:
            if isinstance(geo, str):
                summary.failed.append((aid, geo))
                continue
            if geo is not None:
                mentions += store.replace_geoparse(aid, geo)
            if found is not None:
                topics.append((aid, found))
        n_topics = store.replace_topics_many(topics)
    summary.partitions += 1
    summary.articles += sum(1 for _, geo, _ in rows if not isinstance(geo, str))
    summary.mentions += mentions
    summary.topics += n_topics
