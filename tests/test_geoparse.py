"""The geoparser on the sample article and on the hard cases of ordinary news."""

from __future__ import annotations

import pytest

from dashboard.geoparse import Geoparser


def names(result):
    return [(m.surface, m.place.name) for m in result.mentions]


def test_sample_article(geoparser, seed_text):
    r = geoparser.parse(seed_text)
    assert r.lang == "de"
    got = names(r)
    for surface, name in [("PEKING", "Beijing"), ("Chinas", "China"), ("Kasachstan", "Kazakhstan"),
                          ("Zentralasien", "Central Asia"), ("Usbekistan", "Uzbekistan"),
                          ("Samarkand", "Samarkand"), ("Tadschikistan", "Tajikistan"), ("Peking", "Beijing"),
                          ("Xinjiang", "Xinjiang"), ("Vereinigten Staaten", "United States"),
                          ("Afghanistan", "Afghanistan")]:
        assert (surface, name) in got, surface
    samarkand = next(m for m in r.mentions if m.surface == "Samarkand")
    assert samarkand.place.country_code == "UZ"
    # Temirtau (KZ) lists "Samarkand" as an old name; the bigger place of that name keeps it alone.
    assert all(a.place.country_code != "KZ" for a in samarkand.alternatives)
    assert {m.place.kind for m in r.mentions if m.surface in ("Zentralasien", "Xinjiang")} == {"region", "admin1"}
    # Not places: adjectives, an organisation named after a city, acronyms.
    for word in ("usbekischen", "kasachische", "chinesischen", "Shanghaier", "SCO", "CCTV", "Uiguren"):
        assert all(word not in m.surface for m in r.mentions), word
    # The body is printed twice: every mention in the first copy has its twin, offsets exact.
    for m in r.mentions:
        assert seed_text[m.start:m.end] == m.surface
    first = seed_text.index("Xis Staatsbesuche")
    second = seed_text.index("Xis Staatsbesuche", first + 1)
    copy1 = [(m.surface, m.place.id, m.start - first) for m in r.mentions if first <= m.start < second]
    copy2 = [(m.surface, m.place.id, m.start - second) for m in r.mentions if m.start >= second]
    assert copy1 == copy2 and len(copy1) > 20
    assert r.mentions[0].role == "dateline" and r.mentions[0].surface == "PEKING"
    assert r.focus[0].place.country_code in ("KZ", "CN")


