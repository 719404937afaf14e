"""Recognition rules for the Romance languages (Spanish, Italian, French, Portuguese).

Why a module of its own: these rules read closed-class words of one language family
(articles, contracted prepositions, speech verbs, titles, sports words) around a name found
in the gazetteer, and the Germanic rules live elsewhere (:mod:`dashboard.recognize.germanic`);
the recogniser calls the few hooks below.  No place or person names: only grammar words.

What the rules decide (issue 11):

- A place after an article or a contracted preposition is no first name ("del Venezuela
  Hugo Chávez": Venezuela is the country, Hugo the first name).
"""

from __future__ import annotations

from dashboard.gazetteer.index import PlaceIndex
from dashboard.recognize.words import CLUB_PREFIXES

ROMANCE = frozenset({"es", "it", "fr", "pt"})
BIG_KINDS = frozenset({"country", "continent", "region"})

# Articles and contracted prepositions: a word after them is a noun, never a first name.
ARTICLE_OR_PREP = {
    "es": frozenset("el la los las del al de en desde hacia a".split()),
    "it": frozenset("il lo la l' i gli le del dello della dell' dei degli delle al allo alla all' nel nello nella "
                    "nell' dal dallo dalla dall' sul sulla sull' di a da in".split()),
    "fr": frozenset("le la l' les du des au aux de d' en à".split()),
    "pt": frozenset("o a os as do da dos das no na nos nas ao à de em".split()),
}


def place_article_before(low: list[str], i: int, lang: str | None) -> bool:
    """Is token ``i`` right after an article or a preposition of a Romance language?"""
    arts = ARTICLE_OR_PREP.get(lang or "")
    return arts is not None and i > 0 and low[i - 1] in arts


def stays_before_name(index: PlaceIndex, k: str, toks: list[tuple[int, int, str]], low: list[str], i: int,
                      lang: str | None) -> bool:
    """A country, region or capital named by one word after an article or preposition stays
    when a longer name starts right after it: "del Venezuela Hugo Chávez", "a Beirut Il
    coprifuoco" (the next words are a first name or the next sentence).  Smaller places give
    way as before: "à Brandon Lee", "al Portland San Antonio" are a person and a club.  Not a
    club's first word ("le Bayern Munich") nor a headline in capitals ("EN IBIZA Madrid")."""
    if not place_article_before(low, i, lang) or low[i] in CLUB_PREFIXES or toks[i][2].isupper():
        return False
    rows = index._rows  # noqa: SLF001 - hot path
    return any(rows[c][2] in BIG_KINDS or index.is_capital(c) for c in index.lookup(k))
