"""An article's author and image address, end to end on both backends: every ingest format,
migration 11 on a store that already holds articles, and ``export``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from dashboard.ingest import IngestOptions, Ingestor
from dashboard.ingest.records import author_text
from dashboard.models import Article, Filters, GeoparseResult
from dashboard.store import NewArticle, open_store
from dashboard.store.backend import Backend
from dashboard.store.export import export
from dashboard.store.schema import LATEST, migrate, table_columns

BODY = "Almaty and Samarkand traded grain this week, officials in Almaty said on Monday morning."

JSONL = [
    {"title": "One", "text": BODY + " (1)", "author": "  Jane   Roe ", "image": "https://img.example/1.jpg"},
    {"title": "Two", "text": BODY + " (2)", "authors": ["Ann One", {"name": "Bob Two"}, "Ann One"]},
    {"title": "Three", "text": BODY + " (3)", "byline": "By the desk", "image_url": "data:image/png;base64,AAAA"},
]
CSV = ("title,text,authors,image\n"
       f'One,"{BODY} (1)","Jane Roe; Max Muster",http://img.example/c.png\n'
       f'Two,"{BODY} (2)","[""Ann One"", ""Bob Two""]",\n')
RSS = f"""<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Wire</title>
<item><title>One</title><description>{BODY} (1)</description><author>jane@example.org (Jane Doe)</author>
  <enclosure url="http://img.example/e.jpg" type="image/jpeg" length="1"/></item>
<item><title>Two</title><description>{BODY} (2)</description><dc:creator>Max Muster</dc:creator>
  <media:content url="http://img.example/m.jpg" medium="image"/></item>
<item><title>Three</title><description>{BODY} (3)</description><dc:creator>A. Writer</dc:creator>
  <dc:creator>B. Writer</dc:creator><media:thumbnail url="http://img.example/t.jpg"/></item>
<item><title>Four</title><description>{BODY} (4)</description><author>desk@example.org</author>
  <enclosure url="http://img.example/a.mp3" type="audio/mpeg" length="1"/></item>
</channel></rss>"""
ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom wire</title><id>urn:w</id><updated>2024-01-01T00:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><updated>2024-01-01T00:00:00Z</updated>
  <author><name>Ann &lt;b&gt;One&lt;/b&gt;</name></author><author><name>Ben Two</name></author>
  <summary>{BODY} (1)</summary><link rel="enclosure" type="image/png" href="http://img.example/a.png"/></entry>
</feed>"""
PAGE = """<html><head><title>Page</title>{head}</head><body><article><h1>Page</h1>
<p>{body}</p><p>{body}</p></article></body></html>"""
PAGES = {
    "meta.html": ('<meta name="author" content="Jane Roe"><meta property="og:image" content="http://img.example/o.jpg">',
                  "Jane Roe", "http://img.example/o.jpg"),
    "article.html": ('<meta property="article:author" content="John Poe">', "John Poe", None),
    "jsonld.html": ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
                    ' "headline": "Page", "author": [{"@type": "Person", "name": "Ann One"},'
                    ' {"@type": "Person", "name": "Bob Two"}]}</script>', "Ann One, Bob Two", None),
}


def _write(tmp_path: Path, kind: str) -> tuple[list[Path], dict[str, tuple[str, str | None]]]:
    """The input files of one format and, per title (page: file), the author and image expected."""
    if kind == "jsonl":
        p = tmp_path / "in.jsonl"
        p.write_text("".join(json.dumps(r) + "\n" for r in JSONL))
        return [p], {"One": ("Jane Roe", "https://img.example/1.jpg"), "Two": ("Ann One, Bob Two", None),
                     "Three": ("By the desk", "data:image/png;base64,AAAA")}
    if kind == "csv":
        p = tmp_path / "in.csv"
        p.write_text(CSV)
        return [p], {"One": ("Jane Roe, Max Muster", "http://img.example/c.png"), "Two": ("Ann One, Bob Two", None)}
    if kind == "rss":
        p = tmp_path / "in.rss"
        p.write_text(RSS)
        return [p], {"One": ("Jane Doe", "http://img.example/e.jpg"), "Two": ("Max Muster", "http://img.example/m.jpg"),
                     "Three": ("A. Writer, B. Writer", "http://img.example/t.jpg"),
                     "Four": ("desk@example.org", None)}
    if kind == "atom":
        p = tmp_path / "in.atom"
        p.write_text(ATOM)
        return [p], {"One": ("Ann One, Ben Two", "http://img.example/a.png")}
    paths = []
    for name, (head, _, _) in PAGES.items():
        p = tmp_path / name
        p.write_text(PAGE.format(head=head, body=BODY + f" ({name})"))
        paths.append(p)
    return paths, {name: (author, image) for name, (_, author, image) in PAGES.items()}


