"""Toponym recognition: find the stretches of text that name a place in the index.

Gazetteer matching over tokens (longest match first, capitalised start), then
rules that remove what is not a place: ordinary words that happen to be place
names ("Nice weather", German "das Essen"), person names ("Paris Hilton",
"Jordan Henderson"), organisations named after places ("Bank of England",
"Shanghaier Organisation"), and inflected forms are mapped back to the name
(German genitive "Chinas", declined "Vereinigten Staaten").  No I/O.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

from dashboard import cues
from dashboard.gazetteer.index import PlaceIndex
from dashboard.gazetteer.normalize import ELISION_RE, TOKEN_RE, strip_accents

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
DE_ARTICLES = {"der", "die", "das", "dem", "den", "des", "ein", "eine", "einem", "einen", "einer", "eines",
               "im", "zum", "zur", "beim", "vom", "ins", "am", "kein", "keine", "dieser", "diese", "dieses",
               "jeder", "jede", "unser", "unsere", "sein", "seine", "ihr", "ihre"}
LOCATIVE = {"in", "at", "near", "from", "to", "of", "outside", "across", "into", "toward", "towards",
            "aus", "nach", "bei", "von", "nahe", "um", "en", "à", "au", "aux", "de", "près", "vers", "desde",
            "hacia", "cerca", "entre", "durch", "über", "gegen"}
ROMANCE_LANGS = {"fr", "es", "it", "pt"}
ROMANCE_ARTICLES = {"le", "la", "les", "l'", "au", "aux", "el", "los", "las", "al", "il", "lo"}  # not "du": "l'Allemagne du Sud"
# Capitalised heads of organisations and titles that take "of <place>".
ORG_HEADS = {"bank", "university", "college", "institute", "museum", "duke", "duchess", "earl", "prince",
             "princess", "king", "queen", "archbishop", "bishop", "church", "school", "academy", "diocese",
             "count", "countess", "baron", "lord", "lady", "marquess", "viscount", "siege", "battle", "treaty",
             "universität", "université", "universidad", "banco", "banque"}
# Capitalised words that, right after a place name, make it part of an organisation's name.
ORG_TAILS = {"university", "fc", "united", "times", "post", "tribune", "herald", "journal", "gazette",
             "observer", "telegraph", "chronicle", "standard", "examiner", "courier", "daily", "news",
             "inquirer", "sentinel", "register", "bulletin", "democrat", "dispatch", "record", "star",
             "review", "magazine", "radio", "tv", "airlines", "airways", "stock", "exchange",
             "organisation", "organization", "zeitung", "rundschau", "allgemeine", "morgenpost",
             "express", "mirror", "guardian", "capitals", "rangers", "yankees", "giants", "lakers", "bulls",
             "raiders", "saints", "club", "corporation", "corp", "inc", "ltd", "gmbh", "ag", "bancorp"}
# Sports clubs are organisations named after places: their town is no map pin ("Real Madrid", "Inter
# Milan", "Borussia Dortmund", "Dallas Cowboys").  Words that open a club's name right before the town:
CLUB_PREFIXES = {"real", "atlético", "atletico", "athletic", "inter", "borussia", "bayern", "bayer", "eintracht",
                 "fortuna", "werder", "hertha", "arminia", "holstein", "union", "dynamo", "dinamo", "spartak",
                 "lokomotiv", "zenit", "shakhtar", "zorya", "olympique", "olympiacos", "panathinaikos", "sporting",
                 "racing", "stade", "rapid", "partizan", "hapoel", "maccabi", "beitar", "legia", "slavia", "sparta",
                 "feyenoord", "ajax", "hellas", "celta", "deportivo", "vitória", "vitoria", "girondins", "standard"}
# Club abbreviations, only as written ("AS Roma", "FC Porto", "VfB Stuttgart"; "As Paris burned" is no club).
CLUB_CODES = {"BM", "CB", "CP", "AC", "AS", "FC", "SC", "SV", "SS", "SSC", "RB", "CF", "CD", "UD", "RC", "SD", "OGC", "LOSC", "PSV",
              "CSKA", "VfB", "VfL", "TSG", "SL", "SK", "FK", "NK", "KV", "KRC", "AZ", "BSC", "HSV", "OSC"}
# ... and, before a full stop, abbreviated club words ("At. Madrid" for Atlético, "FC. Barcelona").
DOTTED_CLUB_CODES = CLUB_CODES | {"At", "Ath", "Dep"}
# Words that close a club's (or league's) name right after the town, besides ORG_TAILS ("Tottenham
# Hotspur", "Leeds United", "Boston Celtics", "Europa League").  Team nicknames that are also weather or everyday words (Heat, Magic,
# Thunder, Lightning, Senators after "US") are left out.
CLUB_TAILS = {"league", "hotspur", "wanderers", "rovers", "albion", "argyle", "alexandra", "orient", "villa", "sg", "cfc",
              "hsc", "calcio", "cowboys", "patriots", "eagles", "steelers", "packers", "49ers", "chiefs", "broncos",
              "seahawks", "ravens", "bengals", "browns", "texans", "colts", "jaguars", "titans", "dolphins", "bills",
              "jets", "chargers", "rams", "cardinals", "falcons", "panthers", "buccaneers", "bears", "lions",
              "vikings", "commanders", "knicks", "nets", "celtics", "76ers", "raptors", "warriors", "clippers",
              "suns", "mavericks", "rockets", "spurs", "grizzlies", "pelicans", "nuggets", "timberwolves",
              "blazers", "jazz", "pistons", "cavaliers", "pacers", "bucks", "hawks", "hornets", "wizards", "sox",
              "mets", "dodgers", "cubs", "astros", "braves", "phillies", "padres", "mariners", "orioles", "twins",
              "tigers", "royals", "brewers", "reds", "pirates", "marlins", "rockies", "diamondbacks",
              "blue", "maple", "canadiens", "bruins", "blackhawks", "penguins", "flyers", "oilers", "flames",
              "canucks", "islanders", "sabres", "predators", "stars", "kraken", "ducks", "sharks", "blues"}
# ORG_TAILS that name teams ("Rangers de New York", "Giants de San Francisco").
SPORTS_ORG_TAILS = frozenset({"capitals", "rangers", "yankees", "giants", "lakers", "bulls", "raiders", "saints"})
# "<town> City/Town" is a club for these English towns only ("Leicester City"; "Davao City" is the city).
CLUB_CITY_TOWNS = {"manchester", "leicester", "stoke", "norwich", "hull", "cardiff", "swansea", "bristol",
                   "coventry", "birmingham", "bradford", "exeter", "lincoln", "ipswich", "luton", "huddersfield",
                   "grimsby", "macclesfield", "mansfield", "shrewsbury", "northampton", "swindon", "cheltenham"}
# Words around a town that may make it a club's (a cheap test before the full one in _club).
CLUB_BEFORE = CLUB_PREFIXES | {c.casefold() for c in CLUB_CODES} | {"de", "di", "paris", "."}
CLUB_AFTER = CLUB_TAILS | {c.casefold() for c in CLUB_CODES} | {"city", "town", "saint", "sg"}
PERSON_TITLES = {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "sgt", "lt", "col", "gen", "capt", "det",
                 "officer", "judge", "president", "senator", "governor", "mayor", "minister", "pastor",
                 "rev", "coach", "herr", "frau", "präsident", "präsidentin", "kanzler", "kanzlerin", "m",
                 "mme", "monsieur", "madame", "président", "sr", "sra", "señor", "señora", "presidente"}
SPEECH_VERBS = {"said", "says", "told", "added", "asked", "explained", "wrote", "noted", "stated",
                "sagte", "erklärte", "dit", "déclaré", "dijo", "afirmó"}
# Capitalised words that may stand right before a place name without making it a person's name.
NAME_PREFIXES = {"north", "south", "east", "west", "central", "northern", "southern", "eastern", "western",
                 "greater", "downtown", "upstate", "metro", "new", "old", "lower", "upper", "in", "at",
                 "from", "near", "to", "of", "and", "or", "the", "a", "an", "for", "by", "on", "with"}
# Places named by an everyday noun, known as places only after an article or preposition:
# French/Spanish "réunion"/"reunión" is a meeting, the island is "la Réunion".
NEEDS_ARTICLE = {k: frozenset({"la", "l'", "à", "de", "en", "sur", "aux", "île", "isla", "of", "on", "in", "to",
                                "from", "the"}) for k in ("réunion", "reunión")}
# Months and weekdays are capitalised in English and name towns ("August", "March").
CALENDAR = set(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday "
    "januar februar märz mai juni juli oktober dezember montag dienstag mittwoch donnerstag freitag "
    "samstag sonntag janvier février mars avril juin juillet août septembre octobre novembre décembre "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
)
DE_LANG = "de"
# German prefixes that make a part of a place out of its name ("Ostukraine"), longest first;
# _match_at reports such a match with this value in its genitive slot.
COMPOUND = 2
COMPASS_DE = ("nordost", "nordwest", "südost", "südwest", "nord", "süd", "ost", "west", "zentral", "mittel")
# How much more frequent a name is as a word than its population explains (see _wordness).
WORD_AT_START = 0.5
WORD_MID = 1.0
WORD_IN_NAME = 0.3
DE_WORD = 1.0
# Languages whose own names for a country are told from other languages' ("Island" is Iceland
# in German text only).
FOREIGN_CHECK_LANGS = frozenset({"en", "de", "fr", "es", "it", "pt", "nl"})
# A big place's alternate name (not its own) this much more frequent as a word than the place's
# size explains is the word: German "Dabei" (Dubai), Dutch "Vele" (Belém), French "Seul" (Seoul).
BIG_ALT_WORD = 1.0
# Towns abroad smaller than this need support from another name in their country (see
# Recognizer._drop_unsupported_abroad).
ABROAD_POP = 100_000
LIST_WORDS = frozenset({",", "und", "oder", "and", "or", "et", "ou", "y", "e", "o", "en", "of"})
# Extra wordness allowed after "in", "of", "from"...: "in Columbia" is the town. Dev halves: 0-1.
LOCATIVE_CREDIT = 0.25
# A town is more frequent in its own language ("Lyon" in French, "Stuttgart" in German): this much
# Zipf credit, outside English (whose towns are often named with English words). SoNAR: 0-0.75.
HOME_BONUS = 0.5
# A capitalised word glued after a town name and rarer than this is a surname ("Elon Musk").
# Dev halves: 3.0-4.0 all within 0.001 F1.
SURNAME_ZIPF = 3.6
# Zipf of a language's commonest words (en "which", "from"; fi "jos"): never a town, however big.
FUNCTION_WORD = 6.0
# Below this population, a town named with everyday words needs a locative ("White House
# officials"). Dev halves: 0, 20k, 50k, 100k.
COMMON_WORDS_POP = 20_000
PERSON = "person"  # a strong person cue: a title before, a rare proper name glued after
PERSON_WEAK = "person?"  # a capitalised word before, a speech verb after
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


class Recognizer:
    """Find place-name spans in a text using a :class:`PlaceIndex`."""

    def __init__(self, index: PlaceIndex) -> None:
        self.index = index
        self._maxlen = index.first_token_lengths
        self._languages = {cc: frozenset(m.get("languages", "").split(",")) for cc, m in index.country_meta.items()}
        # multiword names of countries, regions and divisions that end in a lower-case word
        rows = index._rows  # noqa: SLF001
        # first words of seas', rivers', regions' and divisions' names written in lower case in their
        # language ("océan Atlantique", "mar Mediterráneo", "golfo del Messico", "bande de Gaza")
        self._lower_first = frozenset(
            n.split(" ", 1)[0].casefold() for i, labels in index._labels.items()  # noqa: SLF001
            if rows[i][2] in ("region", "admin1") for names in labels.values() for n in names
            if " " in n and n[:1].islower()) - {"the", "an", "a", "la", "le", "les", "el", "los", "las", "il", "lo", "de"}
        self._lower_names = frozenset(
            k for k, v in index._names.items()  # noqa: SLF001
            if " " in k and any(rows[c][2] in ("country", "region", "admin1", "continent")
                                for c in ((v,) if isinstance(v, int) else v)))

    def _sentence_start(self, toks: list[tuple[int, int, str]], i: int, text: str) -> bool:
        if i == 0:
            return True
        prev = toks[i - 1]
        if prev[2] in SENTENCE_END:
            return True
        return "\n" in text[prev[1]:toks[i][0]]

    def find(self, text: str, lang: str | None) -> list[Span]:
        toks = tokenize(text)
        n = len(toks)
        low = [t[2].casefold() for t in toks]
        index = self.index
        spans: list[Span] = []
        votes: Counter[str] = Counter()  # person cues minus place cues, per name
        if lang == "en":
            starts = [n for n, t in enumerate(toks) if t[2][0].isupper()]
        else:  # ... and the lower-case first words of curated names: "océan Atlantique", "golfo del Messico"
            lower_first = self._lower_first
            starts = [n for n, t in enumerate(toks) if t[2][0].isupper() or low[n] in lower_first]
        if lang != DE_LANG:  # (German genitives are looked for at every capitalised word)
            maxlen, abbrevs = self._maxlen, index.abbrevs
            if lang != "en":
                self._unaccent(starts, low)
            starts = [n for n in starts if low[n] in maxlen or toks[n][2] in abbrevs]
        ahead: dict[int, tuple[int, str, int] | None] = {}  # _match_at(i + 1), looked at already
        i = 0
        for i0 in starts:
            if i0 < i:
                continue  # inside the previous name
            i = i0
            s, e, tok = toks[i]
            found = ahead.pop(i) if i in ahead else self._match_at(i, toks, low, lang)
            if found is None:
                continue
            nxt_found = None
            if i + 1 < n and toks[i + 1][2][0].isupper() and (
                    lang == DE_LANG or low[i + 1] in self._maxlen or toks[i + 1][2] in index.abbrevs):
                nxt_found = ahead[i + 1] = self._match_at(i + 1, toks, low, lang)
            if nxt_found is not None and nxt_found[0] > found[0]:
                continue  # "La Côte d'Ivoire": the longer name starting one word later wins
            j, k, genitive = found
            if j - i == 1 and tok in index.abbrevs and k == tok:
                cands: tuple[int, ...] = (index.abbrevs[tok],)
            else:
                cands = index.lookup(k)
                if lang in FOREIGN_CHECK_LANGS and any(index.foreign_word(k, c, lang) for c in cands):
                    cands = tuple(c for c in cands if not index.foreign_word(k, c, lang))
                    if not cands:
                        continue
            span = Span(s, toks[j - 1][1], text[s:toks[j - 1][1]], k, cands, i, j, genitive=bool(genitive))
            if genitive == COMPOUND:
                # a compass compound is part of a country or region ("Ostukraine"; not "Ostfriesland":
                # Friesland is a Dutch province)
                span.candidates = tuple(c for c in cands if index.row(c)[2] in ("country", "region"))
                if not span.candidates:
                    continue
            elif genitive:
                # German genitive: countries, regions, divisions and big cities ("Chinas", "Kiews").
                span.candidates = tuple(c for c in cands if index.row(c)[2] in ("country", "region", "admin1")
                                        or index.row(c)[8] >= 100_000)
                if not span.candidates:
                    continue
            prev_is_place = bool(spans) and spans[-1].tok_end == i
            verdict = self._verdict(span, toks, low, text, lang, prev_is_place,
                                    spans[-1].tok_end if spans else -9)
            if verdict is True:
                spans.append(span)
                if i > 0 and low[i - 1] in LOCATIVE:
                    votes[k] -= 1
            else:
                if verdict in (PERSON, PERSON_WEAK):
                    votes[k] += 2 if verdict == PERSON else 1
                prev_span = spans[-1] if prev_is_place else None
                if (prev_span is not None and j - i == 1 and prev_span.tok_end - prev_span.tok_start == 1
                        and s - prev_span.end == 1):
                    spans.pop()  # "Paris Hilton": the first name goes with the rejected surname
            i = j
        if votes:
            # One sense per document: a name that looks like a person more often than it sits
            # after "in"/"at"/"from" ("Sheriff Clark", "Clark said", then "against Clark") is a
            # person throughout, unless it names a country or a big city.
            spans = [sp for sp in spans if votes.get(sp.key, 0) <= 0 or sp.big]
        spans = self._drop_glued_names(spans)
        if lang != "en" and spans:
            spans = self._drop_unsupported_abroad(spans, low, lang)
        self._mark_dateline(spans, toks, text)
        return spans

    def _drop_unsupported_abroad(self, spans: list[Span], low: list[str], lang: str | None) -> list[Span]:
        """A small town abroad named by one word with no "in"/"aus"/"à" before it needs support:
        another name in the text in its country.  Surnames are often such towns ("Gagarin",
        "Savage", "Baldwin"); a story about a town abroad names its country or region too.
        Outside English only (English news name small US and UK towns bare all the time)."""
        rows = self.index._rows  # noqa: SLF001 - hot path
        langs = self._languages
        drop = set()
        for n, sp in enumerate(spans):
            if sp.tok_end - sp.tok_start != 1 or sp.big or sp.role == "dateline":
                continue
            if sp.tok_start > 0 and low[sp.tok_start - 1] in LOCATIVE:
                continue
            if n and low[sp.tok_start - 1] in LIST_WORDS and spans[n - 1].tok_end == sp.tok_start - 1:
                continue  # "in Venedig und Cherson": a list after a place counts as after "in"
            cs = sp.candidates
            if any(rows[c][2] != "city" or rows[c][8] >= ABROAD_POP or lang in langs.get(rows[c][6], ()) for c in cs):
                continue
            ccs = {rows[c][6] for c in cs}
            if not any(m != n and ccs & {rows[c][6] for c in o.candidates} for m, o in enumerate(spans)):
                drop.add(n)
        return [sp for n, sp in enumerate(spans) if n not in drop] if drop else spans

    def _unaccent(self, starts: list[int], low: list[str]) -> None:
        """Read an accented capitalised word as its plain spelling when only that names a big
        place: Spanish "Shanghái", "Járkov", "Saná" for Shanghai, Kharkiv, Sanaa."""
        maxlen, index, rows = self._maxlen, self.index, self.index._rows  # noqa: SLF001 - hot path
        for n in starts:
            w = low[n]
            if w in maxlen or w.isascii():
                continue
            plain = strip_accents(w)
            if plain in maxlen and any(rows[c][2] in ("country", "region", "admin1") or rows[c][8] >= 100_000
                                       for c in index.lookup(plain)):
                low[n] = plain

    def _match_at(self, i: int, toks: list[tuple[int, int, str]], low: list[str],
                  lang: str | None) -> tuple[int, str, int] | None:
        """The longest name starting at token ``i``: (end token, key, 1 for a German genitive or
        :data:`COMPOUND` for a compass compound, else 0)."""
        names = self.index._names  # noqa: SLF001 - hot path
        n = len(toks)
        limit = self._maxlen.get(low[i], 0)
        tok = toks[i][2]
        german = lang == DE_LANG
        if limit or german:
            # Names never span a line break or a gap of more than one space.
            jmax, stop = i + 1, min(n, i + max(limit, 1))
            while jmax < stop and toks[jmax][0] - toks[jmax - 1][1] <= 1:
                jmax += 1
            for j in range(jmax, i, -1):
                if j - i > 1:
                    # The last word of a name is capitalised: "New York state" is "New York" ...
                    # but French and Spanish write a country's adjectives in lower case
                    # ("Arabie saoudite", "Émirats arabes unis", "Asie centrale").
                    if not _capitalised(toks[j - 1][2]):
                        if lang not in ROMANCE_LANGS:
                            continue
                        k = " ".join(low[i:j])
                        if k not in self._lower_names:
                            continue
                    else:
                        k = " ".join(low[i:j])
                else:
                    k = low[i]
                if k in names:
                    return j, k, False
                if german and k.endswith("s") and len(toks[j - 1][2]) > 4 and k[:-1] in names:
                    return j, k[:-1], True  # "Chinas", "Nordrhein-Westfalens"
        if german and not limit:
            # Compass compounds: "Ostukraine", "Nordsyriens", "Süddeutschland" are parts of the
            # country (or region) the rest names; like a genitive, only big places qualify.
            w = low[i]
            for pre in COMPASS_DE:
                if w.startswith(pre) and len(w) - len(pre) >= 4:
                    rest = w[len(pre):]
                    if rest in names:
                        return i + 1, rest, COMPOUND
                    if rest.endswith("s") and rest[:-1] in names:
                        return i + 1, rest[:-1], COMPOUND
                    break
        if tok in self.index.abbrevs:
            return i + 1, tok, False
        return None

    def _drop_glued_names(self, spans: list[Span]) -> list[Span]:
        """Two one-word place names glued by a space are a person's name ("Jordan Henderson",
        "Paris Hilton"), unless the second contains the first ("Paris Texas")."""
        drop: set[int] = set()
        for a in range(len(spans) - 1):
            sa, sb = spans[a], spans[a + 1]
            if sb.start - sa.end != 1 or sa.tok_end - sa.tok_start != 1 or sb.tok_end - sb.tok_start != 1:
                continue
            if any(self.index.contains(q, c) for q in sb.candidates for c in sa.candidates):
                continue
            drop.update((a, a + 1))
        return [sp for n, sp in enumerate(spans) if n not in drop] if drop else spans

    # --- filters -------------------------------------------------------------------

    @staticmethod
    def _club(span: Span, toks: list[tuple[int, int, str]], low: list[str], i: int, j: int, text: str) -> bool:
        """Whether the span is the town in a sports club's name ("Real Madrid", "Paris Saint-Germain").

        The words must be one space apart: a line break ends a name ("Union\nPretoria, 4. Juni").
        """
        if i > 0 and text[toks[i - 1][1]:toks[i][0]] == " ":
            prev_raw = toks[i - 1][2]
            if prev_raw in CLUB_CODES or (prev_raw[0].isupper() and low[i - 1] in CLUB_PREFIXES):
                return True
            if low[i - 1] in ("de", "di") and i >= 2 and low[i - 2] in CLUB_PREFIXES and toks[i - 2][2][0].isupper():
                return True  # "Olympique de Marseille", "Atlético de Madrid"
        if i > 1 and prev_raw_dot(toks, i) in DOTTED_CLUB_CODES:
            return True  # "FC. Barcelona", "BM. Granollers" (Spanish wire style)
        if j < len(toks) and text[toks[j - 1][1]:toks[j][0]] == " " and toks[j][2][0].isupper():
            nxt_low = low[j]
            if nxt_low in CLUB_TAILS or nxt_low in CLUB_CODES or toks[j][2] in CLUB_CODES:
                return True
            if nxt_low in ("city", "town") and span.surface.lower() in CLUB_CITY_TOWNS:
                return True
            if nxt_low == "saint" and span.surface.lower() == "paris" and j + 2 < len(toks) and low[j + 2] == "germain":
                return True
        # "Saint-Germain" of "Paris Saint-Germain"
        return span.surface.lower().startswith("saint") and i > 0 and low[i - 1] == "paris" and text[toks[i - 1][1]:toks[i][0]] == " "

    def _verdict(self, span: Span, toks: list[tuple[int, int, str]], low: list[str], text: str,
                 lang: str | None, prev_is_place: bool, prev_place_end: int = -9) -> bool | str:
        """True to keep the span, False to drop it, :data:`PERSON` when it names a person."""
        prev_is_place_before = prev_place_end == span.tok_start - 1
        index = self.index
        i, j = span.tok_start, span.tok_end
        surface = span.surface
        if len(surface) < 2:
            return False
        all_rows = index._rows  # noqa: SLF001 - hot path
        kinds = {all_rows[c][2] for c in span.candidates}
        big = big_kind = bool(kinds & {"country", "continent", "region"})
        prev = low[i - 1] if i > 0 else ""
        prev_raw = toks[i - 1][2] if i > 0 else ""
        nxt = toks[j][2] if j < len(toks) else ""
        nxt_low = low[j] if j < len(toks) else ""
        single = j - i == 1
        sent_start = self._sentence_start(toks, i, text)
        allcaps = len(surface) > 3 and surface.isupper()

        # Organisations: "Bank of England", "University of Georgia", "Chicago Tribune".
        if i >= 2 and prev in ("of", "de", "du", "del", "von") and low[i - 2] in ORG_HEADS and toks[i - 2][2][0].isupper():
            return False
        if i >= 3 and prev == "the" and low[i - 2] == "of" and low[i - 3] in ORG_HEADS:
            return False
        if nxt and nxt[0].isupper() and nxt_low in ORG_TAILS and toks[j][0] - toks[j - 1][1] == 1:
            return False
        if (prev in CLUB_BEFORE or nxt_low in CLUB_AFTER) and self._club(span, toks, low, i, j, text):
            return False
        if nxt_low in ("virus", "fever") and toks[j][0] - toks[j - 1][1] == 1:
            return False  # diseases named after places: "West Nile virus", "Lassa fever"
        if nxt_low == "crude" and not kinds & {"country", "admin1"}:
            return False  # "Brent crude", "Dubai crude": oil benchmarks

        if (lang != "en" and single and len(surface) == 3 and surface.isupper() and prev == "(" and nxt == ")"
                and i >= 2 and toks[i - 2][2][:1].isupper()):
            return False  # "Bob Bryan (USA)": a sports code in a results table, like "(ITA)", no place
        # Short upper-case words are acronyms ("SCO", "CCTV") unless listed as a country's abbreviation.
        if single and surface.isupper() and len(surface) <= 4 and surface not in index.abbrevs:
            dateline = (len(surface) >= 3 and nxt in DASHES
                        and (i == 0 or "\n" in text[toks[i - 1][1]:toks[i][0]]))  # "ROMA -", "OSLO:"
            if not dateline and (len(surface) < 3 or not kinds & {"country", "admin1"}):
                return False
        if not big:
            # A capital or a city of a million people is known by its own name even when it is also a word.
            big = any(index.is_capital(c) or (all_rows[c][2] == "city" and all_rows[c][8] >= 1_000_000)
                      for c in span.candidates)
        if (big and not big_kind and single and prev not in LOCATIVE and index.word_zipf(span.key, lang) >= FUNCTION_WORD
                and not any(index.is_capital(c) for c in span.candidates)):
            return False  # Finnish "Jos" ("if") opening a sentence is not Jos, Nigeria, million or not
        if (big and not big_kind and single and lang != "en" and index.word_zipf(span.key, lang) >= 4.0
                and all(index.primary_key(c) != span.key for c in span.candidates)
                and self._wordness(span, lang) >= BIG_ALT_WORD):
            return False
        span.big = big
        if (big_kind and single and sent_start and lang != "en" and index.word_zipf(span.key, lang) >= 4.5
                and all(c in index._features for c in span.candidates)):  # noqa: SLF001
            return False  # German "Seine Mutter": a river's name opening a sentence as a word
        if lang != "en":
            # Teams in results lines, clubs, organisations, events and people named after places
            # (see dashboard.cues): "Chile, 2 - Perú, 1", "el Barcelona", "Festival de Cannes".
            if cues.results_line(toks, i, j, text) or (not big_kind and cues.sports_code_after(toks, j)):
                return False
            head = -1 if big_kind or lang not in cues.OF_WORDS else cues.of_head(toks, low, i, lang)
            if head >= 0 and self._team_or_person_head(head, toks, low, text, lang):
                return False
            if cues.club_article(low, i, lang) and not kinds & {"country", "continent", "region", "admin1"}:
                return False
        if big and not big_kind and single and lang != "en" and cues.title_before(low, i, lang) \
                and not any(index.is_capital(c) for c in span.candidates):
            return PERSON  # "el alcalde Medina": a title names a person even when a big city bears the name
        if not big and single:
            # Titles and speech verbs mark a person: "President Obama", "Mr Jones", "Jones said".
            if prev in PERSON_TITLES or (prev == "." and i >= 2 and low[i - 2] in PERSON_TITLES) \
                    or (lang != "en" and cues.title_before(low, i, lang)):
                return PERSON
            if (nxt_low in SPEECH_VERBS or (lang != "en" and cues.speech_after(low, j))) and prev not in LOCATIVE:
                return PERSON_WEAK
            if lang == DE_LANG and cues.so_before(low, i):
                return PERSON_WEAK
        if (COMMON_WORDS_POP and not single and not big and prev not in LOCATIVE
                and not kinds & {"admin1", "admin2"}
                and max(index.row(c)[8] for c in span.candidates) < COMMON_WORDS_POP
                and all(index.word_zipf(w, lang) >= 4.0 for w in low[i:j] if w[0].isalpha())):
            # "White House officials", "the Old Town", "la Casa Blanca": a small town named with
            # everyday words needs "in", "from"...; "the Long Beach port" is the city.
            return False

        if lang == DE_LANG:
            # German capitalises nouns: a town name after an article is a noun ("das Essen").
            if prev in DE_ARTICLES and not big and not (
                    kinds == {"admin1"} and self._wordness(span, "de") < DE_WORD):
                return False  # but regions take articles: "im Gazastreifen", "auf der Krim", "in der Toskana"
            # "in Halle und Essen": a place in a list after a place counts as after "in".
            listed = prev in ("und", "oder", ",") and prev_is_place_before
            if single and self._wordness(span, "de") >= DE_WORD and not big and prev not in LOCATIVE \
                    and not listed:
                return False
            if (single and not big and prev_raw[:1].isupper() and prev_raw[:1].isalpha() and not sent_start
                    and toks[i][0] - toks[i - 1][1] == 1 and not prev_raw.isupper() and not prev_is_place
                    and prev not in NAME_PREFIXES and not cues.german_place_head(prev)
                    and index.word_zipf(prev, "en") >= 3.0 and index.word_zipf(prev, "en") >= index.word_zipf(prev, "de")):
                # "Michael Jackson", "Wayne Rooney": a capitalised word glued before a town, more
                # common in English than in German, is a first name, not a German noun ("Universität
                # Zürich", "Männerchor Küßnacht").  Only this mention goes (no vote).
                return False
            return True

        if single and span.key in CALENDAR:
            return False
        romance = lang in ROMANCE_LANGS
        if single and span.key in NEEDS_ARTICLE and lang in ("fr", "es") and prev not in NEEDS_ARTICLE[span.key]:
            return False  # "Réunion à Genève" is a meeting; "à la Réunion" the island
        wordness = self._wordness(span, lang) if single else -9.0
        if wordness >= WORD_AT_START and not big and (sent_start or allcaps):
            return False
        if wordness >= WORD_MID and not big and not (
                (prev in LOCATIVE or (romance and prev in ROMANCE_ARTICLES and kinds & {"admin1", "region"}))
                and wordness < WORD_MID + LOCATIVE_CREDIT):
            # ... but "in Columbia", "of Columbia" is the town though the word is frequent, and
            # French and Spanish name regions with an article: "le Québec", "la Catalogne"
            return False
        # An ordinary word inside a longer capitalised name is part of that name ("Metro Council",
        # "Parkway Drive", "Kansas City Emerald Society").
        if single and not big and wordness >= WORD_IN_NAME and (
                (nxt[:1].isupper() and nxt[:1].isalpha() and toks[j][0] - toks[j - 1][1] == 1)
                or (prev_raw[:1].isupper() and prev_raw[:1].isalpha() and not sent_start
                    and toks[i][0] - toks[i - 1][1] == 1 and prev not in LOCATIVE)):
            return False
        # Person names: a single place word glued to another proper name ("Paris Hilton", "Jordan Henderson").
        if single and nxt and nxt[0].isupper() and nxt[0].isalpha() and toks[j][0] - toks[j - 1][1] == 1 \
                and not nxt.isupper():
            # (two glued place names are handled by _drop_glued_names)
            if index.word_zipf(nxt_low, lang) < SURNAME_ZIPF and not index.has_key(nxt_low):
                return PERSON
        # Divisions are not famous by population alone: "Health Centre" is not the Centre region.
        famous = big_kind or any(index.is_capital(c) or (all_rows[c][2] == "city" and all_rows[c][8] >= 1_000_000)
                                 for c in span.candidates)
        if single and prev_raw and prev_raw[0].isupper() and prev_raw[0].isalpha() and not sent_start \
                and toks[i][0] - toks[i - 1][1] == 1 and not prev_raw.isupper() and not famous:
            # "Tom Jones", "Barack Obama": a capitalised word glued before a town name is a first name.
            # ... unless it is a function word opening the sentence ("À Marseille", "In Boston").
            if prev not in NAME_PREFIXES and prev not in LOCATIVE and not (romance and prev in ROMANCE_ARTICLES) \
                    and not prev_is_place:
                return PERSON_WEAK
        return True

    def _team_or_person_head(self, h: int, toks: list[tuple[int, int, str]], low: list[str], text: str,
                             lang: str | None) -> bool:
        """Is ``toks[h]``, the head of "<Head> de <Place>", a team's or a person's name?

        Teams: a club word ("Flyers de Philadelphie", "Lakers de Los Angeles"), or an English
        plural far more frequent in English than in the text's language ("Heat", "Kings").
        People: a rare capitalised word on its own ("Grégoire de Tours", "Diodore de Sicile").
        Institutions, venues and events keep their place: "Tribunale di Milano", "Ayuntamiento
        de Madrid", "Festival de Cannes" are pins where the story happens.
        """
        w, raw = low[h], toks[h][2]
        if w in CLUB_TAILS or w in SPORTS_ORG_TAILS:
            return True
        index = self.index
        z_en, z = index.word_zipf(w, "en"), index.word_zipf(w, lang)
        if raw.endswith("s") and z_en >= 2.5 and z_en - z >= 1.0:
            return True
        if raw.isupper() or len(raw) < 3 or index.has_key(w) or z >= 3.5:
            return False
        if low[h] in cues.OF_ADVERBS:
            return False
        # a capitalised word before the head ("Acme Motori di Torino") makes a firm's name, unless
        # it only opens the sentence ("Selon Diodore de Sicile")
        before = toks[h - 1][2] if h > 0 and not self._sentence_start(toks, h, text) else ""
        return not (before[:1].isupper() and before[:1].isalpha() and not self._sentence_start(toks, h - 1, text))

    def _wordness(self, span: Span, lang: str | None) -> float:
        """How much more often the name occurs as a word than its places' size explains.

        Word frequencies count place uses too ("atlanta" is frequent because of Atlanta), so a
        frequency is only suspicious beyond what a place of that population earns: "Reading"
        (a town of 200,000) and "Nice" are far more frequent than their towns explain; "Atlanta",
        "Charleston" or "Peking" are not.
        """
        all_rows = self.index._rows  # noqa: SLF001 - hot path
        pop = max((all_rows[c][8] for c in span.candidates), default=0)
        home = HOME_BONUS if lang and lang != "en" and any(
            lang in self._languages.get(all_rows[c][6], ()) for c in span.candidates) else 0.0
        return self.index.word_zipf(span.key, lang) - (1.0 + home + 0.5 * math.log10(pop + 1))

    def _mark_dateline(self, spans: list[Span], toks: list[tuple[int, int, str]], text: str) -> None:
        """An upper-case place at the start of the text or a line, followed by ":", "," or a dash;
        or a place alone on a line before the text (Dutch and Belgian papers: "Brussel")."""
        for sp in spans[:3]:
            line_start = text.rfind("\n", 0, sp.start) + 1
            before = text[line_start:sp.start].strip()
            if before and not before.isupper():
                continue
            line_end = text.find("\n", sp.end)
            if not before and not text[sp.end:line_end if line_end >= 0 else len(text)].strip() and line_end >= 0:
                sp.role = "dateline"  # a place alone on the first line: Dutch and Belgian "Brussel"
                break
            if not (sp.surface.isupper() and len(sp.surface) > 1):
                continue
            after = toks[sp.tok_end][2] if sp.tok_end < len(toks) else ""
            if after in DASHES:
                sp.role = "dateline"
                break
