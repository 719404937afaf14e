"""Local sources: text files, folders (recursive, with a glob), JSON Lines, CSV, standard input.

Each reader is a generator of :class:`Record`; a bad file, line or row becomes
an error record naming the file and the line or row, and reading goes on.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from dashboard.errors import InputError
from dashboard.ingest.records import IngestOptions, Record, article_from_mapping
from dashboard.ingest.text import clean, decode, title_and_body
from dashboard.models import Article

logger = logging.getLogger(__name__)

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
PAGE_SUFFIXES = (".html", ".htm")
SKIP_NAMES = {".DS_Store", "Thumbs.db"}

csv.field_size_limit(16 * 1024 * 1024)


def kind_of(name: str, forced: str = "auto") -> str:
    """Which reader a file name calls for: text, jsonl, csv, feed or page."""
    if forced != "auto":
        return forced
    lower = name.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(CSV_SUFFIXES):
        return "csv"
    if lower.endswith(FEED_SUFFIXES):
        return "feed"
    if lower.endswith(PAGE_SUFFIXES):
        return "page"
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    return "text"


def walk(root: Path, pattern: str | None) -> Iterator[Path]:
    """Files under ``root`` in a stable order, matching ``pattern`` (e.g. ``*.txt``) when given."""
    found = root.rglob(pattern) if pattern else root.rglob("*")
    for path in sorted(found):
        if path.is_file() and path.name not in SKIP_NAMES and not any(
            part.startswith(".") for part in path.relative_to(root).parts
        ):
            yield path


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it ends in ``.gz``."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        import gzip

        data = gzip.decompress(data)
    return data


def text_article(raw: str, source: str, opts: IngestOptions, url: str | None = None) -> Article:
    """A bare text (no metadata) as an article: title from the first line or sentence."""
    from dashboard.ingest.text import date_in_text

    text = clean(raw)
    if not text:
        raise InputError("empty article")
    title, body = title_and_body(text)
    published = date_in_text(text)
    return Article(
        text=body,
        title=title,
        url=url,
        published=published,
        date_source="text" if published else "ingest",
        lang=opts.lang,
        source=opts.source_name or source,
    )


def read_text(data: bytes, where: str, opts: IngestOptions) -> Iterator[Record]:
    try:
        yield Record(where, "", article=text_article(decode(data), _source_name(where), opts))
    except InputError as err:
        yield Record(where, "", error=str(err))


def read_jsonl(lines: Iterable[str], where: str, opts: IngestOptions, start: int = 1) -> Iterator[Record]:
    """One JSON object per line; blank lines are ignored, broken ones reported by line number.

    ``start`` is the number of the first line (a bulk ingest's partition starts mid-file).
    """
    for number, line in enumerate(lines, start):
        if not line.strip():
            continue
        position = f"line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield Record(where, position, error=f"broken JSON: {err.msg} (column {err.colno})")
            continue
        if not isinstance(obj, dict):
            yield Record(where, position, error=f"expected a JSON object, got {type(obj).__name__}")
            continue
        try:
            yield Record(where, position, article=article_from_mapping(obj, opts, _source_name(where)))
        except (InputError, ValueError, TypeError) as err:
            yield Record(where, position, error=str(err))


def read_csv(stream: IO[str], where: str, opts: IngestOptions, delimiter: str = ",") -> Iterator[Record]:
    """A CSV (or TSV) with a header row; positions are the row's line number in the file."""
    reader = csv.DictReader(stream, delimiter=delimiter)
    row_no = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield Record(where, f"line {reader.line_num}", error=f"unreadable CSV: {err}; the rest of the file is skipped")
            return
        row_no += 1
        position = f"row {row_no}" if reader.line_num == row_no else f"row {row_no} (line {reader.line_num})"
        if None in row:
            yield Record(where, position, error=f"{len(row[None])} more fields than the header")  # type: ignore[index]
            continue
        try:
            yield Record(where, position, article=article_from_mapping(row, opts, _source_name(where)))
        except (InputError, ValueError, TypeError) as err:
            yield Record(where, position, error=str(err))


@functools.lru_cache(maxsize=256)
def _source_name(where: str) -> str:
    if where == "-":
        return "stdin"
    return Path(where).parent.name or Path(where).stem


def read_file(path: Path, opts: IngestOptions, fetcher: object | None = None) -> Iterator[Record]:
    """Every record in one file, by its kind."""
    where = str(path)
    kind = kind_of(path.name, opts.format)
    if kind == "parquet":
        from dashboard.ingest.parquet import read_parquet

        yield from read_parquet(path, opts, _source_name(where))
        return
    try:
        data = read_bytes(path)
    except (OSError, EOFError) as err:
        yield Record(where, "", error=f"unreadable file: {getattr(err, 'strerror', None) or err}")
        return
    yield from read_data(data, where, kind, opts, fetcher)


def read_data(data: bytes, where: str, kind: str, opts: IngestOptions, fetcher: object | None = None) -> Iterator[Record]:
    """Dispatch bytes already read (a file or stdin) to the reader for ``kind``."""
    if kind == "parquet":
        yield Record(where, "", error="Parquet is read from a file, not from standard input")
        return
    if kind in ("jsonl", "csv"):
        try:
            text = decode(data, where="")
        except InputError as err:
            yield Record(where, "", error=str(err))
            return
        if kind == "jsonl":
            yield from read_jsonl(text.splitlines(), where, opts)
        else:
            delimiter = "\t" if where.lower().endswith((".tsv", ".tsv.gz")) else ","
            yield from read_csv(io.StringIO(text, newline=""), where, opts, delimiter)
    elif kind == "feed":
        from dashboard.ingest.web import read_feed

        yield from read_feed(data, where, opts, fetcher)  # type: ignore[arg-type]
    elif kind == "page":
        from dashboard.ingest.web import page_record

        yield page_record(data, None, where, opts)
    else:
        yield from read_text(data, where, opts)


def sniff(data: bytes) -> str:
    """Guess the kind of data on standard input from its first bytes."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"<"):
        lowered = head.lower()
        return "feed" if (b"<rss" in lowered or b"<feed" in lowered or b"<?xml" in lowered) else "page"
    first = head.split(b"\n", 1)[0]
    if b"," in first and b"text" in first.lower() and len(first) < 500:
        return "csv"
    return "text"


def read_stdin(opts: IngestOptions, stream: IO[bytes] | None = None) -> Iterator[Record]:
    data = (stream or sys.stdin.buffer).read()
    kind = sniff(data) if opts.format == "auto" else opts.format
    yield from read_data(data, "-", kind, opts)
