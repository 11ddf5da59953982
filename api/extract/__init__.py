"""The extraction pipeline: pure functions from an article's text to curation proposals.

No database and no Flask here: the caller passes the gazetteer (known entities) as data and
stores what it keeps. Entry point: :func:`extract`. Quality on the seed corpus and
the development set: ``python -m api.dataset.scoring`` (it lives outside this package because
it reads files).
"""

from api.extract.mentions import Gazetteer
from api.extract.pipeline import extract
from api.extract.proposals import (
    UNKNOWN_SPEAKER,
    DateProposal,
    EventProposal,
    Extraction,
    KnownEntity,
    MentionProposal,
    NewEntity,
    Participant,
    QuotedTerm,
    Span,
    StatementProposal,
)

__all__ = [
    "UNKNOWN_SPEAKER",
    "DateProposal",
    "EventProposal",
    "Extraction",
    "Gazetteer",
    "KnownEntity",
    "MentionProposal",
    "NewEntity",
    "Participant",
    "QuotedTerm",
    "Span",
    "StatementProposal",
    "extract",
]
