"""Recognition rules for the Romance languages (Spanish, Italian, French, Portuguese).

Why a module of its own: these rules read closed-class words of one language family
(articles, contracted prepositions, speech verbs, titles, sports words) around a name found
in the gazetteer, and the Germanic rules live elsewhere (:mod:`dashboard.recognize.germanic`);
the recogniser calls the few hooks below.  No place or person names: only grammar words.

What the rules decide (issue 11):

- A place after an article or a contracted preposition is no first name ("del Venezuela
  Hugo Chávez": Venezuela is the country, Hugo the first name).
"""

from __future__ import annotations

import re

from dashboard import cues
from dashboard.gazetteer.index import PlaceIndex
from dashboard.recognize.words import CLUB_PREFIXES

ROMANCE = frozenset({"es", "it", "fr", "pt"})
BIG_KINDS = frozenset({"country", "continent", "region"})

# Articles and contracted prepositions: a word after them is a noun, never a first name.
ARTICLE_OR_PREP = {
    "es": frozenset("el la los las del al de en desde hacia a".split()),
    "it": frozenset("il lo la l' i gli le del dello della dell' dei degli delle al allo alla all' nel nello nella "
                    "nell' nei negli nelle dal dallo dalla dall' dai dagli dalle sul sulla sull' sui sugli sulle ai agli alle "
                    "di a da in".split()),
    "fr": frozenset("le la l' les du des au aux de d' en à".split()),
    "pt": frozenset("o a os as do da dos das no na nos nas ao à de em".split()),
}


def place_article_before(low: list[str], i: int, lang: str | None) -> bool:
    """Is token ``i`` right after an article or a preposition of a Romance language?"""
    arts = ARTICLE_OR_PREP.get(lang or "")
    return arts is not None and i > 0 and low[i - 1] in arts


def stays_before_name(index: PlaceIndex, k: str, toks: list[tuple[int, int, str]], low: list[str], i: int,
                      lang: str | None) -> bool:
    """A country, region or capital named by one word after an article or preposition stays
    when a longer name starts right after it: "del Venezuela Hugo Chávez", "a Beirut Il
    coprifuoco" (the next words are a first name or the next sentence).  Smaller places give
    way as before: "à Brandon Lee", "al Portland San Antonio" are a person and a club.  Not a
    club's first word ("le Bayern Munich") nor a headline in capitals ("EN IBIZA Madrid")."""
    if not place_article_before(low, i, lang) or low[i] in CLUB_PREFIXES or toks[i][2].isupper():
        return False
    rows = index._rows  # noqa: SLF001 - hot path
    return any(rows[c][2] in BIG_KINDS or index.is_capital(c) for c in index.lookup(k))


# Languages whose news annotation (CoNLL-2002 Spanish, HAREM Portuguese) reads "<Head> de
# <Place>" under a capitalised head as one organisation's or event's name, with no place inside:
# "Junta de Andalucía", "Gobierno de EEUU", "Copa de Europa", "Câmara Municipal de Lisboa".
# Italian (KIND) and historical French (HIPE) mark the place ("Tribunale di [Milano]", "Journal
# de [Paris]"), modern French (WikiNEuRal) mostly does not: French and Italian keep the place,
# as the map does for an institution's town.  Measured with the rule on in all four languages
# (Dec 3): Italian KIND 0.719 -> 0.694, HIPE French 0.724 -> 0.714, WikiNEuRal French 0.759 ->
# 0.766 (eupeg F1): the loss outweighs the silver corpus's gain, so the split stays.
ORG_OF_LANGS = frozenset({"es", "pt"})
# Heads that make "<Head> de <Place>" a place of its own, besides :data:`cues.GEO_HEADS`
# ("Empire du Japon", "District de Kasaragod", "Colonie de Virginie").
PLACE_HEADS = frozenset("""
empire imperio império district colonie colonia territoire territorio território forêt selva bosque
floresta archipel archipiélago arquipélago vallée delta plaine llanura planície plateau meseta planalto
""".split())


def org_head(toks: list[tuple[int, int, str]], low: list[str], i: int, lang: str | None) -> int:
    """The head of the organisation's, event's or person's name whose tail is the place at
    token ``i`` ("Ayuntamiento de Sevilla", "Supercopa de España", "Festival de Cannes",
    "Grégoire de Tours"), else -1.  The head is a capitalised word that is no geographic word
    (:data:`cues.GEO_HEADS`: "provincia de Buenos Aires" is the place) nor an adverb ("Cerca de
    Lyon"); the caller checks that it does not open the sentence ("Salió de Madrid")."""
    if lang not in ORG_OF_LANGS:
        return -1
    h = cues.of_head(toks, low, i, lang)
    return h if h >= 0 and low[h] not in cues.OF_ADVERBS and low[h] not in PLACE_HEADS and not toks[h][2].isupper() else -1


