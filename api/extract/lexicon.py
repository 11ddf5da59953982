"""French vocabularies the pipeline matches: generic words only, nothing taken from a corpus.

All patterns here are written for text passed through :func:`folded` (accents and apostrophe
variants folded, lower case, one character for one), so one pattern covers "déclaré",
"Déclaré" and "declare".
"""

from __future__ import annotations

import re

from api.text import fold_marks


def folded(text: str) -> str:
    """Accent-, apostrophe- and case-folded ``text`` with the same length (offsets survive)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in fold_marks(text))


MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
WEEKDAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}

# Verbs that introduce words someone said. Regular -er verbs are conjugated by rule; the
# others list their forms: (3rd person present singular/plural, imperfect, present
# participle, past participle).
_REGULAR_ER = [
    "aborder",
    "accuser",
    "affirmer",
    "ajouter",
    "annoncer",
    "assurer",
    "avancer",
    "aviser",
    "confier",
    "confirmer",
    "commenter",
    "critiquer",
    "declarer",
    "demander",
    "denoncer",
    "detailler",
    "estimer",
    "evoquer",
    "expliquer",
    "exprimer",
    "feliciter",
    "indigner",
    "inquieter",
    "alarmer",
    "insurger",
    "exhorter",
    "indiquer",
    "insister",
    "interpeller",
    "jurer",
    "juger",
    "lancer",
    "marteler",
    "mentionner",
    "menacer",
    "noter",
    "observer",
    "plaider",
    "poster",
    "publier",
    "preciser",
    "proclamer",
    "qualifier",
    "raconter",
    "rapporter",
    "rappeler",
    "rassurer",
    "reaffirmer",
    "reclamer",
    "regretter",
    "relever",
    "repeter",
    "reprocher",
    "resumer",
    "revendiquer",
    "reveler",
    "saluer",
    "signaler",
    "souligner",
    "souhaiter",
    "temoigner",
    "tweeter",
    "citer",
    "nier",
    "contester",
]
_STEM_CHANGES = {"rappel": "rappell"}  # il rappelle
_IRREGULAR = {
    "dire": ("dit", "disent", "disait", "disaient", "disant", "dit"),
    "ecrire": ("ecrit", "ecrivent", "ecrivait", "ecrivaient", "ecrivant", "ecrit"),
    "repondre": ("repond", "repondent", "repondait", "repondaient", "repondant", "repondu"),
    "avertir": ("avertit", "avertissent", "avertissait", "avertissaient", "avertissant", "averti"),
    "admettre": ("admet", "admettent", "admettait", "admettaient", "admettant", "admis"),
    "promettre": ("promet", "promettent", "promettait", "promettaient", "promettant", "promis"),
    "reconnaitre": (
        "reconnait",
        "reconnaissent",
        "reconnaissait",
        "reconnaissaient",
        "reconnaissant",
        "reconnu",
    ),
    "prevenir": ("previent", "previennent", "prevenait", "prevenaient", "prevenant", "prevenu"),
    "soutenir": ("soutient", "soutiennent", "soutenait", "soutenaient", "soutenant", "soutenu"),
    "defendre": ("defend", "defendent", "defendait", "defendaient", "defendant", "defendu"),
    "conclure": ("conclut", "concluent", "concluait", "concluaient", "concluant", "conclu"),
    "poursuivre": ("poursuit", "poursuivent", "poursuivait", "poursuivaient", "poursuivant", "poursuivi"),
    "dementir": ("dement", "dementent", "dementait", "dementaient", "dementant", "dementi"),
    "reagir": ("reagit", "reagissent", "reagissait", "reagissaient", "reagissant", "reagi"),
}
# Verbs whose object is a person, and what was said comes after "sur" ("a rassuré ses
# homologues sur l'assistance…").
PERSON_OBJECT_LEMMAS = frozenset(["rassurer", "avertir", "prevenir", "interpeller"])
# Verbs whose object can be a noun phrase that is itself reported speech
# ("a dénoncé les activités…", "a insisté sur l'importance…").
NOUN_OBJECT_LEMMAS = frozenset(
    [
        "aborder",
        "denoncer",
        "critiquer",
        "reaffirmer",
        "souligner",
        "insister",
        "mentionner",
        "annoncer",
        "evoquer",
        "citer",
        "defendre",
        "rappeler",
        "saluer",
        "reveler",
        # a promise, an admission, a denial, a judgement: "a promis un plan", "a reconnu des
        # retards", "a démenti toute irrégularité", "a qualifié l'exercice de « … »"
        "promettre",
        "reconnaitre",
        "nier",
        "dementir",
        "contester",
        "qualifier",
        "juger",
        "accuser",
        "confirmer",
        "reclamer",
        "regretter",
        *PERSON_OBJECT_LEMMAS,
    ]
)
# Verbs whose object is a judgement in quotation marks ("a qualifié X de « … »"): the
# reported clause may be mostly quoted words.
QUALIFYING_LEMMAS = frozenset(["qualifier", "juger", "accuser"])


def _er_forms(lemma: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Folding makes "annonçait" "annoncait" and "déclaré" "declare", so the rule is short.
    stem = lemma[:-2]
    strong = _STEM_CHANGES.get(stem, stem)
    soft = stem + "e" if stem.endswith("g") else stem  # jugeait, jugeant
    finite = (strong + "e", strong + "ent", soft + "ait", soft + "aient", soft + "ant", soft + "a")
    return finite, (stem + "e",)


def _build_forms() -> tuple[dict[str, str], dict[str, str]]:
    finite: dict[str, str] = {}
    participles: dict[str, str] = {}
    for lemma in _REGULAR_ER:
        forms, past = _er_forms(lemma)
        for form in forms:
            finite[form] = lemma
        for form in past:
            participles[form] = lemma
    for lemma, (sing, plur, imp, imp_pl, pres_part, past) in _IRREGULAR.items():
        for form in (sing, plur, imp, imp_pl, pres_part):
            finite[form] = lemma
        participles[past] = lemma
    return finite, participles


FINITE_FORMS, PAST_PARTICIPLES = _build_forms()

# "s'est félicité", "se sont inquiétés": reflexive verbs of speech take "être".
_AUX = r"(?:a|ont|avait|avaient|aurait|auraient|aura|s'est|se\s+sont|s'etait|s'etaient)"
_PRONOUN = r"(?:il|elle|ils|elles|on)"
# Up to three words between the auxiliary and the participle ("a en outre expliqué",
# "a une nouvelle fois souligné"), never "été" (a passive is not an attribution).
_GAP = (
    r"(?:(?!(?:ete|le|la|les|l|un|une|des|du|de|d|ce|cette|ces|sa|son|ses|leur|leurs)\b)"
    r"[^\W\d][\w']*\s+){0,3}?"
)
_PP = "|".join(sorted(PAST_PARTICIPLES, key=len, reverse=True))
_FIN = "|".join(sorted(FINITE_FORMS, key=len, reverse=True))
# A time adverbial between a verb and what it reports ("a reconnu lundi des retards").
TIME_ADVERBIAL = (
    r"(?:(?:hier|avant-hier|aujourd'hui|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"(?:ce|cette)\s+(?:matin|soir|semaine|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)|"
    r"dans\s+la\s+soiree|le\s+\d{1,2}(?:er)?\s+[a-z]+)(?:\s+(?:soir|matin|midi|apres-midi))?)"
)
SPEECH_VERB = re.compile(
    rf"\b(?:{_AUX}(?:-t-(?P<pro1>{_PRONOUN}))?\s+{_GAP}(?P<pp>{_PP})(?:e|s|es)?"
    rf"|(?P<fin>{_FIN})(?:-t)?-(?P<pro2>{_PRONOUN})"
    rf"|(?P<fin2>{_FIN}))\b"
)


# A passive attribution: "X a été annoncé (lundi) par Y" — X is what Y said.
PASSIVE_SPEECH = re.compile(
    rf"\b(?:a|ont|avait|avaient|aurait|auraient|sera|seront|est|sont)\s+ete\s+(?P<pp>{_PP})(?:e|s|es)?"
    rf"\s+(?:(?:{TIME_ADVERBIAL}|[\w']+)\s+){{0,5}}?par\s+"
)
# The impersonal passive: "il a (également) été annoncé que …" — nobody named.
IMPERSONAL_PASSIVE = re.compile(
    rf"\bil\s+(?:a|avait|aurait)\s+(?:(?:egalement|aussi|deja|en outre)\s+)?ete\s+(?:{_PP})\s+(?:que\s+|qu')"
)
# A commitment: "X s'engage (également) à …" — the clause starts at "à".
COMMITMENT = re.compile(
    r"\bs'(?:engage|engagent|engageait|engageaient|est\s+engagee?|sont\s+engagee?s)\s+"
    r"(?:(?:egalement|aussi|aussi|notamment|de\s+nouveau|a\s+nouveau)\s+)?(?=a\s)"
)


def speech_lemma(match: re.Match[str]) -> str:
    """The infinitive of the verb a :data:`SPEECH_VERB` match found."""
    if match.group("pp"):
        return PAST_PARTICIPLES[match.group("pp")]
    return FINITE_FORMS[match.group("fin") or match.group("fin2")]


# Nouns that describe one person ("le ministre", "la maire", "l'entraîneur"): a definite
# description headed by one points back to a person named earlier. Other heads ("la
# direction", "l'agence", "le gouvernement") describe a body the text may never name.
PERSON_ROLES = frozenset(
    [
        "ministre",
        "premier",
        "premiere",
        "president",
        "presidente",
        "maire",
        "depute",
        "deputee",
        "senateur",
        "senatrice",
        "secretaire",
        "porte-parole",
        "directeur",
        "directrice",
        "chef",
        "cheffe",
        "elu",
        "elue",
        "prefet",
        "prefete",
        "entraineur",
        "technicien",
        "technicienne",
        "avocat",
        "avocate",
        "procureur",
        "procureure",
        "juge",
        "chancelier",
        "chanceliere",
        "dirigeant",
        "dirigeante",
        "responsable",
        "patron",
        "patronne",
        "militant",
        "militante",
        "ambassadeur",
        "ambassadrice",
        "diplomate",
        "commissaire",
        "general",
        "generale",
        "colonel",
        "officier",
        "conseiller",
        "conseillere",
        "candidat",
        "candidate",
        "leader",
        "souverain",
        "roi",
        "reine",
        "pape",
        "recteur",
        "rectrice",
        "eveque",
        "adjoint",
        "adjointe",
        "syndicaliste",
        "homme",
        "femme",
        "chercheur",
        "chercheuse",
        "expert",
        "experte",
        "medecin",
        "professeur",
        "professeure",
        "capitaine",
        "joueur",
        "joueuse",
        "selectionneur",
        "president-directeur",
        "gouverneur",
        "gouverneure",
    ]
)

SUBJECT_PRONOUNS = frozenset({"il", "elle", "ils", "elles"})
# "il y a", "il faut", "il est"… are impersonal: the "il" names nobody.
IMPERSONAL_AFTER_IL = re.compile(
    r"\s+(?:y\b|faut\b|fallait\b|est\b|etait\b|semble\b|convient\b|existe\b|s'agit\b|"
    r"reste\b|apparait\b|parait\b|a\s+(?:\w+\s+){0,2}?ete\b|ne\b|n')"
)

# Words that end a reported clause: the author takes over again.
CLAUSE_END = re.compile(
    r"(?:[.!?;](?=\s|$)|\n|\s[-\u2013\u2014]\s|,\s+(?:dans un contexte|tandis que|alors que|"
    r"y compris|selon|a-t-(?:il|elle)|rapporte|estime-t-on|mais)\b|\s+(?:lors d[eu']|au cours d[eu'])"
    r"|\s*:(?=\s))"
    rf"|(?:,|\s+et)\s+(?:en\s+)?(?:{'|'.join(sorted(f for f in FINITE_FORMS if f.endswith('ant')))})\b"
    rf"|\s+et\s+(?:{'|'.join(sorted(f for f in FINITE_FORMS if not f.endswith('ant')))})\b"
)

# Event vocabulary: (event type, pattern on folded text), most specific first.
EVENT_TRIGGERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "agreement_signing",
        re.compile(r"\b(?:sign(?:e|es|ee|ees|ent|ait|aient|ant|er|era|ature)|paraphe\w*)\b"),
    ),
    ("missile_strike", re.compile(r"\b(?:frappes?|bombarde\w*|tirs? de missiles?|pilonn\w*)\b")),
    ("military_exercise", re.compile(r"\b(?:exercices?|manoeuvres|manœuvres)\b")),
    ("sanctions", re.compile(r"\bsanctions?\b")),
    ("summit", re.compile(r"\bsommet\b")),
    (
        "meeting",
        re.compile(r"\b(?:reunions?|rencontres?|rencontr(?:e|ee|ent|ait)|session|s'est entretenu\w*)\b"),
    ),
    ("deployment", re.compile(r"\b(?:deploi\w*|deploy\w*|stationne\w*)\b")),
    ("announcement", re.compile(r"\b(?:annonc(?:e|es|ee|ees|ent|ait|era|ant)|a annonce)\b")),
)

# Entity types that a speaker can have (places speak only by metonymy, which we do not guess).
SPEAKER_TYPES = frozenset({"person", "organization", "country"})
PARTICIPANT_TYPES = frozenset({"person", "organization", "country"})
