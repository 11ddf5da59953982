"""Entity mentions: the caller's gazetteer first, spaCy's French NER for names it lacks.

Gazetteer matching is accent-, case- and apostrophe-insensitive on whole words, except
acronyms (all capitals, up to five characters: "UE", "AP"), which must match their case so
that ordinary words are not taken for them. Longest match first: a shorter alias that
crosses a longer match is dropped; one nested inside it is kept when it names another
entity and is not the longer name's head ("Ukraine" in "conflit en Ukraine" is kept,
"Europe" in "Europe de l'Est" is not — in French the head comes first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from api.extract.lexicon import folded
from api.extract.proposals import KnownEntity, MentionProposal, NewEntity
from api.text import fold, fold_marks

_DASHES = "-\u2010\u2011\u2012\u2013\u2014"
# Words just before an alias that tell which of several same-named entities is meant.
_TYPE_CUES = {
    "military_exercise": re.compile(r"\b(?:exercices?|manoeuvres)\b"),
    "agreement": re.compile(r"\b(?:accords?|traites?|pacte)\b"),
    "program": re.compile(r"\bprogrammes?\b"),
    "weapon_system": re.compile(r"\b(?:missiles?|systemes?|armes?)\b"),
}
_NER_TYPES = {"PER": "person", "ORG": "organization", "LOC": "place", "MISC": "other"}
_LEADING_DETERMINER = re.compile(r"^(?:(?:l|d|qu|c)['\u2019]|(?:le|la|les|du|des|de)\s+)", re.IGNORECASE)


def _alias_pattern(alias: str) -> tuple[re.Pattern[str], bool]:
    exact_case = alias.isupper() and len(alias) <= 5
    target = fold_marks(alias) if exact_case else folded(alias)
    parts = [re.escape(word) for word in target.split()]
    body = r"\s+".join(parts).replace(r"\-", f"[{_DASHES}]")
    return re.compile(rf"(?<!\w){body}(?!\w)"), exact_case


@dataclass(frozen=True)
class _Alias:
    entity: KnownEntity
    pattern: re.Pattern[str]
    exact_case: bool


class Gazetteer:
    """Known entities compiled for matching; build once and reuse across articles."""

    def __init__(self, entities: Iterable[KnownEntity]) -> None:
        self.entities = {entity.id: entity for entity in entities}
        self._aliases: list[_Alias] = []
        self.folded_names: set[str] = set()
        for entity in self.entities.values():
            for alias in dict.fromkeys((entity.name, *entity.aliases)):
                if not alias.strip():
                    continue
                pattern, exact_case = _alias_pattern(alias)
                self._aliases.append(_Alias(entity, pattern, exact_case))
                self.folded_names.add(fold(alias))

    def type_of(self, entity_id: str) -> str | None:
        entity = self.entities.get(entity_id)
        return entity.type if entity else None

    def match(self, body: str) -> tuple[MentionProposal, ...]:
        lower, cased = folded(body), fold_marks(body)
        spans: dict[tuple[int, int], dict[str, KnownEntity]] = {}
        for alias in self._aliases:
            for m in alias.pattern.finditer(cased if alias.exact_case else lower):
                spans.setdefault((m.start(), m.end()), {})[alias.entity.id] = alias.entity
        accepted: list[tuple[int, int, dict[str, KnownEntity], bool]] = []
        for (start, end), entities in sorted(
            spans.items(), key=lambda item: (item[0][0] - item[0][1], item[0][0])
        ):
            nested = False
            keep = True
            for a_start, a_end, a_entities, _ in accepted:
                if start >= a_end or end <= a_start:
                    continue
                inside = a_start <= start and end <= a_end
                if not inside or start == a_start or set(entities) <= set(a_entities):
                    keep = False
                    break
                nested = True
            if keep:
                accepted.append((start, end, entities, nested))
        proposals = []
        for start, end, entities, nested in sorted(accepted, key=lambda item: item[:2]):
            base = 0.8 if nested else 0.95
            for entity, confidence in _disambiguate(lower, start, list(entities.values()), base):
                proposals.append(
                    MentionProposal(start, end, body[start:end], entity.id, "gazetteer", round(confidence, 2))
                )
        return tuple(proposals)


def _disambiguate(
    lower: str, start: int, entities: list[KnownEntity], base: float
) -> list[tuple[KnownEntity, float]]:
    """Confidence per candidate when one alias names several entities."""
    if len(entities) == 1:
        return [(entities[0], base)]
    context = lower[max(0, start - 60) : start]
    cued = {e.id for e in entities if e.type in _TYPE_CUES and _TYPE_CUES[e.type].search(context)}
    if len(cued) == 1:
        return [(e, base - 0.1 if e.id in cued else 0.2) for e in entities]
    return [(e, base / len(entities)) for e in entities]


@lru_cache(maxsize=1)
def _french_nlp() -> Any:
    import spacy  # noqa: PLC0415 — a heavy import, paid only when NER is asked for

    return spacy.load("fr_core_news_sm", disable=["lemmatizer"])


def ner_mentions(body: str, known: Sequence[MentionProposal]) -> tuple[MentionProposal, ...]:
    """Names spaCy finds that no gazetteer mention covers, proposed as new entities."""
    taken = [(m.start, m.end) for m in known]
    found: list[MentionProposal] = []
    new: dict[tuple[str, str], NewEntity] = {}
    for ent in _french_nlp()(body).ents:
        start, end = ent.start_char, ent.end_char
        lead = _LEADING_DETERMINER.match(body[start:end])
        if lead:
            start += lead.end()
        while end > start and not body[end - 1].isalnum():
            end -= 1
        text = body[start:end]
        if len(text) < 2 or "\n" in text or not text[0].isupper():
            continue
        if any(s < end and start < e for s, e in taken):
            continue
        type_ = _NER_TYPES.get(ent.label_, "other")
        confidence = 0.6 if type_ == "person" and " " in text else 0.4
        key = (fold(text), type_)
        entity = new.setdefault(key, NewEntity(text, type_, confidence))
        found.append(MentionProposal(start, end, text, entity, "ner", confidence))
    return tuple(found)
