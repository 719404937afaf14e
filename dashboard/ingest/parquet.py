"""Parquet files (pyarrow): one article per row, columns named by ``--map`` like JSON Lines and CSV.

Archives exported from data warehouses and GDELT-style dumps come as Parquet;
reading them batch by batch keeps memory flat however large the file is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dashboard.errors import ConfigurationError, InputError
from dashboard.ingest.records import IngestOptions, Record, article_from_mapping

PARQUET_SUFFIXES = (".parquet", ".pq")


def _pq() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as err:
        raise ConfigurationError(
            "reading Parquet needs pyarrow: pip install 'news-map-dashboard[bulk]' (or pip install pyarrow)"
        ) from err
    return pq


def batches(path: Path, size: int) -> Iterator[tuple[int, Any]]:
    """``(first row number, pyarrow.RecordBatch)`` of at most ``size`` rows each; rows count from 1."""
    pq = _pq()
    import pyarrow as pa

    try:
        pfile = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as err:
        raise InputError(f"unreadable Parquet file: {err}") from err
    first = 1
    for batch in pfile.iter_batches(batch_size=size):
        yield first, batch
        first += batch.num_rows


def fingerprint(path: Path) -> str:
    """The file's identity without reading it all: its size and footer (schema, row groups, statistics)."""
    pq = _pq()
    import pyarrow as pa

    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, pa.ArrowException) as err:
        raise InputError(f"unreadable Parquet file: {err}") from err
    digest = hashlib.sha1(str(path.stat().st_size).encode())
    digest.update(repr(meta.to_dict()).encode())
    return digest.hexdigest()


def records_from_rows(rows: list[dict[str, Any]], where: str, first: int, opts: IngestOptions,
                      default_source: str) -> Iterator[Record]:
    """One record per row; a row that does not make an article is an error naming its row number."""
    for i, row in enumerate(rows):
        position = f"row {first + i}"
        try:
            yield Record(where, position, article=article_from_mapping(row, opts, default_source))
        except (InputError, ValueError, TypeError) as err:
            yield Record(where, position, error=str(err))


def read_parquet(path: Path, opts: IngestOptions, default_source: str, size: int = 2000) -> Iterator[Record]:
    """Every row of a Parquet file as a record (the local, one-process path)."""
    where = str(path)
    try:
        for first, batch in batches(path, size):
            yield from records_from_rows(batch.to_pylist(), where, first, opts, default_source)
    except InputError as err:
        yield Record(where, "", error=str(err))
