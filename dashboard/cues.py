"""Words around a place name, per language, that make it part of something else.

Why a module of its own: the recogniser (:mod:`dashboard.recognize`) finds names; these
tests decide from the neighbouring tokens whether a found name is a team in a results line
("Chile, 2 - Perú, 1"), a club after an article ("el Barcelona", "il Milan"), part of an
organisation's, event's or person's name ("Ayuntamiento de Madrid", "Festival de Cannes",
"Flyers de Philadelphie", "Grégoire de Tours", "Universiteit van Gent"), or a person's surname by a title or speech verb in the
text's language.  All closed-class words (prepositions, articles, titles, verbs of speaking):
no place or person names.  Tokens are ``(start, end, text)`` as made by
:func:`dashboard.recognize.tokenize`; ``low`` are their case-folded texts.
"""

from __future__ import annotations

import re

Tok = tuple[int, int, str]

# "<Head> de <Place>" is a name of its own in these languages when the head is capitalised.
OF_WORDS = {
    "fr": frozenset({"de", "du", "des", "d'"}),
    "es": frozenset({"de", "del"}),
    "it": frozenset({"di", "del", "della", "dello", "dei", "degli", "delle", "d'", "per"}),
    "pt": frozenset({"de", "do", "da", "dos", "das"}),
    "nl": frozenset({"van", "voor"}),
}
# An article between the preposition and the place: "Diamondbacks de l'Arizona", "Universidad de la Rioja".
OF_ARTICLES = frozenset({"la", "le", "l'", "les", "el", "los", "las", "il", "lo", "o", "a", "os", "as", "het", "de"})
# Heads that make "<Head> de <Place>" the place itself, or a part of it: administrative and
# geographic words ("Provincia de Buenos Aires", "République du Congo", "Golfe du Mexique"),
# compass words ("Nord de l'Italie").  Any other capitalised head makes a name ("Ayuntamiento de
# Madrid", "Festival de Cannes", "Flyers de Philadelphie", "Grégoire de Tours").
GEO_HEADS = frozenset("""
provincia región region comunidad estado departamento ciudad municipio distrito isla islas golfo mar lago
río rio valle sierra monte montes península costa bahía capital norte sur este oeste centro noroeste
noreste sudeste sureste suroeste reino república principado condado cantón área zona
province région département ville commune canton comté état île îles golfe mer lac vallée mont monts
baie côte nord sud est ouest centre république royaume principauté duché pays
regione comune città isola isole mare valle stato repubblica regno principato ducato contea distretto
prefettura penisola ovest
região cidade município ilha ilhas vale serra sul leste república reino
provincie stad gemeente regio eiland eilanden golf zee meer noord zuid oost koninkrijk republiek
graafschap hertogdom
""".split())
# Words that, opening a sentence, are no head: "Cerca de Madrid", "Près de Lyon", "Vicino di Roma".
OF_ADVERBS = frozenset("""
cerca lejos alrededor dentro fuera antes después además desde través partir pese
près loin autour hors lors auprès
vicino lontano fuori dentro prima dopo oltre intorno
perto longe fora depois além
buiten binnen dichtbij vlakbij
""".split())

# Articles that, in Spanish and Italian, stand before a club named after a town but not before the
# town ("el Barcelona ganó", "il Milan", "del Napoli"); regions and countries do take them
# ("el Perú", "il Lazio"), so only towns are read as clubs.
CLUB_ARTICLES = {"es": frozenset({"el", "del", "al", "un"}), "it": frozenset({"il", "del", "al", "dal", "col", "un"})}

# Titles and roles before a surname, per language ("Präsident", "burgemeester", "sindaco").
TITLES = frozenset("""
minister ministerin präsident präsidentin kanzler kanzlerin trainer stürmer torwart kapitän genosse
papst könig königin prinz prinzessin fürst graf bischof herr frau dr prof
premier president burgemeester voorzitter koning koningin prins prinses mevrouw meneer heer
signor signora sig presidente ministro sindaco papa don donna suor padre onorevole re regina principe
senhor senhora prefeito dom
doña alcalde rey reina príncipe general secretario portavoz entrenador técnico delantero portero jugador
président ministre maire roi reine général entraîneur attaquant
""".split())
# German compounds ending in a role are titles too ("Ölminister", "EU-Kommissarin", "Williams-Tester").
TITLE_SUFFIXES_DE = ("minister", "ministerin", "präsident", "präsidentin", "chef", "chefin", "sprecher",
                     "sprecherin", "trainer", "stürmer", "kommissar", "kommissarin", "kandidat", "kandidatin",
                     "spieler", "spielerin", "torwart", "tester", "fahrer", "fahrerin", "sänger", "sängerin",
                     "regisseur", "autor", "autorin", "schauspieler", "schauspielerin", "kanzler", "kanzlerin")
# Verbs of speaking right after a name, per language.
SPEECH_VERBS = frozenset("""
sagte sagt erklärte betonte meinte fügte warnte kritisierte forderte
zei zegt verklaarde meent vindt benadrukte
disse dice afferma dichiara spiega aggiunge
dijo afirmó declaró señaló explicó aseguró indicó manifestó añadió agregó dice
affirme déclare explique estime ajoute indique précise répond
afirmou declarou diz
""".split())
# German place heads: a capitalised noun before a town that does not make it a person's name.
PLACE_HEADS_DE = frozenset("""
stadt hauptstadt landeshauptstadt hansestadt kreisstadt metropole gemeinde kreis landkreis bezirk region
provinz staat bundesstaat bundesland land insel republik emirat königreich großraum raum partnerstadt
nachbarstadt nachbarland kanton ort dorf stadtteil ortsteil heimatstadt heimatort wahlheimat standort
flughafen hafen bahnhof hauptbahnhof
""".split())
PLACE_HEAD_SUFFIXES_DE = ("stadt", "land", "kreis", "gemeinde", "bezirk", "region", "provinz", "staat", "insel",
                          "metropole", "dorf", "ort")

