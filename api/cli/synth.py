"""Synthetic data at scale: ``flask synth --articles N`` fills a database with fake French news.

The data goes through the real schema (the Alembic migrations are run first) and keeps every
invariant of the curated dataset, so the API serves it like real data: benchmarks and load
tests get realistic volumes without anyone curating 100,000 articles.

Shape of the data for ``--articles N`` (N >= 50):

- **entities** (``N // 10``): fictional people (most of them), places, countries,
  organisations, news outlets, weapon systems and military exercises, with ids such as
  ``synth-person-000123``. Each has 2-4 aliases: the French spelling (in the texts), the
  English spelling, and for people the surname alone (``Sergueï Tchourenko``, ``Sergei
  Churenko``, ``Tchourenko``, ``Churenko``); ``normalized`` is ``api.text.fold(alias)``, the
  canonical ``name`` is the English spelling.
- **articles** (N, ids ``a-synth-000001``…): French-like bodies of about 1,700 characters,
  published between 2015 and 2025 (mostly day precision, some month or year), made of
  sentences drawn from word lists with a Zipf-like frequency (nouns, adjectives and verbs; a
  few hundred words). The title is the first sentence; no lead.
- **statements** (``10 * N``, ten per article): a quotation ``« … »`` (direct) or reported
  speech (``X a estimé que …``, ``Selon X, …``) in the article body, with
  ``statement.text == body[start:end]``; ids from :func:`api.ids.statement_id`. Each names
  one entity it is about (mentioned inside the quotation), sometimes a second one; a few are
  linked to an event their article reports.
- **mentions**: every speaker, every entity named in a statement, an event sentence or
  another sentence, at its exact offsets (ids from :func:`api.ids.mention_id`).
- **events** (``N // 5``, ids ``synth-event-000123``): a type, a fuzzy date (day, month or
  year precision, interval from :func:`api.fuzzy_dates.interval`), 2-3 participants, a place
  most of the time, and one or two evidence spans: the sentence of an article that reports it.
- **search index**: ``search_documents`` holds exactly what
  :func:`api.writes.search_index.sync_search_index` would write (articles and statements are built in
  bulk the same way, entities and events by calling it); SQLite's FTS5 table and PostgreSQL's
  tsvector follow by themselves.
- **dataset_state** (row 1) gets a version bump and a digest naming the parameters.

Statuses are ``verified``. No revision is recorded for synthetic items: the history table
would double the volume for nothing a benchmark needs, so ``/v1/changes`` stays empty.

Everything derives from ``--seed`` (one ``random.Random``), timestamps included
(:data:`CREATED_AT`): the same N and seed always give the same rows.

Search terms with a known frequency, for benchmarks (:data:`SEARCH_TERMS`):

- ``common`` — ``sécurité``, the most frequent noun: in 97% of the articles and 23% of the
  statements (and in the names of the "Conseil de sécurité" organisations);
- ``medium`` — ``manœuvre``, the least frequent noun: in 4.3% of the articles and 0.3% of the
  statements;
- ``rare`` — ``hydrographie``, one of the RARE_NOUNS: in one article out of about 5,000 and in
  no statement (24 articles for N = 100,000; usually none below a few thousand articles).

Measured for N = 100,000 and the default seed. No other word of the vocabulary shares their stems.

Loading: one transaction, 1,000 articles generated at a time (memory stays flat). SQLite: Core
bulk inserts of 10,000 rows, ``synchronous=OFF`` and a 256 MiB page cache for the loading
connection only, a WAL checkpoint at the end, no ``ANALYZE`` (the app never runs it, so the
file plans queries as a database the app grew itself would). PostgreSQL: ``COPY`` through
psycopg, no statement timeout for the load, ``ANALYZE`` at the end (what autovacuum would soon
do). Foreign keys stay checked.

Reruns: a database that already holds this very dataset (same N and seed) is left as it is;
one with other synthetic data is refused (build into a new file or database instead); one
with non-synthetic data (ids without the ``synth`` prefixes) is refused unless ``--force``,
which adds the synthetic data beside it.
"""

from __future__ import annotations

import bisect
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

import click
from alembic import command
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.orm import Session

