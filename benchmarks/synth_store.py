"""A large synthetic store drawn from the real corpus' distributions, written in bulk.

For the dashboard at millions of mentions (issue 13).  ``Store.add_articles`` writes
about 2,000 articles/s, so ten million mentions (about four million articles) would
take most of an hour; this builder writes the same tables directly, in big
transactions, with the secondary indexes dropped during the load and rebuilt after
(SQLite ``executemany``, PostgreSQL ``COPY``), then fills the pre-aggregated tables
from scratch (:func:`dashboard.store.aggregates.rebuild`).

Distributions (from the shared corpus, ``/work/shared/corpus/news.jsonl.gz``,
ingested once with ``python -m dashboard ingest`` into a cached store): each
synthetic article re-draws one real article (bootstrap) and keeps its

* language and source (97 % English Wikipedia current events, the rest historical
  newspapers in fr/fi/sv/de), the source split into 50 feeds with Zipf weights so the
  source facet has a realistic number of entries;
* places with their mention counts, scores, dateline and focus flags (2.3 places and
  2.5 mentions per article; 12 % of articles have no place); each place is swapped,
  with probability 0.3, for one drawn from the place index Zipf-like by population
  (countries and big cities often, small towns rarely), so ten million mentions
  reach the long tail a year of real news has instead of the corpus' 4,198 places;
* topics and their scores (about three per article);
* title and the first 240 characters of its text (real vocabulary for the full-text
  search: "the" is in nearly every article, "ceasefire" in few), followed by the
  names of its places (so mentions point at real spans) and a serial number.

Dates are not the corpus' (it spans 1848-2026): a year up to now, denser recently
and thinner at weekends, as in ``dashboard_speed.py``.  3 % of articles are
near-copies of a recent earlier one (same story).

    python benchmarks/synth_store.py --mentions 10000000 --db sqlite:////tmp/synth_10m.sqlite
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.store import open_store  # noqa: E402
from dashboard.store.backend import Connection  # noqa: E402

CORPUS = Path("/work/shared/corpus/news.jsonl.gz")
CORPUS_DB = "sqlite:////tmp/synth_corpus_profile.sqlite"
SWAP = 0.3
COPIES = 0.03
CHUNK = int(__import__("os").environ.get("SYNTH_CHUNK", "50000"))  # articles per transaction


@dataclass(frozen=True, slots=True)
class Real:
    """One real article as the generator re-draws it."""

    title: str
    text: str
    lang: str | None
    source: str
    places: tuple[tuple[str, int, float, int, int, float], ...]  # id, mentions, score, dateline, focus, fs
    topics: tuple[tuple[str, float], ...]


def profile(corpus_db: str) -> tuple[list[Real], dict[str, tuple[Any, ...]]]:
    """The corpus' articles as :class:`Real` records, and its places' rows."""
    store = open_store(corpus_db)
    if store.is_empty():
        store.close()
        print(f"ingesting {CORPUS} into {corpus_db} (once)", flush=True)
        subprocess.run([sys.executable, "-m", "dashboard", "ingest", str(CORPUS), "--workers", "2",
                        "--db", corpus_db], check=True, cwd=ROOT)
        store = open_store(corpus_db)
    conn = store._conn()
    aps: dict[int, list[tuple[str, int, float, int, int, float]]] = defaultdict(list)
    for aid, pid, n, score, dl, fo, fs in conn.all(
            "SELECT article_id, place_id, mentions, score, is_dateline, is_focus, focus_score FROM article_places"
            " ORDER BY article_id, place_id"):
        aps[aid].append((pid, int(n), float(score), int(dl), int(fo), float(fs)))
    tops: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for aid, topic, score in conn.all("SELECT article_id, topic, score FROM article_topics ORDER BY 1, 2"):
        tops[aid].append((topic, float(score)))
    reals = [
        Real(title or "", re.sub(r"\s+", " ", text[:240]), lang, src or "unknown", tuple(aps[aid]),
             tuple(tops[aid]))
        for aid, title, text, lang, src in conn.all(
            "SELECT a.id, a.title, a.text, a.lang, s.name FROM articles a LEFT JOIN sources s ON s.id = a.source_id"
            " ORDER BY a.id")
    ]
    places = {r[0]: tuple(r) for r in conn.all(
        "SELECT id, name, kind, lat, lon, geonameid, country_code, admin1_code, population FROM places")}
    store.close()
    return reals, places


def index_places(limit_cities: int = 15_000) -> tuple[list[tuple[Any, ...]], list[float]]:
    """Countries, first-level divisions and the biggest cities, weighted 1/(rank+1) by population."""
    from dashboard.gazetteer import load_index

    index = load_index()
    every = [index.place(i) for i in range(len(index))]
    cities = sorted((p for p in every if p.kind == "city"), key=lambda p: -p.population)[:limit_cities]
    chosen = sorted([p for p in every if p.kind in ("country", "admin1")] + cities, key=lambda p: -(p.population or 0))
    rows = [(p.id, p.name, p.kind, p.lat, p.lon, p.geonameid, p.country_code, p.admin1_code, p.population)
            for p in chosen]
    total, cum = 0.0, []
    for rank in range(len(rows)):
        total += 1.0 / (rank + 1)
        cum.append(total)
    return rows, cum


def _day(rng: random.Random, now: datetime) -> datetime:
    while True:
        back = rng.expovariate(1 / 90)
        if back < 365:
            when = now - timedelta(days=back)
            if when.weekday() < 5 or rng.random() < 0.6:
                return when.replace(microsecond=0)


_TABLES = ("articles", "mentions", "article_places", "article_topics")


def _drop_indexes(conn: Connection) -> list[str]:
    """Drop the secondary indexes of the big tables; returns the statements that re-create them."""
    if conn.dialect == "postgresql":
        rows = conn.all("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(?) AND indexname NOT IN"
                        " (SELECT conname FROM pg_constraint)", (list(_TABLES),))
    else:
        rows = conn.all(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                        f" AND tbl_name IN ({','.join('?' * len(_TABLES))})", _TABLES)
    for name, _ in rows:
        conn.execute(f"DROP INDEX {name}")
    return [sql for _, sql in rows]


def _indexes(conn: Connection) -> list[tuple[str, str]]:
    """The secondary indexes of the big tables: (name, the statement that creates it)."""
    if conn.dialect == "postgresql":
        return [(n, sql) for n, sql in conn.all(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(?) AND schemaname = current_schema()"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)", (list(_TABLES),))]
    return [(n, sql) for n, sql in conn.all(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({','.join('?' * len(_TABLES))})", _TABLES)]


def _reference_indexes(conn: Connection) -> list[tuple[str, str]]:
    """The indexes of a new, empty store of the same backend at the current schema."""
    import tempfile

    if conn.dialect == "postgresql":
        from dashboard.store import schema

        # A scratch schema in the same database, migrated and read, then dropped.
        conn.execute("DROP SCHEMA IF EXISTS synth_reference CASCADE")
        conn.execute("CREATE SCHEMA synth_reference")
        conn.execute("SET search_path TO synth_reference")
        try:
            schema.migrate(conn)
            rows = _indexes(conn)
        finally:
            conn.execute("SET search_path TO public")
            conn.execute("DROP SCHEMA synth_reference CASCADE")
        return [(n, sql.replace("synth_reference.", "")) for n, sql in rows]
    with tempfile.TemporaryDirectory() as tmp:
        ref = open_store(f"sqlite:///{tmp}/reference.sqlite")
        rows = _indexes(ref._conn())
        ref.close()
    return rows


def build(url: str, mentions: int, seed: int = 13, corpus_db: str = CORPUS_DB) -> None:
    reals, corpus_places = profile(corpus_db)
    pool, cum = index_places()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    store = open_store(url)
    if not store.is_empty():
        raise SystemExit(f"{url} is not empty")
    conn = store._conn()
    pg = conn.dialect == "postgresql"
    if not pg:
        conn.execute("PRAGMA cache_size = -1000000")
    places: dict[str, tuple[Any, ...]] = dict(corpus_places)
    places.update({p[0]: p for p in pool})
    conn.executemany(
        "INSERT INTO places(id, name, kind, lat, lon, geonameid, country_code, admin1_code, population)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", sorted(places.values()))
    feeds = [f"{src}-{k:02d}" for src in sorted({r.source for r in reals}) for k in range(1, 51)]
    conn.executemany("INSERT INTO sources(id, name, kind, created_at) VALUES (?, ?, 'synthetic', ?)",
                     [(i + 1, name, now.isoformat()) for i, name in enumerate(feeds)])
    feed_id = {name: i + 1 for i, name in enumerate(feeds)}
    feed_cum, t = [], 0.0
    for k in range(50):
        t += 1.0 / (k + 1)
        feed_cum.append(t)
    recreate = _drop_indexes(conn)
    t0 = time.perf_counter()
    written = aid = 0
    surfaces: dict[tuple[str, str], int] = defaultdict(int)
    stamp = now.isoformat(timespec="seconds")
    while written < mentions:
        arts, ms, aps, tps = [], [], [], []
        for _ in range(CHUNK):
            aid += 1
            r = rng.choice(reals)
            story = aid
            if aid > 1000 and rng.random() < COPIES:
                story = aid - rng.randint(1, 1000)
            is_copy = int(story != aid)
            published = _day(rng, now)
            day = published.date().isoformat()
            k = rng.choices(range(50), cum_weights=feed_cum)[0]
            sid = feed_id[f"{r.source}-{k + 1:02d}"]
            text = r.text
            chosen: dict[str, tuple[int, float, int, int, float]] = {}
            for pid, n, score, dl, fo, fs in r.places:
                if rng.random() < SWAP:
                    pid = rng.choices(pool, cum_weights=cum)[0][0]
                if pid not in chosen:
                    chosen[pid] = (n, score, dl, fo, fs)
            for pid, (n, score, dl, fo, fs) in chosen.items():
                p = places[pid]
                for j in range(n):
                    start = len(text) + 1
                    text = f"{text} {p[1]}"
                    ms.append((aid, pid, start, start + len(p[1]), p[1], "dateline" if dl and j == 0 else "mention",
                               score, 0, "[]"))
                    surfaces[(pid, p[1])] += 1
                    written += 1
                aps.append((aid, pid, n, score, dl, fo, fs, day, r.lang, sid, p[6], is_copy, p[7]))
            text = f"{text} #{aid}"
            arts.append((aid, f"synth-{aid}", story, r.title, text, None, None, sid,
                         published.isoformat(timespec="seconds"), day, "metadata", r.lang, "[]", stamp, None, None))
            tps += [(aid, topic, score, "[]", day, is_copy) for topic, score in r.topics]
            if written >= mentions:
                break
        with conn.transaction():
            conn.copy_rows("articles", ("id", "hash", "story_id", "title", "text", "url", "external_id", "source_id",
                                        "published", "day", "date_source", "lang", "categories", "ingested_at",
                                        "run_id", "minhash"), arts)
            conn.copy_rows("mentions", ("article_id", "place_id", "start_char", "end_char", "surface", "role",
                                        "score", "corrected", "alternatives"), ms)
            conn.copy_rows("article_places", ("article_id", "place_id", "mentions", "score", "is_dateline",
                                              "is_focus", "focus_score", "day", "lang", "source_id", "country_code",
                                              "is_copy", "admin1_code"), aps)
            conn.copy_rows("article_topics", ("article_id", "topic", "score", "evidence", "day", "is_copy"), tps)
        rate = aid / (time.perf_counter() - t0)
        print(f"\rloading: {written:,} mentions, {aid:,} articles ({rate:,.0f} articles/s)", end="", flush=True)
    print()
    with conn.transaction():
        conn.copy_rows("place_surfaces", ("place_id", "surface", "mentions"),
                       [(pid, s, n) for (pid, s), n in sorted(surfaces.items())])
    if pg:
        conn.execute("SELECT setval(pg_get_serial_sequence('articles', 'id'), ?)", (aid,))
        conn.execute("SELECT setval(pg_get_serial_sequence('sources', 'id'), ?)", (len(feeds),))
    t1 = time.perf_counter()
    for sql in recreate:
        conn.execute(sql)
    print(f"indexes rebuilt in {time.perf_counter() - t1:.0f} s", flush=True)
    store.close()
    finish(url)
    print(f"built {aid:,} articles, {written:,} mentions in {time.perf_counter() - t0:.0f} s", flush=True)


def finish(url: str) -> None:
    """The steps after the bulk load, each skipped when already done, so an interrupted build resumes.

    Fills the SQLite full-text index when it is empty, the pre-aggregated counts when
    they are empty (:func:`dashboard.store.aggregates.rebuild`), and the planner's
    statistics (``ANALYZE``).  Opening the store first migrates it to the current schema.
    """
    from dashboard.store import aggregates

    store = open_store(url)
    conn = store._conn()
    pg = conn.dialect == "postgresql"
    if not pg:
        conn.execute("PRAGMA cache_size = -1000000")
    have = {name for name, _ in _indexes(conn)}
    for name, sql in _reference_indexes(conn):
        if name not in have:
            t1 = time.perf_counter()
            conn.execute(sql)
            print(f"index {name} re-created in {time.perf_counter() - t1:.0f} s", flush=True)
    if not pg:
        if conn.scalar("SELECT COUNT(*) FROM (SELECT 1 FROM articles_fts_docsize LIMIT 1) AS x") == 0:
            t1 = time.perf_counter()
            with conn.transaction():
                conn.execute("INSERT INTO articles_fts(rowid, title, text) SELECT id, title, text FROM articles")
            print(f"full-text index filled in {time.perf_counter() - t1:.0f} s", flush=True)
    if conn.scalar("SELECT COUNT(*) FROM (SELECT 1 FROM place_counts LIMIT 1) AS x") == 0:
        t1 = time.perf_counter()
        with conn.transaction():
            aggregates.rebuild(conn)
        print(f"aggregates rebuilt in {time.perf_counter() - t1:.0f} s", flush=True)
    t1 = time.perf_counter()
    conn.execute("ANALYZE")
    print(f"planner statistics in {time.perf_counter() - t1:.0f} s", flush=True)
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="An empty store URL (sqlite:///... or postgresql://...).")
    ap.add_argument("--mentions", type=int, default=10_000_000)
    ap.add_argument("--corpus-db", default=CORPUS_DB, help="Cached store of the ingested corpus.")
    ap.add_argument("--finish", action="store_true",
                    help="Only the steps after the load (full-text index, counts, statistics) of an interrupted build.")
    args = ap.parse_args()
    if args.finish:
        finish(args.db)
    else:
        build(args.db, args.mentions, corpus_db=args.corpus_db)


if __name__ == "__main__":
    main()
