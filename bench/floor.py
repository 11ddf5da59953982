"""The floor of `make bench`: the least a Python server can do to answer the benchmarked requests.

A bare WSGI function, no framework, served by the same gunicorn (same workers, threads, worker
class) as Veille. For each request shape of the benchmark it runs the SQL statements Veille runs
for that response -- the same text, the same parameters, the same number of statements, in the
same order (bench/bench.py checks it) -- with the stdlib ``sqlite3`` on one connection per thread,
opened with Veille's pragmas, and serialises the same JSON body with ``orjson``. No validation,
logging, metrics, ETag, CORS or rate limiting: what is left is the database and the JSON. Search
snippets are Veille's own ``api.search_text.highlight`` (a pure function), so both do the same
snippet work.

Shapes served (anything else is a 404):

    GET /v1/statements[?speaker=ID][&cursor=C][&limit=N][&facets=speaker]
    GET /v1/statements/ID
    GET /v1/search?q=WORDS                      (plain words: no phrase, no prefix; a first page)

When Veille's SQL changes (a new column, one query less), bench.py prints the difference for
the shape and the statements here must follow, or the floor compares unequal work.

    DATABASE_URL=sqlite:////path/db.sqlite3 gunicorn -c gunicorn.conf.py --pythonpath bench floor:app
"""

from __future__ import annotations

import base64
import os
import re
import sqlite3
import threading
import unicodedata
from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

import orjson
import snowballstemmer

from api.search_text import Clause
from api.search_text import highlight as veille_highlight

JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z
SEARCH_WINDOW = 1000  # api.queries.search.SEARCH_WINDOW
TIMEOUT_SECONDS = int(os.environ.get("VEILLE_DB_TIMEOUT_SECONDS") or 2)

# The column lists of Veille's ORM selects (api/models.py), in the order SQLAlchemy renders them.
STATEMENT_COLUMNS = [
    "id",
    "article_id",
    "speaker_id",
    "kind",
    "text",
    "start",
    '"end"',
    "said_on_value",
    "said_on_precision",
    "said_on_note",
    "said_on_start",
    "said_on_end",
    "event_id",
    "channel_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "status",
    "confidence",
]
ENTITY_COLUMNS = [
    "id",
    "name",
    "name_normalized",
    "type",
    "description",
    "wikidata",
    "merged_into",
    "created_at",
    "updated_at",
    "deleted_at",
    "status",
    "confidence",
]
ARTICLE_COLUMNS = [
    "id",
    "title",
    "lead",
    "body",
    "language",
    "published_value",
    "published_precision",
    "published_note",
    "published_start",
    "published_end",
    "outlet_id",
    "source_url",
    "source_file",
    "content_hash",
    "notes",
    "created_at",
    "updated_at",
    "deleted_at",
]
EVENT_COLUMNS = [
    "id",
    "type",
    "title",
    "summary",
    "date_value",
    "date_precision",
    "date_note",
    "date_start",
    "date_end",
    "location_id",
    "planned",
    "created_at",
    "updated_at",
    "deleted_at",
    "status",
    "confidence",
]
COLUMNS = {
    "statements": STATEMENT_COLUMNS,
    "entities": ENTITY_COLUMNS,
    "articles": ARTICLE_COLUMNS,
    "events": EVENT_COLUMNS,
}


# statements' generated sort columns (migration 0008): in a subquery of the whole row only
SORT_COLUMNS = ["said_on_rank", "said_on_sort"]


def _columns(table: str, *, aliased: bool = False) -> str:
    if aliased:
        names = list(COLUMNS[table])
        if table == "statements":
            at = names.index("channel_id") + 1
            names[at:at] = SORT_COLUMNS
        return ", ".join(f"{table}.{c} AS {c}" for c in names)
    return ", ".join(f"{table}.{c}" for c in COLUMNS[table])


def _marks(n: int) -> str:
    return ", ".join("?" * n)


SQL_STATE = (
    "SELECT dataset_state.version, dataset_state.changed_at \nFROM dataset_state \nWHERE dataset_state.id = ?"
)
SORT_KEYS = ("statements.said_on_rank", "statements.said_on_sort", "statements.id")


def _statements_where(speakers: list[str]) -> tuple[str, list[Any]]:
    where, params = "statements.deleted_at IS NULL", []
    if speakers:
        where += f" AND statements.speaker_id IN ({_marks(len(speakers))})"
        params = list(speakers)
    return where, params


def _filtered_subquery(where: str) -> str:
    return f"SELECT {_columns('statements', aliased=True)} \nFROM statements \nWHERE {where}"


