"""Enrichment, in order: language -> collapse repeated paragraphs -> geoparse -> topics.

The geoparser, topic tagger and language detector live in other modules of
the package; they are looked up lazily so ingest keeps working (and says so
in the log) while one of them is missing, and so tests can pass their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from dashboard.errors import ConfigurationError, InputError
from dashboard.ingest.text import clean, collapse_repeats, date_in_text, title_and_body
from dashboard.models import Article, GeoparseResult, TopicScore
from dashboard.store.batch import GeoRows, TopicRow, topic_rows

logger = logging.getLogger(__name__)

GeoparseFn = Callable[..., GeoparseResult]
TagFn = Callable[..., tuple[TopicScore, ...]]
EnrichedRows = tuple[GeoRows, tuple[TopicRow, ...], bytes | None]  # geoparse, topics, MinHash signature


@cache
def _detector() -> Callable[[str], str | None] | None:
    try:
        from dashboard.langdetect import detect  # type: ignore[import-not-found]
    except ImportError:
        logger.warning("no language detector (dashboard.langdetect); articles without a language keep none")
        return None
    return detect  # type: ignore[no-any-return]


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``, or ``None`` when no detector is installed or it cannot tell."""
    detect = _detector()
    if detect is None:
        return None
    try:
        return detect(text) or None
    except (ValueError, LookupError) as err:
        logger.debug("language detection failed: %s", err)
        return None


def default_geoparser() -> GeoparseFn:
    """The project's geoparser; ingest without one would store articles with no places."""
    try:
        from dashboard.geoparse import geoparse
    except ImportError as err:
        raise ConfigurationError(
            f"the geoparser is not available ({err}); install the package fully or run build-index"
        ) from err
    return geoparse  # type: ignore[no-any-return]


def default_tagger() -> TagFn | None:
    """The project's topic tagger (shipped rules plus the user's), or ``None`` when it is missing."""
    try:
        from dashboard.topics import default_tagger as rules_tagger  # type: ignore[import-not-found]
    except ImportError:
        logger.warning("no topic tagger (dashboard.topics); articles get no topics")
        return None
    # the user's rules (DASHBOARD_TOPIC_RULES) are read here, once: a bad file stops the run before it starts
    return rules_tagger().tag  # type: ignore[no-any-return]


def prepare(article: Article) -> Article:
    """Clean, de-repeat, title, date and language an article before it is parsed.

    Runs before the duplicate check so that two copies differing only in a
    repeated body or in spacing are recognised as one.
    """
    text = collapse_repeats(clean(article.text))
    if not text:
        raise InputError("empty article")
    title = " ".join(article.title.split())
    if not title:
        title = title_and_body(text)[0]
    published, date_source = article.published, article.date_source
    if published is None:
        published = date_in_text(text)
        date_source = "text" if published else "ingest"
    lang = article.lang or detect_language(text)
    return replace(article, text=text, title=title, published=published, date_source=date_source, lang=lang)


def geoparse_article(article: Article, geoparser: GeoparseFn) -> GeoparseResult:
    """Geoparse the article text; the title is part of the text when the text does not start with it."""
    return geoparser(article.text, lang=article.lang)


def tag_article(article: Article, tagger: TagFn | None) -> tuple[TopicScore, ...]:
    if tagger is None:
        return ()
    return tuple(tagger(article.text, lang=article.lang, categories=article.categories, title=article.title))


def enrich(article: Article, geoparser: GeoparseFn, tagger: TagFn | None) -> tuple[GeoparseResult, tuple[TopicScore, ...]]:
    """Geoparse and tag one prepared article."""
    result = geoparse_article(article, geoparser)
    if article.lang is None and result.lang:
        article = replace(article, lang=result.lang)
    return result, tag_article(article, tagger)


# --- worker processes ----------------------------------------------------------

_WORKER: dict[str, Any] = {}


def signature(text: str) -> bytes | None:
    from dashboard.ingest.dedupe import signature as minhash_signature

    return minhash_signature(text)


def init_worker(geoparser: GeoparseFn | None, tagger: TagFn | None, use_default_tagger: bool) -> None:
    """Set up a worker process: each loads the geoparser (and its index) once."""
    _WORKER["geoparser"] = geoparser or default_geoparser()
    _WORKER["tagger"] = tagger if tagger is not None or not use_default_tagger else default_tagger()


def enrich_rows(article: Article, with_signature: bool = False) -> EnrichedRows | str:
    """:func:`enrich` as the store writes it (plain tuples, cheap to send back), plus the MinHash signature."""
    try:
        geo, topics = enrich(article, _WORKER["geoparser"], _WORKER["tagger"])
        sig = signature(article.text) if with_signature else None
        return GeoRows.of(geo), topic_rows(topics), sig
    except Exception as err:  # one article must not end a long run; the message is recorded
        logger.debug("enrichment failed", exc_info=True)
        return f"geoparse/topics failed: {type(err).__name__}: {err}"


def enrich_chunk(articles: list[Article], with_signature: bool) -> list[EnrichedRows | str]:
    """:func:`enrich_rows` for a chunk of articles: one task (and one pickle) per chunk."""
    return [enrich_rows(a, with_signature) for a in articles]


def enrich_in_worker(article: Article) -> tuple[GeoparseResult, tuple[TopicScore, ...]] | str:
    """:func:`enrich` in a worker process; an error comes back as its message."""
    try:
        return enrich(article, _WORKER["geoparser"], _WORKER["tagger"])
    except Exception as err:  # one article must not end a long run; the message is recorded
        logger.debug("enrichment failed", exc_info=True)
        return f"geoparse/topics failed: {type(err).__name__}: {err}"
