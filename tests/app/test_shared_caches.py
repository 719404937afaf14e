"""Query results are shared by every session of a server, and forgotten when the store changes.

Issue 14: with ten sessions opening during an ingest, the zoomed-out map's grid
query ran again for every session.  It is now cached like the other queries
(``dashboard/app/state.py``), so it must also be forgotten with them after a
correction or an ingest from the app (``invalidate_queries``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from streamlit.testing.v1 import AppTest

import dashboard
from dashboard.app import state
from dashboard.models import Article, GeoparseResult, Mention, Place
from dashboard.store import open_store

APP = str(Path(dashboard.__file__).resolve().parent / "app" / "main.py")
LIMA = Place("gn:3936456", "Lima", "city", -12.04318, -77.02824, 3936456, "PE", "15", 7737002)


def _add_lima(url: str) -> None:
    text = "Lima: a test article about the harbour."
    store = open_store(url)
    try:
        store.add_article(Article(text, "Harbour news", published=datetime(2022, 9, 17, 8, tzinfo=UTC), lang="en",
                                  source="Test Wire"),
                          GeoparseResult("en", (Mention(0, 4, "Lima", LIMA, "dateline", 0.9),)), ())
    finally:
        store.close()


def _grid_caption() -> str:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["z"] = "2"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return next(c.value for c in at.caption if "grid cells" in c.value)


def test_grid_cells_are_shared_by_sessions_and_forgotten_with_the_other_queries(fresh_env: str,
                                                                                  monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_MAX_MARKERS", "1")  # zoomed out with more places than markers: the grid
    state.invalidate_queries()
    first = state.grid_cells(fresh_env, state.Filters(), 90.0)
    assert any(c.articles for c in first)
    _add_lima(fresh_env)  # another session's ingest writes to the same SQLite file
    assert state.grid_cells(fresh_env, state.Filters(), 90.0) == first  # shared result, not asked again
    state.invalidate_queries()
    after = state.grid_cells(fresh_env, state.Filters(), 90.0)
    assert sum(c.articles for c in after) == sum(c.articles for c in first) + 1


def test_two_sessions_on_the_zoomed_out_map_show_the_same_grid(fresh_env: str, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_MAX_MARKERS", "1")
    state.invalidate_queries()
    one = _grid_caption()
    assert one == _grid_caption()
