"""The optional online geocoder: geopy's Nominatim or Photon, rate limited and cached.

The offline gazetteer answers almost everything; this module is the fallback
for what it does not know.  It is off by default because it sends article
text (place names) to a third party and because the public Nominatim server
allows one request per second.  Nothing here speaks HTTP itself: geopy's
``Nominatim`` and ``Photon`` build the requests and parse the answers, geopy's
``RateLimiter`` spaces them, and :mod:`dashboard.geocode.cache` remembers them.

geopy's exceptions stop here: :func:`translate_error` turns them into the
project's :class:`~dashboard.errors.GeocodeError` family, once.
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
from geopy.adapters import BaseSyncAdapter, RequestsAdapter, URLLibAdapter
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
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
from dashboard.geocode.cache import DEFAULT_NEGATIVE_TTL, DEFAULT_POSITIVE_TTL, GeocodeCache, request_key

logger = logging.getLogger(__name__)

SERVICES: tuple[str, ...] = ("nominatim", "photon")
DEFAULT_DOMAINS: dict[str, str] = {"nominatim": "nominatim.openstreetmap.org", "photon": "photon.komoot.io"}
PUBLIC_NOMINATIM = DEFAULT_DOMAINS["nominatim"]
USER_AGENT_ENV = "DASHBOARD_GEOCODER_USER_AGENT"
#: Set once the project has a public home; Nominatim asks agents to say where to find the app.
PROJECT_URL: str | None = None
#: Longest ``Retry-After`` we are willing to wait for; longer ones fail at once.
MAX_RETRY_AFTER = 30.0
_PHOTON_COUNTRY_WINDOW = 10

_LIMITERS: dict[tuple[str, str, float], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def default_user_agent() -> str:
    """``$DASHBOARD_GEOCODER_USER_AGENT``, else ``news-map-dashboard/<version>`` with the project URL.

    Nominatim's usage policy requires an agent that identifies the application
    and rejects geopy's default one; operators should add a contact address.
    """
    env = os.environ.get(USER_AGENT_ENV, "").strip()
    if env:
        return env
    agent = f"news-map-dashboard/{__version__}"
    return f"{agent} (+{PROJECT_URL})" if PROJECT_URL else f"{agent} (python-geopy/{geopy.__version__})"


def _no_retry_adapter(*, proxies: Any, ssl_context: Any) -> BaseSyncAdapter:
    """geopy's HTTP adapter without hidden retries.

    geopy's default ``RequestsAdapter`` mounts urllib3 retries that obey a
    server's ``Retry-After`` by sleeping inside the request: a 429 with
    ``Retry-After: 3600`` would block for an hour.  Retrying is decided in
    :meth:`OnlineGeocoder._call` instead, where the wait is bounded.
    """
    if RequestsAdapter.is_available:
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)
    return URLLibAdapter(proxies=proxies, ssl_context=ssl_context)  # pragma: no cover


def _dispatch(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _shared_limiter(scheme: str, domain: str, min_delay: float) -> RateLimiter:
    """One limiter per server, so several geocoder objects (Streamlit sessions) share the spacing."""
    key = (scheme, domain, min_delay)
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None:
            limiter = RateLimiter(
                _dispatch,
                min_delay_seconds=min_delay,
                max_retries=0,  # we retry ourselves, and only what is worth retrying
                error_wait_seconds=min_delay,
                swallow_exceptions=False,
            )
            _LIMITERS[key] = limiter
        return limiter


def translate_error(
    err: Exception, service: str, domain: str, *, timeout: float | None = None
) -> GeocodeError:
    """The project's error for a geopy error, naming the service and server.

    geopy maps HTTP 503/504 to ``GeocoderTimedOut``; we look at the status code
    that geopy chains as ``__cause__`` so every 5xx reads as "unavailable".
    """
    where = f"{service} at {domain}"
    status = getattr(err.__cause__, "status_code", None)
    detail = str(err) or type(err).__name__
    if status == 429 or isinstance(err, GeocoderRateLimited):
        retry_after = getattr(err, "retry_after", None)
        hint = f", retry after {retry_after} s" if retry_after else ""
        return GeocodeRateLimited(
            f"{where} refused the request because of its rate limit (HTTP 429{hint}); "
            "slow down with a larger min_delay_seconds or use a self-hosted server"
        )
    if isinstance(status, int) and 500 <= status < 600:
        return GeocodeUnavailable(f"{where} answered with a server error (HTTP {status}): {detail}")
    if isinstance(err, GeocoderTimedOut):
        within = f" within {timeout:g} s" if timeout else ""
        return GeocodeTimeout(f"{where} did not answer{within}: {detail}")
    if isinstance(
        err,
        GeocoderQueryError
        | GeocoderAuthenticationFailure
        | GeocoderInsufficientPrivileges
        | GeocoderQuotaExceeded
        | GeocoderParseError,
    ):
        code = f" (HTTP {status})" if status else ""
        return GeocodeError(f"{where} rejected the request{code}: {detail}")
    if isinstance(err, GeocoderUnavailable | GeocoderServiceError):
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
        raise ConfigurationError(
            f"online geocoder domain {domain!r} contains a scheme: pass the host alone and the scheme "
            "separately, e.g. domain='127.0.0.1:8080', scheme='http'"
        )
    if not host or any(c.isspace() for c in host):
        raise ConfigurationError(
            f"online geocoder domain {domain!r} is not a host name: pass e.g. 'nominatim.example.org' "
            "or '127.0.0.1:8080', or leave it unset for the public server"
        )
    agent = (default_user_agent() if user_agent is None else str(user_agent)).strip()
    if not agent or agent.lower().startswith("geopy/") or agent == "my-application":
        raise ConfigurationError(
            f"online geocoder user agent {user_agent!r} is not allowed: Nominatim's usage policy asks for "
            "one that names your application, e.g. 'my-newsroom-map/1.0 (you@example.org)'; "
            f"leave it unset for the default or set ${USER_AGENT_ENV}"
        )
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigurationError(
            f"online geocoder timeout must be a positive number of seconds, not {timeout!r}"
        )
    if not isinstance(min_delay, int | float) or min_delay < 0:
        raise ConfigurationError(f"min_delay_seconds must be zero or more seconds, not {min_delay!r}")
    if name == "nominatim" and host == PUBLIC_NOMINATIM and min_delay < 1.0:
        raise ConfigurationError(
            f"the public Nominatim server allows at most one request per second: "
            f"use min_delay_seconds >= 1.0 (got {min_delay!r}) or a self-hosted server"
        )
    return name, host, scheme, agent


def _as_list(answer: Location | list[Location] | None) -> list[Location]:
    if answer is None:
        return []
    return list(answer) if isinstance(answer, list) else [answer]


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

    It is itself a geopy ``Geocoder``: ``geocode`` and ``reverse`` return
    ``geopy.location.Location`` (the service's answer in ``.raw``), ``None``
    when nothing is found (``[]`` with ``exactly_one=False``), and raise
    :class:`~dashboard.errors.GeocodeError` subclasses when the service fails.

    Parameters
    ----------
    service
        ``"nominatim"`` or ``"photon"``.
    domain, scheme
        The server, e.g. ``domain="127.0.0.1:8080", scheme="http"`` for a
        self-hosted one; ``None`` means the public server of the service.
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
        cache: GeocodeCache | None = None,
    ) -> None:
        name, host, scheme, agent = _check_config(
            service, domain, scheme, user_agent, timeout, min_delay_seconds
        )
        if not isinstance(max_retries, int) or not 0 <= max_retries <= 5:
            raise ConfigurationError(f"max_retries must be an integer from 0 to 5, not {max_retries!r}")
        if error_wait_seconds < 0:
            raise ConfigurationError(f"error_wait_seconds must be zero or more, not {error_wait_seconds!r}")
        service_cls = Nominatim if name == "nominatim" else Photon
        try:
            self._service: Nominatim | Photon = service_cls(
                domain=host,
                scheme=scheme,
                user_agent=agent,
                timeout=timeout,
                adapter_factory=_no_retry_adapter,
            )
        except GeopyError as err:
            raise ConfigurationError(f"{name} at {host} cannot be configured: {err}") from err
        # Share the inner geocoder's HTTP session instead of opening a second one.
        super().__init__(
            scheme=scheme,
            timeout=timeout,
            user_agent=agent,
            adapter_factory=lambda **_: self._service.adapter,
        )
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
            q: str | dict[str, str] = {k: " ".join(str(v).split()) for k, v in sorted(query.items())}
            key_q: Any = {k: v.casefold() for k, v in q.items()}
        else:
            q = " ".join(str(query).split())
            key_q = q.casefold()
        if not q:
            return None if exactly_one else []
        codes = _country_codes(country_codes)
        lang = language.strip().lower() if language else None
        if limit is not None and limit < 1:
            raise InputError(f"limit must be 1 or more, not {limit!r}")
        want = 1 if exactly_one else limit
        key = request_key({"q": key_q, "language": lang, "country": codes, "limit": want})
        kwargs: dict[str, Any] = {"exactly_one": False, "language": lang or False}
        if self.service == "nominatim":
            kwargs.update(limit=want, addressdetails=True, country_codes=list(codes or ()))
        else:
            kwargs["limit"] = max(want or 0, _PHOTON_COUNTRY_WINDOW) if codes else want
        if timeout is not None:
            kwargs["timeout"] = timeout

        def fetch() -> list[Location]:
            found = _as_list(self._call(self._service.geocode, q, **kwargs))
            if codes and self.service == "photon":
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
        key = request_key(
            {
                "lat": round(point.latitude, 6),
                "lon": round(point.longitude, 6),
                "language": lang,
                "exactly_one": exactly_one,
            }
        )
        kwargs: dict[str, Any] = {"exactly_one": exactly_one, "language": lang or False}
        if timeout is not None:
            kwargs["timeout"] = timeout

        def fetch() -> list[Location]:
            coords = (point.latitude, point.longitude)
            return _as_list(self._call(self._service.reverse, coords, **kwargs))

        return self._answer("reverse", key, fetch, exactly_one)

    def _answer(
        self, kind: str, key: str, fetch: Callable[[], list[Location]], exactly_one: bool
    ) -> Location | list[Location] | None:
        hit = self.cache.get(self.service, self.domain, kind, key) if self.cache else None
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
        timeout = kwargs.get("timeout", self.timeout)
        for attempt in range(self.max_retries + 1):
            try:
                return self._limiter(method, *args, **kwargs)
            except GeopyError as err:
                error = translate_error(err, self.service, self.domain, timeout=timeout)
                wait = self._retry_wait(error, err)
                if attempt >= self.max_retries or wait is None:
                    raise error from err
                logger.info("%s; retry %d/%d in %.2f s", error, attempt + 1, self.max_retries, wait)
                time.sleep(wait)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                raise GeocodeError(
                    f"{self.service} at {self.domain} answered in an unexpected format: {err!r}"
                ) from err
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_wait(self, error: GeocodeError, err: GeopyError) -> float | None:
        if isinstance(error, GeocodeRateLimited):
            retry_after = getattr(err, "retry_after", None) or 0.0
            if retry_after > MAX_RETRY_AFTER:
                return None
            return max(self.error_wait_seconds, float(retry_after))
        if isinstance(error, GeocodeUnavailable):
            return self.error_wait_seconds
        return None


def _photon_country(location: Location) -> str | None:
    props = (location.raw or {}).get("properties") or {}
    code = props.get("countrycode")
    return code.lower() if isinstance(code, str) else None


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
    positive_ttl: float = DEFAULT_POSITIVE_TTL,
    negative_ttl: float = DEFAULT_NEGATIVE_TTL,
) -> OnlineGeocoder:
    """Build the online fallback the CLI and the app use, with its on-disk cache.

    Parameters
    ----------
    service, domain, scheme, user_agent, timeout, min_delay_seconds, max_retries, error_wait_seconds
        See :class:`OnlineGeocoder`.
    cache_path
        The SQLite cache file; ``None`` means ``<data_dir>/cache/geocode.sqlite``.
    use_cache
        ``False`` asks the network every time (for debugging a server).
    positive_ttl, negative_ttl
        Seconds an answer with results (default 90 days) / without (7 days) is reused.

    Raises
    ------
    ConfigurationError
        For an unknown service, an empty or generic user agent, a bad scheme or
        domain, or a cache file that cannot be created.
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
        geocoder.cache = GeocodeCache(cache_path, positive_ttl=positive_ttl, negative_ttl=negative_ttl)
    return geocoder
