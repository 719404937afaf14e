"""Plain-text articles: decoding, titles, datelines, repeated paragraphs, dates stated in the text.

These are pure functions on strings, shared by every source: a JSON record,
a feed item and a web page all end up as text that may repeat its body (the
sample article in ``seeds/`` prints it twice) or state its date in words.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from datetime import UTC, datetime

from dashboard.errors import InputError

_PARA_SPLIT = re.compile(r"\n\s*\n|\n")
_SPACE = re.compile(r"[ \t\u00a0]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»“”]?\s+(?=[\"'«„“A-ZÄÖÜÀ-Ý0-9])")
# "PEKING:", "BERLIN (dpa) -", "WASHINGTON, Sept. 13 (Reuters) —", "SAN JOSÉ, Costa Rica –"
DATELINE = re.compile(
    r"^\s*(?P<place>[A-ZÀ-ÝĀ-Ž][A-ZÀ-ÝĀ-Ž .'’-]{1,40}?)(?:,[^:\n–—]{1,40}?)?\s*(?:\([^)\n]{1,30}\))?\s*[:–—-]\s+"
)
TITLE_MAX = 160


def decode(data: bytes, *, where: str = "") -> str:
    """Bytes of a text file as ``str``: UTF-8 (with or without BOM) or UTF-16 with a BOM.

    Anything else is reported, not guessed: a wrong guess would store mojibake
    that nobody notices, while a clear error names the file to convert.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputError(f"{where}: broken UTF-16 text ({err.reason})".lstrip(": ")) from err
    if b"\x00" in data[:4096]:
        raise InputError(f"{where}: binary file, not text".lstrip(": "))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{where}: not UTF-8 text (byte {err.start}); convert it, e.g. iconv -f latin1 -t utf-8".lstrip(": ")
        ) from err


def clean(text: str) -> str:
    """Normalise line ends and spaces (NFC), keep paragraph breaks."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def collapse_repeats(text: str, min_words: int = 5) -> str:
    """Drop paragraphs that repeat an earlier one of the same article.

    Scrapers and syndication often print an article's body twice; without this
    every place in it would be counted twice.  Short lines ("Advertisement",
    a lone place name) are left alone: repeating them can be deliberate.
    """
    paragraphs = [p for p in _PARA_SPLIT.split(text) if p.strip()]
    seen: set[str] = set()
    kept: list[str] = []
    for para in paragraphs:
        key = " ".join(para.casefold().split())
        if len(key.split()) >= min_words:
            if key in seen:
                continue
            seen.add(key)
        kept.append(para.strip())
    separator = "\n\n" if "\n\n" in text else "\n"
    return separator.join(kept)


def strip_dateline(line: str) -> str:
    """A first line without its dateline ("PEKING: ..."), for use as a title."""
    m = DATELINE.match(line)
    return line[m.end() :] if m and m.group("place").strip().isupper() else line


def shorten(text: str, limit: int = TITLE_MAX) -> str:
    """Cut at a word boundary and mark the cut with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:–—-")
    return cut + "…"


def title_and_body(text: str) -> tuple[str, str]:
    """Split a bare text into (title, text).

    A short first line without final punctuation is a headline: it becomes the
    title and stays out of the body.  Otherwise the title is the first sentence
    (without the dateline) and the body is the whole text, because the first
    line is then real article text with places in it.
    """
    text = text.strip()
    if not text:
        return "", ""
    first, _, rest = text.partition("\n")
    first = first.strip()
    if rest.strip() and len(first) <= 120 and not first.endswith((".", "!", "?", ":", "…", ",")):
        return shorten(first), rest.strip()
    sentence = _SENTENCE_END.split(strip_dateline(first), maxsplit=1)[0]
    return shorten(sentence), text


_MONTHS = {
    **dict.fromkeys(("january", "jan", "januar", "janvier", "enero"), 1),
    **dict.fromkeys(("february", "feb", "februar", "février", "fevrier", "febrero"), 2),
    **dict.fromkeys(("march", "mar", "märz", "maerz", "mars", "marzo"), 3),
    **dict.fromkeys(("april", "apr", "avril", "abril"), 4),
    **dict.fromkeys(("may", "mai", "mayo"), 5),
    **dict.fromkeys(("june", "jun", "juni", "juin", "junio"), 6),
    **dict.fromkeys(("july", "jul", "juli", "juillet", "julio"), 7),
    **dict.fromkeys(("august", "aug", "août", "aout", "agosto"), 8),
    **dict.fromkeys(("september", "sep", "sept", "septembre", "septiembre"), 9),
    **dict.fromkeys(("october", "oct", "oktober", "octobre", "octubre"), 10),
    **dict.fromkeys(("november", "nov", "novembre", "noviembre"), 11),
    **dict.fromkeys(("december", "dec", "dezember", "décembre", "decembre", "diciembre"), 12),
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DATE_PATTERNS = (
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"), "ymd"),
    (re.compile(rf"\b(?P<d>[0-3]?\d)\.?\s+(?:de\s+)?(?P<mon>{_MONTH_RE})\.?\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)\b",
                re.IGNORECASE), "dmy"),
    (re.compile(rf"\b(?P<mon>{_MONTH_RE})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b",
                re.IGNORECASE), "mdy"),
    (re.compile(r"\b(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)\b"), "dmy-num"),
)


def date_in_text(text: str, head: int = 1500) -> datetime | None:
    """The first full calendar date stated near the start of ``text`` (UTC midnight), if any.

    Only dates with a year count: "on Tuesday" says nothing without knowing
    when the article was written.
    """
    sample = text[:head]
    best: tuple[int, datetime] | None = None
    for pattern, _kind in _DATE_PATTERNS:
        for m in pattern.finditer(sample):
            month = int(m.group("m")) if "m" in m.groupdict() and m.group("m") else _MONTHS.get(
                m.group("mon").lower().rstrip("."), 0
            )
            try:
                found = datetime(int(m.group("y")), month, int(m.group("d")), tzinfo=UTC)
            except ValueError:
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), found)
            break
    return best[1] if best else None
