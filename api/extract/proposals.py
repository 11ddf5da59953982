"""The shapes the pipeline returns: frozen dataclasses, every span an offset pair into the body.

Every proposal carries ``status = "proposed"`` and a ``confidence`` in 0..1; a curator turns
it into a verified row. ``start``/``end`` are Python ``str`` indices with
``body[start:end] == text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.fuzzy_dates import FuzzyDate

PROPOSED = "proposed"
# The entity a statement is attributed to when the text names no speaker at all ("une source
# proche du dossier", a quote with no attribution): the statement is kept, with a low
# confidence, instead of being lost. The caller stores this entity when it is missing.
UNKNOWN_SPEAKER = "unknown-speaker"
UNKNOWN_SPEAKER_NAME = "Unknown speaker"


@dataclass(frozen=True)
class KnownEntity:
    """One gazetteer entry, passed in by the caller (from the database or the seeds)."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewEntity:
    """A name the gazetteer does not know, proposed as a new entity."""

    name: str
    type: str
    confidence: float
    status: str = PROPOSED


# A reference to an entity: a gazetteer id, or a proposed new entity.
EntityRef = str | NewEntity


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class MentionProposal:
    start: int
    end: int
    text: str
    entity: EntityRef
    source: str  # "gazetteer" or "ner"
    confidence: float
    status: str = PROPOSED


@dataclass(frozen=True)
class DateProposal:
    """A date expression found in the text and the fuzzy date it resolves to (None if it cannot).

    ``relative`` marks expressions read against the publication date ("jeudi", "ce
    mercredi 23 octobre", "l'année dernière"): the news-time of the article.
    """

    start: int
    end: int
    text: str
    date: FuzzyDate | None
    confidence: float
    relative: bool = False
    status: str = PROPOSED


@dataclass(frozen=True)
class StatementProposal:
    """A direct quotation or a reported-speech clause.

    ``flags`` explain how it was found, e.g. ``incise`` (one part of a quote split around
    "…, assure-t-il, …"), ``nested`` (a quote inside another quote), ``speaker-fallback``
    (no attribution cue: the nearest preceding speaker was taken).
    ``attribution`` is the span of the cue that named the speaker, when there is one.
    """

    kind: str  # "direct" | "reported"
    start: int
    end: int
    text: str
    speaker: EntityRef | None
    said_on: FuzzyDate | None
    confidence: float
    attribution: Span | None = None
    flags: tuple[str, ...] = ()
    status: str = PROPOSED


@dataclass(frozen=True)
class QuotedTerm:
    """Words between quotation marks that are a name or a term, not a statement."""

    start: int
    end: int
    text: str
    reason: str
    confidence: float
    flags: tuple[str, ...] = ("term",)
    status: str = PROPOSED


@dataclass(frozen=True)
class Participant:
    entity: EntityRef
    role: str


@dataclass(frozen=True)
class EventProposal:
    type: str
    trigger: Span
    date: FuzzyDate | None
    location: EntityRef | None
    participants: tuple[Participant, ...]
    evidence: tuple[Span, ...]
    confidence: float
    status: str = PROPOSED


@dataclass(frozen=True)
class Extraction:
    """Everything proposed for one article."""

    mentions: tuple[MentionProposal, ...] = ()
    new_entities: tuple[NewEntity, ...] = ()
    statements: tuple[StatementProposal, ...] = ()
    terms: tuple[QuotedTerm, ...] = ()
    dates: tuple[DateProposal, ...] = ()
    events: tuple[EventProposal, ...] = ()
    warnings: tuple[str, ...] = field(default=())
