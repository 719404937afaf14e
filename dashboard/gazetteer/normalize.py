"""One normalisation for names and text, shared by the index builder and the matcher.

A name and a stretch of text match when their token keys are equal: both are
split by :data:`TOKEN_RE` into words and single punctuation marks, lower-cased
and joined by one space.  "Frankfurt (Oder)" -> ``"frankfurt ( oder )"``,
"St. Louis" -> ``"st . louis"``.  Keeping punctuation as tokens lets bracketed
and hyphenated names match exactly, while spacing differences do not matter.
"""

from __future__ import annotations

import re
import unicodedata

# A word: letters and digits (any script) with inner apostrophes.  Anything else that is
# not a space is a one-character token.
# An English possessive "'s" is not part of the word, so "China's" yields "China".
TOKEN_RE = re.compile(r"\w+(?:['’](?![sS]\b)\w+)*|[^\w\s]", re.UNICODE)
# A French/Italian elided article or preposition is a word of its own ("l'Argentine" is "l'" and
# "Argentine", "Côte d'Ivoire" is "Côte", "d'", "Ivoire"), so the name after it can be found.
# Split after tokenising (only words with an apostrophe are looked at): cheaper than a regex
# alternative tried at every token.
ELISION_RE = re.compile(r"(?:[ldjnscmt]|qu|jusqu|lorsqu|puisqu|[dns]ell|[ds]?all|sull)['’](?=\w)", re.IGNORECASE)


def words(text: str) -> list[str]:
    """The tokens of ``text`` (see :data:`TOKEN_RE`), elided articles split off."""
    out: list[str] = []
    for w in TOKEN_RE.findall(text):
        m = ELISION_RE.match(w) if "'" in w or "’" in w else None
        if m:
            out += [w[:m.end()], w[m.end():]]
        else:
            out.append(w)
    return out


_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})


def clean(text: str) -> str:
    """NFC-normalise and unify apostrophes and dashes (length-preserving for NFC input)."""
    return unicodedata.normalize("NFC", text).translate(_QUOTES)


def key(name: str) -> str:
    """The lookup key of a name: case-folded tokens joined by single spaces ("Rußland" and
    "Russland" share one key)."""
    return " ".join(t.casefold() for t in words(clean(name)))


def strip_accents(s: str) -> str:
    """``"Zürich" -> "Zurich"``; used to add accent-free variants of names."""
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def is_latin(s: str) -> bool:
    """True when every letter of ``s`` is Latin (ASCII or Latin-1/Extended)."""
    return all(not c.isalpha() or c < "ɐ" for c in s)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(name).lower()).strip("-")
