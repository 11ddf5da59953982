"""``flask synth``: synthetic data that keeps every invariant of the real dataset."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api import create_app
from api.cli.synth import DEFAULT_SEED, SEARCH_TERMS
from api.cli.synth.loading import synth_digest
from api.cli.synth.vocabulary import ADJECTIVES, NOUNS, RARE_NOUNS, VERBS
from api.fuzzy_dates import interval
from api.ids import content_hash, evidence_id, mention_id, statement_id
from api.models import (
    Article,
    DatasetState,
    Entity,
    EntityAlias,
    Event,
    EventEvidence,
    EventParticipant,
    Mention,
    Revision,
    SearchDocument,
    Statement,
    StatementAbout,
)
from api.search_text import terms
from api.text import fold
from api.writes.search_index import sync_search_index
from tests.conftest import Databases
from tests.helpers import close_app, load_seeds, snapshot

N = 50


def run_synth(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["synth", *args])


@pytest.fixture(scope="module")
def synth_app(databases: Databases) -> Iterator[Flask]:
    """A fresh database (not even migrated) filled by ``flask synth --articles 50``."""
    app = create_app({"DATABASE_URL": databases.create(), "TESTING": True, "RATELIMIT_ENABLED": False})
    result = run_synth(app, "--articles", str(N))
    assert result.exit_code == 0, result.output
    yield app
    close_app(app)


@pytest.fixture
def session(synth_app: Flask) -> Iterator[Session]:
    with Session(synth_app.extensions["veille.engine"]) as session:
        yield session


@pytest.fixture
def synth_client(synth_app: Flask) -> FlaskClient:
    return synth_app.test_client()


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_counts(session: Session) -> None:
    assert count(session, Article) == N
    assert count(session, Statement) == 10 * N
    assert count(session, Entity) == N // 10
    assert count(session, Event) == N // 5
    assert count(session, StatementAbout) >= 10 * N
    assert count(session, Mention) > 10 * N
    assert session.scalar(select(func.count()).where(Statement.event_id.is_not(None))) > 0
    assert set(session.scalars(select(Statement.kind).distinct())) == {"direct", "reported"}
    assert set(session.scalars(select(Statement.status).distinct())) == {"verified"}
    assert count(session, Revision) == 0  # no history for synthetic items


def test_every_span_is_a_slice_of_its_article(session: Session) -> None:
    bodies = dict(session.execute(select(Article.id, Article.body)).all())
    for model in (Statement, Mention, EventEvidence):
        for article_id, start, end, text in session.execute(
            select(model.article_id, model.start, model.end, model.text)
        ):
            assert bodies[article_id][start:end] == text, (model.__name__, article_id, start, end)
    for article_id, title in session.execute(select(Article.id, Article.title)):
        assert title in bodies[article_id]


def test_ids_are_derived_like_real_ones(session: Session) -> None:
    for row in session.execute(select(Statement.id, Statement.article_id, Statement.start, Statement.end)):
        assert row.id == statement_id(row.article_id, row.start, row.end)
    for row in session.execute(select(Mention)).scalars():
        assert row.id == mention_id(row.article_id, row.entity_id, row.start, row.end)
    for row in session.execute(select(EventEvidence)).scalars():
        assert row.id == evidence_id(row.event_id, row.article_id, row.start, row.end)
    for article in session.scalars(select(Article)):
        assert article.id.startswith("a-synth-")
        assert article.content_hash == content_hash(article.body)
    assert all(entity_id.startswith("synth-") for entity_id in session.scalars(select(Entity.id)))
    assert all(event_id.startswith("synth-event-") for event_id in session.scalars(select(Event.id)))


def test_speakers_and_subjects_are_mentioned(session: Session) -> None:
    mentions: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for m in session.scalars(select(Mention)):
        mentions[m.article_id].append((m.entity_id, m.start, m.end))
    about: dict[str, set[str]] = defaultdict(set)
    for statement_id_, entity_id in session.execute(
        select(StatementAbout.statement_id, StatementAbout.entity_id)
    ):
        about[statement_id_].add(entity_id)
    for s in session.scalars(select(Statement)):
        assert any(entity == s.speaker_id for entity, _, _ in mentions[s.article_id]), s.id
        inside = {
            entity for entity, start, end in mentions[s.article_id] if s.start <= start and end <= s.end
        }
        assert inside & about[s.id], s.id  # the statement names one entity it is about


def test_entities_aliases_and_fuzzy_dates(session: Session) -> None:
    aliases = Counter(session.scalars(select(EntityAlias.entity_id)))
    for entity in session.scalars(select(Entity)):
        assert entity.name_normalized == fold(entity.name)
        assert 2 <= aliases[entity.id] <= 4
    for alias in session.scalars(select(EntityAlias)):
        assert alias.normalized == fold(alias.alias)
    participants = Counter(session.scalars(select(EventParticipant.event_id)))
    evidence = Counter(session.scalars(select(EventEvidence.event_id)))
    precisions = set()
    for event in session.scalars(select(Event)):
        assert (event.date_start, event.date_end) == interval(event.date_value, event.date_precision)
        assert participants[event.id] >= 1 and evidence[event.id] >= 1
        precisions.add(event.date_precision)
    assert precisions == {"day", "month", "year"}
    for s in session.scalars(select(Statement).where(Statement.said_on_value.is_not(None))):
        assert (s.said_on_start, s.said_on_end) == interval(s.said_on_value, s.said_on_precision)
    for a in session.scalars(select(Article)):
        assert (a.published_start, a.published_end) == interval(a.published_value, a.published_precision)


def test_search_index_is_what_sync_search_index_writes(session: Session) -> None:
    def documents() -> set[tuple[str, str, str, str]]:
        rows = session.execute(
            select(
                SearchDocument.doc_type, SearchDocument.item_id, SearchDocument.content, SearchDocument.terms
            )
        )
        return {tuple(row) for row in rows}

    built = documents()
    assert len(built) == N + 10 * N + N // 10 + N // 5
    assert all(row[3] == " ".join(terms(row[2])) for row in built)
    assert sync_search_index(session) == 0  # nothing to add, change or remove
    session.execute(delete(SearchDocument))
    sync_search_index(session)
    assert documents() == built
    session.rollback()


def test_dataset_state(session: Session) -> None:
    state = session.get(DatasetState, 1)
    assert state is not None
    assert state.version == 1
    assert state.digest == synth_digest(N, DEFAULT_SEED)


def test_the_api_serves_it(synth_client: FlaskClient) -> None:
    response = synth_client.get("/v1/statements?limit=5")
    assert response.status_code == 200
    assert len(response.get_json()["data"]) == 5
    assert response.headers["X-Dataset-Version"] == "1"
    for path in (
        f"/v1/search?q={SEARCH_TERMS['common']}",
        f"/v1/statements?q={SEARCH_TERMS['common']}",
        f"/v1/articles?q={SEARCH_TERMS['common']}",
    ):
        response = synth_client.get(path)
        assert response.status_code == 200, path
        assert response.get_json()["data"], path
    entity = synth_client.get("/v1/entities?limit=1").get_json()["data"][0]
    assert synth_client.get(f"/v1/entities/{entity['id']}").status_code == 200
    overview = synth_client.get("/v1").get_json()
    assert "statements" in str(overview)


def test_search_terms_have_their_own_stems() -> None:
    vocabulary = {w for pair in NOUNS + RARE_NOUNS + ADJECTIVES for w in pair[:1]} | set(VERBS)
    vocabulary |= {feminine for _, feminine in ADJECTIVES}
    for word in SEARCH_TERMS.values():
        (stem,) = terms(word)
        clashes = {other for other in vocabulary - {word} if stem in terms(other)}
        assert not clashes, (word, clashes)


def test_same_seed_same_data(synth_app: Flask, databases: Databases, make_app: Callable[..., Flask]) -> None:
    url = databases.create()
    other = make_app(DATABASE_URL=url, TESTING=True, RATELIMIT_ENABLED=False)
    assert run_synth(other, "--articles", str(N)).exit_code == 0
    first, second = snapshot(synth_app.config["DATABASE_URL"]), snapshot(url)
    del first["dataset_state"], second["dataset_state"]  # changed_at is the time of the load
    assert first == second


def test_reruns_and_foreign_data(
    synth_app: Flask, databases: Databases, make_app: Callable[..., Flask]
) -> None:
    again = run_synth(synth_app, "--articles", str(N))
    assert again.exit_code == 0, again.output
    assert "nothing to do" in again.output
    other_seed = run_synth(synth_app, "--articles", str(N), "--seed", "7")
    assert other_seed.exit_code == 1
    assert "new database" in other_seed.output

    url = databases.create()
    app = make_app(DATABASE_URL=url, TESTING=True, RATELIMIT_ENABLED=False)
    assert app.test_cli_runner().invoke(args=["migrate"]).exit_code == 0
    load_seeds(url)
    refused = run_synth(app, "--articles", str(N))
    assert refused.exit_code == 1
    assert "--force" in refused.output
    forced = run_synth(app, "--articles", str(N), "--seed", "7", "--force")
    assert forced.exit_code == 0, forced.output
    with Session(app.extensions["veille.engine"]) as session:
        assert session.scalar(select(func.count()).where(Article.id.startswith("a-synth-"))) == N
        assert session.get(DatasetState, 1).version == 2  # the seeds made version 1
