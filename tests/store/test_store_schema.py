"""Opening stores: URLs, creation on first use, WAL, migrations (SQLite only where file-specific)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dashboard.errors import ConfigurationError, StoreError
from dashboard.store import open_store, parse_url
from dashboard.store.schema import LATEST


def test_sqlite_file_is_created_on_first_use_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "news.sqlite"
    with open_store(f"sqlite:///{path}") as store:
        assert store.is_empty()
    assert path.exists()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == LATEST


def test_default_url_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_DB", f"sqlite:///{tmp_path / 'env.sqlite'}")
    with open_store() as store:
        assert store.url.endswith("env.sqlite")
    assert (tmp_path / "env.sqlite").exists()


def test_memory_store_works_across_threads() -> None:
    import threading

    with open_store("sqlite://") as store:
        seen: list[bool] = []
        t = threading.Thread(target=lambda: seen.append(store.is_empty()))
        t.start()
        t.join()
        assert seen == [True]


@pytest.mark.parametrize(
    ("url", "dialect", "target"),
    [
        ("sqlite:///rel/news.sqlite", "sqlite", "rel/news.sqlite"),
        ("sqlite:////abs/news.sqlite", "sqlite", "/abs/news.sqlite"),
        ("sqlite://", "sqlite", ":memory:"),
        ("news.sqlite", "sqlite", "news.sqlite"),
        ("postgresql://u:secret@db/news", "postgresql", "postgresql://u:secret@db/news"),
        ("postgres://u@db/news", "postgresql", "postgresql://u@db/news"),
    ],
)
def test_parse_url(url: str, dialect: str, target: str) -> None:
    parsed = parse_url(url)
    assert (parsed.dialect, parsed.target) == (dialect, target)
    assert "secret" not in parsed.redacted


def test_unknown_url_fails_with_the_forms_that_work() -> None:
    with pytest.raises(ConfigurationError, match=r"use sqlite:///path/to/news.sqlite or postgresql://"):
        open_store("mysql://root@localhost/news")


def test_store_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "news.sqlite"
    open_store(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version VALUES (99, 'future', '2099-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this program"):
        open_store(f"sqlite:///{path}")


def test_unreachable_postgresql_is_a_store_error() -> None:
    pytest.importorskip("psycopg")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError, match="cannot connect"):
        open_store(f"postgresql://nobody:pw@127.0.0.1:{port}/none")
