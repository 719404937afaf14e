"""Geoparsing speed: our geoparser beside geotext, on the same news articles, one core.

Why: the dashboard geoparses every incoming article, so throughput (articles per
second on one core) and the memory the place index holds decide what hardware it
needs.  The goals are >= 2,000 articles/s and <= 300 MB resident with the index
loaded.  geotext (PyPI) is a widely used, much simpler peer (regex + dictionary
lookup, cities and countries only, no resolution); it gives the numbers a scale.
It is not a quality comparison: the mention counts are printed only as a sanity
check that both tools really did work on the texts.

How: the texts of ``../shared/eval/lgl.jsonl`` (read in place, never copied into
the repo) are cut to about ``--size`` characters (2,000 by default) at a
whitespace.  Both tools are loaded and warmed first; index load time and memory
(``getrusage`` peak and ``/proc/self/status`` VmRSS) are reported separately from
parsing; if the index file is missing or stale it is built first in a child process,
so a build counts neither as load time nor as memory.  The process is pinned to one CPU when the OS allows it.  Each timed pass
runs one tool over all texts; passes alternate between the tools so machine
noise hits both, and the best of ``--repeat`` passes counts.  Ours is timed with
full resolution (``Geoparser().parse(text, lang="en")``); geotext as
``GeoText(text)``.  Nothing here asserts on time: it is a script, not a test.

Usage::

    python benchmarks/geoparse_speed.py [--repeat 3] [--limit N] [--size 2000] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import mean
from typing import Any

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "lgl.jsonl"
GOAL_RATE = 2_000  # articles per second, one core
GOAL_RSS_MB = 300  # resident memory with the index loaded
_LAST_SPACE = re.compile(r"\s(?=\S*$)")


def cut(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` characters, at the last whitespace before the limit.

    When there is no whitespace in the last fifth of the window the cut is hard.
    """
    if len(text) <= size:
        return text
    head = text[: size + 1]  # a whitespace right at the limit is a clean cut too
    m = _LAST_SPACE.search(head)
    if m and m.start() >= size * 0.8:
        return head[: m.start()].rstrip()
    return text[:size]


def load_texts(path: Path, size: int, limit: int | None) -> list[str]:
    texts: list[str] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            text = json.loads(line).get("text") or ""
            if text.strip():
                texts.append(cut(text, size))
            if limit is not None and len(texts) >= limit:
                break
    return texts


