"""The Feeds page, auto-refresh in the link, "N new since you opened this view", saving an alert."""

from __future__ import annotations

import pytest
from _seed import ALMATY, HOSTILE
from streamlit.testing.v1 import AppTest
from test_app import APP, TIMEOUT, run, texts

from dashboard.app.safe import shown
from dashboard.models import Article, GeoparseResult, Mention
from dashboard.store import open_store
from dashboard.store.feeds import PollResult


def _feeds_page(at: AppTest) -> AppTest:
    at.switch_page("views/feeds.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_feeds_page_shows_health_and_keeps_hostile_text_out_of_markdown(fresh_env: str) -> None:
    with open_store(fresh_env) as store:
        feed = store.add_feed("https://bad.test/rss?x=<script>", name=HOSTILE)
        from datetime import UTC, datetime

        now = datetime.now(UTC)
        store.record_poll(feed.id, PollResult("error", now, now, error=f"HTTP 500 {HOSTILE}"))
    at = _feeds_page(run())
    table = at.dataframe[0].value
    assert list(table["name"]) == [HOSTILE] and list(table["health"]) == ["error (1×)"]
    assert HOSTILE in list(table["error"])[0]
    assert all("<img" not in str(m.value) and "<script" not in str(m.value) for m in at.markdown)
    assert "1 subscription, 1 failing" in texts(at)


def test_feeds_page_adds_and_removes_and_is_read_only_when_asked(fresh_env: str, monkeypatch) -> None:
    at = _feeds_page(run())
    at.text_input[0].set_value("https://news.test/rss")
    at.text_input[2].set_value("30m")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    with open_store(fresh_env) as store:
        assert [(f.url, f.interval_s) for f in store.feeds()] == [("https://news.test/rss", 1800)]
    at.text_input[0].set_value("ftp://nope")
    at.button[0].click().run()
    assert "The feed was not added:" in texts(at)
    assert any("give an http:// or https:// URL" in t.value for t in at.text)

    monkeypatch.setenv("DASHBOARD_READ_ONLY", "1")
    ro = AppTest.from_file(APP, default_timeout=TIMEOUT)
    ro.run()
    ro = _feeds_page(ro)
    assert len(ro.dataframe) == 1 and len(ro.button) == 0 and len(ro.text_input) == 0


def test_auto_refresh_is_kept_in_the_link_and_bad_values_warn(app_env: str) -> None:
    at = run({"refresh": "30"})
    assert at.selectbox(key="f_refresh").value == 30
    assert at.query_params["refresh"] == ["30"] or at.query_params["refresh"] == "30"
    at.selectbox(key="f_refresh").set_value(0).run()
    assert "refresh" not in at.query_params
    bad = run({"refresh": "1"})
    assert any("Auto-refresh must be one of 5, 15, 30, 60, 300, 900 seconds" in shown(w.value) for w in bad.warning)


def test_new_articles_since_the_view_was_opened_are_counted(fresh_env: str) -> None:
    at = run()
    assert "since you opened this view" not in texts(at)
    text = "Almaty: a second report from Almaty."
    with open_store(fresh_env) as store:
        store.add_article(Article(text, "Second Almaty report", lang="en", source="Live wire"),
                          GeoparseResult("en", (Mention(0, 6, "Almaty", ALMATY, "dateline", 0.9),)), ())
    from dashboard.app import state

    state.invalidate_queries()
    at.run()
    assert "1 new article since you opened this view" in texts(at)
    assert "**4** articles" in texts(at)


@pytest.mark.parametrize("read_only", [False, True])
def test_save_view_as_alert(fresh_env: str, monkeypatch, read_only: bool) -> None:
    if read_only:
        monkeypatch.setenv("DASHBOARD_READ_ONLY", "1")
    at = run({"country": "KZ", "date": "7d"})
    forms = [t for t in at.text_input if t.label == "Alert name"]
    if read_only:
        assert forms == []
        return
    forms[0].set_value("kz")
    [b for b in at.button if b.label == "Save alert"][0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    with open_store(fresh_env) as store:
        alert = store.alert("kz")
        assert alert is not None and alert.filters.countries == ("KZ",)
        assert alert.filters.date_from is None  # a rolling window makes no sense for new articles
