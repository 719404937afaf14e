"""Spanish, Italian, French and Portuguese news: the error classes of issue 11 that
:mod:`dashboard.recognize.romance` handles, one test per class and language.  Every sentence
was written for these tests."""

from __future__ import annotations

import pytest


def surfaces(geoparser, text: str, lang: str) -> list[str]:
    return [m.surface for m in geoparser.parse(text, lang=lang).mentions]


# --- a country after an article is no first name ---------------------------------------------

@pytest.mark.parametrize("lang, text, place", [
    ("it", "Il presidente del Venezuela Nicolás Maduro ha parlato alla radio.", "Venezuela"),
    ("es", "El primer ministro de Japón Fumio Kishida llegó ayer.", "Japón"),
    ("fr", "Le premier ministre de Singapour Lee Hsien Loong est arrivé hier.", "Singapour"),
    ("it", "Tornano le proteste a Beirut Il governo ha chiuso le scuole.", "Beirut"),
])
def test_country_before_a_first_name(geoparser, lang, text, place):
    assert place in surfaces(geoparser, text, lang)


# --- places inside the names of organisations and events ------------------------------------

@pytest.mark.parametrize("lang, text, inside, outside", [
    ("es", "El Ayuntamiento de Sevilla aprobó el presupuesto; la obra empieza en Sevilla en mayo.",
     "Sevilla", 1),
    ("es", "La Junta de Andalucía y el Gobierno de Estados Unidos firmaron un acuerdo en Madrid.",
     "Andalucía", 0),
    ("es", "El equipo ganó la Supercopa de España tras vencer en Bilbao.", "España", 0),
    ("pt", "A Câmara Municipal de Lisboa aprovou o plano para o bairro.", "Lisboa", 0),
])
def test_places_inside_organisation_names_are_no_pins(geoparser, lang, text, inside, outside):
    assert surfaces(geoparser, text, lang).count(inside) == outside


@pytest.mark.parametrize("lang, text, place", [
    ("es", "Salió de Madrid a las seis de la mañana.", "Madrid"),
    ("es", "Vive en la provincia de Buenos Aires desde 1990.", "Buenos Aires"),
    ("pt", "Os soldados do Império do Japão chegaram em 1942.", "Japão"),
])
def test_verbs_and_geographic_heads_keep_the_place(geoparser, lang, text, place):
    assert any(place in s for s in surfaces(geoparser, text, lang))


# --- teams in sports reports ----------------------------------------------------------------

@pytest.mark.parametrize("lang, text", [
    ("es", "El jugador fichó por el equipo de Sevilla la semana pasada."),
    ("it", "Il tecnico ha lasciato la squadra di Bologna dopo due anni."),
    ("fr", "Il a rejoint l'équipe de Marseille en juin."),
    ("pt", "Ele deixou a equipe de Curitiba no fim do ano."),
    # a town in brackets after a surname in a sports report is the player's club
    ("es", "En el partido de ayer vieron tarjeta Garrido (Huesca) e Iglesias (Almería)."),
    ("it", "Dopo la partita il giudice sportivo ha squalificato Bianchi (Parma) e Verdi (Cagliari)."),
    ("fr", "Après le match, la commission a suspendu Dupuis (Nantes) et Lefèvre (Rennes)."),
    # a club article before a state named after its big chief town is the club
    ("es", "El Colima ganó al Veracruz en la jornada de liga."),
])
def test_teams_in_sports_reports_are_no_pins(geoparser, lang, text):
    assert surfaces(geoparser, text, lang) == []


@pytest.mark.parametrize("lang, text, place", [
    # outside a sports report the bracket names the town a deputy comes from
    ("es", "El senador Garrido (Huesca) votó en contra de la ley.", "Huesca"),
    ("it", "Il deputato Bianchi (Parma) ha votato contro la legge.", "Parma"),
    ("fr", "M. Dupuis (Nantes) déclare qu'il votera contre la loi.", "Nantes"),
    ("es", "Viajó a Colima y después a Veracruz.", "Veracruz"),
])
def test_the_same_towns_stay_places_elsewhere(geoparser, lang, text, place):
    assert place in surfaces(geoparser, text, lang)


# --- surnames that are town names, after a title or a verb of speaking -----------------------

