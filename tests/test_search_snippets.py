"""Snippets and match offsets (``api.search_text.highlight``) are exactly what they were before
highlighting stopped cutting each document into words in Python.

``reference_highlight`` below is the earlier implementation, kept as it was. Both run on every
document of the seed corpus and on a synthetic sample (French-ish text from the seed and synthetic
vocabularies, with the accents, apostrophes, ligatures, decomposed letters and digits that make
a document's stems differ from its words) for many queries: rare and common words, phrases,
prefixes, accented and apostrophe forms, entity spellings; with the stored stems and without.
Then on what those may not reach: every character there is, a hit at every place of a document
of mixed scripts and symbols, stored stems not as indexed, clauses no query parses to.
"""

from __future__ import annotations

import html
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text

from api.cli.synth.vocabulary import ADJECTIVES, NOUNS, RARE_NOUNS, VERBS
from api.search_text import (
    WORD,
    Clause,
    Phrase,
    highlight,
    parse_query,
    terms,
    with_variants,
    word_forms,
)

Document = tuple[str, str]  # content, stored stems


def _reference_hits(stems: list[str], folded: list[str] | None, clauses: list[Clause]) -> set[int]:
    hits: set[int] = set()
    for clause in clauses:
        if clause.prefix:
            wanted = clause.first[0]
            hits.update(i for i, word in enumerate(folded or ()) if word.startswith(wanted))
            continue
        for phrase in clause.alternatives:
            head, size = phrase[0], len(phrase)
            for i in (i for i, s in enumerate(stems) if s == head):
                if size == 1 or tuple(stems[i : i + size]) == phrase:
                    hits.update(range(i, i + size))
    return hits


def _reference_word_hits(words: list[str], clauses: list[Clause], stored: str | None) -> list[int]:
    if stored is not None and not any(clause.prefix for clause in clauses):
        stems = stored.split()
        if len(stems) == len(words):
            hits = sorted(_reference_hits(stems, None, clauses))
            if all(word_forms(words[i])[1] == stems[i] for i in hits):
                return hits
    forms = [word_forms(word) for word in words]
    return sorted(_reference_hits([f[1] for f in forms], [f[0] for f in forms], clauses))


def reference_highlight(
    text: str, clauses: list[Clause], *, stems: str | None = None, context_words: int = 12
) -> tuple[str, list[list[int]]]:
    """``highlight`` as it was: the expected output."""
    spans = list(map(re.Match.span, WORD.finditer(text)))
    hits = _reference_word_hits(WORD.findall(text), clauses, stems)
    matches = [list(spans[i]) for i in hits]
    if not spans:
        return "", matches
    centre = hits[0] if hits else 0
    first = max(0, centre - context_words)
    last = min(len(spans) - 1, centre + context_words)
    start = 0 if first == 0 else spans[first][0]
    end = len(text) if last == len(spans) - 1 else spans[last][1]
    pieces, cursor = [], start
    for i in hits:
        if first <= i <= last:
            w_start, w_end = spans[i]
            pieces.append(html.escape(text[cursor:w_start]))
            pieces.append(f"<mark>{html.escape(text[w_start:w_end])}</mark>")
            cursor = w_end
    pieces.append(html.escape(text[cursor:end]))
    return ("…" if start > 0 else "") + "".join(pieces) + ("…" if end < len(text) else ""), matches


# --------------------------------------------------------------------------------------------
# The documents
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_documents(app: Flask) -> list[Document]:
    with app.extensions["veille.engine"].connect() as connection:
        rows = connection.execute(text("SELECT content, terms FROM search_documents ORDER BY id"))
        return [(content, stored) for content, stored in rows]


# words whose stems differ from the stems of their words once folded, or that fold into more
# or fewer words: NFD accents, ligatures, fractions, a superscript, the German sharp s
ODD_WORDS = ("cafe\u0301s", "e\u0301tats", "ﬁnance", "½", "x²", "Straße", "ŉ", "Œuvre", "l’ONU", "d'Iran")
PUNCTUATION = (" ", " ", " ", ", ", ". ", " ; ", " – ", " - ", "\n", " (", ") ", " « ", " » ", "’", "'", "_")


def synthetic_vocabulary(seed_texts: list[str]) -> list[str]:
    seen = Counter(word for content in seed_texts for word in WORD.findall(content))
    synth = [word for word, _gender in [*NOUNS, *ADJECTIVES, *RARE_NOUNS]] + list(VERBS)
    return sorted(seen) + synth


