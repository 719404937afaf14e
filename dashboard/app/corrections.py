"""The "wrong place?" control of the article view: pin a mention to another place, or to none.

A correction goes through :meth:`Store.add_correction`, which fixes the article
at once and remembers the surface in its context for later ingests and
reparses.  The right place is one of the mention's alternative candidates,
or found in the offline place index (any language it knows), or "not a place".
Hidden in read-only mode (the caller does not draw it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import streamlit as st

from dashboard.app import safe, state
from dashboard.errors import DashboardError
from dashboard.models import Mention, Place

logger = logging.getLogger(__name__)

NONE = "none"
SEARCH = "search"
_FLASH = "_correction_flash"


def place_label(p: Place) -> str:
    """``Samarkand (city, UZ)``: enough to tell namesakes apart."""
    where = f", {p.country_code}" if p.country_code and p.kind != "country" else ""
    return f"{p.name} ({p.kind}{where})"


def _alternatives(m: Mention) -> dict[str, Place]:
    """The mention's other candidates as full index places (id -> place), best first.

    Candidates come back from the store with their GeoNames id only; the index
    has the complete place (admin1, population) the store should keep.
    """
    out: dict[str, Place] = {}
    for cand in m.alternatives:
        pid = cand.place.id
        if not pid or pid == m.place.id:
            continue
        full = None
        try:
            full = state.get_index().by_id(pid)
        except (DashboardError, OSError) as err:
            logger.warning("no place index for alternatives: %s", err)
        out[pid] = full or cand.place
    return out


def _save(article_id: int, spans: list[tuple[int, int, str]], alternatives: list[dict[str, Place]]) -> None:
    """Button callback: store the correction the widgets describe, then forget cached results."""
    ss = st.session_state
    i = int(ss.get(f"wp_mention_{article_id}", 0))
    start, end, surface = spans[i]
    choice = ss.get(f"wp_choice_{article_id}", NONE)
    place: Place | None = None
    if choice == SEARCH:
        pid = ss.get(f"wp_pick_{article_id}")
        place = state.get_index().by_id(pid) if pid else None
        if place is None:
            ss[_FLASH] = ("error", "Search the place index and choose a place first.")
            return
    elif choice != NONE:
        place = alternatives[i].get(choice)
        if place is None:
            ss[_FLASH] = ("error", "That candidate is no longer available; choose again.")
            return
    note = str(ss.get(f"wp_note_{article_id}", "")).strip()[:500]
    try:
        state.get_store(state.settings().db_url).add_correction(article_id, start, end, place, note)
    except DashboardError as err:
        ss[_FLASH] = ("error", f"The correction was not stored: {err}")
        logger.warning("correction failed: %s", err)
        return
    state.invalidate_queries()
    target = place_label(place) if place else "not a place"
    ss[_FLASH] = ("success", f"Correction stored: “{surface}” → {target}.")
    ss.pop(f"wp_pick_{article_id}", None)


def wrong_place(article_id: int, mentions: Sequence[Mention]) -> None:
    """Draw the control under an article (only when corrections are allowed)."""
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        (safe.success if flash[0] == "success" else safe.error)(flash[1])
    if not mentions:
        return
    ordered = sorted(mentions, key=lambda m: (m.start, m.end))
    spans = [(m.start, m.end, m.surface) for m in ordered]
    alternatives = [_alternatives(m) for m in ordered]
    with st.expander("Wrong place?", expanded=bool(flash)):
        i = st.selectbox(
            "Mention",
            range(len(ordered)),
            format_func=lambda k: safe.plain(f"“{ordered[k].surface}” at {ordered[k].start} → "
                                             f"{place_label(ordered[k].place)}"),
            key=f"wp_mention_{article_id}",
        )
        m, alts = ordered[i or 0], alternatives[i or 0]
        options = [*alts, SEARCH, NONE]
        labels = {pid: f"{place_label(p)}" for pid, p in alts.items()}
        labels |= {SEARCH: "Another place (search the index)", NONE: "Not a place"}
        choice_key = f"wp_choice_{article_id}"
        if st.session_state.get(choice_key) not in options:
            st.session_state[choice_key] = options[0]
        choice = st.radio("It should be", options, format_func=safe.md_func(labels.__getitem__), key=choice_key)
        if choice == SEARCH:
            query = st.text_input("Place name", value=m.surface, key=f"wp_query_{article_id}_{i}")
            try:
                found = state.search_places(query)
            except (DashboardError, OSError) as err:
                safe.warning(f"The place index is not available: {err}")
                found = []
            if found:
                st.selectbox(
                    "Place",
                    [p.id for p in found],
                    format_func={p.id: safe.plain(place_label(p)) for p in found}.__getitem__,
                    key=f"wp_pick_{article_id}",
                )
            else:
                st.caption("No place of that name in the index.")
        st.text_input("Note (optional)", key=f"wp_note_{article_id}", max_chars=500)
        st.button(
            "Save correction",
            key=f"wp_save_{article_id}",
            on_click=_save,
            args=(article_id, spans, alternatives),
            type="primary",
        )
        st.caption("The correction applies to this article now, and to the same words in the same "
                   "context in later ingests and reparses.")
