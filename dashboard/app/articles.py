"""The article list tied to the map, and one article with its place mentions highlighted.

Article text is hostile input: it reaches the page only through
:func:`highlight_html`, which escapes every character outside our own ``<mark>``
tags, or through Streamlit elements that render plain text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import streamlit as st

from dashboard.app import safe, state
from dashboard.app.corrections import wrong_place
from dashboard.app.viewstate import ViewState

PAGE_SIZE = 20

_MARK_STYLE = "background:#fff3b0;padding:0 2px;border-radius:3px"


def highlight_html(text: str, mentions: Sequence[Any]) -> str:
    """``text`` as HTML with every mention wrapped in ``<mark>``; all text escaped.

    ``mentions`` are :class:`dashboard.models.Mention` (``start``, ``end``,
    ``place``, ``score``).  Overlapping or out-of-range spans are skipped rather
    than trusted, and the title attribute (place name, kind, country) is escaped too.
    """
    out: list[str] = []
    pos = 0
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if m.start < pos or m.end > len(text) or m.start >= m.end:
            continue
        p = m.place
        title = f"{p.name} ({p.kind}{', ' + p.country_code if p.country_code else ''}) · confidence {m.score:.2f}"
        out.append(html.escape(text[pos : m.start]))
        out.append(
            f'<mark style="{_MARK_STYLE}" title="{html.escape(title, quote=True)}" '
            f'data-place="{html.escape(p.id, quote=True)}">{html.escape(text[m.start : m.end])}</mark>'
        )
        pos = m.end
    out.append(html.escape(text[pos:]))
    body = "".join(out).replace("\n", "<br>")
    return f'<div class="nm-article" style="line-height:1.6">{body}</div>'


def _set(**changes: Any) -> None:
    """Button callback: change the selection in the link (read on the rerun)."""
    for key, value in changes.items():
        if value in (None, "", 1) and key in ("place", "article", "page"):
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = str(value)


def article_list(view: ViewState, place_name: str | None) -> None:
    """The filtered articles, narrowed to the selected place, one page at a time."""
    db = state.settings().db_url
    filters = view.filters(state.now())
    total = state.count_articles(db, filters)
    if view.place:
        c1, c2 = st.columns([4, 1])
        c1.markdown(safe.fmt("**{n:,}** article{s} mentioning **{place}**", n=total, s="s" if total != 1 else "",
                             place=place_name or view.place))
        c2.button("Clear", key="clear_place", on_click=_set, kwargs={"place": None, "page": 1})
    else:
        st.markdown(f"**{total:,}** article{'s' if total != 1 else ''} · click a place on the map to narrow")
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(view.page, pages)
    rows = state.articles(db, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    for row in rows:
        with st.container(border=True):
            st.markdown(safe.fmt("**{title}**", title=row.title or "(untitled)"))
            meta = [row.source or "", row.author and f"by {row.author}",
                    row.published.date().isoformat() if row.published else "", row.lang or ""]
            safe.caption(" · ".join(x for x in meta if x))
            if row.places or row.topics:
                safe.caption(
                    "Places: " + ", ".join(row.places[:6]) + (" · Topics: " + ", ".join(row.topics) if row.topics else "")
                )
            st.button("Read", key=f"open_{row.id}", on_click=_set, kwargs={"article": row.id})
    if pages > 1:
        c1, c2, c3 = st.columns([1, 2, 1])
        c1.button("‹ Prev", disabled=page <= 1, on_click=_set, kwargs={"page": page - 1}, key="prev")
        c2.caption(f"Page {page:d} of {pages:d}")
        c3.button("Next ›", disabled=page >= pages, on_click=_set, kwargs={"page": page + 1}, key="next")


def article_view(view: ViewState, read_only: bool) -> bool:
    """The selected article with highlighted mentions; False when the link's id is unknown."""
    db = state.settings().db_url
    try:
        art = state.article(db, int(view.article or ""))
    except ValueError:
        art = None
    if art is None:
        safe.warning(f"Article {safe.shorten(view.article, 60)!r} from the link was not found; showing the list.")
        return False
    st.button("‹ Back to the list", on_click=_set, kwargs={"article": None}, key="back")
    st.subheader(safe.md(art.title or "(untitled)"), anchor=False)
    meta = [art.source or "", art.published.isoformat(sep=" ") if art.published else "", art.lang or ""]
    safe.caption(" · ".join(x for x in meta if x))
    if art.author:
        safe.caption(f"By {art.author}")
    link = safe.article_link(art.url)
    if link is not None:
        st.markdown(safe.link_markdown(link))
    elif art.url:
        safe.caption(f"Address (not a web link): {art.url}")
    # The article's own picture, only where the store's settings allow remote images (off by default).
    if art.image_url and state.remote_images(db) and safe.image_html(art.image_url) is not None:
        st.html(safe.image_html(art.image_url))
    st.html(highlight_html(art.text or "", art.mentions))
    places: dict[str, str] = {}
    for m in art.mentions:
        places.setdefault(m.place.id, m.place.name)
    if places:
        st.caption("Show on the map:")
        cols = st.columns(min(4, len(places)))
        for i, (pid, name) in enumerate(places.items()):
            cols[i % len(cols)].button(safe.md(name), key=f"goto_{pid}", on_click=_set, kwargs={"place": pid, "article": None})
    if not read_only:
        wrong_place(art.id, art.mentions)
    return True

