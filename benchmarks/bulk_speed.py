"""Bulk ingest speed: Dask with 1 and 2 local workers against today's ingest, side by side on the shared corpus.

    python benchmarks/bulk_speed.py                 # 2 rounds, alternating order
    python benchmarks/bulk_speed.py --rounds 1 --partition-size 1000

Each run ingests the corpus (``../shared/corpus/news.jsonl.gz``, read where it
lives) into a fresh SQLite store with the real geoparser and topic tagger:

- ``one process``: ``ingest`` as it is, no workers (the baseline);
- ``--workers 2``: today's local process pool;
- ``dask 1`` / ``dask 2``: ``ingest --scheduler local --workers N``.

Articles/s count from the first record read to the last write, so the Dask
cluster's start and the workers' index load are reported apart (they are paid
once per cluster, not per article).  Also printed: where the time goes on the
client (writer, reading) and on the workers (task seconds), and the size and
pickling cost of a partition and of its result (what crosses the wire).
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import tempfile
import time
from pathlib import Path

from dashboard.ingest import IngestOptions, Ingestor
from dashboard.store import open_store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news.jsonl.gz"


def _local(corpus: Path, workers: int, tmp: Path) -> dict[str, float]:
    with open_store(f"sqlite:///{tmp / f'local{workers}-{time.time_ns()}.sqlite'}") as store:
        t, before = time.perf_counter(), os.times()
        s = Ingestor(store, workers=workers).run([str(corpus)], IngestOptions())
        after = os.times()
        return {"seconds": time.perf_counter() - t, "seen": s.seen, "added": s.added, "mentions": s.mentions,
                "client_cpu": after.user + after.system - before.user - before.system,
                "worker_cpu": after.children_user + after.children_system - before.children_user
                - before.children_system}


def _dask(client: object, corpus: Path, size: int, tmp: Path) -> dict[str, float]:
    from dashboard.ingest.bulk import BulkIngestor

    with open_store(f"sqlite:///{tmp / f'dask-{time.time_ns()}.sqlite'}") as store:
        t = time.perf_counter()
        s = BulkIngestor(store, client, partition_size=size).run([str(corpus)], IngestOptions())  # type: ignore[arg-type]
        total = time.perf_counter() - t
        return {"seconds": s.seconds, "with_setup": total, "seen": s.seen, "added": s.added, "mentions": s.mentions,
                "write": s.write_seconds, "tasks": s.task_seconds, "load": max(s.index_load_seconds or (0.0,)),
                "client_cpu": s.client_cpu_seconds, "worker_cpu": s.task_cpu_seconds, "write_cpu": s.write_cpu_seconds}


def _wire(corpus: Path, size: int) -> str:
    """Bytes and pickling time of one partition going out and of its result coming back."""
    from distributed.protocol import deserialize, serialize

    from dashboard.ingest.bulk_tasks import enrich_partition, load_enrichment
    from dashboard.ingest.partition import Partition, partitions

    part = next(p for p in partitions([corpus], IngestOptions(), size) if isinstance(p, Partition))
    load_enrichment(None, None, True)
    t = time.perf_counter()
    result = enrich_partition(part)
    work = time.perf_counter() - t
    out = []
    for name, obj in (("partition", part), ("result", result)):
        t = time.perf_counter()
        header, frames = serialize(obj)
        deserialize(header, frames)
        secs = time.perf_counter() - t
        out.append(f"{name} {sum(len(f) for f in frames) / 1e6:.2f} MB, {secs * 1000:.0f} ms to (de)serialise")
    return (f"one partition of {part.records} records: " + "; ".join(out) + f"; enriching it {work * 1000:.0f} ms "
            f"(pickle of the result alone: {len(pickle.dumps(result)) / 1e6:.2f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--partition-size", type=int, default=500)
    args = ap.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"corpus not found: {args.corpus} (pass --corpus PATH)")
    from dashboard.ingest.cluster import connect

    results: dict[str, list[dict[str, float]]] = {}
    starts: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for r in range(args.rounds):
            order = ["one process", "dask 1", "dask 2", "--workers 2"]
            for name in order if r % 2 == 0 else order[::-1]:
                if name.startswith("dask"):
                    n = int(name.split()[1])
                    t = time.perf_counter()
                    with connect("local", n, dashboard_address=None) as client:
                        client.wait_for_workers(n)
                        starts[name] = time.perf_counter() - t
                        res = _dask(client, args.corpus, args.partition_size, tmp)
                else:
                    res = _local(args.corpus, 2 if "workers" in name else 1, tmp)
                results.setdefault(name, []).append(res)
                print(f"round {r + 1} {name:12} {res['seen'] / res['seconds']:7,.0f} articles/s "
                      f"({res['seconds']:.1f} s, {res['added']:,} added, {res['mentions']:,} mentions)", flush=True)
    base = statistics.median(x["seen"] / x["seconds"] for x in results["one process"])
    print(f"\n{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; median of {args.rounds} round(s); "
          f"partitions of {args.partition_size}")
    print(f"{'':14}{'articles/s':>11}{'vs one process':>16}{'CPU ms/article: this process':>30}{'workers':>9}")
    for name, runs in results.items():
        rate = statistics.median(x["seen"] / x["seconds"] for x in runs)
        client = statistics.median(x["client_cpu"] / x["seen"] for x in runs) * 1000
        workers = statistics.median(x["worker_cpu"] / x["seen"] for x in runs) * 1000
        print(f"{name:14}{rate:11,.0f}{rate / base:15.2f}x{client:30.2f}{workers:9.2f}")
    for name in ("dask 1", "dask 2"):
        runs = results[name]
        secs = statistics.median(x["seconds"] for x in runs)
        print(f"{name}: cluster start {starts[name]:.1f} s, index load on a worker {max(x['load'] for x in runs):.1f} s;"
              f" of {secs:.1f} s the client spent {statistics.median(x['write'] for x in runs):.1f} s writing,"
              f" workers {statistics.median(x['tasks'] for x in runs):.1f} s in tasks (summed); CPU per article:"
              f" writing {statistics.median(x['write_cpu'] / x['seen'] for x in runs) * 1000:.2f} ms of the client's"
              f" {statistics.median(x['client_cpu'] / x['seen'] for x in runs) * 1000:.2f} ms (it hosts the scheduler)")
    print(_wire(args.corpus, args.partition_size))


if __name__ == "__main__":
    main()
