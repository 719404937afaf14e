"""Answering the dashboard's counts from the pre-aggregated tables (:mod:`dashboard.store.aggregates`).

Each function returns ``None`` when the filters need the detailed tables (a text
search, a topic for place counts...), and the caller in :mod:`dashboard.store.query`
then runs its detailed query; so every answer is the same either way, only faster
here (the tests compare both on both backends).
"""

from __future__ import annotations

from dashboard.models import Filters
from dashboard.store import aggregates as agg
from dashboard.store.backend import Connection
from dashboard.store.filters import Where, area_where, marks, region_countries


def _article_where(f: Filters, skip: tuple[str, ...], *, with_sources: bool = True) -> Where:
    """Role, date buckets, languages and sources as conditions on ``ac`` (article_counts or topic_counts)."""
    w = Where()
    w.add("ac.role = ?", agg.article_role(f))
    w.extend(agg.buckets(f, "ac"))
    if f.languages and "languages" not in skip:
        w.add(f"ac.lang IN ({marks(f.languages)})", *f.languages)
    if with_sources and f.sources and "sources" not in skip:
        w.add(f"ac.source_id IN (SELECT id FROM sources WHERE name IN ({marks(f.sources)}))", *f.sources)
    return w


def place_rows(conn: Connection, f: Filters, limit: int) -> list[tuple[str, int, int, float]] | None:
    """(place id, stories, mentions, mean score), most stories first, or ``None``."""
    if not agg.for_places(f):
        return None
    w = Where()
    w.add("ap.role = ?", agg.place_role(f))
    w.extend(agg.buckets(f, "ap"))
    w.extend(area_where(f))
    rows = conn.all(
        "SELECT ap.place_id, SUM(ap.articles), SUM(ap.mentions), SUM(ap.score_sum) FROM place_counts ap"
        f" {w.sql} GROUP BY ap.place_id HAVING SUM(ap.articles) > 0 ORDER BY 2 DESC, 1 LIMIT ?",
        [*w.params, int(limit)],
    )
    return [(pid, int(n), int(m or 0), float(s or 0.0) / int(n)) for pid, n, m, s in rows]


def place_points(conn: Connection, f: Filters) -> list[tuple[str, float, float, int]] | None:
    """(name, lat, lon, stories) of every matching place, or ``None``: what a grid sums."""
    if not agg.for_places(f):
        return None
    w = Where()
    w.add("ap.role = ?", agg.place_role(f))
    w.extend(agg.buckets(f, "ap"))
    w.extend(area_where(f))
    return conn.all(
        "SELECT p.name, p.lat, p.lon, x.n FROM (SELECT ap.place_id, SUM(ap.articles) AS n FROM place_counts ap"
        f" {w.sql} GROUP BY ap.place_id HAVING SUM(ap.articles) > 0) x JOIN places p ON p.id = x.place_id",
        w.params,
    )


def _area_where(f: Filters, skip: tuple[str, ...]) -> Where:
    w = Where()
    w.add("ac.role = ?", agg.place_role(f))
    w.extend(agg.buckets(f, "ac"))
    countries = set() if "countries" in skip else {c.upper() for c in f.countries}
    countries |= region_countries(f.regions)
    if countries:
        w.add(f"ac.country_code IN ({marks(countries)})", *sorted(countries))
    return w


def country_rows(conn: Connection, f: Filters) -> list[tuple[str, int]] | None:
    """(country code, stories), largest first, or ``None``."""
    if not agg.for_areas(f):
        return None
    w = _area_where(f, ())
    w.add("ac.admin1_code = ''")
    rows = conn.all(
        f"SELECT ac.country_code, SUM(ac.stories) FROM area_counts ac {w.sql} GROUP BY ac.country_code"
        " HAVING SUM(ac.stories) > 0 ORDER BY 2 DESC, 1",
        w.params,
    )
    return [(cc, int(n)) for cc, n in rows]


