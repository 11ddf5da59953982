"""Quotation marks: where each quoted passage starts and ends, and whether it is a term.

Marks handled: « » (with or without spaces inside), “ ” and „ “, ‹ ›, ASCII ``"`` (which
opens or closes depending on what is open) and ASCII ``'`` used as a quotation mark (it opens
after a space and before a letter, and closes after a word and before a space or
punctuation — never inside a word, where it is an apostrophe). A closing mark met when
nothing is open opens a *reversed* quote closed by the matching opening mark
(``l' »État d’union« ``).

Quotes nest (a stack); a quote never spans a line break. A mark left open at the end of a
paragraph is closed there when the next paragraph opens with the same mark (the French way
of quoting several paragraphs: « on each, » only on the last); otherwise it is dropped.
A closing ``'`` or ``"`` after a comma or a full stop and before an attribution, with nothing
open, closes a quote whose opening mark is missing: it runs from the start of the paragraph.
A comma just before the closing mark belongs to the attribution, not to the quoted words.

Interviews: a paragraph that opens with a dash or ``R :`` in a run of question and answer
paragraphs is an answer (:func:`find_answers`); a paragraph ending with ``?`` is a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.extract.lexicon import SPEECH_VERB, folded
from api.text import fold

_OPENERS = {"«": "»", "“": "”", "„": "“", "‹": "›"}
_REVERSED = {"»": "«", "”": "“", "›": "‹"}
_SPACE = " \t\u00a0\u202f\u2009\u2007"
_TRAILING = _SPACE + ","
_SINGLE = "'\u2018\u2019"  # ' ‘ ’: ’ never opens (it is the usual apostrophe), ‘ never closes
_END_PUNCTUATION = (",", ".", "!", "?")
_NAME_INSIDE = re.compile(r"(?<=[\s\u00a0])[A-Z\u00c0-\u00de][a-z\u00e0-\u00ff]")
_SENTENCE_END = re.compile(r"[.!?][ \t\u00a0]+")
_AFTER_MARK = re.compile(r"[ \t\u00a0\u202f]*,?[ \t\u00a0\u202f]+")


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
    lower = folded(body)
    for index, char in enumerate(body):
        if char == "\n":
            if len(stack) == 1 and _continues(body, index, body[stack[0][0]]):
                _close(body, stack, index, found)
            stack.clear()
            continue
        if char == '"':
            if stack and stack[-1][1] == '"':
                _close(body, stack, index, found)
            elif (
                not stack and body[index - 1 : index] in _END_PUNCTUATION and _attribution_after(lower, index)
            ):
                _close_missing(body, index, found)
            else:
                stack.append((index, '"'))
        elif char in _SINGLE:
            if stack and stack[-1][1] == "'" and char != "\u2018" and _closes_single(body, index):
                _close(body, stack, index, found)
            elif (
                not stack
                and char != "\u2018"
                and body[index - 1 : index] in _END_PUNCTUATION
                and _attribution_after(lower, index)
            ):
                _close_missing(body, index, found)
            elif char != "\u2019" and _opens_single(body, index):
                stack.append((index, "'"))
        elif stack and char == stack[-1][1]:
            _close(body, stack, index, found)
        elif char in _OPENERS:
            stack.append((index, _OPENERS[char]))
        elif char in _REVERSED:
            depth = next((d for d in range(len(stack) - 1, -1, -1) if stack[d][1] == char), None)
            if depth is not None:  # closes an outer quote whose inner mark was left open
                del stack[depth + 1 :]
                _close(body, stack, index, found)
            elif not stack and _attribution_after(lower, index):
                _close_missing(body, index, found)
            elif not stack:
                stack.append((index, _REVERSED[char]))
    return tuple(sorted(found, key=lambda q: q.open))


def _close(body: str, stack: list[tuple[int, str]], index: int, found: list[Quote]) -> None:
    open_at, _ = stack.pop()
    start, end = open_at + 1, index
    while start < end and body[start] in _SPACE:
        start += 1
    while end > start and body[end - 1] in _TRAILING:
        end -= 1
    if end > start:
        found.append(Quote(open_at, index, start, end, len(stack)))


def _close_missing(body: str, index: int, found: list[Quote]) -> None:
    """A quote closed at ``index`` whose opening mark was left out: it opens its paragraph,
    or the text after a colon or after a sentence that follows an earlier quote there."""
    start = body.rfind("\n", 0, index) + 1
    earlier = [q.close for q in found if start <= q.close < index]
    if earlier:
        sentence = re.compile(r"[.!?][\s\u00a0]+").search(body, earlier[-1] + 1, index)
        start = sentence.end() if sentence else earlier[-1] + 1
    colon = body.rfind(":", start, index)
    if colon >= 0 and body[colon + 1 : colon + 2].isspace():
        start = colon + 1
    lower = folded(body)
    ends = [m.end() for m in _SENTENCE_END.finditer(body, start, index)]
    # Back from the mark, sentence by sentence: the one before the mark is quoted; an earlier
    # one that names someone or has a verb of saying is the narrator introducing the quote
    # ("Paul Durand a présenté son budget. Il n'y aura …,' a-t-il lancé").
    for sentence_start, sentence_end in reversed(list(zip([start, *ends][: len(ends)], ends, strict=True))):
        narrative = SPEECH_VERB.search(lower, sentence_start, sentence_end) or _NAME_INSIDE.search(
            body, sentence_start + 1, sentence_end
        )
        if narrative:
            start = sentence_end
            break
    while start < index and body[start] in _SPACE + ",-\u2013\u2014":
        start += 1
    end = index
    while end > start and body[end - 1] in _TRAILING:
        end -= 1
    if end > start:  # no mark to point at: ``open`` is the first quoted character
        found.append(Quote(start, index, start, end, 0))


def _continues(body: str, newline: int, mark: str) -> bool:
    """The next non-blank paragraph opens with ``mark``: the quote goes on there."""
    rest = body[newline:].lstrip(_SPACE + "\n")
    return rest.startswith(mark)


def _opens_single(body: str, index: int) -> bool:
    before = body[index - 1] if index else "\n"
    after = body[index + 1] if index + 1 < len(body) else ""
    return (before.isspace() or before in "(:") and after.isalpha()


def _closes_single(body: str, index: int) -> bool:
    before = body[index - 1] if index else " "
    after = body[index + 1] if index + 1 < len(body) else " "
    return not before.isspace() and (after.isspace() or after in ".,;:!?)")


def _attribution_after(lower: str, index: int) -> bool:
    """An attribution verb right after the mark at ``index`` ("…,' a-t-il ajouté", "» dit-il")."""
    after = _AFTER_MARK.match(lower, index + 1)
    return after is not None and SPEECH_VERB.match(lower, after.end()) is not None


_COLON_END = re.compile(r":[ \t\u00a0]*(?:\n[ \t]*)*")
_ANY_MARK = re.compile('["«»“”‹›„]')


def find_colon_quotes(body: str, marked: tuple[Quote, ...]) -> tuple[Quote, ...]:
    """Words after a verb of saying and a colon with no quotation mark at all ("Elle
    affirme : Les horaires …", or on the next paragraph): the rest of that paragraph, when it
    opens with a capital letter and holds no mark, and no marked quote starts there."""
    lower = folded(body)
    found: list[Quote] = []
    for colon in _COLON_END.finditer(body):
        start = colon.end()
        line_end = body.find("\n", start)
        line_end = len(body) if line_end < 0 else line_end
        sentence_start = body.rfind("\n", 0, colon.start()) + 1
        for sentence_end in _SENTENCE_END.finditer(body, sentence_start, colon.start()):
            sentence_start = sentence_end.end()
        text = body[start:line_end].rstrip()
        if (
            not text
            or not text[0].isupper()
            or _ANY_MARK.search(text)
            or any(start <= q.open < line_end for q in marked)
            or not SPEECH_VERB.search(lower, sentence_start, colon.start())
        ):
            continue
        found.append(Quote(start, start + len(text), start, start + len(text), 0))
    return tuple(found)


_DASH_LINE = re.compile(r"^[ \t]*(?:[-\u2013\u2014][ \t]+|R[ \t]*[:.][ \t]*)", re.MULTILINE)
_QUESTION_LINE = re.compile(r"^[ \t]*(?:[-\u2013\u2014][ \t]+|Q[ \t]*[:.][ \t]*)", re.MULTILINE)


def find_answers(body: str) -> tuple[Quote, ...]:
    """The answers of an interview: dash or ``R :`` paragraphs that follow a question.

    A paragraph is a question when it opens with a dash or ``Q :`` and ends with ``?``.
    Each answer is a quote whose ``open`` is its dash and ``close`` the end of its line.
    """
    lines: list[tuple[int, int]] = []
    offset = 0
    for line in body.split("\n"):
        lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    answers: list[Quote] = []
    after_question = False
    for line_start, line_end in lines:
        text = body[line_start:line_end].rstrip()
        if not text.strip():
            continue
        question = _QUESTION_LINE.match(body, line_start, line_end)
        if question and text.endswith("?"):
            after_question = True
            continue
        answer = _DASH_LINE.match(body, line_start, line_end)
        if answer and after_question:
            start, end = answer.end(), line_start + len(text)
            if end > start:
                answers.append(Quote(answer.start() + len(answer.group(0)) - 1, line_end, start, end, 0))
        after_question = False
    return tuple(answers)


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
