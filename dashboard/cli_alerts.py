"""Alert commands: ``alerts add|list|remove|feed|serve`` (saved views published as Atom and webhooks).

Registered on :data:`dashboard.cli.main` when :mod:`dashboard.cli` is imported.
"""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Any

import click

from dashboard.cli import db_option, echo_json, main
from dashboard.cli_live import refuse_read_only
from dashboard.cli_store import filter_options
from dashboard.errors import InputError
from dashboard.models import Filters


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _shutdown_with_parent(server: Any, parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(1.0)
    server.shutdown()


@main.group("alerts")
def alerts_group() -> None:
    """Saved views whose new articles are published as Atom feeds and POSTed to webhooks.

    \b
    Example:
        python -m dashboard alerts add kz-politics --country KZ --topic politics
        python -m dashboard alerts feed kz-politics > kz.atom
    """


@alerts_group.command("add")
@click.argument("name")
@db_option
@filter_options
@click.option("--webhook", metavar="URL", default=None, help="POST each new matching article here as JSON.")
def alerts_add(name: str, db_url: str | None, filters: Filters, webhook: str | None) -> None:
    """Save a view (the same filters as export) as an alert; it fires on articles stored from now on.

    \b
    Example:
        python -m dashboard alerts add quakes --topic disaster --region "Central Asia" \\
            --webhook http://127.0.0.1:9000/hook
    """
    from dashboard.store import open_store

    refuse_read_only("add alerts")
    with open_store(db_url) as store:
        alert = store.add_alert(name, filters, webhook)
    click.echo(f"Alert {alert.name!r} saved; its feed: python -m dashboard alerts feed {alert.name}", err=True)


@alerts_group.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per alert.")
def alerts_list(db_url: str | None, as_json: bool) -> None:
    """Alerts with their filters, webhook and how many articles they matched and delivered.

    \b
    Example:
        python -m dashboard alerts list
    """
    from dashboard.store import open_store
    from dashboard.store.alerts import filters_to_json

    with open_store(db_url) as store:
        rows: list[dict[str, Any]] = []
        for a in store.alerts():
            matched, delivered, error = store.delivery_counts(a.id)
            rows.append({"name": a.name, "filters": filters_to_json(a.filters), "webhook": a.webhook,
                         "matched": matched, "delivered": delivered, "last_error": error})
    for r in rows:
        if as_json:
            echo_json(r)
        else:
            hook = f"; webhook {r['webhook']}: {r['delivered']} delivered" if r["webhook"] else ""
            click.echo(f"{r['name']}: {r['filters']}; {r['matched']} matched{hook}"
                       + (f"; last error: {r['last_error']}" if r["last_error"] else ""))
    if not rows and not as_json:
        click.echo("No alerts yet: python -m dashboard alerts add NAME --country KZ ...", err=True)


@alerts_group.command("remove")
@click.argument("name")
@db_option
def alerts_remove(name: str, db_url: str | None) -> None:
    """Delete an alert and its delivery record.

    \b
    Example:
        python -m dashboard alerts remove kz-politics
    """
    from dashboard.store import open_store

    refuse_read_only("remove alerts")
    with open_store(db_url) as store:
        if not store.remove_alert(name):
            raise InputError(f"no alert named {name!r} (python -m dashboard alerts list shows them)")
    click.echo(f"Alert {name!r} removed.", err=True)


@alerts_group.command("feed")
@click.argument("name")
@db_option
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True, help="Most entries.")
def alerts_feed(name: str, db_url: str | None, limit: int) -> None:
    """Print the alert's Atom feed (its latest matched articles).

    \b
    Example:
        python -m dashboard alerts feed kz-politics > /var/www/feeds/kz-politics.atom
    """
    from dashboard.live.alerts import atom_feed
    from dashboard.store import open_store

    with open_store(db_url) as store:
        alert = store.alert(name)
        if alert is None:
            raise InputError(f"no alert named {name!r} (python -m dashboard alerts list shows them)")
        click.echo(atom_feed(alert, store.alert_matches(alert.id, limit)), nl=False)


@alerts_group.command("serve")
@db_option
@click.option("--port", default=8502, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--address", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--parent-pid", type=int, default=None, hidden=True,
              help="Stop when this process (serve) is no longer our parent.")
def alerts_serve(db_url: str | None, port: int, address: str, parent_pid: int | None) -> None:
    """Serve every alert's Atom feed over HTTP at /alerts/NAME.atom, live from the store.

    \b
    Example:
        python -m dashboard alerts serve --port 8502   # http://127.0.0.1:8502/alerts/kz-politics.atom
    """
    from dashboard.live.atom_server import make_server
    from dashboard.store import open_store

    with open_store(db_url) as store:
        server = make_server(store, address, port)
        host, bound = str(server.server_address[0]), int(server.server_address[1])
        click.echo(f"Alert feeds on http://{host}:{bound}/alerts/ (Ctrl+C to stop)", err=True)
        signal.signal(signal.SIGTERM, _interrupt)
        if parent_pid is not None:
            import threading

            threading.Thread(target=_shutdown_with_parent, args=(server, parent_pid), daemon=True).start()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
