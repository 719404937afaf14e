"""Command-line interface: ``python -m dashboard COMMAND`` (or ``news-map COMMAND``).

Each command is a thin shell over the library: it parses options, calls one
function and serialises the answer.  Expected failures (a
:class:`~dashboard.errors.DashboardError`) print one line and exit 1.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from dashboard import __version__
from dashboard.errors import DashboardError


class _Group(click.Group):
    """A group that turns our own errors into one clear line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DashboardError as err:
            click.echo(f"Error: {err}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="news-map")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Map the places that news articles mention.

    \b
    Example:
        python -m dashboard geocode Peking
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Shared ``--db URL`` option for every command that touches the store."""

    @click.option(
        "--db",
        "db_url",
        envvar="DASHBOARD_DB",
        default=None,
        metavar="URL",
        help="Store URL: sqlite:///path or postgresql://... (default: the embedded SQLite file under data/).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


# Register the commands of each area (they import `main` from here, hence at the end).
from dashboard import (  # noqa: E402,F401
    cli_geo,  # build-index, geocode, reverse, geoparse
    cli_serve,  # serve
    cli_store,  # ingest, export, stats, reparse, correct
    cli_topics,  # topics
)
