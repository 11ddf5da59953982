"""Full-text search: the q= filter of every list and the ranked /v1/search.

Queries are parsed and stemmed in Python (api.search_text) exactly as documents were when
indexed; SQLite matches them with FTS5, PostgreSQL with a tsvector/GIN index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    bindparam,
    cast,
    false,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.orm import Session

from api.errors import ClientError
from api.models import DatasetState, SearchDocument
from api.queries import Prepared, run
from api.queries.overview import dataset_state
from api.queries.paging import (
    COUNTS,
    Page,
    SortKey,
    VersionedCache,
    decode_cursor,
    encode_cursor,
    versioned_key,
)
from api.search_text import (
    Clause,
    Phrase,
    QueryError,
    fts5_expression,
    highlight,
    parse_query,
    terms,
    tsquery_expression,
    with_variants,
)

# per document type: the model, and its row → the item in brief
Summarised = tuple[Any, Callable[[Any], dict[str, Any]]]
_FTS = table("search_fts")
_TSV = literal_column("search_documents.tsv", TSVECTOR)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


_ALIASES = "SELECT entity_id, alias FROM entity_aliases"
_ALIASES_VERSION = Prepared(select(DatasetState.aliases_version).where(DatasetState.id == 1))


def _alias_rows(session: Session) -> list[tuple[str, str]]:
    """Every (entity id, alias), as the driver's tuples (SQLAlchemy's result handling would be
    a third of the time on 30,000 aliases)."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(_ALIASES)
        return list(cursor.fetchall())
    finally:
        cursor.close()


@dataclass(frozen=True)
class _Spellings:
    """The spelling variants of one database as read at one dataset version, and what they were
    made from: the aliases at one ``aliases_version``, and each alias's stems."""

    version: str
    aliases_version: int
    stems: dict[str, Phrase]
    variants: dict[str, list[Phrase]]


_spellings: dict[str, _Spellings] = {}  # per database URL, in this process


def _variants(
    rows: list[tuple[str, str]], seen: dict[str, Phrase]
) -> tuple[dict[str, Phrase], dict[str, list[Phrase]]]:
    """Each alias's stems (taken from ``seen`` when stemmed before), and the variants."""
    stems: dict[str, Phrase] = {}
    spellings: dict[str, set[Phrase]] = defaultdict(set)
    for entity_id, alias in rows:
        phrase = stems.get(alias)
        if phrase is None:
            phrase = stems[alias] = seen[alias] if alias in seen else tuple(terms(alias))
        if phrase:
            spellings[entity_id].add(phrase)
    variants: dict[str, list[Phrase]] = defaultdict(list)
    for phrases in spellings.values():
        one_word = [phrase for phrase in phrases if len(phrase) == 1]
        if one_word:
            ordered = sorted(phrases)
            for phrase in one_word:
                variants[phrase[0]].extend(ordered)
    return stems, dict(variants)


def spelling_variants(session: Session, version: str | None = None) -> dict[str, list[Phrase]]:
    """For each one-word spelling of an entity, the stems of all its spellings (kept per dataset
    version: ``version`` when the caller has read it already, else read here).

    Any process may have written since the version this process knows. On a new version the
    database's ``aliases_version`` (bumped by triggers whenever an alias row changes, whoever
    writes it) says whether any alias changed: if not, the variants stay as they are, for one
    one-row query; if so, the aliases are read again, only those not seen before are stemmed,
    and the variants rebuilt."""
    if version is None:
        state = dataset_state(session)
        version = str(state.version) if state else "0"
    url = str(session.get_bind().engine.url)
    known = _spellings.get(url)
    if known is not None and known.version == version:
        return known.variants
    # read before the aliases: rows read after it are at least as new as the number says
    aliases_version = run(session, _ALIASES_VERSION).scalar() or 0
    if known is not None and aliases_version == known.aliases_version:
        _spellings[url] = replace(known, version=version)
        return known.variants
    stems, variants = _variants(_alias_rows(session), known.stems if known is not None else {})
    _spellings.clear()  # one database per process, but for tests
    _spellings[url] = _Spellings(version, aliases_version, stems, variants)
    return variants