_SCORE_RE = re.compile(r"\d\s*[-–:]\s*\d")
_DASH = frozenset({"-", "–", "—"})


def _line(text: str, pos: int) -> str:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return text[a:b if b >= 0 else len(text)]


def results_line(toks: list[Tok], i: int, j: int, text: str) -> bool:
    """Is the name ``toks[i:j]`` a team in a sports result ("Chile, 2 - Perú, 1", "31 -
    Granada (14+17)", "Betis - Sevilla 2:1")?  A number and a dash right before the name, a
    number and a dash right after it, or a spaced dash to another capitalised name on a line that
    holds a score.  Dates are no scores: "Hamburg, 12. Mai" has no dash."""
    n = len(toks)
    if i >= 2 and toks[i - 1][2] in _DASH and toks[i - 2][2].isdigit() and "\n" not in text[toks[i - 2][0]:toks[i][0]]:
        return True
    k = j + 1 if j < n and toks[j][2] == "," else j
    if k + 1 < n and toks[k][2].isdigit() and toks[k + 1][2] in _DASH and len(toks[k][2]) <= 3 \
            and "\n" not in text[toks[j - 1][1]:toks[k + 1][1]]:
        return True
    before = i >= 2 and toks[i - 1][2] in _DASH and toks[i - 2][2][:1].isupper() and toks[i - 1][0] > toks[i - 2][1]
    after = j + 1 < n and toks[j][2] in _DASH and toks[j + 1][2][:1].isupper() and toks[j][0] > toks[j - 1][1]
    return (before or after) and bool(_SCORE_RE.search(_line(text, toks[i][0])))


# News agencies, written in brackets after a dateline ("Madrid (EFE)"): not sports codes.
AGENCIES = frozenset({"AFP", "EFE", "DPA", "APA", "ANP", "ANSA", "SDA", "ATS", "KNA", "EPD", "AP", "UPI", "DDP",
                      "BELGA", "IPS", "TASS", "AGI", "LUSA", "ADN", "RTR", "AAP", "PAP", "CTK", "MTI"})


def sports_code_after(toks: list[Tok], j: int) -> bool:
    """"Dupont (FRA)", "Rossi (ITA)": a name before a bracketed three-letter country code is an
    athlete or team in a results table; the code itself is no place either (it is never indexed)."""
    return (j + 2 < len(toks) and toks[j][2] == "(" and toks[j + 2][2] == ")" and len(toks[j + 1][2]) == 3
            and toks[j + 1][2].isupper() and toks[j + 1][2].isalpha() and toks[j + 1][2] not in AGENCIES)


def of_head(toks: list[Tok], low: list[str], i: int, lang: str | None) -> int:
    """The head of "<Head> de <Place>" when the place at token ``i`` is the tail of a name of its
    own, else -1.  Heads are capitalised words that are not geographic (:data:`GEO_HEADS`):
    "Ayuntamiento de Madrid", "Festival de Cannes", "Flyers de Philadelphie", "Diodore de Sicile",
    "Universiteit van Gent", "Banca d'Italia".  The caller checks :data:`OF_ADVERBS` when the
    head opens a sentence ("Cerca de Madrid")."""
    preps = OF_WORDS.get(lang or "")
    if preps is None or i < 2:
        return -1
    p = i - 1
    if low[p] in OF_ARTICLES and p >= 2 and low[p - 1] in preps:
        p -= 1
    if low[p] not in preps:
        return -1
    h = p - 1
    head = toks[h][2]
    if not head[:1].isupper() or not head[:1].isalpha() or text_gap(toks, h, p) != 1 or low[h] in GEO_HEADS:
        return -1
    return h


def text_gap(toks: list[Tok], a: int, b: int) -> int:
    """Characters between token ``a`` and token ``b``."""
    return toks[b][0] - toks[a][1]


def club_article(low: list[str], i: int, lang: str | None) -> bool:
    """Spanish "el Barcelona", Italian "il Milan": an article no town takes, so a club."""
    arts = CLUB_ARTICLES.get(lang or "")
    return arts is not None and i > 0 and low[i - 1] in arts


def title_before(low: list[str], i: int, lang: str | None) -> bool:
    """A title or role right before the name, in the text's language ("Ölminister Ali")."""
    if i == 0:
        return False
    w = low[i - 1]
    if w in TITLES:
        return True
    return lang == "de" and len(w) > 8 and w.endswith(TITLE_SUFFIXES_DE)


def speech_after(low: list[str], j: int) -> bool:
    return j < len(low) and low[j] in SPEECH_VERBS


def so_before(low: list[str], i: int) -> bool:
    """German '..., so Barth.': the speaker after a quote."""
    return i >= 2 and low[i - 1] == "so" and low[i - 2] in (",", '"', "“", "”", "«", "»")


def german_place_head(w: str) -> bool:
    return w in PLACE_HEADS_DE or (len(w) > 6 and w.endswith(PLACE_HEAD_SUFFIXES_DE))
