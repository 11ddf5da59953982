"""The one validator of items: an entity, an article with its mentions and terms, a statement,
an event with its participants and evidence.

The seed files (``api.dataset.seed_files``), the write API (``api.writes.items``) and ingest
(through the writes) all check an item here, so the API cannot store what ``flask seed``
would refuse. Every problem is collected with the place it was found, so a curator sees all
of them at once. The checks run no SQL: what a reference may name is given as a lookup
(a dict's ``get`` for the seeds, ``api.queries.lookups`` for live rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from api import ids
from api.collections import EVENTS, STATEMENTS, Collection
from api.fuzzy_dates import FuzzyDateError, interval
from api.queries.shapes import PLAIN
from api.text import fold
from schemas.vocabulary import ENTITY_TYPES, EVENT_TYPES, STATEMENT_KINDS, STATUSES

# id → a value of the item it names (an entity's type, an article's body), None when there
# is no such item
Lookup = Callable[[Any], Any]


@dataclass
class SeedRows:
    """Rows per table, as the checks build them: the seeds' whole dataset, or one written item."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    entity_aliases: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    article_cited_outlets: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    event_participants: list[dict[str, Any]] = field(default_factory=list)
    event_evidence: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    statement_about: list[dict[str, Any]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)
    digest: str = ""


ENTITY_KEYS = {"id", "name", "type", "description", "wikidata", "aliases", "status"}
ALIAS_KEYS = {"alias", "language", "in_text"}
ARTICLE_KEYS = {
    "id",
    "file",
    "title",
    "lead",
    "language",
    "published",
    "outlet",
    "cited_outlets",
    "source_url",
    "notes",
    "mentions",
    "statements",
    "terms",
}
SPAN_KEYS = {"start", "end", "text"}
# a statement's article is where it is: the file it is listed in, or the URL it is written to
STATEMENT_KEYS = set(STATEMENTS.input_fields) - {"article"}
TERM_KEYS = {"start", "end", "text", "reason"}
EVENT_KEYS = {"id", *EVENTS.input_fields}
MENTION_KEYS = {*SPAN_KEYS, "entity", "status"}
DATE_KEYS = {"value", "precision", "note"}
LOCATION_TYPES = ("place", "country")
# the fields of a statement that the checks below read and store themselves
STATEMENT_RULES = {
    "kind",
    "status",
    "text",
    "article",
    "start",
    "end",
    "speaker",
    "said_on",
    "about",
    "event",
    "channel",
}


def stored_as_given(collection: Collection, item: Any, rules: set[str]) -> dict[str, Any]:
    """The plain fields a collection declares that no check here has a rule for, by column:
    a new optional field (a note, a flag) is stored as the item gives it. Its type and
    length are the write schema's to check (schemas/writes.py)."""
    return {
        f.column or f.name: item.get(f.name)
        for f in collection.fields
        if f.written and f.kind == PLAIN and f.name not in rules
    }


