"""Full-text search (``q=`` on every list, ``GET /v1/search``), name resolution and ``*_name`` filters.

Every expectation is computed here from ``seed_rows``: the searched text of each item is built
as documented (statement text; article title, lead and body; entity name, aliases and
description; event title, summary and evidence), split into stems with
``api.search_text.terms`` (the documented French stemming with accent, case and apostrophe
folding), and matched in plain Python.
"""

from __future__ import annotations

import html
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.checks import SeedRows
from api.search_text import stem, terms
from api.text import fold
from schemas.common import (
    ArticleSummarySchema,
    EntitySummarySchema,
    EventSummarySchema,
    StatementSummarySchema,
)
from schemas.vocabulary import ENTITY_TYPES
from tests.helpers import assert_problem

Params = list[tuple[str, str]]
Phrase = tuple[str, ...]

COLLECTIONS = ("articles", "entities", "statements", "events")
DOC_TYPES = {"articles": "article", "entities": "entity", "statements": "statement", "events": "event"}
SUMMARY_FIELDS = {
    "article": tuple(ArticleSummarySchema().fields),
    "entity": tuple(EntitySummarySchema().fields),
    "statement": tuple(StatementSummarySchema().fields),
    "event": tuple(EventSummarySchema().fields),
}
SEPARATOR = " · "  # between the parts of an entity's or an event's searched text
FOLDED_WORD = re.compile(r"[^\W_]+")  # a word: letters and digits
MAX_LIMIT = 500
MARK = re.compile(r"<mark>(.*?)</mark>")


# --------------------------------------------------------------------------------------------
# Expectations computed from the seed rows
# --------------------------------------------------------------------------------------------


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def as_typed(text: str) -> str:
    """``text`` as typed on a plain keyboard: no accents, ASCII apostrophes and hyphens."""
    plain = strip_accents(text).replace("\u2019", "'").replace("\u2018", "'")
    return plain.replace("\u2013", "-").replace("\u2014", "-")


def contains_phrase(stems: list[str], phrase: Phrase) -> bool:
    n = len(phrase)
    return any(tuple(stems[i : i + n]) == phrase for i in range(len(stems) - n + 1))


@dataclass
class Corpus:
    """The searched text of every item, and every spelling of every entity, as stems."""

    texts: dict[str, dict[str, str]]  # collection -> item id -> searched text
    stems: dict[str, dict[str, list[str]]]  # collection -> item id -> stems in text order
    spellings: dict[str, set[Phrase]]  # entity id -> stems of each of its spellings

    def with_phrase(self, collection: str, phrase: Phrase) -> set[str]:
        return {i for i, stems in self.stems[collection].items() if contains_phrase(stems, phrase)}

    def alternatives(self, word: str) -> set[Phrase]:
        """The word, and every spelling of each entity one of whose one-word spellings it is."""
        (stem,) = terms(word)
        found = {(stem,)}
        for phrases in self.spellings.values():
            if (stem,) in phrases:
                found |= phrases
        return found

    def with_word(self, collection: str, word: str) -> set[str]:
        return set().union(*(self.with_phrase(collection, p) for p in self.alternatives(word)))

    def with_prefix(self, collection: str, prefix: str) -> set[str]:
        """Prefixes work on stems, as the index holds stems: "armes*" is every stem from "arme"."""
        start = stem(fold(prefix))
        return {i for i, stems in self.stems[collection].items() if any(s.startswith(start) for s in stems)}


def build_corpus(seeds: SeedRows) -> Corpus:
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in seeds.entity_aliases:
        aliases[row["entity_id"]].append(row["alias"])
    evidence: dict[str, list[str]] = defaultdict(list)
    for row in sorted(seeds.event_evidence, key=lambda r: r["id"]):
        evidence[row["event_id"]].append(row["text"])
    texts = {
        "articles": {
            a["id"]: "\n".join([*(p for p in (a["title"], a["lead"]) if p and p not in a["body"]), a["body"]])
            for a in seeds.articles
        },
        "statements": {s["id"]: s["text"] for s in seeds.statements},
        "entities": {
            e["id"]: SEPARATOR.join(
                [e["name"], *sorted(set(aliases[e["id"]])), *([e["description"]] if e["description"] else [])]
            )
            for e in seeds.entities
        },
        "events": {
            e["id"]: SEPARATOR.join(
                [e["title"], *([e["summary"]] if e["summary"] else []), *evidence[e["id"]]]
            )
            for e in seeds.events
        },
    }
    stems = {c: {i: terms(t) for i, t in by_id.items()} for c, by_id in texts.items()}
    spellings: dict[str, set[Phrase]] = defaultdict(set)
    for row in seeds.entity_aliases:
        if phrase := tuple(terms(row["alias"])):
            spellings[row["entity_id"]].add(phrase)
    return Corpus(texts, stems, dict(spellings))


@pytest.fixture(scope="module")
def corpus(seed_rows: SeedRows) -> Corpus:
    built = build_corpus(seed_rows)
    for name in COLLECTIONS:
        if not built.texts[name]:
            pytest.fail(f"the dataset has no {name}: nothing to search")
    return built


def filter_index(seeds: SeedRows) -> dict[tuple[str, str], dict[str, set[str]]]:
    """(collection, id filter) -> value -> ids of the items it matches."""
    index: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s in seeds.statements:
        index["statements", "speaker"][s["speaker_id"]].add(s["id"])
        index["statements", "kind"][s["kind"]].add(s["id"])
    for a in seeds.statement_about:
        index["statements", "about"][a["entity_id"]].add(a["statement_id"])
    for m in seeds.mentions:
        index["articles", "entity"][m["entity_id"]].add(m["article_id"])
    for p in seeds.event_participants:
        index["events", "participant"][p["entity_id"]].add(p["event_id"])
    return index


