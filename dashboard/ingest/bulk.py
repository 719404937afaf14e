"""Bulk ingest on Dask: partitions enriched by distributed tasks, written by this process, each once.

The client reads the input into partitions (:mod:`dashboard.ingest.partition`),
keeps a few more in flight than there are workers (memory stays flat on an
archive of millions), and writes each finished partition in one transaction
together with its mark in ``bulk_partitions``.  So:

- a killed worker: Dask runs its task again elsewhere (or, when a partition
  kills workers repeatedly, gives up on it: its records are reported skipped
  and nothing of it is stored);
- a killed scheduler or client: committed partitions stay; the same command
  again passes them by (their keys are in the store) and does the rest.

Exact copies are still refused by the article hash inside the write, and
near-copies linked as in the one-process ingest (:class:`StoryIndex`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributed import Client, as_completed

from dashboard.errors import ClusterError
from dashboard.ingest.bulk_tasks import EnrichPlugin, PartitionResult, enrich_partition, worker_load_seconds
from dashboard.ingest.dedupe import StoryIndex
from dashboard.ingest.enrich import GeoparseFn, TagFn, default_tagger
from dashboard.ingest.partition import Partition, expand_sources, partitions
from dashboard.ingest.pipeline import IngestSummary
from dashboard.ingest.progress import Progress
from dashboard.ingest.records import IngestOptions, Record
from dashboard.store import NewArticle, PartitionMark, Store

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class BulkSummary(IngestSummary):
    """An :class:`IngestSummary` with the partitions: done now, passed by (committed before), failed."""

    partitions: int = 0
    partitions_passed: int = 0
    partitions_failed: int = 0
    workers: int = 0
    index_load_seconds: tuple[float, ...] = ()
    task_seconds: float = 0.0
    task_cpu_seconds: float = 0.0
    write_seconds: float = 0.0
    write_cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        out = IngestSummary.to_dict(self)
        out.update(partitions=self.partitions, partitions_passed=self.partitions_passed,
                   partitions_failed=self.partitions_failed, workers=self.workers,
                   index_load_seconds=[round(s, 3) for s in self.index_load_seconds],
                   task_seconds=round(self.task_seconds, 3), task_cpu_seconds=round(self.task_cpu_seconds, 3),
                   write_seconds=round(self.write_seconds, 3), write_cpu_seconds=round(self.write_cpu_seconds, 3),
                   client_cpu_seconds=round(self.client_cpu_seconds, 3))
        return out


class BulkProgress(Progress):
    """The progress line with the partitions done out of those started."""

    @staticmethod
    def line(c: Any) -> str:
        rate = c.seen / c.seconds if c.seconds > 0 else 0.0
        done = c.partitions + c.partitions_passed + c.partitions_failed
        return (f"bulk ingest: {done:,} partitions ({c.partitions_passed:,} done before), {c.seen:,} read, "
                f"{c.added:,} added, {c.duplicates:,} duplicates, {c.skipped:,} skipped, {rate:,.0f}/s")


def task_name(part: Partition, run_id: int | None) -> str:
    """A Dask key that says what the task is on Dask's dashboard: ``geoparse-topics-<file>-<n>-...``."""
    stem = Path(part.source).name.replace("-", "_")[:60]
    return f"geoparse-topics-{stem}-{part.number}-run{run_id}-{part.key[:10]}"


