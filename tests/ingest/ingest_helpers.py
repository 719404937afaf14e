"""A tiny stand-in geoparser for ingest tests: finds a handful of names, builds real model values.

The real geoparser has its own tests; here it would only make ingest tests
slow and dependent on the built place index.
"""

from __future__ import annotations

import re

from dashboard.models import Focus, GeoparseResult, Mention, Place

PLACES = {
    "Berlin": Place("gn:2950159", "Berlin", "city", 52.52437, 13.41053, 2950159, "DE", "16", 3426354),
    "Hamburg": Place("gn:2911298", "Hamburg", "city", 53.57532, 10.01534, 2911298, "DE", "04", 1739117),
    "Kasachstan": Place("gn:1522867", "Kazakhstan", "country", 48.0, 68.0, 1522867, "KZ", None, 18276499),
    "Samarkand": Place("gn:1216265", "Samarkand", "city", 39.65417, 66.95972, 1216265, "UZ", "10", 319366),
    "Paris": Place("gn:2988507", "Paris", "city", 48.85341, 2.3488, 2988507, "FR", "11", 2138551),
    "Zürich": Place("gn:2657896", "Zürich", "city", 47.36667, 8.55, 2657896, "CH", "ZH", 341730),
}
_PATTERN = re.compile(r"\b(" + "|".join(map(re.escape, PLACES)) + r")\b")


def toy_geoparse(text: str, lang: str | None = None) -> GeoparseResult:
    """Every occurrence of a known name is a mention; the most frequent place is the focus."""
    mentions = tuple(
        Mention(m.start(), m.end(), m.group(1), PLACES[m.group(1)], "dateline" if m.start() == 0 else "mention")
        for m in _PATTERN.finditer(text)
    )
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.surface] = counts.get(m.surface, 0) + 1
    focus = tuple(Focus(PLACES[s], 0.9, n) for s, n in counts.items() if n == max(counts.values()))
    return GeoparseResult(lang or "en", mentions, focus[:1])


def failing_geoparse(text: str, lang: str | None = None) -> GeoparseResult:
    """Fails on texts containing BOOM, as a buggy geoparser might."""
    if "BOOM" in text:
        raise RuntimeError("geoparser bug")
    return toy_geoparse(text, lang)
