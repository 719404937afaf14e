"""A seeded temporary store for every app test, and the app's entry script."""

from __future__ import annotations

import pytest
from _seed import seed


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'news.sqlite'}"
    assert seed(url) == 3
    return url


@pytest.fixture()
def app_env(seeded_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DASHBOARD_DB", seeded_db)
    monkeypatch.delenv("DASHBOARD_READ_ONLY", raising=False)
    monkeypatch.delenv("DASHBOARD_TILES", raising=False)
    return seeded_db


@pytest.fixture()
def fresh_env(tmp_path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A seeded store of the test's own, for tests that write (corrections, ingest)."""
    url = f"sqlite:///{tmp_path / 'news.sqlite'}"
    assert seed(url) == 3
    monkeypatch.setenv("DASHBOARD_DB", url)
    monkeypatch.delenv("DASHBOARD_READ_ONLY", raising=False)
    monkeypatch.delenv("DASHBOARD_TILES", raising=False)
    return url
