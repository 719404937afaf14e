"""The feed poller behind ``watch``: fetch due feeds politely, ingest what is new, schedule the next poll.

One poll of one feed:

1. take the feed's lease in the store (another poller has it: skip the feed);
2. a conditional GET with the feed's ETag / Last-Modified: a 304 ends the poll,
   nothing is parsed; a body identical to the last one ends it too;
3. the items go through the ordinary ingest pipeline, whose content-hash check
   drops stored items before the geoparser sees them (with full text, links
   already stored are not even fetched);
4. only then the outcome (validators, counts, next due time) is written, in the
   transaction that gives the lease back.

A poller killed anywhere in between leaves whole ingest batches and a feed still
due: the next poll re-reads it and the hashes make the repeat cost nothing.  A
failing feed is retried with exponential back-off, its reason kept; it is never
dropped, only marked as failing once its failures have lasted a day.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.errors import FetchError, StoreError
from dashboard.ingest.fetch import Fetcher
from dashboard.ingest.pipeline import Ingestor
from dashboard.ingest.records import IngestOptions, Record
from dashboard.store import Store
from dashboard.store.feeds import Feed, PollResult, new_holder

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class PollerOptions:
    """How politely and how persistently to poll."""

    timeout: float = 15.0
    retries: int = 1
    host_delay: float = 1.0
    lease: timedelta = timedelta(minutes=15)  # longer than any one feed's poll may take
    max_backoff: timedelta = timedelta(hours=6)
    failing_after: timedelta = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What one poll of one feed did, for the log line and the tests."""

    feed_id: int
    url: str
    status: str  # ok | not-modified | unchanged | error | skipped (lease held elsewhere)
    new: int = 0
    seen: int = 0
    duplicates: int = 0
    skipped: int = 0
    error: str = ""
    seconds: float = 0.0


def backoff(interval_s: int, failures: int, max_backoff: timedelta) -> timedelta:
    """Delay before retrying a feed that failed ``failures`` times in a row: interval × 2^(n−1), capped."""
    cap = max(max_backoff.total_seconds(), float(interval_s))
    return timedelta(seconds=min(interval_s * 2 ** max(failures - 1, 0), cap))


def is_failing(feed: Feed, now: datetime, after: timedelta = timedelta(days=1)) -> bool:
    """Has this feed been failing for longer than ``after``?  (Marked in lists; still polled.)"""
    return feed.failing_since is not None and now - feed.failing_since >= after


