"""Word sets and tuning constants of the recognition rules (no logic).

Language cues that need code (results lines, titles, "of" heads) are in :mod:`dashboard.cues`.
"""

from __future__ import annotations

DE_ARTICLES = {"der", "die", "das", "dem", "den", "des", "ein", "eine", "einem", "einen", "einer", "eines",
               "im", "zum", "zur", "beim", "vom", "ins", "am", "kein", "keine", "dieser", "diese", "dieses",
               "jeder", "jede", "unser", "unsere", "sein", "seine", "ihr", "ihre"}
LOCATIVE = {"in", "at", "near", "from", "to", "of", "outside", "across", "into", "toward", "towards",
            "aus", "nach", "bei", "von", "nahe", "um", "en", "à", "au", "aux", "de", "près", "vers", "desde",
            "hacia", "cerca", "entre", "durch", "über", "gegen"}
ROMANCE_LANGS = {"fr", "es", "it", "pt"}
ROMANCE_ARTICLES = {"le", "la", "les", "l'", "au", "aux", "el", "los", "las", "al", "il", "lo"}  # not "du": "l'Allemagne du Sud"
# Capitalised heads of organisations and titles that take "of <place>".
ORG_HEADS = {"bank", "university", "college", "institute", "museum", "duke", "duchess", "earl", "prince",
             "princess", "king", "queen", "archbishop", "bishop", "church", "school", "academy", "diocese",
             "count", "countess", "baron", "lord", "lady", "marquess", "viscount", "siege", "battle", "treaty",
             "universität", "université", "universidad", "banco", "banque"}
# Capitalised words that, right after a place name, make it part of an organisation's name.
ORG_TAILS = {"university", "fc", "united", "times", "post", "tribune", "herald", "journal", "gazette",
             "observer", "telegraph", "chronicle", "standard", "examiner", "courier", "daily", "news",
             "inquirer", "sentinel", "register", "bulletin", "democrat", "dispatch", "record", "star",
             "review", "magazine", "radio", "tv", "airlines", "airways", "stock", "exchange",
             "organisation", "organization", "zeitung", "rundschau", "allgemeine", "morgenpost",
             "express", "mirror", "guardian", "capitals", "rangers", "yankees", "giants", "lakers", "bulls",
             "raiders", "saints", "club", "corporation", "corp", "inc", "ltd", "gmbh", "ag", "bancorp"}
# Sports clubs are organisations named after places: their town is no map pin ("Real Madrid", "Inter
# Milan", "Borussia Dortmund", "Dallas Cowboys").  Words that open a club's name right before the town:
CLUB_PREFIXES = {"real", "atlético", "atletico", "athletic", "inter", "borussia", "bayern", "bayer", "eintracht",
                 "fortuna", "werder", "hertha", "arminia", "holstein", "union", "dynamo", "dinamo", "spartak",
                 "lokomotiv", "zenit", "shakhtar", "zorya", "olympique", "olympiacos", "panathinaikos", "sporting",
                 "racing", "stade", "rapid", "partizan", "hapoel", "maccabi", "beitar", "legia", "slavia", "sparta",
                 "feyenoord", "ajax", "hellas", "celta", "deportivo", "vitória", "vitoria", "girondins", "standard"}
# Club abbreviations, only as written ("AS Roma", "FC Porto", "VfB Stuttgart"; "As Paris burned" is no club).
CLUB_CODES = {"BM", "CB", "CP", "AC", "AS", "FC", "SC", "SV", "SS", "SSC", "RB", "CF", "CD", "UD", "RC", "SD", "OGC", "LOSC", "PSV",
              "CSKA", "VfB", "VfL", "TSG", "SL", "SK", "FK", "NK", "KV", "KRC", "AZ", "BSC", "HSV", "OSC"}
# ... and, before a full stop, abbreviated club words ("At. Madrid" for Atlético, "FC. Barcelona").
DOTTED_CLUB_CODES = CLUB_CODES | {"At", "Ath", "Dep"}
# Words that close a club's (or league's) name right after the town, besides ORG_TAILS ("Tottenham
# Hotspur", "Leeds United", "Boston Celtics", "Europa League").  Team nicknames that are also weather or everyday words (Heat, Magic,
# Thunder, Lightning, Senators after "US") are left out.
CLUB_TAILS = {"league", "hotspur", "wanderers", "rovers", "albion", "argyle", "alexandra", "orient", "villa", "sg", "cfc",
              "hsc", "calcio", "cowboys", "patriots", "eagles", "steelers", "packers", "49ers", "chiefs", "broncos",
              "seahawks", "ravens", "bengals", "browns", "texans", "colts", "jaguars", "titans", "dolphins", "bills",
              "jets", "chargers", "rams", "cardinals", "falcons", "panthers", "buccaneers", "bears", "lions",
              "vikings", "commanders", "knicks", "nets", "celtics", "76ers", "raptors", "warriors", "clippers",
              "suns", "mavericks", "rockets", "spurs", "grizzlies", "pelicans", "nuggets", "timberwolves",
              "blazers", "jazz", "pistons", "cavaliers", "pacers", "bucks", "hawks", "hornets", "wizards", "sox",
              "mets", "dodgers", "cubs", "astros", "braves", "phillies", "padres", "mariners", "orioles", "twins",
              "tigers", "royals", "brewers", "reds", "pirates", "marlins", "rockies", "diamondbacks",
              "blue", "maple", "canadiens", "bruins", "blackhawks", "penguins", "flyers", "oilers", "flames",
              "canucks", "islanders", "sabres", "predators", "stars", "kraken", "ducks", "sharks", "blues"}