from api.db import get_engine, lift_statement_timeout
from api.fuzzy_dates import interval
from api.ids import content_hash, evidence_id, mention_id, statement_id
from api.models import (
    Article,
    ArticleCitedOutlet,
    DatasetState,
    Entity,
    EntityAlias,
    Event,
    EventEvidence,
    EventParticipant,
    Mention,
    SearchDocument,
    Statement,
    StatementAbout,
)
from api.search_text import terms
from api.text import fold
from api.writes.search_index import sync_search_index

ARTICLE_PREFIX = "a-synth-"
ENTITY_PREFIX = "synth-"
EVENT_PREFIX = "synth-event-"
DEFAULT_SEED = 20260101
MIN_ARTICLES = 50
STATEMENTS_PER_ARTICLE = 10
CHUNK_ARTICLES = 1000  # articles generated and inserted at a time
CREATED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # created_at/updated_at of every synthetic row
FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2025, 12, 31)
RARE_RATE = 1 / 1000  # share of the articles given one word of RARE_NOUNS

SEARCH_TERMS = {"rare": "hydrographie", "medium": "manœuvre", "common": "sécurité"}


def _items(text: str, separator: str | None = None) -> list[str]:
    """A word list written as one string: one item per word, or per ``separator``."""
    return text.split(separator)


def _pairs(text: str, separator: str = "/") -> list[tuple[str, str]]:
    """``a/b c/d`` → ``[(a, b), (c, d)]``; an item without the separator is its own pair."""
    return [(left, right or left) for left, _, right in (item.partition(separator) for item in text.split())]


# --- vocabulary -------------------------------------------------------------------------------
# Nouns by decreasing frequency (Zipf-Mandelbrot, NOUN_ZIPF) with their gender; the last one is
# SEARCH_TERMS["medium"].
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
# Put in one article out of 1 / RARE_RATE, one of them at a time.
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


class Zipf:
    """Draws from ``items`` with probability proportional to ``1 / (rank + offset) ** exponent``."""

    def __init__(self, items: Sequence[Any], exponent: float, offset: float = 0) -> None:
        self.items = list(items)
        weights = (1 / (rank + offset) ** exponent for rank in range(1, len(self.items) + 1))
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _note(precision: str | None) -> str | None:
    """The note of a fuzzy date: none when the day is known."""
    return None if precision in (None, "day") else f"Only the {precision} is known (synthetic data)."


def _elides(word: str) -> bool:
    return fold(word[0]) in "aeiouyh"


@dataclass
class SynthEntity:
    id: str
    kind: str  # the type, or "outlet" for the organisations that publish news
    type: str
    name: str  # canonical English spelling
    description: str
    aliases: list[tuple[str, str, bool]]  # (alias, language, in_text)

    @property
    def full(self) -> str:
        """The French spelling written in full (first alias)."""
        return self.aliases[0][0]

    @property
    def in_text(self) -> list[str]:
        return [alias for alias, _language, in_text in self.aliases if in_text]


@dataclass
class SynthEvent:
    id: str
    type: str
    value: str
    precision: str
    start: date
    end: date
    location: SynthEntity | None
    participants: list[SynthEntity]
    articles: list[int]  # indexes of the articles carrying evidence, the first one reports it first


@dataclass
class Chunk:
    """Rows of a run of consecutive articles, per table, in insertion order."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))


class TermCache:
    """:func:`api.search_text.terms` of a text, token by token with each token's stems cached.

    Folding and word splitting never cross whitespace, so the stems of a text are the stems of
    its whitespace-separated tokens, in order; the vocabulary is small, so tokens repeat a lot.
    """

    def __init__(self) -> None:
        self._stems: dict[str, tuple[str, ...]] = {}

    def __call__(self, text: str) -> str:
        out: list[str] = []
        cache = self._stems
        for token in text.split():
            stems = cache.get(token)
            if stems is None:
                stems = cache[token] = tuple(terms(token))
            out.extend(stems)
        return " ".join(out)


class Body:
    """An article body written piece by piece, with the offsets of the spans that matter."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.mentions: list[tuple[str, int, int, str]] = []  # (entity id, start, end, text)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)

    def mention(self, entity: SynthEntity, alias: str) -> None:
        self.mentions.append((entity.id, self.pos, self.pos + len(alias), alias))
        self.add(alias)

    def text(self) -> str:
        return "".join(self.parts)


def synth_digest(articles: int, seed: int) -> str:
    """The dataset_state digest of a synthetic dataset: it names its parameters."""
    return content_hash(f"veille-synth:v1:articles={articles}:seed={seed}")


