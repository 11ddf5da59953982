"""New articles in: from a text file (``flask ingest``) or a POST, with the pipeline's proposals.

The extraction pipeline (``api.extract``) reads the body; what it proposes is stored through
the same writes as a curator's (``api.writes.items``), so every proposal passes the checks a
curated row passes, with ``status: proposed`` and the pipeline's confidence. A proposal
those checks refuse is skipped and counted, never stored half-valid.

A text file is one article: an optional YAML front matter between ``---`` lines (id,
published, language, outlet, source_url, title, lead, notes), then the text, whose first
non-empty line is the title. The same text (by SHA-256) is the same article: ingesting it
again finds it and writes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import yaml
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from api import ids
from api.checks import LOCATION_TYPES
from api.collections import ARTICLES, BY_NAME
from api.errors import ClientError
from api.extract.mentions import Gazetteer
from api.extract.pipeline import extract
from api.extract.proposals import (
    UNKNOWN_SPEAKER,
    UNKNOWN_SPEAKER_NAME,
    EntityRef,
    Extraction,
    KnownEntity,
    NewEntity,
)
from api.fuzzy_dates import FuzzyDate, FuzzyDateError, interval, precision_of
from api.models import Article, Entity
from api.queries.articles import stored_article_with_text
from api.queries.entities import entity_spellings
from api.text import fold
from api.writes.items import UNCONDITIONAL, create_item, patch_item
from api.yaml_text import safe_load
from schemas.vocabulary import ENTITY_TYPES
from schemas.writes import ArticleCreateSchema

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
FRONT_MATTER_KEYS = {"id", "published", "language", "outlet", "source_url", "title", "lead", "notes"}
TITLE_LENGTH = 1000


@dataclass
class Proposed:
    """What the pipeline proposed for one article and what was stored."""

    entities: int = 0
    mentions: int = 0
    statements: int = 0
    events: int = 0
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def as_dict(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "mentions": self.mentions,
            "statements": self.statements,
            "events": self.events,
            "skipped": dict(self.skipped),
        }


def gazetteer(session: Session) -> Gazetteer:
    """Every live entity with its spellings: what the pipeline matches names against."""
    return Gazetteer(KnownEntity(*entity) for entity in entity_spellings(session))


def slug(text: str, limit: int = 80) -> str:
    """A readable id part: folded, ASCII letters and digits joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", fold(text).encode("ascii", "ignore").decode())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > limit:
            break
        out = f"{out}-{word}" if out else word
    return out or "untitled"


def _date_dict(value: FuzzyDate | None) -> dict[str, Any] | None:
    return None if value is None else {"value": value.value, "precision": value.precision, "note": value.note}


