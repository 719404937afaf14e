"""Loading and checking topic rules files (TOML).

The rules are data, not code, so that users can read why an article got a topic
and add their own topics without touching Python.  Everything a user can get
wrong in a rules file is caught here, once, with the file name and line number,
so that the tagger itself never has to validate anything at run time.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from dashboard.errors import TopicRulesError

logger = logging.getLogger(__name__)

Mode = Literal["extend", "replace"]
MODES: tuple[str, ...] = ("extend", "replace")
ANY_LANG = "any"
WORD = re.compile(r"\w+")
_TOPIC_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_TOPIC_KEYS = {"iptc", "names", "categories"}
MAX_WEIGHT = 10.0


@dataclass(frozen=True, slots=True)
class TopicRule:
    """One topic: its id, display names, source categories and weighted patterns per language."""

    id: str
    names: Mapping[str, str] = field(default_factory=dict)
    iptc: str = ""
    categories: tuple[str, ...] = ()
    keywords: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def name(self, lang: str | None = None) -> str:
        """The display name in ``lang``, falling back to English, then to the id."""
        return self.names.get(lang or "en") or self.names.get("en") or self.id


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The topics a :class:`~dashboard.topics.Tagger` is built from, in file order."""

    topics: tuple[TopicRule, ...]
    sources: tuple[str, ...] = ()
    mode: str = "extend"  # what the file's [meta] mode asks for when merged into others

    def merged(self, other: RuleSet, mode: Mode = "extend") -> RuleSet:
        """Combine with a user's rules.

        ``replace`` keeps only ``other``.  ``extend`` keeps our topics, adds the
        user's new ones and, for a topic both define, adds the user's patterns,
        categories and names (the user's weight wins for the same pattern).
        """
        if mode not in MODES:
            raise TopicRulesError(f"rules mode must be one of {', '.join(MODES)}, got {mode!r}")
        if mode == "replace":
            return RuleSet(other.topics, other.sources)
        by_id = {t.id: t for t in self.topics}
        for new in other.topics:
            old = by_id.get(new.id)
            if old is None:
                by_id[new.id] = new
                continue
            keywords = {lang: dict(pats) for lang, pats in old.keywords.items()}
            for lang, pats in new.keywords.items():
                keywords.setdefault(lang, {}).update(pats)
            cats = old.categories + tuple(c for c in new.categories if c not in old.categories)
            by_id[new.id] = TopicRule(
                id=old.id,
                names={**old.names, **new.names},
                iptc=new.iptc or old.iptc,
                categories=cats,
                keywords=keywords,
            )
        return RuleSet(tuple(by_id.values()), self.sources + other.sources)


def default_rules_path() -> Path:
    """The rules file shipped inside the package (``dashboard/data/topics.toml``)."""
    return Path(str(resources.files("dashboard") / "data" / "topics.toml"))


def load_rules(path: str | Path) -> RuleSet:
    """Read and check one rules file.

    Raises
    ------
    TopicRulesError
        If the file cannot be read, is not valid TOML, or breaks the layout;
        the message names the file and, where it can be found, the line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise TopicRulesError(f"{path}: cannot read topic rules: {err}") from err
    return parse_rules(text, source=str(path))


def load_rule_files(paths: Iterable[str | Path], mode: Mode = "extend") -> RuleSet:
    """The shipped rules combined with each user file in turn (see :meth:`RuleSet.merged`).

    A user file may ask for replacement itself with ``[meta] mode = "replace"``.
    """
    rules = load_rules(default_rules_path())
    for p in paths:
        user = load_rules(p)
        rules = rules.merged(user, "replace" if user.mode == "replace" else mode)
    logger.debug("topic rules from %s: %d topics", ", ".join(rules.sources), len(rules.topics))
    return rules


def parse_rules(text: str, source: str = "<string>") -> RuleSet:
    """Check the layout of a rules document and turn it into a :class:`RuleSet`."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"line (\d+)", str(err))
        where = f", line {m.group(1)}" if m else ""
        raise TopicRulesError(f"{source}{where}: not valid TOML: {err}") from err
    err_at = _Locator(text, source)
    for key in doc:
        if key not in ("meta", "topics"):
            raise err_at(f"unknown table [{key}] (expected [meta] and [topics.<id>])", f"[{key}]", key)
    meta = doc.get("meta", {})
    if not isinstance(meta, dict):
        raise err_at("meta must be a table", "meta")
    mode = meta.get("mode", "extend")
    if mode not in MODES:
        raise err_at(f"meta.mode must be one of {', '.join(MODES)}, got {mode!r}", "[meta]", "mode")
    topics = doc.get("topics", {})
    if not isinstance(topics, dict) or not topics:
        raise err_at("no topics: add at least one [topics.<id>] table", "[topics", "topics")
    return RuleSet(tuple(_topic(tid, body, err_at) for tid, body in topics.items()), (source,), mode)


