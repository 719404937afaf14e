"""Ingest speed: the shared news corpus into a fresh store, geoparsing on all cores (goal >= 1,000/s on SQLite).

    python benchmarks/ingest_speed.py                                  # SQLite only
    python benchmarks/ingest_speed.py --pg postgresql://user@host/db    # and an empty PostgreSQL database

The corpus is read where it lives (``../shared/corpus/news.jsonl.gz`` beside the
checkout); it is never copied into the repository.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from dashboard.ingest import IngestOptions, Ingestor
from dashboard.store import open_store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news.jsonl.gz"


def run(url: str, corpus: Path, workers: int, batch: int) -> None:
    with open_store(url) as store:
        if not store.is_empty():
            print(f"{store.url}: not empty, skipped (give an empty store)")
            return
        ingestor = Ingestor(store, workers=workers, batch_size=batch)
        t, cpu = time.perf_counter(), _cpu()
        summary = ingestor.run([str(corpus)], IngestOptions())
        seconds, cpu = time.perf_counter() - t, _cpu() - cpu
        print(f"{store.dialect:10} {summary.seen:,} records, {summary.added:,} added, "
              f"{summary.duplicates:,} duplicates, {summary.near_duplicates:,} near-copies, "
              f"{summary.skipped:,} skipped, {summary.mentions:,} mentions in {seconds:.1f} s: "
              f"{summary.seen / seconds:,.0f} articles/s ({workers} worker(s))")
        # CPU time of this process and its (finished) workers: steadier than the rate on a busy machine.
        print(f"{'':10} CPU {cpu:.1f} s = {cpu / max(1, summary.seen) * 1000:.2f} ms per article; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--pg", metavar="URL", help="An empty PostgreSQL database to ingest into as well.")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"corpus not found: {args.corpus} (pass --corpus PATH)")
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", args.corpus, args.workers, args.batch)
    if args.pg:
        run(args.pg, args.corpus, args.workers, args.batch)
    else:
        print("postgresql: skipped (pass --pg URL of an empty database)")


if __name__ == "__main__":
    main()
