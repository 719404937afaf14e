"""How fast the dashboard's queries answer on a large store (goal: p95 <= 200 ms on SQLite).

Fills a fresh store with about 1,000,000 mentions: Zipf-distributed places
(a few places are in most articles, most places are rare, as in real news),
two years of dates with weekly rhythm, six languages, fifty sources, twelve
topics; then times each query of the dashboard with typical filters.

    python benchmarks/query_speed.py                      # temporary SQLite file
    python benchmarks/query_speed.py --db postgresql://...  # an empty PostgreSQL database
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dashboard.models import Article, Filters, GeoparseResult, Mention, Place, TopicScore
from dashboard.store import NewArticle, Store, open_store

COUNTRIES = ["US", "GB", "DE", "FR", "CN", "RU", "UA", "IN", "BR", "KZ", "UZ", "JP", "NG", "ZA", "EG", "IL",
             "PS", "IR", "TR", "MX", "CA", "AU", "IT", "ES", "PL", "SY", "AF", "PK", "KR", "ID"]
TOPICS = ["politics", "economy", "conflict", "crime", "health", "science", "sport", "culture", "weather",
          "disaster", "technology", "environment"]
LANGS = ["en", "de", "fr", "es", "ru", "zh"]
WORDS = ("government minister talks election market flood storm border troops court vaccine "
         "stadium festival energy climate protest summit trade rail port harvest").split()


def make_places(n: int, rng: random.Random) -> list[Place]:
    places = []
    for i in range(n):
        cc = COUNTRIES[min(int(rng.paretovariate(1.0)) - 1, len(COUNTRIES) - 1)]
        kind = "country" if i < len(COUNTRIES) else rng.choice(["city", "city", "city", "admin1"])
        places.append(Place(f"bench:{i}", f"Place {i}", kind, rng.uniform(-60, 70), rng.uniform(-180, 180),
                            None, COUNTRIES[i] if i < len(COUNTRIES) else cc, str(rng.randint(1, 30)), 0))
    return places


def fill(store: Store, mentions: int, n_places: int, seed: int = 7) -> int:
    """Write articles until about ``mentions`` mentions are stored; returns the article count."""
    rng = random.Random(seed)
    places = make_places(n_places, rng)
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(n_places)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    written = articles = 0
    batch: list[NewArticle] = []
    t0 = time.perf_counter()
    while written < mentions:
        k = max(1, min(20, int(rng.expovariate(1 / 5))))
        chosen = rng.choices(places, weights, k=k)
        words = rng.choices(WORDS, k=30)
        text_parts, ms = [], []
        pos = 0
        for place in chosen:
            chunk = f"{' '.join(rng.choices(words, k=6))} {place.name}. "
            start_char = pos + chunk.index(place.name)
            ms.append(Mention(start_char, start_char + len(place.name), place.name, place,
                              "dateline" if not ms and rng.random() < 0.3 else "mention", rng.uniform(0.4, 1.0)))
            text_parts.append(chunk)
            pos += len(chunk)
        rare = " ceasefire" if rng.random() < 0.01 else ""  # a selective search word, as real searches are
        text = "".join(text_parts) + f"{rare} #{articles}"
        day = start + timedelta(days=min(729, int(rng.triangular(0, 730, 700))), hours=rng.randint(0, 23))
        topics = tuple(TopicScore(t, rng.random()) for t in rng.sample(TOPICS, rng.randint(0, 3)))
        art = Article(text, title=f"Headline {articles}", source=f"source-{rng.randint(1, 50)}",
                      published=day, date_source="metadata", lang=rng.choice(LANGS))
        batch.append(NewArticle(art, GeoparseResult(art.lang or "en", tuple(ms)), topics))
        written += len(ms)
        articles += 1
        if len(batch) == 2000:
            store.add_articles(batch)
            batch = []
            rate = articles / (time.perf_counter() - t0)
            print(f"\rfilling: {written:,} mentions, {articles:,} articles ({rate:,.0f} articles/s)", end="")
    store.add_articles(batch)
    print()
    return articles


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    fn()  # warm the page cache and the query planner
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="Store URL (default: a temporary SQLite file).")
    ap.add_argument("--mentions", type=int, default=1_000_000)
    ap.add_argument("--places", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'bench.sqlite'}"
    store = open_store(url)
    if store.is_empty():
        t = time.perf_counter()
        n = fill(store, args.mentions, args.places)
        print(f"filled {n:,} articles in {time.perf_counter() - t:.0f} s")
    store._conn().execute("ANALYZE")  # fresh statistics, as after a real ingest
    stats = store.stats()
    print(f"store: {stats['articles']:,} articles, {stats['mentions']:,} mentions, {stats['places']:,} places "
          f"({stats['backend']})")
    last_month = Filters(date_from=datetime(2025, 12, 1), date_to=datetime(2025, 12, 31))
    queries: list[tuple[str, Callable[[], Any]]] = [
        ("place_summaries()", lambda: store.place_summaries(Filters())),
        ("place_summaries(last month)", lambda: store.place_summaries(last_month)),
        ("place_summaries(country=KZ)", lambda: store.place_summaries(Filters(countries=("KZ",)))),
        ("place_summaries(topic=health)", lambda: store.place_summaries(Filters(topics=("health",)))),
        ("place_summaries(lang=de, role=dateline)",
         lambda: store.place_summaries(Filters(languages=("de",), role="dateline"))),
        ("place_summaries(bounds=Europe)", lambda: store.place_summaries(Filters(bounds=(35, -10, 70, 40)))),
        ("place_summaries(search)", lambda: store.place_summaries(Filters(text="ceasefire"))),
        ("country_counts()", lambda: store.country_counts(Filters())),
        ("country_counts(last month)", lambda: store.country_counts(last_month)),
        ("daily_counts()", lambda: store.daily_counts(Filters())),
        ("daily_counts(country=DE)", lambda: store.daily_counts(Filters(countries=("DE",)))),
        ("articles(page 1)", lambda: store.articles(Filters())),
        ("articles(country=KZ, page 3)", lambda: store.articles(Filters(countries=("KZ",)), offset=100)),
        ("count_articles(topic=sport)", lambda: store.count_articles(Filters(topics=("sport",)))),
        ("facets()", lambda: store.facets(Filters())),
        ("facets(last month)", lambda: store.facets(last_month)),
        ("stats()", store.stats),
    ]
    print(f"{'query':45} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    for name, fn in queries:
        p50, p95 = timed(fn, args.runs)
        worst = max(worst, p95)
        print(f"{name:45} {p50:8.1f} {p95:8.1f}")
    print(f"worst p95: {worst:.1f} ms (goal 200 ms)")
    store.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