@pytest.mark.parametrize("kind", ["jsonl", "csv", "rss", "atom", "page"])
def test_each_format_stores_author_and_image(store_url: str, tmp_path: Path, kind: str, geoparser: Any) -> None:
    paths, expected = _write(tmp_path, kind)
    with open_store(store_url) as store:
        summary = Ingestor(store, geoparser=geoparser.parse, use_default_tagger=False).run(
            [str(p) for p in paths], IngestOptions())
        assert summary.errors == [] and summary.added == len(expected)
        rows = store.articles(Filters(), limit=50, with_text=True)
        got: dict[str, tuple[str, str | None]] = {}
        for r in rows:
            key = next((n for n in PAGES if n in (r.text or "")), r.title) if kind == "page" else r.title
            got[key] = (r.author, r.image_url)
            assert store.article(r.id) is not None
            assert store.article(r.id).author == r.author  # type: ignore[union-attr]
    assert got == expected


def test_author_text_joins_lists_and_collapses_spaces() -> None:
    assert author_text(None) == ""
    assert author_text(["A", " ", {"name": "B  C"}, {"email": "x"}, "A"]) == "A, B C"
    assert author_text({"name": "Solo"}) == "Solo"
    assert author_text("[broken") == "[broken"
    assert author_text("x" * 1000) == "x" * 300


def test_mapping_names_the_author_column(store_url: str, tmp_path: Path, geoparser: Any) -> None:
    from dashboard.ingest import parse_mapping

    p = tmp_path / "in.jsonl"
    p.write_text(json.dumps({"text": BODY, "writer": "Mapped Name", "pic": "https://img.example/p.jpg"}) + "\n")
    with open_store(store_url) as store:
        Ingestor(store, geoparser=geoparser.parse, use_default_tagger=False).run(
            [str(p)], IngestOptions(mapping=parse_mapping(("author=writer,image=pic",))))
        (row,) = store.articles(Filters())
    assert (row.author, row.image_url) == ("Mapped Name", "https://img.example/p.jpg")


def test_migration_11_keeps_stored_articles_and_may_run_again(store_url: str) -> None:
    backend = Backend(store_url)
    conn = backend.connection()
    try:
        assert migrate(conn, target=10) == 10
        assert "author" not in table_columns(conn, "articles")
    finally:
        backend.close()
    # A version-10 store written by the previous release: its writer knows no author column.
    backend = Backend(store_url)
    conn = backend.connection()
    with conn.transaction():
        conn.execute("INSERT INTO sources(name, created_at) VALUES ('old', '2024-01-01T00:00:00+00:00')")
        conn.execute(
            "INSERT INTO articles(hash, title, text, source_id, published, day, date_source, ingested_at)"
            " VALUES ('h1', 'Old', 'Old text in Almaty.', 1, '2024-01-01T00:00:00+00:00', '2024-01-01', 'metadata',"
            " '2024-01-01T00:00:00+00:00')")
    backend.close()
    with open_store(store_url) as store:
        assert store.schema_version == LATEST >= 11
        (old,) = store.articles(Filters())
        assert (old.title, old.author, old.image_url) == ("Old", "", None)
    # Idempotent: a store that has the columns and table already (a second migrator, a hand fix) migrates again.
    backend = Backend(store_url)
    conn = backend.connection()
    with conn.transaction():
        conn.execute("DELETE FROM schema_version WHERE version >= 11")
    assert migrate(conn) == LATEST
    assert {"author", "image_url"} <= table_columns(conn, "articles")
    assert conn.scalar("SELECT COUNT(*) FROM schema_version WHERE version = 11") == 1
    backend.close()


def test_export_carries_the_author(store_url: str) -> None:
    from dashboard.models import Mention, Place

    place = Place("gn:1526384", "Almaty", "city", 43.25, 76.91, 1526384, "KZ", "02", 2000900)
    art = Article(BODY, title="T", author="Jane Roe, Max Muster", image="https://img.example/x.jpg")
    result = GeoparseResult("en", (Mention(0, 6, "Almaty", place),))
    with open_store(store_url) as store:
        store.add_articles([NewArticle(art, result, ())])
        out = io.StringIO()
        assert export(store, Filters(), "csv", out) == 1
        (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert row["author"] == "Jane Roe, Max Muster"
        out = io.StringIO()
        assert export(store, Filters(), "jsonl", out) == 1
        line = json.loads(out.getvalue())
        assert (line["author"], line["image_url"]) == ("Jane Roe, Max Muster", "https://img.example/x.jpg")
        empty = io.StringIO()
        export(store, Filters(text="nothing-matches-this"), "csv", empty)
        assert empty.getvalue().split(",")[:3] == ["article_id", "title", "author"]