@pytest.mark.parametrize("text,lang,expected", [
    ("Le président est à Pékin puis à Moscou et Londres.", "fr", ["Beijing", "Moscow", "London"]),
    ("Die Lage in den Vereinigten Staaten und der Türkei.", "de", ["United States", "Turkey"]),
    ("Chinas Wirtschaft, Russlands Armee und Kasachstans Präsident.", "de", ["China", "Russia", "Kazakhstan"]),
    ("Die Lösung des Afghanistan-Problems.", "de", ["Afghanistan"]),
    ("Er zog von Frankfurt (Oder) nach Frankfurt am Main.", "de", ["Frankfurt (Oder)", "Frankfurt am Main"]),
    ("Storms hit Oklahoma City and La Paz. Fighting in El Fasher.", "en", ["Oklahoma City", "La Paz", "El Fasher"]),
    ("Er wohnt in Essen.", "de", ["Essen"]),
    ("Proteste in Halle und Essen; das Essen in der Halle war kalt.", "de", ["Halle", "Essen"]),
    ("Nordrhein-Westfalens Regierung steht an der Seite Kiews.", "de", ["Nordrhein-Westfalen", "Kyiv"]),
    ("À Marseille, des milliers. La Côte d'Ivoire et le Sénégal ont signé.", "fr",
     ["Marseille", "Ivory Coast", "Senegal"]),
    ("China's economy and New York state's budget.", "en", ["China", "New York"]),
    ("Sheriff Clark said the fire spread. Deputies arrested Clark on Friday.", "en", []),
    ("Nach Frank¬\nreich und Rußland, dann nach New-York.", "de", ["France", "Russia", "New York"]),
    ("Der Papst sprach in Rom; der Karneval in Rio fiel aus.", "de", ["Rome", "Rio de Janeiro"]),
    ("Le président de l'Argentine est arrivé à L'Aquila.", "fr", ["Argentina", "L'Aquila"]),
    ("A plane crashed near Rottnest Island; the Argentine president flew home.", "en", []),
    ("Der Vulkan auf Island brach aus. Reisen nach Amerika und Holland.", "de",
     ["Iceland", "United States", "The Netherlands"]),
    ("Somali and Omani officials met White House staff.", "en", []),
    ("U.S. Central Command struck targets; the Long Beach port reopened.", "en", ["United States", "Long Beach"]),
    ("Brent crude rose; Texas crude output fell.", "en", ["Texas"]),
    ("Elon Musk said the cuts would go on.", "en", []),
    ("Le club a battu Lyon. Bordeaux et Lille sont sous la neige.", "fr", ["Lyon", "Bordeaux", "Lille"]),
    ("Fighting in the Donbas and in Crimea; protests in Tibet.", "en", ["Donbas", "Crimea", "Tibet"]),
    ("ROMA - Il presidente è arrivato a Milano.", "it", ["Rome", "Milan"]),
    ("La Casa Blanca criticó a Venezuela.", "es", ["Venezuela"]),
    ("Jos nämä huhut toteutuvat, Helsinki vastaa.", "fi", ["Helsinki"]),
    ("Detta hände i Stockholm.", "sv", ["Stockholm"]),
])
def test_names_in_context(geoparser, text, lang, expected):
    assert [m.place.name for m in geoparser.parse(text, lang).mentions] == expected


@pytest.mark.parametrize("text,lang", [
    ("Paris Hilton arrived late.", "en"),
    ("Jordan Henderson scored twice.", "en"),
    ("The Bank of England raised rates.", "en"),
    ("Nice weather today. We are reading.", "en"),
    ("Das Essen war gut.", "de"),
    ("Die usbekischen und chinesischen Behörden.", "de"),
    ("European and Chinese officials met.", "en"),
])
def test_not_places(geoparser, text, lang):
    assert names(geoparser.parse(text, lang)) == []


@pytest.mark.parametrize("text,lang", [
    ("Real Madrid beat Bayern Munich, while Inter Milan lost to Borussia Dortmund.", "en"),
    ("Paris Saint-Germain drew with Leicester City; Shakhtar Donetsk won in the Europa League.", "en"),
    ("The Dallas Cowboys and the Boston Celtics; the Toronto Blue Jays lost.", "en"),
    ("Der FC Bayern München gewann gegen Borussia Mönchengladbach, VfB Stuttgart verlor.", "de"),
    ("L'Olympique de Marseille a battu l'AS Monaco, le Paris SG mène.", "fr"),
    ("El Atlético de Madrid ganó al Sevilla FC.", "es"),
])
def test_sports_clubs_are_organisations(geoparser, text, lang):
    assert names(geoparser.parse(text, lang)) == []


def test_town_names_near_club_words_are_still_places(geoparser):
    text = "As Paris burned, crowds gathered in Davao City and Kansas City.\nUnion\nPretoria, 4. Juni."
    found = [name for _, name in names(geoparser.parse(text, "en"))]
    assert found == ["Paris", "Davao", "Kansas City", "Pretoria"]


def test_demonyms_from_other_languages_are_not_places(geoparser):
    """CLDR's Swahili name for Israel is "Israeli", countryinfo's "Thai" names Thailand."""
    r = geoparser.parse("Israeli and Pakistani officials met Thai and Swiss bankers in Columbia, Missouri.", "en")
    assert [m.place.name for m in r.mentions] == ["Columbia", "Missouri"]
    assert r.mentions[0].place.country_code == "US"


