"""Offline first, online only for what the offline index does not know.

The offline gazetteer is fast, private and always there; the online service is
slow, rate limited and sometimes down.  :class:`FallbackGeocoder` asks the
online one only on a miss, and when it fails the run goes on with the offline
answer (a warning, not a crash) unless the caller asked to be ``strict``.
After a few failures in a row the online service is left alone for a while,
so a dead server costs one timeout per cool-down, not one per article.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, TypeAlias

from geopy.exc import GeopyError
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from dashboard.errors import ConfigurationError, GeocodeError
from dashboard.geocode.online import translate_error

logger = logging.getLogger(__name__)

Answer: TypeAlias = "Location | list[Location] | None"


def _found(answer: Answer) -> bool:
    return bool(answer)


def _describe(geocoder: Geocoder) -> tuple[str, str]:
    """Service and server names for messages, from our geocoder or any geopy one."""
    service = getattr(geocoder, "service", None) or type(geocoder).__name__
    domain = getattr(geocoder, "domain", None) or "?"
    return str(service), str(domain)


class FallbackGeocoder(Geocoder):
    """A geopy ``Geocoder`` that asks ``primary`` first and ``online`` only when it finds nothing.

    Parameters
    ----------
    primary
        Usually the offline gazetteer geocoder; any geopy ``Geocoder`` works.
        Its errors propagate: a broken offline index is a bug to see, not to hide.
    online
        Usually :class:`~dashboard.geocode.online.OnlineGeocoder`.
    strict
        ``False`` (default): an online failure is logged as a warning and the
        primary's answer (nothing) is returned.  ``True``: the typed
        :class:`~dashboard.errors.GeocodeError` is raised.
    max_failures, cooldown_seconds
        In the default mode, after ``max_failures`` online failures in a row the
        online service is skipped for ``cooldown_seconds``.  ``None`` never skips.
    """

    def __init__(
        self,
        primary: Geocoder,
        online: Geocoder,
        *,
        strict: bool = False,
        max_failures: int | None = 3,
        cooldown_seconds: float = 300.0,
    ) -> None:
        for role, geocoder in (("primary", primary), ("online", online)):
            if not callable(getattr(geocoder, "geocode", None)):
                raise ConfigurationError(
                    f"the {role} geocoder {geocoder!r} has no geocode(); pass a geopy Geocoder"
                )
        if max_failures is not None and max_failures < 1:
            raise ConfigurationError(f"max_failures must be 1 or more (or None), not {max_failures!r}")
        if cooldown_seconds < 0:
            raise ConfigurationError(f"cooldown_seconds must be zero or more, not {cooldown_seconds!r}")
        shared = getattr(online, "adapter", None)
        super().__init__(adapter_factory=(lambda **_: shared) if shared is not None else None)
        self.primary = primary
        self.online = online
        self.strict = strict
        self.max_failures = max_failures
        self.cooldown_seconds = float(cooldown_seconds)
        self._lock = threading.Lock()
        self._failures = 0
        self._skip_until = 0.0

    def __repr__(self) -> str:
        return f"FallbackGeocoder({self.primary!r}, {self.online!r}, strict={self.strict})"

    def geocode(
        self, query: Any, *, exactly_one: bool = True, language: str | None = None, **kwargs: Any
    ) -> Answer:
        """The primary's answer if it has one, else the online service's.

        Extra keyword arguments (``timeout``, ``country`` ...) go to both geocoders.
        """
        if language is not None:
            kwargs["language"] = language
        first = self.primary.geocode(query, exactly_one=exactly_one, **kwargs)
        if _found(first):
            return first
        return self._ask_online("geocode", query, first, exactly_one=exactly_one, **kwargs)

    def reverse(
        self, query: Any, *, exactly_one: bool = True, language: str | None = None, **kwargs: Any
    ) -> Answer:
        """Reverse geocoding with the same fallback; a primary without ``reverse`` counts as a miss."""
        if language is not None:
            kwargs["language"] = language
        primary_reverse = getattr(self.primary, "reverse", None)
        first: Answer = None if exactly_one else []
        if callable(primary_reverse):
            first = primary_reverse(query, exactly_one=exactly_one, **kwargs)
            if _found(first):
                return first
        return self._ask_online("reverse", query, first, exactly_one=exactly_one, **kwargs)

    @property
    def online_paused(self) -> bool:
        """Whether the online service is being skipped after repeated failures."""
        with self._lock:
            return time.monotonic() < self._skip_until

    def _ask_online(self, kind: str, query: Any, fallback: Answer, **kwargs: Any) -> Answer:
        if not self.strict and self.online_paused:
            logger.debug("online geocoder paused after failures; %s %r stays unresolved", kind, query)
            return fallback
        service, domain = _describe(self.online)
        try:
            answer = getattr(self.online, kind)(query, **kwargs)
        except (GeocodeError, GeopyError) as err:
            error = err if isinstance(err, GeocodeError) else translate_error(err, service, domain)
            if self.strict:
                if error is err:
                    raise
                raise error from err
            logger.warning("online %s failed for %r, keeping the offline answer: %s", kind, query, error)
            self._record_failure(error)
            return fallback
        with self._lock:
            self._failures = 0
        return answer

    def _record_failure(self, error: GeocodeError) -> None:
        with self._lock:
            self._failures += 1
            if self.max_failures is None or self._failures < self.max_failures:
                return
            self._failures = 0
            self._skip_until = time.monotonic() + self.cooldown_seconds
        logger.warning(
            "online geocoder failed %d times in a row (last: %s); not asking it for %.0f s",
            self.max_failures,
            error,
            self.cooldown_seconds,
        )
