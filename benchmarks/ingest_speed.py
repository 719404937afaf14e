"""Ingest speed: the shared news corpus into a fresh store, geoparsing on all cores (goal >= 1,000/s on SQLite).

    python benchmarks/ingest_speed.py                                  # SQLite only
    python benchmarks/ingest_speed.py --pg postgresql://user@host/db    # and an empty PostgreSQL database
    python benchmarks/ingest_speed.py --compare 10fd387 --rounds 3     # writes, side by side with a git ref
    python benchmarks/ingest_speed.py --compare 10fd387 --whole        # whole ingests, side by side

``--compare REF`` measures the store's write path alone, side by side: the corpus is
geoparsed and tagged once (this tree), and then each round writes the same prepared
articles (``Store.add_articles``, batches of ``--batch``) into a fresh SQLite store with this
tree's code and with the code of ``REF`` (``git archive`` into /tmp), alternating the order,
each in a fresh process that checks it imported the code it was meant to.  Writing is what
the count tables (schema 7) made dearer; the geoparser and its index differ between
releases, so a whole-ingest comparison measures them too: ``--whole`` runs the whole
ingest (``--workers`` processes) with each tree's code and its own place index (built
first for ``REF`` into its temporary folder; not timed).

The corpus is read where it lives (``../shared/corpus/news.jsonl.gz`` beside the
checkout); it is never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dashboard.ingest import IngestOptions, Ingestor
from dashboard.store import open_store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news.jsonl.gz"
ROOT = Path(__file__).resolve().parents[1]


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


def prepare(corpus: Path, out: Path, workers: int) -> int:
    """Read, geoparse and tag the corpus once (this tree) and save plain rows any release can write."""
    from concurrent.futures import ProcessPoolExecutor

    from dashboard.ingest.files import read_file

    arts = [r.article for r in read_file(corpus, IngestOptions()) if r.article is not None]
    with ProcessPoolExecutor(max(1, workers)) as pool:
        enriched = list(pool.map(_enrich, arts, chunksize=200))
    rows = [{"text": a.text, "title": a.title, "id": a.id, "url": a.url,
             "published": a.published.isoformat() if a.published else None, "date_source": a.date_source,
             "lang": a.lang, "source": a.source, "categories": list(a.categories), "geo": geo, "topics": topics}
            for a, (geo, topics) in zip(arts, enriched, strict=True)]
    out.write_text(json.dumps(rows, ensure_ascii=False))
    return len(rows)


def _enrich(article: Any) -> tuple[Any, Any]:
    from dashboard.geoparse import geoparse
    from dashboard.store import GeoRows, topic_rows
    from dashboard.topics import tag

    result = geoparse(article.text, lang=article.lang)
    geo = GeoRows.of(result)
    topics = topic_rows(tag(article.text, lang=article.lang or result.lang, categories=article.categories,
                            title=article.title))
    return [geo.lang, [list(p) for p in geo.places], [list(m) for m in geo.mentions],
            [list(f) for f in geo.focus]], [list(t) for t in topics]


def write_only(prepared: Path, batch: int) -> dict[str, Any]:
    """Write the prepared rows into a fresh SQLite store with whatever ``dashboard`` this process imports."""
    from datetime import datetime

    import dashboard
    from dashboard.models import Article
    from dashboard.store import GeoRows, NewArticle

    rows = json.loads(prepared.read_text())
    items = []
    for r in rows:
        lang, places, mentions, focus = r["geo"]
        art = Article(text=r["text"], title=r["title"], id=r["id"], url=r["url"],
                      published=datetime.fromisoformat(r["published"]) if r["published"] else None,
                      date_source=r["date_source"], lang=r["lang"], source=r["source"],
                      categories=tuple(r["categories"]))
        geo = GeoRows(lang, tuple(map(tuple, places)), tuple(map(tuple, mentions)), tuple(map(tuple, focus)))
        items.append(NewArticle(art, geo, tuple(map(tuple, r["topics"]))))
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{Path(tmp) / 'w.sqlite'}") as store:
        t, cpu = time.perf_counter(), time.process_time()
        added = 0
        for i in range(0, len(items), batch):
            added += sum(r.inserted for r in store.add_articles(items[i:i + batch]))
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        version = store.schema_version
    return {"code": str(Path(dashboard.__file__).resolve().parents[1]), "schema": version, "articles": len(items),
            "added": added, "seconds": seconds, "cpu": cpu, "load": os.getloadavg()[0]}


def whole(corpus: Path, workers: int, batch: int) -> dict[str, Any]:
    """One whole ingest into a fresh SQLite store with whatever ``dashboard`` this process imports."""
    import dashboard

    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{Path(tmp) / 'w.sqlite'}") as store:
        ingestor = Ingestor(store, workers=workers, batch_size=batch)
        t, cpu = time.perf_counter(), _cpu()
        summary = ingestor.run([str(corpus)], IngestOptions())
        seconds, cpu = time.perf_counter() - t, _cpu() - cpu
        version = store.schema_version
    return {"code": str(Path(dashboard.__file__).resolve().parents[1]), "schema": version, "articles": summary.seen,
            "added": summary.added, "mentions": summary.mentions, "seconds": seconds, "cpu": cpu,
            "load": os.getloadavg()[0]}


def compare_whole(ref: str, ref_root: Path, corpus: Path, workers: int, batch: int, rounds: int) -> None:
    """Whole ingests of this tree and ``ref``, alternating, each with its own place index."""
    ref_env = dict(os.environ, PYTHONPATH=str(ref_root), DASHBOARD_DATA_DIR=str(ref_root / "data"))
    ref_env.pop("DASHBOARD_INDEX", None)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dashboard", "build-index", "--if-stale"], cwd=ref_root, env=ref_env,
                   check=True, capture_output=True)
    print(f"{ref}: place index built in {time.perf_counter() - t:.0f} s (not timed below)", flush=True)
    variants = [("this", ROOT, dict(os.environ, PYTHONPATH=str(ROOT))), (ref, ref_root, ref_env)]
    got: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in variants}
    for r in range(rounds):
        for label, code, env in (variants if r % 2 == 0 else variants[::-1]):
            done = subprocess.run([sys.executable, __file__, "--whole-child", "--corpus", str(corpus), "--workers",
                                   str(workers), "--batch", str(batch)], cwd=code, env=env, check=True,
                                  capture_output=True, text=True)
            res = json.loads(done.stdout.strip().splitlines()[-1])
            if Path(res["code"]) != code.resolve():
                raise SystemExit(f"{label}: imported dashboard from {res['code']}, not {code}")
            got[label].append(res)
            print(f"round {r + 1} {label:8} schema {res['schema']:2}: {res['added']:,} added, {res['mentions']:,} "
                  f"mentions in {res['seconds']:.1f} s = {res['articles'] / res['seconds']:,.0f} articles/s, "
                  f"CPU {res['cpu'] / res['articles'] * 1000:.2f} ms per article (load {res['load']:.1f})", flush=True)
    rate = {label: max(r["articles"] / r["seconds"] for r in rs) for label, rs in got.items()}
    best = {label: min(r["cpu"] / r["articles"] for r in rs) for label, rs in got.items()}
    print(f"best round (whole ingest, {workers} workers): this {rate['this']:,.0f}/s, {ref} {rate[ref]:,.0f}/s "
          f"({rate['this'] / rate[ref]:.2f}x); CPU per article this {best['this'] * 1000:.2f} ms, "
          f"{ref} {best[ref] * 1000:.2f} ms ({best['this'] / best[ref]:.2f}x)")


def compare(ref: str, corpus: Path, workers: int, batch: int, rounds: int, whole_ingest: bool = False) -> None:
    """This tree's writes (or whole ingests) beside ``ref``'s, alternating, each in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="ingest-speed-") as tmp:
        work = Path(tmp)
        ref_root = work / "ref"
        ref_root.mkdir()
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(ref_root)], input=archive, check=True)
        if whole_ingest:
            compare_whole(ref, ref_root, corpus, workers, batch, rounds)
            return
        prepared = work / "prepared.json"
        t = time.perf_counter()
        n = prepare(corpus, prepared, workers)
        print(f"prepared {n:,} articles (geoparsed and tagged once, this tree) in {time.perf_counter() - t:.0f} s; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
        variants = [("this", ROOT), (ref, ref_root)]
        got: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in variants}
        for r in range(rounds):
            for label, code in (variants if r % 2 == 0 else variants[::-1]):
                env = dict(os.environ, PYTHONPATH=str(code))
                done = subprocess.run([sys.executable, __file__, "--write-only", str(prepared), "--batch", str(batch)],
                                      cwd=code, env=env, check=True, capture_output=True, text=True)
                res = json.loads(done.stdout.strip().splitlines()[-1])
                if Path(res["code"]) != code.resolve():
                    raise SystemExit(f"{label}: imported dashboard from {res['code']}, not {code}")
                got[label].append(res)
                print(f"round {r + 1} {label:8} schema {res['schema']:2}: {res['added']:,} written in "
                      f"{res['seconds']:.1f} s = {res['added'] / res['seconds']:,.0f} articles/s, "
                      f"CPU {res['cpu'] / res['added'] * 1000:.2f} ms per article (load {res['load']:.1f})",
                      flush=True)
        best = {label: min(r["cpu"] / r["added"] for r in rs) for label, rs in got.items()}
        rate = {label: max(r["added"] / r["seconds"] for r in rs) for label, rs in got.items()}
        print(f"best round: this {rate['this']:,.0f}/s, {ref} {rate[ref]:,.0f}/s ({rate['this'] / rate[ref]:.2f}x); "
              f"CPU per article this {best['this'] * 1000:.2f} ms, {ref} {best[ref] * 1000:.2f} ms "
              f"({best['this'] / best[ref]:.2f}x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--compare", metavar="REF", help="writes only, side by side with the code of this git ref")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of --compare (order alternates)")
    ap.add_argument("--whole", action="store_true", help="with --compare: whole ingests instead of writes only")
    ap.add_argument("--write-only", type=Path, metavar="PREPARED", help=argparse.SUPPRESS)  # --compare's child
    ap.add_argument("--whole-child", action="store_true", help=argparse.SUPPRESS)  # --compare --whole's child
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--pg", metavar="URL", help="An empty PostgreSQL database to ingest into as well.")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args()
    if args.write_only:
        print(json.dumps(write_only(args.write_only, args.batch)))
        return
    if args.whole_child:
        print(json.dumps(whole(args.corpus, args.workers, args.batch)))
        return
    if not args.corpus.exists():
        raise SystemExit(f"corpus not found: {args.corpus} (pass --corpus PATH)")
    if args.compare:
        compare(args.compare, args.corpus, args.workers, args.batch, args.rounds, args.whole)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", args.corpus, args.workers, args.batch)
    if args.pg:
        run(args.pg, args.corpus, args.workers, args.batch)
    else:
        print("postgresql: skipped (pass --pg URL of an empty database)")


if __name__ == "__main__":
    main()
