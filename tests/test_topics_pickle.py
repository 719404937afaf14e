"""A Tagger with the user's rules survives pickling into a spawned process (pools, Dask workers)."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path

from dashboard.topics import Tagger

# Topics no shipped rule knows, so only the user's rules can find them.
USER_RULES = """
[topics.beekeeping]
names = { en = "Beekeeping", de = "Imkerei" }
categories = ["Bees"]

[topics.beekeeping.en]
"beekeeper*" = 4
"honey harvest" = 4

[topics.beekeeping.de]
"imker*" = 4
"""
TEXTS = [
    ("The beekeepers of the valley report a poor honey harvest this year.", "en", ()),
    ("Die Imker im Tal melden eine schlechte Ernte.", "de", ()),
    ("A quiet week.", "en", ("Bees",)),
    ("Parliament passed the budget after the election, the prime minister said.", "en", ()),
]


def _tag_all(blob: bytes) -> list[list[tuple[str, float, tuple[str, ...]]]]:
    """In the child: unpickle the tagger and tag every text (module level, so spawn can import it)."""
    tagger = pickle.loads(blob)
    return [[(t.topic, t.score, t.evidence) for t in tagger.tag(text, lang=lang, categories=cats)]
            for text, lang, cats in TEXTS]


def test_a_pickled_tagger_keeps_its_user_rules_in_a_spawned_process(tmp_path: Path) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text(USER_RULES)
    tagger = Tagger.from_files([rules], "extend", min_raw=2.5, max_topics=3)
    blob = pickle.dumps(tagger)  # before any tagging: the child must find the topics itself, with no cached words
    here = [[(t.topic, t.score, t.evidence) for t in tagger.tag(text, lang=lang, categories=cats)]
            for text, lang, cats in TEXTS]
    assert [found[0][0] for found in here[:3]] == ["beekeeping"] * 3
    assert here[3] and here[3][0][0] != "beekeeping"  # the shipped rules are still there
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        there = pool.apply(_tag_all, (blob,))
    assert there == here
    copy = pickle.loads(blob)
    assert (copy.min_raw, copy.max_topics, [t.id for t in copy.topics]) == (2.5, 3, [t.id for t in tagger.topics])


def test_a_used_tagger_pickles_the_same(tmp_path: Path) -> None:
    """Caches filled by tagging are not what travels: a used tagger's copy tags as a fresh one's."""
    rules = tmp_path / "mine.toml"
    rules.write_text(USER_RULES)
    tagger = Tagger.from_files([rules])
    for text in ("Bees and honey at the fair.", "Die Imkerin lacht.", "Election day in the capital."):
        tagger.tag(text, lang="en")  # other texts than the child's: it must analyse its words itself
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        there = pool.apply(_tag_all, (pickle.dumps(tagger),))
    assert [found[0][0] for found in there[:3]] == ["beekeeping"] * 3
