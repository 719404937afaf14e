"""The ingest page: uploads go through the real ingest pipeline; bad records are listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_app import APP, TIMEOUT, run, texts

from dashboard.app.safe import shown
from dashboard.store import open_store


def _records() -> bytes:
    good = {"title": "Floods in Samarkand", "text": "SAMARKAND: Heavy rain flooded streets in Samarkand on "
            "Monday, and officials in Tashkent sent help to the region of Uzbekistan.",
            "published": "2022-09-20T08:00:00Z", "lang": "en", "source": "Upload Wire"}
    return (json.dumps(good) + "\n" + '{"title": "broken", "text": \n' + json.dumps({"title": "no text"}) + "\n"
            ).encode()


def test_upload_with_a_broken_record(fresh_env: str) -> None:
    at = run()
    at.switch_page("views/ingest.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader(key="ingest_files").set_value(("news.jsonl", _records(), "application/jsonl")).run()
    at.button(key="ingest_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Read"] == "3" and metrics["Added"] == "1" and metrics["Skipped"] == "2"
    errors = at.dataframe[0].value
    assert list(errors["source"]) == ["news.jsonl", "news.jsonl"]
    assert list(errors["position"]) == ["line 2", "line 3"]
    assert any("could not be ingested" in shown(w.value) for w in at.warning)

    store = open_store(fresh_env)
    try:
        assert store.stats()["articles"] == 4
    finally:
        store.close()
    # The map page sees the new article at once.
    at.switch_page("views/map.py").run()
    assert "**4** articles" in texts(at)


def test_ingest_page_hidden_in_read_only_mode(fresh_env: str, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_READ_ONLY", "1")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("views/ingest.py")
    assert not at.exception


def test_ingest_script_refuses_in_read_only_mode(fresh_env: str, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_READ_ONLY", "1")
    at = AppTest.from_file(str(Path(APP).parent / "views" / "ingest.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception and not at.file_uploader
    assert "read-only" in "\n".join(shown(i.value) for i in at.info)