# Sports words before "de <Place>": the place names a team ("la selección de Brasil", "el equipo
# de Luxemburgo", "la squadra di Roma", "l'équipe de France", "a seleção do Brasil").
TEAM_HEADS = frozenset("""
selección seleccion equipo conjunto once plantilla zaga delantera defensa afición hinchada
squadra nazionale formazione tifosi difesa attacco
équipe sélection formation
seleção selecção equipe time elenco torcida
""".split())
OF_PREPS = frozenset("de del di del della dello dell' d' da dal dalla du des do dos das".split())
# Titles and roles right before a surname, besides :data:`cues.TITLES` ("el magistrado
# Ballesteros", "il giudice Rossi", "le député Martin", "o juiz Moro").
TITLES = frozenset("""
magistrado magistrada juez jueza fiscal congresista senador senadora diputado diputada concejal concejala
consejero consejera ministra vicepresidente vicepresidenta gobernador gobernadora embajador embajadora
canciller candidato candidata dirigente cantante actor actriz escritor escritora ciclista tenista piloto
atleta torero matador novillero rejoneador centrocampista guardameta arquero seleccionador árbitro
obispo cardenal arzobispo sacerdote profesor profesora doctor doctora abogado abogada coronel teniente
capitán sargento comandante fray sor
allenatore attaccante centrocampista difensore portiere giocatore giocatrice tecnico cantante attore
attrice regista scrittore scrittrice deputato deputata senatore senatrice giudice procuratore magistrato
generale colonnello capitano vescovo cardinale arcivescovo professore professoressa dottore dottoressa
avvocato assessore consigliere governatore cancelliere segretario pilota ciclista tennista
député députée sénateur sénatrice juge procureur colonel capitaine évêque archevêque professeur docteur
acteur actrice chanteur chanteuse écrivain réalisateur réalisatrice joueur joueuse gardien défenseur
pilote cycliste chancelier secrétaire abbé
deputado deputada juiz juíza governador governadora treinador atacante jogador jogadora cantor cantora
ator atriz bispo cardeal doutor doutora
""".split())
# Verbs of speaking right before the speaker ('..., dijo Pérez', '«...», ha detto Rossi',
# '..., a déclaré Martin', '..., afirmou Silva').  A participle counts after its auxiliary.
SPEECH_BEFORE = frozenset("""
dijo afirmó declaró señaló explicó aseguró indicó manifestó añadió agregó precisó subrayó destacó
comentó reconoció insistió advirtió recordó sostuvo apuntó concluyó respondió admitió
dice afferma dichiara spiega aggiunge sottolinea commenta conclude
déclare explique ajoute estime précise affirme souligne poursuit conclut
disse afirmou declarou explicou acrescentou
""".split())
SPEECH_PARTICIPLES = frozenset("detto dichiarato spiegato aggiunto affermato sottolineato commentato déclaré dit "
                               "expliqué ajouté affirmé précisé souligné".split())
_AUXILIARIES = frozenset({"ha", "hanno", "a", "ont"})
_QUOTE_END = frozenset({",", '"', "»", "”", "'"})
# A town's name alone between quotation marks is a title or a nickname: a film, a song, a
# series, a player ('el álbum " Batman "', 'interprete di « Arnold »'); countries, regions and
# capitals stay ('« Italia » ha detto').
_OPEN_QUOTES = frozenset({'"', "«", "“", "„"})
_CLOSE_QUOTES = frozenset({'"', "»", "”", "“"})
# Words of a sports report: a town in brackets after a surname names the player's club only
# among them ("amonestación a Suárez (Toledo)", "Rossi (Udine) ha segnato"); elsewhere it is
# the town a deputy or a speaker comes from ("M. Schmid (Soleure) déclare", "Dan Burton
# (Indiana)"), a place.
SPORTS_CUES = frozenset("""
partido partidos jugador jugadores jornada liga gol goles árbitro arbitro arbitros árbitros amonestación
amonestaciones expulsión temporada entrenador campeonato sets set parciales puntos clasificación división
partita partite giocatore giocatori campionato allenatore ammonizione ammonito espulso squalifica giornata
match matchs joueur joueurs championnat entraîneur buts saison
jogo jogos partida jogador jogadores campeonato treinador golos rodada
""".split())
_CLUB_ARTICLES = cues.CLUB_ARTICLES["es"] | cues.CLUB_ARTICLES["it"]
_SPORTS_WINDOW = 120  # tokens before the bracket searched for a sports word
# Prepositions before an unknown town that make "Town (Province)" a place and its province
# ("en Barbacoas (Nariño)").
_LOCATIVE = frozenset("en de del desde hacia a in di da nel nella dal dalla à dans em no na do da".split())


