"""Reaching a Dask cluster: a running scheduler (``tcp://HOST:8786``) or a local one started for the run.

Dask is an optional extra (``pip install 'news-map-dashboard[bulk]'``); this
module imports it only when asked, so the one-process ingest never needs it,
and says how to install it when it is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dashboard.errors import ConfigurationError

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'news-map-dashboard[bulk]' (Dask distributed, bokeh for its dashboard, pyarrow)"


def require_dask() -> None:
    """Fail with the install command when Dask's distributed scheduler is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError as err:
        raise ConfigurationError(f"--scheduler needs Dask: {INSTALL_HINT}") from err


def check_address(scheduler: str) -> str:
    """``local`` or a scheduler address such as ``tcp://10.0.0.5:8786``; anything else is a clear error."""
    if scheduler == "local" or "://" in scheduler:
        return scheduler
    if ":" in scheduler:  # HOST:PORT, as people type it
        return f"tcp://{scheduler}"
    raise ConfigurationError(f"--scheduler {scheduler!r}: give tcp://HOST:8786 (a running `dask scheduler`) "
                             "or local (a cluster of --workers processes on this machine)")


@contextmanager
def connect(scheduler: str, workers: int = 2, *, dashboard_address: str | None = ":8787") -> Iterator[Any]:
    """A ``distributed.Client``: to the scheduler at ``scheduler``, or to a new local cluster of processes.

    The local cluster has ``workers`` single-threaded worker processes (the
    geoparser is pure Python: threads would share one core) and Dask's own
    dashboard on port 8787 (another free port when that is taken).
    """
    require_dask()
    from distributed import Client, LocalCluster

    # Dask logs at INFO by default; follow our -v instead (warnings and errors still show).
    logging.getLogger("distributed").setLevel(max(logging.getLogger().getEffectiveLevel(), logging.INFO))
    address = check_address(scheduler)
    if address == "local":
        import dask

        # one task per worker thread at a time: when a worker dies, only the task it was running is suspected
        with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   dashboard_address=dashboard_address, silence_logs=logging.ERROR)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(address, timeout="15s")
    except (OSError, TimeoutError) as err:
        raise ConfigurationError(f"cannot reach the Dask scheduler at {address}: {err}") from err
    try:
        yield client
    finally:
        client.close()