def test_a_neighbour_of_a_named_country_supports_a_place(geoparser):
    """Gaza beside Israel is the Palestinian city, not the Mozambican province of that name."""
    r = geoparser.parse("Israel closed its border with Gaza after rockets were fired from Gaza.", "en")
    assert {m.place.country_code for m in r.mentions if m.surface == "Gaza"} == {"PS"}
    r = geoparser.parse("Floods hit Gaza province in southern Mozambique.", "en")
    assert r.mentions[0].place.country_code == "MZ"


@pytest.mark.parametrize("text, lang, expected", [
    ("Houthi rebels hit a tanker in the Red Sea.", "en", "Red Sea"),
    ("Iran threatened to close Hormuz, Tehran said.", "en", "Strait of Hormuz"),
    ("Storms over the Atlantic delayed flights.", "en", "Atlantic Ocean"),
    ("Migranten ertranken im Mittelmeer.", "de", "Mediterranean Sea"),
    ("Snow fell in the Andes.", "en", "Andes"),
    ("Israel holds the Golan Heights.", "en", "Golan Heights"),
])
def test_seas_and_straits(geoparser, text, lang, expected):
    """Water bodies are places in news; a town named after one does not take its name."""
    m = next(m for m in geoparser.parse(text, lang).mentions if m.place.name == expected)
    assert m.place.kind == "region" and m.place.country_code is None


@pytest.mark.parametrize("text, lang, expected", [
    ("Fans in Barcelona and Rio de Janeiro celebrated.", "en", ["city", "city"]),
    ("Sie fuhren nach Salzburg.", "de", ["city"]),
    ("Flooding in Quebec and New York.", "en", ["admin1", "admin1"]),
    ("A ceasefire deal in Gaza is near.", "en", ["city"]),
])
def test_divisions_and_their_towns(geoparser, text, lang, expected):
    """A division known by its chief town is the town; a province bigger than its town stays."""
    assert [m.place.kind for m in geoparser.parse(text, lang).mentions] == expected


def test_a_dateline_and_a_country_name_do_not_make_a_famous_city_a_small_namesake(geoparser):
    text = "WASHINGTON (AP) — U.S. and Iranian negotiators will meet in Geneva and later in Milan, officials said."
    found = {m.surface: m.place.country_code for m in geoparser.parse(text, "en").mentions}
    assert found == {"WASHINGTON": "US", "U.S.": "US", "Geneva": "CH", "Milan": "IT"}


def test_towns_and_states_around_a_small_namesake_still_make_it_local(geoparser):
    text = "The mayor of Springfield, Illinois, met farmers from Geneva and Milan in Kane County."
    found = {m.surface: (m.place.country_code, m.place.admin1_code) for m in geoparser.parse(text, "en").mentions}
    assert found["Geneva"] == ("US", "IL") and found["Milan"] == ("US", "IL")
    text = "The Texas town of Paris held a parade; Tyler and Dallas joined."
    assert [m.place.admin1_code for m in geoparser.parse(text, "en").mentions if m.surface == "Paris"] == ["TX"]


@pytest.mark.parametrize("text, lang, expected", [
    ("Die Lage in Iran, Irak und Kuba bleibt angespannt.", "de", ["IR", "IQ", "CU"]),
    ("Im Iran und im Irak wird gewählt; Mali, Togo und Tschad auch.", "de", ["IR", "IQ", "ML", "TG", "TD"]),
    ("La situation en Irak, en Iran et à Cuba reste tendue.", "fr", ["IQ", "IR", "CU"]),
    ("La situación en Perú, Cuba, Irak e Irán sigue tensa.", "es", ["PE", "CU", "IQ", "IR"]),
])
def test_short_country_names_in_their_own_language(geoparser, text, lang, expected):
    # four letters and frequent words of the language, because they are its name of the country
    assert [m.place.country_code for m in geoparser.parse(text, lang).mentions] == expected


