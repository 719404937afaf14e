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

import re

from dashboard import cues
from dashboard.gazetteer.index import PlaceIndex
from dashboard.recognize.tokens import Span
from dashboard.recognize.words import DE_ARTICLES, LOCATIVE, PERSON, PERSON_WEAK, SURNAME_ZIPF

Tok = tuple[int, int, str]

LANGS = frozenset({"de", "nl"})
# A capital smaller than this is a small town for the person cues ("Morgan Stanley").
CAPITAL_POP = 50_000
_YEAR = re.compile(r"(19|20)\d\d")
_HYPHENS = frozenset({"-", "‐", "‑"})
# A hyphen followed by these is a suspended compound ("Gold-, Silber- und Bronzemedaillen",
# "Midden- en Oost-Europa"): the name is the first part of a compound too.
_SUSPENDED_AFTER = frozenset({",", "und", "oder", "bzw", "sowie", "en", "of", "tot"})
# Heads of compounds about something that happens at the place (see the module's docstring).
ISSUE_HEADS = ("problem", "frage", "konflikt", "krieg", "krise", "einsatz", "mission", "politik", "strategie",
               "konferenz", "gipfel", "kwestie", "conflict", "oorlog", "crisis", "beleid", "probleem", "missie",
               "conferentie")


_COMPASS_PARTS = frozenset({"noord", "zuid", "oost", "west", "nord", "süd", "ost", "sud"})


def _compass_part(toks: list[Tok], low: list[str], j: int) -> bool:
    """Is the name followed by a glued hyphen and a compass word that ends the word ("Brussel-Zuid")?"""
    return (j + 1 < len(toks) and toks[j][2] in _HYPHENS and _glued(toks, j - 1) and _glued(toks, j)
            and low[j + 1] in _COMPASS_PARTS and toks[j + 1][2][:1].isupper()
            and not (j + 2 < len(toks) and toks[j + 2][2] in _HYPHENS and _glued(toks, j + 1)))


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


# Family words and roles right before a name make it a person's, even a country's name
# ("seine Tochter Ireland", "zijn vrouw Hanna", "zijn idool Senna").
FAMILY = frozenset("""
tochter sohn vater mutter bruder schwester ehefrau ehemann gattin gatte witwe witwer enkel enkelin neffe
nichte onkel tante cousin cousine freundin freund kollege kollegin
dochter zoon vader moeder broer zus echtgenote echtgenoot weduwe kleinzoon kleindochter neef nicht oom
tante vrouw vriendin vriend collega idool leermeester ploegmaat
""".split())
# Verbs of speaking and reporting, right after a name ("Röttgen bestätigte") or before it
# after a quote (", erzählt Sullivan").
SPEECH = frozenset("""
sagte sagt erklärte erklärt betonte betont meinte meint fügte warnte warnt kritisierte kritisiert forderte
fordert bestätigte bestätigt berichtete berichtet erzählte erzählt schrieb schreibt antwortete antwortet
räumte kündigte lobte lobt glaubt glaubte hofft hoffte sprach spricht fragte fragt ergänzte ergänzt
zei zegt verklaarde verklaart meent vindt benadrukte benadrukt vertelde vertelt schreef schrijft
antwoordde antwoordt bevestigde bevestigt vroeg vraagt stelde stelt aldus
""".split())
# Words before a capitalised word that make it a noun, not a first name ("die Universität
# Zürich", "im Kanton Zug", "der alten Heimat Bochum").
_NOUN_BEFORE = DE_ARTICLES | {"des", "den", "dem", "de", "het", "een", "zijn", "haar", "hun", "ons", "onze",
                              "zwei", "drei", "vier", "fünf", "sechs", "zehn", "twee", "drie", "vijf", "zes", "tien"}
# Capitalised function words opening a sentence ("Ueber Münchenbuchsee", "Zwischen Gent"): no first names.
_FUNCTION = LOCATIVE | frozenset("""
ueber unter hinter vor neben zwischen seit ab bis an auf wie als und oder aber doch denn dass daß weil wenn ob
auch noch schon nur dann da so hier dort heute gestern morgen
onder achter voor naast tussen sinds tot op aan als en maar want dat omdat toen ook nog al pas dan daar hier
vandaag gisteren morgen
""".split())
_NOUN_SUFFIXES = ("ung", "heit", "keit", "schaft", "tät", "ion", "ium", "nis", "tum", "ling", "werk", "haus",
                  "amt", "chor", "verein", "verband", "gesetz", "zentrum", "gemeinde", "kreis", "raum", "ort",
                  "stadt", "land", "heid", "schap", "teit", "ing", "huis")


# Particles that open surnames and some town names ("Du Bois", "Van Dyck", "De Panne").
_PARTICLES = frozenset({"du", "de", "van", "von", "le", "la", "di", "da", "del", "der", "ten", "ter"})
_NEUTER_DE = frozenset({"im", "ins", "vom", "zum", "am", "dem", "des", "das"})
# Determiners of plurals ("mehrere Male", "die beiden Marken"): no town follows them.
_PLURAL_DET = frozenset({"mehrere", "viele", "einige", "beiden", "wenige", "zahlreiche", "manche", "etliche",
                         "zwei", "drei", "vier", "fünf", "zehn", "hundert", "tausend"})
