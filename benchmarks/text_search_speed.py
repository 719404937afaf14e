"""The map page's queries under a text search, timed one by one and side by side as the page asks them.

A text search is the one filter the pre-aggregated counts cannot answer, so every count
of the page (places, grid cells, total, the sidebar's five facets) reads the detailed
tables.  This runs that set for a search word and a few date ranges on an existing store
(e.g. the 1M store of ``dashboard_speed.py`` or a 10M one of ``synth_store.py``), each
query alone on a fresh store object (nothing cached), then the whole set at once on four
threads as ``dashboard/app/views/map.py`` submits it (the page's wall time).  With
``--compare DIR`` (a checkout of another revision, e.g. ``git archive main | tar -x -C DIR``)
the same runs are made with that code in alternating order, and ratios printed.

    python benchmarks/text_search_speed.py --db sqlite:////tmp/dashboard_speed_1m.sqlite --search government
    python benchmarks/text_search_speed.py --db postgresql://... --search government --compare /tmp/main-src
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

RANGES = {"all time": None, "last 30 days": 30, "last 7 days": 7}
QUERIES = ("places", "grid", "total", "facets", "countries", "daily")


def _filters(search: str, days: int | None, now: datetime) -> Any:
    from dashboard.models import Filters

    return Filters(text=search, date_from=None if days is None else now - timedelta(days=days), date_to=None)


def _jobs(store: Any, f: Any) -> dict[str, Any]:
    return {
        "places": lambda: store.place_summaries(f, limit=500),
        "grid": lambda: store.grid_cells(f, 22.5),
        "total": lambda: store.count_articles(f),
        "facets": lambda: store.facets(f, parallel=False),
        "countries": lambda: store.country_counts(replace(f, countries=())),
        "daily": lambda: store.daily_counts(f),
    }


def run_here(db: str, search: str, rounds: int) -> dict[str, Any]:
    """Time the queries with the code this interpreter imports (``sys.path[0]`` is the checkout)."""
    from dashboard.store import open_store

    now = datetime.now(UTC)
    out: dict[str, Any] = {}
    for label, days in RANGES.items():
        f = _filters(search, days, now)
        per: dict[str, list[float]] = {q: [] for q in QUERIES}
        page: list[float] = []
        for _ in range(rounds):
            for q in QUERIES:
                store = open_store(db)
                try:
                    t = time.perf_counter()
                    _jobs(store, f)[q]()
                    per[q].append(time.perf_counter() - t)
                finally:
                    store.close()
            store = open_store(db)
            try:
                jobs = _jobs(store, f)
                t = time.perf_counter()
                with ThreadPoolExecutor(max_workers=4) as pool:  # as the map page submits them
                    for fut in [pool.submit(jobs[q]) for q in ("facets", "total", "places", "grid")]:
                        fut.result()
                page.append(time.perf_counter() - t)
                total = jobs["total"]()
            finally:
                store.close()
        out[label] = {"matches": total, "page": min(page), **{q: min(v) for q, v in per.items()}}
    return out


def _child(code: Path, db: str, search: str, rounds: int) -> dict[str, Any]:
    script = (f"import sys; sys.path.insert(0, {str(code)!r}); sys.path.insert(1, {str(ROOT / 'benchmarks')!r});"
              f"import json, text_search_speed as t; print(json.dumps(t.run_here({db!r}, {search!r}, {rounds})))")
    res = subprocess.run([sys.executable, "-c", script], cwd=code, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--search", default="government")
    ap.add_argument("--rounds", type=int, default=2, help="Best of this many runs per query (default 2).")
    ap.add_argument("--compare", type=Path, default=None, help="Another checkout to run side by side.")
    args = ap.parse_args()
    codes = {"this": ROOT} | ({"other": args.compare.resolve()} if args.compare else {})
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in codes}
    for _ in range(2 if args.compare else 1):  # alternating order: other, this, this, other
        for name in (list(codes) if not runs["this"] else list(codes)[::-1]):
            runs[name].append(_child(codes[name], args.db, args.search, args.rounds))
    print(f"search {args.search!r} on {args.db}; ms, best of {args.rounds} (page: the map page's four queries at once)")
    for label in RANGES:
        best = {name: {k: min(r[label][k] for r in rs) for k in rs[0][label]} for name, rs in runs.items()}
        print(f"\n{label}: {best['this']['matches']:,} matching articles")
        for q in ("page", *QUERIES):
            line = f"  {q:10} this {best['this'][q] * 1000:8.0f}"
            if "other" in best:
                o = best["other"][q]
                line += f"   other {o * 1000:8.0f}   other/this {o / max(best['this'][q], 1e-9):6.1f}x"
            print(line)
    if len(runs["this"]) > 1:
        spread = statistics.pstdev(r["last 30 days"]["page"] for r in runs["this"])
        print(f"\n(spread of the 30-day page time between the two runs of this code: {spread * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