class Checker:
    """Collects problems while rows are built."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []  # (where, message)

    @property
    def problems(self) -> list[str]:
        return [f"{where}: {message}" for where, message in self.found]

    def by_place(self) -> dict[str, list[str]]:
        """The messages per place; a problem with the item as a whole is under ``_schema``."""
        places: dict[str, list[str]] = {}
        for where, message in self.found:
            places.setdefault(where or "_schema", []).append(message)
        return places

    def fail(self, where: str, message: str) -> None:
        self.found.append((where, message))

    def one_of(self, where: str, name: str, value: Any, allowed: tuple[str, ...]) -> bool:
        if value not in allowed:
            self.fail(where, f"{name} must be one of {', '.join(allowed)}")
            return False
        return True

    def slug(self, where: str, value: Any) -> None:
        if not ids.SLUG.match(str(value)):
            self.fail(where, "id must be a lowercase slug (a-z, 0-9, hyphens)")

    def status(self, where: str, item: dict[str, Any]) -> str:
        value = item.get("status", "verified")
        self.one_of(where, "status", value, STATUSES)
        return str(value)

    def keys(self, where: str, item: Any, allowed: set[str], required: Iterable[str]) -> bool:
        if not isinstance(item, dict):
            self.fail(where, f"expected a mapping, got {type(item).__name__}")
            return False
        for key in sorted(set(item) - allowed):
            self.fail(where, f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
        ok = True
        for key in required:
            if item.get(key) in (None, ""):
                self.fail(where, f"missing required key {key!r}")
                ok = False
        return ok

    def fuzzy_date(self, where: str, raw: Any, column: str) -> dict[str, Any] | None:
        if raw is None:
            return None
        if not self.keys(where, raw, DATE_KEYS, ("value", "precision")):
            return None
        value, precision = str(raw["value"]), raw["precision"]
        try:
            first, last = interval(value, precision)
        except FuzzyDateError as exc:
            self.fail(where, str(exc))
            return None
        return {
            f"{column}_value": value,
            f"{column}_precision": precision,
            f"{column}_note": raw.get("note"),
            f"{column}_start": first,
            f"{column}_end": last,
        }

    def span(self, where: str, item: dict[str, Any], body: str) -> bool:
        start, end, text = item.get("start"), item.get("end"), item.get("text")
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(text, str)):
            self.fail(where, "start and end must be integers and text a string")
            return False
        if not 0 <= start < end <= len(body):
            self.fail(where, f"span {start}..{end} is outside the body (length {len(body)})")
            return False
        if body[start:end] != text:
            self.fail(
                where,
                f"text {text!r} is not at {start}..{end}; the body has {body[start:end]!r} there",
            )
            return False
        return True

    def ref(self, where: str, kind: str, value: Any, known: Lookup) -> bool:
        if known(value) is None:
            self.fail(where, f"unknown {kind} {value!r}")
            return False
        return True


def _dot(where: str) -> str:
    """``where`` as the prefix of a nested place (the write API's top level is the empty string)."""
    return f"{where}." if where else ""


def read_entity(where: str, item: Any, check: Checker, rows: SeedRows) -> bool:
    """One entity and its aliases into ``rows``; False when it cannot be read at all."""
    if not check.keys(where, item, ENTITY_KEYS, ("id", "name", "type")):
        return False
    entity_id = item["id"]
    check.slug(where, entity_id)
    check.one_of(where, "type", item["type"], ENTITY_TYPES)
    rows.entities.append(
        {
            "id": entity_id,
            "name": item["name"],
            "name_normalized": fold(item["name"]),
            "type": item["type"],
            "description": item.get("description"),
            "wikidata": item.get("wikidata"),
            "status": check.status(where, item),
        }
    )
    seen_aliases: set[tuple[str, str]] = set()
    for alias_index, alias in enumerate(item.get("aliases") or []):
        alias_where = f"{_dot(where)}aliases[{alias_index}]"
        if not check.keys(alias_where, alias, ALIAS_KEYS, ("alias", "language")):
            continue
        key = (alias["alias"], alias["language"])
        if key in seen_aliases:
            check.fail(alias_where, f"duplicate alias {alias['alias']!r}")
            continue
        seen_aliases.add(key)
        rows.entity_aliases.append(
            {
                "entity_id": entity_id,
                "alias": alias["alias"],
                "language": alias["language"],
                "in_text": bool(alias.get("in_text", False)),
                "normalized": fold(alias["alias"]),
            }
        )
    return True


def read_article(
    where: str,
    item: dict[str, Any],
    body: str,
    check: Checker,
    rows: SeedRows,
    *,
    entity_type: Lookup,
    source_file: str | None,
) -> None:
    """An article's row, cited outlets, mentions and terms into ``rows``, every span checked
    against ``body``."""
    article_id = item["id"]
    for key in ("title", "lead"):
        if item.get(key) and item[key] not in body:
            check.fail(f"{_dot(where)}{key}", f"{key} does not occur verbatim in the body")
    published = check.fuzzy_date(f"{_dot(where)}published", item["published"], "published")
    if item.get("outlet") is not None:
        check.ref(f"{_dot(where)}outlet", "entity", item["outlet"], entity_type)
    cited = item.get("cited_outlets") or []
    for outlet in cited:
        if check.ref(f"{_dot(where)}cited_outlets", "entity", outlet, entity_type):
            rows.article_cited_outlets.append({"article_id": article_id, "entity_id": outlet})
    if published is not None:
        rows.articles.append(
            {
                "id": article_id,
                "title": item["title"],
                "lead": item.get("lead"),
                "body": body,
                "language": item["language"],
                **published,
                "outlet_id": item.get("outlet"),
                "source_url": item.get("source_url"),
                "source_file": source_file,
                "content_hash": ids.content_hash(body),
                "notes": item.get("notes"),
            }
        )
    seen_mentions: set[str] = set()
    for index, mention in enumerate(item.get("mentions") or []):
        mention_where = f"{_dot(where)}mentions[{index}]"
        if not check.keys(mention_where, mention, MENTION_KEYS, ("entity",)):
            continue
        if not check.ref(mention_where, "entity", mention["entity"], entity_type):
            continue
        if not check.span(mention_where, mention, body):
            continue
        mention_id = ids.mention_id(article_id, mention["entity"], mention["start"], mention["end"])
        if mention_id in seen_mentions:
            check.fail(mention_where, "duplicate mention")
            continue
        seen_mentions.add(mention_id)
        rows.mentions.append(
            {
                "id": mention_id,
                "article_id": article_id,
                "entity_id": mention["entity"],
                "start": mention["start"],
                "end": mention["end"],
                "text": mention["text"],
                "status": check.status(mention_where, mention),
            }
        )
    for index, term in enumerate(item.get("terms") or []):
        term_where = f"{_dot(where)}terms[{index}]"
        if check.keys(term_where, term, TERM_KEYS, ("reason",)) and check.span(term_where, term, body):
            rows.terms.append({"article_id": article_id, **term})


def read_statement(
    where: str,
    article_id: str,
    item: Any,
    check: Checker,
    rows: SeedRows,
    *,
    article_body: Lookup,
    entity_type: Lookup,
    event_type: Lookup,
) -> str | None:
    """A statement of the article ``article_id`` and its ``about`` links into ``rows``; its id,
    or None when it is invalid (nothing else is checked when the article is unknown)."""
    if not check.ref(f"{_dot(where)}article", "article", article_id, article_body):
        return None
    if not check.keys(where, item, STATEMENT_KEYS, ("kind", "speaker")):
        return None
    ok = check.span(f"{_dot(where)}text", item, article_body(article_id))
    ok &= check.ref(f"{_dot(where)}speaker", "speaker entity", item["speaker"], entity_type)
    ok &= check.one_of(f"{_dot(where)}kind", "kind", item["kind"], STATEMENT_KINDS)
    if item.get("event") is not None:
        ok &= check.ref(f"{_dot(where)}event", "event", item["event"], event_type)
    if item.get("channel") is not None:
        ok &= check.ref(f"{_dot(where)}channel", "channel entity", item["channel"], entity_type)
    about = item.get("about") or []
    for entity in about:
        ok &= check.ref(f"{_dot(where)}about", "entity", entity, entity_type)
    if len(set(about)) != len(about):
        check.fail(f"{_dot(where)}about", "an entity is listed twice")
        ok = False
    said_on = check.fuzzy_date(f"{_dot(where)}said_on", item.get("said_on"), "said_on")
    if item.get("said_on") is not None and said_on is None:
        ok = False
    if not ok:
        return None
    statement_id = ids.statement_id(article_id, item["start"], item["end"])
    rows.statements.append(
        {
            "id": statement_id,
            "article_id": article_id,
            "speaker_id": item["speaker"],
            "kind": item["kind"],
            "status": check.status(where, item),
            "text": item["text"],
            "start": item["start"],
            "end": item["end"],
            **(
                said_on
                or {
                    "said_on_value": None,
                    "said_on_precision": None,
                    "said_on_note": None,
                    "said_on_start": None,
                    "said_on_end": None,
                }
            ),
            "event_id": item.get("event"),
            "channel_id": item.get("channel"),
            **stored_as_given(STATEMENTS, item, STATEMENT_RULES),
        }
    )
    rows.statement_about.extend({"statement_id": statement_id, "entity_id": e} for e in about)
    return statement_id


def read_event(
    where: str,
    item: Any,
    check: Checker,
    rows: SeedRows,
    *,
    entity_type: Lookup,
    article_body: Lookup,
) -> bool:
    """An event, its participants and evidence spans into ``rows``; False when it cannot be read."""
    if not check.keys(where, item, EVENT_KEYS, ("id", "type", "title", "date")):
        return False
    event_id = item["id"]
    check.slug(where, event_id)
    check.one_of(where, "type", item["type"], EVENT_TYPES)
    location = item.get("location")
    if (
        location is not None
        and check.ref(f"{_dot(where)}location", "location entity", location, entity_type)
        and entity_type(location) not in LOCATION_TYPES
    ):
        check.fail(
            f"{_dot(where)}location", f"location {location!r} is a {entity_type(location)}, not a place"
        )
    planned = item.get("planned", False)
    if not isinstance(planned, bool):
        check.fail(f"{_dot(where)}planned", "planned must be true or false")
    date = check.fuzzy_date(f"{_dot(where)}date", item["date"], "date")
    if date is not None:
        rows.events.append(
            {
                "id": event_id,
                "type": item["type"],
                "title": item["title"],
                "summary": item.get("summary"),
                **date,
                "location_id": location,
                "planned": planned is True,
                "status": check.status(where, item),
            }
        )
    seen_roles: set[tuple[str, str]] = set()
    for p_index, participant in enumerate(item.get("participants") or []):
        p_where = f"{_dot(where)}participants[{p_index}]"
        if not check.keys(p_where, participant, {"entity", "role"}, ("entity", "role")):
            continue
        if not check.ref(p_where, "entity", participant["entity"], entity_type):
            continue
        key = (participant["entity"], participant["role"])
        if key in seen_roles:
            check.fail(p_where, "participant listed twice with the same role")
            continue
        seen_roles.add(key)
        rows.event_participants.append(
            {"event_id": event_id, "entity_id": participant["entity"], "role": participant["role"]}
        )
    evidence = item.get("evidence") or []
    if not evidence:
        check.fail(f"{_dot(where)}evidence", "an event needs at least one evidence span")
    for e_index, span in enumerate(evidence):
        e_where = f"{_dot(where)}evidence[{e_index}]"
        if not check.keys(e_where, span, SPAN_KEYS | {"article"}, ("article",)):
            continue
        if not check.ref(e_where, "article", span["article"], article_body):
            continue
        if not check.span(e_where, span, article_body(span["article"])):
            continue
        rows.event_evidence.append(
            {
                "id": ids.evidence_id(event_id, span["article"], span["start"], span["end"]),
                "event_id": event_id,
                "article_id": span["article"],
                "start": span["start"],
                "end": span["end"],
                "text": span["text"],
            }
        )
    return True
