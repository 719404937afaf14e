"""Live commands: ``feeds`` (subscriptions) and ``watch`` (the poller); alerts are in :mod:`dashboard.cli_alerts`.

Registered on :data:`dashboard.cli.main` when :mod:`dashboard.cli` is imported.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

import click

from dashboard.cli import db_option, echo_json, main, topic_rules_option
from dashboard.errors import ConfigurationError, InputError


def refuse_read_only(what: str) -> None:
    """Changing subscriptions and alerts is switched off where the deployment is read-only."""
    if os.environ.get("DASHBOARD_READ_ONLY", "").strip().lower() in ("1", "true", "yes", "on"):
        raise ConfigurationError(f"read-only mode (DASHBOARD_READ_ONLY): cannot {what}")


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    secs = int((now - when).total_seconds())
    if secs < 0:
        return f"in {_span(-secs)}"
    return f"{_span(secs)} ago"


def _span(secs: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if secs >= size:
            return f"{secs // size} {unit}"
    return f"{secs} s"


@main.group("feeds")
def feeds_group() -> None:
    """Feed subscriptions that `watch` polls (kept in the store, shared by a team).

    \b
    Example:
        python -m dashboard feeds add https://example.org/rss --every 15m --lang de
        python -m dashboard feeds list
    """


@feeds_group.command("add")
@click.argument("url")
@db_option
@click.option("--name", default="", help="Source name for the feed's articles (default: the feed's title).")
@click.option("--every", default="15m", show_default=True, metavar="INTERVAL", help="Poll interval: 90s, 15m, 1h, 1d.")
@click.option("--lang", default=None, help="Language of every item (skips detection).")
@click.option("--topic-rules", "rules", default=None, type=click.Path(dir_okay=False, exists=True, resolve_path=True),
              help="Topic rules (TOML) used for this feed's articles, added to the others.")
@click.option("--full-text", is_flag=True, help="Fetch each item's linked page for the full text.")
def feeds_add(url: str, db_url: str | None, name: str, every: str, lang: str | None, rules: str | None,
              full_text: bool) -> None:
    """Subscribe to an RSS or Atom feed; it is polled by the next `watch` cycle.

    \b
    Example:
        python -m dashboard feeds add https://example.org/rss --name "Example" --every 30m --full-text
    """
    from dashboard.live.opml import format_interval, parse_interval
    from dashboard.store import open_store

    refuse_read_only("add feeds")
    if not url.startswith(("http://", "https://")):
        raise InputError(f"{url!r} is not an http:// or https:// URL")
    seconds = parse_interval(every)
    if rules:
        from dashboard.topics import Tagger

        Tagger.from_files((rules,), "extend")  # a bad file fails now, with its line, not at the first poll
    with open_store(db_url) as store:
        feed = store.add_feed(url, name=name, interval_s=seconds, lang=lang, topic_rules=rules, full_text=full_text)
    click.echo(f"Subscribed to {feed.url} (feed {feed.id}, every {format_interval(seconds)}).", err=True)


@feeds_group.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed.")
def feeds_list(db_url: str | None, as_json: bool) -> None:
    """Subscriptions with their health: last fetch, status, new articles, errors.

    \b
    Example:
        python -m dashboard feeds list
    """
    from dashboard.live.opml import format_interval
    from dashboard.live.poller import is_failing
    from dashboard.store import open_store

    now = datetime.now(UTC)
    with open_store(db_url) as store:
        feeds = store.feeds()
    if as_json:
        for f in feeds:
            echo_json({**f.to_dict(), "failing": is_failing(f, now)})
        return
    if not feeds:
        click.echo("No subscriptions yet: python -m dashboard feeds add URL", err=True)
        return
    for f in feeds:
        status = f.last_status
        if f.last_status == "error":
            status = f"error ×{f.failures}"
            if is_failing(f, now):
                status += f", FAILING since {_ago(f.failing_since, now)}"
        click.echo(f"{f.id:>4}  {f.name or '-'}  {f.url}")
        click.echo(f"      every {format_interval(f.interval_s)}; last fetch {_ago(f.last_fetch_at, now)}: {status};"
                   f" next {_ago(f.next_due_at, now)}; new {f.new_last} (total {f.new_total:,});"
                   f" last new article {_ago(f.last_new_at, now)}"
                   + ("; full text" if f.full_text else "") + (f"; lang {f.lang}" if f.lang else ""))
        if f.last_error:
            click.echo(f"      {f.last_error}")


@feeds_group.command("remove")
@click.argument("feed")
@db_option
def feeds_remove(feed: str, db_url: str | None) -> None:
    """Unsubscribe (by id, URL or name); the feed's articles stay in the store.

    \b
    Example:
        python -m dashboard feeds remove 3
    """
    from dashboard.store import open_store

    refuse_read_only("remove feeds")
    with open_store(db_url) as store:
        gone = store.remove_feed(feed)
    if gone is None:
        raise InputError(f"no subscription {feed!r} (python -m dashboard feeds list shows them)")
    click.echo(f"Unsubscribed from {gone.url}.", err=True)


@feeds_group.command("import")
@click.argument("opml", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@db_option
@click.option("--every", default="15m", show_default=True, metavar="INTERVAL", help="Poll interval for the new feeds.")
def feeds_import(opml: Path, db_url: str | None, every: str) -> None:
    """Subscribe to every feed of an OPML file (feeds already subscribed are left as they are).

    \b
    Example:
        python -m dashboard feeds import subscriptions.opml
    """
    from dashboard.live.opml import parse_interval, read_opml
    from dashboard.store import open_store

    refuse_read_only("import feeds")
    seconds = parse_interval(every)
    outlines = read_opml(opml.read_bytes(), str(opml))
    added = kept = 0
    with open_store(db_url) as store:
        for o in outlines:
            if not o.url.startswith(("http://", "https://")):
                click.echo(f"  skipped {o.url!r}: not an http(s) URL", err=True)
                continue
            if store.feed(o.url) is not None:
                kept += 1
                continue
            store.add_feed(o.url, name=o.name, interval_s=seconds, lang=o.lang)
            added += 1
    click.echo(f"Imported {added} feed(s) from {opml} ({kept} already subscribed).", err=True)


@feeds_group.command("export")
@db_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
def feeds_export(db_url: str | None, output: Path | None) -> None:
    """The subscriptions as OPML, for a feed reader or another store.

    \b
    Example:
        python -m dashboard feeds export -o subscriptions.opml
    """
    from dashboard.live.opml import write_opml
    from dashboard.store import open_store

    with open_store(db_url) as store:
        text = write_opml((f.url, f.name, f.lang) for f in store.feeds())
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


class _Stop:
    """Set by SIGTERM or the first Ctrl+C: finish the feed being polled, then stop (a second Ctrl+C aborts)."""

    def __init__(self, parent_pid: int | None) -> None:
        self.requested = False
        self.parent = parent_pid

    def __call__(self) -> bool:
        if self.parent is not None and os.getppid() != self.parent:
            self.requested = True  # serve --watch: the dashboard is gone, so is our reason to run
        return self.requested

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = True
        click.echo("Stopping after the current feed (Ctrl+C again to abort).", err=True)


@main.command("watch")
@db_option
@topic_rules_option
@click.option("--once", is_flag=True, help="Poll every due feed once and exit (for cron and systemd timers).")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=15.0, show_default=True,
              help="Seconds to wait for a feed server.")
@click.option("--retries", type=click.IntRange(0, 10), default=1, show_default=True,
              help="Retries of a fetch within one poll (back-off between polls comes on top).")
@click.option("--host-delay", type=click.FloatRange(0, 60), default=1.0, show_default=True,
              help="Seconds between two requests to the same host.")
@click.option("--lease", "lease_s", type=click.IntRange(10, 86400), default=900, show_default=True,
              help="Seconds a poller may hold a feed before another may take it over.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per polled feed on stdout.")
@click.option("--parent-pid", type=int, default=None, hidden=True,
              help="Stop when this process (serve) is no longer our parent.")
def watch(db_url: str | None, once: bool, timeout: float, retries: int, host_delay: float, lease_s: int,
          as_json: bool, parent_pid: int | None) -> None:
    """Poll the subscribed feeds, ingest new items, and fire the alerts; forever, or --once.

    Ctrl+C or SIGTERM stop it after the feed being polled.  Several `watch`
    processes may share one store: each feed is polled by one of them at a time.

    \b
    Example:
        python -m dashboard watch
        python -m dashboard watch --once --db postgresql://news@db/news
    """
    from dashboard.live.alerts import fire_alerts
    from dashboard.live.poller import FeedOutcome, Poller, PollerOptions, run_forever
    from dashboard.store import open_store

    stop = _Stop(parent_pid)
    previous = {sig: signal.signal(sig, stop.handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    options = PollerOptions(timeout=timeout, retries=retries, host_delay=host_delay, lease=timedelta(seconds=lease_s))
    totals = {"polled": 0, "new": 0, "not-modified": 0, "unchanged": 0, "error": 0, "skipped": 0}

    def report(outcomes: list[FeedOutcome]) -> None:
        for o in outcomes:
            totals["polled"] += o.status != "skipped"
            totals["new"] += o.new
            if o.status in totals:
                totals[o.status] += 1
            if as_json:
                echo_json({"feed": o.feed_id, "url": o.url, "status": o.status, "new": o.new, "seen": o.seen,
                           "duplicates": o.duplicates, "skipped": o.skipped, "error": o.error,
                           "seconds": round(o.seconds, 3)})
                sys.stdout.flush()
            elif o.status != "skipped":
                stamp = datetime.now(UTC).strftime("%H:%M:%S")
                click.echo(f"{stamp} {o.url}: {o.status}, {o.new} new" + (f" ({o.error})" if o.error else ""),
                           err=True)
        fired = fire_alerts(store, poller.holder)
        if fired.matched or fired.failed:
            click.echo(f"alerts: {fired.matched} new match(es), {fired.delivered} delivered, {fired.failed} failed",
                       err=True)

    with open_store(db_url) as store:
        poller = Poller(store, options=options)
        try:
            if once:
                report(poller.poll_due(stop))
            else:
                click.echo(f"Watching the feeds of {store.url} (Ctrl+C to stop).", err=True)
                run_forever(poller, stop, after_cycle=report)
        finally:
            poller.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    click.echo(f"Polled {totals['polled']} feed(s): {totals['new']} new article(s), {totals['not-modified']} not"
               f" modified, {totals['unchanged']} unchanged, {totals['error']} failed.", err=True)