class Generator:
    """Every row of a synthetic dataset, drawn from one random stream."""

    def __init__(self, articles: int, seed: int) -> None:
        if articles < MIN_ARTICLES:
            raise ValueError(f"at least {MIN_ARTICLES} articles are needed")
        self.n_articles = articles
        self.seed = seed
        self.rng = random.Random(seed)
        self.nouns = Zipf(NOUNS, *NOUN_ZIPF)
        self.adjectives = Zipf(ADJECTIVES, 1.0)
        self.verbs = Zipf(VERBS, 1.0)
        self.entities = self._entities(articles // 10)
        by_kind: dict[str, list[SynthEntity]] = defaultdict(list)
        for entity in self.entities:
            by_kind[entity.kind].append(entity)
        self.persons = Zipf(by_kind["person"], 0.9)
        others = [e for e in self.entities if e.kind not in ("person", "outlet")]
        self.others = Zipf(others or by_kind["person"], 0.9)
        self.outlets = by_kind["outlet"]
        self.places = by_kind["place"]
        pool = [e for e in self.entities if e.kind in PARTICIPANT_TYPES]
        self.participant_pool = pool if len(pool) >= 2 else self.entities
        self.published = [self._published(i) for i in range(articles)]
        self.events = self._events(articles // 5)
        self.events_by_article: dict[int, list[SynthEvent]] = defaultdict(list)
        for event in self.events:
            for index in event.articles:
                self.events_by_article[index].append(event)

    # --- entities ------------------------------------------------------------------------------
    def _stem(self, ends: Sequence[tuple[str, str]]) -> tuple[str, str]:
        rng = self.rng
        pieces = [rng.choice(SYLLABLES_START)]
        pieces += [rng.choice(SYLLABLES_MIDDLE) for _ in range(rng.choice((0, 1, 1, 2)))]
        pieces.append(rng.choice(ends))
        return "".join(p[0] for p in pieces), "".join(p[1] for p in pieces)

    def _entity(self, kind: str) -> tuple[str, list[tuple[str, str, bool]], str]:
        """(English name, aliases as (alias, language, in_text), description) of a new entity."""
        rng = self.rng
        fr, en = self._stem(NAME_ENDS.get(kind, PLACE_ENDS))
        if kind == "person":
            first_fr, first_en = rng.choice(FIRST_NAMES)
            name, description = f"{first_en} {en}", f"Fictional {rng.choice(ROLES)}"
            aliases = [(f"{first_fr} {fr}", "fr", True), (f"{first_en} {en}", "en", False), (fr, "fr", True)]
            aliases += [(en, "en", False)] if en != fr else []
        elif kind in ("country", "organization"):
            if kind == "country":
                name, description = en, "Fictional country"
                aliases = [(fr, "fr", True), (en, "en", False), (f"République de {fr}", "fr", True)]
            else:
                pattern_fr, pattern_en = rng.choice(ORGANISATIONS)
                long_fr, name, description = (
                    pattern_fr.format(fr),
                    pattern_en.format(en),
                    "Fictional organisation",
                )
                acronym = "".join(word[0] for word in long_fr.split() if word[0].isupper())
                aliases = [(long_fr, "fr", True), (name, "en", False), (acronym, "fr", True)]
        elif kind == "outlet":
            name, description = f"{en} News Agency", "Fictional news outlet"
            aliases = [(f"Agence {fr}", "fr", True), (name, "en", False), (fr, "fr", True)]
        elif kind == "weapon_system":
            letter = rng.choice("MKSR")
            name, description = f"{en}-{letter}", "Fictional weapon system"
            aliases = [
                (f"{fr}-{letter}", "fr", True),
                (name, "en", False),
                (f"système {fr}-{letter}", "fr", True),
            ]
        elif kind == "military_exercise":
            year = rng.randint(2015, 2025)
            name, description = f"Exercise {en}-{year}", "Fictional military exercise"
            aliases = [
                (f"exercice {fr}-{year}", "fr", True),
                (name, "en", False),
                (f"{fr}-{year}", "fr", True),
            ]
        else:
            name, description = en, "Fictional city"
            aliases = [(fr, "fr", True), (en, "en", False)]
        return name, aliases, f"{description} (synthetic data)"

    def _entities(self, count: int) -> list[SynthEntity]:
        entities, names = [], set()
        for index in range(count):
            kind = TYPE_CYCLE[index % len(TYPE_CYCLE)]
            while True:  # canonical names are unique
                name, aliases, description = self._entity(kind)
                if name not in names:
                    break
            names.add(name)
            entity_id = f"{ENTITY_PREFIX}{kind.replace('_', '-')}-{index + 1:06d}"
            type_ = "organization" if kind == "outlet" else kind
            entities.append(SynthEntity(entity_id, kind, type_, name, description, aliases))
        return entities

    # --- dates and events ----------------------------------------------------------------------
    def _fuzzy(self, day: date, weights: tuple[int, int, int]) -> tuple[str, str, date, date]:
        precision = self.rng.choices(("day", "month", "year"), weights)[0]
        value = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[precision]
        start, end = interval(value, precision)
        return value, precision, start, end

    def _published(self, index: int) -> tuple[str, str, date, date]:
        span = (LAST_DAY - FIRST_DAY).days
        return self._fuzzy(FIRST_DAY + timedelta(days=index * span // self.n_articles), (90, 8, 2))

    def _events(self, count: int) -> list[SynthEvent]:
        rng, events = self.rng, []
        for index in range(count):
            home = rng.randrange(self.n_articles)
            articles = [home]
            if rng.random() < 0.35 and home + 1 < self.n_articles:
                articles.append(min(self.n_articles - 1, home + rng.randint(1, 200)))
            day = max(FIRST_DAY, self.published[home][2] - timedelta(days=rng.randint(0, 10)))
            value, precision, start, end = self._fuzzy(day, (60, 30, 10))
            participants = rng.sample(
                self.participant_pool, min(len(self.participant_pool), rng.choice((2, 2, 3)))
            )
            location = rng.choice(self.places) if self.places and rng.random() < 0.7 else None
            type_ = rng.choice(list(EVENT_WORDING))
            event_id = f"{EVENT_PREFIX}{index + 1:06d}"
            events.append(
                SynthEvent(event_id, type_, value, precision, start, end, location, participants, articles)
            )
        return events

    def entity_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        entities = [
            {
                "id": e.id,
                "name": e.name,
                "name_normalized": fold(e.name),
                "type": e.type,
                "description": e.description,
                "wikidata": None,
                "created_at": CREATED_AT,
                "updated_at": CREATED_AT,
                "deleted_at": None,
            }
            for e in self.entities
        ]
        aliases = [
            {
                "entity_id": e.id,
                "alias": alias,
                "language": language,
                "in_text": in_text,
                "normalized": fold(alias),
            }
            for e in self.entities
            for alias, language, in_text in e.aliases
        ]
        return entities, aliases

    def event_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        events, participants = [], []
        for e in self.events:
            _wording, title, roles = EVENT_WORDING[e.type]
            names = [p.name for p in e.participants]
            title = title.format(
                " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            )
            if e.location is not None:
                title += f" in {e.location.name}"
            events.append(
                {
                    "id": e.id,
                    "type": e.type,
                    "title": title,
                    "summary": f"{title} ({e.value}); synthetic event.",
                    "date_value": e.value,
                    "date_precision": e.precision,
                    "date_note": _note(e.precision),
                    "date_start": e.start,
                    "date_end": e.end,
                    "location_id": e.location.id if e.location else None,
                    "status": "verified",
                    "created_at": CREATED_AT,
                    "updated_at": CREATED_AT,
                    "deleted_at": None,
                }
            )
            participants += [
                {"event_id": e.id, "entity_id": p.id, "role": roles[0] if i == 0 else roles[1]}
                for i, p in enumerate(e.participants)
            ]
        return events, participants

    # --- sentences -----------------------------------------------------------------------------
    def _noun_phrase(self, determiner: str = "def", noun: tuple[str, str] | None = None) -> str:
        rng = self.rng
        word, gender = noun or self.nouns(rng)
        if determiner == "def":
            det = (
                ("l’" if rng.random() < 0.3 else "l'")
                if _elides(word)
                else ("la " if gender == "f" else "le ")
            )
        elif determiner == "this":
            det = "cette " if gender == "f" else ("cet " if _elides(word) else "ce ")
        else:
            det = "une " if gender == "f" else "un "
        phrase = det + word
        if rng.random() < 0.5:
            masculine, feminine = self.adjectives(rng)
            phrase += " " + (feminine if gender == "f" else masculine)
        return phrase

    def _clause(self, determiner: str = "def", noun: tuple[str, str] | None = None) -> str:
        """Subject, verb, object: ``la sécurité renforce une frappe militaire``."""
        subject = self._noun_phrase(determiner, noun)
        verb = self.verbs(self.rng)
        return f"{subject} {verb} {self._noun_phrase(self.rng.choice(('def', 'a')))}"

    def _quote(self, body: Body, about: SynthEntity, *, direct: bool) -> None:
        """The words of a statement, naming the entity it is about."""
        rng = self.rng
        clause = self._clause(rng.choice(("def", "this")))
        body.add(f"{_capitalise(clause) if direct else clause} {rng.choice(PREPOSITIONS)} ")
        body.mention(about, rng.choice(about.in_text))
        if rng.random() < 0.6:
            body.add(f", et {self._clause(rng.choice(('def', 'this', 'a')))}")
        if rng.random() < 0.3:
            body.add(f" {rng.choice(TIME_PHRASES)}")

    def _speaker(self, body: Body, speaker: SynthEntity, seen: set[str], *, start: bool) -> None:
        rng = self.rng
        if rng.random() < 0.3:
            title = rng.choice(TITLES)
            body.add((_capitalise(title) if start else title) + " ")
        alias = speaker.full if speaker.id not in seen else rng.choice(speaker.in_text)
        seen.add(speaker.id)
        body.mention(speaker, alias)

    def _statement(
        self, body: Body, speaker: SynthEntity, about: SynthEntity, seen: set[str]
    ) -> tuple[str, int, int]:
        """Writes one sentence holding a statement; returns (kind, start, end) of its words."""
        rng = self.rng
        verb = rng.choice(SPEECH_VERBS)
        form = rng.randrange(4)
        if form == 0:  # « … », a déclaré X.
            body.add("« ")
            start = body.pos
            self._quote(body, about, direct=True)
            end = body.pos
            body.add(f" », {verb} ")
            self._speaker(body, speaker, seen, start=False)
            body.add(".")
            return "direct", start, end
        if form == 1:  # X a déclaré : « … ».
            self._speaker(body, speaker, seen, start=True)
            body.add(f" {verb} : « ")
            start = body.pos
            self._quote(body, about, direct=True)
            end = body.pos
            body.add(" ».")
            return "direct", start, end
        if form == 2:  # X a estimé que …
            self._speaker(body, speaker, seen, start=True)
            body.add(f" {verb} que ")
        else:  # Selon X, …
            body.add("Selon ")
            self._speaker(body, speaker, seen, start=False)
            body.add(", ")
        start = body.pos
        self._quote(body, about, direct=False)
        end = body.pos
        body.add(".")
        return "reported", start, end

    def _filler(
        self,
        body: Body,
        entity: SynthEntity | None,
        noun: tuple[str, str] | None = None,
        *,
        cited: SynthEntity | None = None,
    ) -> None:
        """A sentence that is no statement, naming ``entity`` and citing the outlet ``cited``."""
        rng = self.rng
        clause = self._clause(rng.choice(("def", "this")), noun)
        if rng.random() < 0.5:
            body.add(f"{rng.choice(CONNECTORS)}, {clause}")
        else:
            body.add(_capitalise(clause))
        if entity is not None:
            body.add(f" {rng.choice(PREPOSITIONS)} ")
            body.mention(entity, rng.choice(entity.in_text))
        if rng.random() < 0.3:
            body.add(f" {rng.choice(TIME_PHRASES)}")
        if cited is not None:
            body.add(", rapporte ")
            body.mention(cited, rng.choice(cited.in_text))
        body.add(".")

    def _event_sentence(self, body: Body, event: SynthEvent) -> tuple[int, int]:
        start = body.pos
        if event.precision == "day":
            day = event.start.day
            body.add(
                f"Le {'1er' if day == 1 else day} {MONTHS_FR[event.start.month - 1]} {event.start.year}, "
            )
        elif event.precision == "month":
            body.add(f"En {MONTHS_FR[event.start.month - 1]} {event.start.year}, ")
        else:
            body.add(f"En {event.start.year}, ")
        for i, participant in enumerate(event.participants):
            if i:
                body.add(" et " if i == len(event.participants) - 1 else ", ")
            body.mention(participant, participant.full)
        body.add(" " + EVENT_WORDING[event.type][0])
        if event.location is not None:
            body.add(" à ")
            body.mention(event.location, event.location.full)
        end = body.pos
        body.add(".")
        return start, end

    # --- articles ------------------------------------------------------------------------------
    def _distinct(self, pick: Zipf, count: int) -> list[SynthEntity]:
        chosen: dict[str, SynthEntity] = {}
        for _ in range(count * 4):
            entity = pick(self.rng)
            chosen.setdefault(entity.id, entity)
            if len(chosen) == count:
                break
        return list(chosen.values())

    def article(self, index: int, chunk: Chunk, term_cache: TermCache) -> None:
        """Generates article ``index`` and appends its rows to ``chunk``."""
        rng = self.rng
        article_id = f"{ARTICLE_PREFIX}{index + 1:06d}"
        value, precision, published_start, published_end = self.published[index]
        speakers = self._distinct(self.persons, rng.randint(2, 4))
        others = self._distinct(self.others, rng.randint(1, 3))
        events = self.events_by_article.get(index, [])
        outlet = rng.choice(self.outlets) if self.outlets and rng.random() < 0.5 else None
        cited = rng.choice(self.outlets) if self.outlets and rng.random() < 0.3 else None
        rare = rng.choice(RARE_NOUNS) if rng.random() < RARE_RATE else None

        slots = (
            ["statement"] * STATEMENTS_PER_ARTICLE + ["filler"] * rng.randint(3, 6) + ["event"] * len(events)
        )
        rng.shuffle(slots)
        if rare:
            slots.append("rare")
        if cited:
            slots.append("cited")

        body = Body()
        seen: set[str] = set()  # speakers named once already: later only by one of their spellings
        self._filler(body, rng.choice(others))
        title = body.text()
        statements, evidence = [], []
        pending_events = list(events)
        in_paragraph = 1
        for slot in slots:
            if in_paragraph >= rng.randint(2, 4):
                body.add("\n")
                in_paragraph = 0
            else:
                body.add(" ")
            in_paragraph += 1
            if slot == "statement":
                speaker = rng.choice(speakers)
                about = rng.choice(others)
                kind, start, end = self._statement(body, speaker, about, seen)
                statements.append((kind, start, end, speaker, about))
            elif slot == "event":
                event = pending_events.pop()
                evidence.append((event, *self._event_sentence(body, event)))
            elif slot == "cited":
                self._filler(body, None, cited=cited)
            else:
                entity = rng.choice(others) if rng.random() < 0.5 else None
                self._filler(body, entity, rare if slot == "rare" else None)
        text, lead = body.text(), None

        rows = chunk.rows
        rows["articles"].append(
            {
                "id": article_id,
                "title": title,
                "lead": lead,
                "body": text,
                "language": "fr",
                "published_value": value,
                "published_precision": precision,
                "published_note": _note(precision),
                "published_start": published_start,
                "published_end": published_end,
                "outlet_id": outlet.id if outlet else None,
                "source_url": None,
                "source_file": None,
                "content_hash": content_hash(text),
                "notes": f"Synthetic article (flask synth, seed {self.seed}).",
                "created_at": CREATED_AT,
                "updated_at": CREATED_AT,
                "deleted_at": None,
            }
        )
        if cited is not None:
            rows["article_cited_outlets"].append({"article_id": article_id, "entity_id": cited.id})
        rows["mentions"] += [
            {
                "id": mention_id(article_id, entity_id, start, end),
                "article_id": article_id,
                "entity_id": entity_id,
                "start": start,
                "end": end,
                "text": alias,
                "status": "verified",
            }
            for entity_id, start, end, alias in body.mentions
        ]
        for event, start, end in evidence:
            rows["event_evidence"].append(
                {
                    "id": evidence_id(event.id, article_id, start, end),
                    "event_id": event.id,
                    "article_id": article_id,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                }
            )
        # as api.writes.search_index: the title and lead when the body lacks them, then the body
        extra = [part for part in (title, lead) if part and part not in text]
        content = "\n".join([*extra, text])
        rows["search_documents"].append(
            {"doc_type": "article", "item_id": article_id, "content": content, "terms": term_cache(content)}
        )
        for kind, start, end, speaker, about in statements:
            words = text[start:end]
            sid = statement_id(article_id, start, end)
            event = rng.choice(events) if events and rng.random() < 0.3 else None
            if event is not None:  # said at the event
                said: tuple[Any, ...] = (event.value, event.precision, event.start, event.end)
            else:  # mostly the publication date, sometimes only its month or year, sometimes unknown
                draw = rng.random()
                said = self.published[index] if draw < 0.65 else self._fuzzy(published_start, (0, 2, 1))
                said = said if draw < 0.8 else (None, None, None, None)
            rows["statements"].append(
                {
                    "id": sid,
                    "article_id": article_id,
                    "speaker_id": speaker.id,
                    "kind": kind,
                    "status": "verified",
                    "text": words,
                    "start": start,
                    "end": end,
                    "said_on_value": said[0],
                    "said_on_precision": said[1],
                    "said_on_note": _note(said[1]),
                    "said_on_start": said[2],
                    "said_on_end": said[3],
                    "event_id": event.id if event else None,
                    "channel_id": None,
                    "created_at": CREATED_AT,
                    "updated_at": CREATED_AT,
                    "deleted_at": None,
                }
            )
            rows["statement_about"].append({"statement_id": sid, "entity_id": about.id})
            second = rng.choice(speakers + others)
            if rng.random() < 0.3 and second.id not in (about.id, speaker.id):
                rows["statement_about"].append({"statement_id": sid, "entity_id": second.id})
            rows["search_documents"].append(
                {"doc_type": "statement", "item_id": sid, "content": words, "terms": term_cache(words)}
            )

    def chunks(self, size: int = CHUNK_ARTICLES) -> Iterator[tuple[int, Chunk]]:
        """Runs of ``size`` articles with all their rows: (number of articles, rows)."""
        term_cache = TermCache()
        for first in range(0, self.n_articles, size):
            chunk = Chunk()
            last = min(first + size, self.n_articles)
            for index in range(first, last):
                self.article(index, chunk, term_cache)
            yield last - first, chunk


# --- loading ----------------------------------------------------------------------------------
# Parents before children, so foreign keys always point at existing rows.
CHUNK_TABLES = (
    ("articles", Article),
    ("article_cited_outlets", ArticleCitedOutlet),
    ("mentions", Mention),
    ("statements", Statement),
    ("statement_about", StatementAbout),
    ("event_evidence", EventEvidence),
    ("search_documents", SearchDocument),
)
INSERT_BATCH = 10_000


class SynthRefused(Exception):
    """The database holds data this run must not mix with."""


@dataclass
class SynthReport:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    version: int = 0
    built: bool = True  # False when the database already held this very dataset
    seconds: float = 0.0


def _insert(connection: Connection, model: Any, rows: list[dict[str, Any]], report: SynthReport) -> None:
    """Core bulk inserts of ``rows``; PostgreSQL gets them through COPY, several times faster."""
    table = model.__table__
    report.counts[table.name] += len(rows)
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        columns = list(rows[0])
        quoted = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
        cursor = connection.connection.driver_connection.cursor()  # psycopg's own connection
        with cursor, cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    for first in range(0, len(rows), INSERT_BATCH):
        connection.execute(insert(table), rows[first : first + INSERT_BATCH])


def existing_data(connection: Connection, articles: int, seed: int) -> str:
    """``empty``, ``same`` (this very dataset), ``synthetic`` (another one) or ``foreign``."""
    foreign = any(
        connection.execute(select(model.id).where(~model.id.startswith(prefix)).limit(1)).first()
        for model, prefix in ((Article, ARTICLE_PREFIX), (Entity, ENTITY_PREFIX), (Event, EVENT_PREFIX))
    )
    synthetic = (
        connection.execute(select(Article.id).where(Article.id.startswith(ARTICLE_PREFIX)).limit(1)).first()
        or connection.execute(select(Entity.id).where(Entity.id.startswith(ENTITY_PREFIX)).limit(1)).first()
    )
    if synthetic:
        digest = connection.execute(select(DatasetState.digest).where(DatasetState.id == 1)).scalar()
        return "same" if digest == synth_digest(articles, seed) else "synthetic"
    return "foreign" if foreign else "empty"


def _bulk_settings(connection: Connection, loading: bool) -> None:
    """SQLite: no fsync and a big page cache while loading (a crash means starting again anyway)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA synchronous={'OFF' if loading else 'NORMAL'}")
        connection.exec_driver_sql(f"PRAGMA cache_size={-262144 if loading else -2000}")  # KiB: 256 MiB
        connection.commit()


def populate(
    connection: Connection,
    generator: Generator,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SynthReport:
    """Writes ``generator``'s dataset through ``connection``, in the caller's transaction."""
    started = time.perf_counter()
    report = SynthReport()
    state = existing_data(connection, generator.n_articles, generator.seed)
    if state == "same":
        report.built = False
        report.version = (
            connection.execute(select(DatasetState.version).where(DatasetState.id == 1)).scalar() or 0
        )
        return report
    if state == "synthetic":
        raise SynthRefused(
            "this database already holds synthetic data built with other parameters; "
            "build into a new database (e.g. a new SQLite file)"
        )
    if state == "foreign" and not force:
        raise SynthRefused(
            "this database holds non-synthetic data; use --force to add synthetic data beside it"
        )
    if connection.dialect.name == "postgresql":
        lift_statement_timeout(connection)

    entities, aliases = generator.entity_rows()
    _insert(connection, Entity, entities, report)
    _insert(connection, EntityAlias, aliases, report)
    events, participants = generator.event_rows()
    _insert(connection, Event, events, report)
    _insert(connection, EventParticipant, participants, report)
    for count, chunk in generator.chunks():
        for name, model in CHUNK_TABLES:
            _insert(connection, model, chunk.rows.get(name, []), report)
        if progress is not None:
            progress(count)

    # entities and events are few: their documents are exactly what the app itself writes
    with Session(bind=connection) as session:
        report.counts["search_documents"] += sync_search_index(session, "entity")
        report.counts["search_documents"] += sync_search_index(session, "event")
        dataset_state = session.get(DatasetState, 1)
        now = datetime.now(UTC)
        if dataset_state is None:
            dataset_state = DatasetState(id=1, version=0, digest="", changed_at=now)
            session.add(dataset_state)
        dataset_state.version += 1
        dataset_state.digest = synth_digest(generator.n_articles, generator.seed)
        dataset_state.changed_at = now
        session.flush()
        report.version = dataset_state.version
    report.seconds = time.perf_counter() - started
    return report


def build(
    engine: Engine,
    articles: int,
    seed: int = DEFAULT_SEED,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SynthReport:
    """Generates and loads a synthetic dataset into a migrated database, in one transaction."""
    generator = Generator(articles, seed)
    with engine.connect() as connection:
        _bulk_settings(connection, loading=True)
        try:
            with connection.begin():
                report = populate(connection, generator, force=force, progress=progress)
        finally:
            _bulk_settings(connection, loading=False)
        if connection.dialect.name == "sqlite" and report.built:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.dialect.name == "postgresql" and report.built:
            connection.exec_driver_sql("ANALYZE")  # what autovacuum would soon do
        connection.commit()
    return report


@click.command("synth")
@click.option(
    "--articles",
    type=click.IntRange(min=MIN_ARTICLES),
    required=True,
    help="Number of articles N: also 10·N statements, N/10 entities, N/5 events.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Same seed, same data.")
@click.option("--force", is_flag=True, help="Add synthetic data to a database holding non-synthetic data.")
@with_appcontext
def synth_command(articles: int, seed: int, force: bool) -> None:
    """Fill the database with a synthetic dataset of N articles, for benchmarks.

    Migrates the database first, then writes in one transaction fictional French news
    articles, entities, statements, mentions and events that keep every invariant of the
    real data (body[start:end] == text, derived ids, search index). No revision is recorded
    for them (the history would double the data). A database already holding this very
    dataset is left as it is; one holding other synthetic data is refused (use a new file or
    database); one holding non-synthetic data is refused unless --force.
    """
    from api.cli import alembic_config  # noqa: PLC0415 — api.cli imports this module

    command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), "head")
    try:
        with click.progressbar(length=articles, label="articles", show_pos=True) as bar:
            report = build(get_engine(), articles, seed, force=force, progress=bar.update)
    except SynthRefused as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    if not report.built:
        click.echo(
            f"this database already holds this dataset (articles={articles}, seed={seed}); nothing to do"
        )
        return
    counts = ", ".join(f"{name}: {count}" for name, count in report.counts.items())
    click.echo(f"dataset version {report.version}; {counts}; {report.seconds:.1f} s")
