"""Topic tagging: text -> IPTC top-level topics with scores and the words behind them.

Rules live in a TOML file (``dashboard/data/topics.toml``, see
:mod:`dashboard.topics_rules`) so that users can read why an article got a
topic and add their own.  A :class:`Tagger` compiles them once into plain dicts;
tagging then splits the text on whitespace once and looks every piece up, in C,
in a per-language cache of what each piece says (the words in it that count for
a topic or that phrases need); one Counter pass over those gives the word counts,
so that only the few dozen words that matter take a Python step.  Phrases are
regex scans of the text, tried only when their words all occur.  That costs
about 100 µs of CPU per 2 KB article on one core (a little under a tenth of
geoparsing it, see ``benchmarks/topics_speed.py``) and does no I/O.

German compounds and inflection are handled by affix patterns on words
(``*waffenruhe``, ``*erdbeben*``, ``wahl*``) rather than by a stemmer: news
German builds new compounds every day and a suffix/prefix match catches them.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections import Counter, _count_elements, defaultdict  # type: ignore[attr-defined]
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from dashboard.config import topic_rules
from dashboard.errors import TopicRulesError
from dashboard.models import TopicScore
from dashboard.topics_rules import (
    ANY_LANG,
    MODES,
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
# not required for a phrase to be tried (see _Matcher): they occur in nearly every article
_FUNCTION_WORDS = frozenset(
    "a an the of in on at to by for and or s "  # en
    "der die das den dem des von vom im am zu zum zur und "  # de
    "de d la le les l du au aux à en et "  # fr
    "el los las del al y por para con".split()  # es
)
_CACHE_LIMIT = 200_000
_NEW = ("\x00",)  # what a piece not analysed yet says, for a moment (never a word: \x00 is not \w)
_MULT_N = 64
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_MULT = [0.0] + [1.0 + 0.5 * math.log(c) for c in range(1, _MULT_N)]  # weight of a word seen c times

# (topic index, weight, specificity, evidence label)
_Hit = tuple[int, float, int, str]
# per whitespace-separated chunk: ((word, ((topic, weight), ...)), ...), the phrase words in it
_Chunk = tuple[tuple[tuple[str, tuple[tuple[int, float], ...]], ...], tuple[str, ...]]
# a phrase: (words it needs, its regex's findall, topic, weight, its words, evidence label)
_Phrase = tuple[frozenset[str], Callable[[str], list[str]], int, float, tuple[str, ...], str]


def _phrase_re(words: Sequence[str], trail: bool) -> re.Pattern[str]:
    """The words in order, separated by non-word characters, the first not inside a word.

    The first word is a literal, so ``re`` skips ahead to it fast; the
    look-behind just after it rejects a start inside a longer word ("reprime").
    """
    first = re.escape(words[0])
    body = first + r"(?<![^\W_]" + first + ")" + "".join(r"\W+" + re.escape(w) for w in words[1:])
    return re.compile(body + (r"\w*" if trail else r"(?!\w)"))


class _Matcher:
    """The compiled patterns of one language (plus the "any" ones), with a word cache."""

    def __init__(self, patterns: Iterable[tuple[int, str, float]]) -> None:
        self.exact: dict[str, list[_Hit]] = {}
        self.prefix: dict[str, list[_Hit]] = {}
        self.suffix: dict[str, list[_Hit]] = {}
        self.contains: list[tuple[str, _Hit]] = []
        # a word the phrase needs -> the phrases filed under it
        self.phrases: dict[str, list[_Phrase]] = {}
        phrases: list[_Phrase] = []
        for ti, pat, weight in patterns:
            words, lead, trail = split_pattern(pat)
            if len(words) > 1:
                # A phrase is only searched for when its words occur in the text
                # (the last one as a prefix if it ends in *).  Function words are
                # in nearly every text: leaving them out of this test keeps
                # "of", "de", "la" out of the per-article Python loop.
                # A "*" key stands for any word starting with it ("minister*").
                base = (*words[:-1], words[-1] + "*") if trail else words
                need = frozenset([w for w in base if w.rstrip("*") not in _FUNCTION_WORDS] or base)
                phrases.append((need, _phrase_re(words, trail).findall, ti, weight, words, " ".join(words)))
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
        # Each phrase is filed under the word it needs that the fewest phrases
        # need (then the longest): "prime" for "prime minister", not "minister",
        # so that an article with "minister" does not try every "... minister".
        shared = Counter(w for p in phrases for w in p[0])
        # the same, with what else each phrase needs: one word (most phrases), none, or a set
        self.candidates: dict[str, list[tuple[str | frozenset[str] | None, _Phrase]]] = {}
        for phrase in phrases:
            anchor = min(sorted(phrase[0]), key=lambda w: (shared[w], -len(w)))
            self.phrases.setdefault(anchor, []).append(phrase)
            rest = phrase[0] - {anchor}
            other = None if not rest else next(iter(rest)) if len(rest) == 1 else rest
            self.candidates.setdefault(anchor, []).append((other, phrase))
        self.prefix_lens = sorted({len(k) for k in self.prefix})
        self.suffix_lens = sorted({len(k) for k in self.suffix})
        self.phrase_anchors = frozenset(self.phrases)
        self.phrase_keys = frozenset(w for group in self.phrases.values() for p in group for w in p[0])
        self.phrase_stems = {k[:-1]: k for k in self.phrase_keys if k.endswith("*")}
        self.phrase_stem_lens = sorted({len(k) for k in self.phrase_stems})
        self.cache: dict[str, tuple[tuple[int, float], ...]] = {}
        # whitespace-separated piece -> what it says (see _piece).  A piece not
        # seen yet reads as _NEW (a default factory in C, so that itemgetter can
        # look up a whole text at once) until said_slowly() analyses it.
        self.pieces: defaultdict[str, tuple[str, ...]] = defaultdict(repeat(_NEW).__next__)
        # each word or key in a value of self.pieces -> its (topic, weight) pairs (() for a phrase key)
        self.hits: dict[str, tuple[tuple[int, float], ...]] = {}
        self.interned: dict[tuple[str, ...], tuple[str, ...]] = {}

    def trim(self) -> None:
        """Empty the piece caches once they hold ``_CACHE_LIMIT`` pieces (only between articles)."""
        if len(self.pieces) >= _CACHE_LIMIT:
            self.pieces.clear()
            self.interned.clear()
            self.hits = {}  # a new dict: a call in another thread may still be reading the old one

    def said(self, seq: Sequence[str]) -> Sequence[tuple[str, ...]]:
        """What each piece of ``seq`` says, in order: look-ups in C, new pieces analysed once."""
        pieces = self.pieces
        known = len(pieces)
        found = itemgetter(*seq)(pieces) if len(seq) > 1 else tuple([pieces[p] for p in seq])
        return found if len(pieces) == known else self.said_slowly(seq)

    def said_slowly(self, seq: Sequence[str]) -> list[tuple[str, ...]]:
        """:meth:`said` in Python, analysing the pieces that read as _NEW.

        Those are pieces seen for the first time, and pieces that a call looked
        up but did not get to analyse (interrupted, or racing another thread).
        """
        pieces = self.pieces
        out = []
        for raw in seq:
            said = pieces.get(raw)
            if said is None or said is _NEW:
                said = pieces[raw] = self._piece(raw)
            out.append(said)
        return out

    def hits_of(self, words: Iterable[str]) -> dict[str, tuple[tuple[int, float], ...]]:
        """:attr:`hits`, sure to hold ``words`` (another thread may have emptied it meanwhile)."""
        hits = self.hits
        for w in words:
            if w not in hits:
                hits[w] = () if w.endswith("*") else self.word(w)
        return hits

    def _piece(self, raw: str) -> tuple[str, ...]:
        """What one whitespace-separated piece says: its words with hits and its phrase keys, in order.

        A word that has hits or that phrases need comes once per occurrence (so
        that counting these tuples over a text counts the words); "stem*" keys
        follow the word they were found in.  Pieces that say nothing give ``()``.
        """
        out: list[str] = []
        hits = self.hits
        for w in WORD.findall(raw):
            h = self.word(w)
            if h or w in self.phrase_keys:
                out.append(w)
                hits[w] = h
            for key in self._phrase_stem_keys(w):
                out.append(key)
                hits[key] = ()
        found = tuple(out)
        return self.interned.setdefault(found, found)  # "gaza," and "gaza" share one tuple

    def chunk(self, raw: str) -> _Chunk:
        """What one whitespace-separated piece of text says: its words' hits and its phrase words.

        Not used by :meth:`Tagger.tag` (which reads :attr:`pieces`); kept for the
        rule-tuning scripts in ``benchmarks/``.
        """
        words = WORD.findall(raw)
        return (
            tuple((w, hits) for w in words if (hits := self.word(w))),
            tuple(self._phrase_keys(words)),
        )

    def _phrase_keys(self, words: Iterable[str]) -> Iterator[str]:
        """The words (and "stem*" keys) of a piece that phrases need."""
        keys = self.phrase_keys
        for w in words:
            if w in keys:
                yield w
            yield from self._phrase_stem_keys(w)

    def _phrase_stem_keys(self, w: str) -> Iterator[str]:
        """The "stem*" keys of phrases that ``w`` starts."""
        stems = self.phrase_stems
        for k in self.phrase_stem_lens:
            if k > len(w):
                break
            key = stems.get(w[:k])
            if key is not None:
                yield key

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
    :meth:`tag` is pure apart from bounded caches of word and piece look-ups.

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
        self._ids = tuple(t.id for t in self.topics)
        langs = sorted({lang for t in self.topics for lang in t.keywords} - {ANY_LANG})
        self.languages: tuple[str, ...] = tuple(langs)
        self._matchers = {lang: _Matcher(self._patterns((lang,))) for lang in langs}
        self._matchers[ALL_LANGS] = _Matcher(self._patterns(tuple(langs)))
        self._hinted: dict[str, _Matcher] = {}  # language hint as given -> its matcher
        self._aliases: dict[str, list[int]] = {}
        for i, t in enumerate(self.topics):
            for alias in (t.id, t.id.replace("-", " "), *t.names.values(), *t.categories):
                key = _norm_category(alias)
                if key and i not in self._aliases.get(key, []):
                    self._aliases.setdefault(key, []).append(i)
        logger.debug("tagger: %d topics, languages %s", len(self.topics), ", ".join(langs))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle the rules and thresholds; the process that unpickles compiles its own matchers.

        The compiled matchers hold caches keyed on a sentinel compared by identity
        (``_NEW``, the default of :attr:`_Matcher.pieces`); a pickled copy of that
        sentinel is another object, so an unpickled matcher found no topic at all in
        another process (a process pool, a Dask worker).  The rules are plain data
        (the user's topics included) and a tenth of the compiled size.
        """
        return (_rebuild_tagger, (self.rules, self.min_raw, self.relative, self.max_topics, self.category_weight))

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
        return self._pick(Counter(text.lower().split()), lang)

    def _matcher(self, tokens: Sequence[str], lang: str | None) -> _Matcher:
        matcher = self._matchers[self._pick(tokens, lang)]
        if lang:
            if len(self._hinted) > 64:
                self._hinted.clear()
            self._hinted[lang] = matcher
        return matcher

    def _pick(self, tokens: Sequence[str] | Counter[str], lang: str | None) -> str:
        if lang:
            code = lang.lower().replace("_", "-").split("-")[0]
            return code if code in self._matchers else ALL_LANGS
        counts = tokens if isinstance(tokens, Counter) else Counter(tokens)
        best, best_n = ALL_LANGS, 0
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
        low = text.lower()
        seq = low.split()
        matcher = (lang and self._hinted.get(lang)) or self._matcher(seq, lang)
        matcher.trim()
        # Every piece to what it says, in C (a 2 KB article has ~320 pieces, ~220
        # distinct, and only a few dozen words worth a Python step).  Counting
        # the flattened tuples gives each word's count, in order of first occurrence.
        counts: dict[str, int] = {}
        _count_elements(counts, chain.from_iterable(filter(None, matcher.said(seq))))
        if _NEW[0] in counts:  # see said_slowly
            counts = {}
            _count_elements(counts, chain.from_iterable(filter(None, matcher.said_slowly(seq))))
        said_in_title = matcher.said_slowly(title.lower().split()) if title else []
        try:
            raw_scores, evidence = self._score(counts, matcher.hits, said_in_title)
        except KeyError:  # another thread emptied the caches meanwhile
            hits_of = matcher.hits_of(chain(counts, *said_in_title))
            raw_scores, evidence = self._score(counts, hits_of, said_in_title)
        anchors = matcher.phrase_anchors.intersection(counts)
        if anchors:
            self._phrases(matcher, low, anchors, counts, raw_scores, evidence)
        tags: list[str] = []
        for cat in categories:
            hit = self._aliases.get(_norm_category(cat))
            if hit:
                for ti in hit:
                    raw_scores[ti] += self.category_weight
                    evidence[ti][f"category: {cat.strip()}"] = self.category_weight * 10
            elif cat.strip() and SOURCE_PREFIX + cat.strip() not in tags:
                tags.append(SOURCE_PREFIX + cat.strip())
        found = self._result(raw_scores, evidence)
        return found + tuple([TopicScore(t, 1.0, ("category",)) for t in tags]) if tags else found

    def _score(
        self,
        counts: dict[str, int],
        hits_of: dict[str, tuple[tuple[int, float], ...]],
        said_in_title: Sequence[tuple[str, ...]],
    ) -> tuple[list[float], list[dict[str, float]]]:
        """Raw score per topic and, per topic, {word: contribution}, from the counted words."""
        n = len(self.topics)
        raw_scores = [0.0] * n
        # per topic: {word or phrase: contribution}; sorted only for the topics reported
        evidence: list[dict[str, float]] = [{} for _ in range(n)]
        if said_in_title:
            # title words count double; those not in the text count once, after
            # the text's (kept apart: the phrases searched for depend on the text alone)
            title_words: set[str] = set()
            title_only: dict[str, int] = {}
            for said in said_in_title:
                for w in said:
                    if hits_of[w]:
                        title_words.add(w)
                        if w not in counts:
                            title_only[w] = 0
            for w, c in chain(counts.items(), title_only.items()):
                h = hits_of[w]
                if h:
                    mult = _MULT[c] if c < _MULT_N else 1.0 + 0.5 * math.log(c)
                    if w in title_words:
                        mult += 1.0
                    for ti, weight in h:
                        v = weight * mult
                        raw_scores[ti] += v
                        evidence[ti][w] = v
        else:
            for w, c in counts.items():
                h = hits_of[w]
                if h:
                    mult = _MULT[c] if c < _MULT_N else 1.0 + 0.5 * math.log(c)
                    for ti, weight in h:
                        v = weight * mult
                        raw_scores[ti] += v
                        evidence[ti][w] = v
        return raw_scores, evidence

    @staticmethod
    def _phrases(
        matcher: _Matcher,
        low: str,
        anchors: Iterable[str],
        counts: dict[str, int],
        raw: list[float],
        evidence: list[dict[str, float]],
    ) -> None:
        """Add phrase matches; a phrase replaces the single words it is made of.

        Only phrases whose words all occur (are in ``counts``) are searched for:
        about eight regex scans of 1–2 µs per 2 KB article, the largest single
        cost of tagging after splitting the text and looking its pieces up.
        """
        groups = matcher.candidates
        keys = counts.keys()
        for anchor in anchors:
            for other, phrase in groups[anchor]:
                if other is None or (other in counts if isinstance(other, str) else keys >= other):
                    _, findall, ti, w, parts, label = phrase
                    found = len(findall(low))
                    if not found:
                        continue
                    add = w * (_MULT[found] if found < _MULT_N else 1.0 + 0.5 * math.log(found))
                    raw[ti] += add
                    ev = evidence[ti]
                    ev[label] = ev.get(label, 0.0) + add
                    for part in parts:
                        v = ev.pop(part, None)
                        if v is not None:
                            raw[ti] -= v

    def _result(self, raw: list[float], evidence: list[dict[str, float]]) -> tuple[TopicScore, ...]:
        best = max(raw, default=0.0)
        if best < self.min_raw:
            return ()
        floor = max(self.min_raw, best * self.relative)
        # rounded so that topics tied but for float noise keep the rules' order
        order = sorted([(-round(r, 9), i) for i, r in enumerate(raw) if r >= floor])
        out = []
        ids, exp = self._ids, math.exp
        for _, i in order[: self.max_topics]:
            # best five by contribution, ties alphabetical (stable sorts, in C)
            top = sorted(sorted(evidence[i].items()), key=_SECOND, reverse=True)[:5]
            # sorted best first: if the last one counts for the topic, all do
            words = tuple(map(_FIRST, top)) if top and top[-1][1] > 0 else tuple([w for w, v in top if v > 0])
            out.append(TopicScore(ids[i], round(1.0 - exp(-raw[i] / 6.0), 4), words))
        return tuple(out)


