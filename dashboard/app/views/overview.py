"""Overview page: how the filtered news spreads over time, places and countries; exports.

Same filters and link as the map page (the sidebar is shared); the timeline's
"use this range" sets the custom date filter.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import maps
from dashboard.app import safe, state
from dashboard.app.sidebar import copy_link, current_view, draw_sidebar, url_view, write_url
from dashboard.app.timeline import timeline_table
from dashboard.errors import DashboardError

EXPORT_LIMIT = 10_000


def _articles_csv(rows: list[Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["id", "published", "source", "lang", "title", "url", "topics", "places"])
    for r in rows:
        writer.writerow(
            [
                r.id,
                r.published.isoformat() if r.published else "",
                r.source,
                r.lang or "",
                r.title,
                r.url or "",
                "|".join(r.topics),
                "|".join(r.places),
            ]
        )
    return buf.getvalue()


def _set_range(start: date, end: date) -> None:
    st.session_state["f_date"] = "custom"
    st.session_state["f_range"] = (start, end)


def main() -> None:
    cfg = state.settings()
    url, warnings = url_view()
    for w in st.session_state.setdefault("_link_warnings", warnings):
        safe.warning(w)
    view = current_view(url)
    filters = view.filters(state.now(), with_place=False)
    try:
        facets = state.facets(cfg.db_url, filters)
        total = state.count_articles(cfg.db_url, filters)
        daily = state.daily_counts(cfg.db_url, filters)
        places = state.place_summaries(cfg.db_url, filters, limit=500)
        countries = state.country_counts(cfg.db_url, filters)
    except DashboardError as err:
        state.store_error(err)
        st.stop()
    draw_sidebar(facets, total)
    write_url(view)
    copy_link(view)

    st.subheader(f"{total:,} articles", anchor=False)
    table = timeline_table(daily)
    if table.empty:
        st.info("No dated articles under these filters.")
    else:
        st.bar_chart(table, height=220, x_label="day", y_label="articles", stack=True)
        first, last = table.index.min().date(), table.index.max().date()
        if first < last:
            rng = st.slider("Date range", first, last, (first, last), key="timeline_range")
            st.button("Use this range as the date filter", on_click=_set_range, args=rng)

    names = state.country_names_safe()
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Top places**")
        df = pd.DataFrame(
            [
                {"place": s.place.name, "kind": s.place.kind, "country": s.place.country_code, "articles": s.articles}
                for s in sorted(places, key=lambda s: -s.articles)[:50]
            ]
        )
        st.dataframe(df, hide_index=True, height=360)
    with c2:
        st.markdown("**Top countries**")
        df = pd.DataFrame(
            [{"country": names.get(cc, cc), "code": cc, "articles": n} for cc, n in countries.items()]
        )
        if not df.empty:
            df = df.sort_values("articles", ascending=False).head(50)
        st.dataframe(df, hide_index=True, height=360)

    st.markdown("**Export what is filtered**")
    e1, e2 = st.columns(2)
    rows = state.articles(cfg.db_url, view.filters(state.now()), limit=EXPORT_LIMIT, offset=0)
    e1.download_button(
        "Articles (CSV)", _articles_csv(rows), file_name="articles.csv", mime="text/csv", on_click="ignore"
    )
    e2.download_button(
        "Places (GeoJSON)",
        maps.geojson_points(places),
        file_name="places.geojson",
        mime="application/geo+json",
        on_click="ignore",
    )
    if total > EXPORT_LIMIT:
        st.caption(f"The CSV holds the newest {EXPORT_LIMIT:,}; use `python -m dashboard export` for all.")


main()
