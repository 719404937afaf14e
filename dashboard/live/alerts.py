"""Alerts go out: each alert's new matching articles as an Atom feed and, optionally, webhook POSTs.

:func:`fire_alerts` runs after every poll cycle, under a store lease so that two
pollers do not both POST.  Matching is recorded in the store first (one row per
alert and article, see :mod:`dashboard.store.alerts`), then each undelivered
article is POSTed as JSON; a failed POST stays undelivered and is retried on the
next cycle, after a restart too.  A webhook therefore sees an article at least
once, and exactly once unless it failed to answer after accepting one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import requests

from dashboard import __version__
from dashboard.store import Store
from dashboard.store.alerts import Alert
from dashboard.store.rows import ArticleRow, iso

logger = logging.getLogger(__name__)

ALERTS_LEASE = "alerts"
Post = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class FireSummary:
    matched: int = 0
    delivered: int = 0
    failed: int = 0


def article_payload(alert: Alert, row: ArticleRow) -> dict[str, Any]:
    """The JSON a webhook receives for one article."""
    return {
        "alert": alert.name,
        "article": {
            "id": row.id, "title": row.title, "url": row.url, "source": row.source, "lang": row.lang,
            "published": iso(row.published) if row.published else None, "places": list(row.places),
            "topics": list(row.topics),
        },
    }


def post_json(url: str, payload: dict[str, Any], timeout: float = 10.0) -> None:
    """POST ``payload``; raises ``requests.RequestException`` on a failure or a non-2xx answer."""
    resp = requests.post(url, json=payload, timeout=timeout,
                         headers={"User-Agent": f"news-map/{__version__} (alert webhook)"})
    resp.raise_for_status()


def fire_alerts(store: Store, holder: str, now: datetime | None = None, *, post: Post = post_json) -> FireSummary:
    """Match every alert against the stored articles and POST what is new to their webhooks."""
    now = now or datetime.now(UTC)
    if not store.take_lease(ALERTS_LEASE, holder, now, timedelta(minutes=10)):
        return FireSummary()
    matched = delivered = failed = 0
    try:
        for alert in store.alerts():
            matched += store.match_alert(alert, now)
            if not alert.webhook:
                continue
            for article_id in store.undelivered(alert.id):
                row = store.article(article_id)
                if row is None:
                    continue
                try:
                    post(alert.webhook, article_payload(alert, row))
                except requests.RequestException as err:
                    failed += 1
                    store.mark_delivered(alert.id, [article_id], now, error=str(err)[:300] or "failed")
                    logger.warning("alert %s: webhook failed for article %d: %s", alert.name, article_id, err)
                    break  # the hook is down: try the rest next cycle, in order
                store.mark_delivered(alert.id, [article_id], now)
                delivered += 1
    finally:
        store.release_lease(ALERTS_LEASE, holder)
    return FireSummary(matched, delivered, failed)


def atom_feed(alert: Alert, matches: list[tuple[ArticleRow, datetime]], *, self_url: str = "") -> str:
    """The alert's matched articles as an Atom 1.0 document (newest first); every text is escaped."""
    updated = iso(matches[0][1]) if matches else iso(alert.created_at)
    feed_id = f"tag:news-map,2025:alert/{quote(alert.name, safe='')}"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape('News map alert: ' + alert.name)}</title>",
        f"  <id>{escape(feed_id)}</id>",
        f"  <updated>{updated}</updated>",
        f"  <generator version={_attr(__version__)}>news-map</generator>",
    ]
    if self_url:
        parts.append(f'  <link rel="self" href={_attr(self_url)}/>')
    for row, matched_at in matches:
        summary = ", ".join(row.places[:8])
        entry = [
            "  <entry>",
            f"    <title>{escape(row.title or '(untitled)')}</title>",
            f"    <id>{escape(feed_id)}/article/{row.id}</id>",
            f"    <updated>{iso(matched_at)}</updated>",
        ]
        if row.published:
            entry.append(f"    <published>{iso(row.published)}</published>")
        if row.url:
            entry.append(f"    <link href={_attr(row.url)}/>")
        if row.source:
            entry.append(f"    <author><name>{escape(row.source)}</name></author>")
        for topic in row.topics:
            entry.append(f"    <category term={_attr(topic)}/>")
        if summary:
            entry.append(f"    <summary>{escape('Places: ' + summary)}</summary>")
        entry.append("  </entry>")
        parts.extend(entry)
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def _attr(value: str) -> str:
    from xml.sax.saxutils import quoteattr

    return quoteattr(value)