def team_or_person(index: PlaceIndex, kinds: set[str], candidates: tuple[int, ...], key: str,
                   toks: list[tuple[int, int, str]], low: list[str], i: int, j: int, text: str,
                   prev_place_end: int) -> str:
    """Why the place at tokens ``i:j`` names a team or a person in Romance news, or "".

    - "team": a sports word before "de" ("la selección de Brasil"); a town in brackets after a
      player's name in a sports report ("Suárez (Toledo), Marín (Lleida)": not a dateline "Beasain
      (Guipúzcoa), 23 may", nor a town's province "en Yacuiba (Tarija)"); a club article before a
      division named after its big chief town ("el Puebla", "del Mérida": the club).
    - "person": a title before ("el magistrado Ballesteros") or a verb of speaking before
      ('..., dijo Pérez').
    - "title": a town's name alone between quotation marks (a work's title or a nickname).
    Countries and continents are left alone: "Brasil" after "ante" may be the team or the
    country, and the corpora disagree.
    """
    if kinds & {"country", "continent"}:
        return ""
    n = len(toks)
    if (j - i == 1 and i > 0 and j < n and toks[i - 1][2] in _OPEN_QUOTES and toks[j][2] in _CLOSE_QUOTES
            and not kinds & {"region", "admin1"} and not any(index.is_capital(c) for c in candidates)):
        return "title"
    if i >= 2 and low[i - 1] in OF_PREPS and low[i - 2] in TEAM_HEADS:
        return "team"
    if (i >= 2 and j < n and toks[i - 1][2] == "(" and toks[j][2] == ")" and toks[i - 2][2][:1].isupper()
            and toks[i - 2][2][:1].isalpha() and prev_place_end != i - 2 and not _dateline_bracket(toks, low, i, j, text)
            and not SPORTS_CUES.isdisjoint(low[max(0, i - _SPORTS_WINDOW):i])):
        return "team"
    if j - i == 1 and i > 0 and low[i - 1] in _CLUB_ARTICLES \
            and "admin1" in kinds and not kinds & {"region"} and not any(index.is_capital(c) for c in candidates) \
            and not (i >= 2 and low[i - 2] in cues.GEO_HEADS) and _named_after_big_town(index, candidates, key):
        return "team"
    if j - i == 1 and i > 0:
        prev = low[i - 1]
        if prev in TITLES:
            return "person"
        speech = prev in SPEECH_BEFORE or (prev in SPEECH_PARTICIPLES and i >= 2 and low[i - 2] in _AUXILIARIES)
        if speech and i >= 2 and (toks[i - 2][2] in _QUOTE_END or low[i - 2] in _AUXILIARIES):
            return "person"
    return ""


def _named_after_big_town(index: PlaceIndex, candidates: tuple[int, ...], key: str) -> bool:
    rows = index._rows  # noqa: SLF001 - hot path
    return any(rows[c][2] == "city" and rows[c][8] >= 100_000 and index.primary_key(c) == key for c in candidates)


def _dateline_bracket(toks: list[tuple[int, int, str]], low: list[str], i: int, j: int, text: str) -> bool:
    """"Beasain (Guipúzcoa), 23 may (EFE)", "Guadalupe (Cáceres) (EFE)", "EMPLEOS Aldehuela
    (Cáceres)", "en Barbacoas (Nariño)": the bracket names the province of a town."""
    n = len(toks)
    if j + 1 < n and (toks[j + 1][2] == "(" or (toks[j + 1][2] == "," and j + 2 < n and toks[j + 2][2][:1].isdigit())):
        return True
    w = i - 2  # the word before the bracket
    if w == 0 or low[w - 1] in _LOCATIVE or toks[w - 1][2].isupper() or toks[w - 1][2] in (".", ":", ";"):
        return True
    return "\n" in text[toks[w - 1][1]:toks[w][0]]