class _Store:
    """Stores one extraction's proposals for one article."""

    def __init__(self, session: Session, article: Article, actor: str) -> None:
        self.session, self.article, self.actor = session, article, actor
        self.report = Proposed()
        self.new_ids: dict[NewEntity | str, str | None] = {}

    def entity(self, ref: EntityRef | None) -> str | None:
        """The id of a referenced entity; a new name is stored as a proposed entity first,
        and so is the explicit unknown speaker when this database does not have it yet."""
        if ref == UNKNOWN_SPEAKER:
            return self._unknown_speaker()
        if ref is None or isinstance(ref, str):
            return ref
        if ref not in self.new_ids:
            self.new_ids[ref] = self._new_entity(ref)
        return self.new_ids[ref]

    def _unknown_speaker(self) -> str | None:
        if UNKNOWN_SPEAKER not in self.new_ids:
            existing = self.session.get(Entity, UNKNOWN_SPEAKER)
            if existing is not None:
                found = None if existing.deleted_at is not None else UNKNOWN_SPEAKER
            else:
                data = {
                    "id": UNKNOWN_SPEAKER,
                    "name": UNKNOWN_SPEAKER_NAME,
                    "type": "other",
                    "status": "proposed",
                    "aliases": [],
                }
                created = self._create("entities", data, 1.0)
                found = UNKNOWN_SPEAKER if created is not None else None
                self.report.entities += created is not None
            if found is None:
                self.report.skipped["entities"] += 1
            self.new_ids[UNKNOWN_SPEAKER] = found
        return self.new_ids[UNKNOWN_SPEAKER]

    def _new_entity(self, proposal: NewEntity) -> str | None:
        base = slug(proposal.name)
        for n in range(1, 50):
            candidate = base if n == 1 else f"{base}-{n}"
            existing = self.session.get(Entity, candidate)
            if existing is None:
                break
            if existing.deleted_at is None and existing.name_normalized == fold(proposal.name):
                return candidate  # proposed by an earlier article
        else:
            self.report.skipped["entities"] += 1
            return None
        data = {
            "id": candidate,
            "name": proposal.name,
            "type": proposal.type if proposal.type in ENTITY_TYPES else "other",
            "status": "proposed",
            "aliases": [{"alias": proposal.name, "language": self.article.language, "in_text": True}],
        }
        if self._create("entities", data, proposal.confidence) is None:
            return None
        self.report.entities += 1
        return candidate

    def _create(self, collection: str, data: dict[str, Any], confidence: float, **extra: Any) -> Any:
        try:  # a refused proposal writes nothing (create_item checks before it writes)
            return create_item(
                self.session,
                BY_NAME[collection],
                data=data,
                actor=self.actor,
                confidence=confidence,
                **extra,
            )
        except ClientError:
            self.report.skipped[collection] += 1
            return None

    def mentions(self, extraction: Extraction) -> None:
        resource = ARTICLES
        item = resource.fetch(self.session, self.article.id)
        assert item is not None
        current = resource.to_input(item)["mentions"]
        taken = {(m["start"], m["end"], m["entity"]) for m in current}
        confidences: dict[str, float] = {}
        for mention in extraction.mentions:
            entity_id = self.entity(mention.entity)
            if entity_id is None or (mention.start, mention.end, entity_id) in taken:
                continue
            taken.add((mention.start, mention.end, entity_id))
            current.append(
                {
                    "entity": entity_id,
                    "start": mention.start,
                    "end": mention.end,
                    "text": mention.text,
                    "status": "proposed",
                }
            )
            confidences[ids.mention_id(self.article.id, entity_id, mention.start, mention.end)] = (
                mention.confidence
            )
        if not confidences:
            return
        patch_item(
            self.session,
            resource,
            item_id=self.article.id,
            changes={"mentions": current},
            if_match=UNCONDITIONAL,
            actor=self.actor,
            child_confidence=confidences,
        )
        self.report.mentions += len(confidences)

    def statements(self, extraction: Extraction) -> None:
        for proposal in extraction.statements:
            speaker = self.entity(proposal.speaker)
            if speaker is None:
                self.report.skipped["statements"] += 1
                continue
            data = {
                "article": self.article.id,
                "kind": proposal.kind,
                "status": "proposed",
                "text": proposal.text,
                "start": proposal.start,
                "end": proposal.end,
                "speaker": speaker,
                "said_on": _date_dict(proposal.said_on),
            }
            if self._create("statements", data, proposal.confidence) is not None:
                self.report.statements += 1

    def events(self, extraction: Extraction) -> None:
        published = FuzzyDate(
            self.article.published_value,
            self.article.published_precision,
            "no date in the text: the publication date",
        )
        for proposal in extraction.events:
            location = self.entity(proposal.location)
            if location is not None and self.session.get(Entity, location).type not in LOCATION_TYPES:  # type: ignore[union-attr]
                location = None
            participants = [
                {"entity": entity_id, "role": p.role}
                for p in proposal.participants
                if (entity_id := self.entity(p.entity)) is not None
            ]
            evidence = [
                {"article": self.article.id, "start": s.start, "end": s.end, "text": s.text}
                for s in proposal.evidence
            ]
            first = proposal.evidence[0].text if proposal.evidence else proposal.trigger.text
            data = {
                "id": ids.derived_id(
                    "proposed-" + proposal.type.replace("_", "-"), self.article.id, proposal.trigger.start
                ),
                "type": proposal.type,
                "status": "proposed",
                "title": first if len(first) <= 200 else first[:199] + "…",
                "date": _date_dict(proposal.date or published),
                "location": location,
                "participants": list({(p["entity"], p["role"]): p for p in participants}.values()),
                "evidence": evidence,
            }
            if self._create("events", data, proposal.confidence) is not None:
                self.report.events += 1