def parse(session: Session, q: str, parameter: str = "q", version: str | None = None) -> list[Clause]:
    try:
        clauses = parse_query(q)
    except QueryError as exc:
        raise ClientError(
            400, f"Invalid request: parameter '{parameter}': {exc}.", errors={parameter: [f"{exc}."]}
        ) from None
    return with_variants(clauses, spelling_variants(session, version))


def _matches(
    session: Session, clauses: list[Clause]
) -> tuple[ColumnElement[bool], ColumnElement[float], bool]:
    """The match condition, a score (lower is better) and whether the FTS table must be joined."""
    if _dialect(session) == "postgresql":
        query = func.to_tsquery(cast("simple", REGCONFIG), tsquery_expression(clauses))
        # ts_rank is a 4-byte real: as double precision, the value a cursor carries compares equal
        return _TSV.op("@@")(query), -cast(func.ts_rank(_TSV, query), Float(53)), False
    condition = literal_column("search_fts").op("MATCH")(fts5_expression(clauses))
    return condition, func.bm25(literal_column("search_fts"), type_=Float), True


# SQLite: ``+column`` keeps the planner off the doc_type index, so the full-text match drives
# the query (matches → documents by rowid) instead of probing the match once per document.
_unindexed_doc_type = literal_column("+search_documents.doc_type")


def matching_ids(session: Session, doc_type: str, clauses: list[Clause]) -> Select[Any]:
    """Ids of the items of ``doc_type`` whose document matches every clause."""
    condition, _score, join_fts = _matches(session, clauses)
    if not join_fts:
        return select(SearchDocument.item_id).where(SearchDocument.doc_type == doc_type, condition)
    matches = select(literal_column("search_fts.rowid")).select_from(_FTS).where(condition)
    return select(SearchDocument.item_id).where(
        SearchDocument.id.in_(matches), _unindexed_doc_type == doc_type
    )


def search_filter(session: Session, doc_type: str, q: str, id_column: Any) -> ColumnElement[bool]:
    clauses = parse(session, q)
    if not clauses:  # nothing searchable in q: nothing matches
        return false()
    return id_column.in_(matching_ids(session, doc_type, clauses))


# Relevance is ranked within windows of at most this many matching documents, newest (highest
# document id) first: a page costs the ranking of one window however common the words are. A
# search matching fewer documents is one window, ranked as a whole.
SEARCH_WINDOW = 1000


# Ids are 4-byte integers on PostgreSQL: the top of an open window
_NO_UPPER = 2**31 - 1
_C = {"sqlite": "", "postgresql": ' COLLATE "C"'}  # byte order on both, as the cursor's keys