# Geographic words that belong to the name they introduce, per language, as the news corpora
# and gazetteers write them: Italian takes the administrative word too ("provincia di Ascoli
# Piceno", "comune di Lodi", "golfo di Napoli", "fiume Po" are one name in KIND's guidelines and
# on Italian maps); French only a natural feature's word ("île d'Oléron", "golfe du Lion": "la
# région de Lyon" stays outside).  Spanish news keeps even "río" outside ("el río [Ebro]";
# measured: counting it in lowered es F1).
HEADS_IN_NAME = {
    "it": "provincia comune regione distretto golfo isola isole fiume lago monte monti valle stretto canale penisola "
          "arcipelago",
    "fr": "île îles mer océan mont monts fleuve golfe lac détroit",
}
_APOS = "['’]"
_HEAD_OF = {
    "it": rf"(?:(?:di|del|della|dello|dei|degli|delle)\s+|(?:d|dell|degl){_APOS})?",
    "fr": rf"(?:(?:de\s+la|de|du|des)\s+|(?:de\s+l|d){_APOS})?",
}
_HEAD_RE = {lang: re.compile(rf"(?<![\w'’])((?:{'|'.join(heads.split())}))\s+{_HEAD_OF[lang]}$", re.IGNORECASE)
            for lang, heads in HEADS_IN_NAME.items()}
_HEAD_LOOKBACK = 40


def head_start(text: str, start: int, lang: str | None) -> int:
    """Where the name of the place starting at ``start`` begins once its geographic word is
    counted in (:data:`HEADS_IN_NAME`): the start of "provincia di" in "in provincia di Como",
    of "île" in "l'île d'Yeu"; ``start`` when no such word comes right before."""
    rx = _HEAD_RE.get(lang or "")
    if rx is None:
        return start
    m = rx.search(text, max(0, start - _HEAD_LOOKBACK), start)
    return m.start(1) if m else start


def title_case_abbrevs(toks: list[tuple[int, int, str]], low: list[str], abbrevs: dict[str, int],
                       lang: str | None) -> None:
    """Read a country's abbreviation written in title case after an article or preposition as
    the abbreviation: Italian papers write "negli Usa", "degli Usa" where others write "USA"
    (without the article "Usa" opening a sentence is the verb "uses").  Changes ``toks`` in
    place; the mention keeps the text's spelling."""
    if lang not in ARTICLE_OR_PREP:
        return
    for n, (s, e, t) in enumerate(toks):
        if 2 <= len(t) <= 4 and t[0].isupper() and t[1:].islower() and t.upper() in abbrevs \
                and place_article_before(low, n, lang):
            toks[n] = (s, e, t.upper())


# The verdict on a big city read as a surname: a person in this mention and, by the document's
# vote, in its other mentions too ("Whitney Houston ... la Houston"), big city or not.
SURNAME = "surname"
# A first name is a capitalised word that is no place and rare as a word of the language.
_FIRST_NAME_ZIPF = 2.5


def first_name_before(index: PlaceIndex, kinds: set[str], candidates: tuple[int, ...],
                      toks: list[tuple[int, int, str]], low: list[str], i: int, text: str, lang: str | None,
                      skip: frozenset[str]) -> bool:
    """Is the big city at token ``i`` a surname after a first name ("la cantante Whitney
    Houston", "il giocatore Dario Milano")?  Smaller towns are judged so already; a city of a
    million people kept its pin before any capitalised word.  Countries, regions, divisions and
    capitals are left alone ("Nuova Delhi" is no person).  ``skip``: words that are no first name
    (articles, prepositions, name prefixes)."""
    if lang not in ROMANCE or i == 0 or kinds & {"country", "continent", "region", "admin1"}:
        return False
    prev, w = toks[i - 1][2], low[i - 1]
    if not (prev[:1].isupper() and prev.isalpha() and not prev.isupper()) or toks[i][0] - toks[i - 1][1] != 1:
        return False
    if i >= 2 and toks[i - 2][2] in _SENTENCE_MARKS or i == 1 or "\n" in text[toks[i - 2][1]:toks[i - 1][0]]:
        return False  # the first word opens the sentence
    if w in skip or index.has_key(w) or index.word_zipf(w, lang) >= _FIRST_NAME_ZIPF:
        return False
    return not any(index.is_capital(c) for c in candidates)


_SENTENCE_MARKS = frozenset({".", "!", "?", ":", ";", '"', "«", "»", "“", "”", "(", "-", "–", "—"})
