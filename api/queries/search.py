"""Full-text search: the q= filter of every list and the ranked /v1/search.

Queries are parsed and stemmed in Python (api.search_text) exactly as documents were when
indexed; SQLite matches them with FTS5, PostgreSQL with a tsvector/GIN index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, cast, false, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.orm import Session

from api.errors import ClientError
from api.models import EntityAlias, SearchDocument
from api.queries.overview import dataset_state
from api.queries.paging import (
    Page,
    SortKey,
    counted,
    decode_cursor,
    encode_cursor,
    loaded_columns,
    paginate,
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
_variants_cache: dict[tuple[str, int], dict[str, list[Phrase]]] = {}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def spelling_variants(session: Session, version: str | None = None) -> dict[str, list[Phrase]]:
    """For each one-word spelling of an entity, the stems of all its spellings (cached per dataset
    version: ``version`` when the caller has read it already, else read here)."""
    if version is None:
        state = dataset_state(session)
        version = str(state.version) if state else "0"
    key = (str(session.get_bind().url), version)
    if key not in _variants_cache:
        spellings: dict[str, set[Phrase]] = defaultdict(set)
        for entity_id, alias in session.execute(select(EntityAlias.entity_id, EntityAlias.alias)):
            phrase = tuple(terms(alias))
            if phrase:
                spellings[entity_id].add(phrase)
        variants: dict[str, list[Phrase]] = defaultdict(list)
        for phrases in spellings.values():
            for phrase in phrases:
                if len(phrase) == 1:
                    variants[phrase[0]].extend(sorted(phrases))
        _variants_cache.clear()
        _variants_cache[key] = dict(variants)
    return _variants_cache[key]


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


def _document_id(join_fts: bool) -> Any:
    """The document id, on the side the full-text match can range-scan (FTS5's rowid)."""
    return literal_column("search_fts.rowid") if join_fts else SearchDocument.id


def _window_floor(session: Session, condition: Any, join_fts: bool, upper: int) -> int | None:
    """The lowest document id of the window starting at ``upper`` (0: no bound), going down;
    None when fewer than :data:`SEARCH_WINDOW` matches remain (the window reaches the bottom)."""
    doc_id = _document_id(join_fts)
    stmt = select(doc_id).select_from(_FTS if join_fts else SearchDocument.__table__).where(condition)
    if upper:
        stmt = stmt.where(doc_id <= upper)
    return session.scalar(stmt.order_by(doc_id.desc()).limit(1).offset(SEARCH_WINDOW - 1))


def search_documents(
    session: Session,
    *,
    q: str,
    types: Sequence[str] | None,
    limit: int,
    cursor: str | None,
    version: str | None = None,
) -> tuple[Page, list[Clause]]:
    """Documents matching ``q``, best first within each window of :data:`SEARCH_WINDOW` matches
    (newest window first), one page at a time.

    The cursor carries the upper document id of its window and the sort keys of the last hit.
    With ``version`` (the dataset version read in this session) the match count is taken from
    :data:`~api.queries.paging.COUNTS` when this search was counted at this version already."""
    clauses = parse(session, q, version=version)
    if not clauses:
        return Page(items=[], count=0, next_cursor=None, limit=limit), clauses
    condition, score, join_fts = _matches(session, clauses)
    stmt = select(SearchDocument).where(condition)
    if join_fts:
        stmt = stmt.join(_FTS, literal_column("search_fts.rowid") == SearchDocument.id)
    if types:
        stmt = stmt.where((_unindexed_doc_type if join_fts else SearchDocument.doc_type).in_(types))
    keys = [
        (SortKey(score, "float"), False),
        (SortKey(SearchDocument.doc_type), False),
        (SortKey(SearchDocument.item_id), False),
    ]
    count_key = None if version is None else ("search", version, repr(clauses), tuple(sorted(types or ())))
    count = counted(session, stmt, count_key)
    upper, after = 0, None
    if cursor:
        window_key = (SortKey(SearchDocument.id, "int"), False)
        upper, *after = decode_cursor(cursor, "relevance", [window_key, *keys])
    doc_id = _document_id(join_fts)
    items: list[Any] = []
    sort_values: list[tuple[Any, ...]] = []
    while True:
        lower = _window_floor(session, condition, join_fts, upper)
        window = stmt.where(doc_id >= lower) if lower else stmt
        window = window.where(doc_id <= upper) if upper else window
        page = paginate(
            session,
            window,
            keys=keys,
            sort="relevance",
            limit=limit - len(items),
            cursor=encode_cursor("relevance", after) if after else None,
            with_count=False,
        )
        items += page.items
        sort_values += page.sort_values
        if page.next_cursor:  # this window goes on past the page
            next_cursor: str | None = encode_cursor("relevance", [upper, *sort_values[-1]])
            break
        if lower is None or lower == 1:  # that was the last window
            next_cursor = None
            break
        if len(items) == limit:  # the page ends with this window: the next page resumes after it
            below = stmt.with_only_columns(doc_id).where(doc_id < lower).limit(1)
            more = session.scalar(below) is not None  # of the types asked for
            next_cursor = encode_cursor("relevance", [upper, *sort_values[-1]]) if more else None
            break
        upper, after = lower - 1, None
    return Page(items, count, next_cursor, limit, sort_values), clauses


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
        for row in session.execute(select(*loaded_columns(model)).where(model.id.in_(ids))):
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