@pytest.mark.parametrize("lang, text", [
    ("es", '"No vamos a dimitir", dijo Salinas ante la prensa.'),
    ("it", "«Non è vero», ha detto Ferrara ai giornalisti."),
    ("fr", "« Nous resterons », a déclaré Toulouse devant la presse."),
    ("es", "El magistrado Salinas firmó la orden."),
    ("it", "Il giudice Ferrara ha firmato la sentenza."),
    ("pt", "O juiz Salinas assinou a ordem."),
])
def test_surnames_after_titles_and_speech_verbs_are_no_pins(geoparser, lang, text):
    assert surfaces(geoparser, text, lang) == []


# --- a geographic word that belongs to the name ---------------------------------------------

@pytest.mark.parametrize("lang, text, name", [
    ("it", "Il paese si trova in provincia di Ascoli Piceno, vicino al mare.", "provincia di Ascoli Piceno"),
    ("it", "La barca è affondata nel lago di Como.", "lago di Como"),
    ("fr", "Ils pêchent dans le lac de Neuchâtel depuis vingt ans.", "lac de Neuchâtel"),
])
def test_geographic_word_inside_the_name(geoparser, lang, text, name):
    assert name in surfaces(geoparser, text, lang)


@pytest.mark.parametrize("lang, text, name", [
    ("fr", "Il habite dans la région de Lyon depuis 1990.", "Lyon"),
    ("es", "La obra empezó en la provincia de Zaragoza.", "Zaragoza"),
    ("it", "Vive nella città di Torino.", "Torino"),
])
def test_administrative_word_outside_the_name(geoparser, lang, text, name):
    assert name in surfaces(geoparser, text, lang)


# --- a spelling that differs from the language's own only by accents or spaces --------------

@pytest.mark.parametrize("lang, text, place", [
    ("fr", "Il vit au Vietnam depuis 1990.", "Vietnam"),
    ("fr", "Il vit au Viêt Nam depuis 1990.", "Viêt Nam"),
])
def test_spelling_variants_of_a_country(geoparser, lang, text, place):
    assert place in surfaces(geoparser, text, lang)


# --- abbreviations in title case; institutions with an elided preposition -------------------

def test_title_case_abbreviation_after_an_article(geoparser):
    assert surfaces(geoparser, "Il presidente degli Usa ha parlato negli Usa.", "it") == ["Usa", "Usa"]
    assert surfaces(geoparser, "Usa il telefono ogni giorno.", "it") == []


def test_institution_with_an_elided_preposition_keeps_its_town(geoparser):
    assert "Roma" in surfaces(geoparser, "Sono stati assolti dalla Corte d'Assise di Roma ieri.", "it")


# --- a town's name alone in quotation marks is a title --------------------------------------

@pytest.mark.parametrize("lang, text, place", [
    ("it", "È morto l'interprete di « Arnold », la serie degli anni Ottanta, a Roma.", "Roma"),
    ("es", 'El equipo tuvo en su " Buda " al gran artífice del triunfo en Madrid.', "Madrid"),
])
def test_town_name_in_quotes_is_a_title(geoparser, lang, text, place):
    assert surfaces(geoparser, text, lang) == [place]


def test_country_in_quotes_stays(geoparser):
    assert "Italia" in surfaces(geoparser, "Il titolo « Italia » è piaciuto a tutti.", "it")


# --- a big city's name after a first name is a surname, in every mention --------------------

@pytest.mark.parametrize("lang, text", [
    ("it", "È morta la cantante Ghislaine Houston. La Houston era amata a Newark."),
    ("es", "Murió la cantante Gumersinda Houston. La Houston vivía en Newark."),
    ("fr", "La chanteuse Ghislaine Houston est morte. Houston vivait à Newark."),
])
def test_big_city_as_a_surname(geoparser, lang, text):
    assert surfaces(geoparser, text, lang) == ["Newark"]


@pytest.mark.parametrize("lang, text, places", [
    ("es", "Nueva York y Houston recibieron a los atletas.", ["Nueva York", "Houston"]),
    ("it", "Il volo per Houston è partito da Milano.", ["Houston", "Milano"]),
])
def test_big_city_without_a_first_name_stays(geoparser, lang, text, places):
    assert surfaces(geoparser, text, lang) == places
