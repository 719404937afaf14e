"""The one exception tree of the project.

Every error the library raises on purpose derives from :class:`DashboardError`,
and each subclass also inherits the matching built-in so that callers who only
know the standard library can still catch it (``except TimeoutError``).
Third-party errors are translated once, at the boundary, with ``raise ... from``.
"Nothing found" is never an exception: it is ``None`` or an empty list.
"""

from __future__ import annotations


class DashboardError(Exception):
    """Root of every error this project raises deliberately."""


class ConfigurationError(DashboardError, ValueError):
    """A setting, URL or option is wrong; the message says how to fix it."""


class InputError(DashboardError, ValueError):
    """User input (a file, a record, a query) cannot be used as given."""


# --- place index ---------------------------------------------------------


class PlaceIndexError(DashboardError, RuntimeError):
    """The offline place index is missing, unreadable or was built by another version."""


class IndexBuildError(PlaceIndexError):
    """The place index could not be built from the installed packages' data."""


# --- geocoding -----------------------------------------------------------


class GeocodeError(DashboardError, RuntimeError):
    """An online geocoder failed; the message names the service."""


class GeocodeTimeout(GeocodeError, TimeoutError):
    """The online geocoder did not answer in time."""


class GeocodeRateLimited(GeocodeError):
    """The online geocoder refused the request because of its rate limit (HTTP 429)."""


class GeocodeUnavailable(GeocodeError, ConnectionError):
    """The online geocoder is unreachable or answered with a server error."""


# --- store and ingest ----------------------------------------------------


class StoreError(DashboardError, RuntimeError):
    """The store cannot be opened, migrated or queried."""


class IngestError(DashboardError, RuntimeError):
    """One record of a source could not be ingested; carries where it came from."""

    def __init__(self, message: str, *, source: str = "", position: str = "") -> None:
        super().__init__(message)
        self.source = source
        self.position = position

    def __str__(self) -> str:
        where = ":".join(p for p in (self.source, self.position) if p)
        base = super().__str__()
        return f"{where}: {base}" if where else base


class FetchError(IngestError, ConnectionError):
    """A network fetch (feed, page) failed after retries."""


class ClusterError(DashboardError, RuntimeError):
    """The Dask cluster of a bulk run went away; committed partitions stay, a re-run does the rest."""


class TopicRulesError(DashboardError, ValueError):
    """A topic rules file is malformed; the message names the file and line."""
