"""Every row of a synthetic dataset from one random stream, articles chunk by chunk.

The draws happen in a fixed order (the world first, then article after article), so the same
number of articles and seed always give the same rows.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from api.cli.synth import ARTICLE_PREFIX, MIN_ARTICLES
from api.cli.synth.prose import Body, Prose, Zipf
from api.cli.synth.rows import (
    Chunk,
    TermCache,
    article_row,
    entity_rows,
    event_rows,
    evidence_row,
    mention_rows,
    search_document_row,
    statement_row,
)
from api.cli.synth.vocabulary import PARTICIPANT_TYPES, RARE_NOUNS
from api.cli.synth.world import (
    SynthEntity,
    SynthEvent,
    fuzzy_date,
    make_entities,
    make_events,
    published_dates,
)
from api.ids import statement_id

STATEMENTS_PER_ARTICLE = 10
CHUNK_ARTICLES = 1000  # articles generated and inserted at a time
RARE_RATE = 1 / 1000  # share of the articles given one word of RARE_NOUNS


class Generator:
    """Every row of a synthetic dataset, drawn from one random stream."""

    def __init__(self, articles: int, seed: int) -> None:
        if articles < MIN_ARTICLES:
            raise ValueError(f"at least {MIN_ARTICLES} articles are needed")
        self.n_articles = articles
        self.seed = seed
        self.rng = random.Random(seed)
        self.prose = Prose(self.rng)
        self.entities = make_entities(self.rng, articles // 10)
        by_kind: dict[str, list[SynthEntity]] = defaultdict(list)
        for entity in self.entities:
            by_kind[entity.kind].append(entity)
        self.persons = Zipf(by_kind["person"], 0.9)
        others = [e for e in self.entities if e.kind not in ("person", "outlet")]
        self.others = Zipf(others or by_kind["person"], 0.9)
        self.outlets = by_kind["outlet"]
        pool = [e for e in self.entities if e.kind in PARTICIPANT_TYPES]
        self.published = published_dates(self.rng, articles)
        self.events = make_events(
            self.rng,
            articles // 5,
            self.published,
            pool if len(pool) >= 2 else self.entities,
            by_kind["place"],
        )
        self.events_by_article: dict[int, list[SynthEvent]] = defaultdict(list)
        for event in self.events:
            for index in event.articles:
                self.events_by_article[index].append(event)

    def entity_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The rows of the entities and of their aliases."""
        return entity_rows(self.entities)

    def event_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The rows of the events and of their participants."""
        return event_rows(self.events)

    def _distinct(self, pick: Zipf, count: int) -> list[SynthEntity]:
        chosen: dict[str, SynthEntity] = {}
        for _ in range(count * 4):
            entity = pick(self.rng)
            chosen.setdefault(entity.id, entity)
            if len(chosen) == count:
                break
        return list(chosen.values())

    def article(self, index: int, chunk: Chunk, term_cache: TermCache) -> None:
        """Generates article ``index`` and appends its rows to ``chunk``."""
        rng, prose = self.rng, self.prose
        article_id = f"{ARTICLE_PREFIX}{index + 1:06d}"
        published = self.published[index]
        speakers = self._distinct(self.persons, rng.randint(2, 4))
        others = self._distinct(self.others, rng.randint(1, 3))
        events = self.events_by_article.get(index, [])
        outlet = rng.choice(self.outlets) if self.outlets and rng.random() < 0.5 else None
        cited = rng.choice(self.outlets) if self.outlets and rng.random() < 0.3 else None
        rare = rng.choice(RARE_NOUNS) if rng.random() < RARE_RATE else None

        slots = (
            ["statement"] * STATEMENTS_PER_ARTICLE + ["filler"] * rng.randint(3, 6) + ["event"] * len(events)
        )
        rng.shuffle(slots)
        if rare:
            slots.append("rare")
        if cited:
            slots.append("cited")

        body = Body()
        seen: set[str] = set()  # speakers named once already: later only by one of their spellings
        prose.filler(body, rng.choice(others))
        title = body.text()
        statements, evidence = [], []
        pending_events = list(events)
        in_paragraph = 1
        for slot in slots:
            if in_paragraph >= rng.randint(2, 4):
                body.add("\n")
                in_paragraph = 0
            else:
                body.add(" ")
            in_paragraph += 1
            if slot == "statement":
                speaker = rng.choice(speakers)
                about = rng.choice(others)
                kind, start, end = prose.statement(body, speaker, about, seen)
                statements.append((kind, start, end, speaker, about))
            elif slot == "event":
                event = pending_events.pop()
                evidence.append((event, *prose.event_sentence(body, event)))
            elif slot == "cited":
                prose.filler(body, None, cited=cited)
            else:
                entity = rng.choice(others) if rng.random() < 0.5 else None
                prose.filler(body, entity, rare if slot == "rare" else None)
        text = body.text()

        rows = chunk.rows
        rows["articles"].append(
            article_row(article_id, title, text, published, outlet.id if outlet else None, self.seed)
        )
        if cited is not None:
            rows["article_cited_outlets"].append({"article_id": article_id, "entity_id": cited.id})
        rows["mentions"] += mention_rows(article_id, body.mentions)
        for event, start, end in evidence:
            rows["event_evidence"].append(evidence_row(event.id, article_id, text, start, end))
        # as api.writes.search_index: the title when the body lacks it (there is no lead), then the body
        content = text if title in text else f"{title}\n{text}"
        rows["search_documents"].append(search_document_row("article", article_id, content, term_cache))
        for kind, start, end, speaker, about in statements:
            words = text[start:end]
            sid = statement_id(article_id, start, end)
            event = rng.choice(events) if events and rng.random() < 0.3 else None
            if event is not None:  # said at the event
                said: tuple[Any, ...] = (event.value, event.precision, event.start, event.end)
            else:  # mostly the publication date, sometimes only its month or year, sometimes unknown
                draw = rng.random()
                said = published if draw < 0.65 else fuzzy_date(rng, published[2], (0, 2, 1))
                said = said if draw < 0.8 else (None, None, None, None)
            rows["statements"].append(
                statement_row(
                    sid, article_id, speaker.id, kind, (words, start, end), said, event.id if event else None
                )
            )
            rows["statement_about"].append({"statement_id": sid, "entity_id": about.id})
            second = rng.choice(speakers + others)
            if rng.random() < 0.3 and second.id not in (about.id, speaker.id):
                rows["statement_about"].append({"statement_id": sid, "entity_id": second.id})
            rows["search_documents"].append(search_document_row("statement", sid, words, term_cache))

    def chunks(self, size: int = CHUNK_ARTICLES) -> Iterator[tuple[int, Chunk]]:
        """Runs of ``size`` articles with all their rows: (number of articles, rows)."""
        term_cache = TermCache()
        for first in range(0, self.n_articles, size):
            chunk = Chunk()
            last = min(first + size, self.n_articles)
            for index in range(first, last):
                self.article(index, chunk, term_cache)
            yield last - first, chunk