_AGE_SUFFIXES = ("jährige", "jähriger", "jährigen", "jähriges", "jarige")


def _big(index: PlaceIndex, span: Span) -> bool:
    """A country, region, capital or city of a million: known by its name whatever stands near.
    Capitals of a few thousand people ("Stanley", "Hamilton" of Bermuda) are not famous."""
    for c in span.candidates:
        row = index.row(c)
        if row[2] in ("country", "continent", "region") or (index.is_capital(c) and row[8] >= CAPITAL_POP) or (
                row[2] == "city" and row[8] >= 1_000_000):
            return True
    return False


def _adjective(w: str) -> bool:
    """A lower-case inflected word ("alten", "heimischen", "beiden"): an adjective or determiner."""
    return w[:1].islower() and len(w) > 3 and w.endswith(("e", "en", "er", "es", "em"))


def _first_name_before(index: PlaceIndex, toks: list[Tok], low: list[str], i: int, lang: str) -> bool:
    """Is the capitalised word right before token ``i`` a first name ("Markus Söder", "Mit
    Renate Bassen", "Volker Dietz traf")?  German capitalises nouns too, so only a word that
    does not look like a noun counts: not after an article, determiner or adjective, not a
    frequent word, no noun suffix, not a place (heads such as "Kanton" are places' words)."""
    if i < 1 or toks[i][0] - toks[i - 1][1] != 1:
        return False
    raw, w = toks[i - 1][2], low[i - 1]
    if not (raw[:1].isupper() and raw[1:].islower() and len(raw) >= 3) or w in _FUNCTION:
        return False
    if index.word_zipf(w, lang) >= 4.6 or w.endswith(_NOUN_SUFFIXES) or index.has_key(w) or cues.german_place_head(w) \
            or cues.german_place_head(w[:-2] if w.endswith("es") else w[:-1] if w.endswith("s") else w):
        return False
    if i >= 2:
        pp = low[i - 2]
        if pp in _NOUN_BEFORE or _adjective(toks[i - 2][2]) or pp.isdigit() or pp == "-":  # "US-Bundesstaates"
            return False
    return True


def _person_after(toks: list[Tok], low: list[str], j: int) -> bool:
    """Cues right after a name that make it a person's: an age ("Caroline (29)"), an initial
    ("Nico G."), a speech verb ("Röttgen bestätigte"), a colon and a quote (an interview)."""
    n = len(toks)
    if j >= n or (j >= 2 and low[j - 2] in LOCATIVE):
        return False  # "die Polizei in Stralsund sagte", "in Weimar: „Der Barbier ..."
    t = toks[j][2]
    if t == "(" and j + 2 < n and toks[j + 1][2].isdigit() and len(toks[j + 1][2]) <= 2 and toks[j + 2][2] == ")":
        return True
    if len(t) == 1 and t.isupper() and j + 1 < n and toks[j + 1][2] == "." and toks[j + 1][0] == toks[j][1]:
        return True
    if low[j] in SPEECH:
        return True
    return t == ":" and j + 1 < n and toks[j + 1][2] in ('"', "„", "“", "»", "«")


def _surname_after(index: PlaceIndex, toks: list[Tok], low: list[str], j: int, lang: str) -> bool:
    """Is the capitalised word glued after a one-word name a surname ("Wayne Rooney", "Martin
    Stoll", "Nico Hülkenberg")?  German nouns are capitalised too, so only a word that is rare
    in the text's language (or commoner in English, where names like "Miller" are frequent) and
    does not look like a noun or a place counts ("Hamburg Hauptbahnhof", "Zürich Oerlikon").
    Not asked after "in", "bei"... ("bei Genf Atomkerne") nor of a genitive ("Bremens Guards")."""
    if j >= len(toks) or toks[j][0] - toks[j - 1][1] != 1:
        return False
    raw, w = toks[j][2], low[j]
    if not (raw[:1].isupper() and raw[1:].islower() and len(raw) >= 3) or w in _FUNCTION:
        return False
    if index.has_key(w) or w.endswith(_NOUN_SUFFIXES) or cues.german_place_head(w):
        return False
    z = index.word_zipf(w, lang)
    return z < SURNAME_ZIPF or index.word_zipf(w, "en") > z


def _age_before(toks: list[Tok], i: int) -> bool:
    """"die 17-jährige Caroline", Dutch "de 41-jarige Roy": an age before a name makes a person."""
    return i >= 1 and toks[i - 1][2].casefold().endswith(_AGE_SUFFIXES)


