"""Search text processing, identical for both backends (pure functions, no database).

Indexed text and queries go through the same steps: fold accents, case and apostrophes,
split into words, stem each word with the Snowball French stemmer. The index stores the
stems; SQLite's FTS5 and PostgreSQL's tsvector only ever see already-processed words, so
both backends match exactly the same documents.

Query grammar: words (all must match), ``"a phrase"`` (consecutive words), ``prefix*``.
A word that is a known spelling of an entity also matches the entity's other spellings
(``Shoigu`` finds "Choïgou"): the caller passes those variants to :func:`with_variants`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from api.text import fold
from schemas.common import QUERY_PATTERN

WORD = re.compile(r"[^\W_]+")
_QUERY_PART = re.compile(r'"([^"]*)"|([^\s"]+)')
QUERY_SYNTAX = re.compile(QUERY_PATTERN)

_stemmer = snowballstemmer.stemmer("french")


class QueryError(ValueError):
    """A search query that cannot be understood."""


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Stem of an already folded word."""
    return _stemmer.stemWord(word)


def terms(text: str) -> list[str]:
    """The stems of ``text``, in order: what the index stores."""
    return [stem(w) for w in WORD.findall(fold(text))]


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    """One required part of a query: any of several phrases of stems, or a word prefix."""

    alternatives: tuple[Phrase, ...]
    prefix: bool = False

    @property
    def first(self) -> Phrase:
        return self.alternatives[0]


def parse_query(query: str) -> list[Clause]:
    """Clauses that must all match; raises :class:`QueryError` when the syntax is broken.

    A query with no searchable word (only punctuation, an empty phrase) parses to no
    clause and matches nothing.
    """
    if not QUERY_SYNTAX.match(query):
        raise QueryError("double quotes must come in pairs, and * may only end a word (nucl*)")
    clauses: list[Clause] = []
    for match in _QUERY_PART.finditer(query):
        phrase, token = match.groups()
        if phrase is not None:
            stems = tuple(terms(phrase))
            if stems:
                clauses.append(Clause((stems,)))
            continue
        if token.endswith("*"):
            words = WORD.findall(fold(token[:-1]))
            clauses.extend(Clause(((stem(w),),)) for w in words[:-1])
            if words:
                # the index holds stems: "armes*" must find "arme" (and "armement")
                clauses.append(Clause(((stem(words[-1]),),), prefix=True))
            continue
        clauses.extend(Clause(((s,),)) for s in terms(token))
    return clauses


def with_variants(clauses: list[Clause], variants: dict[str, list[Phrase]]) -> list[Clause]:
    """Widen each one-word clause to the other spellings ``variants`` lists for that stem."""
    widened = []
    for clause in clauses:
        extra = variants.get(clause.first[0], []) if not clause.prefix and len(clause.first) == 1 else []
        alternatives = tuple(dict.fromkeys([clause.first, *extra]))
        widened.append(Clause(alternatives, clause.prefix))
    return widened


def fts5_expression(clauses: list[Clause]) -> str:
    """The FTS5 MATCH expression (stems are word characters only, so quoting is safe)."""
    parts = []
    for clause in clauses:
        if clause.prefix:
            parts.append(f'"{clause.first[0]}"*')
            continue
        phrases = ['"' + " ".join(phrase) + '"' for phrase in clause.alternatives]
        parts.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    return " AND ".join(parts)


def tsquery_expression(clauses: list[Clause]) -> str:
    """The PostgreSQL tsquery text, for ``to_tsquery('simple', …)``."""
    parts = []
    for clause in clauses:
        if clause.prefix:
            parts.append(f"'{clause.first[0]}':*")
            continue
        phrases = ["(" + " <-> ".join(f"'{s}'" for s in phrase) + ")" for phrase in clause.alternatives]
        parts.append("(" + " | ".join(phrases) + ")")
    return " & ".join(parts)


def _hits(words: list[tuple[int, int, str, str]], clauses: list[Clause]) -> set[int]:
    """Indexes of the words that match: whole phrases, single words, or prefixes."""
    hits: set[int] = set()
    stems = [w[3] for w in words]
    for clause in clauses:
        if clause.prefix:
            hits.update(i for i, w in enumerate(words) if w[2].startswith(clause.first[0]))
            continue
        for phrase in clause.alternatives:
            size = len(phrase)
            for i in range(len(stems) - size + 1):
                if tuple(stems[i : i + size]) == phrase:
                    hits.update(range(i, i + size))
    return hits


def highlight(text: str, clauses: list[Clause], *, context_words: int = 12) -> tuple[str, list[list[int]]]:
    """An HTML-escaped snippet with ``<mark>`` around matching words, and every match's offsets."""
    words = [(m.start(), m.end(), fold(m.group()), "") for m in WORD.finditer(text)]
    words = [(start, end, folded, stem(folded)) for start, end, folded, _ in words]
    hits = sorted(_hits(words, clauses))
    matches = [[words[i][0], words[i][1]] for i in hits]
    if not words:
        return "", matches
    centre = hits[0] if hits else 0
    first = max(0, centre - context_words)
    last = min(len(words) - 1, centre + context_words)
    start = 0 if first == 0 else words[first][0]
    end = len(text) if last == len(words) - 1 else words[last][1]
    pieces, cursor = [], start
    for i in hits:
        if first <= i <= last:
            w_start, w_end = words[i][0], words[i][1]
            pieces.append(html.escape(text[cursor:w_start]))
            pieces.append(f"<mark>{html.escape(text[w_start:w_end])}</mark>")
            cursor = w_end
    pieces.append(html.escape(text[cursor:end]))
    return ("…" if start > 0 else "") + "".join(pieces) + ("…" if end < len(text) else ""), matches