def _search_sql(dialect: str) -> dict[tuple[str, bool], Prepared]:
    """The statements of a ranked search, written once per backend: (name, typed) → SQL.

    ``typed`` statements keep the documents of ``:types`` only. Ranking happens on
    ``(id, score)`` pairs of one window; only the page's documents (and, for the cursor's
    tie, the documents scored like its last hit) are read from ``search_documents``."""
    if dialect == "postgresql":
        query = "to_tsquery('simple'::regconfig, :match)"
        doc_id, score = "t.id", f"-CAST(ts_rank(t.tsv, {query}) AS double precision)"
        untyped = f"FROM search_documents AS t WHERE t.tsv @@ {query}"
        typed = f"{untyped} AND t.doc_type IN :types"
    else:
        doc_id, score = "search_fts.rowid", "bm25(search_fts)"
        untyped = "FROM search_fts WHERE search_fts MATCH :match"
        # ``+``: the match drives the join, not the doc_type index (see _unindexed_doc_type)
        typed = (
            "FROM search_fts JOIN search_documents AS t ON t.id = search_fts.rowid "
            "WHERE search_fts MATCH :match AND +t.doc_type IN :types"
        )
    c = _C[dialect]
    statements: dict[tuple[str, bool], str] = {
        ("floor", False): (
            f"SELECT {doc_id} {untyped} AND {doc_id} <= :high ORDER BY {doc_id} DESC LIMIT 1 OFFSET :skip"
        )
    }
    for is_typed, source in ((False, untyped), (True, typed)):
        matches = (
            f"matches AS MATERIALIZED (SELECT {doc_id} AS id, {score} AS score {source} "
            f"AND {doc_id} BETWEEN :low AND :high)"
        )
        resumed = (
            "after AS (SELECT id, score FROM matches WHERE score > :score UNION ALL "
            "SELECT matches.id, matches.score FROM matches JOIN search_documents AS d ON d.id = matches.id "
            f"WHERE matches.score = :score AND (d.doc_type{c}, d.item_id{c}) > (:doc_type, :item_id))"
        )
        for name, ctes, ranked_from in (
            ("first", matches, "matches"),
            ("after", f"{matches}, {resumed}", "after"),
        ):
            # rank() gives tied scores one position: every document that can be among the first
            # :rows in (score, type, id) order has a position within :rows
            statements[(name, is_typed)] = (
                f"WITH {ctes}, ranked AS (SELECT id, score, rank() OVER (ORDER BY score) AS position "
                f"FROM {ranked_from}) "
                "SELECT d.id, d.doc_type, d.item_id, d.content, d.terms, ranked.score "
                "FROM ranked JOIN search_documents AS d ON d.id = ranked.id WHERE ranked.position <= :rows "
                f"ORDER BY ranked.score, d.doc_type{c}, d.item_id{c} LIMIT :rows"
            )
        statements[("count", is_typed)] = f"SELECT count(*) {source}"
        statements[("below", is_typed)] = f"SELECT {doc_id} {source} AND {doc_id} < :low LIMIT 1"
    # planned per run: how many documents a word matches decides the plan (see Prepared)
    return {
        key: Prepared(
            text(sql).bindparams(bindparam("types", expanding=True)) if key[1] else text(sql),
            planned_per_run=True,
        )
        for key, sql in statements.items()
    }


_SEARCH_SQL = {dialect: _search_sql(dialect) for dialect in _C}
# the cursor: the window's upper document id, then the sort keys of the last hit
_CURSOR_KEYS = [
    (SortKey(SearchDocument.id, "int"), False),
    (SortKey(literal_column("score"), "float"), False),
    (SortKey(SearchDocument.doc_type), False),
    (SortKey(SearchDocument.item_id), False),
]


def _count(
    session: Session,
    sql: Mapping[tuple[str, bool], Prepared],
    params: dict[str, Any],
    key: tuple[Any, ...] | None,
) -> int:
    """The number of matches, kept in :data:`COUNTS` under ``key`` when given. Without a type
    filter it is counted on the full-text index alone."""
    known = None if key is None else COUNTS.get(key)
    if known is not None:
        return known
    count: int = run(session, sql[("count", "types" in params)], **params).scalar_one()
    if key is not None:
        COUNTS.put(key, count)
    return count


# the lowest document id of a search's window, per (database, search, upper id, search_version)
WINDOW_FLOORS: VersionedCache[tuple[int | None]] = VersionedCache(4096)


def _window_floor(
    session: Session,
    sql: Mapping[tuple[str, bool], Prepared],
    match: str,
    high: int,
    index_version: str | None,
) -> int | None:
    """The id of the :data:`SEARCH_WINDOW`-th newest match at or below ``high`` (None when there
    are fewer): where the window ranked on this page starts. Kept per version of the search
    documents (``index_version``), as counts are: on PostgreSQL, a common word's takes a 20 ms
    walk of the newest documents, a medium word's up to 140 ms."""
    key = versioned_key(session, index_version, "window", match, high, SEARCH_WINDOW)
    known = None if key is None else WINDOW_FLOORS.get(key)
    if known is not None:
        return known[0]
    lower = run(session, sql[("floor", False)], match=match, high=high, skip=SEARCH_WINDOW - 1).scalar()
    if key is not None:
        WINDOW_FLOORS.put(key, (lower,))
    return lower


def _sort_values(row: Any) -> tuple[float, str, str]:
    return row.score, row.doc_type, row.item_id


