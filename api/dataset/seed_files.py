"""Read the curated dataset in ``seeds/`` into plain rows (no database), checked by ``api.checks``.

Every problem found is collected with the file and the place it was found, so a curator
sees all of them at once; any problem means nothing is loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from api.checks import (
    ARTICLE_KEYS,
    Checker,
    SeedRows,
    read_article,
    read_entity,
    read_event,
    read_statement,
)
from api.yaml_text import safe_load


class SeedError(Exception):
    """The seeds are invalid; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the seeds:\n" + "\n".join(problems))
        self.problems = problems


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

    bodies: dict[str, str] = {}
    article_statements: list[tuple[str, str, dict[str, Any]]] = []
    article_files = sorted((seeds_dir / "articles").glob("*.yaml"))
    if not article_files:
        check.fail(str(seeds_dir / "articles"), "no article annotation files found")
    for path in article_files:
        _read_article(path, seeds_dir, check, rows, entity_types, bodies, article_statements)

    event_types = _read_events(seeds_dir / "events.yaml", check, rows, entity_types, bodies)

    seen_statements: set[str] = set()
    for where, article_id, item in article_statements:
        statement_id = read_statement(
            where,
            article_id,
            item,
            check,
            rows,
            article_body=bodies.get,
            entity_type=entity_types.get,
            event_type=event_types.get,
        )
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


def _read_listed(
    path: Path, check: Checker, noun: str, plural: str, read: Callable[[str, Any], bool]
) -> dict[str, str]:
    """A file holding a list of items with ids (entities, events): id → type of each valid one."""
    data = _load_yaml(path, check)
    types: dict[str, str] = {}
    if not isinstance(data, list):
        check.fail(str(path), f"expected a list of {plural}")
        return types
    for index, item in enumerate(data):
        named = isinstance(item, dict) and item.get("id") not in (None, "")
        where = f"{path.name}[{item['id'] if named else index}]"
        if named and item["id"] in types:
            check.fail(where, f"duplicate {noun} id")
            continue
        if read(where, item):
            types[item["id"]] = item["type"]
    return types


def _read_entities(path: Path, check: Checker, rows: SeedRows) -> dict[str, str]:
    return _read_listed(
        path, check, "entity", "entities", lambda where, item: read_entity(where, item, check, rows)
    )


def _read_article(
    path: Path,
    seeds_dir: Path,
    check: Checker,
    rows: SeedRows,
    entity_types: dict[str, str],
    bodies: dict[str, str],
    article_statements: list[tuple[str, str, dict[str, Any]]],
) -> None:
    item = _load_yaml(path, check)
    where = path.name
    if not check.keys(where, item, ARTICLE_KEYS, ("id", "file", "title", "language", "published")):
        return
    article_id = item["id"]
    check.slug(where, article_id)
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
    read_article(where, item, body, check, rows, entity_type=entity_types.get, source_file=item["file"])
    # checked once every event is known (a statement may name one)
    for index, statement in enumerate(item.get("statements") or []):
        article_statements.append((f"{where}.statements[{index}]", article_id, statement))


def _read_events(
    path: Path,
    check: Checker,
    rows: SeedRows,
    entity_types: dict[str, str],
    bodies: dict[str, str],
) -> dict[str, str]:
    return _read_listed(
        path,
        check,
        "event",
        "events",
        lambda where, item: read_event(
            where, item, check, rows, entity_type=entity_types.get, article_body=bodies.get
        ),
    )