class Poller:
    """Polls a store's due feeds; one per process, sharing one HTTP client and one ingest pipeline.

    ``geoparser``/``tagger`` default to the product's; tests pass small ones.
    ``clock`` is injectable so back-off can be tested without waiting hours.
    """

    def __init__(
        self,
        store: Store,
        *,
        options: PollerOptions | None = None,
        geoparser: Any = None,
        tagger: Any = None,
        clock: Clock | None = None,
        holder: str | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.store = store
        self.options = options or PollerOptions()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.holder = holder or new_holder()
        self.fetcher = fetcher or Fetcher(timeout=self.options.timeout, retries=self.options.retries,
                                          per_host_interval=self.options.host_delay)
        self._geoparser = geoparser
        self._tagger = tagger
        self._ingestors: dict[str | None, Ingestor] = {}
        self._body_hash: dict[int, str] = {}

    def _ingestor(self, rules: str | None) -> Ingestor:
        """One pipeline per topic-rules file: a feed's own rules extend the process's."""
        if rules not in self._ingestors:
            tagger = self._tagger
            if rules and tagger is None:
                from dashboard.config import topic_rules
                from dashboard.topics import Tagger

                paths, mode = topic_rules()
                tagger = Tagger.from_files((*paths, rules), mode).tag  # type: ignore[arg-type]
            self._ingestors[rules] = Ingestor(self.store, geoparser=self._geoparser, tagger=tagger,
                                              fetcher=self.fetcher, batch_size=200, optimize=False)
        return self._ingestors[rules]

    def poll_due(self, stop: Callable[[], bool] = lambda: False) -> list[FeedOutcome]:
        """Poll every feed that is due now (once each), until done or ``stop()`` says so."""
        outcomes = []
        for feed in self.store.due_feeds(self.clock()):
            if stop():
                break
            outcomes.append(self.poll(feed))
        return outcomes

    def poll(self, feed: Feed) -> FeedOutcome:
        """Poll one feed if its lease can be taken; never raises for the feed's own faults."""
        now = self.clock()
        if not self.store.claim_feed(feed.id, self.holder, now, self.options.lease):
            return FeedOutcome(feed.id, feed.url, "skipped")
        started = time.monotonic()
        try:
            outcome, result = self._poll_claimed(feed, now)
        except BaseException:
            self.store.release_feed(feed.id, self.holder)  # due as before: the next poll redoes it
            raise
        self.store.record_poll(feed.id, result, holder=self.holder)
        outcome = FeedOutcome(outcome.feed_id, outcome.url, outcome.status, outcome.new, outcome.seen,
                              outcome.duplicates, outcome.skipped, outcome.error, time.monotonic() - started)
        log = logger.warning if outcome.status == "error" else logger.info
        log("%s: %s, %d new%s", feed.url, outcome.status, outcome.new, f" ({outcome.error})" if outcome.error else "")
        return outcome

    def _poll_claimed(self, feed: Feed, now: datetime) -> tuple[FeedOutcome, PollResult]:
        due = now + timedelta(seconds=feed.interval_s)
        try:
            got = self.fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        except FetchError as err:
            return self._failed(feed, now, str(err).removeprefix(f"{feed.url}: "))
        if got.not_modified:
            return (FeedOutcome(feed.id, feed.url, "not-modified"),
                    PollResult("not-modified", now, due, etag=got.etag, last_modified=got.last_modified))
        digest = hashlib.blake2b(got.content, digest_size=16).hexdigest()
        if self._body_hash.get(feed.id) == digest:
            return (FeedOutcome(feed.id, feed.url, "unchanged"),
                    PollResult("ok", now, due, etag=got.etag, last_modified=got.last_modified))
        records = self._records(feed, got.content)
        if len(records) == 1 and records[0].error and not records[0].position:
            return self._failed(feed, now, records[0].error)
        summary = self._ingestor(feed.topic_rules).run_records(records, [feed.url])
        self._body_hash[feed.id] = digest
        note = ""
        if summary.errors:
            first = summary.errors[0]
            note = f"{summary.skipped} item(s) skipped, e.g. {first[1]}: {first[2]}"
        outcome = FeedOutcome(feed.id, feed.url, "ok", summary.added, summary.seen, summary.duplicates,
                              summary.skipped, note)
        return outcome, PollResult("ok", now, due, error=note, new=summary.added, etag=got.etag,
                                   last_modified=got.last_modified)

    def _records(self, feed: Feed, content: bytes) -> list[Record]:
        from dashboard.ingest.web import read_feed

        opts = IngestOptions(lang=feed.lang, source_name=feed.name or None, fetch_pages=feed.full_text,
                             format="feed")
        skip: set[str] = set()
        if feed.full_text:
            import feedparser

            links = [e.get("link") for e in feedparser.parse(content).get("entries", []) if e.get("link")]
            skip = self.store.known_urls(links)
        return list(read_feed(content, feed.url, opts, self.fetcher, skip_links=skip))

    def _failed(self, feed: Feed, now: datetime, reason: str) -> tuple[FeedOutcome, PollResult]:
        delay = backoff(feed.interval_s, feed.failures + 1, self.options.max_backoff)
        return (FeedOutcome(feed.id, feed.url, "error", error=reason),
                PollResult("error", now, now + delay, error=reason))

    def close(self) -> None:
        self.fetcher.close()


def run_forever(poller: Poller, stop: Callable[[], bool], *, after_cycle: Callable[[list[FeedOutcome]], None]
                | None = None, idle: float = 5.0, tick: float = 0.5) -> None:
    """Poll due feeds until ``stop()``; between cycles sleep until the next feed is due (at most ``idle`` s,
    so a subscription added meanwhile is polled within seconds).

    ``stop`` is checked between feeds and every ``tick`` seconds while idle, so a
    Ctrl+C or SIGTERM ends the loop after the feed being polled, not mid-batch.
    """
    while not stop():
        try:
            outcomes = poller.poll_due(stop)
            if after_cycle is not None:
                after_cycle(outcomes)
            next_due = poller.store.next_due()
        except StoreError as err:  # the database restarting or unreachable: keep trying, say why
            logger.warning("store unavailable, polling again in %g s: %s", idle, err)
            next_due = None
        wait = idle if next_due is None else (next_due - poller.clock()).total_seconds()
        deadline = time.monotonic() + min(max(wait, tick), idle)
        while not stop() and time.monotonic() < deadline:
            time.sleep(tick)
