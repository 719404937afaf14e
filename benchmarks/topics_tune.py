"""Suggest weight changes to the English topic rules by a greedy search on the DEV half of the corpus.

Reads ONLY the dev half of ``../shared/corpus/news.jsonl.gz`` (items whose id
hashes even, :func:`topics_quality.is_dev`); held-out items are skipped unread,
so ``topics_quality.py``'s held-out figure stays an honest test.

The tagger's score of a topic is a sum of pattern weights times a per-article
count factor, so with the patterns fixed the scores are linear in the weights.
This script computes, once, what every English pattern contributes to every dev
item (exactly as :meth:`dashboard.topics.Tagger.tag` does, phrases replacing
their words) and then tries, pattern by pattern, one step up or down (0 to 3),
keeping a step only if dev macro-F1 rises by at least ``--eps`` and falls on
neither of two fixed halves of the dev set (a guard against fitting single
items).  Besides the shipped patterns it tries new single words from
:data:`WORDS`: a hand-pruned list of general news words taken from the
log-odds reading list of ``topics_derive.py`` (place and person names and
corpus quirks left out).  :data:`KEEP` lists changes the search proposed that
were rejected by hand as not generalising beyond this corpus (or as wrong for
ordinary news); they are never tried.

Nothing is written: the output is the list of changes, for a person to copy
into ``dashboard/data/topics.toml`` (new words go at the end of their table).

Usage::

    python benchmarks/topics_tune.py [--min-docs 5] [--eps 0.0005]
"""

from __future__ import annotations

import argparse
import hashlib
import math
from collections import Counter, defaultdict

import numpy as np
from topics_quality import PREDICTED, dev_items, scores

from dashboard.topics import _MULT, _MULT_N, Tagger, default_tagger
from dashboard.topics_rules import WORD, split_pattern

WORDS = {
    "disaster-accident": "blackout boat boats buried burns buses capsized car cars catches collide crowd derailed derails driver explodes fireworks helicopter injuring landfall leak lightning mine miners monsoon onboard outage overturned passenger passengers pedestrians pilot railway ravine severe sinks toll trailer trains truck van vehicles winds",
    "conflict-war-peace": "aerial ballistic bomb bomber bombs capture civilian civilians claimed commander convoy deployment explosive fighter fired improvised intercept intercepted interception mediated mediation positions projectiles retaliation roadside rockets rubble settlers shelling striking stronghold struck tanks target targeted targeting targets withdraw",
    "crime-law": "abuse appeal appeals arson assassinated assassination bail conspiracy counts demonstrators detain drug escape espionage evidence executes fatally fines fugitive hate inmates inquiry laundering offender offenses perpetrator perpetrators plot plotting possession protesters raid raids riot riots rules sentences sexual spree spying suspicion terrorist torture treason violence warrant",
    "sport": "competition consecutive defending draft edition knockout singles",
    "politics": "acting amendment appointed appointment appoints bans bloc designate diplomats dismisses elects executive exports imposes interim mandate motion order provisional removal resolution round sign signs sovereign succeeding summons tariff term trade transition vice visa visas",
    "science-technology": "earth mission published solar",
    "economy-business": "closure cost cuts demand exchange fuel goods housing infrastructure lay losses mining sector steel supply technology transport worth",
    "health": "case cases positive spread strain",
    "environment": "heat records temperature temperatures",
}
KEEP = {
    ("economy-business", "oil"),
    ("crime-law", "protesters"),
    ("economy-business", "technology"),
    ("science-technology", "artificial intelligence"),
    ("crime-law", "outside"),
    ("conflict-war-peace", "talks"),
    ("arts-culture", "win"),
    ("economy-business", "intelligence"),
    ("conflict-war-peace", "launches"),
    ("economy-business", "time"),
    ("conflict-war-peace", "kidnapping"),
    ("conflict-war-peace", "vessels"),
    ("politics", "energy"),
    ("politics", "deal"),
    ("economy-business", "hours"),
    ("economy-business", "artificial"),
    ("sport", "ahead"),
    ("conflict-war-peace", "start"),
    ("politics", "signs"),
    ("economy-business", "signs"),
    ("crime-law", "him"),
    ("crime-law", "linked"),
    ("economy-business", "risks"),
    ("conflict-war-peace", "vessel"),
    ("science-technology", "failure"),
    ("economy-business", "affecting"),
    ("health", "levels"),
    ("conflict-war-peace", "hits"),
    ("crime-law", "pay"),
    ("politics", "replacing"),
    ("science-technology", "content"),
    ("health", "low"),
    ("arts-culture", "marking"),
    ("conflict-war-peace", "area"),
    ("conflict-war-peace", "ships"),
    ("conflict-war-peace", "launch"),
    ("arts-culture", "held"),
    ("science-technology", "systems"),
    ("politics", "held"),
}


