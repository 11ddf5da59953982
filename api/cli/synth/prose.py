"""Sentences of synthetic articles, drawn from the vocabulary and written into a body.

The body keeps the offsets of what the rows need (mentions, statements, evidence), so every
span is exactly the text it claims to be.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from api.cli.synth.vocabulary import (
    ADJECTIVES,
    CONNECTORS,
    EVENT_WORDING,
    MONTHS_FR,
    NOUN_ZIPF,
    NOUNS,
    PREPOSITIONS,
    SPEECH_VERBS,
    TIME_PHRASES,
    TITLES,
    VERBS,
)
from api.cli.synth.world import SynthEntity, SynthEvent
from api.text import fold


class Zipf:
    """Draws from ``items`` with probability proportional to ``1 / (rank + offset) ** exponent``."""

    def __init__(self, items: Sequence[Any], exponent: float, offset: float = 0) -> None:
        self.items = list(items)
        weights = (1 / (rank + offset) ** exponent for rank in range(1, len(self.items) + 1))
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _elides(word: str) -> bool:
    return fold(word[0]) in "aeiouyh"


class Body:
    """An article body written piece by piece, with the offsets of the spans that matter."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.mentions: list[tuple[str, int, int, str]] = []  # (entity id, start, end, text)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)

    def mention(self, entity: SynthEntity, alias: str) -> None:
        self.mentions.append((entity.id, self.pos, self.pos + len(alias), alias))
        self.add(alias)

    def text(self) -> str:
        return "".join(self.parts)


class Prose:
    """Sentences drawn from one random stream: nouns, adjectives and verbs by Zipf-like frequency."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nouns = Zipf(NOUNS, *NOUN_ZIPF)
        self.adjectives = Zipf(ADJECTIVES, 1.0)
        self.verbs = Zipf(VERBS, 1.0)

    def _noun_phrase(self, determiner: str = "def", noun: tuple[str, str] | None = None) -> str:
        rng = self.rng
        word, gender = noun or self.nouns(rng)
        if determiner == "def":
            det = (
                ("l’" if rng.random() < 0.3 else "l'")
                if _elides(word)
                else ("la " if gender == "f" else "le ")
            )
        elif determiner == "this":
            det = "cette " if gender == "f" else ("cet " if _elides(word) else "ce ")
        else:
            det = "une " if gender == "f" else "un "
        phrase = det + word
        if rng.random() < 0.5:
            masculine, feminine = self.adjectives(rng)
            phrase += " " + (feminine if gender == "f" else masculine)
        return phrase

    def _clause(self, determiner: str = "def", noun: tuple[str, str] | None = None) -> str:
        """Subject, verb, object: ``la sécurité renforce une frappe militaire``."""
        subject = self._noun_phrase(determiner, noun)
        verb = self.verbs(self.rng)
        return f"{subject} {verb} {self._noun_phrase(self.rng.choice(('def', 'a')))}"

    def _quote(self, body: Body, about: SynthEntity, *, direct: bool) -> None:
        """The words of a statement, naming the entity it is about."""
        rng = self.rng
        clause = self._clause(rng.choice(("def", "this")))
        body.add(f"{_capitalise(clause) if direct else clause} {rng.choice(PREPOSITIONS)} ")
        body.mention(about, rng.choice(about.in_text))
        if rng.random() < 0.6:
            body.add(f", et {self._clause(rng.choice(('def', 'this', 'a')))}")
        if rng.random() < 0.3:
            body.add(f" {rng.choice(TIME_PHRASES)}")

    def _speaker(self, body: Body, speaker: SynthEntity, seen: set[str], *, start: bool) -> None:
        rng = self.rng
        if rng.random() < 0.3:
            title = rng.choice(TITLES)
            body.add((_capitalise(title) if start else title) + " ")
        alias = speaker.full if speaker.id not in seen else rng.choice(speaker.in_text)
        seen.add(speaker.id)
        body.mention(speaker, alias)

    def statement(
        self, body: Body, speaker: SynthEntity, about: SynthEntity, seen: set[str]
    ) -> tuple[str, int, int]:
        """Writes one sentence holding a statement; returns (kind, start, end) of its words."""
        rng = self.rng
        verb = rng.choice(SPEECH_VERBS)
        form = rng.randrange(4)
        if form == 0:  # « … », a déclaré X.
            body.add("« ")
            start = body.pos
            self._quote(body, about, direct=True)
            end = body.pos
            body.add(f" », {verb} ")
            self._speaker(body, speaker, seen, start=False)
            body.add(".")
            return "direct", start, end
        if form == 1:  # X a déclaré : « … ».
            self._speaker(body, speaker, seen, start=True)
            body.add(f" {verb} : « ")
            start = body.pos
            self._quote(body, about, direct=True)
            end = body.pos
            body.add(" ».")
            return "direct", start, end
        if form == 2:  # X a estimé que …
            self._speaker(body, speaker, seen, start=True)
            body.add(f" {verb} que ")
        else:  # Selon X, …
            body.add("Selon ")
            self._speaker(body, speaker, seen, start=False)
            body.add(", ")
        start = body.pos
        self._quote(body, about, direct=False)
        end = body.pos
        body.add(".")
        return "reported", start, end

    def filler(
        self,
        body: Body,
        entity: SynthEntity | None,
        noun: tuple[str, str] | None = None,
        *,
        cited: SynthEntity | None = None,
    ) -> None:
        """A sentence that is no statement, naming ``entity`` and citing the outlet ``cited``."""
        rng = self.rng
        clause = self._clause(rng.choice(("def", "this")), noun)
        if rng.random() < 0.5:
            body.add(f"{rng.choice(CONNECTORS)}, {clause}")
        else:
            body.add(_capitalise(clause))
        if entity is not None:
            body.add(f" {rng.choice(PREPOSITIONS)} ")
            body.mention(entity, rng.choice(entity.in_text))
        if rng.random() < 0.3:
            body.add(f" {rng.choice(TIME_PHRASES)}")
        if cited is not None:
            body.add(", rapporte ")
            body.mention(cited, rng.choice(cited.in_text))
        body.add(".")

    def event_sentence(self, body: Body, event: SynthEvent) -> tuple[int, int]:
        start = body.pos
        if event.precision == "day":
            day = event.start.day
            body.add(
                f"Le {'1er' if day == 1 else day} {MONTHS_FR[event.start.month - 1]} {event.start.year}, "
            )
        elif event.precision == "month":
            body.add(f"En {MONTHS_FR[event.start.month - 1]} {event.start.year}, ")
        else:
            body.add(f"En {event.start.year}, ")
        for i, participant in enumerate(event.participants):
            if i:
                body.add(" et " if i == len(event.participants) - 1 else ", ")
            body.mention(participant, participant.full)
        body.add(" " + EVENT_WORDING[event.type][0])
        if event.location is not None:
            body.add(" à ")
            body.mention(event.location, event.location.full)
        end = body.pos
        body.add(".")
        return start, end
