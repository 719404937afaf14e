"""Places binned into a lat/lon grid, so a zoomed-out map draws a bounded number of cells.

At world zoom ten thousand places would be drawn as ten thousand markers (or the
500 biggest, the rest left out); cells of ``degrees`` on a side sum all of them,
and there are at most (360 / degrees) x (180 / degrees) cells, fewer in practice
(news happens on land).  The per-place counts come from the pre-aggregated
``place_counts`` when the filters allow (:mod:`dashboard.store.rollups`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

from dashboard.models import Filters, GridCell
from dashboard.store import rollups
from dashboard.store.backend import Connection
from dashboard.store.filters import mentions_where

if TYPE_CHECKING:
    from dashboard.store.textmatch import TextHits

GRID_MAX_ZOOM = 4
"""Up to this Leaflet zoom the dashboard draws cells when more places match than it draws markers."""


def degrees_for_zoom(zoom: int) -> float:
    """Cell size for a Leaflet zoom: 22.5 degrees at zoom 2, halving with each step in (a few dozen px)."""
    return 360.0 / 2 ** (max(0, min(zoom, 12)) + 2)


def grid_cells(
    conn: Connection, dialect: str, f: Filters, degrees: float, *, hits: TextHits | None = None
) -> list[GridCell]:
    """Every matching place summed into cells of ``degrees``, most articles first (``hits``: a text
    search's matches, :mod:`dashboard.store.textmatch`)."""
    if not degrees > 0:
        raise ValueError("grid cells need a positive size in degrees")
    rows = rollups.place_points(conn, f)
    if rows is None:
        w = mentions_where(f, dialect, hits=hits)
        rows = conn.all(
            "SELECT p.name, p.lat, p.lon, x.n FROM (SELECT ap.place_id, COUNT(*) AS n FROM article_places ap"
            f" {w.sql} GROUP BY ap.place_id) x JOIN places p ON p.id = x.place_id", w.params)
    cells: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    tops: dict[tuple[int, int], tuple[int, str]] = {}
    for name, lat, lon, n in rows:
        n = int(n)
        key = (math.floor((lat + 90) / degrees), math.floor(((lon + 180) % 360) / degrees))
        c = cells[key]
        c[0] += n
        c[1] += 1
        c[2] += n * lat
        c[3] += n * lon
        if n > tops.get(key, (-1, ""))[0]:
            tops[key] = (n, name)
    out = [GridCell(c[2] / c[0], c[3] / c[0], int(c[0]), int(c[1]), tops[key][1]) for key, c in cells.items() if c[0]]
    return sorted(out, key=lambda g: (-g.articles, g.lat, g.lon))
