"""Quotation marks: where each quoted passage starts and ends, and whether it is a term.

Marks handled: « » (with or without spaces inside), “ ” and „ “, ‹ ›, and ASCII ``"``
(which opens or closes depending on what is open). A closing mark met when nothing is open
opens a *reversed* quote closed by the matching opening mark (``l' »État d’union« ``).
Quotes nest (a stack); a quote never spans a line break — an unclosed mark at the end of a
paragraph is dropped, because French news opens a new « on each quoted paragraph anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.text import fold

_OPENERS = {"«": "»", "“": "”", "„": "“", "‹": "›"}
_REVERSED = {"»": "«", "”": "“", "›": "‹"}
_SPACE = " \t\u00a0\u202f\u2009\u2007"


@dataclass(frozen=True)
class Quote:
    """A quoted passage: ``open``/``close`` are the positions of the marks themselves,
    ``start``/``end`` the words inside them without surrounding spaces."""

    open: int
    close: int
    start: int
    end: int
    depth: int  # 0 for a top-level quote, 1 inside another quote…


def find_quotes(body: str) -> tuple[Quote, ...]:
    """Every balanced quoted passage of ``body``, in text order."""
    found: list[Quote] = []
    stack: list[tuple[int, str]] = []
    for index, char in enumerate(body):
        if char == "\n":
            stack.clear()
            continue
        if char == '"':
            if stack and stack[-1][1] == '"':
                _close(body, stack, index, found)
            else:
                stack.append((index, '"'))
        elif stack and char == stack[-1][1]:
            _close(body, stack, index, found)
        elif char in _OPENERS:
            stack.append((index, _OPENERS[char]))
        elif char in _REVERSED:
            depth = next((d for d in range(len(stack) - 1, -1, -1) if stack[d][1] == char), None)
            if depth is not None:  # closes an outer quote whose inner mark was left open
                del stack[depth + 1 :]
                _close(body, stack, index, found)
            elif not stack:
                stack.append((index, _REVERSED[char]))
    return tuple(sorted(found, key=lambda q: q.open))


def _close(body: str, stack: list[tuple[int, str]], index: int, found: list[Quote]) -> None:
    open_at, _ = stack.pop()
    start, end = open_at + 1, index
    while start < end and body[start] in _SPACE:
        start += 1
    while end > start and body[end - 1] in _SPACE:
        end -= 1
    if end > start:
        found.append(Quote(open_at, index, start, end, len(stack)))


_WORD = re.compile(r"[^\s]+")
ARTICLE_BEFORE = re.compile(r"(?:\b(?:le|la|les|du|des|de)\s*|\b[ld]['\u2019]\s*)$", re.IGNORECASE)
_SMALL_WORDS = frozenset(
    {"de", "du", "des", "la", "le", "les", "l'", "d'", "et", "en", "à", "a", "pour", "sur"}
)


def term_reason(text: str, known_names: frozenset[str], after_article: bool = False) -> str | None:
    """Why a quoted passage is a term rather than a statement, or None if it reads as speech.

    A statement quotes someone's words: three words or more. One or two words, a known
    entity name, or a run of capitalised words (a title, a programme name) is a term.
    ``known_names`` are folded gazetteer names and aliases; ``after_article`` says the
    opening mark follows an article ("l'« Accord du siècle »"), which makes a short
    capitalised passage a name.
    """
    words = _WORD.findall(text)
    if len(words) <= 2:
        return "one or two quoted words: a name or a term"
    if fold(text) in known_names:
        return "the name of a known entity"
    content = [w for w in words if w.casefold() not in _SMALL_WORDS]
    if len(words) <= 6 and content and all(w[0].isupper() or w[0].isdigit() for w in content):
        return "a capitalised name or title"
    if after_article and len(words) <= 4 and text[0].isupper() and text[-1] not in ".!?":
        return "a capitalised name after an article"
    return None