def admin1_rows(conn: Connection, f: Filters) -> list[tuple[str, str, int]] | None:
    """(country code, admin1 code, stories), or ``None``."""
    if not agg.for_areas(f) or f.admin1:
        return None
    w = _area_where(f, ())
    w.add("ac.admin1_code <> ''")
    rows = conn.all(
        f"SELECT ac.country_code, ac.admin1_code, SUM(ac.stories) FROM area_counts ac {w.sql}"
        " GROUP BY ac.country_code, ac.admin1_code HAVING SUM(ac.stories) > 0",
        w.params,
    )
    return [(cc, a1, int(n)) for cc, a1, n in rows]


def article_total(conn: Connection, f: Filters) -> int | None:
    """The number of matching articles (near-copies included), or ``None``."""
    if not agg.for_articles(f):
        return None
    w = _article_where(f, ())
    return int(conn.scalar(f"SELECT SUM(ac.articles) FROM article_counts ac {w.sql}", w.params) or 0)


def languages(conn: Connection, f: Filters) -> dict[str, int] | None:
    skip = ("languages",)
    if not agg.for_articles(f, skip):
        return None
    w = _article_where(f, skip)
    rows = conn.all(f"SELECT ac.lang, SUM(ac.articles) FROM article_counts ac {w.sql} GROUP BY ac.lang"
                    " HAVING SUM(ac.articles) > 0", w.params)
    return {str(k or ""): int(n) for k, n in rows}


def sources(conn: Connection, f: Filters) -> dict[str, int] | None:
    skip = ("sources",)
    if not agg.for_articles(f, skip):
        return None
    w = _article_where(f, skip)
    rows = conn.all(f"SELECT s.name, SUM(ac.articles) FROM article_counts ac JOIN sources s ON s.id = ac.source_id"
                    f" {w.sql} GROUP BY s.name HAVING SUM(ac.articles) > 0", w.params)
    return {str(k): int(n) for k, n in rows}


def topics(conn: Connection, f: Filters) -> dict[str, int] | None:
    skip = ("topics",)
    if not agg.for_topics(f, skip):
        return None
    w = _article_where(f, skip, with_sources=False)
    rows = conn.all(f"SELECT ac.topic, SUM(ac.articles) FROM topic_counts ac {w.sql} GROUP BY ac.topic"
                    " HAVING SUM(ac.articles) > 0", w.params)
    return {str(k): int(n) for k, n in rows}


def _days(f: Filters) -> Where:
    w = Where()
    w.add("ac.grain = 'd'")
    if f.date_from is not None:
        w.add("ac.bucket >= ?", f.date_from.date().isoformat())
    if f.date_to is not None:
        w.add("ac.bucket <= ?", f.date_to.date().isoformat())
    return w


def daily(conn: Connection, f: Filters) -> tuple[list[tuple[str, int]], list[tuple[str, str, int]] | None] | None:
    """Stories per day, and per day and topic (``None`` when only the totals can come from here)."""
    if not agg.for_articles(f):
        return None
    w = _days(f)
    w.add("ac.role = ?", agg.article_role(f))
    if f.languages:
        w.add(f"ac.lang IN ({marks(f.languages)})", *f.languages)
    tw = Where(list(w.parts), list(w.params))
    if f.sources:
        w.add(f"ac.source_id IN (SELECT id FROM sources WHERE name IN ({marks(f.sources)}))", *f.sources)
    total = conn.all(f"SELECT ac.bucket, SUM(ac.stories) FROM article_counts ac {w.sql} GROUP BY ac.bucket"
                     " HAVING SUM(ac.stories) > 0", w.params)
    if not agg.for_topics(f):
        return [(d, int(n)) for d, n in total], None
    per_topic = conn.all(f"SELECT ac.bucket, ac.topic, SUM(ac.stories) FROM topic_counts ac {tw.sql}"
                         " GROUP BY ac.bucket, ac.topic HAVING SUM(ac.stories) > 0", tw.params)
    return [(d, int(n)) for d, n in total], [(d, t, int(n)) for d, t, n in per_topic]
