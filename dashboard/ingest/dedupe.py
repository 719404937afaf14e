"""Near-duplicates: syndicated copies of one story, found with MinHash LSH (datasketch).

Exact copies are caught by the content hash in the store; wire stories
republished with a changed headline, a byline or a trimmed paragraph are
not.  Those are linked to the first copy's story so the map counts stories.
"""

from __future__ import annotations

import logging

import numpy as np
from datasketch import MinHash, MinHashLSH

from dashboard.store import Store, normalise_text

logger = logging.getLogger(__name__)

NUM_PERM = 64
SCHEME = "affine32"  # stored signatures are only comparable under the scheme that made them
SHINGLE = 3
THRESHOLD = 0.8
MIN_WORDS = 12  # below this, two texts share shingles by accident too easily


_PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations  # the same for every MinHash: made once


def signature(text: str) -> bytes | None:
    """MinHash of the article's word 3-shingles as bytes, or ``None`` for texts too short to compare."""
    words = normalise_text(text).split()
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)}
    mh = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_PERMUTATIONS)
    mh.update_batch(list(shingles))
    return mh.hashvalues.astype(np.uint32).tobytes()


class _Signature:
    """What MinHashLSH reads of a MinHash (its hash values), without building one."""

    __slots__ = ("hashvalues",)

    def __init__(self, sig: bytes) -> None:
        self.hashvalues = np.frombuffer(sig, dtype=np.uint32)

    def __len__(self) -> int:
        return len(self.hashvalues)


def _minhash(sig: bytes) -> MinHash:
    return _Signature(sig)  # type: ignore[return-value]


class StoryIndex:
    """Which stored story a new article is a near-copy of; loads the store's signatures once."""

    def __init__(self, store: Store, threshold: float = THRESHOLD) -> None:
        self.store = store
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.story_of: dict[int, int] = {}
        self.pending: list[int] = []
        for article_id, story_id, sig in store.signatures():
            self._insert(article_id, story_id, sig)
        logger.debug("story index: %d signatures", len(self.story_of))

    def _insert(self, article_id: int, story_id: int, sig: bytes, mh: MinHash | None = None) -> None:
        if article_id not in self.story_of:
            self.lsh.insert(article_id, mh or _minhash(sig))
            self.story_of[article_id] = story_id

    def link(self, article_id: int, sig: bytes | None) -> int | None:
        """Register a new article; returns the story it joins when it is a near-copy."""
        if sig is None:
            return None
        mh = _minhash(sig)
        matches = [m for m in self.lsh.query(mh) if m != article_id]
        story = min(self.story_of[m] for m in matches) if matches else article_id
        self._insert(article_id, story, sig, mh)
        self.pending.append(article_id)
        return story if matches else None

    def commit(self) -> None:
        """The articles linked since the last call are stored: keep them."""
        self.pending.clear()

    def rollback(self) -> None:
        """Their batch was not stored: forget the articles linked since the last commit."""
        for article_id in self.pending:
            if self.story_of.pop(article_id, None) is not None:
                self.lsh.remove(article_id)
        self.pending.clear()
