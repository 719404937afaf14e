"""``serve``: start the Streamlit dashboard with the product's server settings.

The dashboard is a Streamlit script (``dashboard/app/main.py``), so ``serve`` only
assembles a ``python -m streamlit run`` command line and the environment the app
reads (``DASHBOARD_DB``, ``DASHBOARD_READ_ONLY``, ``DASHBOARD_TILES``...).  Usage
statistics are switched off on the command line as well as in
``.streamlit/config.toml``, because the config file is not found when the app is
started from another working directory, and the dashboard must not contact
anyone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from dashboard.cli import db_option, main, topic_rules_option
from dashboard.config import default_db_url
from dashboard.errors import ConfigurationError

APP_SCRIPT = Path(__file__).resolve().parent / "app" / "main.py"


def normalise_base_path(base_path: str) -> str:
    """``/news/`` and ``news`` both mean Streamlit's ``server.baseUrlPath`` ``news``."""
    return base_path.strip().strip("/")


def streamlit_command(
    *,
    port: int,
    address: str,
    base_path: str = "",
    headless: bool = True,
    python: str | None = None,
) -> list[str]:
    """The ``streamlit run`` command line for the dashboard (pure, so it can be tested)."""
    cmd = [
        python or sys.executable,
        "-m",
        "dashboard.app.launch",  # streamlit's own CLI after starting a warm-up thread
        "run",
        str(APP_SCRIPT),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true" if headless else "false",
        "--server.enableStaticServing",
        "true",
        "--server.runOnSave",
        "false",
        # No watching of the app's source files: it walks every loaded module after each script run.
        "--server.fileWatcherType",
        "none",
        # No full garbage collection after every script run: with the place index in memory it walks
        # millions of objects, a third of the server's CPU with ten sessions opening (py-spy).
        "--runner.postScriptGC",
        "false",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
        # The theme too: .streamlit/config.toml is only read from the working directory.
        "--theme.base",
        "light",
        "--theme.primaryColor",
        "#1f6feb",
    ]
    if base_path:
        cmd += ["--server.baseUrlPath", normalise_base_path(base_path)]
    return cmd


def companion_commands(
    db_url: str, *, watch: bool, alerts_port: int | None, address: str = "127.0.0.1", python: str | None = None,
    parent_pid: int | None = None,
) -> list[list[str]]:
    """The processes ``serve`` starts beside the dashboard: the feed poller, the alert feeds server.

    Each runs in its own process and exits when the dashboard does (``--parent-pid``:
    ``serve`` becomes Streamlit by ``exec``, keeping its pid, so the dashboard is their parent).
    """
    py = python or sys.executable
    parent = ["--parent-pid", str(os.getpid() if parent_pid is None else parent_pid)]
    out = []
    if watch:
        out.append([py, "-m", "dashboard", "watch", "--db", db_url, *parent])
    if alerts_port is not None:
        out.append([py, "-m", "dashboard", "alerts", "serve", "--db", db_url, "--port", str(alerts_port),
                    "--address", address, *parent])
    return out


def serve_environment(
    *,
    db_url: str,
    read_only: bool = False,
    tiles: str | None = None,
    attribution: str | None = None,
    max_markers: int | None = None,
    base_env: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment the app reads its settings from (see ``dashboard/app/state.py``)."""
    env = dict(os.environ if base_env is None else base_env)
    env["DASHBOARD_DB"] = db_url
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    if read_only:
        env["DASHBOARD_READ_ONLY"] = "1"
    else:
        env.pop("DASHBOARD_READ_ONLY", None)
    if tiles:
        env["DASHBOARD_TILES"] = tiles
        env["DASHBOARD_TILES_ATTRIBUTION"] = attribution or ""
    if max_markers:
        env["DASHBOARD_MAX_MARKERS"] = str(max_markers)
    return env


@main.command("serve")
@topic_rules_option
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option(
    "--address",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; 0.0.0.0 to reach it from other machines.",
)
@db_option
@click.option(
    "--base-path",
    default="",
    metavar="P",
    help="URL prefix when served behind a reverse proxy, e.g. news for https://host/news/.",
)
@click.option("--read-only", is_flag=True, help="Hide ingest and corrections; shared links still work.")
@click.option("--tiles", default=None, metavar="URL", help="Tile URL template instead of the offline basemap.")
@click.option("--attribution", default=None, metavar="TEXT", help="Attribution shown for --tiles (required with it).")
@click.option(
    "--max-markers",
    default=500,
    show_default=True,
    type=click.IntRange(1, 20_000),
    help="Most places drawn on the map; the rest are summarised in a note.",
)
@click.option("--watch", "with_watch", is_flag=True, help="Also poll the subscribed feeds (`watch`) in its own process.")
@click.option("--alerts-port", type=click.IntRange(1, 65535), default=None, metavar="PORT",
              help="Also serve the alerts' Atom feeds on this port (`alerts serve`).")
def serve(
    port: int,
    address: str,
    db_url: str | None,
    base_path: str,
    read_only: bool,
    tiles: str | None,
    attribution: str | None,
    max_markers: int,
    with_watch: bool,
    alerts_port: int | None,
) -> None:
    """Start the dashboard in the browser (Streamlit).

    \b
    Example:
        python -m dashboard serve --port 8501
        python -m dashboard serve --watch --alerts-port 8502
        python -m dashboard serve --address 0.0.0.0 --base-path news --read-only \\
            --db postgresql://news@db/news
    """
    if tiles and not attribution:
        raise ConfigurationError("--tiles needs --attribution (e.g. --attribution '© OpenStreetMap contributors')")
    if tiles and not ("{z}" in tiles and "{x}" in tiles and "{y}" in tiles):
        raise ConfigurationError("--tiles must be a URL template with {z}, {x} and {y}")
    if not APP_SCRIPT.exists():
        raise ConfigurationError(f"the dashboard app is missing: {APP_SCRIPT}")
    cmd = streamlit_command(port=port, address=address, base_path=base_path)
    env = serve_environment(db_url=db_url or default_db_url(), read_only=read_only, tiles=tiles,
                            attribution=attribution, max_markers=max_markers)
    for companion in companion_commands(env["DASHBOARD_DB"], watch=with_watch, alerts_port=alerts_port,
                                        address=address):
        subprocess.Popen(companion, env=env)  # noqa: S603 - our own module, our own arguments
    prefix = f"/{normalise_base_path(base_path)}" if normalise_base_path(base_path) else ""
    click.echo(f"Dashboard on http://{address}:{port}{prefix}/ (Ctrl+C to stop)", err=True)
    if os.name == "posix":
        # Replace this process, so that signals (Ctrl+C, a supervisor's SIGTERM) reach Streamlit.
        os.execve(cmd[0], cmd, env)
    code = subprocess.call(cmd, env=env)  # pragma: no cover - Windows
    if code:  # pragma: no cover
        raise click.exceptions.Exit(code)
