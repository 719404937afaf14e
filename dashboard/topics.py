"""Topic tagging: text -> IPTC top-level topics with scores and the words behind them.

Rules live in a TOML file (``dashboard/data/topics.toml``, see
:mod:`dashboard.topics_rules`) so that users can read why an article got a
topic and add their own.  A :class:`Tagger` compiles them once into plain dicts;
tagging then tokenises the text once and looks each distinct word up in a
per-language cache, so it costs tens of microseconds per article and does no I/O.

German compounds and inflection are handled by affix patterns on words
(``*waffenruhe``, ``*erdbeben*``, ``wahl*``) rather than by a stemmer: news
German builds new compounds every day and a suffix/prefix match catches them.
"""

from __future__ import annotations

import functools
import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from dashboard.models import TopicScore
from dashboard.topics_rules import (
    ANY_LANG,
    WORD,
    Mode,
    RuleSet,
    TopicRule,
    load_rule_files,
    split_pattern,
)

logger = logging.getLogger(__name__)

SOURCE_PREFIX = "source:"
"""Prefix of source categories that match no topic, kept as tags (``"source:Gaza war"``)."""

ALL_LANGS = "*"
_CONNECTIVES = frozenset({"and", "und", "et", "y", "e"})
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to is was with for that said from has have are were".split()),
    "de": frozenset("der die und das ist nicht mit den von ein eine sich wurde dem auch".split()),
    "fr": frozenset("le la les et des est une du dans pour que qui sur au aux".split()),
    "es": frozenset("el los las y del que una por con para se su al como".split()),
}
_CACHE_LIMIT = 200_000

# (topic index, weight, specificity, evidence label)
_Hit = tuple[int, float, int, str]


class _Matcher:
    """The compiled patterns of one language (plus the "any" ones), with a word cache."""

    def __init__(self, patterns: Iterable[tuple[int, str, float]]) -> None:
        self.exact: dict[str, list[_Hit]] = {}
        self.prefix: dict[str, list[_Hit]] = {}
        self.suffix: dict[str, list[_Hit]] = {}
        self.contains: list[tuple[str, _Hit]] = []
        self.phrases: dict[str, list[tuple[tuple[str, ...], bool, int, float, str]]] = {}
        for ti, pat, weight in patterns:
            words, lead, trail = split_pattern(pat)
            if len(words) > 1:
                label = " ".join(words)
                self.phrases.setdefault(words[0], []).append((words[1:], trail, ti, weight, label))
                continue
            w = words[0]
            if lead and trail:
                self.contains.append((w, (ti, weight, len(w), "")))
            elif lead:
                self.suffix.setdefault(w, []).append((ti, weight, len(w), ""))
            elif trail:
                self.prefix.setdefault(w, []).append((ti, weight, len(w), ""))
            else:
                self.exact.setdefault(w, []).append((ti, weight, 1000, ""))
        self.prefix_lens = sorted({len(k) for k in self.prefix})
        self.suffix_lens = sorted({len(k) for k in self.suffix})
        self.phrase_starts = frozenset(self.phrases)
        self.cache: dict[str, tuple[tuple[int, float], ...]] = {}

    def word(self, tok: str) -> tuple[tuple[int, float], ...]:
        """(topic, weight) pairs for one word: per topic the most specific pattern wins."""
        found = self.cache.get(tok)
        if found is not None:
            return found
        cands: list[_Hit] = list(self.exact.get(tok, ()))
        n = len(tok)
        for k in self.prefix_lens:
            if k > n:
                break
            cands.extend(self.prefix.get(tok[:k], ()))
        for k in self.suffix_lens:
            if k > n:
                break
            cands.extend(self.suffix.get(tok[-k:], ()))
        for sub, hit in self.contains:
            if sub in tok:
                cands.append(hit)
        best: dict[int, tuple[int, float]] = {}
        for ti, weight, spec, _ in cands:
            old = best.get(ti)
            if old is None or (spec, weight) > old:
                best[ti] = (spec, weight)
        found = tuple((ti, sw[1]) for ti, sw in best.items() if sw[1] != 0)
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        self.cache[tok] = found
        return found


