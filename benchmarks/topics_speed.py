"""Articles per second of topic tagging, on the corpus texts and on ~2 KB texts.

The budget: tagging may add at most 10 % to geoparsing.  Both are timed here on
the same ~2 KB texts (corpus items joined, so every word is real news
vocabulary), pinned to one core with ``os.sched_setaffinity``, each the best of
several passes, and the geoparser passes are interleaved with tagging passes so
that a busy machine slows both alike.  The geoparser is the project's
``Geoparser().parse(text, lang)`` with its index loaded.  Tagging runs with a
warm cache (the steady state of an ingest run); the first, cold pass over the
corpus is printed too.

``--dump FILE`` writes what the tagger says about every corpus item (with and
without the language hint, and with title and categories) and about the 2 KB
texts; ``--compare FILE`` checks a later version against such a dump, so that a
speed change can be shown to leave every result as it was.  Topics with exactly
the same score are compared as a set: their order used to depend on float noise.

Usage::

    python benchmarks/topics_speed.py [--corpus PATH] [--core N] [--rounds N]
    python benchmarks/topics_speed.py --dump before.jsonl     # then change the code, and:
    python benchmarks/topics_speed.py --compare before.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from pathlib import Path

from dashboard.topics import Tagger, default_tagger

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "news.jsonl.gz"
SEED = ROOT / "seeds" / "000_2959add6671d93e8.txt"


def rate(tagger: Tagger, texts: list[tuple[str, str | None]], repeat: int = 1) -> float:
    """Articles/s of the best of ``repeat`` passes (the machine is shared: the best pass is the signal)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text, lang in texts:
            tagger.tag(text, lang=lang)
        best = min(best, time.perf_counter() - t0)
    return len(texts) / best


def per_article(fn, texts: list[str], lang: str | None, passes: int) -> tuple[float, float]:
    """Best-of-``passes`` (wall, CPU) seconds per article of ``fn(text, lang)``."""
    wall = cpu = float("inf")
    for _ in range(passes):
        w0, c0 = time.perf_counter(), time.process_time()
        for t in texts:
            fn(t, lang)
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return wall / len(texts), cpu / len(texts)


def versus_geoparser(tagger: Tagger, texts: list[str], rounds: int) -> dict[str, tuple[float, float]] | None:
    """(wall, CPU) seconds per article of tagging and of geoparsing the same texts; None if no geoparser.

    Rounds alternate between the two tools and each keeps its best round, so a
    busy machine slows both alike; CPU time (``time.process_time``) is the
    steadier figure when other processes share the core.
    """
    try:
        from dashboard.geoparse import Geoparser

        geo = Geoparser()
        geo.parse(texts[0], "en")
    except Exception as err:  # noqa: BLE001 - the place index may not be built on this machine
        print(f"geoparser unavailable ({type(err).__name__}: {err})")
        return None
    sample = texts[:300]
    for t in sample:  # warm both
        geo.parse(t, "en")
        tagger.tag(t, lang="en")
    best = {"tagging": (float("inf"), float("inf")), "geoparsing": (float("inf"), float("inf"))}
    for _ in range(rounds):
        for name, fn, passes in (
            ("tagging", lambda t, lang: tagger.tag(t, lang=lang), 3),
            ("geoparsing", geo.parse, 1),
        ):
            wall, cpu = per_article(fn, sample, "en", passes)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def outputs(tagger: Tagger, rows: list[dict]) -> list[str]:
    """One JSON line per tagging call over the corpus and its 2 KB texts (see ``--dump``)."""

    def canon(result: tuple) -> list:
        # order by score, then topic: ties in score have no meaningful order
        return sorted(([-t.score, t.topic, list(t.evidence)] for t in result), key=lambda r: (r[0], r[1]))

    out = []
    for r in rows:
        text, lang = r["text"], r.get("lang")
        cats = r.get("categories") or ()
        calls = (
            tagger.tag(text, lang=lang),
            tagger.tag(text),
            tagger.tag(text, lang=lang, title=r.get("title", ""), categories=cats),
        )
        out.append(json.dumps([r["id"], *map(canon, calls)], ensure_ascii=False))
    for lang in sorted({r.get("lang") or "" for r in rows} - {""}):
        for i, text in enumerate(two_kb([r["text"] for r in rows if r.get("lang") == lang])):
            out.append(
                json.dumps([f"2kb-{lang}-{i}", canon(tagger.tag(text, lang=lang)), canon(tagger.tag(text))])
            )
    return out


def two_kb(texts: list[str], size: int = 2048) -> list[str]:
    out, buf = [], ""
    for t in texts:
        buf += t + "\n"
        if len(buf) >= size:
            out.append(buf[:size])
            buf = ""
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--core", type=int, default=None, help="CPU to pin to (default: the last one allowed)")
    ap.add_argument("--rounds", type=int, default=7, help="interleaved tagging/geoparsing rounds")
    ap.add_argument("--dump", type=Path, help="write every tagging result to this file and stop")
    ap.add_argument("--compare", type=Path, help="check every tagging result against a --dump file and stop")
    args = ap.parse_args()
    core = args.core if args.core is not None else max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    print(f"pinned to CPU {core}")
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    corpus = [(r["text"], r.get("lang")) for r in rows]
    if args.dump or args.compare:
        lines = outputs(default_tagger(), rows)
        if args.dump:
            args.dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"{len(lines)} results written to {args.dump}")
            return
        ref = args.compare.read_text(encoding="utf-8").splitlines()
        diff = [a.split(",")[0] for a, b in zip(lines, ref, strict=False) if a != b]
        print(f"{len(lines)} results, {len(ref)} in {args.compare}: {len(diff)} differ {diff[:10]}")
        raise SystemExit(1 if diff or len(lines) != len(ref) else 0)

    t0 = time.perf_counter()
    tagger = default_tagger()
    print(f"build tagger from shipped rules: {1000 * (time.perf_counter() - t0):.0f} ms")
    cold = rate(tagger, corpus)
    warm = rate(tagger, corpus, repeat=3)
    mean = sum(len(t) for t, _ in corpus) / len(corpus)
    print(f"corpus items ({len(corpus)}, mean {mean:.0f} chars): cold {cold:,.0f}/s, warm {warm:,.0f}/s")

    en = two_kb([t for t, lang in corpus if lang == "en"])
    de = two_kb([SEED.read_text(encoding="utf-8")] * 2)
    rates = {}
    for name, texts, lang in (
        ("2 KB English", en, "en"),
        ("2 KB German seed", de, "de"),
        ("2 KB English, lang=None", en, None),
    ):
        pairs = [(t, lang) for t in texts]
        rate(tagger, pairs)
        r = rates[name] = rate(tagger, pairs, repeat=max(5, 5_000 // len(pairs)))
        print(f"{name} ({len(texts)} texts): {r:,.0f} articles/s = {1e6 / r:.1f} µs per article")
    both = versus_geoparser(tagger, en, args.rounds)
    if both:
        (tw, tc), (gw, gc) = both["tagging"], both["geoparsing"]
        print(f"same 300 2 KB texts, {args.rounds} alternating rounds, best of each, per article:")
        print(
            f"  wall: tagging {1e6 * tw:.1f} µs, geoparsing {1e6 * gw:.0f} µs -> tagging adds {100 * tw / gw:.1f} %"
        )
        print(
            f"  CPU:  tagging {1e6 * tc:.1f} µs, geoparsing {1e6 * gc:.0f} µs -> tagging adds {100 * tc / gc:.1f} %"
        )


if __name__ == "__main__":
    main()
