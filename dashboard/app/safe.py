"""The one way untrusted strings reach the page: as text, never as Markdown or HTML.

Shared links, articles, feeds, topic rules files and corrections are written by
someone else.  Most Streamlit elements render their text as Markdown (alerts,
captions, subheaders, expander, button and radio labels, help tooltips), and
Streamlit's Markdown turns ``[text](url)`` into a live link, ``![](url)`` into an
image the browser fetches, bare ``https://...``, ``www.`` and e-mail addresses
into links, ``:red[...]`` into coloured text and ``:material/...:`` into icons.
So every such string goes through :func:`md` (or one of the renderers here that
call it) on its way to one of those elements.  ``tests/app/test_safe.py`` walks
the app's source and fails when a Markdown-rendering call gets a string that was
not built here.

Plain-text elements (multiselect and selectbox options, ``st.text``, dataframes,
chart legends) show backslashes literally, so their strings must *not* go
through :func:`md`; :func:`plain` only shortens them.

Measured in Chromium with Streamlit 1.67: a backslash before every ASCII
punctuation character that Markdown or Streamlit's extensions read makes the
text literal, except for GFM's link detection (bare URLs, ``www.``, e-mail
addresses) and the icon short codes, which run after the escapes are resolved;
those are broken with an invisible WORD JOINER (U+2060) after ``:`` and ``@`` and
before the dot of ``www.``.  The text looks the same; a copied string carries the
invisible character.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import streamlit as st

JOINER = "\u2060"
# Every character that CommonMark, GFM or Streamlit's directives (:red[..], $..$) give a meaning to.
_MD_SPECIAL = frozenset("\\`*_{}[]()#+-.!|~<>$:&=\"'^%")
# ...and between two hyphens, which Streamlit's Markdown otherwise shows as a dash ("--" as "—"),
# escaped or not (found by the security suite: an author "DROP TABLE articles; --").
_LINKIFY = re.compile(r"(?i)(?<=www)(?=\.)|(?<=[:@])|(?<=-)(?=-)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # incl. bidi overrides
MAX_SHOWN = 300


def shorten(text: object, limit: int = MAX_SHOWN) -> str:
    """``text`` as a string of at most ``limit`` characters, without control or bidi-override characters."""
    s = _CONTROL.sub("", str(text))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def md(text: object, limit: int = MAX_SHOWN) -> str:
    """``text`` escaped so that a Markdown-rendering element shows it literally.

    Newlines become spaces (a newline could start a heading or a list in the
    middle of our own sentence).
    """
    s = shorten(text, limit).replace("\r", " ").replace("\n", " ")
    s = _LINKIFY.sub(JOINER, s)
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)


def plain(text: object, limit: int = MAX_SHOWN) -> str:
    """For elements that show text as it is (multiselect/selectbox options): only shortened."""
    return shorten(text, limit)


def md_func(fn: Callable[[Any], object]) -> Callable[[Any], str]:
    """A ``format_func`` whose labels are escaped, for widgets that render option labels as Markdown (radio)."""

    def fmt(value: Any) -> str:
        return md(fn(value))

    return fmt


def fmt(template: str, /, **values: object) -> str:
    """``template.format(**values)`` with every string value escaped (numbers keep their format specs).

    The template is ours (a literal); only the values are untrusted.
    """
    shown = {k: v if isinstance(v, (int, float)) and not isinstance(v, bool) else md(v) for k, v in values.items()}
    return template.format(**shown)


# --- renderers: a message that may carry untrusted pieces, shown as text ---


def warning(message: object, where: Any = None) -> None:
    """An alert whose whole text is shown literally (link warnings quote what the link held)."""
    (where or st).warning(md(message, limit=1000), icon="⚠️")


def info(message: object, where: Any = None) -> None:
    (where or st).info(md(message, limit=1000))


def error(message: object, where: Any = None) -> None:
    (where or st).error(md(message, limit=1000))


def success(message: object, where: Any = None) -> None:
    (where or st).success(md(message, limit=1000))


def caption(message: object, where: Any = None) -> None:
    (where or st).caption(md(message, limit=1000))


# --- links to articles ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class SafeLink:
    """An article's own address, fit to be a link: http(s), a real host, no characters to hide behind."""

    href: str
    host: str  # as the browser will contact it: IDNA (punycode) for non-ASCII names, so look-alikes show


# RFC 3986 reserved and unreserved characters; everything else (spaces, quotes, <>, parentheses,
# backslashes, non-ASCII) is percent-encoded so the address cannot break out of a Markdown link.
_URL_SAFE = "/?#[]@!$&*+,;=:%-._~"


def article_link(url: object) -> SafeLink | None:
    """The link to show for an article's URL, or ``None`` when it is not a plain http(s) address."""
    if not isinstance(url, str) or len(url) > 2000 or _CONTROL.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or parts.username or parts.password:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None
    if not re.fullmatch(r"[a-z0-9.\-\[\]:]+", ascii_host):
        return None
    netloc = ascii_host + (f":{port}" if port is not None else "")
    rest = quote(unicodedata.normalize("NFC", parts.path), safe=_URL_SAFE)
    if parts.query:
        rest += "?" + quote(parts.query, safe=_URL_SAFE)
    if parts.fragment:
        rest += "#" + quote(parts.fragment, safe=_URL_SAFE)
    return SafeLink(f"{parts.scheme.lower()}://{netloc}{rest}", netloc)


def image_html(url: object) -> str | None:
    """An ``<img>`` for an article's own picture, or ``None`` when its address is not a plain http(s) URL.

    Only for stores whose settings allow remote images (``store-settings --remote-images on``):
    showing it makes the reader's browser contact the image's host.  ``data:``, ``javascript:``
    and every other scheme are refused by :func:`article_link`'s rules; the address is
    percent-encoded and attribute-escaped.  The tag asks for no referrer; measured in
    Chromium (``tests/browser/test_remote_images.py``), the image host got at most the
    dashboard's origin, never its path or the filters of a shared link.
    """
    link = article_link(url)
    if link is None:
        return None
    src = html.escape(link.href, quote=True)
    return (f'<img class="nm-article-image" src="{src}" alt="Picture named by the article"'
            ' referrerpolicy="no-referrer" style="max-width:100%;max-height:360px">')


def link_markdown(link: SafeLink, label: str = "Original article") -> str:
    """``[label ↗](href) · host``: the host is shown as text next to the link, never hidden in it."""
    href = link.href.replace("(", "%28").replace(")", "%29")
    return f"[{md(label)} ↗]({href}) on **{md(link.host)}**"


def shown(markdown_text: str) -> str:
    """The text a reader sees for a string built by :func:`md` (backslashes and joiners removed); for tests."""
    return re.sub(r"\\(.)", r"\1", markdown_text).replace(JOINER, "")
