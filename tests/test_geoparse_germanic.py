"""German and Dutch news: one test per error class handled in dashboard/recognize/germanic.py
(issue 11).  Every sentence was written for these tests."""

from __future__ import annotations

import pytest


def surfaces(geoparser, text: str, lang: str) -> list[str]:
    return [m.surface for m in geoparser.parse(text, lang=lang).mentions]


# --- hyphenated compounds: the place is a modifier, like an adjective ------------------------

@pytest.mark.parametrize("lang, text, modifier, place", [
    ("de", "Der US-Präsident landete am Abend in Hamburg.", "US", "Hamburg"),
    ("de", "Die Japan-Reise des Ministers begann in Berlin.", "Japan", "Berlin"),
    ("de", "Der Kurs fiel auf 1,30 US-Dollar, meldeten Händler in Frankfurt.", "US", "Frankfurt"),
    ("de", "Das Rhein-Sieg-Gymnasium liegt mitten in Siegburg.", "Rhein", "Siegburg"),
    ("de", "Sie gewann zwei Gold- und drei Silbermedaillen in Oslo.", "Gold", "Oslo"),
    ("nl", "In het Oost-Duitse stadje bleef het rustig, in Leipzig niet.", "Oost", "Leipzig"),
    ("nl", "De Iran-affaire kwam ter sprake in Den Haag.", "Iran", "Den Haag"),
])
def test_hyphen_compounds_are_no_pins(geoparser, lang, text, modifier, place):
    got = surfaces(geoparser, text, lang)
    assert modifier not in got and place in got


@pytest.mark.parametrize("lang, text, place", [
    ("de", "Eine Lösung des Afghanistan-Problems ist nicht in Sicht.", "Afghanistan"),
    ("de", "Der Irak-Krieg hat die Region verändert.", "Irak"),
    ("nl", "De Kosovo-crisis hield Europa maandenlang bezig.", "Kosovo"),
    ("de", "Die Strecke Berlin-Hamburg ist wieder frei.", "Berlin"),
    ("de", "Der Zug fährt über Nordrhein-Westfalen nach Baden-Württemberg.", "Baden-Württemberg"),
])
def test_compounds_that_keep_their_place(geoparser, lang, text, place):
    assert place in surfaces(geoparser, text, lang)
