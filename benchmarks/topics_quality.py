"""How well the shipped topic rules agree with an independent labelling.

The sample corpus (``../shared/corpus/news.jsonl.gz``) gives each English item a
Wikipedia "Current events" category.  We map those onto our taxonomy, tag the
text alone (never the categories: that would be reading the answer) and report
per-class precision/recall and macro-F1 for the whole set, the dev half and the
held-out half.  Items whose id hashes even are the dev half: only they may be
looked at (``--errors``) when improving rules; the odd half is the honest figure.

Two of the corpus' classes have no single counterpart in IPTC, so they are
merged: "Politics and elections" + "International relations" -> politics, and
our health and environment topics both count for "Health and environment".  Our
topics without a class of their own are mapped where the corpus files them
(religion -> arts and culture; labour -> business; weather -> disasters);
education, society, lifestyle and human interest count as no prediction.
A prediction is the best-scoring topic that maps onto one of these classes.

Usage::

    python benchmarks/topics_quality.py [--corpus PATH] [--errors N] [--show-lang de] [--bootstrap 1000]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from dashboard.topics import default_tagger

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news.jsonl.gz"

GOLD = {
    "Armed conflicts and attacks": "conflict",
    "Disasters and accidents": "disaster",
    "Law and crime": "crime",
    "Politics and elections": "politics",
    "International relations": "politics",
    "Business and economy": "economy",
    "Sports": "sport",
    "Health and environment": "health/environment",
    "Arts and culture": "arts",
    "Science and technology": "science",
}
PREDICTED = {
    "conflict-war-peace": "conflict",
    "disaster-accident": "disaster",
    "crime-law": "crime",
    "politics": "politics",
    "economy-business": "economy",
    "sport": "sport",
    "health": "health/environment",
    "environment": "health/environment",
    "arts-culture": "arts",
    "science-technology": "science",
    # the corpus files these under its coarser classes:
    "religion": "arts",
    "labour": "economy",
    "weather": "disaster",
}
CLASSES = sorted(set(GOLD.values()))


def items(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def is_dev(item_id: str) -> bool:
    """The dev half: ids whose MD5 is even.  Stable across runs and machines."""
    return int(hashlib.md5(item_id.encode()).hexdigest(), 16) % 2 == 0


def dev_items(path: Path = CORPUS) -> list[tuple[str, str]]:
    """(class, text) of the English dev-half items: all that tuning scripts may read."""
    out = []
    for it in items(path):
        cats = it.get("categories") or []
        if is_dev(it["id"]) and it.get("lang") == "en" and cats and cats[0] in GOLD:
            out.append((GOLD[cats[0]], it["text"]))
    return out


def predict(text: str) -> tuple[str | None, tuple]:
    topics = default_tagger().tag(text, lang="en")
    for t in topics:
        cls = PREDICTED.get(t.topic)
        if cls:
            return cls, topics
    return None, topics


def scores(pairs: list[tuple[str, str | None]]) -> tuple[float, dict[str, tuple[float, float, float, int]]]:
    tp, fp, fn, n = Counter(), Counter(), Counter(), Counter()
    for gold, pred in pairs:
        n[gold] += 1
        if pred == gold:
            tp[gold] += 1
        else:
            fn[gold] += 1
            if pred:
                fp[pred] += 1
    table = {}
    for c in CLASSES:
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0
        r = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        table[c] = (p, r, f, n[c])
    return sum(v[2] for v in table.values()) / len(table), table


def bootstrap(pairs: list[tuple[str, str | None]], n: int, seed: int = 1) -> str:
    """The 2.5th and 97.5th percentiles of macro-F1 over ``n`` resamples (with replacement) of the items.

    Says how far a figure could move on another sample of the same kind of
    news: the small classes (arts, science: under 100 items a half) make
    macro-F1 of one half uncertain by about a point either way.
    """
    rng = random.Random(seed)
    k = len(pairs)
    got = sorted(scores([pairs[rng.randrange(k)] for _ in range(k)])[0] for _ in range(n))
    return f"{got[int(0.025 * n)]:.3f}-{got[min(n - 1, int(0.975 * n))]:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--errors", type=int, default=0, help="print N misclassified items of the DEV half only")
    ap.add_argument("--show-lang", default="", help="print the tags of the corpus' items in this language")
    ap.add_argument("--bootstrap", type=int, default=0, metavar="N",
                    help="also print 95%% intervals of macro-F1 from N resamples of the items")
    args = ap.parse_args()

    default_tagger()
    pairs: dict[str, list[tuple[str, str | None]]] = {"all": [], "dev": [], "held-out": []}
    errors = []
    t0 = time.perf_counter()
    for it in items(args.corpus):
        if args.show_lang and it.get("lang") == args.show_lang:
            topics = default_tagger().tag(it["text"], lang=args.show_lang)
            shown = ", ".join(f"{t.topic} {t.score:.2f} ({' '.join(t.evidence[:3])})" for t in topics)
            print(f"{it['id']}: {it['text'][:90]!r}\n    -> {shown or '(none)'}")
        cats = it.get("categories") or []
        if it.get("lang") != "en" or not cats or cats[0] not in GOLD:
            continue
        gold = GOLD[cats[0]]
        pred, topics = predict(it["text"])
        half = "dev" if is_dev(it["id"]) else "held-out"
        pairs["all"].append((gold, pred))
        pairs[half].append((gold, pred))
        if half == "dev" and pred != gold:
            errors.append((gold, pred, it["text"], topics))
    elapsed = time.perf_counter() - t0

    for name, ps in pairs.items():
        macro, _ = scores(ps)
        interval = f", 95% interval {bootstrap(ps, args.bootstrap)}" if args.bootstrap else ""
        print(f"macro-F1 {name:9s} {macro:.3f}  ({len(ps)} items{interval})")
    _, table = scores(pairs["all"])
    _, held = scores(pairs["held-out"])
    print("\n| class | items | precision | recall | F1 | F1 held-out |\n|---|---:|---:|---:|---:|---:|")
    for c in CLASSES:
        p, r, f, n = table[c]
        print(f"| {c} | {n} | {p:.2f} | {r:.2f} | {f:.2f} | {held[c][2]:.2f} |")
    none = sum(1 for _, p in pairs["all"] if p is None)
    print(f"\nno topic: {none} items; {len(pairs['all']) / elapsed:.0f} items/s including JSON parsing")
    for gold, pred, text, topics in errors[: args.errors]:
        print(f"\n[{gold} -> {pred}] {text[:200]}")
        print("   ", [(t.topic, t.score, t.evidence[:3]) for t in topics])


if __name__ == "__main__":
    main()
