"""Feeds (RSS, Atom) and web pages: feedparser for feeds, trafilatura and htmldate for pages.

Markup never reaches the store: titles and feed texts are converted from HTML
to plain text here, and whatever text remains is escaped where it is shown.
"""

from __future__ import annotations

import html as html_lib
import logging
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import UTC, datetime

from dashboard.errors import FetchError, InputError
from dashboard.ingest.fetch import Fetcher
from dashboard.ingest.records import IngestOptions, Record, author_text, parse_date
from dashboard.ingest.text import clean, date_in_text, shorten
from dashboard.models import Article

logger = logging.getLogger(__name__)

MIN_PAGE_WORDS = 8
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/feed+json")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed summary, a title with tags); scripts are dropped."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return html_lib.unescape(fragment).strip()
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for br in root.xpath("//br|//p|//div|//li"):
        br.tail = "\n" + (br.tail or "")
    return clean(root.text_content())


def _feed_name(parsed: object, where: str) -> str:
    feed = getattr(parsed, "feed", {}) or {}
    return html_to_text(feed.get("title", "")) or where


def read_feed(data: bytes, where: str, opts: IngestOptions, fetcher: Fetcher | None = None,
              skip_links: Collection[str] = ()) -> Iterator[Record]:
    """The items of an RSS or Atom document; with ``fetch_pages`` each item's text comes from its link.

    Items whose link is in ``skip_links`` (pages stored already) are left out
    before their page is fetched: a poller re-reading a feed fetches only new pages.
    """
    import feedparser

    parsed = feedparser.parse(data)
    entries = parsed.get("entries", [])
    if not entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            yield Record(where, "", error=f"not a feed: {str(reason)[:160] or 'not XML'}")
        elif parsed.get("version"):
            logger.info("%s: feed has no items", where)
        else:
            yield Record(where, "", error="not an RSS or Atom feed")
        return
    source = opts.source_name or _feed_name(parsed, where)
    for number, entry in enumerate(entries, 1):
        position = f"item {number}"
        link = entry.get("link")
        title = html_to_text(entry.get("title", ""))
        published = None
        for key in ("published_parsed", "updated_parsed"):
            if entry.get(key):
                published = datetime(*entry[key][:6]).replace(tzinfo=UTC)
                break
        if opts.fetch_pages and link and fetcher is not None:
            if link in skip_links:
                continue
            try:
                page = fetcher.get(link)
            except FetchError as err:
                yield Record(link, position, error=str(err).removeprefix(f"{link}: "))
                continue
            rec = page_record(page.content, page.url, link, opts, charset_text=page.text())
            if rec.article is not None:
                art = rec.article
                rec = Record(link, position, article=Article(
                    text=art.text, title=title or art.title, id=entry.get("id"), url=page.url,
                    published=published or art.published,
                    date_source="metadata" if published else art.date_source,
                    lang=opts.lang or art.lang, source=source, categories=_tags(entry),
                    author=_entry_author(entry) or art.author, image=_entry_image(entry) or art.image,
                ))
            yield rec
            continue
        body = ""
        if entry.get("content"):
            body = html_to_text(entry["content"][0].get("value", ""))
        if not body:
            body = html_to_text(entry.get("summary", ""))
        text = body if title and body.startswith(title) else "\n\n".join(p for p in (title, body) if p)
        if not text.strip():
            yield Record(where, position, error="feed item has no title and no text")
            continue
        lang = opts.lang or (entry.get("language") or parsed.get("feed", {}).get("language") or None)
        yield Record(where, position, article=Article(
            text=text, title=title or shorten(body.split("\n", 1)[0]), id=entry.get("id"), url=link,
            published=published, date_source="metadata" if published else "ingest",
            lang=lang.split("-")[0].lower() if lang else None, source=source, categories=_tags(entry),
            author=_entry_author(entry), image=_entry_image(entry),
        ))


