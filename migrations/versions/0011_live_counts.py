"""``live_counts``: the live rows of each collection, and per value of its one-valued facets, kept by triggers

A list's ``meta.count`` and its facet counts were counted by scanning, once per dataset version
and worker: every write bumps the version, so the first unfiltered list after any write counted
every live row again (77 ms for a million statements on SQLite, 173 ms for ``facets=speaker``). The
database now keeps those numbers as rows change, so an unfiltered list reads them:

- one row per table with ``column_name = '*'``: the number of its live rows (``deleted_at IS
  NULL``) of articles, entities, statements and events;
- one row per value of each column in ``COUNTED`` (the collections' single-valued facets,
  ``api.collections``: tests/test_live_counts.py holds the two lists equal): the number of live
  rows with that value.

Values are kept as text with a separate ``is_null`` flag: NULL is a value of its own (``is_null``
true, ``value`` empty), which no text can collide with, not even the empty string. Booleans
(``events.planned``) are the text ``'true'`` / ``'false'``, PostgreSQL's own text of a boolean
and the values the API shows, filters and facets on; SQLite's 1 / 0 are mapped the same way. A
count may fall to 0 and its row is kept (readers skip it): deleting it would cost every trigger
one more statement for a row that a restore would make again.

Triggers keep the rows, so every writer is covered: the API, the seed loader, ``flask synth``,
a migration, a hand-written statement. They fire on INSERT, DELETE and on UPDATE of a counted
column or of ``deleted_at``: a retire (-1 for the row's values), a restore (+1), a PATCH or an
entity merge moving a row from one value to another (-1 on the old value, +1 on the new).

- **SQLite: per row** (it has no other kind). One upsert per row written, its conditions
  generated so that a column whose value did not change is not touched: a PATCH of ``status``
  writes two rows of counts. A row written costs about 20 µs more (a statement journal and six
  upserts): ``flask synth --articles 2000`` loads in about 0.3 s more of 4.3 s, with temporary
  files in memory (its loading connection sets that); ``flask seed`` shows no difference.
- **PostgreSQL: per statement, with transition tables** (``REFERENCING NEW TABLE / OLD TABLE``).
  A bulk load (``flask synth``'s COPY of thousands of rows) then updates each count once, from
  one grouped pass over the rows the statement wrote, instead of once per row; the deltas are
  summed per value first (``ON CONFLICT DO UPDATE`` cannot touch a row twice in one statement),
  zero deltas dropped (an UPDATE that changed no counted column writes nothing) and applied in
  key order, so that concurrent writers lock count rows in the same order. Transition tables
  cannot be combined with ``UPDATE OF columns``, so the UPDATE trigger fires on every UPDATE
  and finds the deltas itself. A TRUNCATE forgets the table's counts.

An index in each facet's order (count descending, NULL last, then value by code point: COLLATE
"C" on PostgreSQL) makes a facet's first values a range read rather than a sort of all of them
(100,000 for ``statements.article_id`` at a million statements: 26 ms on SQLite, 45 ms on
PostgreSQL, against under 1 ms).

The rows are backfilled from the existing rows after the triggers exist: on PostgreSQL, making
the triggers locks the tables against writers until the migration commits, so no write falls
between the backfill and the triggers.

A later migration that recreates one of these tables on SQLite (Alembic's batch mode does for
most changes other than adding a column) drops its triggers with it, and must make them again:
tests/test_live_counts.py fails when a count drifts from a scan after writes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:30:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table → the columns counted per value (each collection's single-valued facets)
COUNTED: dict[str, tuple[str, ...]] = {
    "articles": ("language", "outlet_id"),
    "entities": ("type", "status"),
    "statements": ("speaker_id", "kind", "status", "article_id", "event_id"),
    "events": ("type", "status", "planned", "location_id"),
}
BOOLEANS = {("events", "planned")}
ROWS = "*"  # the column_name of a table's count of live rows
# a facet's values in the order it shows them: by count, NULL last, then by code point (PostgreSQL
# compares them in byte order with COLLATE "C", as SQLite does)
ORDER_INDEX = "ix_live_counts_order"
KEY = "table_name, column_name, value, is_null"
UPSERT_INTO = f"INSERT INTO live_counts ({KEY}, count)"
ON_CONFLICT = f"ON CONFLICT ({KEY}) DO UPDATE SET count = live_counts.count + excluded.count"


def _images(table: str, row: str) -> list[tuple[str, str, str, str | None]]:
    """(column_name, value, is_null, column) SQL of each count one row of ``table`` is in, its
    columns read as ``row.<column>``; ``column`` is None for the count of rows."""
    images: list[tuple[str, str, str, str | None]] = [(f"'{ROWS}'", "''", "false", None)]
    for column in COUNTED[table]:
        ref = f"{row}.{column}"
        if (table, column) in BOOLEANS:
            value = f"CASE WHEN {ref} THEN 'true' WHEN NOT {ref} THEN 'false' ELSE '' END"
        else:
            value = f"coalesce({ref}, '')"
        images.append((f"'{column}'", value, f"{ref} IS NULL", column))
    return images


def _upsert(table: str, row: str, delta: int, when: Callable[[str | None], str] | None = None) -> list[str]:
    """SELECTs of ``delta`` for each count of ``row`` (SQLite's OLD or NEW), each ``WHERE
    when(column)`` when given (a WHERE clause all the same: SQLite's upsert needs one after a SELECT)."""
    return [
        f"SELECT '{table}', {name}, {value}, {is_null}, {delta} WHERE {'true' if when is None else when(column)}"
        for name, value, is_null, column in _images(table, row)
    ]


def _sqlite_triggers(table: str) -> dict[str, str]:
    """Trigger name → CREATE TRIGGER: per row; an UPDATE touches only the counts that change."""

    def trigger(event: str, condition: str, selects: list[str]) -> str:
        upsert = f"{UPSERT_INTO} {' UNION ALL '.join(selects)} {ON_CONFLICT}"
        return f"CREATE TRIGGER live_counts_{table}_{event.lower()} AFTER {event} {condition} BEGIN {upsert}; END"

    def changed(live: str, gone: str) -> Callable[[str | None], str]:
        # counted on this side when the row is live here and, on the other side, gone or of another value
        return lambda c: f"{live} AND ({gone}{'' if c is None else f' OR OLD.{c} IS NOT NEW.{c}'})"

    old_live, new_live = "OLD.deleted_at IS NULL", "NEW.deleted_at IS NULL"
    old_gone, new_gone = "OLD.deleted_at IS NOT NULL", "NEW.deleted_at IS NOT NULL"
    columns = ", ".join(("deleted_at", *COUNTED[table]))
    triggers = {
        "INSERT": trigger("INSERT", f"ON {table} WHEN {new_live}", _upsert(table, "NEW", 1)),
        "DELETE": trigger("DELETE", f"ON {table} WHEN {old_live}", _upsert(table, "OLD", -1)),
        "UPDATE": trigger(
            "UPDATE",
            f"OF {columns} ON {table}",
            _upsert(table, "OLD", -1, changed(old_live, new_gone))
            + _upsert(table, "NEW", 1, changed(new_live, old_gone)),
        ),
    }
    return {f"live_counts_{table}_{event.lower()}": sql for event, sql in triggers.items()}


def _postgresql_deltas(table: str, sides: list[tuple[str, int]]) -> str:
    """The upsert of the summed deltas of the transition tables ``sides`` ((name, +1 or -1))."""
    parts = []
    for side, delta in sides:
        images = ", ".join(f"({name}, {value}, {is_null})" for name, value, is_null, _ in _images(table, "r"))
        parts.append(
            f"SELECT v.column_name, v.value, v.is_null, {delta} AS delta FROM {side} AS r "
            f"CROSS JOIN LATERAL (VALUES {images}) AS v (column_name, value, is_null) "
            "WHERE r.deleted_at IS NULL"
        )
    return (
        f"{UPSERT_INTO} SELECT '{table}', d.column_name, d.value, d.is_null, sum(d.delta) "
        f"FROM ({' UNION ALL '.join(parts)}) AS d GROUP BY d.column_name, d.value, d.is_null "
        f"HAVING sum(d.delta) <> 0 ORDER BY d.column_name, d.value, d.is_null {ON_CONFLICT}"
    )


def _postgresql_function(table: str) -> str:
    """One function per table: the statement's deltas, by the operation that fired it."""
    return (
        f"CREATE FUNCTION live_counts_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_postgresql_deltas(table, [('new_rows', 1)])}; "
        f"ELSIF TG_OP = 'DELETE' THEN {_postgresql_deltas(table, [('old_rows', -1)])}; "
        f"ELSIF TG_OP = 'UPDATE' THEN {_postgresql_deltas(table, [('old_rows', -1), ('new_rows', 1)])}; "
        f"ELSE DELETE FROM live_counts WHERE table_name = '{table}'; "  # TRUNCATE
        "END IF; RETURN NULL; END $$"
    )


# PostgreSQL: event → its transition tables (TRUNCATE has none)
POSTGRESQL_EVENTS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "truncate": "",
}


def _backfill(table: str) -> str:
    """The counts of ``table``'s rows as they are: its live rows, and per value of each column."""
    selects = [f"SELECT '{table}', '{ROWS}', '', false, count(*) FROM {table} WHERE deleted_at IS NULL"]
    for name, value, is_null, column in _images(table, table)[1:]:
        selects.append(
            f"SELECT '{table}', {name}, {value}, {is_null}, count(*) FROM {table} "
            f"WHERE deleted_at IS NULL GROUP BY {table}.{column}"
        )
    return f"INSERT INTO live_counts ({KEY}, count) {' UNION ALL '.join(selects)}"


def upgrade() -> None:
    op.create_table(
        "live_counts",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("column_name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=160), nullable=False),
        sa.Column("is_null", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "column_name", "value", "is_null", name=op.f("pk_live_counts")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    # the order of a facet's values, so that its first values are read in order, not sorted
    value_order = 'value COLLATE "C"' if postgresql else "value"
    op.execute(
        f"CREATE INDEX {ORDER_INDEX} ON live_counts (table_name, column_name, count DESC, is_null, {value_order})"
    )
    for table in COUNTED:
        if postgresql:
            op.execute(_postgresql_function(table))
            for event, transitions in POSTGRESQL_EVENTS.items():
                op.execute(
                    f"CREATE TRIGGER live_counts_{table}_{event} AFTER {event.upper()} ON {table} "
                    f"{transitions} FOR EACH STATEMENT EXECUTE FUNCTION live_counts_{table}()"
                )
        else:
            for trigger in _sqlite_triggers(table).values():
                op.execute(trigger)
        op.execute(_backfill(table))


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in COUNTED:
        if postgresql:
            for event in POSTGRESQL_EVENTS:
                op.execute(f"DROP TRIGGER live_counts_{table}_{event} ON {table}")
            op.execute(f"DROP FUNCTION live_counts_{table}()")
        else:
            for name in _sqlite_triggers(table):
                op.execute(f"DROP TRIGGER {name}")
    op.execute(f"DROP INDEX {ORDER_INDEX}")
    op.drop_table("live_counts")
