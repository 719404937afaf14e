"""Store commands: ``ingest``, ``export``, ``stats``, ``reparse``, ``correct``.

Registered on :data:`dashboard.cli.main` when :mod:`dashboard.cli` is imported.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from dashboard.cli import db_option, echo_json, main, topic_rules_option
from dashboard.errors import InputError
from dashboard.models import Filters

MAX_LISTED_ERRORS = 20


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The dashboard's filters as options, shared by every command that reads the store."""
    date_type = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])
    options = [
        click.option("--from", "date_from", type=date_type, help="First day (YYYY-MM-DD)."),
        click.option("--to", "date_to", type=date_type, help="Last day, inclusive (YYYY-MM-DD)."),
        click.option("--country", "countries", multiple=True, metavar="CC", help="ISO alpha-2 code; repeatable."),
        click.option("--region", "regions", multiple=True, metavar="ID",
                     help="Continent or region, by name or id (\"Central Asia\", region:un-143); repeatable."),
        click.option("--admin1", multiple=True, metavar="CC.CODE", help="First-level subdivision, e.g. CN.13."),
        click.option("--topic", "topics", multiple=True, help="Topic; repeatable."),
        click.option("--lang", "languages", multiple=True, help="Language code; repeatable."),
        click.option("--source", "sources", multiple=True, help="Source name; repeatable."),
        click.option("--search", "text", default="", help="Full-text search in title and text."),
        click.option("--role", type=click.Choice(["any", "dateline", "focus"]), default="any",
                     show_default=True, help="Which mentions count."),
        click.option("--min-score", type=float, default=0.0, help="Minimum resolution score (0-1)."),
        click.option("--bounds", metavar="S,W,N,E", help="Map bounds in degrees."),
        click.option("--place", "place_ids", multiple=True, metavar="ID", help="Place id (gn:...); repeatable."),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        names = ("date_from", "date_to", "countries", "regions", "admin1", "topics", "languages", "sources",
                 "text", "role", "min_score", "bounds", "place_ids")
        values = {k: kwargs.pop(k) for k in names}
        values["bounds"] = _bounds(values["bounds"])
        values["regions"] = tuple(_region(r) for r in values["regions"])
        kwargs["filters"] = Filters(**values)
        return func(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _region(value: str) -> str:
    """The place id of a continent or region given by id or by name; a clear error for anything else.

    Without this, a misspelt id would silently filter everything out.
    """
    from dashboard.gazetteer import load_index

    index = load_index()
    place = index.resolve_region(value)
    if place is None:
        examples = ", ".join(f"{p.id} ({p.name})" for p in index.regions()
                             if p.id in ("region:un-143", "gn:6255148", "region:middle-east"))
        raise InputError(f"--region {value!r}: no continent or region of countries by that id or name; "
                         f"give a name or an id, e.g. {examples}")
    return place.id


def _bounds(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    try:
        south, west, north, east = (float(v) for v in value.split(","))
    except ValueError as err:
        raise InputError(f"--bounds {value!r}: give four numbers S,W,N,E, e.g. --bounds 35,45,55,90") from err
    return south, west, north, east


def bulk_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--scheduler`` and ``--partition-size``: run the enrichment as Dask tasks (the ``bulk`` extra)."""
    func = click.option("--partition-size", type=click.IntRange(1, 100_000), default=500, show_default=True,
                        help="Records per Dask task (and per write transaction) with --scheduler.")(func)
    return click.option("--scheduler", metavar="ADDRESS",
                        help="Run geoparse + topics on Dask: tcp://HOST:8786 (a running scheduler) or local "
                             "(a cluster of --workers processes). Needs the bulk extra.")(func)


def _cluster(scheduler: str, workers: int) -> Any:
    """The Dask client for ``--scheduler`` (a clear error when Dask is not installed or unreachable)."""
    from dashboard.ingest.cluster import check_address, connect, require_dask

    if check_address(scheduler) != "local" and workers > 1:
        raise InputError("--workers starts a local cluster (--scheduler local --workers N); "
                         "a running scheduler brings its own workers")
    require_dask()
    return connect(scheduler, workers)


@main.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@db_option
@topic_rules_option
@click.option("--glob", "glob_pattern", metavar="PATTERN", help="Only files matching this in folders, e.g. '*.txt'.")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN,...",
              help="Columns of JSON Lines/CSV for title, text, published, url, id, lang, source, categories,"
                   " author, image.")
@click.option("--lang", help="Language of every article (skips detection).")
@click.option("--source", "source_name", metavar="NAME", help="Source name for every article.")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "jsonl", "csv", "parquet", "feed", "page"]),
              default="auto", show_default=True, help="Read every source as this kind.")
@click.option("--fetch-pages", is_flag=True, help="For feed items, fetch the linked page for the full text.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the store already has articles.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes that geoparse in parallel (with --scheduler local: the Dask worker processes).")
@bulk_options
@click.option("--progress/--no-progress", default=None, help="Progress line on stderr (default: on a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
def ingest_cmd(sources: tuple[str, ...], db_url: str | None, glob_pattern: str | None, mapping: tuple[str, ...],
               lang: str | None, source_name: str | None, fmt: str, fetch_pages: bool, if_empty: bool,
               workers: int, scheduler: str | None, partition_size: int, progress: bool | None,
               as_json: bool) -> None:
    """Read articles from files, folders, JSON Lines, CSV, feeds or URLs into the store.

    SOURCE is a file, a folder (read recursively), an http(s) URL of a feed
    or page, or - for standard input.  Bad records are listed and skipped;
    the exit code is 1 when anything was skipped.

    \b
    Example:
        python -m dashboard ingest seeds/ --if-empty
        python -m dashboard ingest news.jsonl --map title=headline,published=date
        python -m dashboard ingest https://example.org/feed.xml --fetch-pages
        python -m dashboard ingest news.jsonl --topic-rules my_topics.toml
        python -m dashboard ingest 'archive/*.jsonl.gz' --scheduler tcp://10.0.0.5:8786
        python -m dashboard ingest archive.parquet --map text=body --scheduler local --workers 2
    """
    from dashboard.ingest import IngestOptions, Ingestor, parse_mapping
    from dashboard.ingest.pipeline import check_sources
    from dashboard.ingest.progress import Progress
    from dashboard.store import open_store

    opts = IngestOptions(glob=glob_pattern, mapping=parse_mapping(mapping), lang=lang, source_name=source_name,
                         fetch_pages=fetch_pages, format=fmt)
    if scheduler is None:
        check_sources(sources)
    else:
        from dashboard.ingest.cluster import check_address, require_dask
        from dashboard.ingest.partition import expand_sources

        check_address(scheduler)
        require_dask()
        expand_sources(sources, opts)  # a typo fails before a cluster starts
    with open_store(db_url) as store:
        if if_empty and not store.is_empty():
            click.echo(f"The store already has articles; nothing to do (--if-empty): {store.url}", err=True)
            return
        if scheduler is None:
            summary = Ingestor(store, workers=workers, progress=Progress(enabled=progress)).run(sources, opts)
        else:
            with _cluster(scheduler, workers) as client:
                from dashboard.ingest.bulk import BulkIngestor, BulkProgress

                click.echo(f"Dask: {len(client.scheduler_info().get('workers', {}))} worker(s), "
                           f"dashboard {client.dashboard_link}", err=True)
                summary = BulkIngestor(store, client, partition_size=partition_size,
                                       progress=BulkProgress(enabled=progress)).run(sources, opts)
            click.echo(f"Partitions: {summary.partitions:,} committed now, {summary.partitions_passed:,} "
                       f"committed before (passed by), {summary.partitions_failed:,} failed.", err=True)
    if as_json:
        echo_json(summary.to_dict())
    click.echo(
        f"Ingested {summary.added:,} new article(s) ({summary.mentions:,} place mentions), "
        f"{summary.duplicates:,} duplicate(s), {summary.skipped:,} skipped, from {summary.seen:,} record(s) "
        f"in {summary.seconds:.1f} s ({summary.rate:,.1f}/s).",
        err=True,
    )
    for source, position, message in summary.errors[:MAX_LISTED_ERRORS]:
        where = ":".join(p for p in (source, position) if p)
        click.echo(f"  skipped {where}: {message}", err=True)
    if len(summary.errors) > MAX_LISTED_ERRORS:
        click.echo(f"  ... and {len(summary.errors) - MAX_LISTED_ERRORS} more (python -m dashboard stats)", err=True)
    sys.exit(summary.exit_code)


@main.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson", "jsonl"]), required=True,
              help="csv: one mention per row; geojson: one feature per place; jsonl: one article per line.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.option("--limit", type=click.IntRange(1), help="At most this many rows/features/articles.")
@filter_options
def export_cmd(db_url: str | None, fmt: str, output: Path | None, limit: int | None, filters: Filters) -> None:
    """Write the filtered store as CSV, GeoJSON or JSON Lines.

    \b
    Example:
        python -m dashboard export --format geojson --country KZ -o kz.geojson
        python -m dashboard export --format csv --from 2025-01-01 --topic politics
    """
    from dashboard.store import open_store
    from dashboard.store.export import export

    with open_store(db_url) as store:
        if output is None:
            n = export(store, filters, fmt, sys.stdout, limit=limit)
        else:
            with output.open("w", encoding="utf-8", newline="") as fh:
                n = export(store, filters, fmt, fh, limit=limit)
            click.echo(f"Wrote {n:,} {_unit(fmt)} to {output}.", err=True)


def _unit(fmt: str) -> str:
    return {"csv": "mention rows", "geojson": "places", "jsonl": "articles"}[fmt]


@main.command("store-settings")
@db_option
@click.option("--remote-images", type=click.Choice(["on", "off"]),
              help="Show the picture each article names (its own http(s) address) in the article view. "
                   "Off by default: on, every reader's browser contacts the image hosts.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def store_settings_cmd(db_url: str | None, remote_images: str | None, as_json: bool) -> None:
    """Show or change the settings kept in the store, shared by every dashboard that opens it.

    \b
    Example:
        python -m dashboard store-settings --remote-images on
        python -m dashboard store-settings --json
    """
    from dashboard.store import open_store

    with open_store(db_url) as store:
        if remote_images is not None:
            store.set_setting("remote_images", remote_images)
        values = store.settings()
    if as_json:
        echo_json(values)
        return
    for name, value in values.items():
        click.echo(f"{name.replace('_', '-')}: {value}")


@main.command("stats")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats_cmd(db_url: str | None, as_json: bool) -> None:
    """Show what the store holds and how the last ingest went.

    \b
    Example:
        python -m dashboard stats --json
    """
    from dashboard.store import open_store

    with open_store(db_url) as store:
        s = store.stats()
    if as_json:
        echo_json(s)
        return
    click.echo(f"Store:       {s['url']} ({s['backend']}, schema {s['schema_version']})")
    click.echo(f"Articles:    {s['articles']:,} in {s['stories']:,} stories, {s['languages']} language(s), "
               f"{s['sources']:,} source(s)")
    click.echo(f"Mentions:    {s['mentions']:,} of {s['places']:,} places")
    click.echo(f"Dates:       {s['first_day'] or '-'} to {s['last_day'] or '-'}")
    click.echo(f"Corrections: {s['corrections']:,}")
    run = s["last_run"]
    if run:
        click.echo(f"Last ingest: #{run['id']} {run['status']} at {run['started_at']}: {run['seen']:,} read, "
                   f"{run['added']:,} added, {run['duplicates']:,} duplicates, {run['skipped']:,} skipped")
    click.echo(f"Errors kept: {s['ingest_errors']:,}")


@main.command("reparse")
@db_option
@topic_rules_option
@click.option("--only", type=click.Choice(["places", "topics"]), default=None,
              help="Redo only the places (geoparse) or only the topics (default: both).")
@bulk_options
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes of a local Dask cluster (--scheduler local).")
@click.option("--progress/--no-progress", default=None, help="Progress line on stderr with --scheduler.")
@filter_options
def reparse_cmd(db_url: str | None, only: str | None, scheduler: str | None, partition_size: int, workers: int,
                progress: bool | None, filters: Filters) -> None:
    """Re-run the geoparser and the topic tagger on stored articles; corrections stay.

    Run it after the place index, the geoparser or the topic rules changed.

    \b
    Example:
        python -m dashboard reparse --lang de
        python -m dashboard reparse --only topics --topic-rules my_topics.toml
        python -m dashboard reparse --scheduler local --workers 2
    """
    from dashboard.ingest.enrich import default_geoparser, default_tagger
    from dashboard.store import open_store

    if scheduler is not None:
        with open_store(db_url) as store, _cluster(scheduler, workers) as client:
            from dashboard.ingest.bulk_reparse import bulk_reparse

            click.echo(f"Dask: {len(client.scheduler_info().get('workers', {}))} worker(s), "
                       f"dashboard {client.dashboard_link}", err=True)
            res = bulk_reparse(store, client, filters, only=only, partition_size=partition_size,
                               progress=progress)
        parts = [f"{res.mentions:,} place mentions"] * (only != "topics") + [f"{res.topics:,} topics"] * (only != "places")
        click.echo(f"Re-parsed {res.articles:,} article(s) in {res.partitions:,} partitions on Dask: "
                   f"{', '.join(parts)}; {len(res.failed):,} failed.", err=True)
        for aid, message in res.failed[:MAX_LISTED_ERRORS]:
            click.echo(f"  article {aid}: {message}", err=True)
        sys.exit(1 if res.failed else 0)
    if workers > 1:
        raise InputError("reparse --workers N needs --scheduler local (a local Dask cluster)")

    geoparse = default_geoparser() if only != "topics" else None
    tag = default_tagger() if only != "places" else None
    n = mentions = topics = 0
    with open_store(db_url) as store:
        if geoparse is None and tag is not None:
            # topics only: stream the texts page by page and write each page in one go
            page: list[tuple[int, Any]] = []
            for listed in store.iter_articles(filters, with_text=True):
                found = tag(listed.text or "", lang=listed.lang, categories=listed.categories, title=listed.title)
                page.append((listed.id, found))
                if len(page) == 500:
                    topics += store.replace_topics_many(page)
                    n, page = n + len(page), []
            topics += store.replace_topics_many(page)
            n += len(page)
        else:
            for article_id in [a.id for a in store.iter_articles(filters)]:
                row = store.article(article_id)
                if row is None or row.text is None:
                    continue
                if geoparse is not None:
                    mentions += store.replace_geoparse(article_id, geoparse(row.text, lang=row.lang))
                if tag is not None:
                    found = tag(row.text, lang=row.lang, categories=row.categories, title=row.title)
                    topics += store.replace_topics(article_id, found)
                n += 1
    done = [f"{mentions:,} place mentions"] * (geoparse is not None) + [f"{topics:,} topics"] * (tag is not None)
    click.echo(f"Re-parsed {n:,} article(s): {', '.join(done)}.", err=True)


@main.command("correct")
@click.argument("article_id", type=int)
@click.argument("start", type=int)
@click.argument("end", type=int)
@db_option
@click.option("--place", "place_id", metavar="ID", help="The right place (an id of the place index, gn:...).")
@click.option("--not-a-place", is_flag=True, help="These words are not a place here.")
@click.option("--note", default="", help="Why (kept with the correction).")
def correct_cmd(article_id: int, start: int, end: int, db_url: str | None, place_id: str | None,
                not_a_place: bool, note: str) -> None:
    """Pin the mention at START:END of an article to another place, or mark it not a place.

    The correction survives reparse and applies to the same words in the
    same context in other articles.

    \b
    Example:
        python -m dashboard correct 12 240 249 --place gn:1216265
        python -m dashboard correct 12 0 6 --not-a-place
    """
    from dashboard.store import open_store

    if bool(place_id) == not_a_place:
        raise InputError("give exactly one of --place ID or --not-a-place")
    place = None
    if place_id:
        from dashboard.gazetteer import load_index

        place = load_index().by_id(place_id)
        if place is None:
            raise InputError(f"unknown place id {place_id!r}; find one with: python -m dashboard geocode NAME")
    with open_store(db_url) as store:
        cid = store.add_correction(article_id, start, end, place, note=note)
    target = place.name if place else "not a place"
    click.echo(f"Correction #{cid}: article {article_id} [{start}:{end}] -> {target}.", err=True)

