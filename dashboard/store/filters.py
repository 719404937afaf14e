"""Translate :class:`~dashboard.models.Filters` into SQL conditions, once for every query.

Filters split in two kinds.  *Article* filters (dates, languages, sources,
topics, full text) are about the article; *place* filters (countries, regions,
admin1, role, score, bounds, place ids) are about which of its places count.
Aggregates read ``article_places`` (one row per article and place) where the
article columns most filters need are copied, so the hot path needs no join.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dashboard.errors import InputError, PlaceIndexError
from dashboard.models import Filters

if TYPE_CHECKING:
    from dashboard.store.textmatch import TextHits

logger = logging.getLogger(__name__)

ROLES = ("any", "dateline", "focus")
# The text search configurations of news_ts_config() (schema 8), 'simple' for every other language.
PG_TS_CONFIGS = ("english", "german", "french", "spanish", "italian", "portuguese", "dutch", "swedish", "finnish",
                 "russian", "simple")
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(slots=True)
class Where:
    """A growing conjunction of SQL conditions and their parameters."""

    parts: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def extend(self, other: Where) -> None:
        self.parts.extend(other.parts)
        self.params.extend(other.params)

    @property
    def sql(self) -> str:
        """``WHERE ...`` (or nothing) ready to paste after a FROM clause."""
        return ("WHERE " + " AND ".join(f"({p})" for p in self.parts)) if self.parts else ""

    @property
    def and_sql(self) -> str:
        """``AND ...`` (or nothing), for queries that already have a WHERE."""
        return "".join(f" AND ({p})" for p in self.parts)


def marks(values: tuple[Any, ...] | list[Any] | set[Any]) -> str:
    return ",".join("?" * len(values))


def region_countries(regions: tuple[str, ...]) -> set[str]:
    """Country codes inside the given continents/UN subregions.

    Uses ``dashboard.gazetteer.region_members`` when the gazetteer provides it;
    until then (or for ids it does not know) a two-letter id is taken as a
    country code, so callers can resolve regions themselves.
    """
    region_members: Callable[[str], Iterable[str]] | None
    try:
        from dashboard.gazetteer import region_members
    except ImportError:
        region_members = None
    codes: set[str] = set()
    for rid in regions:
        members: set[str] = set()
        if region_members is not None:
            try:
                members = set(region_members(rid))
            except (LookupError, ValueError, PlaceIndexError) as err:
                logger.debug("region %s not resolved: %s", rid, err)
        if not members and len(rid) == 2 and rid.isalpha():
            members = {rid.upper()}
        codes |= members
    return codes


def fts_query(text: str) -> str:
    """A safe FTS5 query: every word quoted, all required (user text is never FTS syntax)."""
    return " ".join(f'"{t}"' for t in _TOKEN.findall(text))


def article_where(
    f: Filters, dialect: str, alias: str, *, skip: tuple[str, ...] = (), correlated: bool = False,
    hits: TextHits | None = None,
) -> Where:
    """Conditions on the article columns of ``alias`` (``a`` = articles, ``ap`` = article_places).

    ``correlated`` writes the topic filter as a per-row ``EXISTS`` probe: better for queries that
    stop after a few rows (latest headlines of a place) than building the whole topic's id list.
    ``hits``: the text search's matches, found once for all queries of a page
    (:mod:`dashboard.store.textmatch`); without them the search is a full-text subquery.
    """
    w = Where()
    aid = f"{alias}.id" if alias == "a" else f"{alias}.article_id"
    if f.date_from is not None:
        w.add(f"{alias}.day >= ?", f.date_from.date().isoformat())
    if f.date_to is not None:
        w.add(f"{alias}.day <= ?", f.date_to.date().isoformat())
    if f.languages and "languages" not in skip:
        w.add(f"{alias}.lang IN ({marks(f.languages)})", *f.languages)
    if f.sources and "sources" not in skip:
        w.add(f"{alias}.source_id IN (SELECT id FROM sources WHERE name IN ({marks(f.sources)}))", *f.sources)
    if f.topics and "topics" not in skip and correlated:
        w.add(f"EXISTS (SELECT 1 FROM article_topics tt WHERE tt.article_id = {aid}"
              f" AND tt.topic IN ({marks(f.topics)}))", *f.topics)
    elif f.topics and "topics" not in skip:
        w.add(f"{aid} IN (SELECT article_id FROM article_topics WHERE topic IN ({marks(f.topics)}))", *f.topics)
    if f.text.strip() and _TOKEN.search(f.text):
        if hits is not None:
            w.add(*hits.condition(aid))
        elif dialect == "postgresql":
            # Each article is indexed in its language's configuration (schema 8): ask all of them at once,
            # a constant query the GIN index answers.
            query = " || ".join(f"plainto_tsquery('{c}', ?)" for c in PG_TS_CONFIGS)
            w.add(
                f"{aid} IN (SELECT id FROM articles WHERE to_tsvector(news_ts_config(lang), title || ' ' || text)"
                f" @@ ({query}))",
                *([f.text] * len(PG_TS_CONFIGS)),
            )
        else:
            w.add(f"{aid} IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", fts_query(f.text))
    return w


def place_where(f: Filters, *, skip: tuple[str, ...] = ()) -> Where:
    """Conditions on ``ap`` (article_places) saying which places of an article count."""
    w = Where()
    if f.role not in ROLES:
        raise InputError(f"unknown mention role {f.role!r}: use one of {', '.join(ROLES)}")
    if f.role == "dateline":
        w.add("ap.is_dateline = 1")
    elif f.role == "focus":
        w.add("ap.is_focus = 1")
    else:
        w.add("ap.mentions > 0")
    if f.min_score > 0:
        w.add("ap.score >= ?", float(f.min_score))
    w.extend(area_where(f, skip=skip))
    return w


def area_where(f: Filters, *, skip: tuple[str, ...] = ()) -> Where:
    """The area, bounds and place conditions of :func:`place_where` (``ap`` needs place_id, country_code,
    admin1_code: article_places or the pre-aggregated place_counts)."""
    w = Where()
    areas = Where()
    countries = set() if "countries" in skip else {c.upper() for c in f.countries}
    countries |= region_countries(f.regions)
    if countries:
        areas.add(f"ap.country_code IN ({marks(countries)})", *sorted(countries))
    if f.regions:
        areas.add(f"ap.place_id IN ({marks(f.regions)})", *f.regions)
    if f.admin1:
        areas.add(f"ap.country_code || '.' || ap.admin1_code IN ({marks(f.admin1)})", *f.admin1)
    if areas.parts:
        w.add(" OR ".join(f"({p})" for p in areas.parts), *areas.params)
    if f.bounds is not None:
        south, west, north, east = f.bounds
        if west <= east:
            lon, lon_params = "lon >= ? AND lon <= ?", (west, east)
        else:  # the box crosses the antimeridian
            lon, lon_params = "(lon >= ? OR lon <= ?)", (west, east)
        w.add(f"ap.place_id IN (SELECT id FROM places WHERE lat >= ? AND lat <= ? AND {lon})",
              south, north, *lon_params)
    if f.place_ids:
        w.add(f"ap.place_id IN ({marks(f.place_ids)})", *f.place_ids)
    return w


def only_dates(f: Filters, *, skip: tuple[str, ...] = ()) -> bool:
    """Whether the filters (less ``skip``) say nothing but a date range: per-table counts then need no join."""
    return not (
        (f.languages and "languages" not in skip) or (f.sources and "sources" not in skip)
        or (f.topics and "topics" not in skip) or _TOKEN.search(f.text) or restricts_places(f, skip=skip)
    )


def restricts_places(f: Filters, *, skip: tuple[str, ...] = ()) -> bool:
    """Whether the place filters exclude any article (role ``any`` alone does not)."""
    return bool(
        f.role != "any" or f.min_score > 0 or (f.countries and "countries" not in skip)
        or f.regions or f.admin1 or f.bounds is not None or f.place_ids
    )


def articles_where(
    f: Filters, dialect: str, *, skip: tuple[str, ...] = (), stories_only: bool = False,
    hits: TextHits | None = None,
) -> Where:
    """Conditions on ``a`` (articles): the article filters plus "has a matching place".

    ``stories_only`` leaves out near-copies of an earlier article, for counts of stories.
    """
    w = article_where(f, dialect, "a", skip=skip, hits=hits)
    if stories_only:
        w.add("a.story_id = a.id")
    if restricts_places(f, skip=skip):
        pw = place_where(f, skip=skip)
        if hits is not None:
            # A text search names the articles already: probe each one's places (article_places_article)
            # instead of listing every article with, say, a focus place (SQLite materialised millions
            # of ids per count: 50-80 s for each sidebar count at 10M mentions).
            pw.add("ap.article_id = a.id")
            w.add(f"EXISTS (SELECT 1 FROM article_places ap {pw.sql})", *pw.params)
        else:
            w.add(f"a.id IN (SELECT ap.article_id FROM article_places ap {pw.sql})", *pw.params)
    return w


def mentions_where(
    f: Filters, dialect: str, *, skip: tuple[str, ...] = (), stories_only: bool = True, correlated: bool = False,
    hits: TextHits | None = None,
) -> Where:
    """Conditions on ``ap`` for aggregates over places: article filters and place filters together.

    Aggregates count stories: near-copies of an earlier article are left out unless asked for.
    """
    w = article_where(f, dialect, "ap", skip=skip, correlated=correlated, hits=hits)
    if stories_only:
        w.add("ap.is_copy = 0")
    w.extend(place_where(f, skip=skip))
    return w
