"""Language guess from function words."""

from __future__ import annotations

import pytest

from dashboard.langdetect import detect


@pytest.mark.parametrize("text,lang", [
    ("Die Regierung hat am Dienstag in Berlin mit der Opposition über das Budget verhandelt.", "de"),
    ("Le gouvernement a présenté mardi à Paris un projet de loi sur les retraites.", "fr"),
    ("El gobierno anunció ayer en Madrid nuevas ayudas para los agricultores de la región.", "es"),
    ("The government said on Tuesday that the talks with the unions were over.", "en"),
    ("Il governo ha presentato una legge per la riforma della scuola e delle università.", "it"),
    ("De regering heeft een nieuw plan voor de woningmarkt gepresenteerd aan het parlement.", "nl"),
])
def test_detects_the_language(text, lang):
    assert detect(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "12345 !!!", "北京是中国的首都", "Xyzzy Plugh"])
def test_unsure_gives_the_default(text):
    assert detect(text) == "en"
    assert detect(text, default="und") == "und"
