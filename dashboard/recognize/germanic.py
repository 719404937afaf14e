"""German and Dutch rules: what around a found name makes it no place in those languages.

Why a module of its own: German and Dutch build words the Romance languages and English
do not.  A place name glued by a hyphen to a noun is a compound, the noun is what the text
talks about ("US-Präsident", "Afghanistan-Lösungen", "Kyoto-Preis", Dutch "Iran-affaire",
"Noord-Duitse"); GermEval calls these LOCpart and CoNLL MISC.  Such a first part works like
the adjective "amerikanisch" (no pin either), so it is no pin, with one exception: a compound
whose head is a conflict, issue or mission located at the place ("Afghanistan-Problem",
"Irak-Krieg", "Kosovo-Konflikt", Dutch "Irak-oorlog") says the story happens there, and keeps
its pin.
Called from :meth:`dashboard.recognize.filters.Filters._verdict` for ``de`` and ``nl`` only.
All words here are closed-class (prepositions, conjunctions, compass words): no place or
person names.  Tokens are ``(start, end, text)`` as made by :func:`dashboard.recognize.tokenize`.
"""

from __future__ import annotations

from dashboard.gazetteer.index import PlaceIndex
from dashboard.recognize.tokens import Span

Tok = tuple[int, int, str]

LANGS = frozenset({"de", "nl"})
_HYPHENS = frozenset({"-", "‐", "‑"})
# A hyphen followed by these is a suspended compound ("Gold-, Silber- und Bronzemedaillen",
# "Midden- en Oost-Europa"): the name is the first part of a compound too.
_SUSPENDED_AFTER = frozenset({",", "und", "oder", "bzw", "sowie", "en", "of", "tot"})
# Heads of compounds about something that happens at the place (see the module's docstring).
ISSUE_HEADS = ("problem", "frage", "konflikt", "krieg", "krise", "einsatz", "mission", "politik", "strategie",
               "konferenz", "gipfel", "kwestie", "conflict", "oorlog", "crisis", "beleid", "probleem", "missie",
               "conferentie")


def _glued(toks: list[Tok], a: int) -> bool:
    """Token ``a`` touches token ``a + 1``."""
    return toks[a][1] == toks[a + 1][0]


def compound(index: PlaceIndex, toks: list[Tok], low: list[str], i: int, j: int) -> bool:
    """Is the name ``toks[i:j]`` one part of a hyphenated compound ("US-Präsident",
    "Rhein-Sieg-Kreis", "Wright-Phillips", "Oost-Duitse")?

    Names written with a hyphen ("Baden-Württemberg", "Sint-Niklaas") are found whole before
    this is asked.  A compound of two place names ("Österreich-Ungarn", "Berlin-Hamburg") is
    not one: both parts stay places.
    """
    n = len(toks)
    if j + 1 < n and toks[j][2] in _HYPHENS and _glued(toks, j - 1):
        nxt = low[j + 1]
        if nxt in _SUSPENDED_AFTER:
            return True  # "Gold-, Silber-"
        if _glued(toks, j) and toks[j + 1][2][:1].isalpha() and not (
                toks[j + 1][2][:1].isupper() and index.has_key(nxt)) and not nxt.startswith(ISSUE_HEADS):
            return True
    if i >= 2 and toks[i - 1][2] in _HYPHENS and _glued(toks, i - 1) and _glued(toks, i - 2):
        prev = toks[i - 2][2]
        if prev[:1].isalpha() and not (prev[:1].isupper() and index.has_key(low[i - 2])):
            return True
    return False


def verdict(index: PlaceIndex, span: Span, toks: list[Tok], low: list[str], text: str,
            lang: str) -> bool | None:
    """False when German or Dutch grammar says the span is no place; None: no opinion."""
    if compound(index, toks, low, span.tok_start, span.tok_end):
        return False
    return None