def _noun_after_adjective(index: PlaceIndex, toks: list[Tok], low: list[str], i: int) -> bool:
    """German "den heimischen Bergen", "der russische Hof", "mehrere Male", "24 englische Meilen":
    a frequent word after a determiner (and an inflected adjective) is a noun.  A town takes an
    adjective only after a neuter article ("im geteilten Berlin"); prepositions and verbs before
    a name ("über Berlin", "besetzten Leipzig") are no adjectives, so only a determiner counts."""
    if i < 1 or index.word_zipf(low[i], "de") < 4.0:
        return False
    if low[i - 1] in _PLURAL_DET:
        return True
    if i < 2 or not (toks[i - 1][2][:1].islower() and _adjective(toks[i - 1][2])):
        return False
    det = low[i - 2]
    return (det in DE_ARTICLES and det not in _NEUTER_DE) or det in _PLURAL_DET or det.replace(",", "").isdigit()


def _speech_before(low: list[str], i: int) -> bool:
    """", erzählt Sullivan": a verb of speaking after a quote or comma, then the speaker."""
    return i >= 2 and low[i - 1] in SPEECH and low[i - 2] in (",", '"', "“", "”", "„", "«", "»")


def place_adjective_before(toks: list[Tok], low: list[str], i: int, lang: str) -> bool:
    """A place's adjective between a neuter article and the name says it is a place: German
    "im englischen Hatfield", "aus dem aargauischen Riniken"; Dutch "het Canadese Gander",
    "het Oost-Duitse Eisenach".  Place names are neuter in both languages, people are not
    ("die Amerikanerin", Dutch "de Amerikaanse Savage")."""
    if i < 2:
        return False
    adj, art = toks[i - 1][2], low[i - 2]
    if lang == "de":
        return adj.islower() and adj.endswith("ischen") and art in _NEUTER_DE
    if not (adj[:1].isupper() and adj.endswith(("se", "sche"))):
        return False
    if art == "-" and i >= 4 and toks[i - 2][0] == toks[i - 3][1]:
        art = low[i - 4]  # "het Oost-Duitse Eisenach"
    return art == "het"


def verdict(index: PlaceIndex, span: Span, toks: list[Tok], low: list[str], text: str,
            lang: str) -> bool | str | None:
    """False when German or Dutch grammar says the span is no place, :data:`PERSON` or
    :data:`PERSON_WEAK` when the context says it is a person; None: no opinion."""
    i, j = span.tok_start, span.tok_end
    if (j + 1 < len(toks) and toks[j][2] in _HYPHENS and _glued(toks, j - 1) and _glued(toks, j)
            and index.has_key(span.key + low[j + 1]) and span.key + low[j + 1] != span.key):
        # "Gaza-Streifen": a name written with a hyphen that the index has closed up ("Gazastreifen")
        span.end, span.tok_end = toks[j + 1][1], j + 2
        span.surface = text[span.start:span.end]
        return True
    if _compass_part(toks, low, j):
        # "Brussel-Zuid", "Köln-Nord": a part of the town (a district, a station) is the town
        span.end, span.tok_end = toks[j + 1][1], j + 2
        span.surface = text[span.start:span.end]
        span.cued = True
        return True
    if compound(index, toks, low, i, j):
        return False
    if j - i == 1 and span.key in _COMPASS_PARTS:
        return False  # "Regionalliga Nord": a bare compass word is no place (no Haitian department)
    if j - i != 1 and not (j - i == 2 and low[i] in _PARTICLES and toks[i][2][:1].isupper()):
        return None  # ... but "Du Bois", "De Brasov" take a person's cues like one word
    if i > 0 and low[i - 1] in FAMILY:
        return PERSON
    if place_adjective_before(toks, low, i, lang):
        span.cued = True
        return True
    if j < len(toks) and _YEAR.fullmatch(toks[j][2]) and toks[j][0] - toks[j - 1][1] == 1 and not (
            i and low[i - 1] in LOCATIVE) and not any(index.row(c)[2] == "country" for c in span.candidates):
        return False  # an event named by its town and year: "Sydney 2000", "Brugge 2002" (not "USA 1959")
    if _age_before(toks, i):
        return PERSON
    if lang == "de" and not span.genitive and _noun_after_adjective(index, toks, low, i) and not any(
            index.row(c)[2] in ("country", "region", "continent") for c in span.candidates):
        return False
    big = _big(index, span)
    if big:
        return None
    if i and low[i - 1] == "sich" and all(index.row(c)[2] == "city" for c in span.candidates):
        return PERSON_WEAK  # "hatte sich Röttgen berufen": the subject of a reflexive verb
    if not span.genitive and not (i and low[i - 1] in LOCATIVE and low[i - 1] != "von") \
            and _surname_after(index, toks, low, j, lang):  # "ein Kopfball von Martin Stoll"
        return PERSON_WEAK if lang == "nl" else False
    if _person_after(toks, low, j) or (_speech_before(low, i) and not span.genitive):  # not "sagte Bremens Trainer"
        return PERSON_WEAK
    if _first_name_before(index, toks, low, i, lang):
        # Dutch writes nouns in lower case, so a capitalised word before a name is a first name
        # (a vote for the whole document); in German it may be a noun: only this mention goes.
        return PERSON_WEAK if lang == "nl" else False
    return None