def _entry_author(entry: Mapping[str, object]) -> str:
    """RSS ``author`` and ``dc:creator``, Atom ``author/name``: feedparser lists them all in ``authors``."""
    authors = entry.get("authors")
    names = [html_to_text(str(a.get("name") or "")) for a in authors if isinstance(a, dict)] \
        if isinstance(authors, list) else []
    if not any(names):  # an RSS <author> that is only an e-mail address
        names = [html_to_text(str(entry.get("author") or ""))]
    return author_text([n for n in names if n])


def _entry_image(entry: Mapping[str, object]) -> str | None:
    """The item's picture: ``media:content`` (an image), ``media:thumbnail``, else an image enclosure."""
    for key, url_key in (("media_content", "url"), ("media_thumbnail", "url"), ("enclosures", "href")):
        items = entry.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get(url_key), str):
                continue
            kind = str(item.get("medium") or item.get("type") or "")
            if key == "media_thumbnail" or kind == "image" or kind.startswith("image/") or (
                    key == "media_content" and not kind):
                return str(item[url_key]).strip() or None
    return None


def _tags(entry: Mapping[str, object]) -> tuple[str, ...]:
    tags = entry.get("tags") or []
    if not isinstance(tags, Iterable):
        return ()
    return tuple(str(t.get("term")) for t in tags if isinstance(t, dict) and t.get("term"))


def page_record(
    content: bytes, url: str | None, where: str, opts: IngestOptions, *, charset_text: str | None = None
) -> Record:
    """The main text, title and date of one HTML page, or an error when it has no article text."""
    import htmldate
    import trafilatura

    markup: str | bytes = charset_text if charset_text is not None else content
    try:
        doc = trafilatura.bare_extraction(markup, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False)
    except (ValueError, TypeError) as err:
        return Record(where, "", error=f"unreadable HTML: {err}")
    text = clean(getattr(doc, "text", "") or "") if doc is not None else ""
    if len(text.split()) < MIN_PAGE_WORDS:  # a menu or a cookie banner is not an article
        return Record(where, "", error="page has no article text")
    published = None
    date_source = "ingest"
    found = getattr(doc, "date", None)
    if not found:
        try:
            found = htmldate.find_date(markup, url=url, original_date=True)
        except (ValueError, TypeError):
            found = None
    if found:
        try:
            published, date_source = parse_date(found), "metadata"
        except InputError:
            published = None
    if published is None:
        published = date_in_text(text)
        date_source = "text" if published else "ingest"
    title = html_to_text(getattr(doc, "title", "") or "") or shorten(text.split("\n", 1)[0])
    lang = opts.lang or (getattr(doc, "language", None) or None)
    image = getattr(doc, "image", None)
    return Record(where, "", article=Article(
        text=text, title=title, url=url, published=published, date_source=date_source,
        lang=lang, source=opts.source_name or (getattr(doc, "sitename", None) or _host(url or where)),
        author=author_text(getattr(doc, "author", None)),  # meta author, article:author, JSON-LD author
        image=(image.strip() or None) if isinstance(image, str) else None,  # og:image
    ))


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def read_url(url: str, opts: IngestOptions, fetcher: Fetcher) -> Iterator[Record]:
    """A URL is a feed or a page; the content type (or the document's start) says which."""
    try:
        got = fetcher.get(url)
    except FetchError as err:
        yield Record(url, "", error=str(err).removeprefix(f"{url}: "))
        return
    kind = opts.format
    if kind == "auto":
        head = got.content[:1024].lstrip().lower()
        is_feed = got.content_type in FEED_TYPES or head.startswith(b"<?xml") and (
            b"<rss" in got.content[:4096].lower() or b"<feed" in got.content[:4096].lower()
        ) or head.startswith((b"<rss", b"<feed"))
        kind = "feed" if is_feed else "page"
    if kind == "feed":
        yield from read_feed(got.content, url, opts, fetcher)
    else:
        yield page_record(got.content, got.url, url, opts, charset_text=got.text())
