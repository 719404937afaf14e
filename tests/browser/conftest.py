"""The real dashboard in a subprocess, and Debian's chromium driven by Playwright.

The server is started exactly as a user would (``python -m dashboard serve``)
on a free port with a temporary store, and stopped at the end.  Readiness is a
poll of ``/_stcore/health`` against a deadline, never a fixed sleep.  Every
request the browser makes is recorded, so tests can assert that the page
contacts no host but the dashboard.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import serving

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SEED_SCRIPT = ROOT / "tests" / "app" / "_seed.py"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
START_DEADLINE = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ingest(db_url: str, log: Path) -> str:
    """Load seeds/ with the real ingest command when it exists, plus the test articles.

    The test articles add the hostile headline; when ``ingest`` is not
    available yet they also stand in for the sample article (same places).
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with log.open("a") as out:
        done = subprocess.run(
            [sys.executable, "-m", "dashboard", "ingest", str(ROOT / "seeds"), "--db", db_url],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=600, check=False,
        )
        subprocess.run([sys.executable, str(SEED_SCRIPT), db_url], cwd=ROOT, env=env, stdout=out,
                       stderr=subprocess.STDOUT, timeout=300, check=True)
    return "ingest" if done.returncode == 0 else "seed-only"


@dataclass
class Server:
    url: str
    db_url: str
    seeded_by: str
    log: Path


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (run: bash scripts/system-deps.sh)")
    tmp = tmp_path_factory.mktemp("browser")
    db_url = f"sqlite:///{tmp / 'news.sqlite'}"
    log = tmp / "server.log"
    seeded_by = _ingest(db_url, log)
    port = _free_port()
    cmd = [sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--db", db_url]
    with serving.dashboard(cmd, port, tmp, log, deadline_s=START_DEADLINE) as (base, _proc):
        yield Server(base, db_url, seeded_by, log)


@dataclass
class Recorder:
    """Requests and dialogs seen by one browser page."""

    host: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def external(self) -> list[str]:
        allowed = (self.host, "data:", "blob:", "about:")
        return [u for u in self.requests if not u.startswith(allowed)]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def open_page(browser, server: Server):
    """Open a dashboard URL in a fresh browser context that records requests and dialogs."""
    contexts = []

    def _open(path: str = "/"):
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(ctx)
        page = ctx.new_page()
        rec = Recorder(server.url)
        page.on("request", lambda r: rec.requests.append(r.url))

        def on_dialog(d) -> None:
            rec.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        page.goto(server.url + path)
        return page, rec

    yield _open
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
