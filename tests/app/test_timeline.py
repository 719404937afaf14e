"""The overview's timeline table: taxonomy topics stacked, a feed's own categories left out."""

from __future__ import annotations

from datetime import date

from dashboard.app.timeline import OTHER_TOPICS, timeline_table


def test_topics_are_stacked_largest_first_and_the_rest_summed() -> None:
    d1, d2 = date(2025, 1, 1), date(2025, 1, 2)
    rows = [(d1, "", 9), (d2, "", 4), (d1, "politics", 5), (d2, "politics", 1), (d1, "sport", 2), (d2, "sport", 3),
            (d1, "health", 1), (d2, "weather", 1)]
    rows += [(d1, f"source:2025 story {i}", 1) for i in range(3000)]  # Wikipedia's story names
    table = timeline_table(rows, max_topics=2)
    assert list(table.columns) == ["politics", "sport", OTHER_TOPICS]
    assert table.loc["2025-01-01"].tolist() == [5, 2, 1] and table.loc["2025-01-02"].tolist() == [1, 3, 1]


def test_totals_when_no_article_has_a_taxonomy_topic() -> None:
    rows = [(date(2025, 1, 1), "", 3), (date(2025, 1, 1), "source:Local", 3)]
    table = timeline_table(rows)
    assert list(table.columns) == ["articles"] and table["articles"].tolist() == [3]
    assert timeline_table([]).empty
