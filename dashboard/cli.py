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


def topic_rules_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Shared ``--topic-rules FILE`` / ``--topic-rules-mode`` for commands that tag articles.

    The files are checked at once (a bad one stops the command with its line
    number before anything is read or written) and then handed on through
    ``DASHBOARD_TOPIC_RULES``, so worker processes and the tagger of
    :func:`dashboard.topics.default_tagger` use them too.
    """

    @click.option(
        "--topic-rules",
        "topic_rules",
        multiple=True,
        type=click.Path(dir_okay=False, resolve_path=True),  # absolute: the app may run elsewhere
        help="Your topic rules (TOML), added to the shipped ones; repeatable (default: $DASHBOARD_TOPIC_RULES).",
    )
    @click.option(
        "--topic-rules-mode",
        type=click.Choice(["extend", "replace"]),
        default=None,
        help="extend: add to the shipped rules; replace: only yours (default: $DASHBOARD_TOPIC_RULES_MODE or extend).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, topic_rules: tuple[str, ...], topic_rules_mode: str | None, **kwargs: Any) -> Any:
        import os

        if topic_rules:
            os.environ["DASHBOARD_TOPIC_RULES"] = os.pathsep.join(topic_rules)
        if topic_rules_mode:
            os.environ["DASHBOARD_TOPIC_RULES_MODE"] = topic_rules_mode
        if topic_rules or topic_rules_mode:
            from dashboard.topics import default_tagger

            default_tagger()  # read and check the files now
        return func(*args, **kwargs)

    return wrapper


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


# Register the commands of each area (they import `main` from here, hence at the end).
from dashboard import (  # noqa: E402,F401
    cli_alerts,  # alerts
    cli_geo,  # build-index, geocode, reverse, geoparse
    cli_live,  # feeds, watch
    cli_serve,  # serve
    cli_store,  # ingest, export, stats, reparse, correct
    cli_topics,  # topics
)