def _mult(c: int) -> float:
    return _MULT[c] if c < _MULT_N else 1.0 + 0.5 * math.log(c)


class LinearScores:
    """Per dev item and topic, the tagger's English score as a linear function of the pattern weights."""

    def __init__(self, tagger: Tagger, data: list[tuple[str, str]], new: list[tuple[int, str]]) -> None:
        self.ids = tagger._ids
        self.weight: dict[tuple[int, str], float] = {}
        self.exact: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.prefix: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.suffix: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.contains: list[tuple[str, int, str]] = []
        self.phrase_pat: dict[tuple[int, tuple[str, ...], bool], str] = {}
        for ti, pat, w in tagger._patterns(("en",)) + [(ti, w, 0.0) for ti, w in new]:
            self.weight[(ti, pat)] = w
            words, lead, trail = split_pattern(pat)
            if len(words) > 1:
                self.phrase_pat[(ti, words, trail)] = pat
            elif lead and trail:
                self.contains.append((words[0], ti, pat))
            else:
                (self.suffix if lead else self.prefix if trail else self.exact)[words[0]].append((ti, pat))
        self.matcher = tagger._matchers["en"]
        self.gold = [g for g, _ in data]
        self.topic_class = [PREDICTED.get(t) for t in self.ids]
        self.columns = self._columns([t for _, t in data])
        self.scores = np.zeros((len(data), len(self.ids)))
        for (ti, pat), (rows, vals) in self.columns.items():
            self.scores[rows, ti] += self.weight[(ti, pat)] * vals
        self.pred = [self.predict(r) for r in self.scores]

    def _winners(self, tok: str) -> dict[int, str]:
        """Per topic the pattern that reads ``tok`` (the most specific, as in the tagger)."""
        cands: dict[int, list[tuple[int, float, str]]] = defaultdict(list)
        for ti, pat in self.exact.get(tok, ()):
            cands[ti].append((1000, self.weight[(ti, pat)], pat))
        for k in range(1, len(tok) + 1):
            for ti, pat in self.prefix.get(tok[:k], ()):
                cands[ti].append((k, self.weight[(ti, pat)], pat))
            for ti, pat in self.suffix.get(tok[-k:], ()):
                cands[ti].append((k, self.weight[(ti, pat)], pat))
        for sub, ti, pat in self.contains:
            if sub in tok:
                cands[ti].append((len(sub), self.weight[(ti, pat)], pat))
        return {ti: max(v)[2] for ti, v in cands.items()}

    def _columns(self, texts: list[str]) -> dict[tuple[int, str], tuple[np.ndarray, np.ndarray]]:
        col: dict[tuple[int, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
        winners: dict[str, dict[int, str]] = {}
        m = self.matcher
        for d, text in enumerate(texts):
            low = text.lower()
            evidence: dict[int, dict[str, tuple[str, int]]] = defaultdict(dict)
            for w, c in Counter(WORD.findall(low)).items():
                if w not in winners:
                    winners[w] = self._winners(w)
                for ti, pat in winners[w].items():
                    col[(ti, pat)][d] += _mult(c)
                    evidence[ti][w] = (pat, c)
            keys: set[str] = set()
            for raw in set(low.split()):
                keys.update(m.chunk(raw)[1])
            for anchor in keys.intersection(m.phrase_anchors):
                for need, findall, ti, _w, parts, _label in m.phrases[anchor]:
                    found = len(findall(low)) if need <= keys else 0
                    if not found:
                        continue
                    trail = findall.__self__.pattern.endswith(r"\w*")  # type: ignore[attr-defined]
                    col[(ti, self.phrase_pat[(ti, parts, trail)])][d] += _mult(found)
                    for part in parts:  # a phrase replaces its words
                        e = evidence[ti].pop(part, None)
                        if e is not None and self.weight[(ti, e[0])] != 0:
                            col[(ti, e[0])][d] -= _mult(e[1])
        out = {}
        for key, dd in col.items():
            rows, vals = np.fromiter(dd.keys(), int), np.fromiter(dd.values(), float)
            out[key] = (rows[vals != 0], vals[vals != 0])
        return out

    def predict(self, row: np.ndarray) -> str | None:
        """The benchmark's prediction from one item's topic scores (min_raw 2, relative 0.3)."""
        best = row.max()
        if best < 2.0 - 1e-9:
            return None
        floor = max(2.0, best * 0.3)
        for _, i in sorted((-round(r, 9), i) for i, r in enumerate(row) if r >= floor - 1e-12)[:5]:
            if self.topic_class[i]:
                return self.topic_class[i]
        return None

    def macro(self, pred: list[str | None], rows: list[int]) -> float:
        return scores([(self.gold[d], pred[d]) for d in rows])[0]

    def predictions_with(self, key: tuple[int, str], new: float) -> list[str | None]:
        rows, vals = self.columns[key]
        pred = list(self.pred)
        delta = new - self.weight[key]
        for d, v in zip(rows, vals):
            row = self.scores[d].copy()
            row[key[0]] += delta * v
            pred[d] = self.predict(row)
        return pred

    def set(self, key: tuple[int, str], new: float) -> None:
        rows, vals = self.columns[key]
        self.scores[rows, key[0]] += (new - self.weight[key]) * vals
        self.weight[key] = new
        for d in rows:
            self.pred[d] = self.predict(self.scores[d])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-docs", type=int, default=5, help="dev items a pattern must score in to be tuned")
    ap.add_argument("--eps", type=float, default=0.0005, help="least rise of dev macro-F1 a step must bring")
    args = ap.parse_args()

    data = dev_items()
    tagger = default_tagger()
    index = {t: i for i, t in enumerate(tagger._ids)}
    probe = LinearScores(tagger, data[:1], [])
    new = [(index[t], w) for t, ws in WORDS.items() for w in ws.split() if index[t] not in probe._winners(w)]
    lin = LinearScores(tagger, data, new)
    halves = [
        [d for d, (_, t) in enumerate(data) if int(hashlib.sha1(t.encode()).hexdigest(), 16) % 2 == h]
        for h in (0, 1)
    ]
    everything = list(range(len(data)))
    base = [lin.macro(lin.pred, r) for r in (everything, *halves)]
    print(f"# {len(data)} dev items (held-out not read); dev macro-F1 {base[0]:.4f}")
    en = {(index[t.id], p) for t in tagger.topics for p in t.keywords.get("en", {})}
    keep = {(index[t], p) for t, p in KEEP}
    keys = [
        k
        for k, (rows, _) in lin.columns.items()
        if len(rows) >= args.min_docs and (k in en or k in set(new)) and k not in keep
    ]
    for _ in range(6):
        changed = 0
        for key in keys:
            w = lin.weight[key]
            best = None
            for step in [1, 2, 3] if w == 0 and key not in en else [w + 1, w - 1]:
                if not 0 <= step <= 3:
                    continue
                pred = lin.predictions_with(key, step)
                got = [lin.macro(pred, r) for r in (everything, *halves)]
                if got[0] - base[0] >= args.eps and got[1] >= base[1] and got[2] >= base[2]:
                    if best is None or got[0] > best[0][0]:
                        best = (got, step)
            if best:
                tid, pat = lin.ids[key[0]], key[1]
                print(
                    f'[topics.{tid}.en] "{pat}" = {best[1]:g}   # was {w:g}{" (new)" if key not in en else ""}; '
                    f"dev macro-F1 {base[0]:.4f} -> {best[0][0]:.4f}, {len(lin.columns[key][0])} items"
                )
                lin.set(key, best[1])
                base = best[0]
                changed += 1
        if not changed:
            break
    print(f"# dev macro-F1 after these changes: {base[0]:.4f}")


if __name__ == "__main__":
    main()
