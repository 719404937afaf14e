"""An ingest run: sources -> records -> enrichment -> store, in batches, with a summary.

Each batch is written in one transaction, so killing the process leaves whole
batches; articles already stored are recognised by their hash before they are
geoparsed, so re-running the same input is cheap and adds nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from dashboard.errors import InputError
from dashboard.ingest.dedupe import StoryIndex, signature
from dashboard.ingest.enrich import (
    GeoparseFn,
    TagFn,
    default_geoparser,
    default_tagger,
    enrich_in_worker,
    init_worker,
    prepare,
)
from dashboard.ingest.fetch import Fetcher
from dashboard.ingest.files import read_file, read_stdin, walk
from dashboard.ingest.progress import Progress
from dashboard.ingest.records import IngestOptions, Record
from dashboard.models import Article
from dashboard.store import NewArticle, Store, content_hash

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestSummary:
    """Counts of one run and every skipped record with where it was."""

    run_id: int | None = None
    seen: int = 0
    added: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    skipped: int = 0
    mentions: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.seen / self.seconds if self.seconds > 0 else 0.0

    @property
    def exit_code(self) -> int:
        """1 when anything was skipped, so scripts notice."""
        return 1 if self.skipped else 0

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id, "seen": self.seen, "added": self.added, "duplicates": self.duplicates,
            "near_duplicates": self.near_duplicates, "skipped": self.skipped, "mentions": self.mentions, "seconds": round(self.seconds, 3),
            "errors": [{"source": s, "position": p, "message": m} for s, p, m in self.errors],
        }


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def check_sources(sources: Sequence[str]) -> None:
    """Fail before doing anything when a named file or folder does not exist (a typo, usually)."""
    for src in sources:
        if src != "-" and not is_url(src) and not Path(src).exists():
            raise InputError(f"no such file or folder: {src}")


def iter_records(sources: Sequence[str], opts: IngestOptions, fetcher: Fetcher | None = None) -> Iterator[Record]:
    """Every record of every source, in order: folders recursively, URLs fetched, ``-`` from stdin."""
    for src in sources:
        if src == "-":
            yield from read_stdin(opts)
        elif is_url(src):
            from dashboard.ingest.web import read_url

            yield from read_url(src, opts, fetcher or Fetcher())
        else:
            path = Path(src)
            if path.is_dir():
                any_file = False
                for file in walk(path, opts.glob):
                    any_file = True
                    yield from read_file(file, opts, fetcher)
                if not any_file:
                    logger.warning("%s: no files%s", src, f" matching {opts.glob}" if opts.glob else "")
            elif path.exists():
                yield from read_file(path, opts, fetcher)
            else:
                yield Record(src, "", error="no such file or folder")


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch


class Ingestor:
    """Runs ingests into one store with one geoparser and tagger (and, optionally, worker processes)."""

    def __init__(
        self,
        store: Store,
        *,
        geoparser: GeoparseFn | None = None,
        tagger: TagFn | None = None,
        use_default_tagger: bool = True,
        workers: int = 1,
        batch_size: int = 100,
        fetcher: Fetcher | None = None,
        progress: Progress | None = None,
        link_stories: bool = True,
    ) -> None:
        self.store = store
        self.geoparser = geoparser or default_geoparser()
        self.tagger = tagger if tagger is not None or not use_default_tagger else default_tagger()
        self.workers = max(1, workers)
        self.batch_size = max(1, batch_size)
        self.fetcher = fetcher
        self.progress = progress or Progress(enabled=False)
        self.link_stories = link_stories
        self._stories: StoryIndex | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._init_args = (geoparser, tagger, use_default_tagger)

    def run(self, sources: Sequence[str], opts: IngestOptions | None = None) -> IngestSummary:
        """Ingest every source; bad records are recorded and skipped, the rest stored."""
        opts = opts or IngestOptions()
        check_sources(sources)
        run_id = self.store.begin_run(list(sources))
        summary = IngestSummary(run_id=run_id)
        started = time.monotonic()
        status = "failed"
        fetcher = self.fetcher or Fetcher()
        try:
            for batch in _batches(iter_records(sources, opts, fetcher), self.batch_size):
                self._batch(batch, summary)
                summary.seconds = time.monotonic() - started
                self.progress.update(summary)
            status = "done"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            summary.seconds = time.monotonic() - started
            self.progress.close(summary)
            if self.fetcher is None:
                fetcher.close()
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
            self.store.finish_run(run_id, seen=summary.seen, added=summary.added,
                                  duplicates=summary.duplicates, skipped=summary.skipped, status=status)
        return summary

    def _skip(self, summary: IngestSummary, source: str, position: str, message: str) -> None:
        summary.skipped += 1
        summary.errors.append((source, position, message))
        where = ":".join(p for p in (source, position) if p)
        logger.info("skipped %s: %s", where, message)
        self.store.record_error(summary.run_id, source, position, message)

    def _batch(self, batch: list[Record], summary: IngestSummary) -> None:
        ready: list[tuple[Record, Article, str]] = []
        for rec in batch:
            summary.seen += 1
            if rec.error is not None or rec.article is None:
                self._skip(summary, rec.source, rec.position, rec.error or "no article")
                continue
            try:
                art = prepare(rec.article)
            except InputError as err:
                self._skip(summary, rec.source, rec.position, str(err))
                continue
            ready.append((rec, art, content_hash(art.text)))
        known = self.store.known_hashes([h for _, _, h in ready])
        fresh: list[tuple[Record, Article, str]] = []
        batch_hashes: set[str] = set()
        for rec, art, digest in ready:
            if digest in known or digest in batch_hashes:
                summary.duplicates += 1
            else:
                batch_hashes.add(digest)
                fresh.append((rec, art, digest))
        results = self._enrich([art for _, art, _ in fresh])
        items: list[NewArticle] = []
        for (rec, art, _), res in zip(fresh, results, strict=True):
            if isinstance(res, str):
                self._skip(summary, rec.source, rec.position, res)
                continue
            geo, topics = res
            if art.lang is None and geo.lang:
                art = Article(art.text, art.title, art.id, art.url, art.published, art.date_source,
                              geo.lang, art.source, art.categories)
            sig = signature(art.text) if self.link_stories else None
            items.append(NewArticle(art, geo, topics, minhash=sig))
        if self._stories is None and self.link_stories and items:
            self._stories = StoryIndex(self.store)  # before this batch is stored: it holds earlier stories only
        for item, added in zip(items, self.store.add_articles(items, run_id=summary.run_id), strict=True):
            if not added.inserted:
                summary.duplicates += 1
                continue
            summary.added += 1
            summary.mentions += added.mentions
            if item.minhash is not None and self._stories is not None:
                story = self._stories.link(added.id, item.minhash)
                if story is not None:
                    self.store.set_story(added.id, story)
                    summary.near_duplicates += 1

    def _enrich(self, articles: list[Article]) -> list[object]:
        if self.workers == 1 or len(articles) < 2:
            init_worker(self.geoparser, self.tagger, False)
            return [enrich_in_worker(a) for a in articles]
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, initializer=init_worker, initargs=self._init_args)
        chunk = max(1, len(articles) // (self.workers * 4))
        return list(self._pool.map(enrich_in_worker, articles, chunksize=chunk))


def ingest(store: Store, sources: Sequence[str], opts: IngestOptions | None = None, **kwargs: object) -> IngestSummary:
    """Convenience: ``Ingestor(store, **kwargs).run(sources, opts)``."""
    return Ingestor(store, **kwargs).run(sources, opts)  # type: ignore[arg-type]