# ORG_TAILS that name teams ("Rangers de New York", "Giants de San Francisco").
SPORTS_ORG_TAILS = frozenset({"capitals", "rangers", "yankees", "giants", "lakers", "bulls", "raiders", "saints"})
# "<town> City/Town" is a club for these English towns only ("Leicester City"; "Davao City" is the city).
CLUB_CITY_TOWNS = {"manchester", "leicester", "stoke", "norwich", "hull", "cardiff", "swansea", "bristol",
                   "coventry", "birmingham", "bradford", "exeter", "lincoln", "ipswich", "luton", "huddersfield",
                   "grimsby", "macclesfield", "mansfield", "shrewsbury", "northampton", "swindon", "cheltenham"}
# Words around a town that may make it a club's (a cheap test before the full one in _club).
CLUB_BEFORE = CLUB_PREFIXES | {c.casefold() for c in CLUB_CODES} | {"de", "di", "paris", "."}
CLUB_AFTER = CLUB_TAILS | {c.casefold() for c in CLUB_CODES} | {"city", "town", "saint", "sg"}
PERSON_TITLES = {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "sgt", "lt", "col", "gen", "capt", "det",
                 "officer", "judge", "president", "senator", "governor", "mayor", "minister", "pastor",
                 "rev", "coach", "herr", "frau", "präsident", "präsidentin", "kanzler", "kanzlerin", "m",
                 "mme", "monsieur", "madame", "président", "sr", "sra", "señor", "señora", "presidente"}
SPEECH_VERBS = {"said", "says", "told", "added", "asked", "explained", "wrote", "noted", "stated",
                "sagte", "erklärte", "dit", "déclaré", "dijo", "afirmó"}
# Capitalised words that may stand right before a place name without making it a person's name.
NAME_PREFIXES = {"north", "south", "east", "west", "central", "northern", "southern", "eastern", "western",
                 "greater", "downtown", "upstate", "metro", "new", "old", "lower", "upper", "in", "at",
                 "from", "near", "to", "of", "and", "or", "the", "a", "an", "for", "by", "on", "with"}
# Places named by an everyday noun, known as places only after an article or preposition:
# French/Spanish "réunion"/"reunión" is a meeting, the island is "la Réunion".
NEEDS_ARTICLE = {k: frozenset({"la", "l'", "à", "de", "en", "sur", "aux", "île", "isla", "of", "on", "in", "to",
                                "from", "the"}) for k in ("réunion", "reunión")}
# Months and weekdays are capitalised in English and name towns ("August", "March").
CALENDAR = set(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday "
    "januar februar märz mai juni juli oktober dezember montag dienstag mittwoch donnerstag freitag "
    "samstag sonntag janvier février mars avril juin juillet août septembre octobre novembre décembre "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
)
DE_LANG = "de"
# German prefixes that make a part of a place out of its name ("Ostukraine"), longest first;
# _match_at reports such a match with this value in its genitive slot.
COMPOUND = 2
COMPASS_DE = ("nordost", "nordwest", "südost", "südwest", "nord", "süd", "ost", "west", "zentral", "mittel")
# How much more frequent a name is as a word than its population explains (see _wordness).
WORD_AT_START = 0.5
WORD_MID = 1.0
WORD_IN_NAME = 0.3
DE_WORD = 1.0
# Languages whose own names for a country are told from other languages' ("Island" is Iceland
# in German text only).
FOREIGN_CHECK_LANGS = frozenset({"en", "de", "fr", "es", "it", "pt", "nl"})
# A big place's alternate name (not its own) this much more frequent as a word than the place's
# size explains is the word: German "Dabei" (Dubai), Dutch "Vele" (Belém), French "Seul" (Seoul).
BIG_ALT_WORD = 1.0
# Towns abroad smaller than this need support from another name in their country (see
# Recognizer._drop_unsupported_abroad).
ABROAD_POP = 100_000
LIST_WORDS = frozenset({",", "und", "oder", "and", "or", "et", "ou", "y", "e", "o", "en", "of"})
# Extra wordness allowed after "in", "of", "from"...: "in Columbia" is the town. Dev halves: 0-1.
LOCATIVE_CREDIT = 0.25
# A town is more frequent in its own language ("Lyon" in French, "Stuttgart" in German): this much
# Zipf credit, outside English (whose towns are often named with English words). SoNAR: 0-0.75.
HOME_BONUS = 0.5
# A capitalised word glued after a town name and rarer than this is a surname ("Elon Musk").
# Dev halves: 3.0-4.0 all within 0.001 F1.
SURNAME_ZIPF = 3.6
# Zipf of a language's commonest words (en "which", "from"; fi "jos"): never a town, however big.
FUNCTION_WORD = 6.0
# Below this population, a town named with everyday words needs a locative ("White House
# officials"). Dev halves: 0, 20k, 50k, 100k.
COMMON_WORDS_POP = 20_000
PERSON = "person"  # a strong person cue: a title before, a rare proper name glued after
PERSON_WEAK = "person?"  # a capitalised word before, a speech verb after
