"""Docs stay honest: every command and every environment setting appears in README.md."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_shown_in_the_readme():
    missing = [name for name in main.commands if f"python -m dashboard {name}" not in README]
    assert missing == []


def test_every_command_has_an_example_in_its_help():
    for name, command in main.commands.items():
        assert "Example" in (command.help or ""), name


def test_every_environment_setting_is_documented():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "dashboard").rglob("*.py"))
    settings = set(re.findall(r"DASHBOARD_[A-Z_]+", code))
    assert settings, "no settings found: the pattern is wrong"
    assert sorted(s for s in settings if s not in README) == []
