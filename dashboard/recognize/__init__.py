"""Toponym recognition: find the stretches of text that name a place in the index.

Gazetteer matching over tokens (longest match first, capitalised start), then
rules that remove what is not a place: ordinary words that happen to be place
names ("Nice weather", German "das Essen"), person names ("Paris Hilton",
"Jordan Henderson"), organisations named after places ("Bank of England",
"Shanghaier Organisation"), and inflected forms are mapped back to the name
(German genitive "Chinas", declined "Vereinigten Staaten").  No I/O.
"""

from dashboard.recognize.recognizer import Recognizer
from dashboard.recognize.tokens import Span, tokenize

__all__ = ["Recognizer", "Span", "tokenize"]
