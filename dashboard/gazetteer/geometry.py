"""Plane and sphere geometry for the place index: centroids, hulls, bounding boxes.

Kept apart from the builder because each choice here (which point stands for a
country, a division, a region) was measured on the dev halves of the gold corpora
and is documented in README.md.
"""

from __future__ import annotations

import math
import statistics
from typing import Any


def sphere_mean(points: list[tuple[float, float]], weights: list[float] | None = None) -> tuple[float, float]:
    """Weighted mean of points on the sphere (safe across the antimeridian)."""
    weights = weights or [1.0] * len(points)
    x = y = z = 0.0
    for (lat, lon), w in zip(points, weights):
        la, lo = math.radians(lat), math.radians(lon)
        x += w * math.cos(la) * math.cos(lo)
        y += w * math.cos(la) * math.sin(lo)
        z += w * math.sin(la)
    n = sum(weights)
    x, y, z = x / n, y / n, z / n
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def main_centroid(geom: dict[str, Any]) -> tuple[float, float] | None:
    """Area centroid of a country's largest polygon: its geographic centre, the point maps
    and encyclopaedias put a country at (not the centre of its bounding box, which falls
    into the sea for a curved coast, nor the mean of its overseas territories).  Where no
    polygon holds half the area, the area-weighted centroid of all its sizeable parts."""
    polys = geom.get("coordinates") or []
    if geom.get("type") == "Polygon":
        polys = [polys]
    parts: list[tuple[float, float, float]] = []
    for poly in polys:
        ring = poly[0] if poly else []
        a = cx = cy = 0.0
        for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:]):
            c = x0 * y1 - x1 * y0
            a += c
            cx += (x0 + x1) * c
            cy += (y0 + y1) * c
        if a:
            parts.append((cy / (3 * a), cx / (3 * a), abs(a)))
    if not parts:
        return None
    largest = max(parts, key=lambda p: p[2])
    total = sum(p[2] for p in parts)
    if largest[2] >= 0.5 * total:
        return largest[0], largest[1]
    # An archipelago (Indonesia, the Philippines): no island is the country; weigh them all.
    big = [p for p in parts if p[2] >= 0.01 * largest[2]]
    area = sum(p[2] for p in big)
    return sum(p[0] * p[2] for p in big) / area, sum(p[1] * p[2] for p in big) / area


def territory_centre(pts: list[tuple[float, float]]) -> tuple[float, float]:
    """Approximate geographic centre of a division from its settlements.

    The area centroid of the convex hull of its towns (the outermost 0.5 % on each side
    dropped, so a far island does not pull it; chosen on the dev halves) stands in for the centroid of the
    division's polygon, which no installed package ships.  It is much closer to the centre
    that maps and encyclopaedias give than the population centre (the median town), which
    sits on the populated coast of Queensland or New South Wales.
    """
    pts = drop_stray_groups(pts)
    lats = sorted(p[0] for p in pts)
    lons = sorted(p[1] for p in pts)
    lo, hi = int(0.005 * (len(pts) - 1)), int(round(0.995 * (len(pts) - 1)))
    if lons[hi] - lons[lo] > 180:  # straddles the antimeridian: fall back to the median
        return statistics.median(lats), statistics.median(lons)
    kept = sorted({(lon, lat) for lat, lon in pts
                   if lats[lo] <= lat <= lats[hi] and lons[lo] <= lon <= lons[hi]})
    hull = convex_hull(kept)
    if len(hull) < 3:
        return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(hull, hull[1:] + hull[:1]):
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    if not a:
        return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2
    return cy / (3 * a), cx / (3 * a)


def drop_stray_groups(pts: list[tuple[float, float]], gap: float = 5.0,
                       share: float = 0.05) -> list[tuple[float, float]]:
    """Drop small groups of towns separated from the rest by more than ``gap`` degrees of
    latitude or longitude: GeoNames files a few towns under the wrong division (Inner
    Mongolian towns under Xinjiang), and they would stretch the hull far away."""
    for axis in (0, 1):
        ordered = sorted(pts, key=lambda p: p[axis])
        groups: list[list[tuple[float, float]]] = [[ordered[0]]]
        for a, b in zip(ordered, ordered[1:]):
            if b[axis] - a[axis] > gap:
                groups.append([])
            groups[-1].append(b)
        biggest = max(groups, key=len)
        pts = [p for g in groups if g is biggest or len(g) >= share * len(ordered) for p in g]
    return pts


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain over sorted (x, y) points."""
    if len(points) < 3:
        return points

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def geometry_bbox(geom: dict[str, Any]) -> tuple[float, float, float, float] | None:
    lats: list[float] = []
    lons: list[float] = []

    def walk(c: Any) -> None:
        if c and isinstance(c[0], (int, float)):
            lons.append(c[0])
            lats.append(c[1])
        else:
            for sub in c:
                walk(sub)

    walk(geom.get("coordinates") or [])
    return (min(lats), min(lons), max(lats), max(lons)) if lats else None
