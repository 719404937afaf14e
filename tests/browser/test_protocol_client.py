"""The concurrency benchmark's protocol-level session (``benchmarks/stclient.py``) against the real server.

The benchmark's figures are only worth something if such a session makes the
server do a real session's work: the page for the link's query string, with the
map component, and the fragment rerun after the map's first answer.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import stclient  # noqa: E402


def test_a_protocol_session_gets_the_whole_page_with_the_map(server) -> None:
    (t,) = stclient.open_sessions_blocking(server.url, [""], timeout=90)
    assert t.errors == []
    assert t.map_s is not None and t.finished_s is not None and t.answered_s is not None
    assert t.map_s <= t.finished_s <= t.answered_s
    assert t.messages > 20 and t.bytes > 10_000  # sidebar, caption, map, article list


def test_protocol_sessions_follow_the_link_and_run_side_by_side(server) -> None:
    runs = stclient.open_sessions_blocking(server.url, ["lang=en", "layer=heatmap", "date=nonsense"], timeout=90)
    assert [r.query for r in runs] == ["lang=en", "layer=heatmap", "date=nonsense"]
    assert all(r.errors == [] and r.answered_s is not None for r in runs), [r.errors for r in runs]


def test_a_session_on_a_server_that_is_not_there_reports_an_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (run,) = stclient.open_sessions_blocking(f"http://127.0.0.1:{port}", [""], timeout=10)
    assert run.map_s is None and run.errors and "Error" in run.errors[0]
