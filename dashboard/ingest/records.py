"""What sources yield: an article or an error, always with where it came from.

Readers never raise for one bad record: they yield a :class:`Record` with an
``error`` so the run can report it (source and position) and go on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from dashboard.errors import ConfigurationError, InputError
from dashboard.models import Article

logger = logging.getLogger(__name__)

FIELDS = ("title", "text", "published", "url", "id", "lang", "source", "categories", "author", "image")
# Column names other tools commonly use for our fields, tried when no --map is given.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "text": ("text", "body", "content", "article", "description", "summary"),
    "published": ("published", "date", "pubdate", "published_at", "publish_date", "datetime", "timestamp"),
    "url": ("url", "link", "href"),
    "id": ("id", "guid", "uid"),
    "lang": ("lang", "language"),
    "source": ("source", "publisher", "outlet", "site"),
    "categories": ("categories", "category", "tags", "keywords"),
    "author": ("author", "authors", "byline", "creator"),
    "image": ("image", "image_url", "top_image", "thumbnail"),
}
AUTHOR_MAX = 300  # characters of a byline kept: a longer one is a text put in the wrong column


@dataclass(frozen=True, slots=True)
class Record:
    """One item read from a source: ``article`` when usable, else ``error`` saying why not."""

    source: str
    position: str = ""
    article: Article | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How to read sources; the CLI fills it from its options."""

    glob: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    lang: str | None = None
    source_name: str | None = None
    fetch_pages: bool = False
    format: str = "auto"  # auto | text | jsonl | csv | feed | page


def parse_mapping(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``("title=headline,published=date", "url=link")`` -> ``{"title": "headline", ...}``."""
    out: dict[str, str] = {}
    for chunk in pairs:
        for pair in chunk.split(","):
            if not pair.strip():
                continue
            ours, sep, theirs = pair.partition("=")
            ours, theirs = ours.strip(), theirs.strip()
            if not sep or not theirs:
                raise ConfigurationError(f"--map {pair!r}: write FIELD=COLUMN, e.g. --map title=headline")
            if ours not in FIELDS:
                raise ConfigurationError(f"--map {pair!r}: unknown field {ours!r}; fields: {', '.join(FIELDS)}")
            out[ours] = theirs
    return out


def parse_date(value: Any) -> datetime | None:
    """A publication date from metadata: ISO 8601, RFC 2822, epoch seconds or common forms."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=UTC)
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    from dateutil import parser as dateutil_parser

    try:
        return dateutil_parser.parse(text)
    except (ValueError, OverflowError) as err:
        raise InputError(f"cannot read the date {text[:40]!r}") from err


def _pick(row: Mapping[str, Any], field_name: str, mapping: Mapping[str, str],
          lowered: Mapping[str, Any] | None = None) -> Any:
    if field_name in mapping:
        return row.get(mapping[field_name])
    if lowered is None:
        lowered = {str(k).lower(): v for k, v in row.items()}
    for alias in ALIASES[field_name]:
        if lowered.get(alias) not in (None, ""):
            return lowered[alias]
    return None


def article_from_mapping(row: Mapping[str, Any], opts: IngestOptions, default_source: str) -> Article:
    """Build an :class:`Article` from a JSON object or CSV row with the user's column mapping."""
    lowered = {str(k).lower(): v for k, v in row.items()}  # once per row, not once per field

    def pick(field_name: str) -> Any:
        return _pick(row, field_name, opts.mapping, lowered)

    text = pick("text")
    if not isinstance(text, str) or not text.strip():
        col = opts.mapping.get("text", "text")
        raise InputError(f"no article text (column {col!r}); map it with --map text=COLUMN")
    title = pick("title")
    published = parse_date(pick("published"))
    cats = pick("categories")
    if isinstance(cats, str):
        cats = json.loads(cats) if cats.strip().startswith("[") else [c.strip() for c in cats.split(";")]
    ident, url, image = pick("id"), pick("url"), pick("image")
    if isinstance(image, dict):  # {"url": ...} as some scrapers write it
        image = image.get("url") or image.get("src")
    return Article(
        text=text,
        title=str(title).strip() if title else "",
        id=str(ident) if ident not in (None, "") else None,
        url=str(url) if url else None,
        published=published,
        date_source="metadata" if published else "ingest",
        lang=opts.lang or (str(pick("lang") or "") or None),
        source=opts.source_name or str(pick("source") or "") or default_source,
        categories=tuple(str(c) for c in (cats or ()) if str(c).strip()),
        author=author_text(pick("author")),
        image=(image.strip() or None) if isinstance(image, str) else None,
    )


def author_text(value: Any) -> str:
    """One byline from what a source gives: a name, a list of names (or of ``{"name": ...}``), joined with ", ".

    A CSV cell holding a JSON list or names separated by ``;`` is a list too.  Spaces
    are collapsed; what is shown is escaped by the app, so nothing else is removed.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = text
        elif ";" in text:
            value = text.split(";")
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list | tuple):
        names = []
        for v in value:
            name = v.get("name") if isinstance(v, dict) else v
            if name is not None and " ".join(str(name).split()):
                names.append(" ".join(str(name).split()))
        joined = ", ".join(dict.fromkeys(names))  # the same name twice (a feed's author and creator) once
    else:
        joined = " ".join(str(value).split())
    return joined[:AUTHOR_MAX]
