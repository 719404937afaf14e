"""Every page of the Streamlit app against a seeded temporary store (no browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest

import dashboard
from dashboard.app.safe import shown

APP = str(Path(dashboard.__file__).resolve().parent / "app" / "main.py")

TIMEOUT = 120


def run(params: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [shown(m.value) for m in at.markdown] + [shown(c.value) for c in at.caption]
    parts += [shown(s.value) for s in at.subheader] + [shown(w.value) for w in at.warning] + [shown(e.value) for e in at.error]
    return "\n".join(str(p) for p in parts)


def params(at: AppTest) -> dict[str, list[str]]:
    return {k: at.query_params.get_all(k) if hasattr(at.query_params, "get_all") else at.query_params[k]
            for k in at.query_params}


def test_map_page_lists_all_articles(app_env: str) -> None:
    at = run()
    body = texts(at)
    assert "**3** articles" in body
    assert "6 places in 3 articles" in body
    assert "Leaders meet in Samarkand" in body


def test_overview_page_runs(app_env: str) -> None:
    at = run()
    at.switch_page("views/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "3 articles" in texts(at)
    assert len(at.dataframe) == 2


def test_query_params_round_trip(app_env: str) -> None:
    wanted = {"country": ["KZ"], "lang": ["en"], "layer": "heatmap", "lat": "41.0000", "lon": "70.0000",
              "z": "5", "role": "dateline", "conf": "0.5", "q": "Almaty"}
    at = run(wanted)
    got = {k: list(v) if isinstance(v, list) else v for k, v in at.query_params.items()}
    for key, value in wanted.items():
        assert at.query_params.get(key) == (value[0] if isinstance(value, list) else value), (key, got)
    assert at.multiselect(key="f_countries").value == ["KZ"]
    assert at.multiselect(key="f_langs").value == ["en"]
    assert at.radio(key="f_layer").value == "heatmap"
    assert at.radio(key="f_role").value == "dateline"
    assert at.slider(key="f_conf").value == 0.5
    assert at.text_input(key="f_text").value == "Almaty"


def test_malformed_params_warn_and_fall_back(app_env: str) -> None:
    at = run({"conf": "lots", "layer": "3d", "z": "x", "country": ["KZ", "Kazakhstan"], "from": "yesterday",
              "bogus": "1"})
    warnings = "\n".join(shown(w.value) for w in at.warning)
    for piece in ("confidence", "layer", "Zoom", "country code", "from", "unknown link parameter"):
        assert piece.lower() in warnings.lower(), piece
    assert at.radio(key="f_layer").value == "clusters"
    assert at.multiselect(key="f_countries").value == ["KZ"]
    assert "bogus" not in at.query_params and "conf" not in at.query_params


def test_regions_in_a_link_by_name_or_unknown(app_env: str) -> None:
    at = run({"region": ["Zentralasien", "Narnia"]})
    assert at.multiselect(key="f_regions").value == ["region:un-143"]
    assert "Unknown region 'Narnia' in the link: ignored." in [shown(w.value) for w in at.warning]
    assert params(at)["region"] in (["region:un-143"], "region:un-143")
    assert "**0** articles" not in texts(at)


def test_filter_changes_results_and_link(app_env: str) -> None:
    at = run()
    at.multiselect(key="f_langs").set_value(["de"]).run()
    assert not at.exception
    assert "**1** article " in texts(at)
    assert at.query_params.get("lang") == "de"
    assert "Xi reist nach Zentralasien" in texts(at)
    assert "Leaders meet in Samarkand" not in texts(at)


def test_clicking_a_place_narrows_the_list(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_st_folium(fig: Any, **kwargs: Any) -> dict[str, Any]:
        return {
            "last_object_clicked_tooltip": "Beijing, CN · 2 articles[[place:gn:1816670]]",
            "last_object_clicked": {"lat": 39.9, "lng": 116.4},
            "center": {"lat": 41.0, "lng": 70.0},
            "zoom": 4,
        }

    monkeypatch.setattr(streamlit_folium, "st_folium", fake_st_folium)
    at = run()
    assert at.query_params.get("place") == "gn:1816670"
    assert at.query_params.get("z") == "4"
    body = texts(at)
    assert "mentioning **Beijing**" in body
    assert "**2** articles" in body


def test_article_view_escapes_and_highlights(app_env: str) -> None:
    at = run({"article": "3"})
    assert "&lt;img src=x onerror=alert(1)&gt;" not in texts(at)  # subheader shows the raw text as text
    assert any("onerror" in shown(s.value) for s in at.subheader)
    at2 = run({"article": "1"})
    html = [e for e in at2.get("html")]
    assert html and "<mark" in html[0].proto.body and "PEKING</mark>" in html[0].proto.body


def test_unknown_article_warns(app_env: str) -> None:
    at = run({"article": "999"})
    assert "not found" in "\n".join(shown(w.value) for w in at.warning)
    assert "**3** articles" in texts(at)


def test_read_only_mode(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_READ_ONLY", "1")
    at = run({"article": "1"})
    assert "Read-only" in texts(at)
    assert "Wrong place" not in texts(at)


def test_store_error_is_one_message(app_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DASHBOARD_DB", "mysql://nope")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert at.error and "mysql" in shown(at.error[0].value).lower()


def test_colour_by_topic_round_trips(app_env: str) -> None:
    at = run({"colour": "topic"})
    assert at.checkbox(key="f_bytopic").value is True
    assert at.query_params.get("colour") == "topic"
    at.checkbox(key="f_bytopic").uncheck().run()
    assert "colour" not in at.query_params
    bad = run({"colour": "rainbow"})
    assert any("colouring" in w.value for w in bad.warning)


def test_cap_note_when_places_are_capped(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_MAX_MARKERS", "3")
    at = run({"lat": "40", "lon": "70", "z": "6"})
    assert "Showing the 3 places with most articles under these filters" in texts(at)
    # Zoomed out, the places are summed into grid cells instead of being capped.
    assert "grid cells at this zoom: zoom in to see single places" in texts(run({"z": "2"}))


def test_colour_by_topic_reaches_the_map(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pages: list[str] = []

    def fake_st_folium(fig: Any, **kwargs: Any) -> dict[str, Any]:
        pages.append(fig.get_root().render())
        return {}

    monkeypatch.setattr(streamlit_folium, "st_folium", fake_st_folium)
    run({"colour": "topic"})
    assert pages and "Main topic" in pages[-1] and "politics" in pages[-1]


def test_copy_link_follows_the_view(app_env: str) -> None:
    at = run({"lang": "en"})
    assert at.text_input(key="copy_link").value.endswith("?lang=en")
    at.multiselect(key="f_langs").set_value(["de"]).run()
    assert at.text_input(key="copy_link").value.endswith("?lang=de")

