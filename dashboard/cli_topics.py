"""The ``topics`` command: show which topics a text gets, and the words behind them.

Registered on :data:`dashboard.cli.main` when :mod:`dashboard.cli` is imported.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dashboard.cli import echo_json, main
from dashboard.errors import InputError
from dashboard.topics import Tagger, default_tagger
from dashboard.topics_rules import MODES


def read_source(source: str) -> str:
    """``-`` is stdin, an existing path is read as UTF-8, anything else is the text itself."""
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        is_file = len(source) < 4096 and "\n" not in source and path.is_file()
    except OSError:
        is_file = False
    if not is_file:
        return source
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read: {err}") from err


@main.command("topics")
@click.argument("source", metavar="TEXT|FILE|-")
@click.option("--json", "as_json", is_flag=True, help='Print JSON: {"topics": [{topic, score, evidence}]}.')
@click.option(
    "--lang", default=None, metavar="CODE", help="Language of the text (en, de, fr, es); default: guess."
)
@click.option("--title", default="", help="Headline; its words count double.")
@click.option("--category", "categories", multiple=True, help="A category the source gave; repeatable.")
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your own topic rules (TOML); repeatable.",
)
@click.option(
    "--rules-mode",
    type=click.Choice(MODES),
    default="extend",
    show_default=True,
    help="Add your rules to the shipped ones, or use only yours.",
)
def topics_command(
    source: str,
    as_json: bool,
    lang: str | None,
    title: str,
    categories: tuple[str, ...],
    rules: tuple[Path, ...],
    rules_mode: str,
) -> None:
    """Show the topics of a text, best first, with the words that triggered them.

    \b
    Example:
        python -m dashboard topics "Nach dem Erdbeben gilt eine Waffenruhe."
        python -m dashboard topics article.txt --json
        cat article.txt | python -m dashboard topics - --rules my_topics.toml
    """
    text = read_source(source)
    tagger = Tagger.from_files(rules, rules_mode) if rules else default_tagger()  # type: ignore[arg-type]
    result = tagger.tag(text, lang=lang, categories=categories, title=title)
    if as_json:
        echo_json({"topics": [t.to_dict() for t in result]})
        return
    if not result:
        click.echo("No topics found.")
        return
    shown_lang = lang or tagger.language(text)
    width = max(len(t.topic) for t in result)
    for t in result:
        name = tagger.name(t.topic, shown_lang)
        click.echo(f"{t.topic:<{width}}  {t.score:.2f}  {name}: {', '.join(t.evidence)}")
