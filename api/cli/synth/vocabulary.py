"""The words and names synthetic articles are made of, French with English spellings of names.

Lists are written as one string each (one item per word, or per separator) so the vocabulary
reads as a vocabulary. No word shares its stem with a search term of ``api.cli.synth.SEARCH_TERMS``
except the term itself.
"""

from __future__ import annotations


def _items(text: str, separator: str | None = None) -> list[str]:
    """A word list written as one string: one item per word, or per ``separator``."""
    return text.split(separator)


def _pairs(text: str, separator: str = "/") -> list[tuple[str, str]]:
    """``a/b c/d`` → ``[(a, b), (c, d)]``; an item without the separator is its own pair."""
    return [(left, right or left) for left, _, right in (item.partition(separator) for item in text.split())]


# --- words ------------------------------------------------------------------------------------
# Nouns by decreasing frequency (Zipf-Mandelbrot, NOUN_ZIPF) with their gender; the last one is
# api.cli.synth.SEARCH_TERMS["medium"].
NOUNS = _pairs(
    "sécurité:f gouvernement:m pays:m guerre:f accord:m armée:f défense:f pouvoir:m région:f "
    "alliance:f territoire:m politique:f situation:f conflit:m coopération:f négociation:f "
    "menace:f crise:f décision:f réunion:f sommet:m projet:m soutien:m déploiement:m exercice:m "
    "frappe:f missile:m arsenal:m sanction:f économie:f élection:f opposition:f parlement:m "
    "ministère:m diplomatie:f stratégie:f tension:f question:f position:f proposition:f "
    "réforme:f budget:m rapport:m enquête:f déclaration:f communiqué:m partenaire:m voisin:m "
    "capitale:f population:f industrie:f énergie:f gaz:m pétrole:m commerce:m livraison:f "
    "contrat:m programme:m système:m technologie:f frontière:f base:f flotte:f aviation:f "
    "infanterie:f offensive:f trêve:f traité:m ratification:f délégation:f ambassade:f "
    "ambassadeur:m visite:f entretien:m conférence:f forum:m résolution:f vote:m majorité:f "
    "coalition:f manifestation:f protestation:f arrestation:f tribunal:m procès:m justice:f "
    "corruption:f presse:f journaliste:m agence:f renseignement:m espionnage:m "
    "cyberattaque:f infrastructure:f centrale:f réacteur:m uranium:m satellite:m radar:m "
    "drone:m char:m bataillon:m brigade:f division:f garnison:f caserne:f munition:f stock:m "
    "production:f usine:f croissance:f inflation:f monnaie:f banque:f investissement:m "
    "dette:f exportation:f importation:f récolte:f port:m corridor:m pipeline:m réseau:m "
    "transport:m route:f pont:m aéroport:m gare:f hôpital:m école:f université:f recherche:f "
    "science:f culture:f patrimoine:m mémoire:f anniversaire:m cérémonie:f discours:m "
    "message:m avertissement:m ultimatum:m garantie:f neutralité:f souveraineté:f "
    "indépendance:f intégrité:f stabilité:f paix:f dialogue:m compromis:m médiation:f "
    "observateur:m mission:f inspection:f vérification:f transparence:f calendrier:m "
    "échéance:f étape:f phase:f horizon:m perspective:f manœuvre:f",
    ":",
)
NOUN_ZIPF = (1.3, 5)  # exponent, rank offset: the first noun is in ~8% of the draws
# Put in a few articles (generator.RARE_RATE), one of them at a time.
RARE_NOUNS = _pairs("hydrographie:f sismologie:f apiculture:f orfèvrerie:f funiculaire:m", ":")
# (masculine, feminine)
ADJECTIVES = _pairs(
    "militaire nucléaire stratégique tactique européen/européenne occidental/occidentale "
    "régional/régionale national/nationale international/internationale politique économique "
    "diplomatique officiel/officielle important/importante majeur/majeure grave "
    "sérieux/sérieuse possible conjoint/conjointe bilatéral/bilatérale commun/commune stable "
    "fragile ferme prudent/prudente historique récent/récente actuel/actuelle "
    "prochain/prochaine fort/forte faible rapide long/longue massif/massive "
    "inquiétant/inquiétante sensible crucial/cruciale décisif/décisive durable global/globale "
    "énergétique industriel/industrielle financier/financière juridique humanitaire "
    "civil/civile naval/navale aérien/aérienne terrestre spatial/spatiale numérique technique "
    "public/publique secret/secrète provisoire permanent/permanente imminent/imminente "
    "inacceptable légitime unilatéral/unilatérale ambitieux/ambitieuse"
)
VERBS = _items(
    "renforce menace prépare soutient critique examine dénonce confirme rejette accepte annonce "
    "propose garantit assure limite élargit réduit augmente finance organise protège surveille "
    "dirige contrôle affaiblit compromet facilite accélère retarde suspend prolonge relance défend "
    "conteste approuve condamne salue évoque souligne exige réclame envisage étudie négocie signe "
    "ratifie viole respecte modernise déploie retire livre achète vend produit teste lance détruit "
    "reconstruit planifie"
)
SPEECH_VERBS = _items(
    "a déclaré|a affirmé|a estimé|a assuré|a souligné|a averti|a expliqué|a indiqué|a rappelé|"
    "a insisté|a précisé|a martelé|a ajouté|a jugé",
    "|",
)
TITLES = _items(
    "le président|le ministre|le porte-parole|le général|l'ambassadeur|le chef de la diplomatie|"
    "le vice-Premier ministre|le député|le conseiller|le commandant|la ministre|la porte-parole",
    "|",
)
CONNECTORS = _items(
    "Par ailleurs|Cependant|En outre|Dans le même temps|De son côté|Selon les analystes|"
    "Pour l'instant|Depuis plusieurs mois|À l'heure actuelle|Toutefois|Ainsi|En revanche|"
    "D'après les experts|Officiellement|Jusqu'ici",
    "|",
)
PREPOSITIONS = _items("contre|avec|pour|dans|sur|face à|envers|malgré|autour de|au sujet de", "|")
TIME_PHRASES = _items(
    "cette semaine|depuis des années|dès demain|avant la fin de l'année|dans les prochains jours|"
    "jeudi|lundi|ce mois-ci|depuis le début de l'année|à nouveau",
    "|",
)
MONTHS_FR = _items("janvier février mars avril mai juin juillet août septembre octobre novembre décembre")