def search_documents(
    session: Session,
    *,
    q: str,
    types: Sequence[str] | None,
    limit: int,
    cursor: str | None,
    version: str | None = None,
    index_version: str | None = None,
) -> tuple[Page, list[Clause]]:
    """Documents matching ``q``, best first within each window of :data:`SEARCH_WINDOW` matches
    (newest window first), one page at a time; the items are rows
    ``(id, doc_type, item_id, content, terms, score)``, best (lowest) score first, then by type
    and item id.

    The cursor carries the upper document id of its window and the sort keys of the last hit.
    ``version`` (the dataset version read in this session) keeps the spelling variants;
    ``index_version`` (``dataset_state.search_version``, read with it) keeps the match count in
    :data:`~api.queries.paging.COUNTS` and the windows' starts: both depend on the search
    documents only, so a write that leaves them as they were (a status change, a review) does
    not make the next search count again."""
    clauses = parse(session, q, version=version)
    if not clauses:
        return Page(items=[], count=0, next_cursor=None, limit=limit), clauses
    dialect = _dialect(session)
    sql = _SEARCH_SQL[dialect]
    typed = bool(types)
    match = tsquery_expression(clauses) if dialect == "postgresql" else fts5_expression(clauses)
    params: dict[str, Any] = {"match": match, **({"types": list(types or ())} if typed else {})}
    count_key = versioned_key(session, index_version, "search", repr(clauses), tuple(sorted(types or ())))
    count = _count(session, sql, params, count_key)
    upper, after = 0, None
    if cursor:
        upper, *after = decode_cursor(cursor, "relevance", _CURSOR_KEYS)
    items: list[Any] = []
    while True:
        high = upper or _NO_UPPER
        lower = _window_floor(session, sql, match, high, index_version)
        wanted = limit - len(items)
        window = {**params, "low": lower or 0, "high": high, "rows": wanted + 1}
        if after:
            window.update(zip(("score", "doc_type", "item_id"), after, strict=True))
        rows = run(session, sql[("after" if after else "first", typed)], **window).all()
        items += rows[:wanted]
        if len(rows) > wanted:  # this window goes on past the page
            next_cursor: str | None = encode_cursor("relevance", [upper, *_sort_values(items[-1])])
            break
        if lower is None or lower == 1:  # that was the last window
            next_cursor = None
            break
        if len(items) == limit:  # the page ends with this window: the next page resumes after it
            more = run(session, sql[("below", typed)], **params, low=lower).first() is not None
            next_cursor = encode_cursor("relevance", [upper, *_sort_values(items[-1])]) if more else None
            break
        upper, after = lower - 1, None
    return Page(items, count, next_cursor, limit, [_sort_values(row) for row in items]), clauses


_SUMMARY_ROWS: dict[tuple[Any, Any], Prepared] = {}


def _summary_rows(model: Any, summarise: Callable[[Any], dict[str, Any]]) -> Prepared:
    """The columns ``summarise`` reads of ``model``, for the ids ``:ids``: a statement built
    once per model."""
    stmt = _SUMMARY_ROWS.get((model, summarise))
    if stmt is None:
        columns = [model.__table__.c[name] for name in summarise.columns]  # type: ignore[attr-defined]
        where = model.id.in_(bindparam("ids", expanding=True))
        stmt = _SUMMARY_ROWS[(model, summarise)] = Prepared(select(*columns).where(where))
    return stmt


def search_hits(
    session: Session, page: Page, clauses: list[Clause], summaries: Mapping[str, Summarised]
) -> list[dict[str, Any]]:
    """Hits with score, snippet and the summary of each item (one query per item type);
    ``summaries`` gives, per document type, the model and its row → summary function."""
    documents: list[Any] = page.items  # plain rows of search_documents, read by attribute
    by_type: dict[str, list[str]] = defaultdict(list)
    for document in documents:
        by_type[document.doc_type].append(document.item_id)
    briefs: dict[tuple[str, str], dict[str, Any]] = {}
    for doc_type, ids in by_type.items():
        model, summarise = summaries[doc_type]
        for row in run(session, _summary_rows(model, summarise), ids=ids):
            briefs[(doc_type, row.id)] = summarise(row)
    hits = []
    for document, keys in zip(documents, page.sort_values, strict=True):
        text, matches = highlight(document.content, clauses, stems=document.terms)
        hits.append(
            {
                "type": document.doc_type,
                "id": document.item_id,
                "score": round(-keys[0], 6),
                "snippet": text,
                "matches": matches,
                "item": briefs.get((document.doc_type, document.item_id)),
            }
        )
    return hits
