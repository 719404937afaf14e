"""Sources in, stored articles out: files, folders, JSON Lines, CSV, feeds and web pages.

>>> from dashboard.ingest import ingest                  # doctest: +SKIP
>>> ingest(open_store(), ["seeds/"]).added               # doctest: +SKIP
"""

from dashboard.ingest.fetch import Fetched, Fetcher
from dashboard.ingest.pipeline import Ingestor, IngestSummary, ingest, iter_records
from dashboard.ingest.records import IngestOptions, Record, parse_mapping

__all__ = [
    "Fetched",
    "Fetcher",
    "IngestOptions",
    "IngestSummary",
    "Ingestor",
    "Record",
    "ingest",
    "iter_records",
    "parse_mapping",
]
