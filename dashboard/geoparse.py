"""Text -> resolved place mentions (recognition + resolution); no I/O.

Resolution decides which real place a recognised name means, in this order of
evidence: the place's importance (kind and population), a qualifier written
next to it ("Paris, Texas", "Córdoba, en Argentina"), the countries and
first-level divisions the rest of the article talks about, and the dateline.
One sense per document: every occurrence of a name gets the same place.

Usage::

    from dashboard.geoparse import geoparse
    result = geoparse("PEKING: Chinas Präsident ...", lang="de")
    [(m.surface, m.place.name) for m in result.mentions]
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict

from dashboard.gazetteer import PlaceIndex, load_index
from dashboard.gazetteer.normalize import key as name_key
from dashboard.langdetect import detect
from dashboard.models import Candidate, Focus, GeoparseResult, Mention
from dashboard.recognize import Recognizer, Span

MAX_TEXT = 2_000_000  # characters; longer texts are cut (with a logged note by the caller)
QUALIFIER_GAP = {",", "(", "en", "in", "im", "au", "aux", "à"}
W_COUNTRY = 0.45
W_ADMIN1 = 0.35
W_QUALIFIER = 0.8
W_DATELINE = 0.15
W_PRIMARY_NAME = 0.12  # the place's own name, not one of its alternate (often historical) names
TEMPERATURE = 0.08
MAX_ALTERNATIVES = 3


class Geoparser:
    """Recognise and resolve place mentions; build once, call :meth:`parse` many times."""

    def __init__(self, index: PlaceIndex | None = None) -> None:
        self.index = index or load_index()
        self.recognizer = Recognizer(self.index)

    def parse(self, text: str, lang: str | None = None) -> GeoparseResult:
        """Geoparse one text.  Empty or place-less text gives a result with no mentions."""
        if not isinstance(text, str):
            raise TypeError("text must be str")
        if not text.strip():
            return GeoparseResult(lang=lang or "und")
        work = text if len(text) <= MAX_TEXT else text[:MAX_TEXT]
        lang = (lang or detect(work)).lower()[:2]
        spans = self.recognizer.find(work, lang)
        if not spans:
            return GeoparseResult(lang=lang)
        resolved = self._resolve(spans, work)
        mentions = tuple(resolved)
        return GeoparseResult(lang=lang, mentions=mentions, focus=self._focus(mentions))

    # --- resolution ----------------------------------------------------------------

    def _qualifiers(self, spans: list[Span], text: str) -> dict[int, list[int]]:
        """For span i, the candidate lists of spans that qualify it ("Paris, Texas")."""
        out: dict[int, list[int]] = {}
        for a, b in zip(range(len(spans)), range(1, len(spans))):
            sa, sb = spans[a], spans[b]
            gap = text[sa.end:sb.start].strip().lower()
            words = [w for w in gap.replace(",", " , ").replace("(", " ( ").split() if w]
            if not words or len(words) > 2 or any(w not in QUALIFIER_GAP for w in words):
                continue
            out[a] = list(sb.candidates)
        return out

    def _resolve(self, spans: list[Span], text: str) -> list[Mention]:
        index = self.index
        # Pass 1: each name's most important candidate gives the article's countries and divisions.
        first_best: dict[str, int] = {}
        for sp in spans:
            if sp.key not in first_best and sp.candidates:
                first_best[sp.key] = max(sp.candidates, key=index.prior)
        countries: Counter[str] = Counter()
        admin1s: Counter[str] = Counter()
        by_key_count: Counter[str] = Counter(sp.key for sp in spans)
        for k, c in first_best.items():
            row = index.row(c)
            w = by_key_count[k]
            if row[6]:
                countries[row[6]] += w
            if row[2] == "admin1":
                admin1s[f"{row[6]}.{row[7]}"] += w
            elif row[2] == "city" and row[7]:
                admin1s[f"{row[6]}.{row[7]}"] += 0.3 * w
        total = sum(countries.values())
        dateline_cc = next((index.row(first_best[sp.key])[6] for sp in spans
                            if sp.role == "dateline" and sp.key in first_best), "")

        quals = self._qualifiers(spans, text)
        qual_bonus: dict[str, dict[int, float]] = defaultdict(dict)
        for a, qcands in quals.items():
            sp = spans[a]
            for c in sp.candidates:
                if any(index.contains(q, c) for q in qcands):
                    qual_bonus[sp.key][c] = W_QUALIFIER

        decided: dict[str, tuple[int, list[tuple[int, float]]]] = {}
        for k in first_best:
            sp_cands = next(sp.candidates for sp in spans if sp.key == k)
            own = first_best[k]
            own_cc = index.row(own)[6]
            own_w = by_key_count[k] if own_cc else 0
            rest = total - own_w
            scored: list[tuple[int, float]] = []
            for c in sp_cands:
                row = index.row(c)
                s = index.prior(c)
                cc = row[6]
                if cc and rest > 0:
                    s += W_COUNTRY * (countries[cc] - (own_w if cc == own_cc else 0)) / rest
                if row[2] == "city" and row[7]:
                    a1 = admin1s.get(f"{cc}.{row[7]}", 0.0)
                    if row[2] == "city" and own == c:
                        a1 -= 0.3 * by_key_count[k]
                    if a1 > 0:
                        s += W_ADMIN1 * min(1.0, a1)
                if dateline_cc and cc == dateline_cc:
                    s += W_DATELINE
                s += qual_bonus.get(k, {}).get(c, 0.0)
                if name_key(row[1]) == k:
                    s += W_PRIMARY_NAME
                scored.append((c, s))
            scored.sort(key=lambda t: -t[1])
            decided[k] = (scored[0][0], scored)

        mentions = []
        for sp in spans:
            if sp.key not in decided:
                continue
            best, scored = decided[sp.key]
            top = scored[0][1]
            weights = [math.exp((s - top) / TEMPERATURE) for _, s in scored[:6]]
            norm = sum(weights)
            alts = tuple(Candidate(index.place(c), w / norm) for (c, _), w in
                         zip(scored[1:1 + MAX_ALTERNATIVES], weights[1:]))
            mentions.append(Mention(sp.start, sp.end, sp.surface, index.place(best), sp.role,
                                    weights[0] / norm, alts))
        return mentions

    def _focus(self, mentions: tuple[Mention, ...]) -> tuple[Focus, ...]:
        """Places the article is mainly about: frequent, in the dateline, or containing the others."""
        weight: dict[str, float] = defaultdict(float)
        count: Counter[str] = Counter()
        places = {}
        for m in mentions:
            p = m.place
            places[p.id] = p
            count[p.id] += 1
            weight[p.id] += (2.0 if m.role == "dateline" else 1.0) * (0.5 + 0.5 * m.score)
            if p.kind in ("city", "admin1") and p.country_code:
                country = self.index.country(p.country_code)
                if country is not None and country.id != p.id:
                    places.setdefault(country.id, country)
                    weight[country.id] += 0.4
        if not weight:
            return ()
        ranked = sorted(weight.items(), key=lambda t: -t[1])
        top = ranked[0][1]
        total = sum(weight.values())
        return tuple(Focus(places[pid], w / total, count[pid]) for pid, w in ranked[:5] if w >= 0.3 * top)


_DEFAULT: Geoparser | None = None
_LOCK = threading.Lock()


def default_geoparser() -> Geoparser:
    """A process-wide :class:`Geoparser` over the default index (built on first use)."""
    global _DEFAULT
    with _LOCK:
        if _DEFAULT is None:
            _DEFAULT = Geoparser()
        return _DEFAULT


def geoparse(text: str, lang: str | None = None) -> GeoparseResult:
    """Find and resolve every place ``text`` mentions, with the default index."""
    return default_geoparser().parse(text, lang=lang)
