"""Subscription lists in OPML, the format every feed reader imports and exports.

Parsed with lxml with entity resolution and network access off: an OPML file
is user input and may come from anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from dashboard.errors import InputError

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 60, "s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL_S = 10


@dataclass(frozen=True, slots=True)
class Outline:
    """One subscription read from OPML."""

    url: str
    name: str = ""
    lang: str | None = None


def parse_interval(text: str) -> int:
    """``15m``, ``1h``, ``90s``, ``2d`` or plain minutes -> seconds (at least 10 s)."""
    m = _INTERVAL.match(text or "")
    if not m:
        raise InputError(f"--every {text!r}: give a number and a unit, e.g. 15m, 1h, 90s")
    seconds = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if seconds < MIN_INTERVAL_S:
        raise InputError(f"--every {text!r}: poll at most every {MIN_INTERVAL_S} s")
    return seconds


def format_interval(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def read_opml(data: bytes, where: str) -> list[Outline]:
    """Every outline with an ``xmlUrl`` (at any depth: readers nest them in folders)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise InputError(f"{where}: not an OPML file: {err}") from err
    if root.tag.lower() != "opml":
        raise InputError(f"{where}: not an OPML file (the root element is <{root.tag}>, not <opml>)")
    out: list[Outline] = []
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if url:
            out.append(Outline(url, (node.get("title") or node.get("text") or "").strip(),
                               (node.get("language") or "").strip() or None))
    return out


def write_opml(feeds: Iterable[tuple[str, str, str | None]], title: str = "News map subscriptions") -> str:
    """OPML 2.0 for (url, name, lang) triples."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             f"  <head><title>{_text(title)}</title></head>", "  <body>"]
    for url, name, lang in feeds:
        attrs = f'type="rss" text={quoteattr(name or url)} title={quoteattr(name or url)} xmlUrl={quoteattr(url)}'
        if lang:
            attrs += f" language={quoteattr(lang)}"
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
