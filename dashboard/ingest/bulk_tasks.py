"""What runs on a Dask worker: the enrichment of one partition, and the plugin that loads the place index once.

A worker turns a :class:`~dashboard.ingest.partition.Partition` into plain
rows: it parses the records, cleans and dates them, detects the language,
geoparses, tags topics and signs them (MinHash), exactly as the one-process
ingest does (:mod:`dashboard.ingest.enrich`), and sends back the prepared
articles with their rows.  It never touches the store: only the client writes.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from dashboard.errors import InputError
from dashboard.ingest import enrich
from dashboard.ingest.enrich import (
    EnrichedRows,
    GeoparseFn,
    TagFn,
    enrich_in_worker,
    enrich_rows,
    init_worker,
    prepare,
)
from dashboard.ingest.files import _source_name, read_data, read_jsonl
from dashboard.ingest.partition import Partition
from dashboard.ingest.records import Record, article_from_mapping
from dashboard.ingest.text import decode
from dashboard.models import Article
from dashboard.store.rows import content_hash

logger = logging.getLogger(__name__)

PLUGIN_NAME = "news-map-enrich"


class EnrichPlugin(WorkerPlugin):  # type: ignore[misc]
    """Loads the geoparser (and so the place index) and the topic tagger once per worker process.

    Registered with the client, it runs on every worker, including those
    that join or are restarted later (a killed worker comes back with it).
    The user's topic rules files travel with it (their text, read on the
    client), so workers need not see them; the place index is each worker's
    own (``python -m dashboard build-index`` on every worker machine).
    ``geoparser``/``tagger`` replace the product's (tests pass small ones).
    """

    name = PLUGIN_NAME

    def __init__(self, geoparser: GeoparseFn | None = None, tagger: TagFn | None = None,
                 use_default_tagger: bool = True) -> None:
        from dashboard.config import topic_rules

        self.geoparser = geoparser
        self.tagger = tagger
        self.use_default_tagger = use_default_tagger
        paths, self.rules_mode = topic_rules()
        self.rules = [(Path(p).name, Path(p).read_text(encoding="utf-8")) for p in paths]

    def setup(self, worker: Any = None) -> None:
        if self.rules or self.rules_mode != "extend":
            folder = Path(tempfile.mkdtemp(prefix="news-map-rules-"))
            files = []
            for i, (name, text) in enumerate(self.rules):
                files.append(folder / f"{i}-{name}")
                files[-1].write_text(text, encoding="utf-8")
            os.environ["DASHBOARD_TOPIC_RULES"] = os.pathsep.join(str(f) for f in files)
            os.environ["DASHBOARD_TOPIC_RULES_MODE"] = self.rules_mode
        load_enrichment(self.geoparser, self.tagger, self.use_default_tagger)


def load_enrichment(geoparser: GeoparseFn | None, tagger: TagFn | None, use_default_tagger: bool) -> float:
    """Set up this process's geoparser and tagger and load the index now; the seconds it took."""
    started = time.perf_counter()
    init_worker(geoparser, tagger, use_default_tagger)
    enrich._WORKER["geoparser"]("Berlin", lang="en")  # the first call loads the place index
    seconds = time.perf_counter() - started
    enrich._WORKER["load_seconds"] = seconds
    logger.info("worker %d: geoparser and place index loaded in %.2f s", os.getpid(), seconds)
    return seconds


def worker_load_seconds() -> float | None:
    """How long this worker took to load the index (asked of every worker with ``Client.run``)."""
    value = enrich._WORKER.get("load_seconds")
    return float(value) if value is not None else None


def _ready() -> None:
    if "geoparser" not in enrich._WORKER:  # a worker that joined before the plugin, or a plugin-less test
        load_enrichment(None, None, True)


@dataclass(slots=True)
class PartitionResult:
    """A partition enriched: new articles with their rows, errors with their positions, copies within it."""

    key: str
    items: list[tuple[str, Article, str, EnrichedRows | str]] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    duplicates: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    worker_pid: int = 0


def records_of(part: Partition) -> list[Record]:
    """The partition's records, positions as the one-process reader gives them."""
    opts, where = part.opts, part.source
    if part.kind == "jsonl":
        try:
            text = decode(part.payload, where="")
        except InputError as err:
            return [Record(where, part.position, error=str(err))]
        lines = [line.rstrip("\r") for line in text.split("\n")]
        if lines and lines[-1] == "":
            lines.pop()
        return list(read_jsonl(lines, where, opts, start=part.first))
    if part.kind == "csv":
        out = []
        for position, row in part.payload:
            try:
                out.append(Record(where, position, article=article_from_mapping(row, opts, _source_name(where))))
            except (InputError, ValueError, TypeError) as err:
                out.append(Record(where, position, error=str(err)))
        return out
    if part.kind == "parquet":
        from dashboard.ingest.parquet import records_from_rows

        return list(records_from_rows(part.payload.to_pylist(), where, part.first, opts, _source_name(where)))
    return [rec for path, kind, data in part.payload for rec in read_data(data, path, kind, opts)]


def enrich_partition(part: Partition, with_signature: bool = True) -> PartitionResult:
    """Read, prepare and enrich every record of a partition (the Dask task)."""
    started, cpu = time.perf_counter(), time.process_time()
    _ready()
    result = PartitionResult(part.key, worker_pid=os.getpid())
    seen: set[str] = set()
    for rec in records_of(part):
        if rec.error is not None or rec.article is None:
            result.errors.append((rec.source, rec.position, rec.error or "no article"))
            continue
        try:
            art = prepare(rec.article)
        except InputError as err:
            result.errors.append((rec.source, rec.position, str(err)))
            continue
        digest = content_hash(art.text)
        if digest in seen:
            result.duplicates += 1
            continue
        seen.add(digest)
        result.items.append((rec.position, art, digest, enrich_rows(art, with_signature)))
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu
    return result


def reparse_partition(articles: list[tuple[int, str, str | None, str, tuple[str, ...]]],
                      only: str | None) -> list[tuple[int, Any, Any]]:
    """Geoparse and/or tag stored articles ``(id, text, lang, title, categories)`` (the ``reparse`` task).

    Returns ``(id, GeoparseResult or None, topics or None)``, or an error message in place of both.
    """
    _ready()
    out: list[tuple[int, Any, Any]] = []
    for aid, text, lang, title, categories in articles:
        art = Article(text, title=title, lang=lang, categories=categories)
        if only == "topics":
            try:
                tagger = enrich._WORKER["tagger"]
                topics = enrich.tag_article(art, tagger)
            except Exception as err:  # one article must not end a long run; the message is recorded
                out.append((aid, f"topics failed: {type(err).__name__}: {err}", None))
                continue
            out.append((aid, None, topics))
            continue
        res = enrich_in_worker(art)
        if isinstance(res, str):
            out.append((aid, res, None))
        else:
            out.append((aid, res[0], res[1] if only != "places" else None))
    return out
