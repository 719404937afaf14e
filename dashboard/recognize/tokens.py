"""Tokens for recognition: offsets, elisions ("l'Argentine"), OCR line-end hyphens, and the
:class:`Span` a recognised name becomes.  No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

from dashboard.gazetteer.normalize import ELISION_RE, TOKEN_RE

_QUOTES = {"’": "'", "‘": "'", "`": "'", "´": "'", "‐": "-", "‑": "-"}

_ELIDED = frozenset("l d j n s c m t qu jusqu lorsqu puisqu dell nell sell all dall sull".split())


def _has_elision(t: str) -> bool:
    """Does the text elide an article or preposition ("l'Argentine")?  Looks only at the
    apostrophes (a regex scan of every position cost 20 µs an article)."""
    i = t.find("'")
    while i > 0:
        s = i
        while s > 0 and i - s < 7 and t[s - 1].isalpha():
            s -= 1
        if (s == 0 or not t[s - 1].isalpha()) and t[s:i].lower() in _ELIDED and t[i + 1:i + 2].isalnum():
            return True
        i = t.find("'", i + 1)
    return False


SENTENCE_END = {".", "!", "?", ":", ";", '"', "“", "”", "„", "«", "»", "(", ")", "[", "]", "|", "•", "·"}
# Words after which a capitalised German noun is a common noun, not a town ("das Essen").
_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")  # tokens as split() separators, gaps between them
DASHES = {"—", "–", "-", ":", ",", "("}


def prev_raw_dot(toks: list[tuple[int, int, str]], i: int) -> str:
    """The word before a full stop right before token ``i``, all three glued ("FC." + "Barcelona")."""
    if toks[i - 1][2] == "." and toks[i][0] - toks[i - 1][1] <= 1 and toks[i - 1][0] == toks[i - 2][1]:
        return toks[i - 2][2]
    return ""


@dataclass(slots=True)
class Span:
    """A recognised place name before resolution."""

    start: int
    end: int
    surface: str
    key: str
    candidates: tuple[int, ...]
    tok_start: int
    tok_end: int
    role: str = "mention"
    genitive: bool = False
    big: bool = False
    cued: bool = False  # a word before it says it is a place ("im englischen Hatfield"): counts as "in"


def _capitalised(tok: str) -> bool:
    """Capitalised, or not a word at all; "d'Ivoire" and "l'Aquila" count as capitalised."""
    if not tok[0].isalpha() or tok[0].isupper():
        return True
    q = tok.find("'")
    return 0 < q < 3 and tok[q + 1:q + 2].isupper()


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Tokens with their character offsets in ``text`` (quotes unified, offsets unchanged).

    Words that OCR split at a line end with "¬" ("Frank¬\nreich") are joined again: the token
    spans both parts and reads "Frankreich".
    """
    t = text
    for a, b in _QUOTES.items():  # same-length swaps keep offsets; 80x faster than str.translate
        if a in t:
            t = t.replace(a, b)
    # split() keeps the tokens between the gaps; their offsets are running sums of the pieces'
    # lengths, all computed in C (10 % faster than reading each match's start and end)
    parts = _SPLIT_RE.split(t)
    ends = list(accumulate(map(len, parts)))
    toks = list(zip(ends[0:-1:2], ends[1::2], parts[1::2]))
    if _has_elision(t):
        split: list[tuple[int, int, str]] = []
        for s, e, w in toks:
            m = ELISION_RE.match(w) if "'" in w else None
            if m:
                split += [(s, s + m.end(), w[:m.end()]), (s + m.end(), e, w[m.end():])]
            else:
                split.append((s, e, w))
        toks = split
    if "¬" not in t:
        return toks
    out: list[tuple[int, int, str]] = []
    n = 0
    while n < len(toks):
        s, e, w = toks[n]
        while (n + 2 < len(toks) and toks[n + 1][2] == "¬" and toks[n + 1][0] == e
               and not t[toks[n + 1][1]:toks[n + 2][0]].strip() and toks[n + 2][2][0].isalpha()):
            e, w = toks[n + 2][1], w + toks[n + 2][2]
            n += 2
        out.append((s, e, w))
        n += 1
    return out
