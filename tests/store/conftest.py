"""Fixtures that run the same store tests against SQLite and a real PostgreSQL server.

PostgreSQL comes from ``$DASHBOARD_TEST_PG_URL`` when set (CI can point it at a
running server), else from a throwaway cluster started with Debian's binaries
in a temporary folder and stopped at the end of the session.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.store import Store, open_store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class _Cluster:
    """A PostgreSQL cluster in a temporary folder, run as the ``postgres`` user when we are root."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.tmp = Path(tempfile.mkdtemp(prefix="news-map-pg-"))
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.tmp, "postgres")

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        data = self.tmp / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        opts = f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.tmp / "log"), "-w", "-t", "60", "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.tmp / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A PostgreSQL server URL for the whole session (the admin database)."""
    env = os.environ.get("DASHBOARD_TEST_PG_URL")
    if env:
        yield env
        return
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL: set DASHBOARD_TEST_PG_URL or install Debian's postgresql package")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as the postgres user")
    cluster = _Cluster(bindir)
    try:
        url = cluster.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, KeyError) as err:
        log = cluster.tmp / "log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else str(err)
        cluster.stop()
        pytest.fail(f"could not start a throwaway PostgreSQL cluster: {err}\n{detail}")
    try:
        yield url
    finally:
        cluster.stop()


def fresh_pg_database(server_url: str) -> str:
    """Create an empty database on the server and return its URL (each test gets its own)."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'news.sqlite'}"
    return fresh_pg_database(request.getfixturevalue("pg_server_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()
