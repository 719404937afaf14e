"""Where things live: the data folder, the default store URL, environment overrides.

Settings come from, in order: a command-line option, an environment variable,
then these defaults.  ``DASHBOARD_DATA_DIR`` moves the data folder (place index,
embedded database, geocoder cache); ``DASHBOARD_DB`` sets the store URL.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DATA = _PACKAGE_DIR.parent / "data"


def data_dir() -> Path:
    """The folder for built artefacts: ``$DASHBOARD_DATA_DIR``, else ``data/`` of the checkout."""
    env = os.environ.get("DASHBOARD_DATA_DIR")
    if env:
        path = Path(env).expanduser()
    elif (_PACKAGE_DIR.parent / "pyproject.toml").exists():
        path = _CHECKOUT_DATA
    else:
        path = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "news-map"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    """``$DASHBOARD_DB``, else the embedded SQLite file ``news.sqlite`` in :func:`data_dir`."""
    return os.environ.get("DASHBOARD_DB") or f"sqlite:///{data_dir() / 'news.sqlite'}"


def index_path() -> Path:
    """The place index file; ``$DASHBOARD_INDEX`` overrides."""
    env = os.environ.get("DASHBOARD_INDEX")
    return Path(env) if env else data_dir() / "index" / "places.pickle"


def topic_rules() -> tuple[tuple[str, ...], str]:
    """The user's topic rules files and how they combine with the shipped ones.

    ``$DASHBOARD_TOPIC_RULES`` names one or more TOML files (separated by
    ``os.pathsep``, ``:`` on Linux); ``$DASHBOARD_TOPIC_RULES_MODE`` is
    ``extend`` (the default: add to and override the shipped rules) or
    ``replace``.  Ingest, ``reparse``, ``topics`` and the app all tag with
    these, so a topic a user adds ("Belt and Road") reaches the store and the
    dashboard's topic filter.
    """
    raw = os.environ.get("DASHBOARD_TOPIC_RULES", "")
    paths = tuple(p.strip() for p in raw.split(os.pathsep) if p.strip())
    mode = os.environ.get("DASHBOARD_TOPIC_RULES_MODE", "").strip().lower() or "extend"
    return paths, mode
