"""The "States and provinces" filter: counts and names in the sidebar, the list it narrows, the link."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from test_app import run, texts

from dashboard.app.safe import shown
from dashboard.app.viewstate import parse_params, query_string, to_params


def admin1_param(at: AppTest) -> list[str]:
    value = at.query_params.get("admin1")
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def test_options_are_named_and_counted(app_env: str) -> None:
    at = run()
    box = at.multiselect(key="f_admin1")
    assert box.label == "States and provinces"
    labels = {o.split(" (")[0]: o for o in box.options}
    # Beijing and Samarkand are in two articles, Xinjiang and Almaty in one; countries have no division.
    assert labels["Beijing, China"].endswith("(CN.22) · 2")
    assert labels["Samarqand, Uzbekistan"].endswith("(UZ.10) · 2")
    assert labels["Xinjiang, China"].endswith("(CN.13) · 1")
    assert labels["Almaty, Kazakhstan"].endswith("(KZ.02) · 1")
    assert len(box.options) == 4
    # Between the countries and the regions.
    keys = [w.key for w in at.sidebar if getattr(w, "key", None) in ("f_countries", "f_admin1", "f_regions")]
    assert keys == ["f_countries", "f_admin1", "f_regions"]


def test_choosing_a_province_filters_the_list_and_map(app_env: str) -> None:
    at = run()
    at.multiselect(key="f_admin1").set_value(["CN.13"]).run()
    assert not at.exception, [e.value for e in at.exception]
    body = texts(at)
    assert "**1** article " in body
    assert "Xi reist nach Zentralasien" in body and "Leaders meet in Samarkand" not in body
    assert "1 place in 1 article" in body  # the map shows Xinjiang alone
    assert at.query_params.get("admin1") == "CN.13"
    # Its own options keep their counts; the other facets follow the choice.
    assert any(o.endswith("(UZ.10) · 2") for o in at.multiselect(key="f_admin1").options)
    assert at.multiselect(key="f_langs").options == ["de · 1"]


def test_link_round_trips(app_env: str) -> None:
    at = run({"admin1": ["KZ.02", "UZ.10"]})
    assert at.multiselect(key="f_admin1").value == ["KZ.02", "UZ.10"]
    assert admin1_param(at) == ["KZ.02", "UZ.10"]
    assert "**3** articles" in texts(at)
    assert at.text_input(key="copy_link").value.endswith("?admin1=KZ.02&admin1=UZ.10")
    at.multiselect(key="f_admin1").set_value(["KZ.02"]).run()
    assert admin1_param(at) == ["KZ.02"]
    assert "**1** article " in texts(at)


def test_comma_separated_link_is_read(app_env: str) -> None:
    at = run({"admin1": "cn.13,UZ.10"})
    assert not at.warning
    assert at.multiselect(key="f_admin1").value == ["CN.13", "UZ.10"]
    assert admin1_param(at) == ["CN.13", "UZ.10"]


def test_malformed_values_warn_and_are_dropped(app_env: str) -> None:
    at = run({"admin1": ["Texas", "CN.13", "US-TX", "US.T X"]})
    warnings = "\n".join(shown(w.value) for w in at.warning)
    assert "state/province" in warnings and "Texas" in warnings and "US-TX" in warnings
    assert at.multiselect(key="f_admin1").value == ["CN.13"]
    assert admin1_param(at) == ["CN.13"]
    assert "**1** article " in texts(at)


def test_view_state_round_trip_without_streamlit() -> None:
    view, warnings = parse_params({"admin1": ["US.TX,CN.13", "us.ca", "DE.16"], "country": ["FR"]})
    assert warnings == []
    assert view.admin1 == ("US.TX", "CN.13", "US.CA", "DE.16")
    assert view.filters().admin1 == view.admin1
    assert parse_params(to_params(view)) == (view, [])
    assert "admin1=US.TX&admin1=CN.13" in query_string(view)
    bad, warnings = parse_params({"admin1": ["X.1", "USA.TX", "US.", ".TX", "US.TX;DROP"]})
    assert bad.admin1 == () and len(warnings) == 1
