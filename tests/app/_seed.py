"""A small, deterministic store for the app and browser tests.

Written with the store's own API (no geoparser needed), with the places of the
product's sample article and one article whose headline is an XSS attempt.
Run as a script to seed a store URL: ``python tests/app/_seed.py sqlite:///x.sqlite``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from dashboard.models import Article, GeoparseResult, Mention, Place, TopicScore
from dashboard.store import open_store

HOSTILE = "<img src=x onerror=alert(1)> Almaty <script>alert(2)</script>"

BEIJING = Place("gn:1816670", "Beijing", "city", 39.9075, 116.39723, 1816670, "CN", "22", 18960744)
SAMARKAND = Place("gn:601294", "Samarkand", "city", 39.65417, 66.95972, 601294, "UZ", "10", 319366)
KAZAKHSTAN = Place("gn:1522867", "Kazakhstan", "country", 48.0, 68.0, 1522867, "KZ", None, 18276499)
UZBEKISTAN = Place("gn:1512440", "Uzbekistan", "country", 41.0, 64.0, 1512440, "UZ", None, 27865738)
XINJIANG = Place("gn:1529047", "Xinjiang", "admin1", 42.0, 83.1, 1529047, "CN", "13", 21813334)
ALMATY = Place("gn:1526384", "Almaty", "city", 43.25, 76.91667, 1526384, "KZ", "02", 2000900)


def _mentions(text: str, places: list[tuple[str, Place]]) -> tuple[Mention, ...]:
    out = []
    for surface, place in places:
        start = text.index(surface)
        role = "dateline" if start == 0 else "mention"
        out.append(Mention(start, start + len(surface), surface, place, role, 0.9))
    return tuple(out)


def articles() -> list[tuple[Article, GeoparseResult, tuple[TopicScore, ...]]]:
    """Three articles: the sample's places in German, an English one, the hostile one."""
    t1 = (
        "PEKING: Chinas Präsident Xi Jinping hat geschworen, mit Kasachstan die Sicherheit zu verteidigen. "
        "Er reist nach Usbekistan, zum Gipfel in Samarkand. Die Lage in Xinjiang bleibt angespannt."
    )
    t2 = "Beijing and Samarkand: leaders met in Samarkand to discuss trade with Kazakhstan."
    t3 = "Almaty: a report on security in Kazakhstan."
    a1 = Article(t1, "Xi reist nach Zentralasien", published=datetime(2022, 9, 13, 8, tzinfo=UTC),
                 lang="de", source="Beispiel-Zeitung", url="https://example.org/xi")
    a2 = Article(t2, "Leaders meet in Samarkand", published=datetime(2022, 9, 15, 9, tzinfo=UTC),
                 lang="en", source="Example Wire")
    a3 = Article(t3, HOSTILE, published=datetime(2022, 9, 16, 10, tzinfo=UTC), lang="en", source="Hostile Feed")
    r1 = GeoparseResult("de", _mentions(t1, [("PEKING", BEIJING), ("Kasachstan", KAZAKHSTAN),
                                             ("Usbekistan", UZBEKISTAN), ("Samarkand", SAMARKAND),
                                             ("Xinjiang", XINJIANG)]))
    r2 = GeoparseResult("en", _mentions(t2, [("Beijing", BEIJING), ("Samarkand", SAMARKAND),
                                             ("Kazakhstan", KAZAKHSTAN)]))
    r3 = GeoparseResult("en", _mentions(t3, [("Almaty", ALMATY), ("Kazakhstan", KAZAKHSTAN)]))
    politics = (TopicScore("politics", 0.8, ("Gipfel",)),)
    return [(a1, r1, politics), (a2, r2, politics), (a3, r3, ())]


def seed(url: str) -> int:
    """Write the test articles to the store at ``url``; returns how many were inserted."""
    store = open_store(url)
    try:
        return sum(store.add_article(a, r, t).inserted for a, r, t in articles())
    finally:
        store.close()


if __name__ == "__main__":
    print(seed(sys.argv[1]))
