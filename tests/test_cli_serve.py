"""``serve``: the Streamlit command line and environment it builds, and its option checks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from dashboard.cli_serve import APP_SCRIPT, normalise_base_path, serve_environment, streamlit_command


def test_streamlit_command_has_offline_settings() -> None:
    cmd = streamlit_command(port=8600, address="0.0.0.0", base_path="/news/")
    assert cmd[:5] == [sys.executable, "-m", "dashboard.app.launch", "run", str(APP_SCRIPT)]
    opts = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert opts["--server.port"] == "8600"
    assert opts["--server.address"] == "0.0.0.0"
    assert opts["--browser.gatherUsageStats"] == "false"
    assert opts["--server.enableStaticServing"] == "true"
    assert opts["--server.baseUrlPath"] == "news"
    assert "--server.baseUrlPath" not in streamlit_command(port=1, address="127.0.0.1")


def test_streamlit_command_switches_off_the_work_streamlit_does_after_every_run() -> None:
    """No source watcher and no full garbage collection after each script run (issue 14: a third of
    the server's CPU with ten sessions was ``gc.collect(2)`` walking the place index)."""
    cmd = streamlit_command(port=8600, address="127.0.0.1")
    opts = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert opts["--server.fileWatcherType"] == "none"
    assert opts["--runner.postScriptGC"] == "false"
    # Streamlit's own command line parses them so (it would refuse an unknown option).
    from streamlit.web import cli

    ctx = cli.main_run.make_context("run", cmd[4:])
    assert ctx.params["runner_postScriptGC"] is False
    assert ctx.params["server_fileWatcherType"] == "none"


def test_warm_up_moves_the_long_lived_objects_out_of_the_collectors_reach(tmp_path: Path) -> None:
    """After the warm-up (place index loaded, map libraries imported) those objects are frozen."""
    import subprocess

    code = ("import gc; from dashboard.app.launch import warm_up; before = gc.get_freeze_count(); "
            "warm_up(None); print(before, gc.get_freeze_count())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    before, after = map(int, out.stdout.split())
    assert before == 0 and after > 100_000, out.stdout + out.stderr


def test_environment() -> None:
    env = serve_environment(db_url="sqlite:///x.sqlite", read_only=True, tiles="https://t/{z}/{x}/{y}.png",
                            attribution="© T", base_env={"DASHBOARD_READ_ONLY": "1", "PATH": "/bin"})
    assert env["DASHBOARD_DB"] == "sqlite:///x.sqlite"
    assert env["DASHBOARD_READ_ONLY"] == "1"
    assert env["DASHBOARD_TILES"].startswith("https://t/") and env["DASHBOARD_TILES_ATTRIBUTION"] == "© T"
    assert env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false"
    assert "DASHBOARD_READ_ONLY" not in serve_environment(db_url="x", base_env={"DASHBOARD_READ_ONLY": "1"})
    assert serve_environment(db_url="x", max_markers=200, base_env={})["DASHBOARD_MAX_MARKERS"] == "200"


def test_base_path() -> None:
    assert normalise_base_path("/news/") == "news" == normalise_base_path("news")
    assert normalise_base_path("/") == ""


def test_tiles_need_attribution() -> None:
    result = CliRunner().invoke(main, ["serve", "--tiles", "https://t/{z}/{x}/{y}.png"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: --tiles needs --attribution (e.g. --attribution '© OpenStreetMap contributors')"
    )


def test_tiles_must_be_a_template() -> None:
    result = CliRunner().invoke(main, ["serve", "--tiles", "https://t/tile.png", "--attribution", "x"])
    assert result.exit_code == 1
    assert "{z}, {x} and {y}" in result.output


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--read-only" in result.output


def test_topic_rules_are_checked_then_handed_to_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[topics.x.en]\n\"a\" = [1]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--topic-rules", str(bad)])
    assert (result.exit_code, result.output) == (1, f"Error: {bad}, line 2: topics.x.en: weight of 'a' must be a number\n")
    (tmp_path / "mine.toml").write_text('[topics.uyghurs.any]\n"uyghur*" = 3\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # stopped by the tiles check, after the rules were read: a relative path is handed on made absolute
    result = CliRunner().invoke(main, ["serve", "--topic-rules", "mine.toml", "--tiles", "https://t/tile.png",
                                       "--attribution", "x"])
    assert result.exit_code == 1 and "{z}, {x} and {y}" in result.output
    assert serve_environment(db_url="x")["DASHBOARD_TOPIC_RULES"] == str(tmp_path / "mine.toml")


def test_serve_watch_starts_the_poller_and_the_alert_feeds_beside_the_dashboard() -> None:
    from dashboard.cli_serve import companion_commands

    assert companion_commands("sqlite:///x.sqlite", watch=False, alerts_port=None) == []
    cmds = companion_commands("sqlite:///x.sqlite", watch=True, alerts_port=8502, address="0.0.0.0", python="py",
                              parent_pid=42)
    assert cmds == [
        ["py", "-m", "dashboard", "watch", "--db", "sqlite:///x.sqlite", "--parent-pid", "42"],
        ["py", "-m", "dashboard", "alerts", "serve", "--db", "sqlite:///x.sqlite", "--port", "8502",
         "--address", "0.0.0.0", "--parent-pid", "42"],
    ]
