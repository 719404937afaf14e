"""The live parts of the map page: auto-refresh, "N new since you opened this view", save as alert.

Auto-refresh is a fragment that Streamlit reruns every N seconds
(``st.fragment(run_every=...)``): it asks the store only for its newest
article id, and when that changed it clears the query caches and reruns the
page, so map and list show the new articles without a browser reload.  The
interval is part of the link (``refresh=60``).  Nothing from a feed or an
article passes through markdown here: counts are ours, names are shown as text.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

import streamlit as st

from dashboard.app import state
from dashboard.app.viewstate import REFRESH_CHOICES, ViewState
from dashboard.errors import DashboardError

logger = logging.getLogger(__name__)

_LABELS = {0: "Off", 5: "every 5 s", 15: "every 15 s", 30: "every 30 s", 60: "every minute", 300: "every 5 minutes",
           900: "every 15 minutes"}


def refresh_control(view: ViewState) -> ViewState:
    """The sidebar's auto-refresh choice (seeded from the link once per session)."""
    ss = st.session_state
    if "f_refresh" not in ss:
        ss["f_refresh"] = view.refresh
    st.sidebar.selectbox("Auto-refresh", REFRESH_CHOICES, key="f_refresh", format_func=_LABELS.__getitem__,
                         help="Show newly ingested articles without reloading the page (kept in the link).")
    return view.with_(refresh=int(ss["f_refresh"]))


def latest_article_id(db_url: str) -> int:
    """The newest article id (uncached: this is how the page notices new articles)."""
    return int(state.get_store(db_url).latest_article_id())


def watch_for_new(view: ViewState) -> None:
    """Rerun the page when the store has new articles, every ``view.refresh`` seconds."""
    db = state.settings().db_url
    ss = st.session_state
    try:
        ss["_seen_latest"] = latest_article_id(db)
    except DashboardError as err:
        logger.warning("auto-refresh: %s", err)
        return
    if not view.refresh:
        return

    @st.fragment(run_every=timedelta(seconds=view.refresh))
    def _poll() -> None:
        try:
            latest = latest_article_id(db)
        except DashboardError as err:
            logger.warning("auto-refresh: %s", err)
            return
        if latest != ss.get("_seen_latest"):
            state.invalidate_queries()
            st.rerun()

    _poll()


def new_since_opened(view: ViewState, total: int) -> None:
    """ "N new since you opened this view": counted from the first time this session saw these filters."""
    ss = st.session_state
    key = repr(view.filters(state.now(), with_place=False))
    opened: dict[str, int] = ss.setdefault("_opened_counts", {})
    if key not in opened:
        opened[key] = total
    new = total - opened[key]
    if new > 0:
        st.caption(f"{new:,} new article{'s' * (new != 1)} since you opened this view")


def alert_filters(view: ViewState, bounds: tuple[float, float, float, float] | None) -> Any:
    """The filters an alert keeps: the view's, without a rolling date window (alerts are about new articles)."""
    f = view.filters(state.now())
    if view.date != "custom":
        f = replace(f, date_from=None, date_to=None)
    if bounds is not None and view.in_view:
        f = replace(f, bounds=bounds)
    return f


def save_alert_form(view: ViewState, bounds: tuple[float, float, float, float] | None) -> None:
    """Sidebar form: save this view as a named alert (not offered in read-only mode)."""
    with st.sidebar.expander("Save this view as an alert"):
        with st.form("save_alert", clear_on_submit=True):
            name = st.text_input("Alert name", max_chars=80)
            hook = st.text_input("Webhook URL (optional)", placeholder="https://chat.example.org/hook")
            if not st.form_submit_button("Save alert"):
                return
        try:
            alert = state.get_store(state.settings().db_url).add_alert(name, alert_filters(view, bounds),
                                                                       hook.strip() or None)
        except DashboardError as err:
            st.error("The alert was not saved:")
            st.text(str(err))
            return
        st.success("Alert saved. Its Atom feed:")
        st.code(f"python -m dashboard alerts feed {alert.name}", language=None)
