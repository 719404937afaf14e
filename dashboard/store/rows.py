"""Values the store hands back, and the small pure helpers its writers and readers share."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from dashboard.models import Mention


@dataclass(frozen=True, slots=True)
class AddResult:
    """What :meth:`Store.add_article` did: ``inserted`` or found ``duplicate_of`` an existing article."""

    id: int
    inserted: bool
    duplicate_of: int | None = None
    mentions: int = 0
    story_id: int | None = None


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One stored article as the dashboard and ``export`` show it.

    ``places`` are place names ordered by how often the article mentions them;
    ``text`` and ``mentions`` are only filled when asked for (:meth:`Store.article`,
    ``with_text=True``), because the article list never needs them.
    """

    id: int
    title: str
    source: str
    url: str | None
    published: datetime | None
    date_source: str
    lang: str | None
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    text: str | None = None
    mentions: tuple[Mention, ...] = ()
    story_id: int | None = None
    categories: tuple[str, ...] = ()
    author: str = ""
    image_url: str | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "date_source": self.date_source,
            "lang": self.lang,
            "author": self.author,
            "image_url": self.image_url,
            "story_id": self.story_id,
            "categories": list(self.categories),
            "topics": list(self.topics),
            "places": list(self.places),
        }
        if self.text is not None:  # a full article (Store.article): text and every mention
            out["text"] = self.text
            out["mentions"] = [m.to_dict() for m in self.mentions]
        return out


_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """The form two copies of one article share: NFKC, case-folded, whitespace collapsed.

    Copies of an article differ in line breaks, non-breaking spaces and
    typographic width far more often than in words; this removes exactly that.
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_hash(text: str) -> str:
    """SHA-256 of :func:`normalise_text`: the key that stores an exact duplicate once."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def to_utc(value: datetime) -> datetime:
    """An aware UTC datetime; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime) -> str:
    """ISO 8601 text in UTC with seconds, the form every date column holds."""
    return to_utc(value).replace(microsecond=0).isoformat()


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


_WORD = re.compile(r"\w+", re.UNICODE)


def context_key(text: str, start: int, end: int, words: int = 3) -> str:
    """The few words around a mention, normalised: where a correction applies again.

    A correction says "in *this* context, this surface means that place"; the
    same three words either side elsewhere is the same context.
    """
    before = _WORD.findall(text[max(0, start - 200) : start])[-words:]
    after = _WORD.findall(text[end : end + 200])[:words]
    return normalise_text(" ".join(before) + " _ " + " ".join(after))
