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

from dashboard import cues
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


# Languages whose news annotation (CoNLL-2002 Spanish, HAREM Portuguese) reads "<Head> de
# <Place>" under a capitalised head as one organisation's or event's name, with no place inside:
# "Junta de Andalucía", "Gobierno de EEUU", "Copa de Europa", "Câmara Municipal de Lisboa".
# Italian (KIND) and historical French (HIPE) mark the place ("Tribunale di [Milano]", "Journal
# de [Paris]"), modern French (WikiNEuRal) mostly does not: French and Italian keep the place,
# as the map does for an institution's town.
ORG_OF_LANGS = frozenset({"es", "pt"})
# Heads that make "<Head> de <Place>" a place of its own, besides :data:`cues.GEO_HEADS`
# ("Empire du Japon", "District de Kasaragod", "Colonie de Virginie").
PLACE_HEADS = frozenset("""
empire imperio império district colonie colonia territoire territorio território forêt selva bosque
floresta archipel archipiélago arquipélago vallée delta plaine llanura planície plateau meseta planalto
""".split())


def org_head(toks: list[tuple[int, int, str]], low: list[str], i: int, lang: str | None) -> int:
    """The head of the organisation's, event's or person's name whose tail is the place at
    token ``i`` ("Ayuntamiento de Sevilla", "Supercopa de España", "Festival de Cannes",
    "Grégoire de Tours"), else -1.  The head is a capitalised word that is no geographic word
    (:data:`cues.GEO_HEADS`: "provincia de Buenos Aires" is the place) nor an adverb ("Cerca de
    Lyon"); the caller checks that it does not open the sentence ("Salió de Madrid")."""
    if lang not in ORG_OF_LANGS:
        return -1
    h = cues.of_head(toks, low, i, lang)
    return h if h >= 0 and low[h] not in cues.OF_ADVERBS and low[h] not in PLACE_HEADS and not toks[h][2].isupper() else -1