@dataclass
class Names:
    """Who is called what: every spelling and canonical name, folded, and the id filters' index."""

    index: dict[tuple[str, str], dict[str, set[str]]]
    spelled: dict[str, set[str]]  # folded spelling or canonical name -> entity ids

    def owners(self, name: str) -> set[str]:
        """Entities one of whose spellings (or the canonical name) is ``name``, folded."""
        return self.spelled.get(fold(name), set())

    def named_items(self, collection: str, id_filter: str, name: str) -> set[str]:
        index = self.index[collection, id_filter]
        return set().union(*(index.get(e, set()) for e in self.owners(name)))


@pytest.fixture(scope="module")
def names(seed_rows: SeedRows) -> Names:
    spelled: dict[str, set[str]] = defaultdict(set)
    for row in seed_rows.entity_aliases:
        spelled[fold(row["alias"])].add(row["entity_id"])
    for entity in seed_rows.entities:
        spelled[fold(entity["name"])].add(entity["id"])
    return Names(filter_index(seed_rows), dict(spelled))


# --------------------------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------------------------


def get(client: FlaskClient, path: str, params: Params) -> TestResponse:
    return client.get(f"{path}?{urlencode(params)}" if params else path)


def fetch_all(client: FlaskClient, path: str, params: Params, limit: int = MAX_LIMIT) -> list[dict[str, Any]]:
    """Every item of a list or search, following ``next_cursor``; the count must not change."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    count: int | None = None
    while True:
        page = [*params, ("limit", str(limit))] + ([("cursor", cursor)] if cursor else [])
        response = get(client, path, page)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        body = response.get_json()
        count = body["meta"]["count"] if count is None else count
        assert body["meta"]["count"] == count, "meta.count changed from one page to the next"
        assert len(body["data"]) <= limit
        items.extend(body["data"])
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
        assert len(body["data"]) == limit, "only the last page may be short"
        assert len(items) < count, "more items than meta.count: the cursor does not advance"
    assert len(items) == count, "meta.count differs from the number of items served"
    return items


def list_ids(client: FlaskClient, collection: str, params: Params, limit: int = MAX_LIMIT) -> set[str]:
    ids = [item["id"] for item in fetch_all(client, f"/v1/{collection}", params, limit)]
    assert len(ids) == len(set(ids)), f"an item is served twice for {params}"
    return set(ids)


def search_hits(client: FlaskClient, params: Params, limit: int = MAX_LIMIT) -> list[dict[str, Any]]:
    return fetch_all(client, "/v1/search", params, limit)


def assert_bad_parameter(response: TestResponse, parameter: str) -> dict[str, Any]:
    body = assert_problem(response, 400)
    assert parameter in body["detail"], body
    assert parameter in body["errors"], body
    return body


def assert_same(found: set[str], want: set[str], what: str) -> None:
    assert found == want, f"{what}: missing {sorted(want - found)}, unexpected {sorted(found - want)}"


# --------------------------------------------------------------------------------------------
# 1. q= on every list: stemming and folding
# --------------------------------------------------------------------------------------------

WORDS = ("nucleaire", "NUCLÉAIRES", "menace", "Biélorussie", "otan", "exercices")


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_q_finds_every_item_whose_text_has_the_stem_of_the_word(
    client: FlaskClient, corpus: Corpus, collection: str, word: str
) -> None:
    want = corpus.with_word(collection, word)
    assert_same(list_ids(client, collection, [("q", word)]), want, f"{collection} q={word}")


def test_q_nucleaire_finds_singular_and_plural_accented_forms(client: FlaskClient, corpus: Corpus) -> None:
    (stem,) = terms("nucleaire")
    want = {i for i, stems in corpus.stems["statements"].items() if stem in stems}
    texts = corpus.texts["statements"]
    plural = {i for i in want if "nucléaires" in texts[i].lower()}
    singular = {i for i in want if re.search(r"nucléaire\b", texts[i].lower())}
    if not plural or not singular:
        pytest.fail("the dataset needs statements saying 'nucléaires' and 'nucléaire'")
    if all("nucleaire" in texts[i].lower() for i in want):
        pytest.fail("every statement writes nucleaire without its accent: folding is not exercised")
    assert_same(list_ids(client, "statements", [("q", "nucleaire")]), want, "q=nucleaire")


def test_q_ignores_accents_and_case_of_a_name(
    client: FlaskClient, corpus: Corpus, seed_rows: SeedRows
) -> None:
    literal = {a["id"] for a in seed_rows.articles if "Choïgou" in a["body"]}
    if not literal:
        pytest.fail("no article body contains 'Choïgou'")
    want = corpus.with_word("articles", "Choigou")
    assert literal <= want
    for spelling in ("Choigou", "choïgou", "CHOÏGOU", "ChoiGou"):
        assert_same(list_ids(client, "articles", [("q", spelling)]), want, f"q={spelling}")


@pytest.mark.parametrize("collection", ["statements", "articles", "events"])
def test_a_straight_apostrophe_in_the_query_matches_a_curly_one(
    client: FlaskClient, corpus: Corpus, collection: str
) -> None:
    phrase = tuple(terms("l'OTAN"))
    want = corpus.with_phrase(collection, phrase)
    curly_only = {i for i in want if "l’OTAN" in corpus.texts[collection][i]}
    curly_only -= {i for i in want if "l'OTAN" in corpus.texts[collection][i]}
    if not curly_only:
        pytest.fail(f"no {collection} text writes l’OTAN with a curly apostrophe only")
    for q in ('"l\'OTAN"', '"l’OTAN"', '"L\'otan"'):
        assert_same(list_ids(client, collection, [("q", q)]), want, f"q={q}")
    # unquoted: two words (each widened to its spellings), anywhere
    both = corpus.with_word(collection, "l") & corpus.with_word(collection, "OTAN")
    assert_same(list_ids(client, collection, [("q", "l'OTAN")]), both, "q=l'OTAN")
    assert_same(list_ids(client, collection, [("q", "l’OTAN")]), both, "q=l’OTAN")


# --------------------------------------------------------------------------------------------
# 2. Spelling variants of entities
# --------------------------------------------------------------------------------------------

VARIANT_ENTITIES = ("sergei-shoigu", "alexander-lukashenko", "andrei-belousov")


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("entity", VARIANT_ENTITIES)
def test_one_spelling_of_an_entity_finds_its_other_spellings(
    client: FlaskClient, corpus: Corpus, seed_rows: SeedRows, entity: str, collection: str
) -> None:
    spellings = {r["alias"] for r in seed_rows.entity_aliases if r["entity_id"] == entity}
    one_word = sorted(a for a in spellings if len(terms(a)) == 1)
    if len({tuple(terms(a)) for a in one_word}) < 2:
        pytest.fail(f"{entity} has fewer than two one-word spellings")
    every_spelling = set().union(*(corpus.with_phrase(collection, p) for p in corpus.spellings[entity]))
    results = {}
    for alias in one_word:
        want = corpus.with_word(collection, alias)
        assert every_spelling <= want, f"{alias}: misses items naming {entity} in another spelling"
        results[alias] = list_ids(client, collection, [("q", alias)])
        assert_same(results[alias], want, f"{collection} q={alias}")
    union = set().union(*results.values())
    for alias, found in results.items():
        assert found == union, f"q={alias} does not find what the other spellings of {entity} find"


def test_spelling_variants_are_exercised(corpus: Corpus) -> None:
    """At least one spelling finds items whose text only has another spelling."""
    for entity in VARIANT_ENTITIES:
        for phrase in corpus.spellings[entity]:
            if len(phrase) == 1:
                literal = corpus.with_phrase("articles", phrase)
                if literal < corpus.with_word("articles", phrase[0]):
                    return
    pytest.fail("no spelling finds more than its literal occurrences: variants are not exercised")


# --------------------------------------------------------------------------------------------
# 3. Phrases and prefixes
# --------------------------------------------------------------------------------------------

PHRASES = ('"armes nucléaires tactiques"', '"armes tactiques"', '"nucléaires armes"', '"de la Russie"')


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize("collection", ["statements", "articles", "events"])
def test_a_phrase_matches_consecutive_stems_only(
    client: FlaskClient, corpus: Corpus, collection: str, phrase: str
) -> None:
    stems = tuple(terms(phrase))
    want = corpus.with_phrase(collection, stems)
    assert_same(list_ids(client, collection, [("q", phrase)]), want, f"{collection} q={phrase}")


def test_phrases_are_exercised(corpus: Corpus) -> None:
    """Some statement has every word of a phrase, but not consecutively."""
    for phrase in PHRASES:
        stems = tuple(terms(phrase))
        every_word = {i for i, s in corpus.stems["statements"].items() if set(stems) <= set(s)}
        if corpus.with_phrase("statements", stems) < every_word:
            return
    pytest.fail("every statement with the words of a phrase has them in order: phrases are not exercised")


PREFIXES = ("nucl", "nucleair", "nucléaires", "armes", "tactique", "Biélo", "otan")


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("collection", ["statements", "articles"])
def test_a_prefix_matches_every_word_starting_with_it(
    client: FlaskClient, corpus: Corpus, collection: str, prefix: str
) -> None:
    want = corpus.with_prefix(collection, prefix)
    if not want:
        pytest.fail(f"no {collection} has a word starting with {prefix!r}")
    assert_same(list_ids(client, collection, [("q", prefix + "*")]), want, f"{collection} q={prefix}*")


def test_words_phrases_and_prefixes_combine_with_and(client: FlaskClient, corpus: Corpus) -> None:
    phrase = tuple(terms("armes nucléaires"))
    want = corpus.with_phrase("statements", phrase) & corpus.with_word("statements", "Biélorussie")
    want &= corpus.with_prefix("statements", "russ")
    if not want:
        pytest.fail("no statement has the phrase, the word and the prefix")
    q = '"armes nucléaires" Biélorussie russ*'
    assert_same(list_ids(client, "statements", [("q", q)]), want, f"q={q}")


# --------------------------------------------------------------------------------------------
# 4. Malformed queries
# --------------------------------------------------------------------------------------------

SEARCH_PATHS = [f"/v1/{c}" for c in COLLECTIONS] + ["/v1/search"]
MALFORMED = ['"', '"armes', 'armes "', "*", "a*b", "nucl**", "*nucl", "nucl *", '"nucl*"', "", "x" * 501]
NOTHING_TO_SEARCH = ["!!!", "' ’ « » -", '""', '" "', "« ?"]


@pytest.mark.parametrize("q", MALFORMED, ids=lambda q: repr(q[:12]))
@pytest.mark.parametrize("path", SEARCH_PATHS)
def test_a_malformed_query_is_a_400_naming_q(client: FlaskClient, path: str, q: str) -> None:
    body = assert_bad_parameter(get(client, path, [("q", q)]), "q")
    assert all(isinstance(m, str) and m for m in body["errors"]["q"])


@pytest.mark.parametrize("q", NOTHING_TO_SEARCH)
@pytest.mark.parametrize("path", SEARCH_PATHS)
def test_a_query_without_a_word_matches_nothing(client: FlaskClient, path: str, q: str) -> None:
    """Well-formed (quotes paired, no misplaced *) but nothing to search for: an empty list."""
    response = get(client, path, [("q", q)])
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["data"] == []
    assert body["meta"]["count"] == 0


FUZZ_ALPHABET = '"*"*  abcdefghijklmnopqrstuvwxyzNUCLÉAIRE éèêàçïôœÉÀ’\'-.,;:!?()[]{}<>&|^~+@#%/\\'


def test_random_queries_are_answered_with_200_or_400_never_500(client: FlaskClient) -> None:
    rng = random.Random(0)
    statuses = set()
    for n in range(200):
        q = "".join(rng.choice(FUZZ_ALPHABET) for _ in range(rng.randint(1, 16)))
        path = SEARCH_PATHS[n % len(SEARCH_PATHS)]
        response = get(client, path, [("q", q)])
        assert response.status_code in (200, 400), f"{path} q={q!r}: {response.status_code}"
        statuses.add(response.status_code)
        if response.status_code == 400:
            assert_bad_parameter(response, "q")
        else:
            assert set(response.get_json()) == {"data", "meta", "links"}
    assert statuses == {200, 400}, "the fuzz should produce both valid and malformed queries"


# --------------------------------------------------------------------------------------------
# 5. q with other filters and paging
# --------------------------------------------------------------------------------------------

COMBINED = [
    ("statements", "speaker"),
    ("statements", "kind"),
    ("statements", "about"),
    ("articles", "entity"),
    ("events", "participant"),
]
COMBINED_WORDS = ("nucleaire", "otan", "Biélorussie", "Choigou", "menace", "exercices")


@pytest.mark.parametrize(("collection", "name"), COMBINED, ids=[f"{c}-{n}" for c, n in COMBINED])
def test_q_combines_with_other_filters_with_and(
    client: FlaskClient, corpus: Corpus, names: Names, collection: str, name: str
) -> None:
    index = names.index[collection, name]

    def narrowing(pair: tuple[str, str]) -> tuple[bool, int]:
        searched, matched = corpus.with_word(collection, pair[0]), index[pair[1]]
        both = searched & matched
        return bool(both) and both < searched and both < matched, len(both)

    word, value = max(((w, v) for w in COMBINED_WORDS for v in sorted(index)), key=narrowing)
    if not narrowing((word, value))[0]:
        pytest.fail(f"no q and {name} narrow each other down: AND is not exercised")
    want = corpus.with_word(collection, word) & index[value]
    found = list_ids(client, collection, [("q", word), (name, value)])
    assert_same(found, want, f"q={word}&{name}={value}")
    # the order of the parameters does not matter
    assert list_ids(client, collection, [(name, value), ("q", word)]) == found


def test_q_with_a_date_filter(client: FlaskClient, corpus: Corpus, seed_rows: SeedRows) -> None:
    searched = corpus.with_word("statements", "nucleaire")
    dated = {s["id"]: s["said_on_start"] for s in seed_rows.statements if s["said_on_start"] is not None}
    undated = searched - set(dated)
    years = sorted({dated[i].year for i in searched if i in dated})
    if len(years) < 2:
        pytest.fail("q=nucleaire matches statements of a single year: the date filter is not exercised")
    want = {i for i in searched if i in dated and dated[i].year >= years[-1]}
    found = list_ids(client, "statements", [("q", "nucleaire"), ("said_from", str(years[-1]))])
    assert_same(found, want, "q=nucleaire&said_from")
    assert not found & undated


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_paging_a_search_visits_every_hit_once(client: FlaskClient, corpus: Corpus, collection: str) -> None:
    want = corpus.with_word(collection, "Biélorussie")
    if len(want) < 3:
        pytest.fail(f"q=Biélorussie matches fewer than three {collection}: paging is not exercised")
    whole = [i["id"] for i in fetch_all(client, f"/v1/{collection}", [("q", "Biélorussie")])]
    paged = [i["id"] for i in fetch_all(client, f"/v1/{collection}", [("q", "Biélorussie")], limit=2)]
    assert paged == whole
    assert len(set(paged)) == len(paged)
    assert set(paged) == want


def test_q_keeps_the_sort(client: FlaskClient, corpus: Corpus) -> None:
    want = corpus.with_word("statements", "nucleaire")
    ids = [i["id"] for i in fetch_all(client, "/v1/statements", [("q", "nucleaire"), ("sort", "-id")], 3)]
    assert ids == sorted(want, reverse=True)


# --------------------------------------------------------------------------------------------
# 6. GET /v1/search
# --------------------------------------------------------------------------------------------

SEARCH_QUERIES = ("nucleaire", "Choigou", '"armes nucléaires tactiques"', "otan*", "Biélorussie menaces")


def expected_hits(corpus: Corpus, q: str) -> set[tuple[str, str]]:
    """(type, id) of every item matching one of the simple queries of SEARCH_QUERIES."""
    found = set()
    for collection, doc_type in DOC_TYPES.items():
        if q.startswith('"'):
            ids = corpus.with_phrase(collection, tuple(terms(q)))
        elif q.endswith("*"):
            ids = corpus.with_prefix(collection, q[:-1])
        else:
            ids = set.intersection(*(corpus.with_word(collection, w) for w in q.split()))
        found |= {(doc_type, i) for i in ids}
    return found


@pytest.mark.parametrize("q", SEARCH_QUERIES)
def test_search_finds_matching_items_of_every_collection(client: FlaskClient, corpus: Corpus, q: str) -> None:
    hits = search_hits(client, [("q", q)])
    found = [(h["type"], h["id"]) for h in hits]
    assert len(found) == len(set(found)), "a hit is served twice"
    want = expected_hits(corpus, q)
    assert set(found) == want, f"missing {want - set(found)}, unexpected {set(found) - want}"
    # the same as q= on each list
    for collection, doc_type in DOC_TYPES.items():
        assert {i for t, i in found if t == doc_type} == list_ids(client, collection, [("q", q)])


def test_search_hits_have_a_score_a_snippet_matches_and_the_item_summary(client: FlaskClient) -> None:
    hits = search_hits(client, [("q", "nucleaire")])
    if {h["type"] for h in hits} != set(DOC_TYPES.values()):
        pytest.fail("q=nucleaire does not find items of every type")
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for hit in hits:
        assert set(hit) == {"type", "id", "score", "snippet", "matches", "item"}
        assert isinstance(hit["score"], float)
        assert isinstance(hit["snippet"], str)
        assert "<mark>" in hit["snippet"], hit
        assert hit["matches"], hit
        for start, end in hit["matches"]:
            assert 0 <= start < end
        assert hit["matches"] == sorted(hit["matches"])
        collection = next(c for c, t in DOC_TYPES.items() if t == hit["type"])
        key = (hit["type"], hit["id"])
        if key not in items:
            response = client.get(f"/v1/{collection}/{hit['id']}")
            assert response.status_code == 200
            items[key] = response.get_json()
        summary = {name: items[key][name] for name in SUMMARY_FIELDS[hit["type"]]}
        assert hit["item"] == summary


def allowed_stems(corpus: Corpus, q: str) -> set[str]:
    return {s for word in q.split() for phrase in corpus.alternatives(word) for s in phrase}


def word_spans(text: str, is_match: Callable[[str], bool]) -> list[list[int]]:
    return [[m.start(), m.end()] for m in FOLDED_WORD.finditer(text) if is_match(m.group())]


def phrase_spans(text: str, phrases: set[Phrase]) -> list[list[int]]:
    """[start, end] of every word of every occurrence of one of ``phrases`` in ``text``."""
    words = [(m.start(), m.end(), terms(m.group())[0]) for m in FOLDED_WORD.finditer(text)]
    stems = [w[2] for w in words]
    covered: set[int] = set()
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(stems[i : i + n]) == phrase:
                covered.update(range(i, i + n))
    return [[words[i][0], words[i][1]] for i in sorted(covered)]


def texts_of(seeds: SeedRows, doc_type: str) -> dict[str, str]:
    if doc_type == "statement":
        return {s["id"]: s["text"] for s in seeds.statements}
    return {a["id"]: a["body"] for a in seeds.articles}


@pytest.mark.parametrize("q", ["nucleaire", "Biélorussie", "nucleaire menaces", "OTAN", "Choigou"])
@pytest.mark.parametrize("doc_type", ["statement", "article"])
def test_matches_are_the_words_of_every_occurrence_of_a_searched_word_or_spelling(
    client: FlaskClient, corpus: Corpus, seed_rows: SeedRows, doc_type: str, q: str
) -> None:
    """A word matches, and so does each of its entity's spellings, as a whole (a word of a
    several-word spelling matches only within that spelling)."""
    texts = texts_of(seed_rows, doc_type)
    hits = search_hits(client, [("q", q), ("type", doc_type)])
    if not hits and doc_type == "article":
        pytest.fail(f"q={q} finds no {doc_type}")
    phrases = set().union(*(corpus.alternatives(word) for word in q.split()))
    wrong = []
    for hit in hits:
        text = texts[hit["id"]]
        for start, end in hit["matches"]:
            assert FOLDED_WORD.fullmatch(text[start:end]), f"{hit['id']}: [{start}, {end}] is not a word"
        want = phrase_spans(text, phrases)
        if hit["matches"] != want:
            unexpected = [text[a:b] for a, b in hit["matches"] if [a, b] not in want]
            missing = [text[a:b] for a, b in want if [a, b] not in hit["matches"]]
            wrong.append((hit["id"], f"unexpected {unexpected}", f"missing {missing}"))
    assert not wrong, wrong


@pytest.mark.parametrize("prefix", ["nucl", "otan", "biel"])
@pytest.mark.parametrize("doc_type", ["statement", "article"])
def test_matches_of_a_prefix_are_the_words_starting_with_it(
    client: FlaskClient, seed_rows: SeedRows, doc_type: str, prefix: str
) -> None:
    texts = texts_of(seed_rows, doc_type)
    hits = search_hits(client, [("q", prefix + "*"), ("type", doc_type)])
    if not hits:
        pytest.fail(f"q={prefix}* finds no {doc_type}")
    for hit in hits:
        text = texts[hit["id"]]
        assert hit["matches"] == word_spans(text, lambda w: fold(w).startswith(prefix)), hit["id"]


def check_snippet(snippet: str, text: str, is_match: Callable[[str], bool]) -> None:
    marked = MARK.findall(snippet)
    assert marked, f"no <mark> in {snippet!r}"
    for word in marked:
        assert is_match(html.unescape(word)), f"<mark>{word}</mark> does not match the query"
    plain = MARK.sub(lambda m: m.group(1), snippet)
    assert not set("<>\"'") & set(plain), f"unescaped HTML in {snippet!r}"
    assert "&" not in re.sub(r"&(#x?[0-9a-fA-F]+|[a-zA-Z]+);", "", plain), f"bare & in {snippet!r}"
    shown = html.unescape(plain).removeprefix("…").removesuffix("…")
    assert shown in text, f"the snippet is not an excerpt of the text: {snippet!r}"


@pytest.mark.parametrize("q", ["nucleaire", "Biélorussie", "otan menaces"])
def test_snippets_mark_matching_words_and_escape_the_rest(
    client: FlaskClient, corpus: Corpus, seed_rows: SeedRows, q: str
) -> None:
    wanted = allowed_stems(corpus, q)
    texts = {("statement", s["id"]): s["text"] for s in seed_rows.statements}
    texts |= {("article", a["id"]): a["body"] for a in seed_rows.articles}
    hits = search_hits(client, [("q", q), ("type", "statement"), ("type", "article")])
    for hit in hits:
        check_snippet(hit["snippet"], texts[hit["type"], hit["id"]], lambda w: terms(w)[0] in wanted)


def test_a_snippet_escapes_an_apostrophe_of_the_text(client: FlaskClient, seed_rows: SeedRows) -> None:
    # a statement where a word right after a straight apostrophe is the first occurrence of its stem
    for statement in seed_rows.statements:
        text = statement["text"]
        for match in re.finditer(r"'([^\W\d_]{4,})", text):
            word = match.group(1)
            first = next(m for m in FOLDED_WORD.finditer(text) if terms(m.group()) == terms(word))
            if first.start() == match.start(1):
                break
        else:
            continue
        break
    else:
        pytest.fail("no statement has a word after a straight apostrophe")
    hits = search_hits(client, [("q", word), ("type", "statement")])
    (hit,) = [h for h in hits if h["id"] == statement["id"]]
    assert f"&#x27;<mark>{html.escape(word)}</mark>" in hit["snippet"], hit["snippet"]
    check_snippet(hit["snippet"], text, lambda w: terms(w) == terms(word))


def test_type_restricts_the_hits(client: FlaskClient) -> None:
    every = {(h["type"], h["id"]) for h in search_hits(client, [("q", "nucleaire")])}
    for types in (["statement"], ["event"], ["statement", "event"], ["article", "entity"]):
        hits = search_hits(client, [("q", "nucleaire"), *(("type", t) for t in types)])
        found = {(h["type"], h["id"]) for h in hits}
        assert found == {(t, i) for t, i in every if t in types}, types
        assert found, f"no {types} hit: the type filter is not exercised"


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_paging_a_search_keeps_the_order_and_scores_never_increase(client: FlaskClient, limit: int) -> None:
    whole = search_hits(client, [("q", "nucleaire")])
    if len(whole) <= limit:
        pytest.fail("too few hits to exercise paging")
    paged = search_hits(client, [("q", "nucleaire")], limit=limit)
    assert [(h["type"], h["id"]) for h in paged] == [(h["type"], h["id"]) for h in whole]
    scores = [h["score"] for h in paged]
    assert scores == sorted(scores, reverse=True), "scores increase along the pages"
    assert paged == whole


def test_search_requires_q(client: FlaskClient) -> None:
    assert_bad_parameter(client.get("/v1/search"), "q")
    assert_bad_parameter(client.get("/v1/search?type=statement"), "q")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ([("q", "otan"), ("type", "person")], "type"),
        ([("q", "otan"), ("limit", "0")], "limit"),
        ([("q", "otan"), ("limit", "501")], "limit"),
        ([("q", "otan"), ("cursor", "garbage")], "cursor"),
        ([("q", "otan"), ("sort", "id")], "sort"),
        ([("q", "otan"), ("fields", "id")], "fields"),
        ([("q", "otan"), ("q", "russie")], "q"),
    ],
)
def test_search_rejects_bad_parameters(client: FlaskClient, params: Params, parameter: str) -> None:
    assert_bad_parameter(get(client, "/v1/search", params), parameter)


def test_a_list_cursor_is_not_a_search_cursor(client: FlaskClient) -> None:
    cursor = get(client, "/v1/statements", [("limit", "1")]).get_json()["meta"]["next_cursor"]
    assert cursor
    assert_bad_parameter(get(client, "/v1/search", [("q", "otan"), ("cursor", cursor)]), "cursor")


# --------------------------------------------------------------------------------------------
# 7. GET /v1/entities/resolve
# --------------------------------------------------------------------------------------------


def resolve(client: FlaskClient, params: Params) -> list[dict[str, Any]]:
    response = get(client, "/v1/entities/resolve", params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"name", "data"}
    assert body["name"] == dict(params)["name"]
    scores = [c["score"] for c in body["data"]]
    assert scores == sorted(scores, reverse=True), "candidates are not best first"
    for candidate in body["data"]:
        assert set(candidate) == {"id", "name", "type", "score", "match", "matched_alias"}
        assert 0.5 <= candidate["score"] <= 1.0
        assert candidate["match"] == (candidate["score"] >= 0.9)
    return body["data"]


@pytest.mark.parametrize("name", ["Shoigu", "Choigou", "Choïgou", "Belousov", "Lukashenko"])
def test_a_known_spelling_resolves_to_its_entity_first_with_score_1(
    client: FlaskClient, seed_rows: SeedRows, names: Names, name: str
) -> None:
    entities = names.owners(name)
    if not entities:
        pytest.fail(f"no entity of the dataset is spelled {name!r}")
    candidates = resolve(client, [("name", name)])
    first = candidates[0]
    assert first["id"] in entities
    assert first["score"] == 1.0
    assert first["match"] is True
    assert fold(first["matched_alias"]) == fold(name)
    assert {c["id"] for c in candidates if c["score"] == 1.0} == entities
    entity = next(e for e in seed_rows.entities if e["id"] == first["id"])
    assert (first["name"], first["type"]) == (entity["name"], entity["type"])


def test_every_spelling_of_every_entity_resolves_exactly(
    client: FlaskClient, seed_rows: SeedRows, names: Names
) -> None:
    failures = []
    for alias in sorted({r["alias"] for r in seed_rows.entity_aliases}):
        entities = names.owners(alias)
        exact = {c["id"] for c in resolve(client, [("name", alias), ("limit", "50")]) if c["score"] == 1.0}
        if exact != entities:
            failures.append((alias, sorted(entities), sorted(exact)))
    assert not failures, failures


def test_a_misspelt_name_still_resolves_to_its_entity(
    client: FlaskClient, seed_rows: SeedRows, names: Names
) -> None:
    """Dropping any one letter of a long one-word spelling of a well-known entity."""
    failures = []
    entities = ("sergei-shoigu", "andrei-belousov", "alexander-lukashenko", "vladimir-putin")
    long_aliases = sorted(
        (r["alias"], r["entity_id"])
        for r in seed_rows.entity_aliases
        if r["entity_id"] in entities
        and len(r["alias"]) >= 8
        and " " not in r["alias"]
        and names.owners(r["alias"]) == {r["entity_id"]}
    )
    if not long_aliases:
        pytest.fail("no long spelling to misspell")
    for alias, entity in long_aliases:
        for position in range(len(alias)):
            typo = alias[:position] + alias[position + 1 :]
            if names.owners(typo) or not typo.strip():
                continue  # the typo is another real spelling
            candidates = resolve(client, [("name", typo)])
            if not candidates or candidates[0]["id"] != entity or not 0.5 <= candidates[0]["score"] < 1:
                failures.append((typo, entity, [(c["id"], c["score"]) for c in candidates[:2]]))
    assert not failures, f"{len(failures)} misspellings do not resolve: {failures}"


@pytest.mark.parametrize("name", ["Shoigu", "Occident", "OTAN", "Minsk"])
def test_type_restricts_the_candidates(client: FlaskClient, seed_rows: SeedRows, name: str) -> None:
    types = {e["id"]: e["type"] for e in seed_rows.entities}
    everything = resolve(client, [("name", name), ("limit", "50")])
    if not everything:
        pytest.fail(f"{name!r} resolves to nothing")
    for entity_type in ENTITY_TYPES:
        found = resolve(client, [("name", name), ("type", entity_type), ("limit", "50")])
        assert all(c["type"] == entity_type == types[c["id"]] for c in found)
        assert found == [c for c in everything if c["type"] == entity_type]
    two = sorted({types[c["id"]] for c in everything})[:2]
    found = resolve(client, [("name", name), *(("type", t) for t in two), ("limit", "50")])
    assert found == [c for c in everything if c["type"] in two]


@pytest.mark.parametrize("name", ["qxjzvwkq", "zzzzzzzzzz", "%", "_", "'", "0000"])
def test_an_unknown_name_gives_no_candidate(client: FlaskClient, name: str) -> None:
    assert resolve(client, [("name", name)]) == []


def test_limit_bounds_the_candidates(client: FlaskClient) -> None:
    everything = resolve(client, [("name", "Russie"), ("limit", "50")])
    if len(everything) < 2:
        pytest.fail("'Russie' has a single candidate: limit is not exercised")
    assert resolve(client, [("name", "Russie")]) == everything[:5]
    for limit in range(1, len(everything) + 1):
        assert resolve(client, [("name", "Russie"), ("limit", str(limit))]) == everything[:limit]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ([], "name"),
        ([("type", "person")], "name"),
        ([("name", "")], "name"),
        ([("name", "x" * 301)], "name"),
        ([("name", "Shoigu"), ("limit", "0")], "limit"),
        ([("name", "Shoigu"), ("limit", "51")], "limit"),
        ([("name", "Shoigu"), ("limit", "abc")], "limit"),
        ([("name", "Shoigu"), ("type", "human")], "type"),
        ([("name", "Shoigu"), ("nonsense", "1")], "nonsense"),
    ],
)
def test_resolve_rejects_bad_parameters(client: FlaskClient, params: Params, parameter: str) -> None:
    assert_bad_parameter(get(client, "/v1/entities/resolve", params), parameter)


# --------------------------------------------------------------------------------------------
# 8. *_name filters
# --------------------------------------------------------------------------------------------

NAME_FILTERS = [
    ("statements", "speaker_name", "speaker"),
    ("statements", "about_name", "about"),
    ("events", "participant_name", "participant"),
    ("articles", "entity_name", "entity"),
]
NAME_IDS = [f"{c}-{n}" for c, n, _ in NAME_FILTERS]
MAX_NAMED_ENTITIES = 8  # entities whose every spelling is tried, per filter


def entities_with_items(
    seeds: SeedRows, names: Names, collection: str, id_filter: str
) -> list[dict[str, Any]]:
    index = names.index[collection, id_filter]
    found = [e for e in seeds.entities if index.get(e["id"])]
    if not found:
        pytest.fail(f"no entity has {collection} for {id_filter}")
    return found


def spread(values: list[Any], limit: int) -> list[Any]:
    """At most ``limit`` of ``values``, evenly spread (first and last kept)."""
    if len(values) <= limit:
        return values
    step = (len(values) - 1) / (limit - 1)
    return [values[round(k * step)] for k in range(limit)]


@pytest.mark.parametrize(("collection", "name_filter", "id_filter"), NAME_FILTERS, ids=NAME_IDS)
def test_a_name_filter_gives_what_the_id_filter_gives_for_every_spelling(
    client: FlaskClient, seed_rows: SeedRows, names: Names, collection: str, name_filter: str, id_filter: str
) -> None:
    index = names.index[collection, id_filter]
    spellings: dict[str, dict[str, str]] = defaultdict(dict)  # entity -> folded -> one spelling
    for row in seed_rows.entity_aliases:
        spellings[row["entity_id"]].setdefault(fold(row["alias"]), row["alias"])
    entities = entities_with_items(seed_rows, names, collection, id_filter)
    # every entity sharing a spelling with another, and an even spread of the others
    shared = [e for e in entities if any(len(names.owners(a)) > 1 for a in spellings[e["id"]])]
    chosen = shared + spread([e for e in entities if e not in shared], MAX_NAMED_ENTITIES)
    for entity in chosen:
        for alias in sorted(spellings[entity["id"]].values()):
            typed = as_typed(alias).upper()
            want = names.named_items(collection, id_filter, alias)
            assert index[entity["id"]] <= want
            found = list_ids(client, collection, [(name_filter, typed)])
            assert_same(found, want, f"{name_filter}={typed}")


@pytest.mark.parametrize(("collection", "name_filter", "id_filter"), NAME_FILTERS, ids=NAME_IDS)
def test_a_name_filter_matches_the_canonical_name_however_it_is_typed(
    client: FlaskClient, seed_rows: SeedRows, names: Names, collection: str, name_filter: str, id_filter: str
) -> None:
    """Names that are not also a spelling (alias): accents, case, apostrophes and dashes ignored."""
    failures = []
    aliases = {(r["entity_id"], fold(r["alias"])) for r in seed_rows.entity_aliases}
    entities = [
        e
        for e in entities_with_items(seed_rows, names, collection, id_filter)
        if (e["id"], fold(e["name"])) not in aliases
    ]
    # names that are also spellings are checked above; here a few of them, for the case alone
    spelled = [e for e in entities_with_items(seed_rows, names, collection, id_filter) if e not in entities]
    entities += spread(spelled, 3)
    for entity in entities:
        want = names.named_items(collection, id_filter, entity["name"])
        for typed in (entity["name"].upper(), as_typed(entity["name"]).lower()):
            found = list_ids(client, collection, [(name_filter, typed)])
            if found != want:
                failures.append((typed, len(want), len(found)))
    assert not failures, f"(name, expected, found): {failures}"


@pytest.mark.parametrize(("collection", "name_filter", "id_filter"), NAME_FILTERS, ids=NAME_IDS)
def test_an_unknown_name_gives_an_empty_list(
    client: FlaskClient, collection: str, name_filter: str, id_filter: str
) -> None:
    response = get(client, f"/v1/{collection}", [(name_filter, "Nobody Atall")])
    assert response.status_code == 200
    body = response.get_json()
    assert body["data"] == []
    assert body["meta"]["count"] == 0


@pytest.mark.parametrize(("collection", "name_filter", "id_filter"), NAME_FILTERS, ids=NAME_IDS)
def test_repeated_names_mean_or_and_combine_with_the_id_filter(
    client: FlaskClient, seed_rows: SeedRows, names: Names, collection: str, name_filter: str, id_filter: str
) -> None:
    index = names.index[collection, id_filter]
    entities = sorted(
        entities_with_items(seed_rows, names, collection, id_filter), key=lambda e: -len(index[e["id"]])
    )
    if len(entities) < 2:
        pytest.fail(f"fewer than two entities with {collection}")
    first, second = entities[0], entities[1]
    want = names.named_items(collection, id_filter, first["name"])
    want |= names.named_items(collection, id_filter, second["name"])
    found = list_ids(client, collection, [(name_filter, first["name"]), (name_filter, second["name"])])
    assert_same(found, want, f"{name_filter}={first['name']}|{second['name']}")
    # with the id filter: AND
    found = list_ids(client, collection, [(name_filter, first["name"]), (id_filter, second["id"])])
    want = names.named_items(collection, id_filter, first["name"]) & index[second["id"]]
    assert_same(found, want, "name AND id")


@pytest.mark.parametrize(("collection", "name_filter", "id_filter"), NAME_FILTERS, ids=NAME_IDS)
@pytest.mark.parametrize("value", ["", "x" * 301])
def test_an_empty_or_too_long_name_is_a_400(
    client: FlaskClient, collection: str, name_filter: str, id_filter: str, value: str
) -> None:
    assert_bad_parameter(get(client, f"/v1/{collection}", [(name_filter, value)]), name_filter)


def test_the_c_stemmer_gives_the_pure_python_stems_on_every_word_of_the_corpus(seed_rows: SeedRows) -> None:
    """PyStemmer (C) serves snowballstemmer when installed; indexes built by either must match
    queries stemmed by the other, so both give the same stem for every word the corpus has."""
    import Stemmer  # noqa: PLC0415
    from snowballstemmer import stemmer  # noqa: PLC0415
    from snowballstemmer.french_stemmer import FrenchStemmer  # noqa: PLC0415

    assert isinstance(stemmer("french"), Stemmer.Stemmer), "PyStemmer is not the stemmer in use"
    texts = [row["body"] for row in seed_rows.articles] + [row["alias"] for row in seed_rows.entity_aliases]
    words = {w for text in texts for w in re.findall(r"[^\W_]+", fold(text))}
    assert len(words) > 500
    pure, c = FrenchStemmer(), Stemmer.Stemmer("french")
    differing = {w: (pure.stemWord(w), c.stemWord(w)) for w in words if pure.stemWord(w) != c.stemWord(w)}
    assert differing == {}
