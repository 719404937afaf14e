"""The view state as the user sees it: the link in the address bar and the sidebar filters.

Flow on every run: parse ``st.query_params`` into a :class:`ViewState` (warnings
shown once), seed the widgets from it on a session's first run, read the
widgets back into a new view, and write that view to the URL.  The URL is
therefore always the current view, and a copied link reproduces it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st

from dashboard.app import safe, state
from dashboard.app.viewstate import (
    DATE_PRESETS,
    LAYER_LABELS,
    MAP_LAYERS,
    PRESET_LABELS,
    ROLE_LABELS,
    ROLES,
    ViewState,
    parse_params,
    query_string,
    to_params,
)

_SEEDED = "_view_seeded"
_LABELS = "_option_labels"
_MULTI = ("f_countries", "f_admin1", "f_regions", "f_topics", "f_langs", "f_sources")


def url_view() -> tuple[ViewState, list[str]]:
    """The view the address bar describes, and what was wrong with it.

    Regions may be given by name in a hand-written link (``region=Zentralasien``); one the
    place index does not know is dropped with a warning rather than silently matching nothing.
    """
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    view, warnings = parse_params(params)
    known = state.region_options_safe()
    if view.regions and known:
        regions: list[str] = []
        unknown: list[str] = []
        for rid in view.regions:
            found = rid if rid in known else state.resolve_region(rid)
            if found is None:
                unknown.append(rid)
            elif found not in regions:
                regions.append(found)
        if unknown:
            shown = ", ".join(repr(safe.shorten(r, 60)) for r in unknown[:5]) + (" …" if len(unknown) > 5 else "")
            warnings.append(f"Unknown region{'s' * (len(unknown) > 1)} {shown} in the link: ignored.")
        view = replace(view, regions=tuple(regions))
    return view, warnings


def write_url(view: ViewState) -> None:
    """Make the address bar show ``view`` (only when it changed, to keep history quiet)."""
    wanted = to_params(view)
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    normalised = {k: (v if isinstance(v, list) else [v]) for k, v in wanted.items()}
    if normalised != current:
        st.query_params.from_dict(wanted)


def _seed(view: ViewState) -> None:
    """Initialise the widgets from the link, once per session."""
    if st.session_state.get(_SEEDED):
        return
    ss = st.session_state
    ss["f_date"] = view.date
    if view.date == "custom":
        ss["f_range"] = tuple(d for d in (view.date_from, view.date_to) if d) or (date.today(),)
    ss["f_countries"] = list(view.countries)
    ss["f_admin1"] = list(view.admin1)
    ss["f_regions"] = list(view.regions)
    ss["f_topics"] = list(view.topics)
    ss["f_langs"] = list(view.languages)
    ss["f_sources"] = list(view.sources)
    ss["f_text"] = view.text
    ss["f_role"] = view.role
    ss["f_conf"] = float(view.min_conf)
    ss["f_layer"] = view.layer
    ss["f_bytopic"] = view.by_topic
    ss[_SEEDED] = True


def _with_counts(key: str, values: list[tuple[str, int]], selected: list[str], names: dict[str, str] | None = None):
    """Options for a multiselect: every facet value plus anything the link selected.

    The labels carry counts, which change whenever another filter changes.  Streamlit's
    multiselect sends the *label* back, so every label shown is remembered (see :func:`_selected`).
    """
    counts = dict(values)
    options = [v for v, _ in values] + [v for v in selected if v not in counts]

    def label(v: str) -> str:
        name = (names or {}).get(v)
        shown = f"{name} ({v})" if name and name != v else v
        return safe.plain(f"{shown} · {counts[v]}" if v in counts else f"{shown} · 0")

    _remember(key, options, label)
    return options, label


def _remember(key: str, options: list[str], label: Any) -> None:
    """Keep label -> value for every option this session was shown (a few hundred per filter)."""
    seen = st.session_state.setdefault(_LABELS, {}).setdefault(key, {})
    if len(seen) > 20_000:  # a long session with thousands of sources: forget all but this run's labels
        seen.clear()
    for v in options:
        seen[label(v)] = v


def _selected(key: str) -> list[str]:
    """The values chosen in a multiselect, with labels mapped back to their values.

    Why: the browser's multiselect holds the labels it was last sent ("Iran (IR) · 731").  When another
    filter changes, the new run labels Iran "Iran (IR) · 212"; until the browser is told, it keeps
    answering with the old label, which no longer matches an option, and Streamlit then hands the
    label itself back as the value: the filter asked for a country called "Iran (IR) · 731" and
    the page showed 0 articles.  Mapping known labels back, and re-sending the value on every run
    (:func:`draw_sidebar`), keeps the choice.
    """
    seen = st.session_state.get(_LABELS, {}).get(key, {})
    out: list[str] = []
    for v in st.session_state.get(key, ()) or ():
        v = seen.get(v, v) if v not in seen.values() else v
        if v not in out:
            out.append(v)
    return out


def current_view(url: ViewState) -> ViewState:
    """The view the widgets describe (seeded from the link on a session's first run).

    Read before anything is drawn, so the counts shown next to the filters are
    computed for the values the user has just chosen, not the previous ones.
    """
    _seed(url)
    ss = st.session_state
    for key in _MULTI:
        if key in ss:
            chosen = _selected(key)
            if chosen != list(ss[key]):
                ss[key] = chosen
    date_from = date_to = None
    if ss.get("f_date") == "custom":
        rng = ss.get("f_range") or ()
        if isinstance(rng, (tuple, list)) and len(rng) >= 1:
            date_from = rng[0]
        if isinstance(rng, (tuple, list)) and len(rng) == 2:
            date_to = rng[1]
    view = url.with_(
        date=ss.get("f_date", "all"),
        date_from=date_from,
        date_to=date_to,
        countries=tuple(_selected("f_countries")),
        admin1=tuple(_selected("f_admin1")),
        regions=tuple(_selected("f_regions")),
        topics=tuple(_selected("f_topics")),
        languages=tuple(_selected("f_langs")),
        sources=tuple(_selected("f_sources")),
        text=str(ss.get("f_text", "")).strip(),
        role=ss.get("f_role", "any"),
        min_conf=round(float(ss.get("f_conf", 0.0)), 2),
        layer=ss.get("f_layer", "clusters"),
        by_topic=bool(ss.get("f_bytopic", False)),
    )
    if view.filters(state.now(), with_place=False) != url.filters(state.now(), with_place=False):
        view = view.with_(page=1)
    return view


def draw_sidebar(facets: dict[str, list[tuple[str, int]]], total: int) -> None:
    """Draw the filters; ``facets`` are the values left under the current filters, with counts."""
    ss = st.session_state
    sb = st.sidebar
    sb.markdown(f"**{total:,} article{'s' if total != 1 else ''}** match")
    sb.radio("Map layer", MAP_LAYERS, key="f_layer", format_func=LAYER_LABELS.__getitem__)
    if ss.get("f_layer") == "clusters":
        sb.checkbox("Colour places by main topic", key="f_bytopic")
    sb.selectbox("Date", list(DATE_PRESETS), key="f_date", format_func=PRESET_LABELS.__getitem__)
    if ss["f_date"] == "custom":
        if "f_range" not in ss:
            ss["f_range"] = (date.today().replace(day=1), date.today())
        sb.date_input("From – to", key="f_range")

    names = state.country_names_safe()
    for key in _MULTI:  # re-send the values so the browser shows (and answers with) this run's labels
        ss[key] = _selected(key)
    opts, fmt = _with_counts("f_countries", facets.get("countries", []), ss["f_countries"], names)
    sb.multiselect("Countries", opts, key="f_countries", format_func=fmt, placeholder="All countries")
    admin1 = facets.get("admin1", [])
    chosen = ss.get("f_admin1", [])
    a1_names = state.admin1_names_safe([k for k, _ in admin1] + [k for k in chosen if k not in dict(admin1)])
    aopts, afmt = _with_counts("f_admin1", admin1, chosen, a1_names)
    sb.multiselect("States and provinces", aopts, key="f_admin1", format_func=afmt,
                   placeholder="Anywhere in them",
                   help="First-level divisions (states, provinces): type to search by name or code")
    regions = state.region_options_safe()
    if facets.get("regions"):
        ropts, rfmt = _with_counts("f_regions", facets["regions"], ss.get("f_regions", []), regions)
    else:
        ropts = list(regions) + [r for r in ss.get("f_regions", []) if r not in regions]

        def rfmt(v: str) -> str:
            return safe.plain(regions.get(v, v))

        _remember("f_regions", ropts, rfmt)

    sb.multiselect("Regions and continents", ropts, key="f_regions", format_func=rfmt, placeholder="Anywhere")
    for key, facet, label in (
        ("f_topics", "topics", "Topics"),
        ("f_langs", "languages", "Languages"),
        ("f_sources", "sources", "Sources"),
    ):
        o, f = _with_counts(key, facets.get(facet, []), ss.get(key, []))
        sb.multiselect(safe.md(label), o, key=key, format_func=f, placeholder="All")
    sb.text_input("Text search", key="f_text", placeholder="words in title or text")
    sb.radio("Mention role", ROLES, key="f_role", format_func=ROLE_LABELS.__getitem__, horizontal=True)
    sb.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="f_conf")


def copy_link(view: ViewState) -> None:
    """Show the full link to this view, ready to copy (the address bar holds it too)."""
    try:
        base = (st.context.url or "").split("?", 1)[0]
    except Exception:  # noqa: BLE001 - no browser context (AppTest)
        base = ""
    # A text field rather than st.code: st.code makes every page load a 1.5 MB syntax highlighter.
    with st.sidebar.expander("Copy link to this view"):
        st.session_state["copy_link"] = base + query_string(view)  # always the current view
        st.text_input("Link to this view", key="copy_link",
                      help="Select and copy; opening it shows a colleague exactly this view.")
