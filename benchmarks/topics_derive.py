"""Suggest English keyword weights for the topic rules from the DEV half of the corpus.

Reads ONLY the dev half of ``../shared/corpus/news.jsonl.gz`` (items whose id
hashes even, :func:`topics_quality.is_dev`); the held-out half is never opened
beyond skipping it, so ``topics_quality.py``'s held-out figure stays honest.

For every benchmark class it scores each word by its smoothed log-odds of
appearing in an item of that class rather than in an item of another class
(document frequencies, an add-``alpha`` prior, and a minimum number of class
items the word must occur in, so that rare words get no weight).  The weight
suggested is the log-odds scaled into the rules' 1-3 range.  It then says what
the shipped rules already give the word for the class's topic, so that a person
can decide, word by word, what goes into ``dashboard/data/topics.toml``: the
output is a reading list, not a model, and nothing is written automatically.
Words that name a place, a person or a one-off event of the corpus's months are
not general news vocabulary and should be left out when copying.

Usage::

    python benchmarks/topics_derive.py [--min-docs 6] [--min-logodds 1.5] [--class arts] [--all]
"""

from __future__ import annotations

import argparse
import math
import re
from collections import Counter
from pathlib import Path

from topics_quality import CLASSES, CORPUS, GOLD, PREDICTED, is_dev, items

from dashboard.topics import default_tagger

WORD = re.compile(r"\w+")
TOPIC_OF = {  # where a suggestion for a class would be written
    "arts": "arts-culture",
    "conflict": "conflict-war-peace",
    "crime": "crime-law",
    "disaster": "disaster-accident",
    "economy": "economy-business",
    "health/environment": "health",
    "politics": "politics",
    "science": "science-technology",
    "sport": "sport",
}


def dev_items(path: Path) -> list[tuple[str, set[str]]]:
    """(class, set of words) of each English dev item; held-out items are skipped unread."""
    out = []
    for it in items(path):
        if not is_dev(it["id"]):
            continue
        cats = it.get("categories") or []
        if it.get("lang") != "en" or not cats or cats[0] not in GOLD:
            continue
        out.append((GOLD[cats[0]], set(WORD.findall(it["text"].lower()))))
    return out


def log_odds(
    data: list[tuple[str, set[str]]], alpha: float, min_docs: int
) -> dict[str, dict[str, tuple[float, int]]]:
    """class -> word -> (log-odds of the word in the class vs the rest, class items with the word)."""
    n_class = Counter(c for c, _ in data)
    df: dict[str, Counter[str]] = {c: Counter() for c in CLASSES}
    for c, words in data:
        df[c].update(words)
    total: Counter[str] = Counter()
    for c in CLASSES:
        total.update(df[c])
    n = len(data)
    out: dict[str, dict[str, tuple[float, int]]] = {}
    for c in CLASSES:
        nc, rest = n_class[c], n - n_class[c]
        found = {}
        for w, k in df[c].items():
            if k < min_docs:
                continue
            p_in = (k + alpha) / (nc + 2 * alpha)
            p_out = (total[w] - k + alpha) / (rest + 2 * alpha)
            found[w] = (math.log(p_in / (1 - p_in)) - math.log(p_out / (1 - p_out)), k)
        out[c] = found
    return out


def current(word: str) -> dict[str, float]:
    """The weights the shipped English rules give ``word`` (single-word patterns), by topic."""
    tagger = default_tagger()
    matcher = tagger._matchers["en"]
    return {tagger._ids[ti]: w for ti, w in matcher.word(word)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--min-docs", type=int, default=6, help="class items a word must occur in")
    ap.add_argument("--min-logodds", type=float, default=1.5)
    ap.add_argument("--alpha", type=float, default=1.0, help="add-alpha smoothing of document frequencies")
    ap.add_argument("--class", dest="only", default="", help="one class only")
    ap.add_argument("--all", action="store_true", help="list words the rules already cover too")
    args = ap.parse_args()

    data = dev_items(args.corpus)
    print(f"# {len(data)} dev items; held-out items not read")
    table = log_odds(data, args.alpha, args.min_docs)
    for c in CLASSES:
        if args.only and c != args.only:
            continue
        topic = TOPIC_OF[c]
        print(f"\n# {c} -> [topics.{topic}.en]")
        for w, (lo, k) in sorted(table[c].items(), key=lambda kv: -kv[1][0]):
            if lo < args.min_logodds or w.isdigit():
                continue
            have = current(w)
            mapped = {t: v for t, v in have.items() if PREDICTED.get(t) == c}
            if mapped and not args.all:
                continue
            weight = max(1, min(3, round(lo - 0.5)))
            others = ", ".join(f"{t}={v:g}" for t, v in sorted(have.items()) if t not in mapped)
            print(
                f'"{w}" = {weight}  # log-odds {lo:.2f}, {k} items{"; now " + str(mapped) if mapped else ""}'
                f"{'; elsewhere ' + others if others else ''}"
            )


if __name__ == "__main__":
    main()
