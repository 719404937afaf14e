"""The recognizer: gazetteer matching over tokens (longest match first, capitalised start), then
document-level passes (one sense per name, glued names, small towns abroad, datelines)."""

from __future__ import annotations

from collections import Counter

from dashboard.gazetteer.index import PlaceIndex
from dashboard.gazetteer.normalize import strip_accents
from dashboard.recognize import germanic, romance
from dashboard.recognize.filters import Filters
from dashboard.recognize.tokens import DASHES, Span, _capitalised, tokenize
from dashboard.recognize.words import (
    ABROAD_POP,
    COMPASS_DE,
    COMPOUND,
    DE_LANG,
    FOREIGN_CHECK_LANGS,
    LIST_WORDS,
    LOCATIVE,
    PERSON,
    PERSON_WEAK,
    ROMANCE_LANGS,
)


class Recognizer(Filters):
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

    def find(self, text: str, lang: str | None) -> list[Span]:
        toks = tokenize(text)
        n = len(toks)
        low = [t[2].casefold() for t in toks]
        index = self.index
        spans: list[Span] = []
        votes: Counter[str] = Counter()  # person cues minus place cues, per name
        surnames: set[str] = set()  # big cities read as a surname after a first name (Romance)
        if lang == "en":
            starts = [n for n, t in enumerate(toks) if t[2][0].isupper()]
        else:  # ... and the lower-case first words of curated names: "océan Atlantique", "golfo del Messico"
            lower_first = self._lower_first
            starts = [n for n, t in enumerate(toks) if t[2][0].isupper() or low[n] in lower_first]
        if lang != DE_LANG:  # (German genitives are looked for at every capitalised word)
            maxlen, abbrevs = self._maxlen, index.abbrevs
            romance.title_case_abbrevs(toks, low, abbrevs, lang)  # "negli Usa"
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
            if nxt_found is not None and nxt_found[0] > found[0] and not (
                    found[0] == i + 1 and romance.stays_before_name(index, found[1], toks, low, i, lang)):
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
                if verdict in (PERSON, PERSON_WEAK, romance.SURNAME):
                    votes[k] += 1 if verdict == PERSON_WEAK else 2
                if verdict == romance.SURNAME:
                    surnames.add(k)
                prev_span = spans[-1] if prev_is_place else None
                if (prev_span is not None and j - i == 1 and prev_span.tok_end - prev_span.tok_start == 1
                        and s - prev_span.end == 1
                        and not romance.place_article_before(low, prev_span.tok_start, lang)):
                    spans.pop()  # "Paris Hilton": the first name goes with the rejected surname
            i = max(j, span.tok_end)  # a verdict may extend the span ("Brussel-Zuid")
        if votes:
            # One sense per document: a name that looks like a person more often than it sits
            # after "in"/"at"/"from" ("Sheriff Clark", "Clark said", then "against Clark") is a
            # person throughout, unless it names a country or a big city.
            spans = [sp for sp in spans if votes.get(sp.key, 0) <= 0 or (sp.big and sp.key not in surnames)]
        spans = self._drop_glued_names(spans, text, lang in germanic.LANGS)
        if lang != "en" and spans:
            spans = self._drop_unsupported_abroad(spans, low, lang)
        self._mark_dateline(spans, toks, text)
        return spans

    def _drop_unsupported_abroad(self, spans: list[Span], low: list[str], lang: str | None) -> list[Span]:
        """A small town abroad named by one word with no "in"/"aus"/"à" before it needs support:
        another name in the text in its country (a second mention of the same name is none).  Surnames are often such towns ("Gagarin",
        "Savage", "Baldwin"); a story about a town abroad names its country or region too.
        Outside English only (English news name small US and UK towns bare all the time)."""
        rows = self.index._rows  # noqa: SLF001 - hot path
        langs = self._languages
        drop = set()
        for n, sp in enumerate(spans):
            if sp.tok_end - sp.tok_start != 1 or sp.big or sp.role == "dateline":
                continue
            if (sp.tok_start > 0 and low[sp.tok_start - 1] in LOCATIVE) or sp.cued:
                continue
            if n and low[sp.tok_start - 1] in LIST_WORDS and spans[n - 1].tok_end == sp.tok_start - 1:
                continue  # "in Venedig und Cherson": a list after a place counts as after "in"
            cs = sp.candidates
            # a name that is also an everyday word of the text needs support up to a million ("Metro")
            pop = ABROAD_POP if self.index.word_zipf(sp.key, lang) < 4.0 else 1_000_000
            if any(rows[c][2] != "city" or rows[c][8] >= pop or lang in langs.get(rows[c][6], ()) for c in cs):
                continue
            ccs = {rows[c][6] for c in cs}
            if not any(o.key != sp.key and ccs & {rows[c][6] for c in o.candidates} for o in spans):  # not itself twice
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
                if german and k.endswith("en") and j - i == 1 and k[:-1] in names and i and low[i - 1] == "den":
                    return j, k[:-1], True  # dative plural: "in den Niederlanden"
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

    def _drop_glued_names(self, spans: list[Span], text: str = "", route: bool = False) -> list[Span]:
        """Two one-word place names glued by a space are a person's name ("Jordan Henderson",
        "Paris Hilton"), unless the second contains the first ("Paris Texas")."""
        drop: set[int] = set()
        for a in range(len(spans) - 1):
            sa, sb = spans[a], spans[a + 1]
            if sb.start - sa.end != 1 or sa.tok_end - sa.tok_start != 1 or sb.tok_end - sb.tok_start != 1 \
                    or (route and text[sa.end] == "-"):  # German and Dutch "Berlin-Hamburg" is a route
                continue
            if any(self.index.contains(q, c) for q in sb.candidates for c in sa.candidates):
                continue
            drop.update((a, a + 1))
        return [sp for n, sp in enumerate(spans) if n not in drop] if drop else spans

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
