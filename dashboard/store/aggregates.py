"""Pre-aggregated counts, kept current by every write, so the map and sidebar need not scan all mentions.

At ten million mentions a "places by filter" query over ``article_places`` reads
seven million rows; the same answer summed from per-day, per-month and all-time
counts reads a few ten thousand.  Four tables (schema migration "pre-aggregated
counts"), each at three grains: ``a`` (all time, bucket ``''``), ``m`` (month,
``YYYY-MM``) and ``d`` (day, ``YYYY-MM-DD``); a date range is answered from the
whole months inside it plus the days at its edges (:func:`buckets`).

* ``place_counts``: stories per place and role (``any``: the place is mentioned,
  ``dateline``, ``focus``), with their mentions and summed scores: the map.
* ``area_counts``: stories per country (``admin1_code = ''``) and per first-level
  division, by role: country shading and the sidebar's area facets.
* ``article_counts``: articles and stories per language and source, by role
  (``all``, ``dateline``: has a dateline place, ``focus``): totals, language and
  source facets, the timeline.
* ``topic_counts``: the same per topic and language: the topic facet and the
  timeline by topic.

Every write path calls :func:`account` for the articles it touches, in the same
transaction: ``-1`` before it changes them, ``+1`` after, so the counts stay equal
to :func:`rebuild` from scratch (the tests check this on both backends).  Rows are
left at zero rather than deleted (a delete would have to find them); readers skip
them.  Filters the tables cannot answer (a text search, a topic for place counts,
a minimum score...) make the queries fall back to the detailed tables.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

from dashboard.errors import InputError
from dashboard.models import Filters
from dashboard.store.backend import Connection
from dashboard.store.filters import _TOKEN, ROLES, Where, marks

GRAINS = "(SELECT 'a' AS g UNION ALL SELECT 'm' UNION ALL SELECT 'd') gr"
_BUCKET = "CASE gr.g WHEN 'a' THEN '' WHEN 'm' THEN substr({day}, 1, 7) ELSE {day} END"
PLACE_ROLES = "(SELECT 'any' AS r UNION ALL SELECT 'dateline' UNION ALL SELECT 'focus') ro"
_PLACE_ROLE = ("((ro.r = 'any' AND ap.mentions > 0) OR (ro.r = 'dateline' AND ap.is_dateline = 1)"
               " OR (ro.r = 'focus' AND ap.is_focus = 1))")
ARTICLE_ROLES = "(SELECT 'all' AS r UNION ALL SELECT 'dateline' UNION ALL SELECT 'focus') ro"
_ARTICLE_ROLE = (
    "(ro.r = 'all' OR (ro.r = 'dateline' AND EXISTS (SELECT 1 FROM article_places x WHERE x.article_id = {aid}"
    " AND x.is_dateline = 1)) OR (ro.r = 'focus' AND EXISTS (SELECT 1 FROM article_places x"
    " WHERE x.article_id = {aid} AND x.is_focus = 1)))"
)

SCHEMA = (
    """CREATE TABLE place_counts (
        grain TEXT NOT NULL, role TEXT NOT NULL, bucket TEXT NOT NULL, place_id TEXT NOT NULL,
        country_code TEXT, admin1_code TEXT,
        articles BIGINT NOT NULL, mentions BIGINT NOT NULL, score_sum DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (grain, role, bucket, place_id)
    ){clustered}""",
    """CREATE TABLE area_counts (
        grain TEXT NOT NULL, role TEXT NOT NULL, bucket TEXT NOT NULL, country_code TEXT NOT NULL,
        admin1_code TEXT NOT NULL, stories BIGINT NOT NULL,
        PRIMARY KEY (grain, role, bucket, country_code, admin1_code)
    ){clustered}""",
    """CREATE TABLE article_counts (
        grain TEXT NOT NULL, role TEXT NOT NULL, bucket TEXT NOT NULL, lang TEXT NOT NULL,
        source_id BIGINT NOT NULL, articles BIGINT NOT NULL, stories BIGINT NOT NULL,
        PRIMARY KEY (grain, role, bucket, lang, source_id)
    ){clustered}""",
    """CREATE TABLE topic_counts (
        grain TEXT NOT NULL, role TEXT NOT NULL, bucket TEXT NOT NULL, topic TEXT NOT NULL, lang TEXT NOT NULL,
        articles BIGINT NOT NULL, stories BIGINT NOT NULL,
        PRIMARY KEY (grain, role, bucket, topic, lang)
    ){clustered}""",
)
TABLES = ("place_counts", "area_counts", "article_counts", "topic_counts")


def _statements(scope: str, sign: int, upsert: bool) -> list[tuple[str, str]]:
    """(table, INSERT ... SELECT) pairs computing each table's rows for the articles in ``scope``."""
    s = str(int(sign))
    ap_day, a_day, t_day = (_BUCKET.format(day=d) for d in ("ap.day", "a.day", "t.day"))

    def conflict(table: str, key: str, cols: Sequence[str]) -> str:
        if not upsert:
            return ""
        sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in cols)
        return f" ON CONFLICT ({key}) DO UPDATE SET {sets}"

    return [
        ("place_counts",
         "INSERT INTO place_counts(grain, role, bucket, place_id, country_code, admin1_code, articles, mentions,"
         f" score_sum) SELECT gr.g, ro.r, {ap_day}, ap.place_id, MAX(ap.country_code), MAX(ap.admin1_code),"
         f" {s} * COUNT(*), {s} * SUM(ap.mentions), {s} * SUM(ap.score)"
         f" FROM article_places ap CROSS JOIN {GRAINS} CROSS JOIN {PLACE_ROLES}"
         f" WHERE ap.is_copy = 0 AND {_PLACE_ROLE}{scope.format(aid='ap.article_id')}"
         " GROUP BY gr.g, ro.r, 3, ap.place_id"
         + conflict("place_counts", "grain, role, bucket, place_id", ("articles", "mentions", "score_sum"))),
        ("area_counts",
         "INSERT INTO area_counts(grain, role, bucket, country_code, admin1_code, stories)"
         f" SELECT gr.g, ro.r, {ap_day}, ap.country_code, '', {s} * COUNT(DISTINCT ap.article_id)"
         f" FROM article_places ap CROSS JOIN {GRAINS} CROSS JOIN {PLACE_ROLES}"
         f" WHERE ap.is_copy = 0 AND ap.country_code IS NOT NULL AND {_PLACE_ROLE}"
         f"{scope.format(aid='ap.article_id')} GROUP BY gr.g, ro.r, 3, ap.country_code"
         + conflict("area_counts", "grain, role, bucket, country_code, admin1_code", ("stories",))),
        ("area_counts",
         "INSERT INTO area_counts(grain, role, bucket, country_code, admin1_code, stories)"
         f" SELECT gr.g, ro.r, {ap_day}, ap.country_code, ap.admin1_code, {s} * COUNT(DISTINCT ap.article_id)"
         f" FROM article_places ap CROSS JOIN {GRAINS} CROSS JOIN {PLACE_ROLES}"
         " WHERE ap.is_copy = 0 AND ap.country_code IS NOT NULL AND ap.admin1_code IS NOT NULL"
         f" AND ap.admin1_code <> '' AND {_PLACE_ROLE}{scope.format(aid='ap.article_id')}"
         " GROUP BY gr.g, ro.r, 3, ap.country_code, ap.admin1_code"
         + conflict("area_counts", "grain, role, bucket, country_code, admin1_code", ("stories",))),
        ("article_counts",
         "INSERT INTO article_counts(grain, role, bucket, lang, source_id, articles, stories)"
         f" SELECT gr.g, ro.r, {a_day}, COALESCE(a.lang, ''), COALESCE(a.source_id, 0), {s} * COUNT(*),"
         f" {s} * SUM(CASE WHEN a.story_id = a.id THEN 1 ELSE 0 END)"
         f" FROM articles a CROSS JOIN {GRAINS} CROSS JOIN {ARTICLE_ROLES}"
         f" WHERE {_ARTICLE_ROLE.format(aid='a.id')}{scope.format(aid='a.id')}"
         " GROUP BY gr.g, ro.r, 3, COALESCE(a.lang, ''), COALESCE(a.source_id, 0)"
         + conflict("article_counts", "grain, role, bucket, lang, source_id", ("articles", "stories"))),
        ("topic_counts",
         "INSERT INTO topic_counts(grain, role, bucket, topic, lang, articles, stories)"
         f" SELECT gr.g, ro.r, {t_day}, t.topic, COALESCE(a.lang, ''), {s} * COUNT(*),"
         f" {s} * SUM(CASE WHEN t.is_copy = 0 THEN 1 ELSE 0 END)"
         f" FROM article_topics t JOIN articles a ON a.id = t.article_id CROSS JOIN {GRAINS}"
         f" CROSS JOIN {ARTICLE_ROLES} WHERE {_ARTICLE_ROLE.format(aid='t.article_id')}"
         f"{scope.format(aid='t.article_id')} GROUP BY gr.g, ro.r, 3, t.topic, COALESCE(a.lang, '')"
         + conflict("topic_counts", "grain, role, bucket, topic, lang", ("articles", "stories"))),
    ]


