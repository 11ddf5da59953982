"""Read and validate the curated dataset in ``seeds/`` into plain rows (no database).

Every problem found is collected with the file and the place it was found, so a curator
sees all of them at once; any problem means nothing is loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from api import ids
from api.fuzzy_dates import FuzzyDateError, interval
from api.text import fold
from schemas.vocabulary import ENTITY_TYPES, EVENT_TYPES, STATEMENT_KINDS, STATUSES


class SeedError(Exception):
    """The seeds are invalid; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the seeds:\n" + "\n".join(problems))
        self.problems = problems


@dataclass
class SeedRows:
    """Rows per table, ready to be synchronised with the database."""

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
STATEMENT_KEYS = {"kind", "speaker", "text", "start", "end", "said_on", "about", "event", "channel", "status"}
TERM_KEYS = {"start", "end", "text", "reason"}
EVENT_KEYS = {
    "id",
    "type",
    "title",
    "summary",
    "date",
    "location",
    "planned",
    "participants",
    "evidence",
    "status",
}
MENTION_KEYS = {*SPAN_KEYS, "entity", "status"}
DATE_KEYS = {"value", "precision", "note"}
LOCATION_TYPES = ("place", "country")


class Checker:
    """Collects problems while rows are built: the seed loader and the write API share it."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []  # (where, message)

    @property
    def problems(self) -> list[str]:
        return [f"{where}: {message}" for where, message in self.found]

    def fail(self, where: str, message: str) -> None:
        self.found.append((where, message))

    def status(self, where: str, item: dict[str, Any]) -> str:
        value = item.get("status", "verified")
        if value not in STATUSES:
            self.fail(where, f"status must be one of {', '.join(STATUSES)}")
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

    def ref(self, where: str, kind: str, value: Any, known: Container[str]) -> bool:
        if value not in known:
            self.fail(where, f"unknown {kind} {value!r}")
            return False
        return True


def _dot(where: str) -> str:
    """``where`` as the prefix of a nested place (the write API's top level is the empty string)."""
    return f"{where}." if where else ""


# libyaml's parser (PyYAML's wheels include it) with PyYAML's safe constructor: the same
# objects as yaml.safe_load, several times faster (most of `flask seed` was YAML parsing)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=SafeLoader)


def _load_yaml(path: Path, check: Checker) -> Any:
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        check.fail(str(path), f"cannot read YAML: {exc}")
        return None


def read_seeds(seeds_dir: Path) -> SeedRows:
    """Parse and validate every seed file; raise :class:`SeedError` listing all problems."""
    check = Checker()
    rows = SeedRows()
    digest = hashlib.sha256()

    entity_types = _read_entities(seeds_dir / "entities.yaml", check, rows)
    entity_ids = set(entity_types)

    bodies: dict[str, str] = {}
    article_statements: list[tuple[str, str, dict[str, Any]]] = []
    article_files = sorted((seeds_dir / "articles").glob("*.yaml"))
    if not article_files:
        check.fail(str(seeds_dir / "articles"), "no article annotation files found")
    for path in article_files:
        _read_article(path, seeds_dir, check, rows, entity_ids, bodies, article_statements)

    event_ids = _read_events(seeds_dir / "events.yaml", check, rows, entity_types, bodies)

    seen_statements: set[str] = set()
    for where, article_id, item in article_statements:
        statement_id = read_statement(where, article_id, item, check, rows, entity_ids, event_ids, bodies)
        if statement_id is None:
            continue
        if statement_id in seen_statements:
            check.fail(where, "duplicate statement span")
        seen_statements.add(statement_id)

    if check.problems:
        raise SeedError(check.problems)

    for path in [seeds_dir / "entities.yaml", seeds_dir / "events.yaml", *article_files]:
        digest.update(path.read_bytes())
    for article_id in sorted(bodies):
        digest.update(bodies[article_id].encode())
    rows.digest = digest.hexdigest()
    return rows


def _read_entities(path: Path, check: Checker, rows: SeedRows) -> dict[str, str]:
    data = _load_yaml(path, check)
    types: dict[str, str] = {}
    if not isinstance(data, list):
        check.fail(str(path), "expected a list of entities")
        return types
    for index, item in enumerate(data):
        named = isinstance(item, dict) and item.get("id") not in (None, "")
        where = f"{path.name}[{item['id'] if named else index}]"
        if named and item["id"] in types:
            check.fail(where, "duplicate entity id")
            continue
        if read_entity(where, item, check, rows):
            types[item["id"]] = item["type"]
    return types


def read_entity(where: str, item: Any, check: Checker, rows: SeedRows) -> bool:
    """One entity and its aliases into ``rows``; False when it cannot be read at all."""
    if not check.keys(where, item, ENTITY_KEYS, ("id", "name", "type")):
        return False
    entity_id = item["id"]
    if not ids.SLUG.match(str(entity_id)):
        check.fail(where, "id must be a lowercase slug (a-z, 0-9, hyphens)")
    if item["type"] not in ENTITY_TYPES:
        check.fail(where, f"type must be one of {', '.join(ENTITY_TYPES)}")
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


def _read_article(
    path: Path,
    seeds_dir: Path,
    check: Checker,
    rows: SeedRows,
    entity_ids: set[str],
    bodies: dict[str, str],
    article_statements: list[tuple[str, str, dict[str, Any]]],
) -> None:
    item = _load_yaml(path, check)
    where = path.name
    if not check.keys(where, item, ARTICLE_KEYS, ("id", "file", "title", "language", "published")):
        return
    article_id = item["id"]
    if not ids.SLUG.match(str(article_id)):
        check.fail(where, "id must be a lowercase slug (a-z, 0-9, hyphens)")
    if article_id in bodies:
        check.fail(where, f"duplicate article id {article_id!r}")
        return
    text_path = seeds_dir / "texts" / item["file"]
    try:
        with text_path.open(encoding="utf-8", newline="") as handle:
            body = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        check.fail(where, f"cannot read the article text {item['file']!r}: {exc}")
        return
    bodies[article_id] = body
    read_article(where, item, body, check, rows, entity_ids, source_file=item["file"])
    for index, statement in enumerate(item.get("statements") or []):
        article_statements.append((f"{_dot(where)}statements[{index}]", article_id, statement))
    for index, term in enumerate(item.get("terms") or []):
        term_where = f"{_dot(where)}terms[{index}]"
        if check.keys(term_where, term, TERM_KEYS, ("reason",)) and check.span(term_where, term, body):
            rows.terms.append({"article_id": article_id, **term})


def read_article(
    where: str,
    item: dict[str, Any],
    body: str,
    check: Checker,
    rows: SeedRows,
    entity_ids: Container[str],
    *,
    source_file: str | None,
) -> None:
    """An article's row, cited outlets and mentions into ``rows``, every span checked against ``body``."""
    article_id = item["id"]
    for key in ("title", "lead"):
        if item.get(key) and item[key] not in body:
            check.fail(f"{_dot(where)}{key}", f"{key} does not occur verbatim in the body")
    published = check.fuzzy_date(f"{_dot(where)}published", item["published"], "published")
    if item.get("outlet") is not None:
        check.ref(f"{_dot(where)}outlet", "entity", item["outlet"], entity_ids)
    cited = item.get("cited_outlets") or []
    for outlet in cited:
        if check.ref(f"{_dot(where)}cited_outlets", "entity", outlet, entity_ids):
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
        if not check.ref(mention_where, "entity", mention["entity"], entity_ids):
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


def read_statement(
    where: str,
    article_id: str,
    item: Any,
    check: Checker,
    rows: SeedRows,
    entity_ids: Container[str],
    event_ids: Container[str],
    bodies: Mapping[str, str],
) -> str | None:
    """A statement and its ``about`` links into ``rows``; its id, or None when it is invalid."""
    if not check.keys(where, item, STATEMENT_KEYS, ("kind", "speaker")):
        return None
    ok = check.span(f"{_dot(where)}text", item, bodies[article_id])
    ok &= check.ref(f"{_dot(where)}speaker", "speaker entity", item["speaker"], entity_ids)
    if item["kind"] not in STATEMENT_KINDS:
        check.fail(f"{_dot(where)}kind", f"kind must be one of {', '.join(STATEMENT_KINDS)}")
        ok = False
    if item.get("event") is not None:
        ok &= check.ref(f"{_dot(where)}event", "event", item["event"], event_ids)
    if item.get("channel") is not None:
        ok &= check.ref(f"{_dot(where)}channel", "channel entity", item["channel"], entity_ids)
    about = item.get("about") or []
    for entity in about:
        ok &= check.ref(f"{_dot(where)}about", "entity", entity, entity_ids)
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
        }
    )
    rows.statement_about.extend({"statement_id": statement_id, "entity_id": e} for e in about)
    return statement_id


