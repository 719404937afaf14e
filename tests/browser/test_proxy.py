"""``deploy/nginx.conf`` in front of two real ``serve`` replicas: health, sticky routing, the WebSocket, a real page.

Needs Debian's nginx (scripts/system-deps.sh installs it) and chromium.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from proxy_setup import Deployment, start

from dashboard.ingest import ingest
from dashboard.store import open_store

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.skip("Debian's nginx is not installed (run: bash scripts/system-deps.sh)")
    folder = tmp_path_factory.mktemp("proxy")
    db_url = f"sqlite:///{folder / 'news.sqlite'}"
    with open_store(db_url) as store:
        assert ingest(store, [str(ROOT / "seeds")]).added == 1
    dep = start(db_url, folder)
    try:
        yield dep
    finally:
        dep.close()


def _get(url: str, cookie: str | None = None) -> tuple[int, str, str]:
    req = urllib.request.Request(url, headers={"Cookie": f"newsmap_route={cookie}"} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        ours = [c for c in resp.headers.get_all("Set-Cookie") or [] if c.startswith("newsmap_route=")]
        return resp.status, resp.read().decode(), ours[0] if ours else ""


def test_health_through_the_proxy_sets_a_route_cookie(deployment: Deployment) -> None:
    status, body, cookie = _get(f"{deployment.url}/_stcore/health")
    assert (status, body) == (200, "ok")
    assert cookie.startswith("newsmap_route=") and "Path=/news/" in cookie and "HttpOnly" in cookie


def test_a_browser_stays_on_one_replica_and_new_visitors_spread(deployment: Deployment) -> None:
    for _ in range(6):
        _get(f"{deployment.url}/_stcore/health", cookie="visitor-a")
    for _ in range(24):
        _get(f"{deployment.url}/_stcore/health")
    logged = deployment.upstreams()
    assert len({up for _, up, route in logged if route == "visitor-a"}) == 1
    assert {up for _, up, _ in logged} == set(deployment.replicas)


def _handshake(deployment: Deployment, cookie: str) -> str:
    host, _, rest = deployment.url.removeprefix("http://").partition("/")
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /{rest}/_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://{host}\r\n"
               f"Cookie: newsmap_route={cookie}\r\n\r\n")
    with socket.create_connection(tuple(host.split(":")), timeout=10) as s:  # type: ignore[arg-type]
        s.sendall(request.encode())
        return s.recv(4096).decode(errors="replace")


def test_the_websocket_upgrade_reaches_a_replica(deployment: Deployment) -> None:
    answer = _handshake(deployment, "visitor-ws")
    assert answer.startswith("HTTP/1.1 101"), answer[:300]
    assert "upgrade: websocket" in answer.lower()


def test_the_dashboard_loads_through_the_proxy_on_one_replica(deployment: Deployment, browser) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(deployment.url + "/")
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
        frame.locator(".leaflet-interactive, .marker-cluster").first.wait_for(timeout=WAIT_MS)
        route = next(c["value"] for c in ctx.cookies() if c["name"] == "newsmap_route")
    finally:
        ctx.close()
    deadline = time.monotonic() + 30
    while True:  # nginx logs the WebSocket request once the browser has closed it
        mine = [(req, up) for req, up, r in deployment.upstreams() if r == route]
        if any("/_stcore/stream" in req for req, _ in mine) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert any("/_stcore/stream" in req for req, _ in mine)  # the session's WebSocket went through the proxy
    assert len({up for _, up in mine}) == 1, mine  # page, assets and WebSocket all on one replica


def _upstreams_of(deployment: Deployment, route: str, after: int) -> list[str]:
    """Upstreams of the requests with this route logged after the first ``after`` log lines.

    nginx writes the access-log line after the response has gone out, so the line is
    waited for (a deadline, polled) instead of being read at once.
    """
    deadline = time.monotonic() + 10
    while True:
        found = [u for _, u, r in deployment.upstreams()[after:] if r == route]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_when_a_replica_dies_its_visitors_are_served_by_the_other(deployment: Deployment) -> None:
    logged = len(deployment.upstreams())
    _get(f"{deployment.url}/_stcore/health", cookie="visitor-b")
    up = _upstreams_of(deployment, "visitor-b", logged)[-1]
    proc = deployment.procs[deployment.replicas.index(up)]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    logged = len(deployment.upstreams())
    status, body, _ = _get(f"{deployment.url}/_stcore/health", cookie="visitor-b")
    assert (status, body) == (200, "ok")
    other = next(r for r in deployment.replicas if r != up)
    after = _upstreams_of(deployment, "visitor-b", logged)
    assert after and after[-1] in (f"{up}, {other}", other), after  # tried the dead one (or knew), then the other