def _topic(tid: str, body: Any, err_at: _Locator) -> TopicRule:
    head = f"[topics.{tid}]"
    if not _TOPIC_ID.match(tid):
        raise err_at(f"topic id {tid!r} must be lower-case letters, digits, '-' or '_'", f"topics.{tid}")
    if not isinstance(body, dict):
        raise err_at(f"topics.{tid} must be a table", f"topics.{tid}")
    names = body.get("names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise err_at(f"topics.{tid}.names must map languages to strings", head, "names")
    cats = body.get("categories", [])
    if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
        raise err_at(f"topics.{tid}.categories must be a list of strings", head, "categories")
    iptc = body.get("iptc", "")
    if not isinstance(iptc, str):
        raise err_at(f"topics.{tid}.iptc must be a string", head, "iptc")
    keywords: dict[str, dict[str, float]] = {}
    for lang, pats in body.items():
        if lang in _TOPIC_KEYS:
            continue
        lhead = f"[topics.{tid}.{lang}]"
        if not (lang == ANY_LANG or _LANG.match(lang)) or not isinstance(pats, dict):
            raise err_at(
                f"topics.{tid}.{lang}: expected a language table such as [topics.{tid}.en] "
                f'of "pattern" = weight (or one of {", ".join(sorted(_TOPIC_KEYS))})',
                lhead,
                lang,
            )
        table: dict[str, float] = {}
        for pat, weight in pats.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise err_at(f"topics.{tid}.{lang}: weight of {pat!r} must be a number", lhead, pat)
            if abs(weight) > MAX_WEIGHT:
                raise err_at(
                    f"topics.{tid}.{lang}: weight of {pat!r} must be between -{MAX_WEIGHT:g} and {MAX_WEIGHT:g}",
                    lhead,
                    pat,
                )
            problem = pattern_problem(pat)
            if problem:
                raise err_at(f"topics.{tid}.{lang}: pattern {pat!r} {problem}", lhead, pat)
            table[pat.lower()] = float(weight)
        keywords[lang] = table
    return TopicRule(tid, dict(names), iptc, tuple(cats), keywords)


def split_pattern(pat: str) -> tuple[tuple[str, ...], bool, bool]:
    """``"*Erd-beben*"`` -> (("erd", "beben"), True, True): words, leading *, trailing *.

    Words are split exactly as the tagger splits text (hyphens and apostrophes
    separate words), so "cessez-le-feu" and "coup d'état" become phrases.
    """
    core = pat.strip().lower()
    return tuple(WORD.findall(core.strip("*"))), core.startswith("*"), core.endswith("*")


def pattern_problem(pat: str) -> str | None:
    """Why ``pat`` is not a usable pattern, or ``None`` if it is."""
    words, lead, _ = split_pattern(pat)
    if not words:
        return "has no letters or digits"
    if "*" in pat.strip().strip("*"):
        return 'may only have * at its start or end (e.g. "*erdbeben*", "prime minister*")'
    if len(words) > 1 and lead:
        return 'is a phrase: only its last word may end with * (e.g. "prime minister*")'
    return None


class _Locator:
    """Builds :class:`TopicRulesError` with the line where a table or key is written.

    tomllib only reports positions for syntax errors, so for layout errors we
    look for the table header and then the key below it in the source text.
    """

    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source

    def __call__(self, message: str, header: str, key: str | None = None) -> TopicRulesError:
        line = self.find(header, key)
        where = f", line {line}" if line else ""
        return TopicRulesError(f"{self.source}{where}: {message}")

    def find(self, header: str, key: str | None) -> int | None:
        start = None
        for i, raw in enumerate(self.lines):
            if header in raw.replace(" ", "").replace('"', ""):
                start = i
                break
        if key is None or start is None:
            return None if start is None else start + 1
        key_re = re.compile(r'^\s*(?:"' + re.escape(key) + r'"|' + re.escape(key) + r")\s*=")
        for j in range(start, len(self.lines)):
            if key_re.match(self.lines[j]):
                return j + 1
            if j > start and self.lines[j].lstrip().startswith("["):
                break
        return start + 1