def pin_one_cpu() -> int | None:
    """Pin this process to its first allowed CPU; the CPU number, or None when not possible."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return cpu


def vm_rss_mb() -> float | None:
    """Current resident set size in MB from /proc/self/status (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        return None
    return None


def max_rss_mb() -> float:
    """Peak resident set size so far, in MB (getrusage reports kB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def memory() -> dict[str, float | None]:
    return {"vmrss_mb": vm_rss_mb(), "maxrss_mb": max_rss_mb()}


def timed_pass(fn: Callable[[str], int], texts: list[str]) -> tuple[float, int]:
    """Seconds for one pass of ``fn`` over ``texts``, and the mentions it found."""
    gc.collect()
    found = 0
    t0 = time.perf_counter()
    for text in texts:
        found += fn(text)
    return time.perf_counter() - t0, found


def run(args: argparse.Namespace) -> dict[str, Any]:
    cpu = pin_one_cpu()
    texts = load_texts(args.eval, args.size, args.limit)
    if not texts:
        raise SystemExit(f"no texts in {args.eval}")
    mem_start = memory()

    # Ours: build the index file first if it is missing or stale, in a child process, so that
    # neither the build's time nor its memory is counted as loading.
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from dashboard.gazetteer.index import ensure_index; ensure_index()"],
        check=True,
    )
    ensure_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    from dashboard.geoparse import Geoparser

    parser = Geoparser()
    ours_load_s = time.perf_counter() - t0
    for text in texts[:20]:  # warm caches and lazily built structures
        parser.parse(text, lang="en")
    mem_ours = memory()  # before geotext is imported: this is our index alone

    # geotext builds its dictionaries when the module is imported.
    t0 = time.perf_counter()
    from geotext import GeoText

    geotext_load_s = time.perf_counter() - t0
    for text in texts[:20]:
        GeoText(text)
    mem_both = memory()

    def ours(text: str) -> int:
        return len(parser.parse(text, lang="en").mentions)

    def geotext(text: str) -> int:
        places = GeoText(text)
        return len(places.cities) + len(places.countries)

    tools: dict[str, Callable[[str], int]] = {"ours": ours, "geotext": geotext}
    times: dict[str, list[float]] = {name: [] for name in tools}
    found: dict[str, int] = {}
    for i in range(args.repeat):
        order = list(tools) if i % 2 == 0 else list(reversed(tools))
        for name in order:
            seconds, n = timed_pass(tools[name], texts)
            times[name].append(seconds)
            found[name] = n

    n = len(texts)
    results: dict[str, dict[str, Any]] = {}
    for name in tools:
        best = min(times[name])
        results[name] = {
            "articles_per_s": n / best,
            "ms_per_article": 1000 * best / n,
            "best_pass_s": best,
            "passes_s": times[name],
            "mentions_per_article": found[name] / n,
        }
    return {
        "eval": str(args.eval),
        "articles": n,
        "mean_chars": mean(len(t) for t in texts),
        "size": args.size,
        "repeat": args.repeat,
        "cpu": cpu,
        "python": sys.version.split()[0],
        "ours_ensure_index_s": ensure_s,
        "ours_load_s": ours_load_s,
        "geotext_load_s": geotext_load_s,
        "memory_mb": {"start": mem_start, "ours_loaded": mem_ours, "both_loaded": mem_both},
        "tools": results,
        "ratio_ours_over_geotext": results["ours"]["articles_per_s"] / results["geotext"]["articles_per_s"],
        "goal_articles_per_s": GOAL_RATE,
        "goal_rss_mb": GOAL_RSS_MB,
    }


def fmt_mb(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0f} MB"


def report(r: dict[str, Any]) -> None:
    mem = r["memory_mb"]
    ours, geo = r["tools"]["ours"], r["tools"]["geotext"]
    cpu = "not pinned" if r["cpu"] is None else f"pinned to cpu {r['cpu']}"
    print(f"texts: {r['articles']} from {r['eval']}, cut to ~{r['size']} chars (mean {r['mean_chars']:.0f})")
    print(f"one core ({cpu}), Python {r['python']}, best of {r['repeat']} alternating passes")
    print()
    print(
        f"load  ours:    {r['ours_load_s']:.2f} s (index check/build before it, child process: {r['ours_ensure_index_s']:.2f} s)"
    )
    print(f"load  geotext: {r['geotext_load_s']:.2f} s (import)")
    print(
        f"memory  start: VmRSS {fmt_mb(mem['start']['vmrss_mb'])}; "
        f"ours loaded: VmRSS {fmt_mb(mem['ours_loaded']['vmrss_mb'])}, "
        f"maxrss {fmt_mb(mem['ours_loaded']['maxrss_mb'])}; "
        f"+geotext: VmRSS {fmt_mb(mem['both_loaded']['vmrss_mb'])}"
    )
    print()
    print(f"{'tool':<8} {'articles/s':>11} {'ms/article':>11} {'mentions/article':>17}")
    for name, t in (("ours", ours), ("geotext", geo)):
        print(
            f"{name:<8} {t['articles_per_s']:>11,.0f} {t['ms_per_article']:>11.3f} "
            f"{t['mentions_per_article']:>17.2f}"
        )
    print(f"ratio ours/geotext (articles/s): {r['ratio_ours_over_geotext']:.2f}")
    print()
    rss = mem["ours_loaded"]["vmrss_mb"]
    rate_ok = "met" if ours["articles_per_s"] >= r["goal_articles_per_s"] else "NOT met"
    print(
        f"goal speed  >= {r['goal_articles_per_s']:,} articles/s: ours {ours['articles_per_s']:,.0f} -> {rate_ok}"
    )
    if rss is not None:
        rss_ok = "met" if rss <= r["goal_rss_mb"] else "NOT met"
        print(f"goal memory <= {r['goal_rss_mb']} MB resident with index: ours {rss:.0f} MB -> {rss_ok}")
    print("(mentions/article is a sanity check, not a quality comparison: geotext counts cities+countries)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=EVAL, help="JSON Lines with a 'text' field")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes per tool (best counts)")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N texts")
    ap.add_argument("--size", type=int, default=2000, help="cut each text to about this many characters")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.size < 1 or (args.limit is not None and args.limit < 1):
        ap.error("--repeat, --size and --limit must be positive")
    r = run(args)
    if args.json:
        print(json.dumps(r, indent=2))
    else:
        report(r)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
