"""The optional online geocoder: geopy's Nominatim or Photon, rate limited and cached.

It is the fallback for what the offline gazetteer does not know, off by default
because it sends place names to a third party and public Nominatim allows one
request per second.  Nothing here speaks HTTP: geopy's ``Nominatim``/``Photon``
build requests and parse answers, its ``RateLimiter`` spaces them,
:mod:`dashboard.geocode.cache` remembers them, and geopy's exceptions stop here
(:func:`translate_error`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import geopy
from geopy import exc as gexc
from geopy.adapters import BaseSyncAdapter, RequestsAdapter, URLLibAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim, Photon
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from dashboard import __version__
from dashboard.errors import (
    ConfigurationError,
    GeocodeError,
    GeocodeRateLimited,
    GeocodeTimeout,
    GeocodeUnavailable,
    InputError,
)
from dashboard.geocode import cache as geocache

logger = logging.getLogger(__name__)

SERVICES: tuple[str, ...] = ("nominatim", "photon")
DEFAULT_DOMAINS: dict[str, str] = {"nominatim": "nominatim.openstreetmap.org", "photon": "photon.komoot.io"}
USER_AGENT_ENV = "DASHBOARD_GEOCODER_USER_AGENT"
#: Set once the project has a public home; Nominatim asks agents to say where to find the app.
PROJECT_URL: str | None = None
#: Longest ``Retry-After`` we are willing to wait for; longer ones fail at once.
MAX_RETRY_AFTER = 30.0
_PHOTON_COUNTRY_WINDOW = 10
#: geopy errors that mean "the server understood and said no", not "the server is unwell".
_REJECTED = (gexc.GeocoderQueryError, gexc.GeocoderAuthenticationFailure, gexc.GeocoderInsufficientPrivileges)

_LIMITERS: dict[tuple[str, str, float], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def default_user_agent() -> str:
    """``$DASHBOARD_GEOCODER_USER_AGENT``, else ``news-map-dashboard/<version> (...)``.

    Nominatim's policy asks for an agent naming the application (geopy's default
    is refused); operators should set one with a contact address.
    """
    if env := os.environ.get(USER_AGENT_ENV, "").strip():
        return env
    agent = f"news-map-dashboard/{__version__}"
    return f"{agent} (+{PROJECT_URL})" if PROJECT_URL else f"{agent} (python-geopy/{geopy.__version__})"


def _no_retry_adapter(*, proxies: Any, ssl_context: Any) -> BaseSyncAdapter:
    """geopy's HTTP adapter without hidden retries.

    geopy's default ``RequestsAdapter`` retries through urllib3, which sleeps on
    a 429's ``Retry-After`` inside the request (an hour, if the server says so).
    :meth:`OnlineGeocoder._call` decides about retries instead, with a bound.
    """
    if RequestsAdapter.is_available:
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)
    return URLLibAdapter(proxies=proxies, ssl_context=ssl_context)  # pragma: no cover


def _dispatch(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _shared_limiter(scheme: str, domain: str, min_delay: float) -> RateLimiter:
    """One limiter per server, so several geocoder objects (Streamlit sessions) share the spacing."""
    with _LIMITERS_LOCK:
        if (scheme, domain, min_delay) not in _LIMITERS:
            # max_retries=0: OnlineGeocoder._call retries, and only what is worth retrying.
            limiter = RateLimiter(
                _dispatch, min_delay_seconds=min_delay, max_retries=0, swallow_exceptions=False
            )
            _LIMITERS[scheme, domain, min_delay] = limiter
        return _LIMITERS[scheme, domain, min_delay]


def translate_error(
    err: Exception, service: str, domain: str, *, timeout: float | None = None
) -> GeocodeError:
    """The project's error for a geopy error, naming the service and server.

    geopy maps HTTP 503/504 to ``GeocoderTimedOut``; the status code geopy chains
    as ``__cause__`` makes every 5xx read as "unavailable" instead.
    """
    where = f"{service} at {domain}"
    status = getattr(err.__cause__, "status_code", None)
    detail = str(err) or type(err).__name__
    if status == 429 or isinstance(err, gexc.GeocoderRateLimited):
        retry_after = getattr(err, "retry_after", None)
        hint = f", retry after {retry_after} s" if retry_after else ""
        return GeocodeRateLimited(
            f"{where} refused the request because of its rate limit (HTTP 429{hint}); "
            "slow down with a larger min_delay_seconds or use a self-hosted server"
        )
    if isinstance(status, int) and 500 <= status < 600:
        return GeocodeUnavailable(f"{where} answered with a server error (HTTP {status}): {detail}")
    if isinstance(err, gexc.GeocoderTimedOut):
        within = f" within {timeout:g} s" if timeout else ""
        return GeocodeTimeout(f"{where} did not answer{within}: {detail}")
    if isinstance(err, _REJECTED + (gexc.GeocoderQuotaExceeded, gexc.GeocoderParseError)):
        code = f" (HTTP {status})" if status else ""
        return GeocodeError(f"{where} rejected the request{code}: {detail}")
    if isinstance(err, gexc.GeocoderServiceError):
        return GeocodeUnavailable(f"{where} is unreachable: {detail}")
    return GeocodeError(f"{where} failed: {detail}")


def _check_config(
    service: str, domain: str | None, scheme: str, user_agent: str | None, timeout: float, min_delay: float
) -> tuple[str, str, str, str]:
    """Validate settings up front, so a typo fails at start-up with a fix, not mid-batch."""
    name = service.strip().lower() if isinstance(service, str) else ""
    if name not in SERVICES:
        raise ConfigurationError(f"unknown online geocoder {service!r}: use one of {', '.join(SERVICES)}")
    if scheme not in ("http", "https"):
        raise ConfigurationError(f"online geocoder scheme {scheme!r} is not supported: use 'https' or 'http'")
    host = (DEFAULT_DOMAINS[name] if domain is None else str(domain)).strip().rstrip("/")
    if "://" in host:
        raise ConfigurationError(f"domain {domain!r} has a scheme: use domain='host:port', scheme='http'")
    if not host or any(c.isspace() for c in host):
        raise ConfigurationError(f"domain {domain!r} is not a host: use e.g. 'host:8080' or leave it unset")
    agent = (default_user_agent() if user_agent is None else str(user_agent)).strip()
    if not agent or agent.lower().startswith("geopy/") or agent == "my-application":
        raise ConfigurationError(
            f"user agent {user_agent!r} is refused: Nominatim's policy asks for one that names your "
            f"application, e.g. 'my-newsroom-map/1.0 (you@example.org)'; leave it unset or set ${USER_AGENT_ENV}"
        )
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigurationError(f"the online geocoder timeout must be positive seconds, not {timeout!r}")
    if not isinstance(min_delay, int | float) or min_delay < 0:
        raise ConfigurationError(f"min_delay_seconds must be zero or more seconds, not {min_delay!r}")
    if name == "nominatim" and host == DEFAULT_DOMAINS[name] and min_delay < 1.0:
        raise ConfigurationError(
            f"the public Nominatim server allows at most one request per second: "
            f"use min_delay_seconds >= 1.0 (got {min_delay!r}) or a self-hosted server"
        )
    return name, host, scheme, agent


def _as_list(answer: Location | list[Location] | None) -> list[Location]:
    return [] if answer is None else list(answer) if isinstance(answer, list) else [answer]


def _photon_country(location: Location) -> str:
    return str((location.raw.get("properties") or {}).get("countrycode") or "").lower()


def _country_codes(country: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if country is None:
        return None
    codes = [country] if isinstance(country, str) else list(country)
    cleaned = tuple(sorted({c.strip().lower() for c in codes if c and c.strip()}))
    if any(len(c) != 2 or not c.isalpha() for c in cleaned):
        raise InputError(f"country filter {country!r} must be ISO 3166-1 alpha-2 codes such as 'de' or 'kz'")
    return cleaned or None


class OnlineGeocoder(Geocoder):
    """geopy's Nominatim or Photon behind a rate limiter, a persistent cache and typed errors.

    A geopy ``Geocoder`` itself: answers are ``Location`` objects (the service's
    answer in ``.raw``), ``None``/``[]`` when nothing is found, and failures
    raise :class:`~dashboard.errors.GeocodeError` subclasses.

    Parameters
    ----------
    service
        ``"nominatim"`` or ``"photon"``.
    domain, scheme
        A self-hosted server, e.g. ``domain="127.0.0.1:8080", scheme="http"``;
        ``None`` means the service's public server.
    user_agent
        Sent with every request; the public Nominatim rejects generic agents.
    timeout
        Seconds to wait for one answer.
    min_delay_seconds
        Spacing between requests to the same server, shared by all instances.
    max_retries, error_wait_seconds
        Server errors (5xx, refused connections) and HTTP 429 are retried this
        many times after this pause (or the server's ``Retry-After`` up to
        ``MAX_RETRY_AFTER``).  Timeouts are not retried, so one call takes at
        most about ``(1 + max_retries) * (timeout + max(error_wait_seconds, min_delay_seconds))``.
    cache
        Where answers are remembered; ``None`` asks the network every time.
    """

    def __init__(
        self,
        service: str = "nominatim",
        *,
        domain: str | None = None,
        scheme: str = "https",
        user_agent: str | None = None,
        timeout: float = 10.0,
        min_delay_seconds: float = 1.0,
        max_retries: int = 1,
        error_wait_seconds: float = 2.0,
        cache: geocache.GeocodeCache | None = None,
    ) -> None:
        name, host, scheme, agent = _check_config(
            service, domain, scheme, user_agent, timeout, min_delay_seconds
        )
        if not isinstance(max_retries, int) or not 0 <= max_retries <= 5:
            raise ConfigurationError(f"max_retries must be an integer from 0 to 5, not {max_retries!r}")
        if error_wait_seconds < 0:
            raise ConfigurationError(f"error_wait_seconds must be zero or more, not {error_wait_seconds!r}")
        common: dict[str, Any] = {"scheme": scheme, "timeout": timeout, "user_agent": agent}
        try:
            service_cls = Nominatim if name == "nominatim" else Photon
            self._service: Nominatim | Photon = service_cls(
                domain=host, adapter_factory=_no_retry_adapter, **common
            )
        except gexc.GeopyError as err:
            raise ConfigurationError(f"{name} at {host} cannot be configured: {err}") from err
        # Share the inner geocoder's HTTP session instead of opening a second one.
        super().__init__(adapter_factory=lambda **_: self._service.adapter, **common)
        self.service = name
        self.domain = host
        self.user_agent = agent
        self.min_delay_seconds = float(min_delay_seconds)
        self.max_retries = max_retries
        self.error_wait_seconds = float(error_wait_seconds)
        self.cache = cache
        self._limiter = _shared_limiter(scheme, host, self.min_delay_seconds)

    def __repr__(self) -> str:
        return f"OnlineGeocoder({self.service!r}, domain={self.domain!r}, scheme={self.scheme!r})"

    def geocode(
        self,
        query: str | Mapping[str, str],
        *,
        exactly_one: bool = True,
        language: str | None = None,
        country_codes: str | Iterable[str] | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> Location | list[Location] | None:
        """Find a place by name (or, for Nominatim, a structured ``{"city": ..., "country": ...}``).

        ``country_codes`` restricts results to ISO alpha-2 codes: Nominatim filters on
        the server, for Photon (which cannot) we ask for a few results and keep
        the matching ones.
        """
        if isinstance(query, Mapping):
            if self.service != "nominatim":
                raise InputError(f"{self.service} does not take structured queries; pass a string")
            q: str | dict[str, str] = {k: w for k, v in query.items() if (w := " ".join(str(v).split()))}
        else:
            q = " ".join(str(query).split())
        if not q:
            return None if exactly_one else []
        codes = _country_codes(country_codes)
        lang = language.strip().lower() if language else None
        if limit is not None and limit < 1:
            raise InputError(f"limit must be 1 or more, not {limit!r}")
        want = 1 if exactly_one else limit
        key = geocache.geocode_key(q, lang, codes, want)
        kwargs: dict[str, Any] = {"exactly_one": False, "language": lang or False, "timeout": timeout}
        if self.service == "nominatim":
            kwargs.update(limit=want, addressdetails=True, country_codes=list(codes or ()))
        else:
            kwargs["limit"] = max(want or 0, _PHOTON_COUNTRY_WINDOW) if codes else want

        def fetch() -> list[Location]:
            found = _as_list(self._call(self._service.geocode, q, **kwargs))
            if codes and self.service == "photon":  # Photon cannot filter by country itself
                found = [loc for loc in found if _photon_country(loc) in codes]
            return found[:want] if want else found

        return self._answer("geocode", key, fetch, exactly_one)

    def reverse(
        self,
        query: Point | tuple[float, float] | str,
        *,
        exactly_one: bool = True,
        language: str | None = None,
        timeout: float | None = None,
    ) -> Location | list[Location] | None:
        """Describe the place at a coordinate pair ``(lat, lon)``."""
        try:
            point = Point(query)
        except (ValueError, TypeError) as err:
            raise InputError(f"reverse geocoding needs a (latitude, longitude) pair, not {query!r}") from err
        lang = language.strip().lower() if language else None
        key = geocache.reverse_key(point.latitude, point.longitude, lang, exactly_one)
        kwargs: dict[str, Any] = {"exactly_one": exactly_one, "language": lang or False, "timeout": timeout}

        def fetch() -> list[Location]:
            coords = (point.latitude, point.longitude)
            return _as_list(self._call(self._service.reverse, coords, **kwargs))

        return self._answer("reverse", key, fetch, exactly_one)

    def _answer(
        self, kind: str, key: str, fetch: Callable[[], list[Location]], exactly_one: bool
    ) -> Location | list[Location] | None:
        hit = self.cache.get(self.service, self.domain, kind, key) if self.cache is not None else None
        if hit is not None:
            logger.debug("%s %s cache hit for %s", self.service, kind, key)
            found = list(hit.locations)
        else:
            found = fetch()
            if self.cache is not None:
                self.cache.put(self.service, self.domain, kind, key, found)
        if exactly_one:
            return found[0] if found else None
        return found

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One request through the shared rate limiter, retrying only what may succeed later."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        for attempt in range(self.max_retries + 1):
            try:
                return self._limiter(method, *args, **kwargs)
            except gexc.GeopyError as err:
                error = translate_error(err, self.service, self.domain, timeout=kwargs["timeout"])
                wait = self._retry_wait(error, err)
                if attempt >= self.max_retries or wait is None:
                    raise error from err
                logger.info("%s; retry %d/%d in %.2f s", error, attempt + 1, self.max_retries, wait)
                time.sleep(wait)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                raise GeocodeError(f"{self.service} at {self.domain} answered oddly: {err!r}") from err
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_wait(self, error: GeocodeError, err: gexc.GeopyError) -> float | None:
        if isinstance(error, GeocodeRateLimited):
            retry_after = getattr(err, "retry_after", None) or 0.0
            if retry_after > MAX_RETRY_AFTER:
                return None
            return max(self.error_wait_seconds, float(retry_after))
        if isinstance(error, GeocodeUnavailable):
            return self.error_wait_seconds
        return None


def make_online_geocoder(
    service: str = "nominatim",
    *,
    domain: str | None = None,
    scheme: str = "https",
    user_agent: str | None = None,
    timeout: float = 10.0,
    min_delay_seconds: float = 1.0,
    cache_path: str | Path | None = None,
    use_cache: bool = True,
    max_retries: int = 1,
    error_wait_seconds: float = 2.0,
    positive_ttl: float = geocache.DEFAULT_POSITIVE_TTL,
    negative_ttl: float = geocache.DEFAULT_NEGATIVE_TTL,
) -> OnlineGeocoder:
    """Build the online fallback the CLI and the app use, with its on-disk cache.

    ``cache_path`` defaults to ``<data_dir>/cache/geocode.sqlite``; ``use_cache=False``
    asks the network every time; answers with results are reused for ``positive_ttl``
    seconds (90 days), "nothing found" for ``negative_ttl`` (7 days).  The other
    settings are :class:`OnlineGeocoder`'s.  Raises ``ConfigurationError`` for an
    unknown service, a generic user agent, a bad scheme or domain, or an unusable cache file.
    """
    geocoder = OnlineGeocoder(
        service,
        domain=domain,
        scheme=scheme,
        user_agent=user_agent,
        timeout=timeout,
        min_delay_seconds=min_delay_seconds,
        max_retries=max_retries,
        error_wait_seconds=error_wait_seconds,
    )
    # Built after the settings are checked, so a typo does not leave a stray cache file.
    if use_cache:
        geocoder.cache = geocache.GeocodeCache(
            cache_path, positive_ttl=positive_ttl, negative_ttl=negative_ttl
        )
    return geocoder
