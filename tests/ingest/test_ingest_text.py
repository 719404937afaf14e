"""Pure text handling: decoding, titles, datelines, repeated paragraphs, dates in the text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.errors import InputError
from dashboard.ingest.text import (
    clean,
    collapse_repeats,
    date_in_text,
    decode,
    strip_dateline,
    title_and_body,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_2959add6671d93e8.txt"


def test_the_sample_article_body_is_kept_once() -> None:
    text = clean(SEED.read_text(encoding="utf-8"))
    collapsed = collapse_repeats(text)
    assert text.count("Samarkand") == 2 and collapsed.count("Samarkand") == 1
    assert collapsed.count("Kasachstan") * 2 - 1 == text.count("Kasachstan")  # the first line is not repeated
    assert collapsed.startswith("PEKING: Chinas Präsident")
    assert collapsed.endswith("berichtete CCTV schriftlich von Xi.")


def test_short_repeated_lines_are_kept() -> None:
    assert collapse_repeats("Advertisement\nBody one is long enough here.\nAdvertisement") == (
        "Advertisement\nBody one is long enough here.\nAdvertisement"
    )


def test_title_is_the_first_sentence_without_dateline() -> None:
    title, body = title_and_body(clean(SEED.read_text(encoding="utf-8")))
    assert title.startswith("Chinas Präsident Xi Jinping hat am Dienstag geschworen")
    assert len(title) <= 161 and title.endswith("…")
    assert body.startswith("PEKING:")


def test_a_short_first_line_is_a_headline() -> None:
    title, body = title_and_body("Floods in Hamburg\nThe river rose overnight. Many streets are closed.")
    assert title == "Floods in Hamburg"
    assert body == "The river rose overnight. Many streets are closed."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("PEKING: Xi reist.", "Xi reist."),
        ("BERLIN (dpa) - Der Bundestag tagt.", "Der Bundestag tagt."),
        ("WASHINGTON, Sept. 13 (Reuters) — Talks resume.", "Talks resume."),
        ("Nothing special: here.", "Nothing special: here."),
    ],
)
def test_strip_dateline(line: str, expected: str) -> None:
    assert strip_dateline(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Published 2022-09-13. Xi travels.", datetime(2022, 9, 13, tzinfo=UTC)),
        ("BERLIN, 13. September 2022 - Der Bundestag", datetime(2022, 9, 13, tzinfo=UTC)),
        ("WASHINGTON, Sept. 13, 2022 (Reuters)", datetime(2022, 9, 13, tzinfo=UTC)),
        ("Am 05.03.2021 wurde gewählt.", datetime(2021, 3, 5, tzinfo=UTC)),
        ("PARIS, le 14 juillet 2023 — Défilé", datetime(2023, 7, 14, tzinfo=UTC)),
        ("Am Dienstag schwor Xi.", None),
        ("On 31 February 2022 nothing.", None),
    ],
)
def test_date_in_text(text: str, expected: datetime | None) -> None:
    assert date_in_text(text) == expected


def test_decode_accepts_utf8_with_bom_and_utf16() -> None:
    assert decode("Zürich".encode("utf-8-sig")) == "Zürich"
    assert decode("Zürich".encode("utf-16")) == "Zürich"


def test_decode_reports_other_encodings_and_binary() -> None:
    with pytest.raises(InputError, match="not UTF-8 text"):
        decode("Zürich".encode("latin-1"), where="a.txt")
    with pytest.raises(InputError, match="binary file"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00", where="a.png")


def test_clean_normalises_spaces_and_line_ends() -> None:
    assert clean("a\u00a0 b\r\n\r\n\r\n\r\nc  ") == "a b\n\nc"