def _after(values: list[Any]) -> tuple[str, list[Any]]:
    """Rows after the cursor's sort keys (undated rank, day, id): Veille's row-value comparison."""
    return f"({', '.join(SORT_KEYS)}) > (?, ?, ?)", list(values)


# --- text: Veille's search pipeline (api/text.py, api/search_text.py), the parts the bench uses ---

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
_SPACES = re.compile(r"\s+")
WORD = re.compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("french")
_stems: dict[str, str] = {}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).translate(_DASHES))
    return _SPACES.sub(" ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip().casefold()


def stem(word: str) -> str:
    found = _stems.get(word)
    if found is None:
        found = _stems[word] = _stemmer.stemWord(word)
    return found


def terms(text: str) -> list[str]:
    return [stem(w) for w in WORD.findall(fold(text))]


def highlight(text: str, clauses: list[Clause], stored: str) -> tuple[str, list]:
    # Veille's own snippet function (api.search_text: pure Python, no framework): the snippet
    # and match offsets are the same work on both sides
    return veille_highlight(text, clauses, stems=stored)


# --- database ---

_local = threading.local()
# the spelling variants as read at one dataset version: (version, alias rows, variants)
_spellings: tuple[int | None, int, dict[str, list[tuple[str, ...]]]] = (None, 0, {})
_counts: dict[tuple[Any, ...], int] = {}  # (filter or search, dataset version) -> count or window bound


def _database_path() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("sqlite:///"):
        raise RuntimeError(f"the floor serves SQLite only: DATABASE_URL={url!r}")
    return url[len("sqlite:///") :]


def connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(_database_path(), timeout=TIMEOUT_SECONDS, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={TIMEOUT_SECONDS * 1000}"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.row_factory = sqlite3.Row
        _local.conn = conn
    return conn


def _timestamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _fuzzy(value: Any, precision: Any, note: Any) -> dict[str, Any] | None:
    return None if value is None else {"value": value, "precision": precision, "note": note}


def _state_version(conn: sqlite3.Connection) -> int:
    row = conn.execute(SQL_STATE, (1,)).fetchone()
    return row["version"] if row else 0


def _about(conn: sqlite3.Connection, ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    if ids:
        sql = (
            "SELECT statement_about.statement_id, statement_about.entity_id \nFROM statement_about \n"
            f"WHERE statement_about.statement_id IN ({_marks(len(ids))}) "
            "ORDER BY statement_about.statement_id, statement_about.entity_id"
        )
        for statement_id, entity_id in conn.execute(sql, ids):
            found[statement_id].append(entity_id)
    return found


def _statement(row: sqlite3.Row, about: list[str]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "status": row["status"],
        "confidence": row["confidence"],
        "text": row["text"],
        "article": row["article_id"],
        "start": row["start"],
        "end": row["end"],
        "speaker": row["speaker_id"],
        "said_on": _fuzzy(row["said_on_value"], row["said_on_precision"], row["said_on_note"]),
        "about": about,
        "event": row["event_id"],
        "channel": row["channel_id"],
        "created_at": _timestamp(row["created_at"]),
        "updated_at": _timestamp(row["updated_at"]),
    }


def _entity_summary(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "type": row["type"], "name": row["name"]}


def _article_summary(row: sqlite3.Row) -> dict[str, Any]:
    published = _fuzzy(row["published_value"], row["published_precision"], row["published_note"])
    return {"id": row["id"], "title": row["title"], "published": published}


def _event_summary(row: sqlite3.Row) -> dict[str, Any]:
    date = _fuzzy(row["date_value"], row["date_precision"], row["date_note"])
    # SQLite stores a boolean as 0 or 1; the API answers true or false
    return {
        "id": row["id"],
        "type": row["type"],
        "title": row["title"],
        "date": date,
        "planned": bool(row["planned"]),
    }


def _statement_summary(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "speaker": row["speaker_id"],
        "text": row["text"],
        "said_on": _fuzzy(row["said_on_value"], row["said_on_precision"], row["said_on_note"]),
        "article": row["article_id"],
    }


def _encode_cursor(sort: str, values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([sort, *values])).rstrip(b"=").decode()


def _decode_cursor(cursor: str) -> list[Any]:
    return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


class NotFound(Exception):
    pass


# --- the shapes ---


def list_statements(conn: sqlite3.Connection, args: dict[str, list[str]], request: dict[str, str]) -> tuple:
    limit = int(args.get("limit", ["50"])[0])
    version = _state_version(conn)
    where, params = _statements_where(args.get("speaker", []))
    # as Veille (api.queries.paging.COUNTS): a filter's count is reused while the dataset version holds
    key = (tuple(params), version)
    count = _counts.get(key)
    if count is None:
        count = conn.execute(
            f"SELECT count(*) AS count_1 \nFROM ({_filtered_subquery(where)}) AS anon_1", params
        ).fetchone()[0]
        _counts[key] = count
    page_where, page_params = where, list(params)
    if "cursor" in args:
        payload = _decode_cursor(args["cursor"][0])
        after, after_params = _after(payload[1:])
        page_where += f" AND {after}"
        page_params += after_params
    labelled = ", ".join(f"{key} AS sort_key_{i}" for i, key in enumerate(SORT_KEYS))
    sql = (
        f"SELECT {_columns('statements')}, {labelled} \nFROM statements \nWHERE {page_where} "
        f"ORDER BY {', '.join(f'{key} ASC' for key in SORT_KEYS)}\n LIMIT ? OFFSET ?"
    )
    rows = conn.execute(sql, [*page_params, limit + 1, 0]).fetchall()
    page = rows[:limit]
    about = _about(conn, [r["id"] for r in page])
    items = [_statement(r, about.get(r["id"], [])) for r in page]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = _encode_cursor("said_on", [last["sort_key_0"], last["sort_key_1"], last["sort_key_2"]])
    body = _list_body(items, count, limit, next_cursor, args, request)
    if args.get("facets") == ["speaker"]:
        body["meta"]["facets"] = {"speaker": _speaker_facet(conn, where, params, args, request, version)}
    return body, version


# as Veille (api.queries.facets.FACET_COUNTS): (filter, size, dataset version) -> (shown, hidden, labels)
_facets: dict[tuple[Any, ...], tuple[list[Any], list[Any], dict[str, str]]] = {}


def _speaker_facet(
    conn: sqlite3.Connection, where: str, params: list[Any], args: dict, request: dict, version: int
) -> dict:
    size = int(args.get("facet_size", ["50"])[0])
    key = (tuple(params), size, version)
    if key not in _facets:
        sql = (
            f"SELECT anon_1.speaker_id, count(*) AS count_1 \nFROM ({_filtered_subquery(where)}) AS anon_1 "
            "GROUP BY anon_1.speaker_id"
        )
        rows = sorted(conn.execute(sql, params).fetchall(), key=lambda r: (-r[1], r[0] is None, r[0] or ""))
        shown, hidden = rows[:size], rows[size:]
        wanted = [r[0] for r in shown if r[0] is not None]
        labels = {}
        if wanted:
            labels = dict(
                conn.execute(
                    f"SELECT entities.id, entities.name \nFROM entities \nWHERE entities.id IN ({_marks(len(wanted))})",
                    wanted,
                ).fetchall()
            )
        _facets[key] = (shown, hidden, labels)
    shown, hidden, labels = _facets[key]
    others = [
        (k, v) for k, values in args.items() if k not in ("cursor", "facets", "speaker") for v in values
    ]
    values = []
    for value, count in shown:
        url = None if value is None else f"{request['base']}?{urlencode([*others, ('speaker', value)])}"
        values.append({"value": value, "label": labels.get(value), "count": count, "url": url})
    return {"values": values, "other": sum(r[1] for r in hidden)}


def _list_body(
    items: list, count: int, limit: int, next_cursor: str | None, args: dict, request: dict
) -> dict:
    next_url = None
    if next_cursor:
        pairs = [(k, v) for k, values in args.items() if k != "cursor" for v in values]
        next_url = f"{request['base']}?{urlencode([*pairs, ('cursor', next_cursor)])}"
    return {
        "data": items,
        "meta": {"count": count, "limit": limit, "next_cursor": next_cursor},
        "links": {"self": request["url"], "next": next_url},
    }


def get_statement(conn: sqlite3.Connection, statement_id: str) -> tuple:
    # as api.queries.statements: the statement with its article and event, then its entities
    row = conn.execute(
        f"SELECT {_columns('statements')}, articles.id AS a_id, articles.title AS a_title, "
        "articles.published_value AS a_published_value, articles.published_precision AS "
        "a_published_precision, articles.published_note AS a_published_note, events.id AS e_id, "
        "events.type AS e_type, events.title AS e_title, events.date_value AS e_date_value, "
        "events.date_precision AS e_date_precision, events.date_note AS e_date_note, "
        "events.planned AS e_planned \n"
        "FROM statements LEFT OUTER JOIN articles ON articles.id = statements.article_id "
        "LEFT OUTER JOIN events ON events.id = statements.event_id \n"
        "WHERE statements.id = ? AND statements.deleted_at IS NULL",
        (statement_id,),
    ).fetchone()
    if row is None:
        raise NotFound
    about, entities = [], {}
    for r in conn.execute(
        "SELECT ? AS about, entities.id, entities.type, entities.name \nFROM entities "
        "JOIN statement_about ON statement_about.entity_id = entities.id \n"
        "WHERE statement_about.statement_id = ? UNION ALL SELECT ? AS anon_1, entities.id, "
        "entities.type, entities.name \nFROM entities \nWHERE entities.id IN (?, ?) ORDER BY about, id",
        (1, statement_id, 0, row["speaker_id"], row["channel_id"]),
    ):
        if r["about"]:
            about.append(r["id"])
        entities[r["id"]] = _entity_summary(r)
    item = _statement(row, about)
    article = {
        "id": row["a_id"],
        "title": row["a_title"],
        "published": _fuzzy(row["a_published_value"], row["a_published_precision"], row["a_published_note"]),
    }
    event = {
        "id": row["e_id"],
        "type": row["e_type"],
        "title": row["e_title"],
        "date": _fuzzy(row["e_date_value"], row["e_date_precision"], row["e_date_note"]),
        "planned": bool(row["e_planned"]),
    }
    item["related"] = {
        "speaker": entities.get(row["speaker_id"]),
        "article": article if row["a_id"] is not None else None,
        "about": [entities[e] for e in about],
        "event": event if row["e_id"] is not None else None,
        "channel": entities.get(row["channel_id"]) if row["channel_id"] else None,
    }
    return item, _state_version(conn)


# per document type: the table, the summary, and the columns it reads (api.queries.shapes' @reads)
SUMMARIES = {
    "article": (
        "articles",
        _article_summary,
        ["id", "title", "published_value", "published_precision", "published_note"],
    ),
    "entity": ("entities", _entity_summary, ["id", "type", "name"]),
    "statement": (
        "statements",
        _statement_summary,
        [
            "id",
            "kind",
            "speaker_id",
            "text",
            "said_on_value",
            "said_on_precision",
            "said_on_note",
            "article_id",
        ],
    ),
    "event": (
        "events",
        _event_summary,
        ["id", "type", "title", "date_value", "date_precision", "date_note", "planned"],
    ),
}


_ALIASES = "SELECT entity_id, alias FROM entity_aliases"  # api.queries.search._ALIASES
# api.queries.search._ALIASES_VERSION
_ALIASES_VERSION = "SELECT dataset_state.aliases_version \nFROM dataset_state \nWHERE dataset_state.id = ?"


def _spelling_variants(conn: sqlite3.Connection, version: int) -> dict[str, list[tuple[str, ...]]]:
    # as Veille: on a new dataset version the aliases version is read, and the alias rows read
    # again and the variants rebuilt only when it changed
    global _spellings  # noqa: PLW0603
    known_version, known_aliases, variants = _spellings
    if version == known_version:
        return variants
    row = conn.execute(_ALIASES_VERSION, (1,)).fetchone()
    aliases_version = (row[0] if row else None) or 0
    if aliases_version != known_aliases or known_version is None:
        rows = conn.execute(_ALIASES).fetchall()
        spellings: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for entity_id, alias in rows:
            phrase = tuple(terms(alias))
            if phrase:
                spellings[entity_id].add(phrase)
        found: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrases in spellings.values():
            for phrase in phrases:
                if len(phrase) == 1:
                    found[phrase[0]].extend(sorted(phrases))
        variants = dict(found)
    _spellings = (version, aliases_version, variants)
    return variants


# Veille's statements for a search without a type filter (api.queries.search._search_sql)
SQL_SEARCH_COUNT = "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?"
SQL_SEARCH_FLOOR = (
    "SELECT search_fts.rowid FROM search_fts WHERE search_fts MATCH ? AND search_fts.rowid <= ? "
    "ORDER BY search_fts.rowid DESC LIMIT 1 OFFSET ?"
)
SQL_SEARCH_FIRST = (
    "WITH matches AS MATERIALIZED (SELECT search_fts.rowid AS id, bm25(search_fts) AS score "
    "FROM search_fts WHERE search_fts MATCH ? AND search_fts.rowid BETWEEN ? AND ?), "
    "ranked AS (SELECT id, score, rank() OVER (ORDER BY score) AS position FROM matches) "
    "SELECT d.id, d.doc_type, d.item_id, d.content, d.terms, ranked.score "
    "FROM ranked JOIN search_documents AS d ON d.id = ranked.id WHERE ranked.position <= ? "
    "ORDER BY ranked.score, d.doc_type, d.item_id LIMIT ?"
)
NO_UPPER = 2**31 - 1  # api.queries.search._NO_UPPER


def search(conn: sqlite3.Connection, args: dict[str, list[str]], request: dict[str, str]) -> tuple:
    limit = int(args.get("limit", ["50"])[0])
    version = _state_version(conn)  # as Veille's view, for the count reuse and the response header
    variants = _spelling_variants(conn, version)
    clauses = []
    for s in terms(args["q"][0]):
        clauses.append(tuple(dict.fromkeys([(s,), *variants.get(s, [])])))
    parts = []
    veille_clauses = [Clause(alternatives) for alternatives in clauses]
    for alternatives in clauses:
        phrases = ['"' + " ".join(p) + '"' for p in alternatives]
        parts.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    match = " AND ".join(parts)
    # as Veille (api.queries.search): a search's match count is reused while the dataset version holds
    key = ("search", match, version)
    count = _counts.get(key)
    if count is None:
        count = _counts[key] = conn.execute(SQL_SEARCH_COUNT, (match,)).fetchone()[0]
    # as Veille: rank the window of the SEARCH_WINDOW newest matches; a first page (limit below
    # SEARCH_WINDOW) fits in it, or the window holds every match
    # as Veille (api.queries.search.WINDOW_FLOORS): the window's lower bound is reused while the
    # dataset version holds
    key = ("window", match, NO_UPPER, version)
    if key not in _counts:
        lower = conn.execute(SQL_SEARCH_FLOOR, (match, NO_UPPER, SEARCH_WINDOW - 1)).fetchone()
        _counts[key] = lower[0] if lower else 0
    low = _counts[key]
    rows = conn.execute(SQL_SEARCH_FIRST, (match, low, NO_UPPER, limit + 1, limit + 1)).fetchall()
    page = rows[:limit]
    by_type: dict[str, list[str]] = defaultdict(list)
    for r in page:
        by_type[r["doc_type"]].append(r["item_id"])
    summaries = {}
    for doc_type, ids in by_type.items():
        table, summarise, columns = SUMMARIES[doc_type]
        selected = ", ".join(f"{table}.{c}" for c in columns)
        sql = f"SELECT {selected} \nFROM {table} \nWHERE {table}.id IN ({_marks(len(ids))})"
        for r in conn.execute(sql, ids):
            summaries[(doc_type, r["id"])] = summarise(r)
    hits = []
    for r in page:
        snippet, matches = highlight(r["content"], veille_clauses, r["terms"])
        hits.append(
            {
                "type": r["doc_type"],
                "id": r["item_id"],
                "score": round(-r["score"], 6),
                "snippet": snippet,
                "matches": matches,
                "item": summaries.get((r["doc_type"], r["item_id"])),
            }
        )
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = _encode_cursor("relevance", [0, last["score"], last["doc_type"], last["item_id"]])
    return _list_body(hits, count, limit, next_cursor, args, request), version


# --- WSGI ---

_ENCODED_NON_ASCII = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def _respond(start_response: Any, status: str, body: bytes, headers: list[tuple[str, str]]) -> list[bytes]:
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers]
    )
    return [body]


def answer(environ: dict[str, Any]) -> tuple[str, bytes, list[tuple[str, str]]]:
    """Status line, JSON body and extra headers for a request (shared with bench/bareflask.py)."""
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    base = f"http://{environ.get('HTTP_HOST', 'localhost')}{path}"
    # links.self as Werkzeug's request.url writes it: non-ASCII characters decoded (an IRI)
    shown = _ENCODED_NON_ASCII.sub(lambda m: unquote(m.group()), query)
    request = {"base": base, "url": f"{base}?{shown}" if query else base}
    args = parse_qs(query)
    conn = connection()
    try:
        if path == "/v1/statements":
            body, version = list_statements(conn, args, request)
        elif path.startswith("/v1/statements/") and path.count("/") == 3:
            body, version = get_statement(conn, path.rsplit("/", 1)[1])
        elif path == "/v1/search" and args.get("q"):
            body, version = search(conn, args, request)
        else:
            raise NotFound
    except NotFound:
        return "404 Not Found", b'{"status":404}', []
    headers = [("X-Dataset-Version", str(version))]
    link = body["links"].get("next") if "links" in body else None
    if link:
        headers.append(("Link", f'<{link}>; rel="next"'))
    return "200 OK", orjson.dumps(body, option=JSON_OPTIONS), headers


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    return _respond(start_response, *answer(environ))