class Tagger:
    """Assigns topics to texts from a :class:`~dashboard.topics_rules.RuleSet`.

    Build it once (it compiles every pattern) and call :meth:`tag` per article;
    :meth:`tag` is pure apart from a bounded cache of word look-ups.

    Parameters
    ----------
    rules
        The topics and their patterns.
    min_raw
        Evidence a topic needs (sum of weights) to be reported at all.
    relative
        A topic must reach this fraction of the best topic's evidence.
    max_topics
        At most this many taxonomy topics per article.
    category_weight
        Evidence a matching source category adds to its topic.
    """

    def __init__(
        self,
        rules: RuleSet,
        *,
        min_raw: float = 2.0,
        relative: float = 0.3,
        max_topics: int = 5,
        category_weight: float = 6.0,
    ) -> None:
        self.rules = rules
        self.topics: tuple[TopicRule, ...] = rules.topics
        self.min_raw = min_raw
        self.relative = relative
        self.max_topics = max_topics
        self.category_weight = category_weight
        self._index = {t.id: i for i, t in enumerate(self.topics)}
        langs = sorted({lang for t in self.topics for lang in t.keywords} - {ANY_LANG})
        self.languages: tuple[str, ...] = tuple(langs)
        self._matchers = {lang: _Matcher(self._patterns((lang,))) for lang in langs}
        self._matchers[ALL_LANGS] = _Matcher(self._patterns(tuple(langs)))
        self._aliases: dict[str, list[int]] = {}
        for i, t in enumerate(self.topics):
            for alias in (t.id, t.id.replace("-", " "), *t.names.values(), *t.categories):
                key = _norm_category(alias)
                if key and i not in self._aliases.get(key, []):
                    self._aliases.setdefault(key, []).append(i)
        logger.debug("tagger: %d topics, languages %s", len(self.topics), ", ".join(langs))

    @classmethod
    def from_files(cls, paths: Sequence[str | Path] = (), mode: Mode = "extend", **kwargs: float) -> Tagger:
        """The shipped rules extended (or replaced) by the user's rules files."""
        return cls(load_rule_files(paths, mode), **kwargs)  # type: ignore[arg-type]

    def _patterns(self, langs: tuple[str, ...]) -> list[tuple[int, str, float]]:
        out: dict[tuple[int, str], float] = {}
        for i, t in enumerate(self.topics):
            for pat, w in t.keywords.get(ANY_LANG, {}).items():
                out[(i, pat)] = w
            specific: dict[str, float] = {}
            for lang in langs:
                for pat, w in t.keywords.get(lang, {}).items():
                    specific[pat] = max(specific.get(pat, w), w) if len(langs) > 1 else w
            for pat, w in specific.items():
                out[(i, pat)] = w
        return [(i, pat, w) for (i, pat), w in out.items()]

    def topic(self, topic_id: str) -> TopicRule | None:
        """The rule of one topic, or ``None`` for an unknown id."""
        i = self._index.get(topic_id)
        return None if i is None else self.topics[i]

    def name(self, topic_id: str, lang: str | None = None) -> str:
        """Display name of a topic in ``lang`` (source tags are shown without their prefix)."""
        rule = self.topic(topic_id)
        if rule is None:
            return topic_id.removeprefix(SOURCE_PREFIX)
        return rule.name(lang)

    def language(self, text: str, lang: str | None = None) -> str:
        """Which rule language tagging ``text`` would use ("*" means all of them)."""
        return self._pick(WORD.findall(text.lower()), lang)

    def _pick(self, tokens: Sequence[str] | Counter[str], lang: str | None) -> str:
        if lang:
            code = lang.lower().replace("_", "-").split("-")[0]
            return code if code in self._matchers else ALL_LANGS
        counts = tokens if isinstance(tokens, Counter) else Counter(tokens)
        best, best_n = ALL_LANGS, 1
        for code, words in _STOPWORDS.items():
            if code in self._matchers:
                n = sum(counts[w] for w in words if w in counts)
                if n > best_n:
                    best, best_n = code, n
        return best

    def tag(
        self,
        text: str,
        lang: str | None = None,
        categories: Sequence[str] = (),
        title: str = "",
    ) -> tuple[TopicScore, ...]:
        """Topics of one article, best first, then unmatched source categories.

        Parameters
        ----------
        text, title
            The article; title words count double.
        lang
            ISO 639-1 code ("de", "en-GB"); ``None`` guesses among the rule
            languages from common words and falls back to all languages.
        categories
            Categories the source gave (RSS ``<category>``, a CSV column).  Those
            that name a topic add to it; the others come back as
            ``source:<category>`` tags with score 1.0 after the taxonomy topics.

        Returns
        -------
        tuple of TopicScore
            Taxonomy topics sorted by score (0 to 1), each with up to five
            triggering words, then the source tags.
        """
        counts = Counter(WORD.findall(text.lower()))
        title_words = set(WORD.findall(title.lower())) if title else set()
        matcher = self._matchers[self._pick(counts, lang)]
        raw = [0.0] * len(self.topics)
        evidence: list[dict[str, float]] = [{} for _ in self.topics]
        word = matcher.word
        for tok in counts.keys() | title_words:
            hits = word(tok)
            if hits:
                c = counts.get(tok, 0)
                mult = (1.0 + 0.5 * math.log(c) if c else 0.0) + (1.0 if tok in title_words else 0.0)
                for ti, w in hits:
                    raw[ti] += w * mult
                    evidence[ti][tok] = w * mult
        starts = matcher.phrase_starts.intersection(counts)
        if starts:
            tokens = WORD.findall(text.lower())
            self._phrases(matcher, tokens, counts, starts, raw, evidence)
        tags: list[str] = []
        for cat in categories:
            hit = self._aliases.get(_norm_category(cat))
            if hit:
                for ti in hit:
                    raw[ti] += self.category_weight
                    evidence[ti][f"category: {cat.strip()}"] = self.category_weight * 10
            elif cat.strip() and SOURCE_PREFIX + cat.strip() not in tags:
                tags.append(SOURCE_PREFIX + cat.strip())
        return self._result(raw, evidence) + tuple(TopicScore(t, 1.0, ("category",)) for t in tags)

    @staticmethod
    def _phrases(
        matcher: _Matcher,
        tokens: list[str],
        counts: Counter[str],
        starts: Iterable[str],
        raw: list[float],
        evidence: list[dict[str, float]],
    ) -> None:
        n = len(tokens)
        for first in starts:
            for rest, trail, ti, w, label in matcher.phrases[first]:
                i, found, m = -1, 0, len(rest)
                while True:
                    try:
                        i = tokens.index(first, i + 1)
                    except ValueError:
                        break
                    if i + m >= n:
                        break
                    seg = tokens[i + 1 : i + 1 + m]
                    if seg[:-1] == list(rest[:-1]) and (
                        seg[-1] == rest[-1] or (trail and seg[-1].startswith(rest[-1]))
                    ):
                        found += 1
                if found:
                    add = w * (1.0 + 0.5 * math.log(found))
                    raw[ti] += add
                    evidence[ti][label] = evidence[ti].get(label, 0.0) + add
                    # "prime minister" should not also count as "minister" when the
                    # word only occurs inside the phrase.
                    for part in (first, *rest):
                        single = evidence[ti].get(part)
                        if single and counts[part] <= found:
                            raw[ti] -= single
                            del evidence[ti][part]

    def _result(self, raw: list[float], evidence: list[dict[str, float]]) -> tuple[TopicScore, ...]:
        best = max(raw, default=0.0)
        if best < self.min_raw:
            return ()
        floor = max(self.min_raw, best * self.relative)
        order = sorted((i for i, r in enumerate(raw) if r >= floor), key=lambda i: (-raw[i], i))
        out = []
        for i in order[: self.max_topics]:
            words = sorted((kv for kv in evidence[i].items() if kv[1] > 0), key=lambda kv: (-kv[1], kv[0]))
            out.append(
                TopicScore(
                    self.topics[i].id,
                    round(1.0 - math.exp(-raw[i] / 6.0), 4),
                    tuple(w for w, _ in words[:5]),
                )
            )
        return tuple(out)


def _norm_category(cat: str) -> str:
    """"Arts & Culture" and "arts and culture" both become "arts culture"."""
    return " ".join(w for w in WORD.findall(cat.lower()) if w not in _CONNECTIVES)


@functools.cache
def default_tagger() -> Tagger:
    """The tagger over the shipped rules, built once per process."""
    return Tagger.from_files(())


def tag(
    text: str,
    lang: str | None = None,
    categories: Sequence[str] = (),
    title: str = "",
) -> tuple[TopicScore, ...]:
    """Tag one article with the shipped rules; see :meth:`Tagger.tag`."""
    return default_tagger().tag(text, lang=lang, categories=categories, title=title)
