"""The "wrong place?" control: a correction goes to the store and shows after the rerun."""

from __future__ import annotations

from test_app import run, texts

from dashboard.app.safe import shown
from dashboard.store import open_store


def _html(at) -> str:
    return "".join(e.proto.body for e in at.get("html"))


def _mention_index(at, article_id: int, surface: str) -> int:
    box = at.selectbox(key=f"wp_mention_{article_id}")
    return next(i for i, label in enumerate(box.options) if label.startswith(f"“{surface}”"))


def test_not_a_place_is_stored_and_shown(fresh_env: str) -> None:
    at = run({"article": "2"})
    assert _html(at).count("Samarkand</mark>") == 1
    at.selectbox(key="wp_mention_2").set_value(_mention_index(at, 2, "Samarkand")).run()
    at.radio(key="wp_choice_2").set_value("none").run()
    at.text_input(key="wp_note_2").input("the summit, not the city").run()
    at.button(key="wp_save_2").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Correction stored: “Samarkand” → not a place." in [shown(s.value) for s in at.success]
    body = _html(at)
    assert "Samarkand</mark>" not in body and "Beijing</mark>" in body and "Samarkand" in body

    store = open_store(fresh_env)
    try:
        assert store.stats()["corrections"] == 1
        art = store.article(2)
        assert art is not None and [m.surface for m in art.mentions] == ["Beijing", "Kazakhstan"]
    finally:
        store.close()


def test_place_from_the_index_is_stored(fresh_env: str) -> None:
    at = run({"article": "3"})
    at.selectbox(key="wp_mention_3").set_value(_mention_index(at, 3, "Kazakhstan")).run()
    at.radio(key="wp_choice_3").set_value("search").run()
    at.text_input(key=f"wp_query_3_{_mention_index(at, 3, 'Kazakhstan')}").input("Samarkand").run()
    pick = at.selectbox(key="wp_pick_3")
    assert pick.value and pick.format_func(pick.value) == "Samarkand (city, UZ)"
    at.button(key="wp_save_3").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("→ Samarkand (city, UZ)" in shown(s.value) for s in at.success)
    body = _html(at)
    assert 'title="Samarkand (city, UZ)' in body and ">Kazakhstan</mark>" in body
    # The map's counts follow at once (the query caches were cleared).
    at2 = run({"place": pick.value})
    assert "**1** article mentioning **Samarkand**" in texts(at2)


def test_read_only_hides_the_control(fresh_env: str, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_READ_ONLY", "1")
    at = run({"article": "2"})
    assert not [e for e in at.expander if "Wrong place" in e.label]
    assert "Wrong place" not in texts(at)