def _read_events(
    path: Path,
    check: Checker,
    rows: SeedRows,
    entity_types: dict[str, str],
    bodies: dict[str, str],
) -> set[str]:
    data = _load_yaml(path, check)
    event_ids: set[str] = set()
    if not isinstance(data, list):
        check.fail(str(path), "expected a list of events")
        return event_ids
    for index, item in enumerate(data):
        named = isinstance(item, dict) and item.get("id") not in (None, "")
        where = f"{path.name}[{item['id'] if named else index}]"
        if named and item["id"] in event_ids:
            check.fail(where, "duplicate event id")
            continue
        if read_event(where, item, check, rows, entity_types, bodies):
            event_ids.add(item["id"])
    return event_ids


def read_event(
    where: str,
    item: Any,
    check: Checker,
    rows: SeedRows,
    entity_types: Mapping[str, str],
    bodies: Mapping[str, str],
) -> bool:
    """An event, its participants and evidence spans into ``rows``; False when it cannot be read."""
    if not check.keys(where, item, EVENT_KEYS, ("id", "type", "title", "date")):
        return False
    event_id = item["id"]
    if not ids.SLUG.match(str(event_id)):
        check.fail(where, "id must be a lowercase slug (a-z, 0-9, hyphens)")
    if item["type"] not in EVENT_TYPES:
        check.fail(where, f"type must be one of {', '.join(EVENT_TYPES)}")
    location = item.get("location")
    if (
        location is not None
        and check.ref(f"{_dot(where)}location", "location entity", location, entity_types)
        and entity_types[location] not in LOCATION_TYPES
    ):
        check.fail(
            f"{_dot(where)}location", f"location {location!r} is a {entity_types[location]}, not a place"
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
        if not check.ref(p_where, "entity", participant["entity"], entity_types):
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
        if not check.ref(e_where, "article", span["article"], bodies):
            continue
        if not check.span(e_where, span, bodies[span["article"]]):
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
