"""Text -> resolved place mentions (recognition + resolution); no I/O.

Resolution decides which real place a recognised name means, in this order of
evidence: the place's importance (kind and population), a qualifier written
next to it ("Paris, Texas", "Córdoba, en Argentina"), words that ask for a kind
("Washington state", "the mayor of Boston"), the countries (and their
neighbours) and first-level divisions the rest of the article talks about, and
the dateline.  A town dwarfed by a namesake abroad counts only the article's
other towns as support, so a dateline or a country name cannot pull a world
city to it ("WASHINGTON -- talks in Geneva").  One sense per document: every
occurrence of a name gets the same place.

Usage::

    from dashboard.geoparse import geoparse
    result = geoparse("PEKING: Chinas Präsident ...", lang="de")
    [(m.surface, m.place.name) for m in result.mentions]
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter, defaultdict

from dashboard.gazetteer import PlaceIndex, load_index
from dashboard.langdetect import detect
from dashboard.models import Candidate, Focus, GeoparseResult, Mention
from dashboard.recognize import Recognizer, Span
from dashboard.recognize.romance import head_start

logger = logging.getLogger(__name__)

# Characters geoparsed per text: bounds the time one pathological input can take (about 1 s);
# places after it are not reported, and a warning says so.
MAX_TEXT = 2_000_000
QUALIFIER_GAP = {",", "(", "en", "in", "im", "au", "aux", "à"}
W_COUNTRY = 0.45
W_ADMIN1 = 0.35
W_QUALIFIER = 0.8
W_DATELINE = 0.15
W_PRIMARY_NAME = 0.12  # the place's own name, not one of its alternate (often historical) names
TEMPERATURE = 0.08
MAX_ALTERNATIVES = 3
MAX_CANDIDATES = 20
W_NEAR = 0.2
NEAR_KM = 100.0
W_COUNTRY_NAME = 0.4
W_STATE_NAME = 0.3
LOCAL_KINDS = {"city", "admin2"}
ITERATIONS = 2
# Bonus for the kind of place the neighbouring words ask for ("Washington state"): see _kind_cues.
W_KIND_CUE = 0.5
# A division whose chief town has this share of its population is known by the town:
# "Rio de Janeiro", "Salzburg", "Milano" (province) are the cities; "Quebec", "New York" the
# province and state.  (Division populations sum GeoNames towns, so shares run low.)
CHIEF_TOWN_SHARE = {"admin1": 0.3, "admin2": 0.15}
# A first-level division smaller than a same-named town in another country yields to it (Gaza).
BIGGER_TOWN_ABROAD = True
# Support from belief in the countries bordering a candidate's country ("Gaza" beside Israel).
# Dev halves: 0.1-0.2 best.
W_NEIGHBOUR = 0.15
# A town dwarfed by a namesake abroad (Geneva, Illinois: 21,000; Geneva: 183,000) draws country support
# only from other towns and counties of the article, not from the dateline or from country names:
# "WASHINGTON (AP) — U.S. negotiators will meet in Geneva" is in Switzerland, while towns and states
# around it still make it local (Geneva and Milan in an article about Kane County, Illinois).
FAMOUS_RATIO = 8.0
# Words next to a name that say which kind of place it is: "Washington state", "the state of
# Washington", "New York Governor" (a state or province); "the mayor of Boston", "Quebec city"
# (a town).  Only the word right before the name (after "of the") and right after it count.
_STATE_WORDS = frozenset(
    "state province governor gouverneur governador gobernador prefecture bundesstaat bundesstaats"
    " bundesstaates bundesland bundeslandes staat staats staates provinz région état etat estado"
    " provincia préfecture".split())
_CITY_WORDS = frozenset(
    "mayor city town bürgermeister oberbürgermeister stadt maire ville alcalde ciudad sindaco".split())
_STATE_AFTER = frozenset({"state", "State", "governor", "Governor", "province", "Province"})
_CITY_AFTER = frozenset({"city", "City", "mayor", "Mayor"})
_CUE_LINKS = frozenset("of the de du des la le von der del di".split())
_CUE_SPLIT = re.compile(r"[\s'’-]+")


class Geoparser:
    """Recognise and resolve place mentions; build once, call :meth:`parse` many times."""

    def __init__(self, index: PlaceIndex | None = None) -> None:
        self.index = index or load_index()
        self.recognizer = Recognizer(self.index)
        self._neighbours = {cc: frozenset(n for n in m.get("neighbours", "").split(",") if n)
                            for cc, m in self.index.country_meta.items()}

    def parse(self, text: str, lang: str | None = None) -> GeoparseResult:
        """Geoparse one text.  Empty or place-less text gives a result with no mentions."""
        if not isinstance(text, str):
            raise TypeError("text must be str")
        if not text.strip():
            return GeoparseResult(lang=lang or "und")
        work = text if len(text) <= MAX_TEXT else text[:MAX_TEXT]
        if work is not text:
            logger.warning("text of %d characters: only the first %d are geoparsed", len(text), MAX_TEXT)
        lang = (lang or detect(work)).lower()[:2]
        spans = self.recognizer.find(work, lang)
        if not spans:
            return GeoparseResult(lang=lang)
        resolved = self._resolve(spans, work, lang)
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

    def _resolve(self, spans: list[Span], text: str, lang: str = "en") -> list[Mention]:
        """Pick one place per name, letting names support each other.

        Each name starts with beliefs from its candidates' priors; then, a few times over,
        every candidate gains from the share of the *other* names' belief that lies in its
        country, and from belief in its first-level division (a state supports its towns,
        the towns support their state).  This is what makes "Georgia" the US state in an
        article about Gainesville and Athens, and the country in one about Tbilisi.
        """
        index = self.index
        all_rows = index._rows  # noqa: SLF001 - hot path
        foreign_text = lang != "en"
        counts: Counter[str] = Counter(sp.key for sp in spans)
        cands: dict[str, list[int]] = {}
        for sp in spans:
            if sp.key not in cands and sp.candidates:
                cands[sp.key] = sorted(set(sp.candidates), key=index.prior, reverse=True)[:MAX_CANDIDATES]

        quals = self._qualifiers(spans, text)
        cued = _kind_cues(spans, text, lang)
        base: dict[str, list[float]] = {}
        dwarfed: dict[str, list[bool]] = {}  # per name and candidate: a town dwarfed by a namesake abroad
        dateline_keys = {sp.key for sp in spans if sp.role == "dateline"}
        dateline_cc = {index.row(cands[k][0])[6] for k in dateline_keys if k in cands} - {""}
        qual_for: dict[str, list[list[int]]] = defaultdict(list)
        for a, q in quals.items():
            qual_for[spans[a].key].append(q)
        feats: dict[str, list[tuple[str, str, str]]] = {}
        for k, cs in cands.items():
            rows = [all_rows[c] for c in cs]
            feats[k] = [(r[2], r[6], f"{r[6]}.{r[7]}" if r[7] else "") for r in rows]
            if len(cs) == 1:
                base[k] = [1.0]  # nothing to decide: the score only sets the belief, which is 1
                continue
            own = [index.primary_key(c) == k for c in cs]
            kinds = {r[2] for r in rows}
            country_named = "country" in kinds and any(r[2] == "country" and o for r, o in zip(rows, own))
            towns = [r for r in rows if r[2] == "city"] if "city" in kinds else []
            states = [r for r, o in zip(rows, own) if r[2] == "admin1" and o] if towns else []
            state_ccs = {r[6] for r in states}
            state_pop = max((r[8] for r in states), default=0)
            # divisions of this name known by their chief town ("Rio de Janeiro"), and their areas
            # (by any of their names: German "Genf" is the city of Geneva as much as English "Geneva")
            chiefs: set[int] = set()
            if towns and len(kinds) > 1:
                biggest_town: dict[tuple[str, str], int] = {}  # per (country, admin1)
                for t in towns:
                    if t[8] > biggest_town.get((t[6], t[7]), -1):
                        biggest_town[(t[6], t[7])] = t[8]
                chiefs = {n for n, d in enumerate(rows) if d[2] in CHIEF_TOWN_SHARE
                          and biggest_town.get((d[6], d[7]), -1) >= CHIEF_TOWN_SHARE[d[2]] * d[8]}
            chief_areas = {rows[n][6:8] for n in chiefs}
            scores = []
            dk = _dwarfed(rows, towns)
            if dk is not None:
                dwarfed[k] = dk
            # outside English, a town's own name is no better than a bigger town's name in the text's
            # language: Spanish "Florencia" is Florence (380,000) before Florencia, Colombia (130,000)
            smaller = _dwarfed(rows, towns, 1.0) if foreign_text else None
            for n, (c, row) in enumerate(zip(cs, rows)):
                s = index.prior(c)
                if own[n] and not (smaller and smaller[n]):
                    s += W_PRIMARY_NAME
                if row[2] == "city" and country_named and not own[n]:
                    s -= W_COUNTRY_NAME  # "Mexico" is the country, not Mexico City's short name
                if (row[2] == "city" and states and row[8] < 1_000_000 and not index.is_capital(c)
                        and (row[6] in state_ccs or state_pop > row[8]) and row[6:8] not in chief_areas):
                    # "California" is the state, not the borough in Pennsylvania; "Ontario" the
                    # province, not the Californian city.
                    s -= W_STATE_NAME
                if n in chiefs:
                    s -= W_STATE_NAME  # "Barcelona", "Rio de Janeiro": the city, not the division named after it
                elif (BIGGER_TOWN_ABROAD and row[2] == "admin1" and own[n]
                      and any(t[6] != row[6] and t[8] > row[8] for t in towns)):
                    s -= W_STATE_NAME  # "Gaza": the city of 410,000, not Mozambique's province of 385,000
                if row[6] in dateline_cc and k not in dateline_keys and not (dk and dk[n]):
                    s += W_DATELINE
                if k in qual_for and not country_named and any(index.contains(q, c) for qs in qual_for[k] for q in qs):
                    s += W_QUALIFIER  # (a country's own name in a list, "Mexico, China, Japan", is no town)
                if row[2] in cued.get(k, ()):
                    s += W_KIND_CUE
                scores.append(s)
            base[k] = scores

        belief = {k: _softmax(base[k], 0.15) for k in cands}
        scored_by_key: dict[str, list[float]] = dict(base)
        ambiguous = [k for k, cs in cands.items() if len(cs) > 1]  # only these can change
        # Where dwarfed towns draw support from: per name, its candidates that are towns or counties
        # in a dwarfed town's country (not datelines, not dwarfed towns: they prop up no one).
        local_idx: dict[str, list[int]] = {}
        if dwarfed:
            dcc = {f[1] for k, dk in dwarfed.items() for f, small in zip(feats[k], dk) if small}
            for k in cands:
                if k not in dateline_keys:
                    dk = dwarfed.get(k)
                    idx = [n for n, (kind, cc, _a1) in enumerate(feats[k])
                           if cc in dcc and kind in LOCAL_KINDS and not (dk and dk[n])]
                    if idx:
                        local_idx[k] = idx
        for _ in range(ITERATIONS if ambiguous and len(cands) > 1 else 0):
            cmass: dict[str, float] = defaultdict(float)
            lmass: dict[str, float] = defaultdict(float)  # from towns and counties only, datelines aside
            amass: dict[str, float] = defaultdict(float)
            own_c: dict[str, dict[str, float]] = {}
            own_l: dict[str, dict[str, float]] = {}
            own_a: dict[str, dict[str, float]] = {}
            for k, bs in belief.items():
                w = counts[k]
                oc: dict[str, float] = defaultdict(float)
                oa: dict[str, float] = defaultdict(float)
                for (kind, cc, a1), b in zip(feats[k], bs):
                    if cc:
                        oc[cc] += w * b
                    if a1:
                        oa[a1] += (1.0 if kind == "admin1" else 0.5) * w * b
                for key_, v in oc.items():
                    cmass[key_] += v
                for key_, v in oa.items():
                    amass[key_] += v
                own_c[k], own_a[k] = oc, oa
                if k in local_idx:
                    ol: dict[str, float] = defaultdict(float)
                    fk = feats[k]
                    for n in local_idx[k]:
                        ol[fk[n][1]] += w * bs[n]
                    for key_, v in ol.items():
                        lmass[key_] += v
                    own_l[k] = ol
            total = sum(cmass.values())
            near = self._nearby_support(cands, belief, counts, set(ambiguous))
            neighbour_mass: dict[str, float] = {}  # belief in the countries bordering a country
            for k in ambiguous:
                oc, oa = own_c[k], own_a[k]
                rest = total - sum(oc.values())
                support: dict[str, float] = {}  # per country of this name's candidates, computed once
                if rest > 0.5:
                    for cc in {f[1] for f in feats[k] if f[1]}:
                        v = W_COUNTRY * (cmass.get(cc, 0.0) - oc.get(cc, 0.0))
                        nb = self._neighbours.get(cc)
                        if nb:
                            nm = neighbour_mass.get(cc)
                            if nm is None:
                                nm = neighbour_mass[cc] = sum(m for x, m in cmass.items() if x in nb)
                            if len(oc) > 1:
                                nm -= sum(m for x, m in oc.items() if x in nb)
                            v += W_NEIGHBOUR * nm
                        support[cc] = v / rest
                dk = dwarfed.get(k)
                local_support: dict[str, float] = {}  # for dwarfed towns: from the other towns only
                if dk is not None and rest > 0.5:
                    ol = own_l.get(k, {})
                    for cc in {f[1] for f, small in zip(feats[k], dk) if f[1] and small}:
                        local_support[cc] = W_COUNTRY * (lmass.get(cc, 0.0) - ol.get(cc, 0.0)) / rest
                out = []
                for s0, (_kind, cc, a1) in zip(base[k], feats[k]):
                    s = s0 + support.get(cc, 0.0)
                    if a1:
                        s += W_ADMIN1 * min(1.0, amass.get(a1, 0.0) - oa.get(a1, 0.0))
                    out.append(s)
                if dk is not None:  # dwarfed towns: support from the other towns instead
                    for n, small in enumerate(dk):
                        if small:
                            cc = feats[k][n][1]
                            out[n] += local_support.get(cc, 0.0) - support.get(cc, 0.0)
                for n, nearby in near.get(k, {}).items():
                    out[n] += W_NEAR * min(1.0, nearby)
                scored_by_key[k] = out
                belief[k] = _softmax(out, 0.15)

        mentions = []
        decided: dict[str, tuple[int, tuple[Candidate, ...], float]] = {}
        for k, cs in cands.items():
            order = sorted(range(len(cs)), key=lambda n: -scored_by_key[k][n])
            top = scored_by_key[k][order[0]]
            weights = [math.exp((scored_by_key[k][n] - top) / TEMPERATURE) for n in order[:6]]
            norm = sum(weights)
            alts = tuple(Candidate(index.place(cs[n]), w / norm)
                         for n, w in zip(order[1:1 + MAX_ALTERNATIVES], weights[1:]))
            decided[k] = (cs[order[0]], alts, weights[0] / norm)
        for sp in spans:
            if sp.key in decided:
                best, alts, conf = decided[sp.key]
                start = head_start(text, sp.start, lang)  # "provincia di Como", "île d'Yeu" (Romance)
                mentions.append(Mention(start, sp.end, text[start:sp.end], index.place(best), sp.role, conf, alts))
        return mentions

    def _nearby_support(self, cands: dict[str, list[int]], belief: dict[str, list[float]],
                        counts: Counter[str], targets: set[str]) -> dict[str, dict[int, float]]:
        """Belief of *other* names in places within :data:`NEAR_KM` of each local candidate.

        Towns in one story lie near each other: Rochester next to Delano and Hutchinson is the
        one in Minnesota.  Candidates are bucketed in a one-degree grid, so this stays linear.
        """
        index = self.index
        all_rows = index._rows  # noqa: SLF001 - hot path
        grid: dict[tuple[int, int], list[tuple[str, int, float, float, float]]] = defaultdict(list)
        for k, cs in cands.items():
            w = min(counts[k], 3)
            for n, (c, b) in enumerate(zip(cs, belief[k])):
                if b < 0.05:
                    continue
                row = all_rows[c]
                if row[2] in LOCAL_KINDS:
                    grid[(int(row[3] // 1), int(row[4] // 1))].append((k, n, row[3], row[4], w * b))
        if len(grid) < 2 and sum(len(v) for v in grid.values()) < 2:
            return {}
        out: dict[str, dict[int, float]] = defaultdict(dict)
        for (gy, gx), entries in grid.items():
            others = [e for dy in (-1, 0, 1) for dx in (-1, 0, 1) for e in grid.get((gy + dy, gx + dx), ())]
            for k, n, lat, lon, _ in entries:
                if k not in targets:
                    continue
                coslat = math.cos(math.radians(lat))
                support = 0.0
                for k2, _n2, lat2, lon2, wb in others:
                    if k2 == k:
                        continue
                    dy_km = (lat2 - lat) * 111.2
                    dx_km = (lon2 - lon) * 111.2 * coslat
                    if dy_km * dy_km + dx_km * dx_km < NEAR_KM * NEAR_KM:
                        support += wb
                if support:
                    out[k][n] = support
        return out

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


def _kind_cues(spans: list[Span], text: str, lang: str = "en") -> dict[str, set[str]]:
    """Kinds of place that the words around a name ask for ("Washington state" -> admin1).

    "State" followed by a capitalised word is a name ("Washington State University"), not a cue.  Names with one candidate are skipped: nothing to decide.
    French prepositions tell a town from a country or province: "à Québec" is the city,
    "au Québec" the province, "au Luxembourg" the country.
    """
    out: dict[str, set[str]] = {}
    for sp in spans:
        if len(sp.candidates) < 2:
            continue
        kinds: set[str] = set()
        if lang == "fr":
            m = _FR_PREPOSITION.search(text, max(0, sp.start - 5), sp.start)
            if m:
                kinds.update(("city",) if m.group(1).lower() == "à" else ("country", "admin1", "region"))
        before = _CUE_SPLIT.split(text[max(0, sp.start - 32):sp.start].lower())
        while before and (not before[-1] or before[-1] in _CUE_LINKS):
            before.pop()
        if before:
            if before[-1] in _STATE_WORDS:
                kinds.add("admin1")
            elif before[-1] in _CITY_WORDS:
                kinds.update(("city", "admin2"))
        after = text[sp.end:sp.end + 24].split(None, 2)
        if after:
            word = after[0].rstrip(".,;:")
            if word in _STATE_AFTER and not (word == "State" and len(after) > 1 and after[1][:1].isupper()):
                kinds.add("admin1")
            elif word in _CITY_AFTER:
                kinds.update(("city", "admin2"))
        if kinds:
            out.setdefault(sp.key, set()).update(kinds)
    return out


_FR_PREPOSITION = re.compile(r"(?:^|(?<=\s))(à|au|aux|en)\s+$", re.IGNORECASE)


def _dwarfed(rows: list[tuple], towns: list[tuple], ratio: float = FAMOUS_RATIO) -> list[bool] | None:
    """Per candidate, whether it is a town with a namesake abroad ``ratio`` times its size.

    ``None`` when no candidate is (the usual case): the caller then skips the extra bookkeeping.
    """
    biggest: dict[str, int] = {}
    for t in towns:
        if t[8] > biggest.get(t[6], -1):
            biggest[t[6]] = t[8]
    if len(biggest) < 2:
        return None
    (cc1, pop1), (_cc2, pop2) = sorted(biggest.items(), key=lambda kv: -kv[1])[:2]
    out = [row[2] == "city" and (pop1 if row[6] != cc1 else pop2) >= ratio * max(row[8], 1) for row in rows]
    return out if any(out) else None


def _softmax(scores: list[float], temperature: float) -> list[float]:
    top = max(scores)
    ws = [math.exp((s - top) / temperature) for s in scores]
    total = sum(ws)
    return [w / total for w in ws]


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
