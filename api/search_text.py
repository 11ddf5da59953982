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

WORD = re.compile(r"[^\W_]+")
_QUERY_PART = re.compile(r'"([^"]*)"|(\S+)')
MAX_QUERY_TERMS = 32

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
    """Clauses that must all match; raises :class:`QueryError` on a malformed query."""
    if query.count('"') % 2:
        raise QueryError("unbalanced double quote")
    clauses: list[Clause] = []
    for phrase, word in _QUERY_PART.findall(query):
        if phrase or (not word and phrase == ""):
            stems = tuple(terms(phrase))
            if not stems:
                raise QueryError("empty phrase")
            clauses.append(Clause((stems,)))
            continue
        if word.endswith("*"):
            words = WORD.findall(fold(word[:-1]))
            if len(words) != 1 or "*" in word[:-1]:
                raise QueryError(f"a prefix query is one word followed by *, got {word!r}")
            clauses.append(Clause(((words[0],),), prefix=True))
            continue
        if "*" in word:
            raise QueryError(f"* is only allowed at the end of a word, got {word!r}")
        clauses.extend(Clause(((s,),)) for s in terms(word))
    if not clauses:
        raise QueryError("the query has no word to search for")
    if sum(len(c.first) for c in clauses) > MAX_QUERY_TERMS:
        raise QueryError(f"at most {MAX_QUERY_TERMS} words")
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


def highlight(text: str, clauses: list[Clause], *, context_words: int = 12) -> tuple[str, list[list[int]]]:
    """An HTML-escaped snippet with ``<mark>`` around matching words, and every match's offsets."""
    words = [(m.start(), m.end(), stem(fold(m.group()))) for m in WORD.finditer(text)]
    wanted = {s for c in clauses if not c.prefix for phrase in c.alternatives for s in phrase}
    prefixes = tuple(c.first[0] for c in clauses if c.prefix)
    hits = [
        i
        for i, (start, end, word_stem) in enumerate(words)
        if word_stem in wanted or (prefixes and fold(text[start:end]).startswith(prefixes))
    ]
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
    snippet = ("…" if start > 0 else "") + "".join(pieces) + ("…" if end < len(text) else "")
    return snippet, matches
