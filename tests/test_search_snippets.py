"""Snippets and match offsets (``api.search_text.highlight``) are exactly what they were before
highlighting stopped cutting each document into words in Python.

``reference_highlight`` below is the earlier implementation, kept as it was. Both run on every
document of the seed corpus and on a synthetic sample (French-ish text from the seed and synthetic
vocabularies, with the accents, apostrophes, ligatures, decomposed letters and digits that make
a document's stems differ from its words) for many queries: rare and common words, phrases,
prefixes, accented and apostrophe forms, entity spellings; with the stored stems and without.
"""

from __future__ import annotations

import html
import random
import re
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
