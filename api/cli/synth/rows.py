"""Table rows of a synthetic dataset, as Core bulk inserts take them (no drawing here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from api.cli.synth.vocabulary import EVENT_WORDING
from api.cli.synth.world import SynthEntity, SynthEvent
from api.ids import content_hash, evidence_id, mention_id
from api.search_text import terms
from api.text import fold

CREATED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # created_at/updated_at of every synthetic row

# a fuzzy date as the world draws it: (value, precision, start, end), all None when unknown
FuzzyDate = tuple[Any, ...]


def note(precision: str | None) -> str | None:
    """The note of a fuzzy date: none when the day is known."""
    return None if precision in (None, "day") else f"Only the {precision} is known (synthetic data)."


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


def entity_rows(entities: Sequence[SynthEntity]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of ``entities`` and of their aliases."""
    rows = [
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
        for e in entities
    ]
    alias_rows = [
        {
            "entity_id": e.id,
            "alias": alias,
            "language": language,
            "in_text": in_text,
            "normalized": fold(alias),
        }
        for e in entities
        for alias, language, in_text in e.aliases
    ]
    return rows, alias_rows


def event_rows(events: Sequence[SynthEvent]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of ``events`` and of their participants."""
    rows, participant_rows = [], []
    for e in events:
        _wording, title, roles = EVENT_WORDING[e.type]
        names = [p.name for p in e.participants]
        title = title.format(" and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names))
        if e.location is not None:
            title += f" in {e.location.name}"
        rows.append(
            {
                "id": e.id,
                "type": e.type,
                "title": title,
                "summary": f"{title} ({e.value}); synthetic event.",
                "date_value": e.value,
                "date_precision": e.precision,
                "date_note": note(e.precision),
                "date_start": e.start,
                "date_end": e.end,
                "location_id": e.location.id if e.location else None,
                "status": "verified",
                "created_at": CREATED_AT,
                "updated_at": CREATED_AT,
                "deleted_at": None,
            }
        )
        participant_rows += [
            {"event_id": e.id, "entity_id": p.id, "role": roles[0] if i == 0 else roles[1]}
            for i, p in enumerate(e.participants)
        ]
    return rows, participant_rows


def article_row(
    article_id: str, title: str, body: str, published: FuzzyDate, outlet_id: str | None, seed: int
) -> dict[str, Any]:
    value, precision, start, end = published
    return {
        "id": article_id,
        "title": title,
        "lead": None,
        "body": body,
        "language": "fr",
        "published_value": value,
        "published_precision": precision,
        "published_note": note(precision),
        "published_start": start,
        "published_end": end,
        "outlet_id": outlet_id,
        "source_url": None,
        "source_file": None,
        "content_hash": content_hash(body),
        "notes": f"Synthetic article (flask synth, seed {seed}).",
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
        "deleted_at": None,
    }


def mention_rows(article_id: str, mentions: Sequence[tuple[str, int, int, str]]) -> list[dict[str, Any]]:
    """The rows of an article's mentions, given as (entity id, start, end, text)."""
    return [
        {
            "id": mention_id(article_id, entity_id, start, end),
            "article_id": article_id,
            "entity_id": entity_id,
            "start": start,
            "end": end,
            "text": alias,
            "status": "verified",
        }
        for entity_id, start, end, alias in mentions
    ]


def evidence_row(event_id: str, article_id: str, body: str, start: int, end: int) -> dict[str, Any]:
    return {
        "id": evidence_id(event_id, article_id, start, end),
        "event_id": event_id,
        "article_id": article_id,
        "start": start,
        "end": end,
        "text": body[start:end],
    }


def statement_row(
    statement_id: str,
    article_id: str,
    speaker_id: str,
    kind: str,
    span: tuple[str, int, int],
    said: FuzzyDate,
    event_id: str | None,
) -> dict[str, Any]:
    """A verified statement whose words ``span`` (text, start, end) were said on ``said``."""
    text, start, end = span
    return {
        "id": statement_id,
        "article_id": article_id,
        "speaker_id": speaker_id,
        "kind": kind,
        "status": "verified",
        "text": text,
        "start": start,
        "end": end,
        "said_on_value": said[0],
        "said_on_precision": said[1],
        "said_on_note": note(said[1]),
        "said_on_start": said[2],
        "said_on_end": said[3],
        "event_id": event_id,
        "channel_id": None,
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
        "deleted_at": None,
    }


def search_document_row(doc_type: str, item_id: str, content: str, term_cache: TermCache) -> dict[str, Any]:
    return {"doc_type": doc_type, "item_id": item_id, "content": content, "terms": term_cache(content)}