def synthetic_documents(vocabulary: list[str], count: int, seed: int = 14) -> Iterator[Document]:
    rng = random.Random(seed)
    for _ in range(count):
        words = []
        for _ in range(rng.choice((3, 8, 25, 60, 250))):
            word = rng.choice(ODD_WORDS) if rng.random() < 0.01 else rng.choice(vocabulary)
            if rng.random() < 0.1:
                word = word.upper() if rng.random() < 0.5 else word.capitalize()
            words.append(word + rng.choice(PUNCTUATION))
        content = "".join(words)
        if rng.random() < 0.2:  # a document starting or ending with punctuation, or with none
            content = rng.choice(PUNCTUATION) + content.strip()
        yield content, " ".join(terms(content))


def queries(documents: list[Document], rng: random.Random) -> list[str]:
    """Rare and common words, phrases (taken from the documents), prefixes, accented and
    apostrophe forms, and words found nowhere."""
    counts = Counter(word.lower() for content, _ in documents for word in WORD.findall(content))
    by_frequency = [word for word, _ in counts.most_common()]
    common, rare = by_frequency[:10], by_frequency[-10:]
    picked = [*common, *rare, *rng.sample(by_frequency, min(15, len(by_frequency)))]
    phrases = []
    for content, _ in rng.sample(documents, min(15, len(documents))):
        words = WORD.findall(content)
        if len(words) >= 3:
            start = rng.randrange(len(words) - 2)
            phrases.append('"' + " ".join(words[start : start + rng.choice((2, 3))]) + '"')
    prefixes = [word[: max(1, len(word) // 2)] + "*" for word in picked[::4] if word]
    fixed = [
        "sécurité",
        "securite",
        "SÉCURITÉ",
        "Russie nucléaire",
        "l'OTAN",
        "l’OTAN",
        "d'Iran",
        "cafés",
        "finance",
        "etats",
        "nucl*",
        "armes*",
        "a",
        "zzyzxqwv",
        '"conseil de sécurité"',
        "Choïgou",
        "Shoigu",
    ]
    return [*fixed, *picked, *phrases, *prefixes]


def clause_sets(query: str) -> list[list[Clause]]:
    """The parsed query, and the same widened as a spelling of an entity would widen it."""
    clauses = parse_query(query)
    variants: dict[str, list[Phrase]] = {}
    for clause in clauses:
        if not clause.prefix and len(clause.first) == 1:
            variants[clause.first[0]] = [("secur",), ("russ", "nucleair"), ("otan",)]
    return [clauses, with_variants(clauses, variants)] if clauses else []


def assert_same_snippets(documents: list[Document], qs: list[str]) -> int:
    compared = 0
    for q in qs:
        for clauses in clause_sets(q):
            for content, stored in documents:
                for stems in (stored, None):
                    want = reference_highlight(content, clauses, stems=stems)
                    got = highlight(content, clauses, stems=stems)
                    assert got == want, f"q={q!r} stems={'stored' if stems else None} text={content[:80]!r}"
                    compared += 1
    return compared


def test_snippets_are_unchanged_on_every_seed_document(seed_documents: list[Document]) -> None:
    rng = random.Random(1)
    qs = queries(seed_documents, rng)
    assert assert_same_snippets(seed_documents, qs) > 50_000


def test_snippets_are_unchanged_on_a_synthetic_sample(seed_documents: list[Document]) -> None:
    vocabulary = synthetic_vocabulary([content for content, _ in seed_documents])
    documents = list(synthetic_documents(vocabulary, 2000))
    assert any(len(WORD.findall(c)) != len(s.split()) for c, s in documents), "no stems/words mismatch"
    rng = random.Random(2)
    qs = rng.sample(queries(documents, rng), 12)
    assert assert_same_snippets(documents, qs) > 50_000


@pytest.mark.parametrize("content", ["", "   ", " – ", "…", "«»", "a", "é", "_x_"])
def test_texts_without_words_or_with_one_word(content: str) -> None:
    for q in ("a", "x", "e*", '"a b"'):
        for clauses in clause_sets(q):
            for stems in (" ".join(terms(content)), None):
                assert highlight(content, clauses, stems=stems) == reference_highlight(
                    content, clauses, stems=stems
                )


# --------------------------------------------------------------------------------------------
# What the corpora may not reach: every character, a hit at every place, stored stems that are
# not as indexed, clauses no query parses to
# --------------------------------------------------------------------------------------------


def assert_same(content: str, clauses: list[Clause], stems: str | None, context_words: int = 12) -> None:
    want = reference_highlight(content, clauses, stems=stems, context_words=context_words)
    got = highlight(content, clauses, stems=stems, context_words=context_words)
    assert got == want, f"clauses={clauses} stems={stems!r} context={context_words} text={content[:80]!r}"


def test_words_are_where_WORD_finds_them_in_a_text_of_every_character() -> None:
    """All of Unicode in code point order (lone surrogates too): a misjudged character would move
    a word's offsets. Every word matches a prefix that every word has."""
    content = "".join(map(chr, range(sys.maxunicode + 1)))
    for clauses in ([Clause((("",),), prefix=True)], parse_query("zzyzxqwv")):
        for stems in (" ".join(terms(content)), None):
            assert_same(content, clauses, stems)


# words that are several words, or none, or whose stems are several, or not ASCII: underscores,
# digits, combining marks, CJK, an emoji, characters beyond the BMP, the French apostrophe, a
# ligature, Cyrillic, a fraction, an Arabic ligature that folds into four words
MIXED_WORDS = (
    "snake_case",
    "2024",
    "3e",
    "cafe\u0301s",
    "東京",
    "🙂",
    "𝐀𝐁",
    "𐐀𐐨",
    "l’État",
    "œuvre",
    "Шойгу",
    "½",
    "ﷺ",
    "la",
    "sécurité",
)
MIXED_GAPS = (" ", ", ", " – ", "\u00a0", "\u202f", "’", "_", " « ", " » ", "… ", "\n", "🙂")


@pytest.mark.parametrize("context_words", [0, 1, 3, 12])
def test_a_hit_at_every_place_of_a_document(context_words: int) -> None:
    """The rare word at each place of a mixed document: first and last word, first and last of
    the snippet's words, late in the text; with text before the first word and after the last
    or none; with the stored stems and without."""
    rng = random.Random(3)
    size = 40
    words = [rng.choice(MIXED_WORDS) for _ in range(size)]
    gaps = [rng.choice(MIXED_GAPS) for _ in range(size)]
    qs = ["hydrographie", "sécurité", "hydrographie sécurité", '"la hydrographie"', "Шойгу", "etat", "hydro*"]
    for at in range(size):
        placed = [*words[:at], "hydrographie", *words[at + 1 :]]
        body = "".join(word + gap for word, gap in zip(placed, gaps, strict=True))
        for content in (body, body.rstrip(gaps[-1]), "« " + body):
            for q in qs:
                for stems in (" ".join(terms(content)), None):
                    assert_same(content, parse_query(q), stems, context_words)


def test_stored_stems_that_are_not_as_indexed() -> None:
    """Stems joined by other whitespace or by more than one space, one stem more or less, stems
    out of place, none, stems beyond ASCII or not printable: snippets as the stems split at
    whitespace give them. The first sécurité's stem is another, so the stems mark the second
    only where each word folded and stemmed marks both: the snippets tell which were used."""
    content = "Le Conseil de sécurité se réunit ; la sécurité d'abord, dit l’ONU à New York."
    stored = " ".join(terms(content)).replace("securit", "secour", 1)
    first, *rest = stored.split(" ")
    variants = [
        stored,
        f" {stored}",
        f"{stored} ",
        stored.replace(" ", "  ", 3),
        stored.replace(" ", "\t", 3),
        stored.replace(" ", "\n"),
        stored.replace(" ", "\x1c", 2),
        stored.replace(" ", "\u00a0", 2),
        stored.replace(" ", "\u3000"),
        f"{stored} york",
        stored.rsplit(" ", 1)[0],
        " ".join([*rest, first]),
        stored.replace("new", "œuvr"),
        stored.replace("new", "\ud800"),
        stored.replace("new", "n\x00w"),
        "",
        " ",
    ]
    for q in ("sécurité", "conseil", '"conseil de sécurité"', '"new york"', "onu", "d'abord", "zzyzxqwv"):
        for clauses in clause_sets(q):
            for stems in variants:
                assert_same(content, clauses, stems)


def test_clauses_no_query_parses_to() -> None:
    """A stem holding a space, an empty stem, phrases that overlap, the same words in two clauses,
    no clause at all, in a text that repeats words and phrases back to back; with the stems, and
    with stems that mark the first sécurité as another word (as in the test above)."""
    content = "Le Conseil de sécurité de sécurité de l'ONU : la sécurité sécurité de la sécurité de tous."
    stored = " ".join(terms(content))
    secur, conseil, de = terms("sécurité Conseil de")
    odd = [
        [Clause(((f"{conseil} {de}",), (secur,)))],
        [Clause((("",),))],
        [Clause((("",), (de, "")))],
        [Clause(((de, secur), (secur, de), (de,)))],
        [Clause(((secur,),)), Clause(((de, secur),))],
        [],
    ]
    for clauses in odd:
        for stems in (stored, stored.replace(secur, "secour", 1), None):
            for context_words in (0, 2, 12):
                assert_same(content, clauses, stems, context_words)


def test_hits_thousands_of_words_apart() -> None:
    """Words between hits are skipped many at a time: more of them than one skip takes."""
    filler = ["la", "sécurité", "du", "territoire"] * 700
    content = " ".join(["hydrographie", *filler, "hydrographie", *filler, *filler, "hydrographie"])
    for q in ("hydrographie", "sécurité"):
        for stems in (" ".join(terms(content)), None):
            assert_same(content, parse_query(q), stems)
