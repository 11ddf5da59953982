"""Who speaks: attribution verbs ("a déclaré", "a-t-il précisé", "affirme le ministre") and
their subjects.

The text is read *masked*: folded (see :func:`lexicon.folded`) with the words inside
top-level quotation marks blanked out, so verbs, names and full stops inside quotes never
count as attribution. A verb's subject is, in order:

1. the pronoun glued to it ("a-t-il précisé") — resolved to the latest named speaker;
2. after a comma or a closing mark, the inverted subject that follows ("», a affirmé X",
   "…, rapporte X", "», affirme le ministre …", "», a déclaré lundi à l'AFP X" — a role is
   looked up as an apposition to a name elsewhere in the text or right after it; a name
   neither the gazetteer nor NER knows is proposed as a new person);
3. for a present participle ("affirmant que"), the subject of the sentence's earlier verb;
4. otherwise the nearest name or subject pronoun before it in the sentence that is not the
   complement of a preposition ("l'activité de l'OTAN" does not make NATO a subject); after
   "qui", the antecedent; a definite description headed by a noun for one person ("la
   ministre a ajouté") points back to a person, one headed by another noun ("la direction")
   names nobody.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from api.extract.lexicon import (
    IMPERSONAL_AFTER_IL,
    PERSON_ROLES,
    SPEECH_VERB,
    SUBJECT_PRONOUNS,
    speech_lemma,
)
from api.extract.proposals import EntityRef, NewEntity
from api.text import fold_apostrophes

_PREPOSITION_BEFORE = re.compile(
    r"(?:\b(?:de|du|des|d'|à|au|aux|contre|avec|en|pour|sur|vers|entre|par|chez|dans|sans|envers|"
    r"homologue)\s*(?:(?:la|le|les|l')\s*)?)$"
)
_DETERMINER_BEFORE = re.compile(
    r"\b(?:le|la|les|l'|un|une|des|du|de|d'|cette|ce|ces|sa|son|ses|leur|leurs|notre|votre|ete|se|s')\s*$"
)
_COMME_LE = re.compile(r"\bcomme\s+l(?:e\s+|')$")
_RELATIVE_QUI = re.compile(r"\bqui\s+(?:(?:ne|n'|lui|leur|nous|vous|en|y)\s*)*(?:\w+\s+){0,1}$")
_PASSIVE_AUX_BEFORE = re.compile(r"\bete\s+$")
# After the verb, an inverted subject may follow a time word ("», a affirmé lundi Élodie X").
_TIME_WORD = (
    r"(?:(?:hier|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?:\s+(?:soir|matin|midi))?\s+)?"
)
# ... or the medium it was said to ("», a déclaré à l'AFP Jean X", "a-t-il dit au Monde").
_TO_MEDIUM = r"(?:(?:[àa]|au|aux|sur)\s+(?:l['\u2019]\s*|la\s+|le\s+)?[^\s,.;:]+\s+)?"
_INVERTED_START = re.compile(
    rf"(?P<lead>\s*{_TIME_WORD}{_TO_MEDIUM})"
    r"(?:(?:le|la|les|l'|un|une|son|sa|ses|leur|leurs)\b|[^\W\d_](?<=[A-Z\u00c0-\u00de]))"
)
# A capitalised name the gazetteer and NER both missed: "Prénom Nom", "Jean-Marc Le Goff";
# words in capitals ("CHU de Nantes") are acronyms of bodies, not people.
_NAME_WORD = (
    r"[A-Z\u00c0-\u00de][a-z\u00df-\u00ff'\u2019]+(?:-[A-Z\u00c0-\u00de]?[a-z\u00df-\u00ff'\u2019]+)*"
)
_NAME = re.compile(
    r"(?<![\w'\u2019])(?<!\bdu )(?<!\bde )(?<!\bdes )(?<!\bau )"
    r"(?!(?:Le|La|Les|Un|Une|Des|Du|Ce|Cet|Cette|Ces|Son|Sa|Ses|Leur|Leurs|Il|Elle|Ils|Elles|On|Nous|"
    r"Vous|Je|Tu|Selon|Pour|Dans|Sur|En|Au|Aux|Mais|Et|Or|Donc)\b)"
    rf"{_NAME_WORD}(?:\s+(?:(?:de|van|von|le|la)\s+|d')?{_NAME_WORD})+"
)
_ROLE_BEFORE = re.compile(r"(?:^|[,;:]\s*|\n)\s*(?P<role>(?:le|la|l')\s*[^,;:.\n]{2,60}?)\s+$")
_CLAUSE_STOP = re.compile(r"[,.;:!?«»“”\"\n()]|\s(?:qui|que|qu'|lors|dans|a|à|en)\s")
_PRONOUN = re.compile(rf"(?<![\w-])(?:{'|'.join(sorted(SUBJECT_PRONOUNS))})(?!\w)")


def names_a_person(role: str) -> bool:
    """Whether a definite description is headed by a noun for one person ("la ministre")."""
    words = re.findall(r"[\w-]+", role.replace("'", " "))
    while words and words[0] in {"le", "la", "les", "l", "un", "une"}:
        words = words[1:]
    return bool(words) and words[0] in PERSON_ROLES


# speaker, how it was found, confidence
_Subject = tuple[EntityRef | None, str, float]


@dataclass(frozen=True)
class Candidate:
    """A name that can be a speaker (a person, an organisation, a country)."""

    start: int
    end: int
    entity: EntityRef
    type: str


@dataclass(frozen=True)
class Cue:
    """An attribution verb and the speaker it names."""

    start: int
    end: int
    lemma: str
    speaker: EntityRef | None
    how: str  # named | pronoun | role | participle | none
    inverted: bool
    participle: bool
    confidence: float


class Reader:
    """The masked text of one article with its sentences, candidates and cues."""

    def __init__(self, body: str, lower: str, masked: str, candidates: list[Candidate]) -> None:
        self.body = body
        self.lower = lower
        self.masked = masked
        self.cased = fold_apostrophes(body)  # case kept, one character for one
        self.accented = "".join(c.lower() if len(c.lower()) == 1 else c for c in body).replace("\u2019", "'")
        self.candidates = sorted(candidates, key=lambda c: c.start)
        self._cand_starts = [c.start for c in self.candidates]
        self.sentence_starts = [0] + [m.end() for m in re.finditer(r"[.!?](?=\s)\s*|\n\s*", masked)]
        self.cues: list[Cue] = []
        self._read_cues()

    # -- geometry ---------------------------------------------------------------------------
    def sentence_start(self, pos: int) -> int:
        return self.sentence_starts[bisect.bisect_right(self.sentence_starts, pos) - 1]

    def sentence_end(self, pos: int) -> int:
        index = bisect.bisect_right(self.sentence_starts, pos)
        return self.sentence_starts[index] if index < len(self.sentence_starts) else len(self.masked)

    def candidates_in(self, start: int, end: int) -> list[Candidate]:
        first = bisect.bisect_left(self._cand_starts, start)
        return (
            [c for c in self.candidates[first:] if c.start < end and c.end <= end]
            if first < len(self.candidates)
            else []
        )

    def is_complement(self, candidate: Candidate) -> bool:
        return bool(_PREPOSITION_BEFORE.search(self.accented[max(0, candidate.start - 30) : candidate.start]))

    # -- speakers ---------------------------------------------------------------------------
    def latest_speaker(self, pos: int) -> EntityRef | None:
        """The most recent named subject of an attribution verb before ``pos``."""
        for cue in reversed(self.cues):
            if cue.start < pos and cue.speaker is not None:
                return cue.speaker
        return None

    def last_person(self, pos: int) -> EntityRef | None:
        """The person named last before ``pos`` as a subject, not a complement."""
        people = [
            c for c in self.candidates if c.end <= pos and c.type == "person" and not self.is_complement(c)
        ]
        return people[-1].entity if people else None

    def resolve_pronoun(self, pos: int) -> EntityRef | None:
        speaker = self.latest_speaker(pos)
        if speaker is not None:
            return speaker
        people = [c for c in self.candidates if c.end <= pos and c.type == "person"]
        return people[-1].entity if people else None

    def resolve_role(self, role: str, near: int) -> EntityRef | None:
        """A person named in apposition to ``role`` ("le ministre X", "X, le ministre") anywhere."""
        words = [w for w in role.split() if w]
        while words and words[0] in {
            "le",
            "la",
            "les",
            "l'",
            "un",
            "une",
            "son",
            "sa",
            "ses",
            "leur",
            "leurs",
        }:
            words = words[1:]
        if len(words) < 1:
            return None
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
        found: list[tuple[int, EntityRef]] = []
        people = [c for c in self.candidates if c.type == "person"]
        for m in pattern.finditer(self.lower):
            if _PREPOSITION_BEFORE.search(self.lower[max(0, m.start() - 30) : m.start()]):
                continue  # "la porte-parole du gouvernement, X": X is not the government
            for person in people:
                if 0 <= person.start - m.end() <= 3 and re.fullmatch(
                    r"[\s,]*", self.lower[m.end() : person.start]
                ):
                    found.append((abs(person.start - near), person.entity))
                if 0 <= m.start() - person.end <= 8 and re.fullmatch(
                    r"\s*,\s*(?:le\s+|la\s+|l')?", self.lower[person.end : m.start()]
                ):
                    found.append((abs(person.start - near), person.entity))
        return min(found, key=lambda item: item[0])[1] if found else None

    def first_subject(self, start: int, end: int) -> Candidate | None:
        for candidate in self.candidates_in(start, end):
            if not self.is_complement(candidate):
                return candidate
        return None

    # -- cues -------------------------------------------------------------------------------
    def _read_cues(self) -> None:
        for m in SPEECH_VERB.finditer(self.masked):
            before_text = self.masked[max(0, m.start() - 40) : m.start()]
            if m.group(0).startswith("a") and self.body[m.start()] == "à":
                continue
            finite_only = bool(m.group("fin2"))
            if finite_only and _DETERMINER_BEFORE.search(before_text) and not _COMME_LE.search(before_text):
                continue
            if finite_only and _PASSIVE_AUX_BEFORE.search(before_text):
                continue  # "a été annoncé par X": read by the passive rule, X is no subject
            self.cues.append(self._resolve(m, finite_only))

    def _resolve(self, m: re.Match[str], finite_only: bool) -> Cue:
        participle = finite_only and m.group("fin2").endswith("ant")
        s_start = self.sentence_start(m.start())
        inverted = False
        if m.group("pro1") or m.group("pro2"):
            found: _Subject | None = (self.resolve_pronoun(m.start()), "pronoun", 0.75)
            inverted = True
        else:
            found = self._inverted_subject(m, s_start)
            inverted = found is not None
            if found is None and participle:
                found = self._participle_subject(m, s_start)
            if found is None:
                found = self.subject_before(m.start(), s_start)
        speaker, how, confidence = found
        return Cue(m.start(), m.end(), speech_lemma(m), speaker, how, inverted, participle, confidence)

    def _inverted_subject(self, m: re.Match[str], s_start: int) -> _Subject | None:
        """ "», a affirmé X", "…, rapporte X", "», affirme le ministre …" — but not
        "X, a déclaré" (a name in apposition before the verb is its subject)."""
        before = self.masked[s_start : m.start()]
        named_before = self.candidates_in(s_start, m.start())
        apposed = bool(named_before) and re.fullmatch(
            r"\s*,\s*", self.masked[named_before[-1].end : m.start()]
        )
        after_break = before.rstrip().endswith((",", "»", "”", '"')) or _COMME_LE.search(before)
        start = _INVERTED_START.match(self.cased, m.end())
        if apposed or not after_break or not start:
            return None
        stop = _CLAUSE_STOP.search(self.masked, start.end("lead"))
        clause_end = stop.start() if stop else len(self.masked)
        named = [c for c in self.candidates_in(start.end("lead"), clause_end) if not self.is_complement(c)]
        if named:
            return named[0].entity, "named", 0.9
        name = _NAME.search(self.cased, start.end("lead"), clause_end)
        if name:  # a name neither the gazetteer nor NER knows: propose it rather than lose the quote
            return NewEntity(name.group(0), "person", 0.5), "named", 0.6
        role = self.lower[start.end("lead") : clause_end].strip()
        if role and not role.startswith(("que", "qu'")):
            quoted_before = before.rstrip().rstrip(",").rstrip().endswith(("»", "”", '"'))
            return self._inverted_role(role, m.start(), clause_end, quoted_before)
        return None

    def _inverted_role(self, role: str, at: int, clause_end: int, quoted_before: bool) -> _Subject | None:
        """ "», a déclaré le ministre": the person the role describes, or the name apposed
        to it ("le directeur du CHU, Lucien Fabre")."""
        resolved = self.resolve_role(role, at)
        if resolved is None:
            comma = re.compile(r"\s*,\s*").match(self.cased, clause_end)
            apposed_name = _NAME.match(self.cased, comma.end()) if comma else None
            if apposed_name:
                return NewEntity(apposed_name.group(0), "person", 0.5), "named", 0.6
            if not quoted_before:
                return None  # "X, ministre, a abordé la question…": an object, not a subject
            if names_a_person(role):
                resolved = self.last_person(at)
        return resolved, "role", 0.65

    def _participle_subject(self, m: re.Match[str], s_start: int) -> _Subject:
        """ "…, affirmant que": the subject of the sentence's earlier verb, or its first name."""
        earlier = [c for c in self.cues if c.start >= s_start and c.speaker is not None]
        if earlier:
            return earlier[-1].speaker, "participle", 0.8
        first = self.first_subject(s_start, m.start())
        return (first.entity if first else None), "participle", 0.7

    def subject_before(self, pos: int, s_start: int) -> _Subject:
        """The nearest name or subject pronoun before the verb at ``pos`` in the sentence that
        starts at ``s_start``; else a role ("le ministre")."""
        before = self.masked[s_start:pos]
        relative = _RELATIVE_QUI.search(before)
        if relative:  # "les représentants, qui réclament …": the antecedent speaks, if it is named
            at = s_start + relative.start()
            named = [
                c for c in self.candidates_in(s_start, at) if re.fullmatch(r"[\s,]*", self.masked[c.end : at])
            ]
            return (named[-1].entity, "named", 0.8) if named else (None, "none", 0.3)
        best: tuple[int, EntityRef | None, str] | None = None
        for candidate in self.candidates_in(s_start, pos):
            if not self.is_complement(candidate):
                best = (candidate.start, candidate.entity, "named")
        for p in _PRONOUN.finditer(before):
            at = s_start + p.start()
            if p.group(0) == "il" and IMPERSONAL_AFTER_IL.match(self.masked, at + len(p.group(0))):
                continue
            if best is None or at > best[0]:
                best = (at, self.resolve_pronoun(at), "pronoun")
        if best is not None:
            return best[1], best[2], 0.9 if best[2] == "named" else 0.75
        name = self._name_before(pos, s_start)
        if name is not None:
            return name, "named", 0.6
        role = _ROLE_BEFORE.search(before)
        if role:  # a definite description ("le ministre a ajouté") points back to a speaker
            found = self.resolve_role(role["role"], pos)
            if found is None and names_a_person(role["role"]):
                found = self.latest_speaker(pos) or self.last_person(pos)
            return found, "role", 0.6
        return None, "none", 0.3

    def _name_before(self, pos: int, s_start: int) -> NewEntity | None:
        """A "Prénom Nom" right before the verb (or before an apposition) that neither the
        gazetteer nor NER found: proposed as a new person rather than losing the speaker."""
        names = list(_NAME.finditer(self.cased, s_start, pos))
        if not names:
            return None
        name = names[-1]
        if not re.fullmatch(r"\s*(?:,[^,]{0,60},\s*)?", self.cased[name.end() : pos]):
            return None
        if _PREPOSITION_BEFORE.search(self.accented[max(0, name.start() - 30) : name.start()]):
            return None
        return NewEntity(name.group(0), "person", 0.5)

    def cues_between(self, start: int, end: int) -> list[Cue]:
        return [c for c in self.cues if start <= c.start < end]
