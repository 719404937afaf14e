"""What the place index is built from: the installed packages' data, read once per build.

Nothing here downloads anything; a missing or unreadable package file is an
:class:`~dashboard.errors.IndexBuildError` naming the package.
"""

from __future__ import annotations

import gettext
import json
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

from dashboard.errors import IndexBuildError

# Languages whose CLDR names of countries and regions are indexed.
CLDR_LANGS = (
    "en de fr es it pt nl sv da nb fi pl cs sk hu ro bg hr sr sl ru uk el tr ar fa he hi "
    "zh ja ko id ms vi th ca eu gl et lv lt is ga cy af sw"
).split()
FREQ_LANGS = ("en", "de", "fr", "es")
# Languages whose ordinary words the recogniser can tell from names: ours, plus the others the
# language guesser knows (their smaller word lists: "detta" in Swedish, "jos" in Finnish).
WORD_LANGS = (*FREQ_LANGS, "it", "pt", "nl", "sv", "fi")

# Upper-case abbreviations that name a country in news text; matched case-sensitively.
COUNTRY_ABBREVIATIONS = {
    "US": "US", "USA": "US", "UK": "GB", "UAE": "AE", "DRC": "CD", "PRC": "CN",
    "DPRK": "KP", "ROK": "KR", "EE.UU.": "US", "EEUU": "US", "RDC": "CD", "BRD": "DE", "EUA": "US",
    # Dutch and German short forms (CLDR has "VS" as the Dutch short name of the US, but babel
    # ships no alternate forms): Verenigde Staten, Verenigd Koninkrijk, Vereinigte Arabische Emirate.
    "VS": "US", "VK": "GB", "VAE": "AE",
}
# Names every country index gets besides CLDR: short forms news use.
EXTRA_COUNTRY_NAMES = {
    "US": ["America", "United States of America", "U.S.", "U.S.A.", "the States", "Amerika"],
    "GB": ["Britain", "Great Britain", "U.K.", "Großbritannien", "Grossbritannien", "Grande-Bretagne", "Gran Bretaña",
           "Gran Bretagna", "Groot-Brittannië", "Grã-Bretanha"],  # no package has these short forms
    "CD": ["Congo-Kinshasa", "DR Congo", "Democratic Republic of Congo", "Kongo-Kinshasa", "RD Congo", "Kongo"],
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
    "VA": ["Vatican", "Vatican City", "Vatikan", "Vaticano", "Vaticaan"],
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
    # German and Austrian news abbreviate these states (no package lists the forms)
    "NRW": ("DE", "Nordrhein-Westfalen"), "NÖ": ("AT", "Niederösterreich"), "OÖ": ("AT", "Oberösterreich"),
}
# Three-letter exonyms that news in our languages use for a big city.  Shorter alternates are
# not indexed in general (GeoNames lists airport codes and clipped forms: "Syd", "Sol", "Sam").
SHORT_EXONYMS = {("Rom", "Rome"), ("Rio", "Rio de Janeiro"), ("Fès", "Fes"), ("Fez", "Fes")}
# GeoNames extracts list a few names as alternates of the wrong place; never index these pairs.
BLOCKED_NAMES = {("xinjiang", "CN.14"), ("tibet", "CN.13"), ("hamas", "DE.07")}


def data_file(package: str, name: str) -> Any:
    try:
        with resources.files(package).joinpath(name).open(encoding="utf-8") as f:
            return json.load(f)
    except (FileNotFoundError, ModuleNotFoundError, json.JSONDecodeError) as err:
        raise IndexBuildError(f"cannot read {name} from the installed package {package}: {err}") from err


def countryinfo_by_iso() -> dict[str, dict[str, Any]]:
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


def cldr_names(codes: list[str]) -> dict[str, dict[str, str]]:
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


def pycountry_names(isos: list[str]) -> dict[str, dict[str, str]]:
    import pycountry

    out: dict[str, dict[str, str]] = defaultdict(dict)
    english = {c.alpha_2: c.name for c in pycountry.countries}
    english_names = {v.lower() for v in english.values()}
    for lang in ("de", "fr", "es", "it", "nl", "pt"):
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


# Words that open a translated subdivision's official name; news say the rest ("Tschetschenien").
_SUBDIVISION_PREFIXES = ("Autonome Republik ", "Republik ", "Autonomes Gebiet ", "Provinz ", "Region ",
                         "République autonome de ", "République de ", "République du ", "Région de ",
                         "Province de ", "Province du ", "República Autónoma de ", "República de ",
                         "Provincia de ", "Región de ")


def subdivision_names(langs: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl", "pt")
                      ) -> dict[str, dict[str, list[str]]]:
    """{ISO 3166-2 code: {lang: names}}: pycountry's translations of subdivision names.

    The ISO names are local ("Bayern", "Catalunya"); pycountry's catalogues give the
    exonyms news use (German "Kalifornien", French "Bavière", English "Bavaria").  A name
    "A / B / C" (bilingual cantons) gives each part; "Republik Tschetschenien" also gives
    "Tschetschenien".
    """
    import pycountry

    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for lang in langs:
        try:
            tr = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for sub in pycountry.subdivisions:
            name = tr.gettext(sub.name)
            if name == sub.name:
                continue
            names: list[str] = []
            for part in name.split(" / "):
                part = part.strip()
                if not part or "," in part or "[" in part:
                    continue  # "Wallonia, Region", "Catalunya [Cataluña]": catalogue forms, not names
                names.append(part)
                for prefix in _SUBDIVISION_PREFIXES:
                    if part.startswith(prefix) and len(part) > len(prefix) + 3:
                        names.append(part[len(prefix):])
            if names:
                out[sub.code][lang] = names
    return out


def load_wordfreq(extra: bool = False) -> dict[str, dict[str, float]]:
    """Word frequencies of our languages (wordfreq's best lists); with ``extra``, only the other
    :data:`WORD_LANGS` (its small lists: enough to know the common words)."""
    from wordfreq import get_frequency_dict

    if extra:
        return {lang: get_frequency_dict(lang, wordlist="small") for lang in WORD_LANGS if lang not in FREQ_LANGS}
    return {lang: get_frequency_dict(lang, wordlist="best") for lang in FREQ_LANGS}
