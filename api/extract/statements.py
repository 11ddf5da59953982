"""Statements: direct quotations and reported speech, with their speakers and dates.

Direct quotes. The text is the words between the marks; a quote of one or two words, or a
name, is a :class:`QuotedTerm` instead. A quote interrupted by an incise
("« A, assure-t-il, B »") gives **two** direct statements, A and B, each flagged
``incise``, with the incise as their attribution: each part is exactly words the speaker
said, and ``body[start:end] == text`` holds for both. The speaker comes from, in order:
an incise; a verb right after the closing mark ("», a-t-il précisé"); the last
attribution verb before the opening mark in its sentence, or in the previous paragraph when
that ends with a colon; "selon X" there; a name on the next line after a dash
("– AP"); the quote before it in the same sentence or paragraph run; and, flagged
``speaker-fallback``, the latest speaker before it, the person named as a subject in its
paragraph or the one before, or the person the next sentence names after a lede quote.
When the verb that introduces a quote has a subject nobody names ("la direction a jugé"),
or nobody is named at all, the speaker is :data:`~api.extract.proposals.UNKNOWN_SPEAKER`
with a low confidence: no quote is dropped for its speaker. Interview answers belong to
the person the text introduces before the first question.

Reported speech. A clause after an attribution verb and "que" ("a déclaré que …"), the
object of a verb that reports by a noun phrase ("a dénoncé les activités …", "a nié …",
"a qualifié X de « … »"), the sentence before a postposed verb ("…, a indiqué X."),
"selon laquelle …", "Selon X, …" / "…, selon X." / "Pour lui, …" (X a name, a role or an
unnamed source), passives ("X a été annoncé par Y", "il a été annoncé que …") and
commitments ("s'engage à …"). The clause ends at the end of the sentence or where the
author takes over again (see :data:`lexicon.CLAUSE_END`). A one- or two-word quote inside
reported speech is also a direct statement of its speaker (a fragment).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from api.extract.attribution import Candidate, Cue, Reader, names_a_person
from api.extract.lexicon import (
    CLAUSE_END,
    COMMITMENT,
    IMPERSONAL_PASSIVE,
    NOUN_OBJECT_LEMMAS,
    PASSIVE_SPEECH,
    PERSON_OBJECT_LEMMAS,
    QUALIFYING_LEMMAS,
    SPEECH_VERB,
    TIME_ADVERBIAL,
)
from api.extract.proposals import (
    UNKNOWN_SPEAKER,
    DateProposal,
    EntityRef,
    QuotedTerm,
    Span,
    StatementProposal,
)
from api.extract.quotes import ARTICLE_BEFORE, Quote, term_reason
from api.fuzzy_dates import FuzzyDate

_SPACE = " \t\u00a0\u202f"
_QUE = re.compile(r"\s*(?:[\w']+\s+){0,10}?(?:que\s+|qu')")
_INFINITIVE = re.compile(r"\s*(?:[\w']+\s+){0,4}?(?=(?:etre|avoir)\s)")
_NOUN_OBJECT = re.compile(
    r"\s*(?:(?:egalement|aussi|notamment|encore|vivement|fermement|une nouvelle fois|a nouveau|sur|"
    rf"a plusieurs reprises|{TIME_ADVERBIAL})\s+)*"
    r"(?=(?:le|la|les|l'|un|une|des|du|son|sa|ses|leur|leurs|cette|cet|ce|ces|tout|toute|tous|toutes|"
    r"aucun|aucune)\b)"
)
# "a rassuré ses homologues sur l'assistance…": a person, then what was said about.
_ABOUT_OBJECT = re.compile(
    r"\s*(?:[\w']+\s+){1,4}?sur\s+(?=(?:le|la|les|l'|un|une|des|du|son|sa|ses|leur|leurs|cette|cet|ce|ces)\b)"
)
_SELON_CLAUSE = re.compile(r"\bselon\s+(?:laquelle|lequel|lesquelles|lesquels)")
_SELON_SOURCE = re.compile(
    r"(?:^|(?<=[\s,]))(?:selon|d'apres)\s+(?!(?:laquelle|lequel|lesquelles|lesquels|lui|elle|eux|elles)\b)"
    r"(?P<possessive>(?:ses|son|sa|leurs?)\s+\w+\s*(?:\w+\s*)?)?"
)
_POUR_LUI = re.compile(r"\b(?:pour|selon|d'apres)\s+(?:lui|elle|eux|elles)\s*,")
# A source that is not a name ("selon des sources concordantes", "d'après plusieurs élus"):
# a noun phrase up to the comma or the end of the sentence.
_SOURCE_PHRASE = re.compile(r"[^,.;:!?\n«»]{3,80}?(?=\s*(?:[,.;:!?\n]|$))")
_QUOTE_MARKS = '«»“”"'
# speaker, confidence, the cue that named the speaker, flags
_Attribution = tuple[EntityRef | None, float, Span | None, tuple[str, ...]]


def _strip(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (body[start] in _SPACE or body[start] == ","):
        start += 1
    while end > start and body[end - 1] in _SPACE + ",":
        end -= 1
    return start, end


class StatementFinder:
    def __init__(
        self,
        reader: Reader,
        quotes: Sequence[Quote],
        known_names: frozenset[str],
        quoted_candidates: Sequence[Candidate],
        answers: Sequence[Quote] = (),
    ) -> None:
        self.reader = reader
        self.answers = answers
        self.quoted_candidates = quoted_candidates
        self.body = reader.body
        self.quotes = quotes
        self.known_names = known_names
        self.statements: list[StatementProposal] = []
        self.terms: list[QuotedTerm] = []

    # -- direct -----------------------------------------------------------------------------
    def direct(self) -> None:
        resolved: list[tuple[Quote, EntityRef | None]] = []
        for quote in self.quotes:
            text = self.body[quote.start : quote.end]
            after_article = bool(ARTICLE_BEFORE.search(self.body[max(0, quote.open - 6) : quote.open]))
            reason = term_reason(text, self.known_names, after_article)
            if reason is not None:
                confidence = 0.8 if len(text.split()) <= 2 else 0.6
                self.terms.append(QuotedTerm(quote.start, quote.end, text, reason, confidence))
                continue
            if quote.depth > 0:
                self.statements.append(
                    StatementProposal(
                        "direct", quote.start, quote.end, text, UNKNOWN_SPEAKER, None, 0.3, flags=("nested",)
                    )
                )
                continue
            if quote in self.answers:
                speaker, confidence, cue, flags = self._interviewee(quote)
            else:
                speaker, confidence, cue, flags = self._speaker(quote, resolved)
            resolved.append((quote, speaker))
            for start, end, part_flags in self._parts(quote):
                self.statements.append(
                    StatementProposal(
                        "direct",
                        start,
                        end,
                        self.body[start:end],
                        speaker,
                        None,
                        round(confidence, 2),
                        attribution=cue,
                        flags=tuple(dict.fromkeys(flags + part_flags)),
                    )
                )

    def _incise(self, quote: Quote) -> tuple[int, int, EntityRef | None] | None:
        """The span of "…, assure-t-il, …" inside a quote, and the speaker it names."""
        lower = self.reader.lower
        for m in re.finditer(r",\s*([^,]{2,60}?)\s*,", lower[quote.start : quote.end]):
            inner_start, inner_end = quote.start + m.start(1), quote.start + m.end(1)
            verb = SPEECH_VERB.match(lower, inner_start, inner_end)
            if verb is None:
                continue
            outer = (quote.start + m.start(), quote.start + m.end())
            if verb.end() == inner_end and (verb.group("pro1") or verb.group("pro2")):
                return (*outer, self.reader.resolve_pronoun(quote.open))
            named = [c for c in self.quoted_candidates if verb.end() < c.start and c.end <= inner_end]
            if named:
                return (*outer, named[0].entity)
        return None

    def _parts(self, quote: Quote) -> list[tuple[int, int, tuple[str, ...]]]:
        incise = self._incise(quote)
        if incise is None:
            return [(quote.start, quote.end, ())]
        first = _strip(self.body, quote.start, incise[0])
        second = _strip(self.body, incise[1], quote.end)
        return [(s, e, ("incise",)) for s, e in (first, second) if e > s]

    def _speaker(self, quote: Quote, resolved: list[tuple[Quote, EntityRef | None]]) -> _Attribution:
        """The first rule that names a speaker wins; see the module docstring for the order."""
        window = self._window(quote)
        rules = (
            self._by_incise,
            self._by_verb_after,
            self._by_verb_before,
            self._by_selon,
            self._by_dash,
            self._by_colon,
        )
        for rule in rules:
            found = rule(quote, window)
            if found is not None and found[0] is not None:
                return found
        if resolved:
            previous_quote, previous_speaker = resolved[-1]
            between = self.body[previous_quote.close + 1 : quote.open]
            same_sentence = self.reader.sentence_start(previous_quote.open) == self.reader.sentence_start(
                quote.open
            )
            if previous_speaker is not None and (same_sentence or between.strip() == ""):
                return previous_speaker, 0.75, None, ("continued",)
        latest = self.reader.latest_speaker(quote.open)
        if latest is not None:
            return latest, 0.45, None, ("speaker-fallback",)
        subject = self._subject_before_paragraph(quote)
        if subject is not None:
            return subject, 0.4, None, ("speaker-fallback",)
        subject = self._subject_after_lede(quote)
        if subject is not None:
            return subject, 0.35, None, ("speaker-fallback",)
        # Nobody is named: the quote is kept, attributed to the explicit unknown speaker.
        return UNKNOWN_SPEAKER, 0.2, None, ("unknown-speaker",)

    def _subject_before_paragraph(self, quote: Quote) -> EntityRef | None:
        """The last person (else any speaker) named as a subject in the quote's paragraph
        or the one before: a quote with no attribution belongs to who the text is about."""
        body = self.body
        end = body.rfind("\n", 0, quote.open)
        while end > 0 and body[end - 1] in "\n \t":
            end -= 1
        start = body.rfind("\n", 0, max(0, end)) + 1
        candidates = [
            c for c in self.reader.candidates_in(start, quote.open) if not self.reader.is_complement(c)
        ]
        people = [c for c in candidates if c.type == "person"]
        chosen = people or candidates
        return chosen[-1].entity if chosen else None

    def _subject_after_lede(self, quote: Quote) -> EntityRef | None:
        """A quote that opens its paragraph with nobody named before it: the person the next
        sentence names ("« … » C'est par cette phrase que X a …")."""
        line_start = self.body.rfind("\n", 0, quote.open) + 1
        if self.body[line_start : quote.open].strip():
            return None
        start = quote.close + 1
        end = self.reader.sentence_end(start + 1)
        people = [
            c
            for c in self.reader.candidates_in(start, end)
            if c.type == "person" and not self.reader.is_complement(c)
        ]
        return people[0].entity if people else None

    def _interviewee(self, answer: Quote) -> _Attribution:
        """An interview answer: the person the text introduces before the first question."""
        first = min((a.open for a in self.answers), default=answer.open)
        intro_end = self.body.rfind("\n", 0, first)
        people = [c for c in self.reader.candidates if c.end <= max(0, intro_end) and c.type == "person"]
        if people:
            return people[0].entity, 0.7, self._span(people[0].start, people[0].end), ("interview",)
        return UNKNOWN_SPEAKER, 0.2, None, ("interview", "unknown-speaker")

    def _span(self, start: int, end: int) -> Span:
        return Span(start, end, self.body[start:end])

    def _window(self, quote: Quote) -> int:
        """Where the attribution of a quote may start: its sentence, or the paragraph before
        when the quote opens its own paragraph after one that ends with a colon."""
        body = self.body
        window = self.reader.sentence_start(quote.open)
        line_start = body.rfind("\n", 0, quote.open) + 1
        if body[line_start : quote.open].strip() == "" and line_start > 0:
            previous = body[: line_start - 1].rstrip()
            if previous.endswith(":"):
                window = previous.rfind("\n") + 1
        return window

    def _by_incise(self, quote: Quote, window: int) -> _Attribution | None:
        incise = self._incise(quote)
        if incise is None:
            return None
        return incise[2], 0.8, self._span(*_strip(self.body, incise[0], incise[1])), ("incise",)

    def _by_verb_after(self, quote: Quote, window: int) -> _Attribution | None:
        for cue in self.reader.cues_between(quote.close + 1, quote.close + 6):
            if re.fullmatch(r"[\s,]*", self.reader.masked[quote.close + 1 : cue.start]) and cue.speaker:
                return cue.speaker, cue.confidence, self._span(cue.start, cue.end), ()
        return None

    def _by_verb_before(self, quote: Quote, window: int) -> _Attribution | None:
        cues = self.reader.cues_between(window, quote.open)
        if not cues:
            return None
        cue = cues[-1]
        own_sentence = cue.start >= self.reader.sentence_start(quote.open)
        if own_sentence and cue.speaker is None and cue.how in {"none", "role"} and not cue.participle:
            # "La direction a jugé la grève « … »": the verb that introduces the quote has a
            # subject nobody names; an earlier speaker would be a guess
            return UNKNOWN_SPEAKER, 0.3, self._span(cue.start, cue.end), ("unknown-speaker",)
        named = [c for c in cues if c.speaker is not None]
        if not named:
            return None
        return named[-1].speaker, named[-1].confidence, self._span(named[-1].start, named[-1].end), ()

    def _by_selon(self, quote: Quote, window: int) -> _Attribution | None:
        reader = self.reader
        for m in _SELON_SOURCE.finditer(reader.masked[window : quote.open]):
            at = window + m.end()
            if m.group("possessive"):
                return reader.resolve_pronoun(at), 0.7, self._span(window + m.start(), at), ()
            named = reader.candidates_in(at, at + 40)
            if named and named[0].start - at <= 3:
                return named[0].entity, 0.8, self._span(window + m.start(), named[0].end), ()
        return None

    def _by_dash(self, quote: Quote, window: int) -> _Attribution | None:
        dash = re.match(r"\s*\n\s*[-\u2013\u2014]\s*", self.body[quote.close + 1 :])
        if not dash:
            return None
        at = quote.close + 1 + dash.end()
        named = self.reader.candidates_in(at, at + 60)
        if named and named[0].start == at:
            return named[0].entity, 0.85, self._span(named[0].start, named[0].end), ()
        return None

    def _by_colon(self, quote: Quote, window: int) -> _Attribution | None:
        if not self.reader.masked[window : quote.open].rstrip().endswith(":"):
            return None
        first = self.reader.first_subject(window, quote.open)
        if first is None:
            return None
        return first.entity, 0.7, self._span(first.start, first.end), ()

    # -- reported ---------------------------------------------------------------------------
    def reported(self) -> None:
        reader = self.reader
        masked = reader.masked
        for found in reader.cues:
            cue = (  # "une source proche du dossier a indiqué que…": nobody named, still kept
                found
                if found.speaker is not None
                else replace(found, speaker=UNKNOWN_SPEAKER, confidence=min(found.confidence, 0.3))
            )
            que = _QUE.match(masked, cue.end)
            infinitive = _INFINITIVE.match(masked, cue.end)
            if que and not re.search(r"[,.;:«»]", masked[cue.end : que.end()]):
                self._clause(que.end(), cue, 0.7)
            elif infinitive and not re.search(r"[,.;:«»]", masked[cue.end : infinitive.end()]):
                self._clause(infinitive.end(), cue, 0.55)
            elif cue.lemma in NOUN_OBJECT_LEMMAS and not cue.inverted:
                obj = _NOUN_OBJECT.match(masked, cue.end)
                if obj is None and cue.lemma in PERSON_OBJECT_LEMMAS:
                    obj = _ABOUT_OBJECT.match(masked, cue.end)
                if obj:
                    self._clause(obj.end(), cue, 0.55)
            if cue.inverted and cue.how != "pronoun":
                before = masked[: cue.start].rstrip()
                if before.endswith(",") and not before[:-1].rstrip().endswith(("»", "”", '"')):
                    start = reader.sentence_start(cue.start)
                    self._add_reported(start, len(before) - 1, cue, 0.6)
        for m in _SELON_CLAUSE.finditer(masked):
            s_start = reader.sentence_start(m.start())
            subject = [c for c in reader.candidates_in(s_start, m.start()) if not reader.is_complement(c)]
            speaker = subject[-1].entity if subject else None
            if speaker is not None:
                fake = Cue(m.start(), m.end(), "selon", speaker, "named", False, False, 0.5)
                self._clause(m.end(), fake, 0.5)
        for m in _SELON_SOURCE.finditer(masked):
            self._selon(m)
        for m in PASSIVE_SPEECH.finditer(masked):
            self._passive(m)
        for m in IMPERSONAL_PASSIVE.finditer(masked):
            cue = Cue(m.start(), m.end(), "passive", UNKNOWN_SPEAKER, "none", False, False, 0.3)
            self._clause(m.end(), cue, 0.3)
        for m in COMMITMENT.finditer(masked):
            speaker, how, confidence = reader.subject_before(m.start(), reader.sentence_start(m.start()))
            cue = Cue(
                m.start(), m.end(), "s'engager", speaker or UNKNOWN_SPEAKER, how, False, False, confidence
            )
            self._clause(m.end(), cue, 0.55)
        for m in _POUR_LUI.finditer(masked):
            speaker = reader.resolve_pronoun(m.start())
            if speaker is not None:
                self._clause(
                    m.end(), Cue(m.start(), m.end(), "pour", speaker, "pronoun", False, False, 0.5), 0.45
                )

    def fragments(self) -> None:
        """A one- or two-word quote inside reported speech ("a dénoncé une « guerre hybride »")
        is also a direct statement of the reported speaker: those are their words."""
        reported = [s for s in self.statements if s.kind == "reported"]
        taken = {(s.start, s.end) for s in self.statements if s.kind == "direct"}
        for term in self.terms:
            if (term.start, term.end) in taken or len(term.text.split()) > 2 or not term.text[0].islower():
                continue  # a capitalised word is a name being quoted, not someone's words
            around = [s for s in reported if s.start <= term.start and term.end <= s.end]
            if not around:
                continue
            source = max(around, key=lambda s: s.confidence)
            taken.add((term.start, term.end))
            self.statements.append(
                StatementProposal(
                    "direct",
                    term.start,
                    term.end,
                    term.text,
                    source.speaker,
                    None,
                    round(min(source.confidence, 0.5), 2),
                    attribution=source.attribution,
                    flags=("fragment",),
                )
            )

    def _passive(self, m: re.Match[str]) -> None:
        """ "X a été annoncé (lundi) par Y": X, from the start of its sentence, said by Y."""
        reader = self.reader
        named = reader.candidates_in(m.end(), m.end() + 40)
        if named and re.fullmatch(r"[^,.;:!?\n]*", reader.masked[m.end() : named[0].start]):
            speaker, end, confidence = named[0].entity, named[0].end, 0.55
        else:
            speaker, end, confidence = UNKNOWN_SPEAKER, m.end(), 0.3
        cue = Cue(m.start(), end, "passive", speaker, "named", False, False, confidence)
        self._add_reported(reader.sentence_start(m.start()), m.start(), cue, confidence)

    def _selon(self, m: re.Match[str]) -> None:
        """ "Selon X, …" and "…, selon X." — X named, or a source phrase with no name."""
        reader = self.reader
        if m.group("possessive"):
            return
        named = reader.candidates_in(m.end(), m.end() + 40)
        source_end: int | None = None
        speaker: EntityRef | None = None
        confidence = 0.55
        if named and named[0].start - m.end() <= 3:
            speaker, source_end = named[0].entity, named[0].end
        else:
            phrase = _SOURCE_PHRASE.match(reader.masked, m.end())
            if phrase is None or SPEECH_VERB.search(phrase.group(0)):
                return
            role = phrase.group(0).strip()
            described = (
                (reader.resolve_role(role, m.start()) or reader.last_person(m.start()))
                if names_a_person(role)
                else None
            )
            speaker, source_end = described or UNKNOWN_SPEAKER, phrase.end()
            confidence = 0.5 if described else 0.3
        cue = Cue(m.start(), source_end, "selon", speaker, "named", False, False, confidence)
        before = reader.masked[reader.sentence_start(m.start()) : m.start()].rstrip()
        s_start = reader.sentence_start(m.start())
        if before.endswith(",") and re.match(r"\s*(?:[.!?\n]|$)", reader.masked[source_end:]):
            # postposed: what was said runs from the start of the sentence, or from its last
            # dash or semicolon, to the comma before "selon"
            breaks = list(re.finditer(r"\s[\u2013\u2014-]\s|;", reader.masked[s_start : m.start()]))
            start = s_start + breaks[-1].end() if breaks else s_start
            if any(start <= c.start < m.start() for c in reader.cues):
                return  # "X a déclaré que …, selon Reuters": the source relays a speaker
            self._add_reported(start, m.start(), cue, confidence - 0.05)
            return
        comma = re.match(r"\s*,", reader.masked[source_end:])
        if not comma:
            return
        start = source_end + comma.end()
        end = self._clause_end(start)
        if any(c.start >= start and c.start < end for c in reader.cues):
            return  # "Selon Reuters, X a déclaré que…": the source relays a speaker
        self._add_reported(start, end, cue, confidence - 0.05)

    def _clause_end(self, start: int) -> int:
        stop = CLAUSE_END.search(self.reader.masked, start)
        return stop.start() if stop else len(self.body)

    def _clause(self, start: int, cue: Cue, confidence: float) -> None:
        self._add_reported(start, self._clause_end(start), cue, confidence)

    def _add_reported(self, start: int, end: int, cue: Cue, confidence: float) -> None:
        start, end = _strip(self.body, start, end)
        if end - start < 12 or self.body[start] in _QUOTE_MARKS:
            return
        quoted = sum(
            q.end - q.start for q in self.quotes if q.depth == 0 and start <= q.open and q.close < end
        )
        if quoted > (end - start) / 2 and cue.lemma not in QUALIFYING_LEMMAS:
            return
        if any(s.kind == "reported" and s.start == start and s.end == end for s in self.statements):
            return
        self.statements.append(
            StatementProposal(
                "reported",
                start,
                end,
                self.body[start:end],
                cue.speaker,
                None,
                round(min(confidence, cue.confidence), 2),
                attribution=Span(cue.start, cue.end, self.body[cue.start : cue.end]),
                flags=(f"verb:{cue.lemma}",),
            )
        )


def assign_said_on(
    statements: Sequence[StatementProposal],
    dates: Sequence[DateProposal],
    reader: Reader,
    published: FuzzyDate | None,
) -> list[StatementProposal]:
    """Date each statement from the date expressions around it (never from inside one).

    Order: a day or month date in the statement's sentence outside its words; the nearest
    relative day before it (the article's news-time: "jeudi", "ce vendredi"); the nearest
    day or month before it; the nearest after it; the publication date.
    """
    inside = [(s.start, s.end) for s in statements]
    anchors = [
        d
        for d in dates
        if d.date is not None
        and d.date.precision in {"day", "month"}
        and not any(s <= d.start and d.end <= e for s, e in inside)
    ]
    dated = []
    for statement in statements:
        at = statement.attribution.start if statement.attribution else statement.start
        s_start = reader.sentence_start(min(at, statement.start))
        s_end = reader.sentence_end(max(at, statement.end - 1))
        own = [d for d in anchors if s_start <= d.start < s_end]
        before = [d for d in anchors if d.end <= statement.start]
        news_time = [d for d in before if d.relative and d.date.precision == "day"]
        after = [d for d in anchors if d.start >= statement.end]
        chosen: FuzzyDate | None
        if own:
            pick = min(own, key=lambda d: abs(d.start - at))
            chosen = replace(pick.date, note=f"'{pick.text}' in the same sentence: {pick.date.note}")
        elif news_time:
            pick = news_time[-1]
            chosen = replace(
                pick.date, note=f"news-time before the statement, '{pick.text}': {pick.date.note}"
            )
        elif before:
            pick = before[-1]
            chosen = replace(
                pick.date, note=f"latest date before the statement, '{pick.text}': {pick.date.note}"
            )
        elif after:
            pick = after[0]
            chosen = replace(
                pick.date, note=f"first date after the statement, '{pick.text}': {pick.date.note}"
            )
        elif published is not None:
            chosen = replace(published, note="no date near the statement: the publication date")
        else:
            chosen = None
        dated.append(replace(statement, said_on=chosen))
    return dated
