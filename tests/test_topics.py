"""Topic tagging: shipped rules, languages, categories, user rules files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.errors import TopicRulesError
from dashboard.models import TopicScore
from dashboard.topics import SOURCE_PREFIX, Tagger, default_tagger, tag
from dashboard.topics_rules import default_rules_path, load_rules

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_2959add6671d93e8.txt"

IPTC_TOP = {
    "arts-culture",
    "conflict-war-peace",
    "crime-law",
    "disaster-accident",
    "economy-business",
    "education",
    "environment",
    "health",
    "human-interest",
    "labour",
    "lifestyle-leisure",
    "politics",
    "religion",
    "science-technology",
    "society",
    "sport",
    "weather",
}


def top(text: str, lang: str | None = None) -> str | None:
    result = tag(text, lang=lang)
    return result[0].topic if result else None


def test_shipped_taxonomy_is_iptc_top_level_with_four_languages() -> None:
    rules = load_rules(default_rules_path())
    assert {t.id for t in rules.topics} == IPTC_TOP
    for t in rules.topics:
        assert set(t.names) >= {"en", "de", "fr", "es"}
        assert t.iptc.startswith("medtop:")
        assert {"en", "de", "fr", "es"} <= set(t.keywords)


def test_seed_article_is_politics_and_conflict_not_sport() -> None:
    result = tag(SEED.read_text(encoding="utf-8"))
    ids = [t.topic for t in result]
    assert set(ids[:2]) == {"politics", "conflict-war-peace"}
    assert "sport" not in ids
    assert all(isinstance(t, TopicScore) and 0 < t.score <= 1 for t in result)
    assert [t.score for t in result] == sorted((t.score for t in result), reverse=True)


def test_evidence_names_the_words() -> None:
    (first, *_) = tag("Nach dem schweren Erdbeben stieg die Zahl der Todesopfer.", lang="de")
    assert first.topic == "disaster-accident"
    assert "erdbeben" in first.evidence


# ~20 short modern German and French news sentences written for these tests
GERMAN = [
    ("Die Waffenruhe im Gazastreifen ist nach drei Tagen gebrochen worden.", "conflict-war-peace"),
    ("Die Zahl der Opfer des Erdbebens in Marokko ist auf über 2000 gestiegen.", "disaster-accident"),
    ("Bei den Wahlen in Thüringen wurde die AfD stärkste Kraft.", "politics"),
    ("Der Bundestag hat den Haushalt für das kommende Jahr beschlossen.", "politics"),
    ("Die Polizei hat nach dem Messerangriff einen Tatverdächtigen festgenommen.", "crime-law"),
    ("Das Landgericht verurteilte den Angeklagten wegen Betrugs zu vier Jahren Haft.", "crime-law"),
    ("Bayern München gewann das Spitzenspiel gegen Dortmund mit 3:1.", "sport"),
    (
        "Die Europäische Zentralbank hat den Leitzins erneut angehoben, um die Inflation zu bremsen.",
        "economy-business",
    ),
    ("Die Gewerkschaft Verdi ruft die Beschäftigten im Nahverkehr zum Warnstreik auf.", "labour"),
    ("Nach dem Hochwasser an der Ahr werden noch immer Menschen vermisst.", "disaster-accident"),
    ("Forscher haben mit dem Teleskop einen neuen Exoplaneten entdeckt.", "science-technology"),
    ("Die Klimaschutzziele verlangen, dass die Emissionen bis 2030 deutlich sinken.", "environment"),
]
FRENCH = [
    ("Le cessez-le-feu entre les deux armées a été rompu par des frappes de drones.", "conflict-war-peace"),
    ("Le séisme de magnitude 6,8 a fait plus de 2 000 morts au Maroc.", "disaster-accident"),
    (
        "Le Premier ministre a démissionné après le vote d'une motion de censure à l'Assemblée nationale.",
        "politics",
    ),
    (
        "Le suspect a été mis en examen et placé en détention provisoire par le juge d'instruction.",
        "crime-law",
    ),
    ("Le Paris Saint-Germain a remporté le championnat après sa victoire 2-0 contre Lyon.", "sport"),
    ("La Banque centrale européenne relève ses taux directeurs face à l'inflation.", "economy-business"),
    ("Les syndicats appellent à une grève contre la réforme des retraites.", "labour"),
    ("L'épidémie de rougeole progresse et les hôpitaux appellent à la vaccination.", "health"),
]
SPANISH = [
    ("El Real Madrid ganó la final de la Liga de Campeones con un gol en el minuto 90.", "sport"),
    ("El terremoto de magnitud 7 dejó decenas de muertos y miles de damnificados.", "disaster-accident"),
    ("El Congreso aprobó la ley tras una votación ajustada entre el Gobierno y la oposición.", "politics"),
]


@pytest.mark.parametrize(("text", "expected"), GERMAN)
def test_german_with_compounds_and_inflection(text: str, expected: str) -> None:
    assert expected in [t.topic for t in tag(text, lang="de")[:2]], tag(text, lang="de")


@pytest.mark.parametrize(("text", "expected"), FRENCH)
def test_french(text: str, expected: str) -> None:
    assert expected in [t.topic for t in tag(text, lang="fr")[:2]], tag(text, lang="fr")


@pytest.mark.parametrize(("text", "expected"), SPANISH)
def test_spanish(text: str, expected: str) -> None:
    assert top(text, "es") == expected


def test_german_words_are_matched_inside_compounds() -> None:
    tagger = default_tagger()
    for text, topic, word in [
        ("Die Gaza-Waffenruhe hält.", "conflict-war-peace", "waffenruhe"),
        ("Die Erdbebenopfer warten auf Hilfe.", "disaster-accident", "erdbebenopfer"),
        ("Die Landtagswahlen finden im September statt.", "politics", "landtagswahlen"),
    ]:
        result = {t.topic: t for t in tagger.tag(text, lang="de")}
        assert topic in result and word in result[topic].evidence


def test_more_specific_pattern_switches_off_false_friends() -> None:
    # "Auswahl" (selection) is not an election, "Beispiel" (example) is not a game
    assert "politics" not in [t.topic for t in tag("Eine große Auswahl, zum Beispiel Äpfel.", lang="de")]
    assert "sport" not in [t.topic for t in tag("Eine große Auswahl, zum Beispiel Äpfel.", lang="de")]


def test_language_is_guessed_when_not_given() -> None:
    tagger = default_tagger()
    assert tagger.language("Die Regierung und der Bundestag haben das Gesetz beschlossen.") == "de"
    assert tagger.language("Le gouvernement et les syndicats ont signé un accord.") == "fr"
    assert top("Die Waffenruhe wurde von der Armee gebrochen.") == "conflict-war-peace"


def test_source_categories_map_or_are_kept_as_tags() -> None:
    result = tag("Short note.", categories=["Sports", "Gaza war"])
    assert result[0].topic == "sport"
    assert result[0].evidence == ("category: Sports",)
    assert result[-1] == TopicScore(SOURCE_PREFIX + "Gaza war", 1.0, ("category",))
    assert tag("", categories=["Wirtschaft"])[0].topic == "economy-business"
    assert tag("", categories=["Arts & Culture"])[0].topic == "arts-culture"


def test_empty_and_neutral_texts_get_no_topic() -> None:
    assert tag("") == ()
    assert tag("He said on Tuesday that it looked fine to him.") == ()


def test_title_counts() -> None:
    with_title = tag("He spoke on Tuesday.", title="Election results")
    assert with_title and with_title[0].topic == "politics"


def test_phrase_replaces_its_words() -> None:
    (pol,) = [t for t in tag("The prime minister spoke.", lang="en") if t.topic == "politics"]
    assert "prime minister" in pol.evidence and "minister" not in pol.evidence


USER_RULES = """
[topics.belt-and-road]
names = { en = "Belt and Road", de = "Neue Seidenstraße" }
categories = ["BRI"]