def _rebuild_tagger(rules: RuleSet, min_raw: float, relative: float, max_topics: int,
                    category_weight: float) -> Tagger:
    """A :class:`Tagger` from what :meth:`Tagger.__reduce__` pickled."""
    return Tagger(rules, min_raw=min_raw, relative=relative, max_topics=max_topics, category_weight=category_weight)


def _norm_category(cat: str) -> str:
    """ "Arts & Culture" and "arts and culture" both become "arts culture"."""
    return " ".join(w for w in WORD.findall(cat.lower()) if w not in _CONNECTIVES)


def default_tagger() -> Tagger:
    """The tagger the product uses, built once per process and setting.

    The shipped rules, extended or replaced by the user's files named in
    ``DASHBOARD_TOPIC_RULES`` (see :func:`dashboard.config.topic_rules`), so
    that ingest, ``reparse``, the ``topics`` command and the app agree.  A
    missing or malformed file raises :class:`~dashboard.errors.TopicRulesError`
    naming it.
    """
    paths, mode = topic_rules()
    return _tagger_for(paths, mode)


@functools.cache
def _tagger_for(paths: tuple[str, ...], mode: str) -> Tagger:
    if mode not in MODES:
        raise TopicRulesError(f"DASHBOARD_TOPIC_RULES_MODE must be one of {', '.join(MODES)}, got {mode!r}")
    return Tagger.from_files(paths, mode)  # type: ignore[arg-type]


def tag(
    text: str,
    lang: str | None = None,
    categories: Sequence[str] = (),
    title: str = "",
) -> tuple[TopicScore, ...]:
    """Tag one article with the shipped rules; see :meth:`Tagger.tag`."""
    return default_tagger().tag(text, lang=lang, categories=categories, title=title)