def propose(session: Session, article_id: str, *, actor: str, use_ner: bool = True) -> Proposed:
    """Run the pipeline on a stored article and store what it proposes (status ``proposed``)."""
    article = session.get(Article, article_id)
    assert article is not None and article.deleted_at is None
    published, _last = interval(article.published_value, article.published_precision)
    extraction = extract(
        article.body,
        language=article.language,
        published=published,
        published_precision=article.published_precision,
        gazetteer=gazetteer(session),
        use_ner=use_ner,
    )
    store = _Store(session, article, actor)
    store.mentions(extraction)
    store.statements(extraction)
    store.events(extraction)
    return store.report


@dataclass
class Ingested:
    article_id: str
    created: bool
    proposed: Proposed | None = None
    retired: bool = False  # the text is a retired article's


def parse_text_file(text: str, *, today: date | None = None) -> dict[str, Any]:
    """The article a text file describes (the body of a POST /v1/articles), or ValueError."""
    meta: dict[str, Any] = {}
    match = FRONT_MATTER.match(text)
    if match:
        try:
            loaded = safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"the front matter is not valid YAML: {exc}") from None
        if not isinstance(loaded, dict):
            raise ValueError("the front matter must be key: value lines")
        unknown = set(loaded) - FRONT_MATTER_KEYS
        if unknown:
            raise ValueError(f"unknown front-matter keys: {', '.join(sorted(map(str, unknown)))}")
        meta = loaded
        text = text[match.end() :]
    if not text.strip():
        raise ValueError("the file has no text")
    title = meta.get("title") or next(line.strip() for line in text.splitlines() if line.strip())
    if not isinstance(title, str):
        raise ValueError("title: must be text")
    published = meta.get("published")
    if published is None:
        stamp = (today or datetime.now(UTC).date()).isoformat()
        date_value = {
            "value": stamp,
            "precision": "day",
            "note": "not stated in the file: the day it was ingested",
        }
    elif isinstance(published, dict):
        date_value = {k: str(v) if k == "value" else v for k, v in published.items()}
    else:
        value = str(published)
        try:
            date_value = {"value": value, "precision": precision_of(value)}
        except FuzzyDateError as exc:
            raise ValueError(f"published: {exc}") from exc
    article: dict[str, Any] = {
        "title": title[:TITLE_LENGTH],
        "body": text,
        "language": meta.get("language", "fr"),
        "published": date_value,
    }
    for key in ("id", "outlet", "source_url", "lead", "notes"):
        if meta.get(key) is not None:
            article[key] = meta[key]
    try:  # the same checks as a POST body; only the id may be left to ingest_article
        loaded_article: dict[str, Any] = ArticleCreateSchema(partial=("id",)).load(article)
    except ValidationError as exc:
        problems = "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in _flat(exc.messages))
        raise ValueError(f"invalid article: {problems}") from None
    return loaded_article


def _flat(messages: Any, prefix: str = "") -> list[tuple[str, list[Any]]]:
    if isinstance(messages, dict):
        return [pair for key, value in messages.items() for pair in _flat(value, f"{prefix}{key}.")]
    return [(prefix.rstrip("."), messages if isinstance(messages, list) else [messages])]


def article_id(session: Session, article: dict[str, Any]) -> str:
    """The id of an article given without one: ``a-<published>-<slug of the title>``, and 8
    characters of its text's hash when that id is taken (by another text: the same text is
    the same article)."""
    base = f"a-{article['published']['value']}-{slug(article['title'], 60)}"
    if session.get(Article, base) is None:
        return base
    return f"{base}-{ids.content_hash(article['body'])[:8]}"


def ingest_article(
    session: Session, article: dict[str, Any], *, actor: str, propose_all: bool, use_ner: bool = True
) -> Ingested:
    """Store ``article`` (a POST body without id allowed) unless its text is already stored."""
    content_hash = ids.content_hash(article["body"])
    existing = stored_article_with_text(session, content_hash=content_hash)
    if existing is not None:  # a retired one stays retired: an admin can restore it
        return Ingested(existing.id, created=False, retired=existing.deleted_at is not None)
    if "id" not in article:
        article = {**article, "id": article_id(session, article)}
    item = create_item(session, ARTICLES, data=article, actor=actor)
    proposed = propose(session, item["id"], actor=actor, use_ner=use_ner) if propose_all else None
    return Ingested(item["id"], created=True, proposed=proposed)
