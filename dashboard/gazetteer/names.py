"""The table of places and names the index builder fills, one entry point for every name.

Every name goes through :meth:`PlaceTable.add_name`, which adds the spelling variants news
use (accent-free "Zurich", hyphen/space variants, declined German forms) so the rest of
the builder never has to think about them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from dashboard.gazetteer.normalize import is_latin, key, strip_accents
from dashboard.gazetteer.sources import BLOCKED_NAMES


class PlaceTable:
    """Accumulates places and their names; one instance per build."""

    def __init__(self) -> None:
        self.places: list[tuple[Any, ...]] = []  # (id, name, kind, lat, lon, geonameid, cc, admin1, pop)
        self.names: dict[str, set[int]] = defaultdict(set)
        self.labels: dict[int, dict[str, list[str]]] = {}
        self.abbrevs: dict[str, int] = {}
        self.by_id: dict[str, int] = {}
        self.bboxes: dict[int, tuple[float, float, float, float]] = {}
        self.is_common: Callable[[str], bool] | None = None
        self.neutral_country_keys: set[tuple[str, int]] = set()  # curated names for every language
        self.blocked_keys: set[str] = set()  # demonyms: "Somali", "Omani" are never a place's name

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
        if not k or (k, blocked_code) in BLOCKED_NAMES or k in self.blocked_keys:
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
            for variant in german_inflections(name):
                self.names[key(variant)].add(idx)


def german_inflections(name: str) -> list[str]:
    """Declined forms of German multiword names: "Vereinigte Staaten" -> "Vereinigten Staaten";
    "Vereinigtes Königreich" -> "Vereinigten Königreich" and, after "das", "Vereinigte Königreich";
    "Naher Osten" -> "Nahen Osten", "Nahe Osten"."""
    words = name.split(" ")
    en_forms, e_forms = [], []
    changed = False
    for w in words[:-1]:
        if w[:1].isupper() and w.endswith("e") and len(w) > 4:
            en_forms.append(w + "n")
            e_forms.append(w)
            changed = True
        elif w[:1].isupper() and w.endswith(("es", "er")) and len(w) > 4:
            en_forms.append(w[:-2] + "en")
            e_forms.append(w[:-1])
            changed = True
        else:
            en_forms.append(w)
            e_forms.append(w)
    if not changed:
        return []
    forms = [" ".join(en_forms + words[-1:]), " ".join(e_forms + words[-1:])]
    return [f for f in dict.fromkeys(forms) if f != name]


