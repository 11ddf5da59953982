"""Name → entity resolution (the shape of a reconciliation service)."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.models import Entity, EntityAlias
from api.text import fold

MATCH_THRESHOLD = 0.9
MIN_SCORE = 0.5
MAX_CANDIDATE_ROWS = 5000


def _score(query: str, alias: str) -> float:
    """1.0 for the same folded spelling; else the better of string similarity and word overlap."""
    if query == alias:
        return 1.0
    similarity = SequenceMatcher(None, query, alias).ratio()
    query_words, alias_words = query.split(), alias.split()
    shared = sum(1 for word in query_words if word in alias_words)
    overlap = 0.95 * shared / max(len(query_words), len(alias_words)) if shared == len(query_words) else 0.0
    return round(max(similarity, overlap), 4)


def entity_ids_named(session: Session, names: Sequence[str]) -> list[str]:
    """Live entities one of whose spellings (or canonical name) is one of ``names``, folded."""
    folded = {fold(n) for n in names}
    stmt = (
        select(Entity.id)
        .where(
            Entity.deleted_at.is_(None),
            or_(
                Entity.id.in_(select(EntityAlias.entity_id).where(EntityAlias.normalized.in_(folded))),
                Entity.name_normalized.in_(folded),
            ),
        )
        .order_by(Entity.id)
    )
    return list(session.scalars(stmt))


def resolve_name(
    session: Session, *, name: str, types: Sequence[str] | None, limit: int
) -> list[dict[str, Any]]:
    query = fold(name)
    # any shared three-letter run makes a candidate, so a typo anywhere still finds its entity
    fragments = {w[i : i + 3] for w in query.split() for i in range(max(1, len(w) - 2))} or {query}
    stmt = (
        select(
            EntityAlias.entity_id,
            EntityAlias.alias,
            EntityAlias.normalized,
            Entity.name,
            Entity.name_normalized,
            Entity.type,
        )
        .join(Entity, Entity.id == EntityAlias.entity_id)
        .where(
            Entity.deleted_at.is_(None),
            or_(*(EntityAlias.normalized.contains(fragment, autoescape=True) for fragment in fragments)),
        )
        .limit(MAX_CANDIDATE_ROWS)
    )
    if types:
        stmt = stmt.where(Entity.type.in_(types))
    best: dict[str, dict[str, Any]] = {}
    for entity_id, alias, normalized, entity_name, name_normalized, entity_type in session.execute(stmt):
        alias_score, name_score = _score(query, normalized), _score(query, name_normalized)
        score, matched = (alias_score, alias) if alias_score >= name_score else (name_score, entity_name)
        current = best.get(entity_id)
        if current is None or score > current["score"]:
            best[entity_id] = {
                "id": entity_id,
                "name": entity_name,
                "type": entity_type,
                "score": score,
                "match": score >= MATCH_THRESHOLD,
                "matched_alias": matched,
            }
    ranked = sorted(
        (c for c in best.values() if c["score"] >= MIN_SCORE), key=lambda c: (-c["score"], c["id"])
    )
    return ranked[:limit]
