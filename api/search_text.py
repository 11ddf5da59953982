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

import codecs
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


# A text's word mask: one byte per character, b"a" for a word character, b" " for any other, so
# that word i of ``WORD`` is the mask's i-th run of b"a". ``WORD`` matches runs of the characters
# c with c.isalnum() (what ``[^\W_]`` means), so the mask is the text encoded as Latin-1 (a copy
# in C), translated by a table; a character beyond Latin-1 is classified by ``_mask_beyond_latin1``.
_LATIN1_MASK = bytes(ord("a") if chr(i).isalnum() else ord(" ") for i in range(256))
_MASK_ERRORS = "veille-word-mask"


def _mask_beyond_latin1(error: UnicodeEncodeError) -> tuple[str, int]:
    """The codec error handler of ``_word_mask``: a run of characters beyond Latin-1, masked."""
    run = error.object[error.start : error.end]
    return "".join("a" if char.isalnum() else " " for char in run), error.end


codecs.register_error(_MASK_ERRORS, _mask_beyond_latin1)


def _word_mask(text: str) -> bytes:
    """The word mask of ``text``. French text is full of one character beyond Latin-1, the
    apostrophe ’: it is made ' (no word character either) in one pass first, rather than handed
    to the error handler one at a time."""
    if "’" in text:
        text = text.replace("’", "'")
    return text.encode("latin-1", _MASK_ERRORS).translate(_LATIN1_MASK)


_MAX_SKIP = 1024


@lru_cache(maxsize=_MAX_SKIP + 1)
def _word_after(words: int) -> re.Pattern[bytes]:
    """Matches in a word mask from a word's start to the end of the word ``words`` further on,
    which it captures (0 to ``_MAX_SKIP`` words: one pattern for each, compiled when first needed)."""
    return re.compile(rb"(?:a++ ++){%d}+(a++)" % words)


def _window(
    mask: bytes, count: int, hits: list[int], context_words: int
) -> tuple[int, int, dict[int, tuple[int, int]]]:
    """The snippet's first and last words (around the first hit, else from the text's first), and
    where these and the hits start and end.

    The first word is found from the nearer end of the mask, in C: from the end, by splitting the
    words behind it off; from the start, as the last of the word starts before it (b" a") once
    marked (b" b"). Each other word is matched from the one before."""
    centre = hits[0] if hits else 0
    first, last = max(0, centre - context_words), min(count - 1, centre + context_words)
    behind = count - 1 - first
    if behind < first:
        start = mask.rfind(b" ", 0, len(mask.rsplit(None, behind)[0])) + 1
    else:
        before = first + (mask[:1] == b" ")
        start = mask.replace(b" a", b" b", before).rfind(b"b") if before else 0
    spans, index = {}, first
    for wanted in sorted({*hits, first, last}):
        while wanted - index > _MAX_SKIP:
            start = _word_after(_MAX_SKIP).match(mask, start).start(1)  # type: ignore[union-attr]
            index += _MAX_SKIP
        spans[wanted] = span = _word_after(wanted - index).match(mask, start).span(1)  # type: ignore[union-attr]
        index, start = wanted, span[0]
    return first, last, spans


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _stored_hits(stored: str, count: int, clauses: list[Clause]) -> dict[int, str] | None:
    """The indexes of the matching words, each with its stem, found in ``stored`` (a document's
    indexed stems) when it holds ``count`` stems; None when it does not.

    Stems as indexed (printable ASCII, joined by single spaces) are searched in the string, in C:
    a word's index is the number of spaces before it. Any other string is split for ``_hits``."""
    if (
        not stored
        or not stored.isascii()
        or stored.encode().translate(None, _PRINTABLE_ASCII)
        or stored[0] == " "
        or stored[-1] == " "
        or "  " in stored
    ):
        stems = stored.split()
        return {i: stems[i] for i in _hits(stems, None, clauses)} if len(stems) == count else None
    padded, matches = f" {stored} ", []
    for clause in clauses:
        for phrase in clause.alternatives:
            needle = f" {' '.join(phrase)} "
            # a stem holding a space would match across stems here, and matches no split stem
            found = padded.find(needle) if needle.count(" ") == len(phrase) + 1 else -1
            while found >= 0:
                matches.append((found, phrase))
                found = padded.find(needle, found + 1)
    # a match's first stem is the one after as many spaces as come before it in ``padded``: the
    # spaces are counted once, from match to match, then to the end (one stem per space but one)
    hits, index, at = {}, 0, 0
    for found, phrase in sorted(matches):
        index, at = index + padded.count(" ", at, found), found
        hits.update(enumerate(phrase, index))
    return hits if index + padded.count(" ", at) == count + 1 else None


def highlight(
    text: str, clauses: list[Clause], *, stems: str | None = None, context_words: int = 12
) -> tuple[str, list[list[int]]]:
    """An HTML-escaped snippet with ``<mark>`` around matching words, and every match's offsets.

    ``stems``: the document's indexed terms (``search_documents.terms``), when at hand. They spare
    folding and stemming every word: they are used when there is one stem per word and every word
    they mark really has that stem; otherwise each word is folded and stemmed. The words are
    counted and located on the text's word mask, in C; only the matching words and the snippet's
    first and last are located, and only they are looked at in Python."""
    mask = _word_mask(text)
    count = mask.count(b" a") + mask.startswith(b"a")
    if not count:
        return "", []
    stored = None
    if stems is not None and not any(clause.prefix for clause in clauses):
        stored = _stored_hits(stems, count, clauses)
    if stored is not None:
        hits = sorted(stored)
        first, last, spans = _window(mask, count, hits, context_words)
        for i, stem in stored.items():
            w_start, w_end = spans[i]
            if word_forms(text[w_start:w_end])[1] != stem:
                stored = None
                break
    if stored is None:
        forms = [word_forms(word) for word in WORD.findall(text)]
        hits = sorted(_hits([f[1] for f in forms], [f[0] for f in forms], clauses))
        first, last, spans = _window(mask, count, hits, context_words)
    start = 0 if first == 0 else spans[first][0]
    end = len(text) if last == count - 1 else spans[last][1]
    parts, cursor = [], start
    for i in hits:
        if first <= i <= last:
            w_start, w_end = spans[i]
            # a word is letters and digits: nothing to escape
            parts.append(f"{html.escape(text[cursor:w_start])}<mark>{text[w_start:w_end]}</mark>")
            cursor = w_end
    parts.append(html.escape(text[cursor:end]))
    snippet = ("…" if start > 0 else "") + "".join(parts) + ("…" if end < len(text) else "")
    return snippet, [list(spans[i]) for i in hits]
