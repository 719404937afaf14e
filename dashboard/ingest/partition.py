"""Cutting the input of a bulk ingest into partitions: what one Dask task enriches and one transaction stores.

The client reads the files (workers need no access to them) but parses
nothing: a JSON Lines partition is the raw bytes of a run of lines, a CSV one
its rows, a Parquet one an Arrow record batch, and text, HTML or feed files
travel whole, several to a partition.  Each partition carries where it came
from (file and first line or row, so errors name the line) and a key: the
hash of its content and the reading options, so the same partition of the
same input is recognised in a later run wherever the file now lives, and an
archive that grew at the end is only read anew from where it grew.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.errors import InputError
from dashboard.ingest.files import kind_of, walk
from dashboard.ingest.records import IngestOptions, Record
from dashboard.ingest.text import decode

FILE_GROUP_BYTES = 8 * 1024 * 1024  # text/page/feed files: at most this much per partition (and ``size`` files)


@dataclass(frozen=True, slots=True)
class Partition:
    """One unit of bulk work.

    ``payload`` by ``kind``: ``jsonl`` the bytes of lines ``first``..; ``csv``
    a list of ``(position, row)``; ``parquet`` a ``pyarrow.RecordBatch`` of rows
    ``first``..; ``files`` a list of ``(path, kind, bytes)``.
    """

    key: str
    number: int
    kind: str
    source: str
    position: str
    records: int
    first: int
    payload: Any
    opts: IngestOptions


def options_key(opts: IngestOptions) -> str:
    """The reading options that change what a partition yields (a re-run with another ``--map`` redoes it)."""
    return json.dumps([sorted(opts.mapping.items()), opts.lang, opts.source_name, opts.format], ensure_ascii=False)


def _key(kind: str, opts: IngestOptions, *parts: bytes) -> str:
    digest = hashlib.sha1(f"{kind}\0{options_key(opts)}".encode())
    for p in parts:
        digest.update(p)
    return digest.hexdigest()


def expand_sources(sources: Sequence[str], opts: IngestOptions) -> list[Path]:
    """Files named by the sources: files, folders (recursively, with ``--glob``) and quoted globs."""
    files: list[Path] = []
    for src in sources:
        if src == "-" or src.startswith(("http://", "https://")):
            raise InputError(f"{src}: a bulk ingest (--scheduler) reads files, folders and globs; "
                             "ingest standard input and URLs without --scheduler")
        path = Path(src)
        if path.is_dir():
            files.extend(walk(path, opts.glob))
        elif path.exists():
            files.append(path)
        elif any(c in src for c in "*?["):
            found = sorted(Path(p) for p in glob.glob(src, recursive=True) if Path(p).is_file())
            if not found:
                raise InputError(f"no files match {src}")
            files.extend(found)
        else:
            raise InputError(f"no such file or folder: {src}")
    return files


def partitions(files: Sequence[Path], opts: IngestOptions, size: int) -> Iterator[Partition | Record]:
    """Partitions of at most ``size`` records, in input order; an unreadable file is an error record."""
    number = 0
    group: list[tuple[str, str, bytes]] = []
    group_bytes = 0

    def flush() -> Iterator[Partition]:
        nonlocal group, group_bytes, number
        if group:
            key = _key("files", opts, *(hashlib.sha1(data).digest() for _, _, data in group))
            label = f"{len(group)} file(s), {group[0][0]} ..." if len(group) > 1 else ""
            yield Partition(key, number, "files", group[0][0], label, len(group), 1, group, opts)
            number += 1
        group, group_bytes = [], 0

    for path in files:
        kind = kind_of(path.name, opts.format)
        where = str(path)
        try:
            if kind in ("jsonl", "csv", "parquet"):
                yield from flush()
                reader = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}[kind]
                for part in reader(path, opts, size, number):
                    yield part
                    number += 1
                continue
            data = _read(path)
        except (OSError, EOFError, zlib.error) as err:
            yield Record(where, "", error=f"unreadable file: {getattr(err, 'strerror', None) or err}")
            continue
        except InputError as err:
            yield Record(where, "", error=str(err))
            continue
        if len(group) >= size or (group and group_bytes + len(data) > FILE_GROUP_BYTES):
            yield from flush()
        group.append((where, kind, data))
        group_bytes += len(data)
    yield from flush()


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _open(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")  # type: ignore[return-value]


def _jsonl(path: Path, opts: IngestOptions, size: int, number: int) -> Iterator[Partition]:
    """Runs of ``size`` non-blank lines, as raw bytes (UTF-16 files are re-encoded as UTF-8 first)."""
    where = str(path)
    with _open(path) as fh:
        head = fh.peek(2)[:2] if hasattr(fh, "peek") else b""
        if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            lines: Iterator[bytes] = iter(decode(fh.read(), where=where).encode("utf-8").splitlines(keepends=True))
        else:
            lines = iter(fh)
        block: list[bytes] = []
        first, filled = 1, 0
        for line in lines:
            block.append(line)
            filled += bool(line.strip())
            if filled >= size:
                yield _lines_part(block, first, where, opts, number)
                number += 1
                first += len(block)
                block, filled = [], 0
        if filled:
            yield _lines_part(block, first, where, opts, number)


def _lines_part(block: list[bytes], first: int, where: str, opts: IngestOptions, number: int) -> Partition:
    data = b"".join(block)
    last = first + len(block) - 1
    records = sum(1 for line in block if line.strip())
    return Partition(_key("jsonl", opts, data), number, "jsonl", where, f"lines {first}-{last}", records, first,
                     data, opts)


def _csv(path: Path, opts: IngestOptions, size: int, number: int) -> Iterator[Partition | Record]:
    """Rows with their positions as the one-process reader names them (``row N (line M)``)."""
    where = str(path)
    text = decode(_read(path), where=where)
    delimiter = "\t" if where.lower().endswith((".tsv", ".tsv.gz")) else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[str, dict[str, Any] | None]] = []
    row_no = 1

    def part() -> Partition:
        digest = json.dumps(rows, ensure_ascii=False).encode()
        span = f"{rows[0][0]} to {rows[-1][0]}" if len(rows) > 1 else rows[0][0]
        return Partition(_key("csv", opts, digest), number, "csv", where, span, len(rows), 0, list(rows), opts)

    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            yield Record(where, f"line {reader.line_num}", error=f"unreadable CSV: {err}; the rest of the file is skipped")
            break
        row_no += 1
        position = f"row {row_no}" if reader.line_num == row_no else f"row {row_no} (line {reader.line_num})"
        if None in row:
            yield Record(where, position, error=f"{len(row[None])} more fields than the header")  # type: ignore[index]
            continue
        rows.append((position, row))
        if len(rows) >= size:
            yield part()
            number += 1
            rows = []
    if rows:
        yield part()


def _parquet(path: Path, opts: IngestOptions, size: int, number: int) -> Iterator[Partition]:
    from dashboard.ingest.parquet import batches, fingerprint

    where = str(path)
    ident = fingerprint(path).encode()
    for first, batch in batches(path, size):
        key = _key("parquet", opts, ident, f"{size}:{first}".encode())
        yield Partition(key, number, "parquet", where, f"rows {first}-{first + batch.num_rows - 1}", batch.num_rows,
                        first, batch, opts)
        number += 1
