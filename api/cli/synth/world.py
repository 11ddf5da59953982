"""The fictional world of a synthetic dataset: entities named in two spellings, dated events.

Every function draws from the random stream it is given, in a fixed order: the same stream
gives the same world.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from api.cli.synth import ENTITY_PREFIX, EVENT_PREFIX
from api.cli.synth.vocabulary import (
    EVENT_WORDING,
    FIRST_NAMES,
    NAME_ENDS,
    ORGANISATIONS,
    PLACE_ENDS,
    ROLES,
    SYLLABLES_MIDDLE,
    SYLLABLES_START,
    TYPE_CYCLE,
)
from api.fuzzy_dates import interval

FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2025, 12, 31)


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


# --- entities ---------------------------------------------------------------------------------
def _stem(rng: random.Random, ends: Sequence[tuple[str, str]]) -> tuple[str, str]:
    pieces = [rng.choice(SYLLABLES_START)]
    pieces += [rng.choice(SYLLABLES_MIDDLE) for _ in range(rng.choice((0, 1, 1, 2)))]
    pieces.append(rng.choice(ends))
    return "".join(p[0] for p in pieces), "".join(p[1] for p in pieces)


def _entity(rng: random.Random, kind: str) -> tuple[str, list[tuple[str, str, bool]], str]:
    """(English name, aliases as (alias, language, in_text), description) of a new entity."""
    fr, en = _stem(rng, NAME_ENDS.get(kind, PLACE_ENDS))
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


def make_entities(rng: random.Random, count: int) -> list[SynthEntity]:
    """``count`` entities with unique canonical names, their types in the order of TYPE_CYCLE."""
    entities, names = [], set()
    for index in range(count):
        kind = TYPE_CYCLE[index % len(TYPE_CYCLE)]
        while True:  # canonical names are unique
            name, aliases, description = _entity(rng, kind)
            if name not in names:
                break
        names.add(name)
        entity_id = f"{ENTITY_PREFIX}{kind.replace('_', '-')}-{index + 1:06d}"
        type_ = "organization" if kind == "outlet" else kind
        entities.append(SynthEntity(entity_id, kind, type_, name, description, aliases))
    return entities


# --- dates and events -------------------------------------------------------------------------
def fuzzy_date(rng: random.Random, day: date, weights: tuple[int, int, int]) -> tuple[str, str, date, date]:
    """(value, precision, start, end) of ``day`` known only to a precision drawn with ``weights``."""
    precision = rng.choices(("day", "month", "year"), weights)[0]
    value = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[precision]
    start, end = interval(value, precision)
    return value, precision, start, end


def published_dates(rng: random.Random, n_articles: int) -> list[tuple[str, str, date, date]]:
    """Publication dates of the articles, spread evenly from FIRST_DAY to LAST_DAY in article order."""
    span = (LAST_DAY - FIRST_DAY).days
    return [
        fuzzy_date(rng, FIRST_DAY + timedelta(days=index * span // n_articles), (90, 8, 2))
        for index in range(n_articles)
    ]


def make_events(
    rng: random.Random,
    count: int,
    published: Sequence[tuple[str, str, date, date]],
    participant_pool: Sequence[SynthEntity],
    places: Sequence[SynthEntity],
) -> list[SynthEvent]:
    """``count`` events, each reported by an article (sometimes two) published shortly after it."""
    n_articles, events = len(published), []
    for index in range(count):
        home = rng.randrange(n_articles)
        articles = [home]
        if rng.random() < 0.35 and home + 1 < n_articles:
            articles.append(min(n_articles - 1, home + rng.randint(1, 200)))
        day = max(FIRST_DAY, published[home][2] - timedelta(days=rng.randint(0, 10)))
        value, precision, start, end = fuzzy_date(rng, day, (60, 30, 10))
        participants = rng.sample(participant_pool, min(len(participant_pool), rng.choice((2, 2, 3))))
        location = rng.choice(places) if places and rng.random() < 0.7 else None
        type_ = rng.choice(list(EVENT_WORDING))
        event_id = f"{EVENT_PREFIX}{index + 1:06d}"
        events.append(
            SynthEvent(event_id, type_, value, precision, start, end, location, participants, articles)
        )
    return events
