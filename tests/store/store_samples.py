"""Hand-built places and geoparse results for the store tests (no gazetteer needed)."""

from __future__ import annotations

from datetime import datetime

from dashboard.models import Article, Focus, GeoparseResult, Mention, Place, TopicScore

BEIJING = Place("gn:1816670", "Beijing", "city", 39.9075, 116.39723, 1816670, "CN", "22", 18960744)
KAZAKHSTAN = Place("gn:1522867", "Kazakhstan", "country", 48.0, 68.0, 1522867, "KZ", None, 18276499)
SAMARKAND = Place("gn:1216265", "Samarkand", "city", 39.65417, 66.95972, 1216265, "UZ", "10", 319366)
XINJIANG = Place("gn:1529047", "Xinjiang", "admin1", 42.0, 83.1, 1529047, "CN", "13", 21813334)
BERLIN = Place("gn:2950159", "Berlin", "city", 52.52437, 13.41053, 2950159, "DE", "16", 3426354)
FIJI_SUVA = Place("gn:2198148", "Suva", "city", -18.14161, 178.44149, 2198148, "FJ", "01", 77366)
CENTRAL_ASIA = Place("region:central-asia", "Central Asia", "region", 43.0, 65.0, None, None, None, 0)


def find_all(text: str, places: dict[str, Place], dateline: str | None = None) -> GeoparseResult:
    """Every occurrence of each surface in ``places`` as a mention: a tiny stand-in geoparse."""
    mentions = []
    for surface, place in places.items():
        start = text.find(surface)
        while start >= 0:
            role = "dateline" if surface == dateline and start == 0 else "mention"
            mentions.append(Mention(start, start + len(surface), surface, place, role, 0.9))
            start = text.find(surface, start + 1)
    mentions.sort(key=lambda m: m.start)
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.place.id] = counts.get(m.place.id, 0) + 1
    focus = ()
    if mentions:
        top = max(counts, key=lambda pid: counts[pid])
        focus = (Focus(next(m.place for m in mentions if m.place.id == top), 0.8, counts[top]),)
    return GeoparseResult("de", tuple(mentions), focus)


XI = (
    "PEKING: Chinas Präsident Xi Jinping hat am Dienstag geschworen, mit Kasachstan die gemeinsame "
    "Sicherheit zu verteidigen. Er reist nach Samarkand. Peking und Kasachstan arbeiten zusammen."
)
XI_PLACES = {"PEKING": BEIJING, "Peking": BEIJING, "Kasachstan": KAZAKHSTAN, "Samarkand": SAMARKAND}


def sample_corpus() -> list[tuple[Article, GeoparseResult, tuple[TopicScore, ...]]]:
    """Four articles across three days, two languages, two sources, with topics."""
    berlin = "BERLIN: Der Bundestag debattiert in Berlin über den Haushalt. Kritik kommt aus Xinjiang."
    suva = "Floods hit Suva after a cyclone; Fiji asks for help."
    xinjiang = "Reports from Xinjiang describe detentions; Kasachstan protests."
    return [
        (
            Article(XI, title="Xi schwört Sicherheit", source="agency", published=datetime(2022, 9, 13, 8),
                    date_source="metadata", lang="de", url="https://example.org/xi"),
            find_all(XI, XI_PLACES, dateline="PEKING"),
            (TopicScore("politics", 0.9, ("Präsident",)), TopicScore("security", 0.7)),
        ),
        (
            Article(berlin, title="Haushaltsdebatte", source="paper", published=datetime(2022, 9, 14, 9),
                    date_source="metadata", lang="de"),
            find_all(berlin, {"BERLIN": BERLIN, "Berlin": BERLIN, "Xinjiang": XINJIANG}, dateline="BERLIN"),
            (TopicScore("politics", 0.8),),
        ),
        (
            Article(suva, title="Floods in Suva", source="agency", published=datetime(2022, 9, 14, 12),
                    date_source="metadata", lang="en"),
            find_all(suva, {"Suva": FIJI_SUVA}),
            (TopicScore("disaster", 0.95),),
        ),
        (
            Article(xinjiang, title="Detentions <script>alert(1)</script>", source="paper",
                    published=datetime(2022, 9, 15, 7), date_source="metadata", lang="en"),
            find_all(xinjiang, {"Xinjiang": XINJIANG, "Kasachstan": KAZAKHSTAN}),
            (TopicScore("politics", 0.6), TopicScore("security", 0.5)),
        ),
    ]
