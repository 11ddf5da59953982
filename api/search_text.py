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
from itertools import accumulate

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


@lru_cache(maxsize=65536)
def word_forms(word: str) -> tuple[str, str]:
    """A word of a text as found (``WORD``): folded, and its stem. Documents repeat their words,
    so highlighting looks most of them up here instead of folding them again."""
    folded = fold(word)
    return folded, stem(folded)


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


def _positions(items: list[str], wanted: str) -> list[int]:
    """Indexes of ``wanted`` in ``items``, found by ``list.index`` (a scan in C, not in Python)."""
    found: list[int] = []
    try:
        while True:
            found.append(items.index(wanted, found[-1] + 1 if found else 0))
    except ValueError:
        return found


def _hits(stems: list[str], folded: list[str] | None, clauses: list[Clause]) -> set[int]:
    """Indexes of the words that match: whole phrases, single words, or prefixes (of the
    ``folded`` words, which a query with a prefix must give)."""
    hits: set[int] = set()
    for clause in clauses:
        if clause.prefix:
            wanted = clause.first[0]
            hits.update(i for i, word in enumerate(folded or ()) if word.startswith(wanted))
            continue
        for phrase in clause.alternatives:
            size = len(phrase)
            for i in _positions(stems, phrase[0]):
                if size == 1 or tuple(stems[i : i + size]) == phrase:
                    hits.update(range(i, i + size))
    return hits


def _word_hits(words: list[str], clauses: list[Clause], stored: str | None) -> list[int]:
    """Sorted indexes of the matching ``words``. ``stored`` (the document's indexed stems, one per
    word) spares folding and stemming every word: it is used when it has one stem per word and
    every word it marks really has that stem; otherwise each word is folded and stemmed."""
    if stored is not None and not any(clause.prefix for clause in clauses):
        stems = stored.split()
        if len(stems) == len(words):
            hits = sorted(_hits(stems, None, clauses))
            if all(word_forms(words[i])[1] == stems[i] for i in hits):
                return hits
    forms = [word_forms(word) for word in words]
    return sorted(_hits([f[1] for f in forms], [f[0] for f in forms], clauses))


# ``WORD`` as a separator: the text cut into gap, word, gap, word, …, gap (gaps may be empty)
_WORDS_AND_GAPS = re.compile(f"({WORD.pattern})")


def highlight(
    text: str, clauses: list[Clause], *, stems: str | None = None, context_words: int = 12
) -> tuple[str, list[list[int]]]:
    """An HTML-escaped snippet with ``<mark>`` around matching words, and every match's offsets.

    ``stems``: the document's indexed terms (``search_documents.terms``), when at hand.
    The text is cut into words once, in C (a regex split, then the running sum of the pieces'
    lengths gives every word's offsets); only the matching words are looked at in Python."""
    pieces = _WORDS_AND_GAPS.split(text)
    words = pieces[1::2]
    if not words:
        return "", []
    hits = _word_hits(words, clauses, stems)
    # bounds[2 * i] and bounds[2 * i + 1]: where word i starts and ends
    bounds = [0, *accumulate(map(len, pieces))]
    matches = [[bounds[2 * i + 1], bounds[2 * i + 2]] for i in hits]
    centre = hits[0] if hits else 0
    first = max(0, centre - context_words)
    last = min(len(words) - 1, centre + context_words)
    start = 0 if first == 0 else bounds[2 * first + 1]
    end = len(text) if last == len(words) - 1 else bounds[2 * last + 2]
    parts, cursor = [], start
    for i in hits:
        if first <= i <= last:
            w_start, w_end = bounds[2 * i + 1], bounds[2 * i + 2]
            parts.append(html.escape(text[cursor:w_start]))
            parts.append(f"<mark>{html.escape(text[w_start:w_end])}</mark>")
            cursor = w_end
    parts.append(html.escape(text[cursor:end]))
    return ("…" if start > 0 else "") + "".join(parts) + ("…" if end < len(text) else ""), matches