class BulkIngestor:
    """Runs ingests with a Dask client; this process reads the input and writes the store."""

    def __init__(
        self,
        store: Store,
        client: Client,
        *,
        geoparser: GeoparseFn | None = None,
        tagger: TagFn | None = None,
        use_default_tagger: bool = True,
        partition_size: int = 500,
        progress: Progress | None = None,
        link_stories: bool = True,
        in_flight: int | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.partition_size = max(1, partition_size)
        self.progress = progress or BulkProgress(enabled=False)
        self.link_stories = link_stories
        if tagger is None and use_default_tagger:
            default_tagger()  # built here too: a bad rules file stops the run before it starts
        self.plugin = EnrichPlugin(geoparser, tagger, use_default_tagger)
        self.in_flight = in_flight
        self._stories: StoryIndex | None = None

    def _workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def run(self, sources: Sequence[str], opts: IngestOptions | None = None) -> BulkSummary:
        """Ingest every source on the cluster; bad records are recorded and skipped, the rest stored."""
        opts = opts or IngestOptions()
        files = expand_sources(sources, opts)
        self.client.register_plugin(self.plugin)  # each worker loads the index now, once
        run_id = self.store.begin_run(["--scheduler", *sources])
        summary = BulkSummary(run_id=run_id, workers=self._workers())
        summary.index_load_seconds = tuple(s for s in self.client.run(worker_load_seconds).values() if s)
        started, cpu = time.monotonic(), time.process_time()
        status = "failed"
        try:
            self._run(partitions(files, opts, self.partition_size), summary, started)
            status = "done"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            summary.seconds = time.monotonic() - started
            summary.client_cpu_seconds = time.process_time() - cpu
            self.progress.close(summary)
            self.store.finish_run(run_id, seen=summary.seen, added=summary.added,
                                  duplicates=summary.duplicates, skipped=summary.skipped, status=status)
        if summary.added:
            self.store.optimize()
        return summary

    def _run(self, parts: Iterator[Partition | Record], summary: BulkSummary, started: float) -> None:
        limit = self.in_flight or self._workers() * 2 + 1
        pending: dict[Any, Partition] = {}
        queue = as_completed()

        def submit_more() -> None:
            while len(pending) < limit:
                part = next(parts, None)
                if part is None:
                    return
                if isinstance(part, Record):
                    summary.seen += 1
                    self._skip(summary, part.source, part.position, part.error or "unreadable")
                    continue
                if self.store.clean_partitions([part.key]):
                    summary.partitions_passed += 1
                    summary.seen += part.records
                    summary.duplicates += part.records
                    continue
                name = task_name(part, summary.run_id)
                future = self.client.submit(enrich_partition, part, self.link_stories, key=name, pure=False)
                pending[future.key] = part
                queue.add(future)

        submit_more()
        for future in queue:
            part = pending.pop(future.key)
            try:
                result: PartitionResult = future.result()
            except CancelledError as err:
                if self.client.status not in ("running", "connecting"):
                    raise ClusterError(self._lost(summary)) from err
                self._failed(part, summary, f"its task was cancelled ({err})")
            except Exception as err:  # KilledWorker, or a bug in a task: this partition only
                if type(err).__name__ == "KilledWorker":
                    self._failed(part, summary, "it stopped the workers that ran it (KilledWorker); "
                                 "nothing of it was stored")
                else:
                    self._failed(part, summary, f"{type(err).__name__}: {err}")
            else:
                self._write(part, result, summary)
            finally:
                future.release()
            summary.seconds = time.monotonic() - started
            self.progress.update(summary)
            if self.client.status not in ("running", "connecting"):
                raise ClusterError(self._lost(summary))
            submit_more()

    def _lost(self, summary: BulkSummary) -> str:
        return (f"lost the Dask scheduler after {summary.partitions:,} partitions were committed "
                f"({summary.added:,} articles added); they are kept: run the same command again to do the rest")

    def _skip(self, summary: IngestSummary, source: str, position: str, message: str) -> None:
        summary.skipped += 1
        summary.errors.append((source, position, message))
        where = ":".join(p for p in (source, position) if p)
        logger.info("skipped %s: %s", where, message)
        self.store.record_error(summary.run_id, source, position, message)

    def _failed(self, part: Partition, summary: BulkSummary, why: str) -> None:
        summary.partitions_failed += 1
        summary.seen += part.records
        summary.skipped += part.records - 1
        self._skip(summary, part.source, part.position, f"partition of {part.records} record(s) failed: {why}; "
                   "re-run to try it again")

    def _write(self, part: Partition, result: PartitionResult, summary: BulkSummary) -> None:
        """Store a partition's articles, errors and mark in one transaction, linking near-copies."""
        t, cpu = time.perf_counter(), time.thread_time()
        items: list[NewArticle] = []
        failed: list[tuple[str, str, str]] = list(result.errors)
        for position, art, digest, rows in result.items:
            if isinstance(rows, str):
                failed.append((part.source, position, rows))
                continue
            geo, topics, sig = rows
            items.append(NewArticle(art, geo, topics, minhash=sig, hash=digest))
        if self._stories is None and self.link_stories and items:
            self._stories = StoryIndex(self.store)
        stories = self._stories if self.link_stories else None
        added = duplicates = mentions = near = 0

        records = len(result.items) + len(result.errors) + result.duplicates

        def mark() -> PartitionMark:
            return PartitionMark(part.key, part.source, part.position, records, added,
                                 duplicates + result.duplicates, len(failed))

        try:
            with self.store.partition_transaction(mark, summary.run_id):
                rows_added = self.store.add_articles(items, run_id=summary.run_id,
                                                     link=stories.link if stories is not None else None)
                for row in rows_added:
                    if not row.inserted:
                        duplicates += 1
                        continue
                    added += 1
                    mentions += row.mentions
                    near += int(row.story_id is not None and row.story_id != row.id)
                for source, position, message in failed:
                    self.store.record_error(summary.run_id, source, position, message)
        except BaseException:
            if stories is not None:
                stories.rollback()
            raise
        if stories is not None:
            stories.commit()
        summary.partitions += 1
        summary.seen += records
        summary.added += added
        summary.duplicates += duplicates + result.duplicates
        summary.mentions += mentions
        summary.near_duplicates += near
        summary.skipped += len(failed)
        summary.errors.extend(failed)
        summary.task_seconds += result.seconds
        summary.task_cpu_seconds += result.cpu_seconds
        summary.write_seconds += time.perf_counter() - t
        summary.write_cpu_seconds += time.thread_time() - cpu
