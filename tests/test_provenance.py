"""The provenance invariant, checked for every span stored in the database."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import make_engine
from api.models import Article, EventEvidence, Mention, Statement


def test_every_stored_span_is_the_exact_text_at_its_offsets(seeded_url: str) -> None:
    engine = make_engine(seeded_url)
    checked = 0
    try:
        with Session(engine) as session:
            bodies = dict(session.execute(select(Article.id, Article.body)).all())
            for model in (Mention, Statement, EventEvidence):
                for row in session.scalars(select(model)):
                    assert bodies[row.article_id][row.start : row.end] == row.text, (model.__name__, row.id)
                    checked += 1
    finally:
        engine.dispose()
    assert checked > 0


def test_article_content_hash_is_the_sha256_of_the_body(seeded_url: str) -> None:
    engine = make_engine(seeded_url)
    try:
        with Session(engine) as session:
            for article in session.scalars(select(Article)):
                assert article.content_hash == hashlib.sha256(article.body.encode()).hexdigest()
    finally:
        engine.dispose()
