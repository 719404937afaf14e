"""The rules that decide whether a gazetteer match is a place: organisations, clubs, teams,
people, ordinary words (see :meth:`Filters._verdict`).  Mixed into
:class:`dashboard.recognize.Recognizer`, which supplies ``index`` and ``_languages``."""

from __future__ import annotations

import math

from dashboard import cues
from dashboard.gazetteer.index import PlaceIndex
from dashboard.recognize import germanic
from dashboard.recognize import romance as romance_rules
from dashboard.recognize.tokens import DASHES, SENTENCE_END, Span, prev_raw_dot
from dashboard.recognize.words import (
    BIG_ALT_WORD,
    CALENDAR,
    CLUB_AFTER,
    CLUB_BEFORE,
    CLUB_CITY_TOWNS,
    CLUB_CODES,
    CLUB_PREFIXES,
    CLUB_TAILS,
    COMMON_WORDS_POP,
    DE_ARTICLES,
    DE_LANG,
    DE_WORD,
    DOTTED_CLUB_CODES,
    FUNCTION_WORD,
    HOME_BONUS,
    LOCATIVE,
    LOCATIVE_CREDIT,
    NAME_PREFIXES,
    NEEDS_ARTICLE,
    ORG_HEADS,
    ORG_TAILS,
    PERSON,
    PERSON_TITLES,
    PERSON_WEAK,
    ROMANCE_ARTICLES,
    ROMANCE_LANGS,
    SPEECH_VERBS,
    SPORTS_ORG_TAILS,
    SURNAME_ZIPF,
    WORD_AT_START,
    WORD_IN_NAME,
    WORD_MID,
)

_NOT_FIRST_NAMES = frozenset(NAME_PREFIXES) | frozenset(ROMANCE_ARTICLES) | frozenset(LOCATIVE) | frozenset(CLUB_PREFIXES)


class Filters:
    """Verdicts on one candidate span in its context."""

    index: PlaceIndex
    _languages: dict[str, frozenset[str]]

    def _sentence_start(self, toks: list[tuple[int, int, str]], i: int, text: str) -> bool:
        if i == 0:
            return True
        prev = toks[i - 1]
        if prev[2] in SENTENCE_END:
            return True
        return "\n" in text[prev[1]:toks[i][0]]

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
        if lang in germanic.LANGS:  # compounds and cues of German and Dutch (see that module)
            v = germanic.verdict(index, span, toks, low, text, lang)
            if v is not None:
                return v

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
            big = any((index.is_capital(c) and (all_rows[c][8] >= germanic.CAPITAL_POP or lang not in germanic.LANGS))
                      or (all_rows[c][2] == "city" and all_rows[c][8] >= 1_000_000) for c in span.candidates)
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
            org = romance_rules.org_head(toks, low, i, lang)
            if org >= 0 and not self._sentence_start(toks, org, text):
                return False  # "Ayuntamiento de Sevilla", "Copa de Europa" (es, fr, pt; see romance)
            head = -1 if big_kind or lang not in cues.OF_WORDS else cues.of_head(toks, low, i, lang)
            if head >= 0 and self._team_or_person_head(head, toks, low, text, lang):
                return False
            if cues.club_article(low, i, lang) and not kinds & {"country", "continent", "region", "admin1"}:
                return False
            if lang in romance_rules.ROMANCE:
                why = romance_rules.team_or_person(index, kinds, span.candidates, span.key, toks, low, i, j, text,
                                                   prev_place_end)
                if why:
                    return PERSON if why == "person" else False
                if big and single and romance_rules.first_name_before(index, kinds, span.candidates, toks, low, i,
                                                                      text, lang, _NOT_FIRST_NAMES):
                    return romance_rules.SURNAME  # "Whitney Houston"
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
                and not nxt.isupper() and not (big and prev in LOCATIVE and lang == "nl"):  # "in Londen Swissair"
            # (two glued place names are handled by _drop_glued_names)
            if index.word_zipf(nxt_low, lang) < SURNAME_ZIPF and not index.has_key(nxt_low) \
                    and not (big_kind and romance_rules.place_article_before(low, i, lang)):
                return PERSON  # (but "del Venezuela Nicolás Maduro" names the country)
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
        if before.endswith("'") and h >= 2 and toks[h - 2][2][:1].isupper():
            return False  # "Corte d'Assise di Roma": the head is the tail of an institution's name
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
