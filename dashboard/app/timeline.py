"""The overview's timeline: the store's daily counts shaped into a day x topic table for a stacked chart.

A module of its own (not the page script) so that it can be tested without
running a page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.topics import SOURCE_PREFIX

OTHER_TOPICS = "other topics"
TIMELINE_TOPICS = 10  # stacks of their own; the rest are summed into "other topics"


def timeline_table(rows: list[tuple[Any, ...]], max_topics: int = TIMELINE_TOPICS) -> pd.DataFrame:
    """Daily counts as a day x topic table, from the store's ``(day, topic, n)`` rows.

    Topic ``""`` is the day's total; when no article has a topic the chart
    shows the totals instead of empty stacks.  Only taxonomy topics are
    stacked, the ``max_topics`` largest on their own and the rest as "other
    topics": a feed's own categories (``source:`` tags) can number thousands
    (Wikipedia's story names), and a chart with a series each would hang the
    browser.
    """
    if not rows:
        return pd.DataFrame()
    df = pd.DataFrame([tuple(r)[:3] for r in rows], columns=["day", "topic", "articles"])
    per_topic = df[(df["topic"] != "") & ~df["topic"].str.startswith(SOURCE_PREFIX)]
    if per_topic.empty:
        table = df[df["topic"] == ""].groupby("day")[["articles"]].sum()
    else:
        ranked = per_topic.groupby("topic")["articles"].sum().sort_values(ascending=False, kind="stable")
        keep = set(ranked.index[:max_topics])
        per_topic = per_topic.assign(topic=per_topic["topic"].where(per_topic["topic"].isin(keep), OTHER_TOPICS))
        table = per_topic.pivot_table(index="day", columns="topic", values="articles", aggfunc="sum", fill_value=0)
        table = table[[t for t in ranked.index[:max_topics]] + ([OTHER_TOPICS] if OTHER_TOPICS in table else [])]
    table.index = pd.to_datetime(table.index)
    return table.sort_index()
