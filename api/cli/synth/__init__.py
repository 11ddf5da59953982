"""Synthetic data at scale: ``flask synth --articles N`` fills a database with fake French news.

The data goes through the real schema (the Alembic migrations are run first) and keeps every
invariant of the curated dataset, so the API serves it like real data: benchmarks and load
tests get realistic volumes without anyone curating 100,000 articles.

The parts, in the order the data flows:

- :mod:`.vocabulary`: the words and name pieces, as word lists;
- :mod:`.world`: the fictional entities (names in two spellings) and the dated events;
- :mod:`.prose`: sentences drawn from the vocabulary, written into a body with their offsets;
- :mod:`.rows`: the table rows of entities, events, articles and everything in an article;
- :mod:`.generator`: every row of a dataset from one random stream, articles chunk by chunk;
- :mod:`.loading`: bulk writes into a migrated database, in one transaction;
- :mod:`.command`: the ``flask synth`` command.

This package itself only names what the parts and their users share, so registering the
command costs the app nothing at start-up.

Shape of the data for ``--articles N`` (N >= 50):

- **entities** (``N // 10``): fictional people (most of them), places, countries,
  organisations, news outlets, weapon systems and military exercises, with ids such as
  ``synth-person-000123``. Each has 2-4 aliases: the French spelling (in the texts), the
  English spelling, and for people the surname alone (``Sergueï Tchourenko``, ``Sergei
  Churenko``, ``Tchourenko``, ``Churenko``); ``normalized`` is ``api.text.fold(alias)``, the
  canonical ``name`` is the English spelling.
- **articles** (N, ids ``a-synth-000001``…): French-like bodies of about 1,700 characters,
  published between 2015 and 2025 (mostly day precision, some month or year), made of
  sentences drawn from word lists with a Zipf-like frequency (nouns, adjectives and verbs; a
  few hundred words). The title is the first sentence; no lead.
- **statements** (``10 * N``, ten per article): a quotation ``« … »`` (direct) or reported
  speech (``X a estimé que …``, ``Selon X, …``) in the article body, with
  ``statement.text == body[start:end]``; ids from :func:`api.ids.statement_id`. Each names
  one entity it is about (mentioned inside the quotation), sometimes a second one; a few are
  linked to an event their article reports.
- **mentions**: every speaker, every entity named in a statement, an event sentence or
  another sentence, at its exact offsets (ids from :func:`api.ids.mention_id`).
- **events** (``N // 5``, ids ``synth-event-000123``): a type, a fuzzy date (day, month or
  year precision, interval from :func:`api.fuzzy_dates.interval`), 2-3 participants, a place
  most of the time, and one or two evidence spans: the sentence of an article that reports it.
- **search index**: ``search_documents`` holds exactly what
  :func:`api.writes.search_index.sync_search_index` would write (articles and statements are built in
  bulk the same way, entities and events by calling it); SQLite's FTS5 table and PostgreSQL's
  tsvector follow by themselves.
- **dataset_state** (row 1) gets a version bump and a digest naming the parameters.

Statuses are ``verified``. No revision is recorded for synthetic items: the history table
would double the volume for nothing a benchmark needs, so ``/v1/changes`` stays empty.

Everything derives from ``--seed`` (one ``random.Random``), timestamps included
(:data:`.rows.CREATED_AT`): the same N and seed always give the same rows.

Search terms with a known frequency, for benchmarks (:data:`SEARCH_TERMS`):

- ``common`` — ``sécurité``, the most frequent noun: in 97% of the articles and 23% of the
  statements (and in the names of the "Conseil de sécurité" organisations);
- ``medium`` — ``manœuvre``, the least frequent noun: in 4.3% of the articles and 0.3% of the
  statements;
- ``rare`` — ``hydrographie``, one of the RARE_NOUNS: in one article out of about 5,000 and in
  no statement (24 articles for N = 100,000; usually none below a few thousand articles).

Measured for N = 100,000 and the default seed. No other word of the vocabulary shares their stems.

Loading: one transaction, 1,000 articles generated at a time (memory stays flat). SQLite: Core
bulk inserts of 10,000 rows, ``synchronous=OFF`` and a 256 MiB page cache for the loading
connection only, a WAL checkpoint at the end, no ``ANALYZE`` (the app never runs it, so the
file plans queries as a database the app grew itself would). PostgreSQL: ``COPY`` through
psycopg, no statement timeout for the load, ``ANALYZE`` at the end (what autovacuum would soon
do). Foreign keys stay checked.

Reruns: a database that already holds this very dataset (same N and seed) is left as it is;
one with other synthetic data is refused (build into a new file or database instead); one
with non-synthetic data (ids without the ``synth`` prefixes) is refused unless ``--force``,
which adds the synthetic data beside it.
"""

from __future__ import annotations

# ids of synthetic items start with these; any other id is data the generator did not make
ARTICLE_PREFIX = "a-synth-"
ENTITY_PREFIX = "synth-"
EVENT_PREFIX = "synth-event-"
DEFAULT_SEED = 20260101
MIN_ARTICLES = 50

SEARCH_TERMS = {"rare": "hydrographie", "medium": "manœuvre", "common": "sécurité"}
