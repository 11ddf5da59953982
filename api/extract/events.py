"""Candidate events: a sentence with event vocabulary, its date, participants and place.

One candidate per sentence, of the most specific type its words suggest (a signing beats
the deployment it organises). The evidence is the whole sentence. Candidates of one type
with the same day-precision date are merged into one event with several evidence spans —
one real-world event, as PRODUCT.md wants. Words inside quotation marks do not count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from api.extract.attribution import Reader
from api.extract.lexicon import EVENT_TRIGGERS, PARTICIPANT_TYPES
from api.extract.proposals import DateProposal, EntityRef, EventProposal, MentionProposal, Participant, Span

_LOCATION_BEFORE = re.compile(r"(?:\b(?:a|en|au)\s+)$")


def find_events(
    reader: Reader,
    mentions: Sequence[MentionProposal],
    dates: Sequence[DateProposal],
    entity_types: dict[int, str],
) -> tuple[EventProposal, ...]:
    """Candidate events; ``entity_types`` maps ``id(mention)`` to the mention's entity type."""
    body, masked = reader.body, reader.masked
    candidates: list[EventProposal] = []
    for s_start in reader.sentence_starts:
        s_end = reader.sentence_end(s_start)
        sentence = masked[s_start:s_end]
        trigger = None
        for type_, pattern in EVENT_TRIGGERS:
            m = pattern.search(sentence)
            if m:
                trigger = (type_, s_start + m.start(), s_start + m.end())
                break
        if trigger is None:
            continue
        type_, t_start, t_end = trigger
        start, end = s_start, s_end
        while end > start and body[end - 1].isspace():
            end -= 1
        in_sentence = [m for m in mentions if start <= m.start and m.end <= end]
        participants: dict[str, Participant] = {}
        location: EntityRef | None = None
        for mention in in_sentence:
            kind = entity_types.get(id(mention))
            key = mention.entity if isinstance(mention.entity, str) else mention.entity.name
            if kind in PARTICIPANT_TYPES and key not in participants and mention.confidence >= 0.5:
                participants[key] = Participant(mention.entity, "participant")
            elif (
                kind == "place"
                and location is None
                and _LOCATION_BEFORE.search(reader.lower[max(0, mention.start - 5) : mention.start])
            ):
                location = mention.entity
        near = [d for d in dates if start <= d.start < end and d.date is not None]
        date = None
        if near:
            best = min(
                near,
                key=lambda d: ({"day": 0, "month": 1, "year": 2}[d.date.precision], abs(d.start - t_start)),
            )
            date = best.date
        confidence = 0.35 + (0.2 if date else 0) + (0.15 if participants else 0) + (0.1 if location else 0)
        candidates.append(
            EventProposal(
                type_,
                Span(t_start, t_end, body[t_start:t_end]),
                date,
                location,
                tuple(participants.values()),
                (Span(start, end, body[start:end]),),
                round(confidence, 2),
            )
        )
    return _merge(candidates)


def _merge(candidates: list[EventProposal]) -> tuple[EventProposal, ...]:
    merged: dict[tuple[str, str], EventProposal] = {}
    alone: list[EventProposal] = []
    for event in candidates:
        if event.date is None or event.date.precision != "day":
            alone.append(event)
            continue
        key = (event.type, event.date.value)
        if key not in merged:
            merged[key] = event
            continue
        first = merged[key]
        people = {repr(p.entity): p for p in (*first.participants, *event.participants)}
        merged[key] = EventProposal(
            first.type,
            first.trigger,
            first.date,
            first.location or event.location,
            tuple(people.values()),
            first.evidence + event.evidence,
            round(min(0.95, max(first.confidence, event.confidence) + 0.05), 2),
        )
    return tuple(sorted([*merged.values(), *alone], key=lambda e: e.evidence[0].start))
