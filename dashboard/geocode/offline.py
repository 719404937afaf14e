"""A geopy geocoder that answers from the offline place index.

It subclasses :class:`geopy.geocoders.base.Geocoder`, so everything that works
with geopy (``RateLimiter``, code written for Nominatim) works with it, and it
returns :class:`geopy.location.Location` objects with our fields in ``raw``.
It never touches the network.
"""

from __future__ import annotations

from typing import Any

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from dashboard.gazetteer import PlaceIndex, load_index
from dashboard.models import Candidate, Place


def _raw(place: Place, score: float | None = None, **extra: Any) -> dict[str, Any]:
    raw = place.to_dict()
    if score is not None:
        raw["score"] = score
    raw.update(extra)
    return raw


class OfflineGeocoder(Geocoder):
    """Geocode and reverse-geocode against the offline place index.

    Parameters
    ----------
    index:
        A loaded :class:`~dashboard.gazetteer.PlaceIndex`; the process-wide default when None.
    """

    def __init__(self, index: PlaceIndex | None = None) -> None:
        super().__init__(scheme="https", timeout=1, proxies=None, user_agent="news-map-offline")
        self.index = index or load_index()

    def _address(self, place: Place) -> str:
        parts = [place.name]
        if place.kind == "city" and place.country_code and place.admin1_code:
            a1 = self.index.admin1(place.country_code, place.admin1_code)
            if a1 is not None and a1.name != place.name:
                parts.append(a1.name)
        if place.kind in ("city", "admin1") and place.country_code:
            c = self.index.country(place.country_code)
            if c is not None:
                parts.append(c.name)
        return ", ".join(parts)

    def _location(self, cand: Candidate) -> Location:
        p = cand.place
        return Location(self._address(p), Point(p.lat, p.lon), _raw(p, cand.score))

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        language: str | None = None,
        country_codes: str | None = None,
        limit: int = 10,
        **_: Any,
    ) -> Location | list[Location] | None:
        """Find a place by name, in any language the index knows ("Peking", "Kasachstan").

        ``query`` may carry qualifiers after commas ("Paris, Texas"); ``language`` prefers
        names in that language; ``country_codes`` restricts to one ISO alpha-2 country.
        Nothing found gives None (or ``[]`` with ``exactly_one=False``).
        """
        cands = self.index.search(str(query), lang=language, country=country_codes, limit=limit)
        if exactly_one:
            return self._location(cands[0]) if cands else None
        return [self._location(c) for c in cands]

    def reverse(
        self, query: Any, *, exactly_one: bool = True, language: str | None = None, **_: Any
    ) -> Location | list[Location] | None:
        """The nearest city, first-level division and country of a point ``(lat, lon)``."""
        point = Point(query)
        found = self.index.reverse(point.latitude, point.longitude)
        order = [p for p in (found.get(k) for k in ("city", "admin1", "country")) if isinstance(p, Place)]
        if not order:
            return None if exactly_one else []
        extra = {
            "country": found["country"].to_dict() if isinstance(found["country"], Place) else None,
            "admin1": found["admin1"].to_dict() if isinstance(found["admin1"], Place) else None,
            "city": found["city"].to_dict() if isinstance(found["city"], Place) else None,
            "distance_km": found["distance_km"],
        }
        locs = [Location(self._address(p), Point(p.lat, p.lon), _raw(p, None, **extra)) for p in order]
        return locs[0] if exactly_one else locs