@pytest.mark.parametrize("text, lang, expected", [
    ("Im Gazastreifen, im Westjordanland und auf der Krim; Proteste in Katalonien und Kalifornien.", "de",
     ["Gaza Strip", "West Bank", "Crimea", "Catalonia", "California"]),
    ("En Cisjordanie, en Crimée, en Bavière, en Écosse et au pays de Galles.", "fr",
     ["West Bank", "Crimea", "Bavaria", "Scotland", "Wales"]),
    ("En Cisjordania, Cataluña, Chechenia, Escocia e Inglaterra.", "es",
     ["West Bank", "Catalonia", "Chechnya", "Scotland", "England"]),
    ("In der Toskana, in Sizilien und in Tschetschenien.", "de", ["Toscana", "Sicily", "Chechnya"]),
])
def test_divisions_by_the_names_news_use(geoparser, text, lang, expected):
    # exonyms from pycountry's catalogues and data/regions.json; English display names where
    # GeoNames has only the local one ("Avtonomna Respublika Krym", "Catalunya", "Bayern")
    assert [m.place.name for m in geoparser.parse(text, lang).mentions] == expected


@pytest.mark.parametrize("text, lang, expected", [
    ("La situación en México y Panamá sigue tensa.", "es", [("Mexico", "country"), ("Panama", "country")]),
    ("Reunión en Ginebra mañana.", "es", [("Geneva", "city")]),
    ("Gespräche in Genf und Mailand.", "de", [("Geneva", "city"), ("Milan", "city")]),
    ("Le Québec et la Bretagne.", "fr", [("Quebec", "admin1"), ("Brittany", "admin1")]),
    ("À la Réunion, le cyclone approche.", "fr", [("Reunion", "country")]),
    ("Réunion à Genève demain.", "fr", [("Geneva", "city")]),
])
def test_names_in_french_spanish_and_german_news(geoparser, text, lang, expected):
    assert [(m.place.name, m.place.kind) for m in geoparser.parse(text, lang).mentions] == expected


@pytest.mark.parametrize("text, lang, expected", [
    ("Gespräche in Venedig und Cherson.", "de", ["IT", "UA"]),
    ("Les négociations à Venise.", "fr", ["IT"]),
    ("Las negociaciones en Venecia y Florencia.", "es", ["IT", "IT"]),
    ("Three Philadelphia police officers were hurt.", "en", ["US"]),  # not Amman's ancient name
])
def test_exonyms_of_towns_named_for_their_division(geoparser, text, lang, expected):
    # Venice (51,000) is the seat of Venezia (800,000): its exonyms are names, not words
    assert [m.place.country_code for m in geoparser.parse(text, lang).mentions] == expected


def test_a_virus_named_after_a_town_is_no_pin_in_slovenia(geoparser):
    assert [m.place.country_code for m in geoparser.parse("The Marburg virus spread.", "en").mentions] == []


@pytest.mark.parametrize("text, lang, expected", [
    ("Kämpfe in der Ostukraine und in Nordsyrien; Regen in Süddeutschland.", "de", ["Ukraine", "Syria", "Germany"]),
    ("Die Grenze Nordisraels; Westfalen und Ostfriesland.", "de", ["Israel"]),  # no Dutch Friesland
    ("Negociaciones en Shanghái, Járkov y Saná.", "es", ["Shanghai", "Kharkiv", "Sanaa"]),
    ("Été comme hiver, l'État. Taïpei et Pékin.", "fr", ["Taipei", "Beijing"]),
])
def test_compass_compounds_and_accented_spellings(geoparser, text, lang, expected):
    assert [m.place.name for m in geoparser.parse(text, lang).mentions] == expected


@pytest.mark.parametrize("text, lang, expected", [
    ("Les Émirats arabes unis, la République tchèque et l'Arabie saoudite.", "fr",
     ["United Arab Emirates", "Czechia", "Saudi Arabia"]),
    ("Das Vereinigte Königreich und der Nahe Osten.", "de", ["United Kingdom", "Middle East"]),
    ("The New York state senate met.", "en", ["New York"]),
])
def test_names_with_lower_case_or_declined_words(geoparser, text, lang, expected):
    assert [m.place.name for m in geoparser.parse(text, lang).mentions] == expected


