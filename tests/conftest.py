"""Shared fixtures: the real place index (built under data/ on first use, as `make test` does)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_2959add6671d93e8.txt"


@pytest.fixture(scope="session")
def place_index():
    from dashboard.gazetteer import load_index

    return load_index()


@pytest.fixture(scope="session")
def geoparser(place_index):
    from dashboard.geoparse import Geoparser

    return Geoparser(place_index)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_user_topic_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with the shipped topic rules, and a command's --topic-rules never leaks out of it."""
    monkeypatch.delenv("DASHBOARD_TOPIC_RULES", raising=False)
    monkeypatch.delenv("DASHBOARD_TOPIC_RULES_MODE", raising=False)
