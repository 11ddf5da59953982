"""GET /v1/entities/{id}/relations: links, counts, order, filters and errors, checked against the seeds.

Every expectation is computed here in plain Python from ``seed_rows``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from api import create_app
from api.checks import SeedRows
from api.db import make_engine
from api.models import Article, Entity, Event, Statement
from schemas.vocabulary import ENTITY_TYPES
from tests.helpers import assert_problem
from tests.test_lists import assert_bad_parameter

LINKS = ("events", "statements", "articles")
Links = dict[str, set[str]]  # link kind -> linking ids
Relations = dict[str, dict[str, Links]]  # entity -> related entity -> links


def seed_relations(seeds: SeedRows, deleted: frozenset[str] = frozenset()) -> Relations:
    """Who is linked to whom, and by what, among the seed rows whose id is not in ``deleted``."""
    relations: Relations = defaultdict(lambda: defaultdict(lambda: {kind: set() for kind in LINKS}))

    def link(kind: str, link_id: str, group: set[str]) -> None:
        for a, b in itertools.permutations(group - deleted, 2):
            relations[a][b][kind].add(link_id)

    involved: dict[str, set[str]] = defaultdict(set)
    for p in seeds.event_participants:
        involved[p["event_id"]].add(p["entity_id"])
    for e in seeds.events:
        if e["location_id"]:
            involved[e["id"]].add(e["location_id"])
    for event_id, group in involved.items():
        if event_id not in deleted:
            link("events", event_id, group)
    about: dict[str, set[str]] = defaultdict(set)
    for a in seeds.statement_about:
        about[a["statement_id"]].add(a["entity_id"])
    for s in seeds.statements:
        if s["id"] not in deleted:
            for subject in about[s["id"]] - {s["speaker_id"]}:
                link("statements", s["id"], {s["speaker_id"], subject})
    mentioned: dict[str, set[str]] = defaultdict(set)
    for m in seeds.mentions:
        mentioned[m["article_id"]].add(m["entity_id"])
    for article_id, group in mentioned.items():
        if article_id not in deleted:
            link("articles", article_id, group)
    return relations


def expected_body(
    seeds: SeedRows,
    relations: Relations,
    entity_id: str,
    *,
    types: tuple[str, ...] = (),
    min_total: int = 1,
    limit: int = 50,
) -> dict[str, Any]:
    entities = {e["id"]: {"id": e["id"], "type": e["type"], "name": e["name"]} for e in seeds.entities}
    rows = []
    for other, links in relations[entity_id].items():
        total = sum(len(ids) for ids in links.values())
        if total >= min_total and (not types or entities[other]["type"] in types):
            rows.append(
                {
                    "entity": entities[other],
                    "counts": {**{kind: len(links[kind]) for kind in LINKS}, "total": total},
                    **{kind: sorted(links[kind]) for kind in LINKS},
                }
            )
    rows.sort(key=lambda r: (-r["counts"]["total"], r["entity"]["id"]))
    return {"entity": entities[entity_id], "data": rows[:limit], "meta": {"count": len(rows), "limit": limit}}


@pytest.fixture(scope="module")
def relations(seed_rows: SeedRows) -> Relations:
    found = seed_relations(seed_rows)
    for kind in LINKS:
        if not any(links[kind] for related in found.values() for links in related.values()):
            pytest.fail(f"no two entities are linked by {kind} in the dataset")
    return found


def most_related(relations: Relations) -> list[str]:
    """Entity ids, the most related first (ties by id)."""
    return sorted(relations, key=lambda e: (-len(relations[e]), e))


def get_relations(
    client: FlaskClient, entity_id: str, params: list[tuple[str, str]] | None = None
) -> TestResponse:
    query = f"?{urlencode(params)}" if params else ""
    return client.get(f"/v1/entities/{entity_id}/relations{query}")


def relations_body(client: FlaskClient, entity_id: str, params: list[tuple[str, str]] | None = None) -> dict:
    response = get_relations(client, entity_id, params)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/json"
    return response.get_json()


# --------------------------------------------------------------------------------------------
# Links and counts
# --------------------------------------------------------------------------------------------


def test_every_entity_has_the_relations_of_the_seed_rows(
    client: FlaskClient, seed_rows: SeedRows, relations: Relations
) -> None:
    for entity in seed_rows.entities:
        body = relations_body(client, entity["id"], [("limit", "500")])
        assert body == expected_body(seed_rows, relations, entity["id"], limit=500), entity["id"]


def test_the_default_is_the_50_most_related(
    client: FlaskClient, seed_rows: SeedRows, relations: Relations
) -> None:
    hub = most_related(relations)[0]
    assert relations_body(client, hub) == expected_body(seed_rows, relations, hub)


def test_relations_are_symmetric_with_the_same_linking_ids(client: FlaskClient, relations: Relations) -> None:
    served = {e: relations_body(client, e, [("limit", "500")])["data"] for e in relations}
    links = {(e, r["entity"]["id"]): {k: r[k] for k in LINKS} for e, rows in served.items() for r in rows}
    for (a, b), ids in links.items():
        assert links[(b, a)] == ids, f"{a} -> {b} differs from {b} -> {a}"
    shared = [(a, b) for (a, b), ids in links.items() if ids["events"] and ids["articles"]]
    if not shared:
        pytest.fail("no two entities share both an event and an article: symmetry is not exercised")


def test_an_entity_is_never_related_to_itself(client: FlaskClient, relations: Relations) -> None:
    for entity_id in relations:
        related = {r["entity"]["id"] for r in relations_body(client, entity_id, [("limit", "500")])["data"]}
        assert entity_id not in related


def test_statement_links_go_both_ways_between_speaker_and_subject(
    client: FlaskClient, seed_rows: SeedRows
) -> None:
    about: dict[str, set[str]] = defaultdict(set)
    for a in seed_rows.statement_about:
        about[a["statement_id"]].add(a["entity_id"])
    statement = next((s for s in seed_rows.statements if about[s["id"]] - {s["speaker_id"]}), None)
    if statement is None:
        pytest.fail("no statement is about someone other than its speaker")
    speaker, subject = statement["speaker_id"], sorted(about[statement["id"]] - {statement["speaker_id"]})[0]
    for one, other in ((speaker, subject), (subject, speaker)):
        rows = relations_body(client, one, [("limit", "500")])["data"]
        linked = next(r for r in rows if r["entity"]["id"] == other)
        assert statement["id"] in linked["statements"]


# --------------------------------------------------------------------------------------------
# Filters and limit
# --------------------------------------------------------------------------------------------


def test_type_filter_keeps_related_entities_of_those_types(
    client: FlaskClient, seed_rows: SeedRows, relations: Relations
) -> None:
    hub = most_related(relations)[0]
    types = sorted({r["entity"]["type"] for r in expected_body(seed_rows, relations, hub, limit=500)["data"]})
    if len(types) < 2:
        pytest.fail(f"{hub} is related to a single type of entity: the type filter is not exercised")
    for chosen in [(t,) for t in types] + [tuple(types[:2])]:
        params = [("type", t) for t in chosen] + [("limit", "500")]
        assert relations_body(client, hub, params) == expected_body(
            seed_rows, relations, hub, types=chosen, limit=500
        )


def test_min_total_keeps_the_most_linked(
    client: FlaskClient, seed_rows: SeedRows, relations: Relations
) -> None:
    hub = most_related(relations)[0]
    totals = sorted({sum(map(len, links.values())) for links in relations[hub].values()})
    if len(totals) < 2:
        pytest.fail(f"every entity related to {hub} has the same total: min_total is not exercised")
    for min_total in [*totals, totals[-1] + 1]:
        params = [("min_total", str(min_total)), ("limit", "500")]
        body = relations_body(client, hub, params)
        assert body == expected_body(seed_rows, relations, hub, min_total=min_total, limit=500)
        assert all(r["counts"]["total"] >= min_total for r in body["data"])


def test_limit_keeps_the_first_of_the_order_and_count_says_how_many_match(
    client: FlaskClient, seed_rows: SeedRows, relations: Relations
) -> None:
    hub = most_related(relations)[0]
    everything = expected_body(seed_rows, relations, hub, limit=500)
    if everything["meta"]["count"] < 3:
        pytest.fail(f"{hub} has fewer than three relations: limit is not exercised")
    for limit in (1, 2, everything["meta"]["count"] - 1):
        body = relations_body(client, hub, [("limit", str(limit))])
        assert body["data"] == everything["data"][:limit]
        assert body["meta"] == {"count": everything["meta"]["count"], "limit": limit}


def test_filters_combine(client: FlaskClient, seed_rows: SeedRows, relations: Relations) -> None:
    hub = most_related(relations)[0]
    params = [("type", ENTITY_TYPES[0]), ("type", "country"), ("min_total", "2"), ("limit", "3")]
    assert relations_body(client, hub, params) == expected_body(
        seed_rows, relations, hub, types=(ENTITY_TYPES[0], "country"), min_total=2, limit=3
    )


# --------------------------------------------------------------------------------------------
# Soft-deleted rows
# --------------------------------------------------------------------------------------------


def retirement_plan(seeds: SeedRows, relations: Relations) -> tuple[str, list[tuple[Any, str]]]:
    """The most related entity linked by statements both as speaker and as subject, and what to
    soft-delete around it: one linking event, article, statement it made and statement about it,
    and its most related entity."""
    for hub in most_related(relations):
        related = relations[hub]
        linking = {i for links in related.values() for kind in LINKS for i in links[kind]}
        spoken = [s["id"] for s in seeds.statements if s["speaker_id"] == hub and s["id"] in linking]
        heard = [s["id"] for s in seeds.statements if s["speaker_id"] != hub and s["id"] in linking]
        events = [i for links in related.values() for i in links["events"]]
        articles = [i for links in related.values() for i in links["articles"]]
        if spoken and heard and events and articles:
            closest = min(related, key=lambda e: (-sum(map(len, related[e].values())), e))
            return hub, [
                (Event, min(events)),
                (Article, min(articles)),
                (Statement, min(spoken)),
                (Statement, min(heard)),
                (Entity, closest),
            ]
    pytest.fail("no entity is linked by events, articles and statements both as speaker and subject")


@pytest.fixture(scope="module")
def retired(
    new_seeded_url: Callable[[], str], seed_rows: SeedRows, relations: Relations
) -> Iterator[tuple[FlaskClient, str, set[str]]]:
    """A client on a seeded database where the rows of ``retirement_plan`` are soft-deleted; the
    entity they surround; their ids."""
    hub, chosen = retirement_plan(seed_rows, relations)
    url = new_seeded_url()
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for model, item_id in chosen:
            session.execute(update(model).where(model.id == item_id).values(deleted_at=datetime.now(UTC)))
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    yield app.test_client(), hub, {item_id for _, item_id in chosen}
    app.extensions["veille.engine"].dispose()


def test_soft_deleted_events_statements_articles_and_entities_never_link(
    retired: tuple[FlaskClient, str, set[str]], seed_rows: SeedRows, relations: Relations
) -> None:
    client, hub, deleted = retired
    remaining = seed_relations(seed_rows, frozenset(deleted))
    body = relations_body(client, hub, [("limit", "500")])
    assert body == expected_body(seed_rows, remaining, hub, limit=500)
    served_ids = {i for r in body["data"] for i in [r["entity"]["id"], *(x for k in LINKS for x in r[k])]}
    assert not served_ids & deleted
    assert body != expected_body(seed_rows, relations, hub, limit=500)


def test_a_soft_deleted_entity_is_a_404(
    retired: tuple[FlaskClient, str, set[str]], seed_rows: SeedRows
) -> None:
    client, _hub, deleted = retired
    entity = next(e["id"] for e in seed_rows.entities if e["id"] in deleted)
    assert_problem(get_relations(client, entity), 404)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def test_unknown_entity_is_a_404_naming_it(client: FlaskClient) -> None:
    body = assert_problem(get_relations(client, "no-such-entity"), 404)
    assert "no-such-entity" in body["detail"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("limit", "0"),
        ("limit", "501"),
        ("limit", "abc"),
        ("min_total", "0"),
        ("min_total", "-1"),
        ("min_total", "1.5"),
        ("type", "human"),
        ("type", ""),
    ],
)
def test_invalid_value_is_a_400(
    client: FlaskClient, relations: Relations, parameter: str, value: str
) -> None:
    assert_bad_parameter(get_relations(client, most_related(relations)[0], [(parameter, value)]), parameter)


@pytest.mark.parametrize("parameter", ["cursor", "q", "sort", "nonsense"])
def test_unknown_parameter_is_a_400_listing_the_allowed_ones(
    client: FlaskClient, relations: Relations, parameter: str
) -> None:
    body = assert_bad_parameter(
        get_relations(client, most_related(relations)[0], [(parameter, "1")]), parameter
    )
    assert all(name in body["detail"] for name in ("type", "min_total", "limit"))


@pytest.mark.parametrize("parameter", ["limit", "min_total"])
def test_a_single_valued_parameter_given_twice_is_a_400(
    client: FlaskClient, relations: Relations, parameter: str
) -> None:
    params = [(parameter, "1"), (parameter, "2")]
    assert_bad_parameter(get_relations(client, most_related(relations)[0], params), parameter)


def test_a_min_total_beyond_any_count_is_a_400_not_an_overflow(client: FlaskClient) -> None:
    response = client.get("/v1/entities/belarus/relations?min_total=152580894220367101952")
    assert_bad_parameter(response, "min_total")