@pytest.mark.parametrize("text, expected", [
    ("Il neige à Québec.", ("Québec", "city")),
    ("Il neige au Québec.", ("Quebec", "admin1")),
    ("À Genève, les négociations reprennent.", ("Geneva", "city")),
])
def test_french_prepositions_tell_a_town_from_its_province(geoparser, text, expected):
    (m,) = geoparser.parse(text, "fr").mentions
    assert (m.place.name, m.place.kind) == expected


def test_a_list_of_countries_is_not_a_qualifier(geoparser):
    """"Mexico, China, Japan" is a list; "China" is not the town of that name in Japan."""
    r = geoparser.parse("Officials in Mexico, China, Japan and Brazil report cases.", "en")
    assert [(m.place.kind, m.place.country_code) for m in r.mentions] == [
        ("country", "MX"), ("country", "CN"), ("country", "JP"), ("country", "BR")]


def test_qualifiers_pick_the_right_place(geoparser):
    r = geoparser.parse("PARIS, Texas — The mayor of Paris said the storm passed.", "en")
    paris = [m for m in r.mentions if m.surface.lower() == "paris"]
    assert len(paris) == 2 and {m.place.country_code for m in paris} == {"US"}  # one sense per document
    assert paris[0].role == "dateline"
    r = geoparser.parse("Vive en Córdoba, en Argentina.", "es")
    assert r.mentions[0].place.country_code == "AR"


@pytest.mark.parametrize("text, lang, kind", [
    ("The cow came from a Washington state farm.", "en", "admin1"),
    ("It was found in the state of Washington.", "en", "admin1"),
    ("New York Governor Andrew Cuomo declared an emergency.", "en", "admin1"),
    ("Der Gouverneur des US-Bundesstaates Georgia unterschrieb.", "de", "admin1"),
    ("Officials in Washington said the talks would go on.", "en", "city"),
])
def test_words_around_a_name_pick_its_kind(geoparser, text, lang, kind):
    """"Washington state" is the state; plain "Washington" in politics stays the capital."""
    m = geoparser.parse(text, lang).mentions[-1]
    assert m.place.kind == kind and m.place.country_code == "US"


def test_mention_json_shape(geoparser):
    d = geoparser.parse("Proteste in Peking.", "de").to_dict()
    m = d["mentions"][0]
    assert set(m) == {"start", "end", "surface", "name", "geonameid", "lat", "lon", "country_code", "kind",
                      "role", "score", "alternatives"}
    assert m["geonameid"] == 1816670 and 0 < m["score"] <= 1
    assert d["focus"][0]["name"] == "Beijing"


@pytest.mark.parametrize("text", ["", "   \n\t", "\x00\x01\ufffd garbage", "北京是中国的首都", "no places here at all",
                                  "x" * 10_000_000])
def test_bad_input_gives_valid_output(geoparser, text):
    r = geoparser.parse(text)
    assert isinstance(r.mentions, tuple)
    assert r.to_dict()["mentions"] == [m.to_dict() for m in r.mentions]


def test_long_text_offsets(geoparser):
    text = "Peking und Berlin. " * 5000
    r = geoparser.parse(text, "de")
    assert len(r.mentions) == 10000
    assert all(text[m.start:m.end] == m.surface for m in r.mentions[-3:])


def test_text_must_be_str(geoparser):
    with pytest.raises(TypeError):
        geoparser.parse(b"bytes")  # type: ignore[arg-type]


def test_default_geoparser_is_shared():
    from dashboard.geoparse import default_geoparser, geoparse

    assert default_geoparser() is default_geoparser()
    assert geoparse("Kämpfe in Kasachstan.", "de").mentions[0].place.country_code == "KZ"
    assert isinstance(default_geoparser(), Geoparser)


def test_huge_text_is_cut_with_a_warning(geoparser, seed_text, caplog):
    text = seed_text * 2500  # 11 MB
    with caplog.at_level("WARNING", logger="dashboard.geoparse"):
        r = geoparser.parse(text)
    assert "only the first 2000000 are geoparsed" in caplog.text
    assert r.mentions and r.mentions[-1].end <= 2_000_000
    assert all(text[m.start:m.end] == m.surface for m in r.mentions[-5:])