# --- names: French and English spellings built from the same pieces --------------------------
FIRST_NAMES = _pairs(
    "Sergueï/Sergei Vladimir Alexandre/Alexander Viktor Dmitri/Dmitry Andreï/Andrei "
    "Nikolaï/Nikolai Mikhaïl/Mikhail Iouri/Yuri Evgueni/Yevgeny Alexeï/Alexei Guennadi/Gennady "
    "Piotr/Pyotr Fiodor/Fyodor Ilia/Ilya Oleg Igor Pavel Anatoli/Anatoly Valeri/Valery Maria "
    "Elena/Yelena Natalia/Natalya Olga Tatiana/Tatyana Svetlana Ioulia/Yulia Anna Jean/John "
    "Pierre/Peter Michel/Michael Marie/Mary Catherine Guillaume/William Henri/Henry Louis/Lewis "
    "Étienne/Stephen Jacques/James Hélène/Helen Sophie"
)
SYLLABLES_START = _pairs(
    "Chou/Shu Tcher/Cher Jou/Zhu Kou/Ku Lou/Lu Mi Bor Vo Gra Dou/Du Za Pe Ka Ste Ra Na Po Ti Se Kha "
    "Iou/Yu Ia/Ya Go Ro Fe"
)
SYLLABLES_MIDDLE = _pairs("ka ri lo na chen/shen tcha/cha mo ssi/si gou/gu jen/zhen ba de vi li ro tou/tu")
SURNAME_ENDS = _pairs(
    "ov ine/in enko ski/sky ev/yev ovitch/ovich ïgou/igu ko iak/yak tchouk/chuk chvili/shvili ian/yan ova ets"
)
PLACE_ENDS = _pairs("grad sk ovo ino opol ets")
COUNTRY_ENDS = _pairs("ie/ia stan anie/ania ovie/ovia")
NAME_ENDS = {"person": SURNAME_ENDS, "weapon_system": SURNAME_ENDS, "country": COUNTRY_ENDS}
NAME_ENDS["organization"] = COUNTRY_ENDS  # "Ministère de la Défense de <country>"
ORGANISATIONS = [
    ("Ministère de la Défense de {}", "Ministry of Defence of {}"),
    ("Ministère des Affaires étrangères de {}", "Ministry of Foreign Affairs of {}"),
    ("Parti populaire de {}", "People's Party of {}"),
    ("Agence spatiale de {}", "Space Agency of {}"),
    ("Forces armées de {}", "Armed Forces of {}"),
    ("Banque centrale de {}", "Central Bank of {}"),
    ("Conseil de sécurité de {}", "Security Council of {}"),
]
ROLES = _items("minister|general|spokesperson|president|diplomat|member of parliament|governor|adviser", "|")

# Entity types in the order they are handed out: small datasets still get a bit of everything.
TYPE_CYCLE = _items(
    "person place person organization person country person outlet person place "
    "person weapon_system person person place person military_exercise person organization person"
)
PARTICIPANT_TYPES = ("person", "country", "organization")
EVENT_WORDING = {  # French wording in an article, English title, roles (first participant, others)
    "meeting": ("se sont rencontrés", "Meeting of {}", ("host", "guest")),
    "agreement_signing": ("ont signé un accord de coopération", "Agreement signed by {}", ("signatory",) * 2),
    "deployment": (
        "ont annoncé un déploiement militaire",
        "Deployment announced by {}",
        ("deploying party",) * 2,
    ),
    "military_exercise": (
        "ont mené des exercices conjoints",
        "Joint exercise of {}",
        ("participating force",) * 2,
    ),
    "missile_strike": (
        "ont revendiqué une frappe de missiles",
        "Missile strike claimed by {}",
        ("attacker", "ally"),
    ),
    "announcement": ("ont fait une annonce commune", "Joint announcement by {}", ("announcer",) * 2),
    "sanctions": ("ont adopté de nouvelles sanctions", "Sanctions adopted by {}", ("sanctioning party",) * 2),
    "summit": ("ont participé à un sommet", "Summit of {}", ("participant",) * 2),
    "other": ("ont tenu des consultations", "Consultations between {}", ("participant",) * 2),
}
