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

from dashboard.models import Filters, GridCell
from dashboard.store.backend import Connection
from dashboard.store.filters import mentions_where
from dashboard.store.rollups import place_rows

GRID_MAX_ZOOM = 4
"""Up to this Leaflet zoom the dashboard draws cells when more places match than it draws markers."""


def degrees_for_zoom(zoom: int) -> float:
    """Cell size for a Leaflet zoom: 22.5 degrees at zoom 2, halving with each step in (a few dozen px)."""
    return 360.0 / 2 ** (max(0, min(zoom, 12)) + 2)


def grid_cells(conn: Connection, dialect: str, f: Filters, degrees: float) -> list[GridCell]:
    """Every matching place summed into cells of ``degrees``, most articles first."""
    if not degrees > 0:
        raise ValueError("grid cells need a positive size in degrees")
    counts = place_rows(conn, f, 1_000_000)
    if counts is not None:
        per_place = {pid: n for pid, n, _, _ in counts}
    else:
        w = mentions_where(f, dialect)
        per_place = dict(conn.all(f"SELECT ap.place_id, COUNT(*) FROM article_places ap {w.sql} GROUP BY ap.place_id",
                                  w.params))
    if not per_place:
        return []
    cells: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    tops: dict[tuple[int, int], tuple[int, str]] = {}
    ids = sorted(per_place)
    for k in range(0, len(ids), 900):
        chunk = ids[k : k + 900]
        for pid, name, lat, lon in conn.all(
                f"SELECT id, name, lat, lon FROM places WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            n = int(per_place[pid])
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
