"""Feeds page: the subscriptions `watch` polls, with their health, and the saved alerts.

Feed titles, URLs and error messages come from other people's servers: they
are shown only through ``st.dataframe`` and ``st.text``, never as markdown.
Adding and removing is not offered in read-only mode.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.app import state
from dashboard.errors import DashboardError
from dashboard.live.opml import format_interval, parse_interval
from dashboard.live.poller import is_failing
from dashboard.store.alerts import filters_to_json


def _health(feed: Any, now: datetime) -> str:
    if feed.last_status == "error":
        return f"failing since {feed.failing_since:%Y-%m-%d %H:%M}" if is_failing(feed, now) \
            else f"error ({feed.failures}×)"
    return {"new": "not polled yet", "not-modified": "ok (not modified)"}.get(feed.last_status, feed.last_status)


def _table(feeds: list[Any], now: datetime) -> pd.DataFrame:
    return pd.DataFrame([{
        "id": f.id, "name": f.name, "url": f.url, "every": format_interval(f.interval_s), "health": _health(f, now),
        "last fetch": f.last_fetch_at, "next poll": f.next_due_at, "new last poll": f.new_last,
        "new total": f.new_total, "last new article": f.last_new_at, "error": f.last_error,
        "lang": f.lang or "", "full text": f.full_text,
    } for f in feeds])


def _add_form(store: Any) -> None:
    with st.form("add_feed", clear_on_submit=True):
        st.subheader("Subscribe to a feed")
        url = st.text_input("Feed URL (RSS or Atom)", placeholder="https://example.org/rss")
        left, mid, right = st.columns(3)
        name = left.text_input("Name (optional)")
        every = mid.text_input("Poll every", value="15m", help="90s, 15m, 1h, 1d")
        lang = right.text_input("Language (optional)", max_chars=8)
        full = st.checkbox("Fetch each item's page for the full text")
        if not st.form_submit_button("Subscribe"):
            return
    try:
        url = url.strip()
        if not url.startswith(("http://", "https://")):
            raise DashboardError("give an http:// or https:// URL")
        store.add_feed(url, name=name.strip(), interval_s=parse_interval(every), lang=lang.strip() or None,
                       full_text=full)
    except DashboardError as err:
        st.error("The feed was not added:")
        st.text(str(err))
        return
    st.success("Subscribed: the next `watch` cycle polls it.")


def _remove_form(store: Any, feeds: list[Any]) -> None:
    with st.form("remove_feed"):
        labels = {f.id: f"{f.id}: {f.url}" for f in feeds}
        chosen = st.selectbox("Unsubscribe from", list(labels), format_func=labels.__getitem__)
        if st.form_submit_button("Unsubscribe") and chosen is not None:
            store.remove_feed(int(chosen))
            st.success("Unsubscribed (its articles stay in the store).")
            st.rerun()


def main() -> None:
    cfg = state.settings()
    st.header("Feeds")
    try:
        store = state.get_store(cfg.db_url)
        feeds = store.feeds()
        alerts = store.alerts()
    except DashboardError as err:
        state.store_error(err)
        st.stop()
    now = datetime.now(UTC)
    if feeds:
        failing = sum(1 for f in feeds if f.last_status == "error")
        st.caption(f"{len(feeds)} subscription{'s' * (len(feeds) != 1)}, {failing:d} failing. "
                   "Polled by python -m dashboard watch (or serve --watch).")
        st.dataframe(_table(feeds, now), hide_index=True, use_container_width=True)
    else:
        st.info("No subscriptions yet.")
    if not cfg.read_only:
        _add_form(store)
        if feeds:
            _remove_form(store, feeds)

    st.header("Alerts")
    if alerts:
        rows = []
        for a in alerts:
            matched, delivered, error = store.delivery_counts(a.id)
            rows.append({"name": a.name, "filters": filters_to_json(a.filters), "webhook": a.webhook or "",
                         "matched": matched, "delivered": delivered, "last error": error,
                         "Atom feed": f"python -m dashboard alerts feed {a.name}"})
        st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
        if not cfg.read_only:
            with st.form("remove_alert"):
                names = [a.name for a in alerts]
                gone = st.selectbox("Delete alert", names)
                if st.form_submit_button("Delete") and gone is not None:
                    store.remove_alert(gone)
                    st.rerun()
    else:
        st.caption("No alerts yet: save a view from the Map page's sidebar.")


main()
