"""The one entry point: an article's text in, every proposal out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from api.extract.attribution import Candidate, Reader
from api.extract.dates import find_dates
from api.extract.events import find_events
from api.extract.lexicon import SPEAKER_TYPES, folded
from api.extract.mentions import Gazetteer, ner_mentions
from api.extract.proposals import Extraction, KnownEntity, MentionProposal, NewEntity
from api.extract.quotes import find_answers, find_colon_quotes, find_quotes
from api.extract.statements import StatementFinder, assign_said_on
from api.fuzzy_dates import FuzzyDate


def extract(
    text: str,
    *,
    language: str,
    published: date | None,
    gazetteer: Gazetteer | Sequence[KnownEntity],
    published_precision: str = "day",
    use_ner: bool = True,
) -> Extraction:
    """Propose mentions, statements, quoted terms, dates and events for one article body.

    ``published_precision`` says how much of ``published`` is known (``day``, ``month`` or
    ``year``); relative dates are then resolved against the last day it allows, and say so.
    ``use_ner=False`` skips spaCy (the gazetteer alone finds mentions and speakers).
    Only French is supported; another language gives an empty extraction and a warning.
    """
    if not language.lower().startswith("fr"):
        return Extraction(warnings=(f"language {language!r} is not supported: only French is",))
    known = gazetteer if isinstance(gazetteer, Gazetteer) else Gazetteer(gazetteer)
    mentions = list(known.match(text))
    if use_ner:
        mentions.extend(ner_mentions(text, mentions))
    mentions.sort(key=lambda m: (m.start, -m.end))

    def type_of(mention: MentionProposal) -> str | None:
        if isinstance(mention.entity, NewEntity):
            return mention.entity.type
        return known.type_of(mention.entity)

    marked = find_quotes(text)
    marked = tuple(sorted((*marked, *find_colon_quotes(text, marked)), key=lambda q: q.open))
    answers = tuple(a for a in find_answers(text) if not any(q.open < a.open < q.close for q in marked))
    # Marks inside an interview answer quote someone else within the interviewee's words.
    quotes = tuple(
        sorted(
            (
                *(
                    replace(q, depth=q.depth + 1) if any(a.open < q.open < a.close for a in answers) else q
                    for q in marked
                ),
                *answers,
            ),
            key=lambda q: q.open,
        )
    )
    lower = folded(text)
    masked = list(lower)
    top_level = [q for q in quotes if q.depth == 0]
    for quote in top_level:
        masked[quote.open + 1 : quote.close] = " " * (quote.close - quote.open - 1)

    def inside_quote(mention: MentionProposal) -> bool:
        return any(q.open < mention.start and mention.end <= q.close for q in top_level)

    best: dict[tuple[int, int], MentionProposal] = {}
    for mention in mentions:
        if type_of(mention) in SPEAKER_TYPES:
            key = (mention.start, mention.end)
            if key not in best or mention.confidence > best[key].confidence:
                best[key] = mention
    speakers = [Candidate(m.start, m.end, m.entity, type_of(m) or "other") for m in best.values()]
    reader = Reader(
        text,
        lower,
        "".join(masked),
        [c for c, m in zip(speakers, best.values(), strict=True) if not inside_quote(m)],
    )

    finder = StatementFinder(reader, quotes, frozenset(known.folded_names), speakers, answers)
    finder.direct()
    finder.reported()
    finder.fragments()
    dates = find_dates(text, published=published, published_precision=published_precision)
    published_date = (
        None
        if published is None
        else FuzzyDate(_at_precision(published, published_precision), published_precision, None)
    )
    statements = assign_said_on(
        sorted(finder.statements, key=lambda s: (s.start, s.end)), dates, reader, published_date
    )
    events = find_events(reader, mentions, dates, {id(m): type_of(m) or "other" for m in mentions})
    new_entities = tuple(
        dict.fromkeys(
            ref
            for ref in (*(m.entity for m in mentions), *(s.speaker for s in statements))
            if isinstance(ref, NewEntity)
        )
    )
    return Extraction(
        mentions=tuple(mentions),
        new_entities=new_entities,
        statements=tuple(statements),
        terms=tuple(finder.terms),
        dates=dates,
        events=events,
    )


def _at_precision(value: date, precision: str) -> str:
    return {"day": value.isoformat(), "month": value.isoformat()[:7], "year": value.isoformat()[:4]}[
        precision
    ]
