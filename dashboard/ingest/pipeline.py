"""An ingest run: sources -> records -> enrichment -> store, in batches, with a summary.

Each batch is written in one transaction, so killing the process leaves whole
batches (near-copies are linked inside that transaction, so a batch is never half-linked); articles already stored are recognised by their hash before they are
geoparsed, so re-running the same input is cheap and adds nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from dashboard.errors import InputError
from dashboard.ingest.dedupe import StoryIndex
from dashboard.ingest.enrich import (
    EnrichedRows,
    GeoparseFn,
    TagFn,
    default_geoparser,
    default_tagger,
    enrich_chunk,
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
        batch_size: int = 500,
        fetcher: Fetcher | None = None,
        progress: Progress | None = None,
        link_stories: bool = True,
        optimize: bool = True,
    ) -> None:
        self.store = store
        self.geoparser = geoparser or default_geoparser()
        self.tagger = tagger if tagger is not None or not use_default_tagger else default_tagger()
        self.workers = max(1, workers)
        self.batch_size = max(1, batch_size)
        self.fetcher = fetcher
        self.progress = progress or Progress(enabled=False)
        self.link_stories = link_stories
        self.optimize = optimize  # refresh planner statistics after a run that added articles
        self._stories: StoryIndex | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._init_args = (geoparser, tagger, use_default_tagger)
        self._inflight: set[str] = set()

    def run(self, sources: Sequence[str], opts: IngestOptions | None = None) -> IngestSummary:
        """Ingest every source; bad records are recorded and skipped, the rest stored.

        With worker processes, batch N is written while the workers parse batch N+1.
        """
        opts = opts or IngestOptions()
        check_sources(sources)
        fetcher = self.fetcher or Fetcher()
        try:
            return self.run_records(iter_records(sources, opts, fetcher), sources)
        finally:
            if self.fetcher is None:
                fetcher.close()

    def run_records(self, records: Iterable[Record], sources: Sequence[str]) -> IngestSummary:
        """Ingest records read elsewhere (the feed poller fetches its feeds itself) as one run."""
        run_id = self.store.begin_run(list(sources))
        summary = IngestSummary(run_id=run_id)
        started = time.monotonic()
        status = "failed"
        try:
            pending: _Job | None = None
            for batch in _batches(records, self.batch_size):
                job = self._start(batch, summary)
                if pending is not None:
                    self._finish(pending, summary)
                    summary.seconds = time.monotonic() - started
                    self.progress.update(summary)
                pending = job
            if pending is not None:
                self._finish(pending, summary)
            status = "done"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            summary.seconds = time.monotonic() - started
            self.progress.close(summary)
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
            self.store.finish_run(run_id, seen=summary.seen, added=summary.added,
                                  duplicates=summary.duplicates, skipped=summary.skipped, status=status)
        if summary.added and self.optimize:
            self.store.optimize()
        return summary

    def _skip(self, summary: IngestSummary, source: str, position: str, message: str) -> None:
        summary.skipped += 1
        summary.errors.append((source, position, message))
        where = ":".join(p for p in (source, position) if p)
        logger.info("skipped %s: %s", where, message)
        self.store.record_error(summary.run_id, source, position, message)

    def _start(self, batch: list[Record], summary: IngestSummary) -> _Job:
        """Read, clean and de-duplicate a batch, and hand what is new to the enrichment workers."""
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
        known = self.store.known_hashes([h for _, _, h in ready]) | self._inflight
        fresh: list[tuple[Record, Article, str]] = []
        batch_hashes: set[str] = set()
        for rec, art, digest in ready:
            if digest in known or digest in batch_hashes:
                summary.duplicates += 1
            else:
                batch_hashes.add(digest)
                fresh.append((rec, art, digest))
        self._inflight = batch_hashes
        return _Job(fresh, self._enrich([art for _, art, _ in fresh]))

    def _finish(self, job: _Job, summary: IngestSummary) -> None:
        """Collect a batch's enrichment and write it in one transaction, linking near-copies as it goes."""
        items: list[NewArticle] = []
        for (rec, art, digest), res in zip(job.fresh, job.results(), strict=True):
            if isinstance(res, str):
                self._skip(summary, rec.source, rec.position, res)
                continue
            geo, topics, sig = res
            items.append(NewArticle(art, geo, topics, minhash=sig, hash=digest))
        if self._stories is None and self.link_stories and items:
            self._stories = StoryIndex(self.store)  # before this batch is stored: it holds earlier stories only
        stories = self._stories if self.link_stories else None
        try:
            added = self.store.add_articles(items, run_id=summary.run_id,
                                            link=stories.link if stories is not None else None)
        except BaseException:
            if stories is not None:
                stories.rollback()
            raise
        if stories is not None:
            stories.commit()
        for row in added:
            if not row.inserted:
                summary.duplicates += 1
                continue
            summary.added += 1
            summary.mentions += row.mentions
            if row.story_id is not None and row.story_id != row.id:
                summary.near_duplicates += 1

    def _enrich(self, articles: list[Article]) -> list[Future[list[EnrichedRows | str]]] | list[EnrichedRows | str]:
        """Start enriching: a list of results (one process) or of futures (worker processes)."""
        if self.workers == 1 or len(articles) < 2:
            init_worker(self.geoparser, self.tagger, False)
            return enrich_chunk(articles, self.link_stories)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, initializer=init_worker, initargs=self._init_args)
        size = max(8, -(-len(articles) // (self.workers * 4)))
        return [self._pool.submit(enrich_chunk, articles[i : i + size], self.link_stories)
                for i in range(0, len(articles), size)]


@dataclass(slots=True)
class _Job:
    """A batch on its way: the new articles and their enrichment (done, or futures of chunks)."""

    fresh: list[tuple[Record, Article, str]]
    pending: list[Future[list[EnrichedRows | str]]] | list[EnrichedRows | str]

    def results(self) -> list[EnrichedRows | str]:
        out: list[EnrichedRows | str] = []
        for p in self.pending:
            if isinstance(p, Future):
                out.extend(p.result())
            else:
                out.append(p)
        return out


def ingest(store: Store, sources: Sequence[str], opts: IngestOptions | None = None, **kwargs: object) -> IngestSummary:
    """Convenience: ``Ingestor(store, **kwargs).run(sources, opts)``."""
    return Ingestor(store, **kwargs).run(sources, opts)  # type: ignore[arg-type]
