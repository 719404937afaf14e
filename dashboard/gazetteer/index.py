"""The loaded place index: name lookup, ranking priors, reverse lookup, regions.

The index file is a pickle written by :mod:`dashboard.gazetteer.build`; places
are kept as plain tuples and turned into :class:`~dashboard.models.Place`
objects only when asked for, so loading stays well under a second.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import pickle
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

from dashboard import config
from dashboard.errors import PlaceIndexError
from dashboard.gazetteer.build import build_index, is_stale, polygons_path
from dashboard.gazetteer.normalize import key as name_key
from dashboard.gazetteer.normalize import strip_accents
from dashboard.models import Candidate, Place

logger = logging.getLogger(__name__)

CAPITAL_BONUS = 0.2  # a capital is what its name means first (Washington, Ottawa)
KIND_ORDER = {"continent": 0, "region": 1, "country": 2, "admin1": 3, "admin2": 4, "city": 5}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


FEATURE_PRIOR = 0.9  # seas, mountain ranges, deserts (see data/regions.json)


class PlaceIndex:
    """Query the offline place index.  Build one with :func:`load_index`."""

    def __init__(self, payload: dict[str, Any], path: Path | None = None) -> None:
        self.path = path
        self.city_source: str = payload.get("city_source", "")
        self._rows: list[tuple[Any, ...]] = payload["places"]
        self._names: dict[str, int | tuple[int, ...]] = payload["names"]
        self._labels: dict[int, dict[str, list[str]]] = payload["labels"]
        self.abbrevs: dict[str, int] = payload["abbrevs"]
        self._common: dict[str, tuple[int, ...]] = payload["common"]
        self._freq_langs: tuple[str, ...] = tuple(payload["freq_langs"])
        self._bboxes: dict[int, tuple[float, float, float, float]] = payload["bboxes"]
        self._region_members: dict[str, tuple[str, ...]] = payload["region_members"]
        self.country_meta: dict[str, dict[str, str]] = payload["country_meta"]
        # first word of a name -> most words in a name starting with it (bounds the n-gram search)
        self.first_token_lengths: dict[str, int] = payload["first_token_lengths"]
        self._places: list[Place | None] = [None] * len(self._rows)
        self._priors: list[float | None] = [None] * len(self._rows)
        self._primary_keys: dict[int, str] = {}
        self._by_id = {row[0]: i for i, row in enumerate(self._rows)}
        self._country_idx = {row[6]: i for i, row in enumerate(self._rows) if row[2] == "country"}
        # (name key, country) -> the languages that call the country so ("island": Iceland in de, sv, ...)
        self._country_name_langs: dict[tuple[str, int], set[str]] = {}
        # ... and of seas, rivers, islands, mountains (French "Tage" is the Tagus, German "Tage" days)
        features = [i for i, row in enumerate(self._rows) if row[0].startswith(("water:", "land:"))]
        self._features = frozenset(features)
        for i in [*self._country_idx.values(), *features]:
            for lang, names in self._labels.get(i, {}).items():
                for n in names:
                    self._country_name_langs.setdefault((name_key(n), i), set()).add(lang)
        for k_i in payload.get("neutral_country_keys", ()):
            self._country_name_langs.setdefault(k_i, set()).add("")
        # Spellings that differ only by accents, spaces or hyphens are one name in every language
        # that writes either: French news write "Vietnam" as often as CLDR's "Viêt Nam".
        same: dict[tuple[str, int], set[str]] = {}
        for (k, i), langs in self._country_name_langs.items():
            same.setdefault((_squash(k), i), set()).update(langs)
        for (k, i), langs in self._country_name_langs.items():
            langs.update(same[(_squash(k), i)])
        self._admin1_idx = {f"{row[6]}.{row[7]}": i for i, row in enumerate(self._rows) if row[2] == "admin1"}
        self._capitals = self._find_capitals()
        self._grid: dict[tuple[int, int], list[int]] | None = None
        self._polygons: dict[str, Any] | None = None
        self._lock = threading.Lock()

    # --- loading --------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> PlaceIndex:
        try:
            with path.open("rb") as f:
                payload = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError) as err:
            raise PlaceIndexError(f"cannot read the place index {path}: {err}; run `python -m dashboard build-index`") from err
        return cls(payload, path)

    def _find_capitals(self) -> set[int]:
        """The most populous city of each country that bears its capital's name
        (the US has a dozen Washingtons; only one is the capital)."""
        best: dict[str, int] = {}
        wanted = {(cc, m.get("capital", "")) for cc, m in self.country_meta.items()}
        for i, row in enumerate(self._rows):
            if row[2] == "city" and (row[6], row[1]) in wanted:
                if row[6] not in best or row[8] > self._rows[best[row[6]]][8]:
                    best[row[6]] = i
        return set(best.values())

    # --- places -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def name_count(self) -> int:
        return len(self._names)

    def place(self, i: int) -> Place:
        p = self._places[i]
        if p is None:
            pid, name, kind, lat, lon, gid, cc, a1, pop = self._rows[i]
            p = Place(id=pid, name=name, kind=kind, lat=lat, lon=lon, geonameid=gid or None,
                      country_code=cc or None, admin1_code=a1 or None, population=pop,
                      importance=self.prior(i), bbox=self._bboxes.get(i))
            self._places[i] = p
        return p

    def primary_key(self, i: int) -> str:
        """The lookup key of the place's own name (memoised: asked for on every resolution)."""
        k = self._primary_keys.get(i)
        if k is None:
            k = self._primary_keys[i] = name_key(self._rows[i][1])
        return k

    def row(self, i: int) -> tuple[Any, ...]:
        return self._rows[i]

    def by_id(self, place_id: str) -> Place | None:
        i = self._by_id.get(place_id)
        return None if i is None else self.place(i)

    def index_of(self, place_id: str) -> int | None:
        return self._by_id.get(place_id)

    def country(self, cc: str) -> Place | None:
        i = self._country_idx.get(cc.upper())
        return None if i is None else self.place(i)

    def country_index(self, cc: str) -> int | None:
        return self._country_idx.get(cc)

    def admin1(self, cc: str, code: str) -> Place | None:
        i = self._admin1_idx.get(f"{cc}.{code}")
        return None if i is None else self.place(i)

    def admin1_index(self, cc: str, code: str) -> int | None:
        return self._admin1_idx.get(f"{cc}.{code}")

    def is_capital(self, i: int) -> bool:
        return i in self._capitals

    def labels(self, i: int) -> dict[str, list[str]]:
        return self._labels.get(i, {})

    def name_in(self, i: int, lang: str) -> str:
        names = self._labels.get(i, {}).get(lang)
        return names[0] if names else self._rows[i][1]

    # --- names ------------------------------------------------------------------------

    def lookup(self, k: str) -> tuple[int, ...]:
        """Place indices whose name has the token key ``k`` (see :func:`normalize.key`)."""
        v = self._names.get(k)
        if v is None:
            return ()
        return (v,) if isinstance(v, int) else v

    def has_key(self, k: str) -> bool:
        return k in self._names

    def word_zipf(self, k: str, lang: str | None) -> float:
        """How common ``k`` is as an ordinary word (Zipf scale, 0 when rare or unknown)."""
        z = self._common.get(k)
        if not z:
            return 0.0
        if lang in self._freq_langs:
            return z[self._freq_langs.index(lang)] / 10.0
        return max(z) / 10.0

    def foreign_word(self, k: str, i: int, lang: str | None) -> bool:
        """Is ``k`` another language's name of country (or natural feature) ``i`` and a common word of ``lang``?

        German "Island" (Iceland) in English text is "Rottnest Island"; French "Argentine" in
        English is an adjective.  Such a name only means the country in the languages that
        use it (or in untagged, language-neutral spellings).
        """
        if lang not in self._freq_langs or (self._rows[i][2] != "country" and i not in self._features) \
                or self.word_zipf(k, lang) < 3.5:
            return False
        langs = self._country_name_langs.get((k, i))
        return langs is not None and lang not in langs and "" not in langs

    def prior(self, i: int) -> float:
        """Importance of a place before any context, 0 to 1 (kind and population); computed once."""
        p = self._priors[i]
        if p is None:
            p = self._priors[i] = self._prior(i)
        return p

    def _prior(self, i: int) -> float:
        row = self._rows[i]
        kind, pop = row[2], row[8]
        lp = math.log10(pop + 1)
        if kind == "continent":
            return 0.95
        if kind == "country":
            return min(0.99, 0.72 + 0.03 * lp)
        if kind == "region":
            # Seas, straits, mountain ranges mostly have no country to draw support from, and a
            # town named after them ("Atlantic", Iowa; Hormoz, Iran; Andes, Colombia) would take
            # their name in any article that mentions its country: they start higher.
            return FEATURE_PRIOR if row[0].startswith(("water:", "land:")) else 0.75
        if kind == "admin1":
            return min(0.7, 0.25 + 0.04 * lp)
        if kind == "admin2":
            return min(0.6, 0.2 + 0.04 * lp)
        base = 0.065 * lp
        if i in self._capitals:
            base += CAPITAL_BONUS
        return min(0.75, base)

    # --- geocoding ----------------------------------------------------------------------

    def search(self, query: str, lang: str | None = None, country: str | None = None,
               limit: int = 10) -> list[Candidate]:
        """Ranked candidates for a free-text place name ("Paris", "Paris, Texas", "Kasachstan")."""
        query = query.strip()
        if not query:
            return []
        parts = [p.strip() for p in query.split(",") if p.strip()]
        head = parts[0]
        ids = set(self.lookup(name_key(head)))
        if head in self.abbrevs:
            ids.add(self.abbrevs[head])
        if not ids:
            return []
        qualifiers: list[set[int]] = [set(self.lookup(name_key(p))) for p in parts[1:]]
        scored: list[tuple[float, int]] = []
        for i in ids:
            row = self._rows[i]
            s = self.prior(i)
            if country and row[6] != country.upper():
                continue
            if lang and head in self._labels.get(i, {}).get(lang, ()):
                s += 0.15
            if head.lower() == row[1].lower():
                s += 0.05
            for q in qualifiers:
                if any(self._contains(qi, i) for qi in q):
                    s += 0.5
            scored.append((s, i))
        scored.sort(key=lambda t: (-t[0], KIND_ORDER[self._rows[t[1]][2]], t[1]))
        top = scored[0][0] if scored else 1.0
        return [Candidate(self.place(i), round(min(1.0, s / max(top, 1e-9)), 4)) for s, i in scored[:limit]]

    def _contains(self, outer: int, inner: int) -> bool:
        """Does place ``outer`` (country, admin1, region, continent) contain place ``inner``?"""
        o, n = self._rows[outer], self._rows[inner]
        if o[2] == "country":
            return n[6] == o[6] and n[2] in ("admin1", "admin2", "city")
        if o[2] == "admin1":
            return n[6] == o[6] and n[7] == o[7] and n[2] in ("admin2", "city")
        if o[2] in ("region", "continent"):
            return bool(n[6]) and n[6] in self._region_members.get(o[0], ())
        return False

    def contains(self, outer: int, inner: int) -> bool:
        return self._contains(outer, inner)

    # --- reverse -------------------------------------------------------------------------

    def _build_grid(self) -> dict[tuple[int, int], list[int]]:
        grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, row in enumerate(self._rows):
            if row[2] == "city":
                grid[(int(math.floor(row[3])), int(math.floor(row[4])))].append(i)
        return grid

    def nearest_city(self, lat: float, lon: float, max_km: float = 100.0,
                     country: str | None = None) -> tuple[Place, float] | None:
        with self._lock:
            if self._grid is None:
                self._grid = self._build_grid()
        best: tuple[float, int] | None = None
        cy, cx = int(math.floor(lat)), int(math.floor(lon))
        reach = max(1, int(max_km // 100) + 1)
        for dy in range(-reach, reach + 1):
            for dx in range(-reach, reach + 1):
                for i in self._grid.get((cy + dy, (cx + dx + 180) % 360 - 180), ()):
                    row = self._rows[i]
                    if country and row[6] != country:
                        continue
                    d = haversine_km(lat, lon, row[3], row[4])
                    if d <= max_km and (best is None or d < best[0]):
                        best = (d, i)
        return None if best is None else (self.place(best[1]), best[0])

    def country_at(self, lat: float, lon: float) -> Place | None:
        """The country whose polygon contains the point (countries without a polygon: nearest city's)."""
        for cc, geom in self.country_polygons().items():
            i = self._country_idx.get(cc)
            if i is None:
                continue
            bb = self._bboxes.get(i)
            if bb and not (bb[0] <= lat <= bb[2] and bb[1] <= lon <= bb[3]):
                continue
            if _point_in_geometry(lon, lat, geom):
                return self.place(i)
        return None

    def reverse(self, lat: float, lon: float) -> dict[str, Place | float | None]:
        """Country, first-level division and nearest city of a point."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return {"country": None, "admin1": None, "city": None, "distance_km": None}
        near = self.nearest_city(lat, lon)
        country = self.country_at(lat, lon)
        city, dist = (near if near else (None, None))
        if country is None and city is not None and city.country_code:
            country = self.country(city.country_code)
        admin1 = None
        # The division is that of the nearest settlement in the same country, looked for further out.
        near_a1 = near if near and (country is None or near[0].country_code == country.country_code) else (
            self.nearest_city(lat, lon, 400.0, country.country_code if country else None))
        if near_a1 and near_a1[0].country_code and near_a1[0].admin1_code:
            admin1 = self.admin1(near_a1[0].country_code, near_a1[0].admin1_code)
        return {"country": country, "admin1": admin1, "city": city, "distance_km": dist}

    # --- regions and shapes -----------------------------------------------------------------

    def country_polygons(self) -> dict[str, dict[str, Any]]:
        """ISO alpha-2 -> GeoJSON geometry (loaded on first use)."""
        if self._polygons is None:
            if self.path is None:
                self._polygons = {}
            else:
                with polygons_path(self.path).open(encoding="utf-8") as f:
                    self._polygons = json.load(f)
        return self._polygons

    def region_members(self, place_id: str) -> tuple[str, ...]:
        """ISO alpha-2 codes of the countries in a region or continent (empty for other places)."""
        return self._region_members.get(place_id, ())

    def regions(self) -> list[Place]:
        """Continents and regions made of countries, for filters (not seas or mountain ranges:
        they have no member countries to filter by)."""
        return [self.place(i) for i, row in enumerate(self._rows)
                if row[2] in ("continent", "region") and not row[0].startswith(("water:", "land:"))]

    def resolve_region(self, text: str) -> Place | None:
        """A continent or region made of countries, by id ("region:un-143") or by name in any
        language the index knows ("Central Asia", "Zentralasien", "central-asia"); ``None`` if none."""
        text = text.strip()
        regions = {p.id: p for p in self.regions()}
        if text in regions:
            return regions[text]
        for query in (text, text.replace("-", " ").replace("_", " ")):
            for cand in self.search(query, limit=50):
                if cand.place.id in regions:
                    return cand.place
        return None

    def countries(self) -> list[Place]:
        return [self.place(i) for i in self._country_idx.values()]


def _point_in_ring(x: float, y: float, ring: list[list[float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / ((yj - yi) or 1e-12) + xi:
            inside = not inside
        j = i
    return inside


def _point_in_geometry(x: float, y: float, geom: dict[str, Any]) -> bool:
    polys = geom.get("coordinates") or []
    if geom.get("type") == "Polygon":
        polys = [polys]
    for poly in polys:
        if poly and _point_in_ring(x, y, poly[0]) and not any(_point_in_ring(x, y, h) for h in poly[1:]):
            return True
    return False


_DEFAULT: PlaceIndex | None = None
_DEFAULT_LOCK = threading.Lock()


def ensure_index(path: Path | None = None, rebuild: bool = False) -> Path:
    """Build the index at ``path`` when it is missing or stale; return the path."""
    path = path or config.index_path()
    if not rebuild and is_stale(path) is None:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # One builder at a time across processes (tests, the app and the CLI may start together).
    with open(path.with_name(".build.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        reason = "requested" if rebuild else is_stale(path)
        if reason:
            logger.warning("building the place index (%s): %s", reason, path)
            build_index(path)
    return path


def load_index(path: Path | None = None) -> PlaceIndex:
    """The process-wide default index, built on first use when missing or stale."""
    global _DEFAULT
    if path is not None:
        return PlaceIndex.load(ensure_index(path))
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = PlaceIndex.load(ensure_index())
        return _DEFAULT


def _squash(k: str) -> str:
    """A name key without accents, spaces and hyphens: "viêt nam" and "vietnam" are one spelling."""
    return strip_accents(k).replace(" ", "").replace("-", "")