[topics.belt-and-road.en]
"belt and road" = 4
"silk road" = 2

[topics.belt-and-road.de]
"*seidenstraße*" = 3

[topics.uyghurs.any]
"uyghur*" = 3
"uigur*" = 3
"*uiguren*" = 3
"""


def test_user_rules_extend_the_shipped_ones(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(USER_RULES, encoding="utf-8")
    tagger = Tagger.from_files([path])
    text = "Xi wirbt in Samarkand für die Neue Seidenstraße; Kritiker verweisen auf die Lager für Uiguren."
    ids = [t.topic for t in tagger.tag(text, lang="de")]
    assert {"belt-and-road", "uyghurs"} <= set(ids)
    assert [t.topic for t in tagger.tag("The Belt and Road summit opened.", lang="en")][0] == "belt-and-road"
    assert tagger.name("belt-and-road", "de") == "Neue Seidenstraße"
    assert tagger.name("uyghurs", "fr") == "uyghurs"
    assert tagger.tag("x", categories=["BRI"])[0].topic == "belt-and-road"


def test_user_rules_can_replace_the_shipped_ones(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(USER_RULES, encoding="utf-8")
    tagger = Tagger.from_files([path], mode="replace")
    assert {t.id for t in tagger.topics} == {"belt-and-road", "uyghurs"}
    path.write_text('[meta]\nmode = "replace"\n' + USER_RULES, encoding="utf-8")
    assert len(Tagger.from_files([path]).topics) == 2


def test_user_rules_override_a_shipped_weight(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[topics.sport.en]\n"football" = 0\n"soccer" = 0\n', encoding="utf-8")
    tagger = Tagger.from_files([path])
    assert "sport" not in [t.topic for t in tagger.tag("football soccer", lang="en")]
    assert len(tagger.topics) == 17


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (
            '[topics.x]\nnames = { en = "X" }\n\n[topics.x.en]\n"ok" = 1\n"bad" = "heavy"\n',
            6,
            "must be a number",
        ),
        ('[topics.x.en]\n"ok" = 1\n"a*b" = 2\n', 3, "only have *"),
        ('[topics.x.en]\n"ok" = 1\n"*prime minister" = 2\n', 3, "phrase"),
        ('[topics.x.en]\n"ok" = 1\n"ok" = 2\n', 3, "not valid TOML"),
        ('[topics.x]\nnames = ["X"]\n', 2, "names"),
        ("[topics.X]\n", 1, "topic id"),
        ('[meta]\nmode = "merge"\n[topics.x.en]\n"a" = 1\n', 2, "meta.mode"),
        ('[topics.x.en]\n"a" = 99\n', 2, "between"),
        ("[stuff]\na = 1\n", 1, "unknown table"),
    ],
)
def test_bad_rules_file_names_file_and_line(tmp_path: Path, content: str, line: int, words: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TopicRulesError) as err:
        Tagger.from_files([path])
    assert str(err.value).startswith(f"{path}, line {line}: ")
    assert words in str(err.value)
    assert isinstance(err.value, ValueError)


def test_missing_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TopicRulesError, match="cannot read"):
        Tagger.from_files([tmp_path / "nope.toml"])


def test_tagging_is_deterministic_and_cache_does_not_change_results() -> None:
    text = SEED.read_text(encoding="utf-8")
    fresh = Tagger.from_files(())
    assert fresh.tag(text) == fresh.tag(text) == default_tagger().tag(text)


# General domain vocabulary (written for these tests, not taken from any corpus)
CONCEPTS = [
    ("en", "A bronze statue of the poet was unveiled outside the museum.", "arts-culture"),
    ("en", "The comedy won best series at the awards ceremony.", "arts-culture"),
    ("en", "Shares fell on the stock exchange after the chief executive officer quit.", "economy-business"),
    ("en", "Physicists report the result in a study published in the journal Nature.", "science-technology"),
    (
        "en",
        "Commanders of the Islamic Revolutionary Guard Corps held a military parade.",
        "conflict-war-peace",
    ),
    ("de", "Im Museum wird eine Skulptur des Bildhauers gezeigt, dazu ein neues Denkmal.", "arts-culture"),
    (
        "de",
        "Das Bruttoinlandsprodukt wuchs, der Aktienkurs des Konzerns stieg an der Börse.",
        "economy-business",
    ),
    ("de", "Die Revolutionsgarde hat ein Manöver mit Raketen begonnen.", "conflict-war-peace"),
    ("fr", "Une statue du sculpteur est exposée au musée après la biennale.", "arts-culture"),
    ("fr", "Le produit intérieur brut recule et la capitalisation boursière chute.", "economy-business"),
    (
        "fr",
        "Des physiciens décrivent le résultat dans une étude publiée dans la revue Science.",
        "science-technology",
    ),
    ("es", "La estatua y la escultura del museo se muestran en la bienal.", "arts-culture"),
    ("es", "El producto interior bruto creció y la bolsa de valores subió.", "economy-business"),
    ("es", "La agencia espacial lanzó una misión lunar; los científicos celebran.", "science-technology"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CONCEPTS)
def test_general_domain_concepts(lang: str, text: str, expected: str) -> None:
    assert top(text, lang) == expected, tag(text, lang=lang)


def test_religious_word_inside_a_military_name_is_not_religion() -> None:
    ids = [t.topic for t in tag("The Islamic Revolutionary Guard Corps seized a ship.", lang="en")]
    assert "religion" not in ids[:1]


PHRASE_RULES = """
[topics.bri.en]
"belt and road" = 4
"silk road*" = 3
"road" = 1
"""


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The Belt and Road plan.", True),
        ("the belt-and-road plan", True),  # hyphens separate words
        ("belt,\n and   road", True),  # any non-word characters between the words
        ("The Beltway and road works.", False),  # whole words only
        ("A seatbelt and road safety.", False),  # the phrase may not start inside a word
        ("The belt and roads.", False),  # last word exact unless the pattern ends in *
    ],
)
def test_phrase_matching_rules(text: str, found: bool) -> None:
    from dashboard.topics_rules import parse_rules

    result = Tagger(parse_rules(PHRASE_RULES), min_raw=0.5).tag(text, lang="en")
    evidence = result[0].evidence if result else ()
    assert ("belt and road" in evidence) is found, result


def test_phrase_counts_and_trailing_star() -> None:
    from dashboard.topics_rules import parse_rules

    tagger = Tagger(parse_rules(PHRASE_RULES), min_raw=0.5)
    (one,) = tagger.tag("Silk Roads of old.", lang="en")
    assert one.evidence == ("silk road",)  # the phrase replaces its word "road"
    (two,) = tagger.tag("Silk Roads of old. The silk road today. belt and road", lang="en")
    assert two.score > one.score
    assert set(two.evidence) == {"silk road", "belt and road"}


# Diplomacy, trade, culture and science vocabulary in all four languages (sentences written for these tests)
VOCABULARY = [
    ("en", "The country expelled the chargé d'affaires and declared him persona non grata.", "politics"),
    ("de", "Das Parlament will den Vertrag ratifizieren; der Geschäftsträger wurde einbestellt.", "politics"),
    ("fr", "Le chargé d'affaires a été déclaré persona non grata avant la ratification.", "politics"),
    (
        "es",
        "El encargado de negocios fue declarado persona non grata; el Senado ratificará el acuerdo.",
        "politics",
    ),
    (
        "en",
        "Crude rose to 80 dollars a barrel as refiners cut output and wheat exporters raised prices.",
        "economy-business",
    ),
    (
        "de",
        "Der Rohölpreis stieg, die Raffinerie drosselte die Produktion, Weizen wurde teurer.",
        "economy-business",
    ),
    (
        "fr",
        "Le baril de pétrole brut grimpe et les raffineries réduisent leur production.",
        "economy-business",
    ),
    (
        "es",
        "El barril de crudo sube y las refinerías recortan la producción; el trigo se encarece.",
        "economy-business",
    ),
    ("en", "The philharmonic premiered a new symphony; the curator opened the gallery.", "arts-culture"),
    (
        "fr",
        "L'orchestre philharmonique joue une symphonie; le scénariste présente son film au cinéma.",
        "arts-culture",
    ),
    (
        "en",
        "A solar flare erupted from a sunspot, and mathematicians won the Fields Medal.",
        "science-technology",
    ),
    (
        "es",
        "Una llamarada solar surgió de una mancha solar; los matemáticos recibieron la medalla Fields.",
        "science-technology",
    ),
]


@pytest.mark.parametrize(("lang", "text", "expected"), VOCABULARY)
def test_diplomacy_trade_culture_science_vocabulary(lang: str, text: str, expected: str) -> None:
    assert top(text, lang) == expected, tag(text, lang=lang)


def test_results_do_not_depend_on_what_the_caches_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tagging caches what each whitespace piece says; emptying or half-filling them changes nothing."""
    import dashboard.topics as topics

    texts = [
        ("en", "The prime minister resigned after the election; the Prime-Minister's party lost.", "Vote"),
        ("en", "Drone strikes killed civilians, the death toll rose after the drone strike.", ""),
        ("de", "Nach dem schweren Erdbeben stieg die Zahl der Todesopfer, das Erdbeben war stark.", ""),
        ("fr", "Le cessez-le-feu a été rompu; le Premier ministre appelle au cessez-le-feu.", "Gaza"),
        (None, SEED.read_text(encoding="utf-8"), "Waffenruhe"),
        ("en", "x", ""),
        ("en", "", ""),
    ]
    rules = load_rules(default_rules_path())
    expected = [Tagger(rules).tag(text, lang=lang, title=title) for lang, text, title in texts]
    monkeypatch.setattr(topics, "_CACHE_LIMIT", 5)  # emptied between almost every two articles
    small = Tagger(rules)
    assert [small.tag(text, lang=lang, title=title) for lang, text, title in texts * 2] == expected * 2
    monkeypatch.undo()
    warm = Tagger(rules)
    assert [warm.tag(text, lang=lang, title=title) for lang, text, title in texts * 2] == expected * 2
    # a piece looked up but never analysed (an interrupted call) is analysed by the next one
    matcher = warm._matchers["en"]
    matcher.pieces["minister"] = topics._NEW
    assert warm.tag(texts[0][1], lang="en", title="Vote") == expected[0]
    assert matcher.pieces["minister"] is not topics._NEW


def test_phrases_are_searched_for_when_their_words_are_in_the_text_not_the_title() -> None:
    # "islamic" is in the text only inside "aa_islamic" (which the phrase regex would accept)
    text = "aa_islamic state and state fighters"
    assert tag(text, lang="en", title="Islamic") == tag(text, lang="en")
