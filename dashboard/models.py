"""Small immutable value types that flow through the pipeline.

source -> :class:`Article` -> :class:`Mention` (each pointing at a :class:`Place`)
-> store -> query -> map.  They are frozen so a cached value can be shared
between threads and Streamlit reruns without anyone mutating it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

PlaceKind = Literal["continent", "region", "country", "admin1", "admin2", "city"]
# admin2 (counties, districts) extends the five kinds of the geoparser interface: local news
# names counties ("Laurel County") as often as towns.
KINDS: tuple[str, ...] = ("continent", "region", "country", "admin1", "admin2", "city")
Role = Literal["dateline", "mention"]


@dataclass(frozen=True, slots=True)
class Place:
    """One entry of the place index.

    ``id`` is stable across index rebuilds: ``"gn:<geonameid>"`` where GeoNames
    has the place, otherwise ``"region:<slug>"``.
    """

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    geonameid: int | None = None
    country_code: str | None = None
    admin1_code: str | None = None
    population: int = 0
    importance: float = 0.0
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "lat": self.lat,
            "lon": self.lon,
            "geonameid": self.geonameid,
            "country_code": self.country_code,
            "admin1_code": self.admin1_code,
            "population": self.population,
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a surface form may refer to, with the resolver's score (0 to 1)."""

    place: Place
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {**_place_fields(self.place), "score": round(self.score, 4)}


def _place_fields(p: Place) -> dict[str, Any]:
    """The place fields every geoparser answer carries (mentions, alternatives, focus)."""
    return {"name": p.name, "geonameid": p.geonameid, "lat": p.lat, "lon": p.lon,
            "country_code": p.country_code, "kind": p.kind}


@dataclass(frozen=True, slots=True)
class Mention:
    """A resolved place mention: ``text[start:end] == surface``."""

    start: int
    end: int
    surface: str
    place: Place
    role: str = "mention"
    score: float = 1.0
    alternatives: tuple[Candidate, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "surface": self.surface,
            **_place_fields(self.place),
            "role": self.role,
            "score": round(self.score, 4),
            "alternatives": [c.to_dict() for c in self.alternatives],
        }


@dataclass(frozen=True, slots=True)
class Focus:
    """A place an article is mainly about, with its weight (0 to 1)."""

    place: Place
    score: float
    mentions: int

    def to_dict(self) -> dict[str, Any]:
        return {**_place_fields(self.place), "score": round(self.score, 4), "mentions": self.mentions}


@dataclass(frozen=True, slots=True)
class GeoparseResult:
    """What the geoparser says about one text."""

    lang: str
    mentions: tuple[Mention, ...] = ()
    focus: tuple[Focus, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "mentions": [m.to_dict() for m in self.mentions],
            "focus": [f.to_dict() for f in self.focus],
        }


@dataclass(frozen=True, slots=True)
class Article:
    """A news article as it enters the pipeline, before enrichment."""

    text: str
    title: str = ""
    id: str | None = None
    url: str | None = None
    published: datetime | None = None
    date_source: str = "ingest"  # metadata | text | ingest
    lang: str | None = None
    source: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)
    author: str = ""  # the byline as the source gave it; several authors joined with ", "
    image: str | None = None  # the picture the source names (a URL), fetched only where a store allows it


@dataclass(frozen=True, slots=True)
class TopicScore:
    """A topic assigned to an article, with the words that triggered it."""

    topic: str
    score: float
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "score": round(self.score, 4), "evidence": list(self.evidence)}


@dataclass(frozen=True, slots=True)
class Filters:
    """Everything the dashboard and ``export`` can filter on; empty means "no filter".

    ``regions`` holds place ids of continents/regions (``"gn:6255147"``, ``"region:un-143"``);
    ``countries`` ISO alpha-2 codes; ``admin1`` ``"CC.code"`` strings; ``bounds`` is
    (south, west, north, east) in degrees.
    """

    date_from: datetime | None = None
    date_to: datetime | None = None
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    text: str = ""
    role: str = "any"  # any | dateline | focus
    min_score: float = 0.0
    bounds: tuple[float, float, float, float] | None = None
    place_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GridCell:
    """Every matching place inside one cell of a lat/lon grid, for a zoomed-out map.

    ``lat``/``lon`` is the article-weighted centre of its places; ``articles`` sums
    the places' story counts (as a marker cluster's badge does); ``top`` names the
    cell's place with most articles.
    """

    lat: float
    lon: float
    articles: int
    places: int
    top: str


@dataclass(frozen=True, slots=True)
class PlaceSummary:
    """One place on the map: how often the filtered articles mention it, and a taste of them."""

    place: Place
    articles: int
    mentions: int
    surfaces: tuple[str, ...] = ()
    headlines: tuple[str, ...] = ()
    score: float = 1.0  # mean resolution confidence
    alternatives: tuple[str, ...] = ()