def account(conn: Connection, article_ids: Sequence[int], sign: int) -> None:
    """Add (``sign=1``) or take away (``-1``) these articles' share of every count.

    Call inside the write's transaction: ``-1`` before changing stored articles,
    ``+1`` once they are written.
    """
    ids = sorted({int(i) for i in article_ids})
    for k in range(0, len(ids), 5000):
        chunk = ids[k : k + 5000]
        if chunk[-1] - chunk[0] + 1 == len(chunk):  # a batch's new ids are contiguous: one range probe
            scope, params = " AND {aid} BETWEEN ? AND ?", [chunk[0], chunk[-1]]
        else:
            scope, params = " AND {aid} IN (" + marks(chunk) + ")", list(chunk)
        for _, sql in _statements(scope, sign, upsert=True):
            n = sql.count("?")
            conn.execute(sql, params * (n // len(params)))


def rebuild(conn: Connection) -> None:
    """Recompute every count from the detailed tables (migration, repair, the consistency tests)."""
    for table in TABLES:
        conn.execute(f"DELETE FROM {table}")
    for _, sql in _statements("", 1, upsert=False):
        conn.execute(sql)


# --- reading ---------------------------------------------------------------------------------


def _month(d: date) -> str:
    return d.isoformat()[:7]


def buckets(f: Filters, alias: str) -> Where:
    """The (grain, bucket) rows that add up to the filter's date range: whole months plus edge days."""
    w = Where()
    lo = f.date_from.date() if f.date_from is not None else None
    hi = f.date_to.date() if f.date_to is not None else None
    if lo is None and hi is None:
        w.add(f"{alias}.grain = 'a' AND {alias}.bucket = ''")  # the bucket too: rows come in place order
        return w
    # The first and last whole months inside [lo, hi] (None: unbounded on that side).
    m_lo = None if lo is None else (lo if lo.day == 1 else (lo.replace(day=28) + timedelta(days=4)).replace(day=1))
    if hi is None:
        m_hi_end = None
    else:
        last = calendar.monthrange(hi.year, hi.month)[1]
        m_hi_end = hi if hi.day == last else hi.replace(day=1) - timedelta(days=1)
    parts: list[str] = []
    params: list[str] = []
    whole = m_lo is None or m_hi_end is None or m_lo <= m_hi_end
    if whole:
        cond = [f"{alias}.grain = 'm'"]
        if m_lo is not None:
            cond.append(f"{alias}.bucket >= ?")
            params.append(_month(m_lo))
        if m_hi_end is not None:
            cond.append(f"{alias}.bucket <= ?")
            params.append(_month(m_hi_end))
        parts.append(" AND ".join(cond))
        if lo is not None and m_lo is not None and lo < m_lo:
            parts.append(f"{alias}.grain = 'd' AND {alias}.bucket >= ? AND {alias}.bucket < ?")
            params += [lo.isoformat(), m_lo.isoformat()]
        if hi is not None and m_hi_end is not None and hi > m_hi_end:
            parts.append(f"{alias}.grain = 'd' AND {alias}.bucket > ? AND {alias}.bucket <= ?")
            params += [m_hi_end.isoformat(), hi.isoformat()]
    else:
        parts.append(f"{alias}.grain = 'd' AND {alias}.bucket >= ? AND {alias}.bucket <= ?")
        params += [lo.isoformat() if lo else "", hi.isoformat() if hi else "9999"]
    w.add(" OR ".join(f"({p})" for p in parts), *params)
    return w


def _plain(f: Filters, skip: tuple[str, ...]) -> bool:
    """No full-text search and no minimum score: the filters every table can take."""
    if f.role not in ROLES:
        raise InputError(f"unknown mention role {f.role!r}: use one of {', '.join(ROLES)}")
    return not (_TOKEN.search(f.text) or f.min_score > 0)


def place_role(f: Filters) -> str:
    return f.role if f.role in ("dateline", "focus") else "any"


def article_role(f: Filters) -> str:
    return f.role if f.role in ("dateline", "focus") else "all"


def for_places(f: Filters) -> bool:
    """Can ``place_counts`` answer (dates, role and area filters only)?"""
    return _plain(f, ()) and not (f.languages or f.sources or f.topics)


def for_areas(f: Filters, skip: tuple[str, ...] = ()) -> bool:
    """Can ``area_counts`` answer: dates, role and countries (a region counts as its countries)?"""
    return for_places(f) and not (f.admin1 and "admin1" not in skip) and f.bounds is None and not f.place_ids


def for_articles(f: Filters, skip: tuple[str, ...] = ()) -> bool:
    """Can ``article_counts`` answer: dates, role, languages and sources, no place restriction?"""
    return _plain(f, skip) and not (
        (f.topics and "topics" not in skip) or (f.countries and "countries" not in skip) or f.regions
        or f.admin1 or f.bounds is not None or f.place_ids
    )


def for_topics(f: Filters, skip: tuple[str, ...] = ()) -> bool:
    """Can ``topic_counts`` answer: as :func:`for_articles`, but no source filter?"""
    return for_articles(f, skip) and not (f.sources and "sources" not in skip)
