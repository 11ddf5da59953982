"""make bench: Veille against Datasette and a bare WSGI floor on the same SQLite file, and on PostgreSQL.

1. Data: ``flask synth --articles N`` (N = BENCH_SCALE) into var/bench/synth-N.sqlite3, reused when
   present (a marker file records what built it); the same data into a PostgreSQL database.
2. Servers on 127.0.0.1, free ports, logs in var/bench/: Veille under gunicorn (gunicorn.conf.py,
   every production feature on, the anonymous rate limit raised), the floor (bench/floor.py) under
   the same gunicorn settings, Datasette (side virtualenv var/bench/datasette-venv, plain
   ``datasette serve``, one process) on the same file, and Veille on PostgreSQL. All stay up for
   the whole run; the ones not measured are idle.
3. Equivalence, once: every URL answers 200; the floor runs the same SQL statements as Veille and
   returns the same body; Datasette returns the same rows where orderings agree.
4. Load: wrk (Debian), every shape at every connection count on every system, BENCH_ROUNDS rounds,
   interleaved (the system order rotates each round), medians reported. After each run the
   harness waits until the server measured is idle (requests queued by closed connections must
   not run into the next measurement) and records where the machine's CPU went during the run:
   the server, wrk, and anything else (other work on the machine skews the numbers: reported).
5. Also: RSS of every Veille gunicorn worker after the run; ``flask seed`` of the five-article corpus.
6. The cold path, after the wrk runs: a copy of the SQLite file (and of the PostgreSQL database,
   once Veille on PostgreSQL is stopped: CREATE DATABASE ... TEMPLATE), each served by its own
   Veille server and warmed with wrk until every worker has answered every shape, takes 3 writes
   through the API (PATCH of the item shape's statement's status, with a key made by ``flask keys
   create`` in the copy). After each write (the dataset version moves: every worker's per-version
   caches go cold) the first 10 requests of every shape, one at a time, each on a NEW connection:
   a kept-alive one stays with the worker that accepted it; a new one goes to whichever worker
   accepts it, and which one did is read from /proc/PID/io (its access log line) and reported.
   The copies are deleted: the benchmark data is never written, and the next run reuses it.
7. One table, the targets (PASS/FAIL, exit status 0 either way), var/bench/results.json,
   var/bench/results.md (tables for BENCHMARKS.md), bench/results.png (matplotlib, side venv).

Environment (all optional):
  BENCH_SCALE=100000      articles (statements = 10x, entities = x/10, events = x/5)
  BENCH_SEED=1            seed of flask synth
  BENCH_DURATION=6s       one wrk run (whole seconds: 8, 8s, 1m)
  BENCH_ROUNDS=2          measurements of each (shape, connections, system)
  BENCH_CONNECTIONS=1,32  connection counts
  BENCH_WARMUP=1s         unmeasured wrk run per (shape, system) before round 1 (0 = none)
  BENCH_TIMEOUT=30s       wrk --timeout: a slower response counts as a socket error
  BENCH_SHAPES            comma-separated subset of the shapes (default: all)
  BENCH_PG_URL            PostgreSQL server and database name (default postgresql+psycopg://postgres@127.0.0.1:5432/
                          veille_bench; "off" skips PostgreSQL): the bench uses <name>_<BENCH_SCALE>, creates it,
                          reuses it when it holds the same data, drops and rebuilds it otherwise
  BENCH_REDIS_URL=redis://127.0.0.1:6379/15   where Veille counts rate limits, as in production with
                          several workers (gunicorn.conf.py runs one worker when limits are counted in
                          memory); "off" counts in memory. The database is flushed before the run.
  BENCH_DATA_FROM         an existing synth SQLite file of the same scale to copy instead of building one
  WEB_CONCURRENCY, GUNICORN_THREADS   gunicorn workers and threads, for Veille and the floor alike
  BENCH_BASELINE          a git revision (main~3, a tag, a commit): that version of Veille runs beside this one
                          as the system "baseline" (same data, same gunicorn settings, same venv), its bodies
                          checked equal to Veille's; the table shows Veille/baseline (a change measured in one run)

    .venv/bin/python bench/bench.py            (= make bench)
    .venv/bin/python bench/bench.py --prepare  (only build or check the data)
    .venv/bin/python bench/bench.py --check    (... then start the servers and run the equivalence checks)
    var/bench/datasette-venv/bin/python bench/bench.py --plot var/bench/results.json bench/results.png
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = ROOT / "var" / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
SIDE_VENV = OUT / "datasette-venv"
SIDE_REQUIREMENTS = BENCH / "requirements-datasette.txt"
PLOT = BENCH / "results.png"
RATE_LIMIT = "100000000/minute"
REDIS_DEFAULT = "redis://127.0.0.1:6379/15"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/veille_bench"
DEEP_POSITION = 500_000
SYSTEMS = ("veille", "datasette", "floor", "flask")
# the bare-Flask reference (bench/bareflask.py) runs these shapes only, to keep the run short
FLASK_SHAPES = ("list", "item")
PG_SYSTEM = "veille-pg"
# Veille's req/s over Datasette's that make bench asks of each shape
DATASETTE_BARS = {
    "list": 5,
    "filter": 5,
    "deep": 5,
    "item": 3,
    "search-rare": 2,
    "search-medium": 1.5,
    "search-common": 1.2,
    "facet": 1,
}
BASELINE_SYSTEM = "baseline"  # BENCH_BASELINE: an earlier revision of Veille, beside this one
PG_SHAPES = ("list", "filter", "item", "search-common")
# used only when api.cli.synth is missing: words of the five seed articles
FALLBACK_TERMS = {"rare": "Oreshnik", "medium": "Biélorussie", "common": "nucléaire"}
DATASETTE_SETTINGS = {
    "suggest_facets": "off",
    "allow_facet": "off",
    "default_facet_size": "50",
    "sql_time_limit_ms": "30000",
    "facet_time_limit_ms": "30000",
}
STARTUP_SECONDS = 60


class HarnessError(Exception):
    """The harness itself failed (not a target): exit status 2."""


def log(message: str) -> None:
    print(f"bench: {message}", flush=True)


def seconds_of(name: str, raw: str) -> int:
    match = re.fullmatch(r"(\d+)([smh]?)", raw.strip())
    if not match:
        raise HarnessError(f"{name} must be whole seconds, minutes or hours (8, 8s, 2m), got {raw!r}")
    return int(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


@dataclass
class Config:
    scale: int
    seed: int
    duration: int
    rounds: int
    connections: list[int]
    warmup: int
    timeout: int
    shapes: list[str] | None
    pg_url: str | None
    data_from: str | None
    baseline: str | None
    redis_url: str | None

    @classmethod
    def from_env(cls) -> Config:
        env = os.environ
        pg = env.get("BENCH_PG_URL", PG_DEFAULT).strip()
        shapes = [s.strip() for s in env.get("BENCH_SHAPES", "").split(",") if s.strip()]
        try:
            config = cls(
                scale=int(env.get("BENCH_SCALE", "100000")),
                seed=int(env.get("BENCH_SEED", "1")),
                duration=seconds_of("BENCH_DURATION", env.get("BENCH_DURATION", "6s")),
                rounds=int(env.get("BENCH_ROUNDS", "2")),
                connections=[int(c) for c in env.get("BENCH_CONNECTIONS", "1,32").split(",")],
                warmup=seconds_of("BENCH_WARMUP", env.get("BENCH_WARMUP", "1s") or "0"),
                timeout=seconds_of("BENCH_TIMEOUT", env.get("BENCH_TIMEOUT", "30s")),
                shapes=shapes or None,
                pg_url=None if pg.lower() in ("", "off", "0", "no") else pg,
                data_from=env.get("BENCH_DATA_FROM") or None,
                baseline=env.get("BENCH_BASELINE") or None,
                redis_url=None
                if env.get("BENCH_REDIS_URL", REDIS_DEFAULT).strip().lower() in ("", "off", "0", "no")
                else env.get("BENCH_REDIS_URL", REDIS_DEFAULT).strip(),
            )
        except ValueError as exc:
            raise HarnessError(f"bad setting: {exc}") from None
        if config.scale < 1 or config.rounds < 1 or config.duration < 1 or min(config.connections) < 1:
            raise HarnessError(
                "BENCH_SCALE, BENCH_ROUNDS, BENCH_DURATION and BENCH_CONNECTIONS must be positive"
            )
        return config


# --- tools: wrk, the side virtualenv ---


def run(
    cmd: list[str], *, env: dict[str, str] | None = None, log_to: Path | None = None, timeout: float = 600
):
    """Run a command to completion; its output goes to ``log_to`` (appended) or is captured."""
    if log_to:
        with log_to.open("a") as out:
            out.write(f"\n$ {' '.join(cmd)}\n")
            out.flush()
            result = subprocess.run(
                cmd, check=False, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, cwd=ROOT
            )
    else:
        result = subprocess.run(
            cmd, check=False, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
        )
    return result


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise HarnessError("wrk is missing: apt-get install wrk (or run as root)")
    log("installing wrk from Debian")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        if run(cmd, env=env, timeout=600).returncode != 0:
            raise HarnessError(f"{' '.join(cmd)} failed")
    return shutil.which("wrk") or "wrk"


def ensure_side_venv() -> Path:
    """var/bench/datasette-venv with bench/requirements-datasette.txt, rebuilt when that file changes."""
    digest = hashlib.sha256(SIDE_REQUIREMENTS.read_bytes()).hexdigest()[:16]
    stamp = SIDE_VENV / f".installed-{digest}"
    python = SIDE_VENV / "bin" / "python"
    if stamp.exists() and python.exists():
        return SIDE_VENV
    log(f"installing Datasette and matplotlib into {SIDE_VENV.relative_to(ROOT)} ({SIDE_REQUIREMENTS.name})")
    shutil.rmtree(SIDE_VENV, ignore_errors=True)
    base = shutil.which("python3.11") or sys.executable
    steps = [
        [base, "-m", "venv", str(SIDE_VENV)],
        [str(python), "-m", "pip", "install", "-q", "-r", str(SIDE_REQUIREMENTS)],
    ]
    for cmd in steps:
        result = run(cmd, log_to=OUT / "datasette-venv.log", timeout=900)
        if result.returncode != 0:
            raise HarnessError(f"{' '.join(cmd)} failed: see var/bench/datasette-venv.log")
    stamp.touch()
    return SIDE_VENV


# --- data ---


def flask_env(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "api", **extra}


def flask(args: list[str], database_url: str, log_to: Path, timeout: float) -> None:
    result = run(
        [str(VENV_BIN / "flask"), "--app", "api", *args],
        env=flask_env(database_url),
        log_to=log_to,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise HarnessError(f"flask {' '.join(args)} failed (exit {result.returncode}): see {log_to}")


SYNTH = ROOT / "api" / "cli" / "synth"  # the generator's package


def synth_available() -> bool:
    return SYNTH.is_dir()


def search_terms() -> dict[str, str]:
    if synth_available():
        sys.path.insert(0, str(ROOT))
        from api.cli import synth  # noqa: PLC0415  (the project's venv only)

        return dict(synth.SEARCH_TERMS)
    return dict(FALLBACK_TERMS)


def build(database_url: str, config: Config, log_to: Path) -> str:
    """Migrate and fill ``database_url``: flask synth, or the seeds when flask synth does not exist."""
    flask(["migrate"], database_url, log_to, timeout=600)
    if synth_available():
        flask(
            ["synth", "--articles", str(config.scale), "--seed", str(config.seed)],
            database_url,
            log_to,
            timeout=3600,
        )
        return f"flask synth --articles {config.scale} --seed {config.seed}"
    log("flask synth does not exist: benchmarking the five-article seed corpus instead")
    flask(["seed"], database_url, log_to, timeout=600)
    return "flask seed (no flask synth yet)"


def generator() -> str:
    """What makes the data: a digest of api/cli/synth/ (a changed generator means other data)."""
    if not synth_available():
        return "seeds"
    digest = hashlib.sha256()
    for path in sorted(SYNTH.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return "synth-" + digest.hexdigest()[:16]


def sqlite_counts(path: Path) -> dict[str, int]:
    import sqlite3  # noqa: PLC0415

    with contextlib.closing(sqlite3.connect(path)) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t} WHERE deleted_at IS NULL").fetchone()[0]
            for t in ("articles", "statements", "entities", "events")
        }


def expected_articles(config: Config) -> int | None:
    return config.scale if synth_available() else None


def ensure_sqlite(config: Config) -> tuple[Path, dict[str, Any]]:
    import sqlite3  # noqa: PLC0415

    name = f"synth-{config.scale}" if synth_available() else "seeds"
    path = OUT / f"{name}.sqlite3"
    marker = OUT / f"{name}.json"
    url = f"sqlite:///{path}"
    log_to = OUT / f"{name}-build.log"
    if path.exists() and marker.exists():
        info = json.loads(marker.read_text())
        try:
            flask(["migrate"], url, log_to, timeout=1800)  # a newer migration applies to the cached file
            counts = sqlite_counts(path)
        except (HarnessError, sqlite3.Error) as exc:
            log(f"cached {path.name} unusable ({exc}): rebuilding")
        else:
            if (
                info.get("seed") == config.seed
                and info.get("generator") in (generator(), "copy")
                and counts["articles"] == (expected_articles(config) or counts["articles"])
            ):
                log(
                    f"reusing {path.relative_to(ROOT)} ({counts['statements']:,} statements, built by {info['built_by']})"
                )
                return path, {**info, "counts": counts, "reused": True}
            log(f"cached {path.name} does not hold the expected data: rebuilding")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.monotonic()
    building = OUT / f"{name}.building.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    if config.data_from:
        log(f"copying {config.data_from} (BENCH_DATA_FROM) to {path.relative_to(ROOT)}")
        with (
            contextlib.closing(sqlite3.connect(config.data_from)) as src,
            contextlib.closing(sqlite3.connect(building)) as dst,
        ):
            src.backup(dst)
        flask(["migrate"], f"sqlite:///{building}", log_to, timeout=1800)
        built_by = f"copy of {config.data_from}"
        made_by = "copy"
    else:
        log(f"building {path.relative_to(ROOT)} (log: {log_to.relative_to(ROOT)})")
        built_by = build(f"sqlite:///{building}", config, log_to)
        made_by = generator()
    with contextlib.closing(sqlite3.connect(building)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    building.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    counts = sqlite_counts(path)
    if expected_articles(config) not in (None, counts["articles"]):
        raise HarnessError(f"{path.name} holds {counts['articles']} articles, not {config.scale}")
    seconds = time.monotonic() - started
    info = {
        "scale": config.scale,
        "seed": config.seed,
        "generator": made_by,
        "built_by": built_by,
        "build_seconds": round(seconds, 1),
    }
    marker.write_text(json.dumps(info, indent=2))
    log(f"built {path.name} in {seconds:.0f} s: {counts}")
    return path, {**info, "counts": counts, "reused": False}


def pg_conninfo(url: str, database: str | None = None) -> str:
    parts = urllib.parse.urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    if database is not None:
        parts = parts._replace(path=f"/{database}")
    return urllib.parse.urlunsplit(parts)


def pg_url_for(config: Config) -> str:
    """BENCH_PG_URL with the scale appended to the database name: veille_bench_100000."""
    assert config.pg_url
    parts = urllib.parse.urlsplit(config.pg_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{config.scale}"))


def ensure_pg(config: Config) -> dict[str, Any]:
    """The PostgreSQL database of this scale (one per scale, kept for the next run)."""
    import psycopg  # noqa: PLC0415  (a project dependency)

    url = pg_url_for(config)
    database = urllib.parse.urlsplit(url).path.lstrip("/")
    marker = OUT / f"pg-{database}.json"
    log_to = OUT / f"pg-{database}-build.log"
    with psycopg.connect(pg_conninfo(url, "postgres"), autocommit=True, connect_timeout=5) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if exists and marker.exists():
            info = json.loads(marker.read_text())
            try:
                flask(["migrate"], url, log_to, timeout=1800)
                with psycopg.connect(pg_conninfo(url), connect_timeout=5) as conn:
                    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            except (HarnessError, psycopg.Error) as exc:
                log(f"PostgreSQL {database} unusable ({exc}): rebuilding")
            else:
                wanted = expected_articles(config)
                if (
                    info.get("seed") == config.seed
                    and info.get("scale") == config.scale
                    and info.get("generator") == generator()
                    and articles == (wanted or articles)
                ):
                    log(f"reusing PostgreSQL database {database} ({articles:,} articles)")
                    return {**info, "url": url, "reused": True}
        if exists:
            log(f"dropping PostgreSQL database {database} (other data)")
            admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        marker.unlink(missing_ok=True)
        admin.execute(f'CREATE DATABASE "{database}"')
    log(f"building PostgreSQL database {database} (log: {log_to.relative_to(ROOT)})")
    started = time.monotonic()
    built_by = build(url, config, log_to)
    with psycopg.connect(pg_conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    seconds = time.monotonic() - started
    info = {
        "url": url,
        "scale": config.scale,
        "seed": config.seed,
        "generator": generator(),
        "built_by": built_by,
        "build_seconds": round(seconds, 1),
    }
    marker.write_text(json.dumps(info, indent=2))
    log(f"built PostgreSQL database {database} in {seconds:.0f} s")
    return {**info, "reused": False}


def time_seed(repeats: int = 3) -> dict[str, Any]:
    """Wall time of ``flask seed`` (the whole command) on a freshly migrated SQLite file, median of runs.

    The data build has just written gigabytes: ``os.sync()`` first, or the seed's own commits
    wait behind that write-back (measured: 3.3 s instead of 1.5 s right after a build)."""
    os.sync()
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="veille-bench-seed-") as tmp:
            url = f"sqlite:///{tmp}/seed.sqlite3"
            flask(["migrate"], url, OUT / "seed-timing.log", timeout=300)
            started = time.monotonic()
            flask(["seed"], url, OUT / "seed-timing.log", timeout=300)
            times.append(time.monotonic() - started)
    return {"seconds": round(statistics.median(times), 3), "runs": [round(t, 3) for t in times]}


# --- what to request ---


@dataclass
class Shape:
    name: str
    title: str
    paths: dict[str, str]  # system -> path (and query)
    note: str = ""


@dataclass
class Plan:
    shapes: list[Shape]
    facts: dict[str, Any] = field(default_factory=dict)


def q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def plan_requests(path: Path, config: Config) -> Plan:
    """The URLs of every shape on every system, from the data itself (one pass of SQL)."""
    import sqlite3  # noqa: PLC0415

    sys.path.insert(0, str(ROOT))
    from api.queries.paging import encode_cursor  # noqa: PLC0415  (the project's own cursor encoder)
    from api.queries.search import SEARCH_WINDOW  # noqa: PLC0415
    from api.search_text import terms  # noqa: PLC0415

    db = path.stem  # Datasette names a database after its file
    with contextlib.closing(sqlite3.connect(path)) as conn:
        total = conn.execute("SELECT count(*) FROM statements WHERE deleted_at IS NULL").fetchone()[0]
        speaker, speaker_count = conn.execute(
            "SELECT speaker_id, count(*) FROM statements WHERE deleted_at IS NULL "
            "GROUP BY speaker_id ORDER BY 2 DESC, 1 LIMIT 1"
        ).fetchone()
        item_id = conn.execute(
            "SELECT id FROM statements WHERE deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET ?", (total // 2,)
        ).fetchone()[0]
        position = min(DEEP_POSITION, total // 2)
        undated, day, last_id = conn.execute(
            "SELECT CASE WHEN said_on_start IS NULL THEN 1 ELSE 0 END, coalesce(said_on_start, '9999-12-31'), id "
            "FROM statements WHERE deleted_at IS NULL ORDER BY 1, 2, 3 LIMIT 1 OFFSET ?",
            (position - 1,),
        ).fetchone()
        deep_first = conn.execute(
            "SELECT id FROM statements WHERE deleted_at IS NULL ORDER BY "
            "CASE WHEN said_on_start IS NULL THEN 1 ELSE 0 END, coalesce(said_on_start, '9999-12-31'), id "
            "LIMIT 1 OFFSET ?",
            (position,),
        ).fetchone()
        next_token = conn.execute(
            "SELECT id FROM statements ORDER BY id LIMIT 1 OFFSET ?", (position - 1,)
        ).fetchone()[0]
        cursor = encode_cursor("said_on", [undated, date.fromisoformat(day), last_id])
        words = search_terms()
        hits = {}
        for level, word in words.items():
            match = " AND ".join(f'"{s}"' for s in terms(word))
            hits[level] = conn.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,)
            ).fetchone()[0]
    table = f"/{q(db)}/statements.json"
    shapes = [
        Shape(
            "list",
            "list 50 statements",
            {"veille": "/v1/statements", "datasette": f"{table}?_size=50&_nocount=1"},
        ),
        Shape(
            "filter",
            f"statements of one speaker ({speaker_count:,} of them)",
            {
                "veille": f"/v1/statements?speaker={q(speaker)}",
                "datasette": f"{table}?speaker_id={q(speaker)}&_size=50&_nocount=1",
            },
        ),
        Shape(
            "item",
            "one statement by id",
            {"veille": f"/v1/statements/{q(item_id)}", "datasette": f"/{q(db)}/statements/{q(item_id)}.json"},
        ),
        Shape(
            "deep",
            f"the page after position {position:,}",
            {
                "veille": f"/v1/statements?cursor={cursor}",
                "datasette": f"{table}?_next={q(next_token)}&_size=50&_nocount=1",
            },
            note="Veille: a cursor built with api.queries.paging's encoder from the sort keys of row "
            f"{position:,} (said_on order); Datasette: _next= the id of row {position:,} in primary-key order",
        ),
    ]
    for level, word in words.items():
        stems = terms(word)
        match = " AND ".join(f'"{s}"' for s in stems)
        sql = (
            "select search_documents.id, search_documents.doc_type, search_documents.item_id, "
            "search_documents.content from search_documents join search_fts "
            "on search_fts.rowid = search_documents.id where search_fts match :q "
            # Veille's ranking window (api.queries.search.SEARCH_WINDOW): the newest matches
            "and search_fts.rowid >= coalesce((select rowid from search_fts where search_fts match :q "
            f"order by rowid desc limit 1 offset {SEARCH_WINDOW - 1}), 0) "
            "order by bm25(search_fts), search_documents.doc_type, search_documents.item_id limit 50"
        )
        shapes.append(
            Shape(
                f"search-{level}",
                f"search a {level} word: {word!r} ({hits[level]:,} documents)",
                {
                    "veille": f"/v1/search?q={q(word)}",
                    "datasette": f"/{q(db)}.json?sql={q(sql)}&q={q(match)}",
                },
            )
        )
    facet_sql = (
        "select speaker_id, count(*) as n from statements where deleted_at is null "
        "group by speaker_id order by n desc, speaker_id limit 50"
    )
    shapes.append(
        Shape(
            "facet",
            "statement counts by speaker (facet)",
            {
                "veille": "/v1/statements?facets=speaker&limit=1",
                "datasette": f"/{q(db)}.json?sql={q(facet_sql)}",
            },
        )
    )
    for shape in shapes:
        shape.paths["floor"] = shape.paths["veille"]
        if shape.name in FLASK_SHAPES:
            shape.paths["flask"] = shape.paths["veille"]
        if shape.name in PG_SHAPES:
            shape.paths[PG_SYSTEM] = shape.paths["veille"]
        if config.baseline:
            shape.paths[BASELINE_SYSTEM] = shape.paths["veille"]
    if config.shapes:
        unknown = set(config.shapes) - {s.name for s in shapes}
        if unknown:
            raise HarnessError(f"BENCH_SHAPES: unknown shapes {sorted(unknown)}")
        shapes = [s for s in shapes if s.name in config.shapes]
    facts = {
        "statements": total,
        "speaker": speaker,
        "speaker_statements": speaker_count,
        "item": item_id,
        "deep_position": position,
        "deep_first_id": deep_first[0] if deep_first else None,
        "search_terms": words,
        "search_hits": hits,
        "datasette_db": db,
    }
    return Plan(shapes, facts)


# --- servers ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    cmd: list[str]
    env: dict[str, str]
    ready_path: str
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    cwd: Path = ROOT

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        cmd = [c.replace("{port}", str(self.port)) for c in self.cmd]
        self.log_path = OUT / f"{self.name}.log"
        out = self.log_path.open("w")
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        self.process = subprocess.Popen(
            cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=self.cwd, start_new_session=True
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if self.process.poll() is not None:
                raise HarnessError(f"{self.name} exited during startup: {self.tail()}")
            try:
                urllib.request.urlopen(self.base + self.ready_path, timeout=2).close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if time.monotonic() > deadline:
                    raise HarnessError(
                        f"{self.name} did not answer within {STARTUP_SECONDS} s: {self.tail()}"
                    ) from None
                time.sleep(0.2)
        log(f"{self.name} (pid {self.process.pid}) answers on {self.base}")

    def tail(self, lines: int = 20) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n" + "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.process
        self.process.terminate()  # gunicorn: graceful stop
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def _tree(self) -> list[dict[str, str]]:
        """/proc status fields of this process and of its direct children (gunicorn workers)."""
        assert self.process
        found = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            fields["pid"] = status.parent.name
            if fields["pid"] == str(self.process.pid) or fields.get("PPid", "").strip() == str(
                self.process.pid
            ):
                found.append(fields)
        return found

    def cpu_ticks(self) -> int:
        total = 0
        for fields in self._tree():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{fields['pid']}/stat").read_text()
                after_name = stat.rsplit(")", 1)[1].split()
                total += int(after_name[11]) + int(after_name[12])  # utime, stime
        return total

    def wait_idle(self, limit: float = 60) -> float:
        """Wait until the server burns (almost) no CPU: requests a closed connection left queued
        must not run into the next measurement. Returns the seconds waited."""
        started = time.monotonic()
        ticks_per_second = os.sysconf("SC_CLK_TCK")
        before = self.cpu_ticks()
        while time.monotonic() - started < limit:
            time.sleep(0.25)
            now = self.cpu_ticks()
            if (now - before) / ticks_per_second < 0.025:  # under 10% of a core over 0.25 s
                break
            before = now
        return time.monotonic() - started

    def _workers(self) -> list[dict[str, str]]:
        """/proc status fields of the direct children of this process (gunicorn workers)."""
        assert self.process
        return [f for f in self._tree() if f["pid"] != str(self.process.pid)]

    def worker_pids(self) -> list[str]:
        return sorted((f["pid"] for f in self._workers()), key=int)

    def worker_rss_mb(self) -> list[float]:
        """VmRSS of the direct children of this process (gunicorn workers), in MB."""
        if not self.alive():
            return []
        return sorted(int(f["VmRSS"].split()[0]) / 1024 for f in self._workers() if "VmRSS" in f)


def flush_redis(url: str) -> None:
    """An empty database for the run's rate-limit counters (a leftover window must not count)."""
    import redis  # noqa: PLC0415  (limits' Redis storage, in the project's venv)

    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as exc:
        raise HarnessError(f"BENCH_REDIS_URL {url}: {exc} (BENCH_REDIS_URL=off counts in memory)") from None
    log(f"rate limits counted in {url} (flushed)")


def gunicorn_settings(redis_url: str | None) -> dict[str, Any]:
    """The workers gunicorn.conf.py gives Veille under this run's environment."""
    import runpy  # noqa: PLC0415

    saved = os.environ.get("RATELIMIT_STORAGE_URI")
    if redis_url:
        os.environ["RATELIMIT_STORAGE_URI"] = redis_url
    try:
        conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        if saved is None:
            os.environ.pop("RATELIMIT_STORAGE_URI", None)
        else:
            os.environ["RATELIMIT_STORAGE_URI"] = saved
    if conf.get("OWN_METRICS_DIR"):
        shutil.rmtree(conf["OWN_METRICS_DIR"], ignore_errors=True)
    return {
        "workers": conf.get("workers"),
        "threads": conf.get("threads"),
        "worker_class": conf.get("worker_class"),
    }


def veille_server(name: str, database_url: str, root: Path = ROOT, redis_url: str | None = None) -> Server:
    """Veille under its gunicorn.conf.py; ``root``: the checkout to serve (the baseline's own tree)."""
    metrics = OUT / f"metrics-{name}"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    env = flask_env(
        database_url, VEILLE_RATE_LIMIT_ANONYMOUS=RATE_LIMIT, PROMETHEUS_MULTIPROC_DIR=str(metrics)
    )
    if redis_url:  # shared counts: gunicorn.conf.py then runs its several workers
        env["RATELIMIT_STORAGE_URI"] = redis_url
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "--config",
        "gunicorn.conf.py",
        "--bind",
        "127.0.0.1:{port}",
        "api:create_app()",
    ]
    return Server(name, cmd, env, "/healthz", cwd=root)


def bare_server(name: str, module: str, path: Path, redis_url: str | None = None) -> Server:
    """A bench/ WSGI app (``module:app``) under gunicorn.conf.py, serving the SQLite file."""
    metrics = OUT / f"metrics-{name}"  # gunicorn.conf.py wants one; these apps write nothing there
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    # these apps count no limits: the same workers as Veille's (gunicorn.conf.py), not its one
    # worker of in-memory limits
    env = flask_env(f"sqlite:///{path}", PROMETHEUS_MULTIPROC_DIR=str(metrics))
    if redis_url:
        env["VEILLE_RATE_LIMIT_ENABLED"] = "false"
    cmd = [
        str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:{port}",
        "--pythonpath", str(BENCH), f"{module}:app",
    ]  # fmt: skip
    return Server(name, cmd, env, "/v1/statements/-")


def baseline_tree(revision: str) -> Path:
    """The files of ``revision`` in var/bench/baseline-<commit>/, exported once (no .git, no venv:
    it runs on this checkout's venv, and gunicorn's working directory puts its ``api`` first)."""
    found = run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"])
    if found.returncode != 0:
        raise HarnessError(f"BENCH_BASELINE: no such revision {revision!r}: {found.stderr.strip()}")
    commit = found.stdout.strip()
    tree = OUT / f"baseline-{commit[:12]}"
    if not (tree / "api").is_dir():
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    log(f"baseline: {revision} = {commit[:12]} in {tree.relative_to(ROOT)}")
    return tree


def datasette_server(path: Path) -> Server:
    settings = [a for k, v in DATASETTE_SETTINGS.items() for a in ("--setting", k, v)]
    cmd = [
        str(SIDE_VENV / "bin" / "datasette"), "serve", "--immutable", str(path),
        "--host", "127.0.0.1", "--port", "{port}", *settings,
    ]  # fmt: skip
    return Server("datasette", cmd, dict(os.environ), "/-/versions.json")


# --- equivalence ---


def fetch(base: str, path: str) -> tuple[int, dict[str, str], Any]:
    try:
        with urllib.request.urlopen(base + path, timeout=120) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()[:300]


def normalised(body: Any, base: str) -> Any:
    return json.loads(json.dumps(body).replace(base, "BASE"))


def first_difference(a: Any, b: Any, where: str = "") -> str | None:  # noqa: PLR0911
    if type(a) is not type(b):
        return f"{where or '/'}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}/{key}: only in {'Veille' if key in a else 'the floor'}"
            found = first_difference(a[key], b[key], f"{where}/{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} elements"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}/{i}")
            if found:
                return found
        return None
    return None if a == b else f"{where}: {str(a)[:60]!r} vs {str(b)[:60]!r}"


_LITERAL = re.compile(r"'(?:[^']|'')*'|(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


def sql_signature(statements: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Each statement as (text with literals replaced by ?, its literals sorted): IN-list order aside."""
    signature = []
    for raw in statements:
        text = " ".join(raw.split())
        if text.startswith(("--", "PRAGMA")) or "'main'." in text:
            continue  # connection pragmas and FTS5's own statements
        signature.append((_LITERAL.sub("?", text), tuple(sorted(_LITERAL.findall(text)))))
    return signature


class SqlCapture:
    """Runs a path through Veille (Flask test client) and through the floor (WSGI call) in this
    process, with SQLite's trace callback on both connections, and compares what they executed."""

    def __init__(self, path: Path) -> None:
        sys.path.insert(0, str(ROOT))
        sys.path.insert(0, str(BENCH))
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        from sqlalchemy import event  # noqa: PLC0415

        from api import create_app  # noqa: PLC0415

        self.statements: list[str] = []
        self.app = create_app(
            {"DATABASE_URL": f"sqlite:///{path}", "RATE_LIMIT_ANONYMOUS": RATE_LIMIT, "LOG_LEVEL": "WARNING"}
        )
        event.listen(self.app.extensions["veille.engine"], "connect", self._traced)
        self.client = self.app.test_client()
        import floor  # noqa: PLC0415

        self.floor = floor
        floor.connection().set_trace_callback(self.statements.append)

    def _traced(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(self.statements.append)

    def veille(self, path: str) -> list[str]:
        self.client.get(path)  # warm: caches (spelling variants) as under load
        self.statements.clear()
        self.client.get(path)
        return list(self.statements)

    def floor_sql(self, path: str) -> list[str]:
        parts = urllib.parse.urlsplit(path)
        environ = {
            "PATH_INFO": urllib.parse.unquote(parts.path),
            "QUERY_STRING": parts.query,
            "HTTP_HOST": "x",
        }
        self.floor.app(environ, lambda *_: None)
        self.statements.clear()
        self.floor.app(environ, lambda *_: None)
        return list(self.statements)

    def compare(self, path: str) -> tuple[bool, str]:
        ours, theirs = sql_signature(self.veille(path)), sql_signature(self.floor_sql(path))
        if ours == theirs:
            return True, f"same SQL ({len(ours)} statements)"
        if len(ours) != len(theirs):
            return False, f"SQL DIFFERS: Veille ran {len(ours)} statements, the floor {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            if a[0] != b[0]:
                at = next((j for j, (x, y) in enumerate(zip(a[0], b[0], strict=False)) if x != y), 0)
                return False, (
                    f"SQL DIFFERS at statement {i + 1}, character {at}: "
                    f"Veille ...{a[0][max(0, at - 30) : at + 90]!r} vs floor ...{b[0][max(0, at - 30) : at + 90]!r}"
                )
            if a != b:
                return False, f"SQL DIFFERS at statement {i + 1}: other values ({a[1][:6]} vs {b[1][:6]})"
        return False, "SQL DIFFERS"


def hit_keys(body: Any) -> list[tuple[str, str]]:
    return [(h["type"], h["id"]) for h in body.get("data", [])]


def check_equivalence(
    plan: Plan, servers: dict[str, Server], capture: SqlCapture | None
) -> list[dict[str, Any]]:
    """Every URL answers 200; the floor returns Veille's body and runs its SQL; Datasette the same rows."""
    checks, failures = [], []
    for shape in plan.shapes:
        answers, broken = {}, False
        for system, path in shape.paths.items():
            if system not in servers:
                continue
            status, headers, body = fetch(servers[system].base, path)
            if status != 200:
                failures.append(f"{shape.name} on {system}: HTTP {status} for {path}: {body!r}")
                broken = True
                continue
            answers[system] = (headers, normalised(body, servers[system].base))
        if broken:
            continue
        veille_headers, veille = answers["veille"]
        if not veille_headers.get("X-RateLimit-Limit"):
            failures.append(f"{shape.name}: Veille sent no X-RateLimit-Limit: is rate limiting off?")
        check: dict[str, Any] = {"shape": shape.name, "lines": []}
        diff = first_difference(veille, answers["floor"][1])
        check["floor_body_equal"] = diff is None
        check["lines"].append("floor body = Veille body" if diff is None else f"floor body DIFFERS at {diff}")
        if capture is not None:
            check["floor_sql_equal"], text = capture.compare(shape.paths["veille"])
            check["lines"].append(text)
        if "flask" in answers:
            same = first_difference(answers["floor"][1], answers["flask"][1]) is None
            check["lines"].append("bare Flask body = floor body" if same else "bare Flask body DIFFERS")
            if not same:
                failures.append(f"{shape.name}: bare Flask and the floor answer differently")
        if BASELINE_SYSTEM in answers:
            diff = first_difference(veille, answers[BASELINE_SYSTEM][1])
            check["lines"].append(
                "baseline body = Veille body" if diff is None else f"baseline body DIFFERS at {diff}"
            )
        check["lines"].append(datasette_agreement(shape, veille, answers["datasette"][1], plan))
        if PG_SYSTEM in answers:
            check["lines"].append(pg_agreement(shape, veille, answers[PG_SYSTEM][1]))
        checks.append(check)
        log(f"check {shape.name:14} " + "; ".join(check["lines"]))
    if failures:
        raise HarnessError("equivalence check failed:\n  " + "\n  ".join(failures))
    return checks


def datasette_agreement(shape: Shape, veille: Any, datasette: Any, plan: Plan) -> str:
    rows = datasette.get("rows", [])
    columns = datasette.get("columns", [])
    if shape.name == "item":
        same = rows and rows[0][columns.index("id")] == veille["id"]
        return "Datasette: the same statement" if same else "Datasette: A DIFFERENT ROW"
    if shape.name.startswith("search"):
        ours = hit_keys(veille)
        theirs = [(r[columns.index("doc_type")], r[columns.index("item_id")]) for r in rows]
        if ours == theirs:
            return f"Datasette: the same {len(ours)} hits in the same order"
        return f"Datasette: {len(theirs)} hits, {len(set(ours) & set(theirs))} of Veille's {len(ours)}"
    if shape.name == "facet":
        ours = [(v["value"], v["count"]) for v in veille["meta"]["facets"]["speaker"]["values"]]
        theirs = [(r[0], r[1]) for r in rows]
        same = ours == theirs
        return f"Datasette: {'the same' if same else 'DIFFERENT'} top {len(theirs)} speaker counts"
    ids = [r[columns.index("id")] for r in rows]
    data = veille["data"]
    text = f"Datasette: {len(ids)} rows (primary-key order), Veille {len(data)} (said_on order)"
    if shape.name == "deep":
        expected = plan.facts["deep_first_id"]
        text += f"; Veille starts at row {plan.facts['deep_position'] + 1:,}" + (
            ""
            if data and data[0]["id"] == expected
            else f" -- NO: {data[0]['id'] if data else None} != {expected}"
        )
        token = urllib.parse.unquote(shape.paths["datasette"].split("_next=", 1)[1].split("&", 1)[0])
        text += ", resumed after its token" if ids and min(ids) > token else ", NOT AFTER ITS TOKEN"
    if shape.name == "filter":
        speakers = {r[columns.index("speaker_id")] for r in rows}
        text += ", same speaker" if speakers == {plan.facts["speaker"]} else ", OTHER SPEAKERS"
    return text


def pg_agreement(shape: Shape, sqlite_body: Any, pg_body: Any) -> str:
    if shape.name.startswith("search"):
        ours, theirs = hit_keys(sqlite_body), hit_keys(pg_body)
        return (
            f"PostgreSQL: count {pg_body['meta']['count']} vs {sqlite_body['meta']['count']}, "
            f"{len(set(ours) & set(theirs))} of {len(ours)} hits shared (ranking differs by design)"
        )
    diff = first_difference(sqlite_body, pg_body)
    return "PostgreSQL body = SQLite body" if diff is None else f"PostgreSQL body differs at {diff}"


# --- load ---


def busy_ticks() -> int:
    """CPU time spent by the whole machine (every core, every process), in clock ticks."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values) - values[3] - values[4]  # minus idle and iowait


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured_wrk(
    server: Server, path: str, connections: int, config: Config, wrk_path: str
) -> dict[str, Any]:
    """One wrk run, with where the machine's CPU went meanwhile: the server measured, wrk, and
    anything else (other work on the machine, or PostgreSQL's own processes for veille-pg)."""
    tick = os.sysconf("SC_CLK_TCK")
    busy, served, wrk_cpu, started = (
        busy_ticks(),
        server.cpu_ticks(),
        children_cpu_seconds(),
        time.monotonic(),
    )
    result = wrk(wrk_path, server.base + path, connections, config.duration, config.timeout)
    elapsed = time.monotonic() - started
    busy, served = (busy_ticks() - busy) / tick, (server.cpu_ticks() - served) / tick
    wrk_cpu = children_cpu_seconds() - wrk_cpu
    result["server_cpu_cores"] = round(served / elapsed, 2)
    # the server's process tree CPU per answered request: steadier than req/s on a busy machine
    result["cpu_ms_per_request"] = (
        round(served * 1000 / result["requests"], 3) if result["requests"] else None
    )
    result["wrk_cpu_cores"] = round(wrk_cpu / elapsed, 2)
    result["other_cpu_cores"] = round(max(0.0, busy - served - wrk_cpu) / elapsed, 2)
    return result


def wrk(wrk_path: str, url: str, connections: int, seconds: int, timeout: int) -> dict[str, Any]:
    cmd = [
        wrk_path, "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s",
        "-s", str(BENCH / "bench.lua"), url,
    ]  # fmt: skip
    result = run(cmd, timeout=seconds + timeout + 60)
    line = next((x for x in result.stdout.splitlines() if x.startswith("bench.json=")), None)
    if result.returncode != 0 or line is None:
        raise HarnessError(
            f"wrk failed (exit {result.returncode}) on {url}: {result.stdout[-500:]}{result.stderr[-500:]}"
        )
    data = json.loads(line.split("=", 1)[1])
    data["socket_errors"] = sum(data[f"errors_{k}"] for k in ("connect", "read", "write", "timeout"))
    data["errors"] = data["socket_errors"] + data["errors_status"]
    return data


def measure(plan: Plan, servers: dict[str, Server], config: Config, wrk_path: str) -> list[dict[str, Any]]:
    systems = [s for s in (*SYSTEMS, BASELINE_SYSTEM, PG_SYSTEM) if s in servers]
    jobs = [(shape, system) for shape in plan.shapes for system in systems if system in shape.paths]
    if config.warmup:
        # at the most connections measured, so every worker of every server has served the shape
        # (a worker's first search builds its spelling variants, ~0.7 s at this scale)
        warm = max(config.connections)
        log(f"warm-up: {config.warmup} s of wrk at {warm} connections per shape and system (not measured)")
        for shape, system in jobs:
            wrk(wrk_path, servers[system].base + shape.paths[system], warm, config.warmup, config.timeout)
            servers[system].wait_idle()
    total = len(jobs) * len(config.connections) * config.rounds
    log(f"{total} runs of {config.duration} s: about {total * (config.duration + 0.7) / 60:.0f} minutes")
    runs, done = [], 0
    for round_no in range(config.rounds):
        order = systems[round_no % len(systems) :] + systems[: round_no % len(systems)]
        for shape in plan.shapes:
            for connections in config.connections:
                for system in order:
                    if system not in shape.paths:
                        continue
                    server = servers[system]
                    if not server.alive():
                        raise HarnessError(f"{system} died during the run: {server.tail()}")
                    result = measured_wrk(server, shape.paths[system], connections, config, wrk_path)
                    result["idle_wait_s"] = round(server.wait_idle(), 2)
                    done += 1
                    runs.append(
                        {
                            "round": round_no + 1,
                            "shape": shape.name,
                            "connections": connections,
                            "system": system,
                            **result,
                        }
                    )
                    log(
                        f"[{done}/{total}] round {round_no + 1} {shape.name:14} c={connections:<3} {system:10}"
                        f"{result['rps']:9.1f} req/s  p50 {result['p50_ms']:8.2f} ms  p99 {result['p99_ms']:8.2f} ms"
                        f"  errors {result['errors']}  cpu: server {result['server_cpu_cores']:.2f}"
                        f" other {result['other_cpu_cores']:.2f}"
                    )
    return runs


def summarise(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for r in runs:
        groups.setdefault((r["shape"], r["connections"], r["system"]), []).append(r)
    rows = []
    for (shape, connections, system), group in groups.items():
        rows.append(
            {
                "shape": shape,
                "connections": connections,
                "system": system,
                "rps": statistics.median(r["rps"] for r in group),
                "p50_ms": statistics.median(r["p50_ms"] for r in group),
                "p99_ms": statistics.median(r["p99_ms"] for r in group),
                "errors": sum(r["errors"] for r in group),
                "requests": sum(r["requests"] for r in group),
                "rounds": len(group),
                "cpu_ms": statistics.median(
                    r["cpu_ms_per_request"] for r in group if r.get("cpu_ms_per_request") is not None
                )
                if any(r.get("cpu_ms_per_request") is not None for r in group)
                else None,
            }
        )
    index = {(r["shape"], r["connections"], r["system"]): r for r in rows}
    for r in rows:
        if r["system"] in ("veille", "flask"):
            for other in ("datasette", "floor"):
                peer = index.get((r["shape"], r["connections"], other))
                r[f"vs_{other}"] = r["rps"] / peer["rps"] if peer and peer["rps"] else None
        if r["system"] == PG_SYSTEM:
            peer = index.get((r["shape"], r["connections"], "veille"))
            r["vs_sqlite"] = r["rps"] / peer["rps"] if peer and peer["rps"] else None
        if r["system"] == "veille":
            peer = index.get((r["shape"], r["connections"], BASELINE_SYSTEM))
            r["vs_baseline"] = r["rps"] / peer["rps"] if peer and peer["rps"] else None
            r["cpu_vs_baseline"] = r["cpu_ms"] / peer["cpu_ms"] if peer and peer["cpu_ms"] else None
    return rows


# --- the cold path after a write ---

COLD_WRITES = 3
COLD_REQUESTS = 10  # per shape, after each write
COLD_BAR_MS = 50


def timed_request(
    server: Server,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> tuple[float, int, dict[str, str], bytes]:
    """One request on a NEW connection (closed after): milliseconds until the whole body is read,
    the status, the headers and the body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000, response.status, dict(response.headers), data


def written_bytes(pids: list[str]) -> dict[str, int]:
    """Bytes each process has written to files (``wchar`` of /proc/PID/io): a Veille worker writes
    one access log line per request it answers, and otherwise a few bytes now and then."""
    found = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/io").read_text().splitlines():
                if line.startswith("wchar:"):
                    found[pid] = int(line.split()[1])
    return found


ACCESS_LINE_BYTES = 64  # fewer than an access log line holds, more than an idle worker writes


def answered(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """The workers that wrote an access log line between the two readings."""
    return [pid for pid, n in after.items() if n - before.get(pid, n) >= ACCESS_LINE_BYTES]


def served(server: Server, pids: list[str], path: str) -> tuple[float, int, dict[str, str], str | None]:
    """A GET on a new connection, and the worker that answered it (None when it cannot be told)."""
    before = written_bytes(pids)
    ms, status, headers, _ = timed_request(server, path)
    workers = answered(before, written_bytes(pids))
    return ms, status, headers, workers[0] if len(workers) == 1 else None


def warm_workers(server: Server, pids: list[str], paths: list[str], wrk_path: str, config: Config) -> None:
    """Each path under wrk (2 connections per worker, 1 s) until every worker has answered it, at
    most 5 times: the server is then warm, as after the wrk runs, and what is measured after a
    write is the write's cost, not a worker's first requests."""
    for path in paths:
        for _ in range(5):
            before = written_bytes(pids)
            wrk(wrk_path, server.base + path, 2 * len(pids), 1, config.timeout)
            if len(answered(before, written_bytes(pids))) == len(pids):
                break
        else:
            log(f"cold path: warm-up: some worker never answered {path}")
    server.wait_idle()


def api_key(database_url: str) -> str:
    """A write key created in ``database_url`` with `flask keys create` (it prints the key)."""
    cmd = [str(VENV_BIN / "flask"), "--app", "api", "keys", "create", "--name", "bench", "--scope", "write"]
    result = run(cmd, env=flask_env(database_url), timeout=120)
    if result.returncode != 0:
        raise HarnessError(f"flask keys create failed: {result.stderr[-500:]}")
    return result.stdout.split()[-1]


def cold_path(name: str, database_url: str, plan: Plan, config: Config, wrk_path: str) -> dict[str, Any]:
    """The first COLD_REQUESTS requests of every shape after each of COLD_WRITES writes, one at a time.

    ``database_url`` is a copy of the benchmark data, served by its own Veille server (``name``):
    the writes (a statement's status, set back and forth with PATCH) never reach the data the
    other systems serve or the next run reuses. Each request opens a new connection: a kept-alive
    one stays with the worker that accepted it, a new one goes to whichever worker accepts it
    first (which one did is read from /proc and reported)."""
    key = api_key(database_url)
    server = veille_server(name, database_url, redis_url=config.redis_url)
    server.start()
    try:
        pids = server.worker_pids()
        paths = {shape.name: shape.paths["veille"] for shape in plan.shapes}
        warm_workers(server, pids, list(paths.values()), wrk_path, config)
        item = f"/v1/statements/{q(plan.facts['item'])}"
        _, status, headers, body = timed_request(server, item)
        if status != 200:
            raise HarnessError(f"cold path: GET {item} answered {status}")
        etag, version, review = headers["ETag"], headers.get("X-Dataset-Version"), json.loads(body)["status"]
        requests, writes = [], []
        for write in range(1, COLD_WRITES + 1):
            review = "proposed" if review == "verified" else "verified"
            write_ms, status, headers, _ = timed_request(
                server,
                item,
                "PATCH",
                {"Authorization": f"Bearer {key}", "If-Match": etag, "Content-Type": "application/json"},
                json.dumps({"status": review}),
            )
            if status != 200:
                raise HarnessError(f"cold path: PATCH {item} answered {status}")
            etag = headers["ETag"]
            for shape, path in paths.items():
                for n in range(1, COLD_REQUESTS + 1):
                    ms, status, headers, pid = served(server, pids, path)
                    requests.append(
                        {
                            "write": write,
                            "shape": shape,
                            "request": n,
                            "ms": round(ms, 2),
                            "status": status,
                            "worker": pids.index(pid) + 1 if pid else None,
                            "version": headers.get("X-Dataset-Version"),
                        }
                    )
            if requests[-1]["version"] == version:
                raise HarnessError(f"cold path: the write left the dataset version at {version}")
            version = requests[-1]["version"]
            writes.append({"write_ms": round(write_ms, 2), "status": review, "version": version})
    finally:
        server.stop()
    return cold_summary(requests, writes, len(pids))


def cold_summary(
    requests: list[dict[str, Any]], writes: list[dict[str, Any]], workers: int
) -> dict[str, Any]:
    shapes: dict[str, dict[str, Any]] = {}
    for shape in dict.fromkeys(r["shape"] for r in requests):
        mine = [r for r in requests if r["shape"] == shape]
        times = [r["ms"] for r in mine]
        shapes[shape] = {
            "max_ms": max(times),
            "median_ms": statistics.median(times),
            "first_ms": [r["ms"] for r in mine if r["request"] == 1],
            # the fewest workers that answered this shape after one write
            "workers": min(
                len({r["worker"] for r in mine if r["write"] == w and r["worker"]})
                for w in range(1, len(writes) + 1)
            ),
        }
    worst = max(requests, key=lambda r: r["ms"])
    per_worker = [sum(1 for r in requests if r["worker"] == w) for w in range(1, workers + 1)]
    return {
        "writes": writes,
        "workers": workers,
        "served_per_worker": per_worker,
        "unattributed": sum(1 for r in requests if r["worker"] is None),
        "not_ok": sum(1 for r in requests if r["status"] != 200),
        "max_ms": worst["ms"],
        "max_shape": worst["shape"],
        "shapes": shapes,
        "requests": requests,
    }


@contextlib.contextmanager
def sqlite_copy(path: Path) -> Iterator[str]:
    """A copy of the benchmark file (SQLite's backup), deleted afterwards: its database URL."""
    import sqlite3  # noqa: PLC0415

    copy = OUT / f"{path.stem}-cold.sqlite3"

    def remove() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)

    remove()  # a run stopped before its end may have left one
    started = time.monotonic()
    with contextlib.closing(sqlite3.connect(path)) as src, contextlib.closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
    log(f"cold path: copied {path.name} to {copy.name} in {time.monotonic() - started:.0f} s")
    try:
        yield f"sqlite:///{copy}"
    finally:
        remove()


@contextlib.contextmanager
def pg_copy(url: str) -> Iterator[str]:
    """A copy of the benchmark database (CREATE DATABASE ... TEMPLATE: nothing may be connected to
    it), dropped afterwards: its database URL."""
    import psycopg  # noqa: PLC0415

    database = urllib.parse.urlsplit(url).path.lstrip("/")
    copy = f"{database}_cold"
    started = time.monotonic()
    with psycopg.connect(pg_conninfo(url, "postgres"), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        strategy = " STRATEGY FILE_COPY" if admin.info.server_version >= 150000 else ""
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{database}"{strategy}')
    log(f"cold path: copied PostgreSQL database {database} to {copy} in {time.monotonic() - started:.0f} s")
    try:
        yield urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{copy}"))
    finally:
        with psycopg.connect(pg_conninfo(url, "postgres"), autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def measure_cold(
    plan: Plan,
    servers: dict[str, Server],
    sqlite_path: Path,
    pg_info: dict[str, Any] | None,
    config: Config,
    wrk_path: str,
) -> dict[str, Any]:
    """The cold path on SQLite, then on PostgreSQL (its server is stopped first: the copy is made
    from its database, which nothing may use meanwhile)."""
    log(
        f"cold path: {COLD_WRITES} writes, after each the first {COLD_REQUESTS} requests of every shape, "
        "one at a time, each on a new connection"
    )
    import psycopg  # noqa: PLC0415  (a project dependency)

    cold: dict[str, Any] = {}
    with sqlite_copy(sqlite_path) as url:
        cold["veille"] = cold_path("veille-cold", url, plan, config, wrk_path)
    if pg_info and PG_SYSTEM in servers:
        servers[PG_SYSTEM].stop()
        try:
            with pg_copy(pg_info["url"]) as url:
                cold[PG_SYSTEM] = cold_path("veille-pg-cold", url, plan, config, wrk_path)
        except psycopg.Error as exc:  # e.g. the database in use elsewhere: reported, not a harness failure
            cold[f"{PG_SYSTEM}_skipped"] = f"{type(exc).__name__}: {exc}"
            log(f"cold path on PostgreSQL skipped: {cold[f'{PG_SYSTEM}_skipped']}")
    for system in ("veille", PG_SYSTEM):
        if system in cold:
            found = cold[system]
            log(
                f"cold path {system}: max {found['max_ms']:.1f} ms ({found['max_shape']}); "
                f"served per worker {found['served_per_worker']}"
            )
    return cold


# --- targets and report ---


def evaluate_targets(
    rows: list[dict[str, Any]],
    rss: list[float],
    seed: dict[str, Any],
    statements: int,
    top: int,
    cold: dict[str, Any],
) -> list[dict[str, Any]]:
    index = {(r["shape"], r["connections"], r["system"]): r for r in rows}
    targets = []

    def add(name: str, value: float | None, passed: bool | None, text: str) -> None:
        targets.append({"target": name, "value": value, "pass": passed, "text": text})

    def get(shape: str, connections: int, system: str) -> dict[str, Any] | None:
        return index.get((shape, connections, system))

    # the lean-read-path issue's bars: the more Python a shape runs per SQL, the higher its bar
    for shape, bar in DATASETTE_BARS.items():
        r = get(shape, top, "veille")
        if r and r.get("vs_datasette") is not None:
            ratio = r["vs_datasette"]
            add(f"{shape} >= {bar}x Datasette req/s (c={top})", ratio, ratio >= bar, f"{ratio:.2f}x")
    for shape in ("list", "item"):
        r = get(shape, top, "veille")
        if r and r.get("vs_floor") is not None:
            ratio = r["vs_floor"]
            add(f"{shape} >= 0.6x the floor's req/s (c={top})", ratio, ratio >= 0.6, f"{ratio:.2f}x")
    for shape in ("list", "item", "search-common"):
        r = get(shape, top, PG_SYSTEM)
        if r and r.get("vs_sqlite") is not None:
            ratio = r["vs_sqlite"]
            add(f"{shape} on PostgreSQL >= 0.7x SQLite req/s (c={top})", ratio, ratio >= 0.7, f"{ratio:.2f}x")
    first, deep = get("list", top, "veille"), get("deep", top, "veille")
    if first and deep and deep["rps"]:
        cost = first["rps"] / deep["rps"]
        add(f"deep page cost <= 1.2x the first page's (c={top}, 1/req/s)", cost, cost <= 1.2, f"{cost:.2f}x")
    common = get("search-common", 1, "veille")
    if common:
        p50 = common["p50_ms"]
        add("search for a common word: p50 <= 15 ms (c=1)", p50, p50 <= 15, f"{p50:.1f} ms")
    for system, where in (("veille", ""), (PG_SYSTEM, " on PostgreSQL")):
        found = cold.get(system)
        if found:
            worst = found["max_ms"]
            shapes = ", ".join(f"{name} {s['max_ms']:.1f}" for name, s in found["shapes"].items())
            text = f"max {worst:.1f} ms ({found['max_shape']}); per shape, max ms: {shapes}"
            if found["not_ok"]:
                text += f"; {found['not_ok']} answers were not 200"
            add(
                f"first {COLD_REQUESTS} requests after a write{where}: max <= {COLD_BAR_MS} ms (c=1)",
                worst,
                worst <= COLD_BAR_MS and not found["not_ok"],
                text,
            )
    if rss:
        add(
            "RSS per Veille worker <= 150 MB after the run",
            max(rss),
            max(rss) <= 150,
            f"max {max(rss):.0f} MB ({', '.join(f'{m:.0f}' for m in rss)})",
        )
    add(
        "flask seed of the five-article corpus <= 2 s",
        seed["seconds"],
        seed["seconds"] <= 2,
        f"{seed['seconds']:.2f} s (whole command, median of {len(seed['runs'])})",
    )
    if statements != 1_000_000:
        for t in targets:
            t["text"] += f" [at {statements:,} statements; targets are set at 1,000,000]"
    return targets


def fmt(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


def table_rows(rows: list[dict[str, Any]], shapes: list[str], systems: list[str]) -> list[list[str]]:
    order = {s: i for i, s in enumerate(shapes)}
    out = []
    for r in sorted(
        rows,
        key=lambda r: (
            order.get(r["shape"], 99),
            r["connections"],
            systems.index(r["system"]) if r["system"] in systems else 9,
        ),
    ):
        if r["system"] not in systems:
            continue
        out.append(
            [
                r["shape"], str(r["connections"]), r["system"], fmt(r["rps"]), fmt(r.get("cpu_ms"), 2),
                fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2), str(r["errors"]), ratio(r.get("vs_datasette")),
                ratio(r.get("vs_floor")),
            ]
        )  # fmt: skip
    return out


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    line = lambda cells: "  ".join(  # noqa: E731
        str(c).rjust(w) if i >= 3 else str(c).ljust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    aligns = ["---" if i < 3 else "---:" for i in range(len(header))]
    return "\n".join("| " + " | ".join(r) + " |" for r in [header, aligns, *rows])


HEADER = [
    "shape",
    "conns",
    "system",
    "req/s",
    "CPU ms/req",
    "p50 ms",
    "p99 ms",
    "errors",
    "Veille/Datasette",
    "Veille/floor",
]
PG_HEADER = ["shape", "conns", "system", "req/s", "CPU ms/req", "p50 ms", "p99 ms", "errors", "PG/SQLite"]
BASELINE_HEADER = [
    "shape",
    "conns",
    "req/s Veille",
    "req/s baseline",
    "Veille/baseline",
    "CPU ms/req Veille",
    "CPU ms/req baseline",
    "CPU Veille/baseline",
]


def baseline_table_rows(rows: list[dict[str, Any]], shapes: list[str]) -> list[list[str]]:
    """Veille beside the baseline revision, shape by shape: req/s and server CPU per request."""
    order = {s: i for i, s in enumerate(shapes)}
    index = {(r["shape"], r["connections"], r["system"]): r for r in rows}
    out = []
    for r in sorted(rows, key=lambda r: (order.get(r["shape"], 99), r["connections"])):
        base = index.get((r["shape"], r["connections"], BASELINE_SYSTEM))
        if r["system"] != "veille" or base is None:
            continue
        out.append(
            [
                r["shape"], str(r["connections"]), fmt(r["rps"]), fmt(base["rps"]), ratio(r.get("vs_baseline")),
                fmt(r.get("cpu_ms"), 2), fmt(base.get("cpu_ms"), 2), ratio(r.get("cpu_vs_baseline")),
            ]
        )  # fmt: skip
    return out


def pg_table_rows(rows: list[dict[str, Any]], shapes: list[str]) -> list[list[str]]:
    order = {s: i for i, s in enumerate(shapes)}
    out = []
    for r in sorted(rows, key=lambda r: (order.get(r["shape"], 99), r["connections"])):
        if r["system"] == PG_SYSTEM:
            out.append(
                [
                    r["shape"], str(r["connections"]), r["system"], fmt(r["rps"]), fmt(r.get("cpu_ms"), 2),
                    fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2), str(r["errors"]), ratio(r.get("vs_sqlite")),
                ]
            )  # fmt: skip
    return out


def other_work(runs: list[dict[str, Any]]) -> str:
    """How much CPU went to processes other than the server measured and wrk (SQLite runs)."""
    other = [r["other_cpu_cores"] for r in runs if r["system"] != PG_SYSTEM and "other_cpu_cores" in r]
    if not other:
        return ""
    busy = sum(1 for o in other if o > 0.25)
    text = (
        f"other work  CPU used outside the measured server and wrk during a run: median "
        f"{statistics.median(other):.2f} cores, max {max(other):.2f}; {busy} of {len(other)} runs above 0.25 cores"
    )
    return text + (" -- the machine was not quiet, numbers are skewed" if busy > len(other) // 10 else "")


def shape_lines(shape: dict[str, Any]) -> list[str]:
    lines = [f"  {shape['name']:14} {shape['title']}" + (f" ({shape['note']})" if shape["note"] else "")]
    for system in ("veille", "datasette"):
        path = urllib.parse.unquote(shape["paths"][system])
        lines.append(f"  {'':14}   {system:9} GET {path if len(path) < 200 else path[:197] + '...'}")
    return lines


COLD_HEADER = [
    "shape",
    "system",
    "workers",
    "max ms",
    "median ms",
    "1st after each write, ms",
    "wrk p50 ms (c=1)",
]


def cold_rows(cold: dict[str, Any], summary: list[dict[str, Any]]) -> list[list[str]]:
    """Per shape and system: the cold requests, and beside them the p50 of the warm wrk run at c=1."""
    warm = {(r["shape"], r["system"]): r["p50_ms"] for r in summary if r["connections"] == 1}
    out = []
    for system in ("veille", PG_SYSTEM):
        for name, s in cold.get(system, {}).get("shapes", {}).items():
            out.append(
                [
                    name, system, f"{s['workers']} of {cold[system]['workers']}", fmt(s["max_ms"], 2),
                    fmt(s["median_ms"], 2), ", ".join(fmt(ms, 2) for ms in s["first_ms"]),
                    fmt(warm.get((name, system)), 2),
                ]
            )  # fmt: skip
    return out


def cold_lines(cold: dict[str, Any]) -> list[str]:
    """How the cold path was measured, and which worker answered (the same lines in both reports)."""
    systems = [s for s in ("veille", PG_SYSTEM) if s in cold]
    if not systems:
        return []
    spread = "; ".join(
        f"{s} {', '.join(map(str, cold[s]['served_per_worker']))}"
        + (f" ({cold[s]['unattributed']} not told)" if cold[s]["unattributed"] else "")
        for s in systems
    )
    writes = "; ".join(
        f"{s} {', '.join(fmt(w['write_ms'], 1) for w in cold[s]['writes'])} ms" for s in systems
    )
    lines = [
        f"After each of {COLD_WRITES} writes, the first {COLD_REQUESTS} requests of every shape, one at a time "
        "(c=1), each on a NEW connection: a kept-alive connection stays with the worker that accepted it, a "
        "new one goes to whichever worker accepts it first. Each system runs on a copy of its data, served by "
        "its own Veille server (same settings), warmed first with wrk until every worker had answered every "
        "shape; a write is a PATCH of the item shape's statement (`status`, back and forth) with a key from "
        "`flask keys create`. The benchmark data is never written.",
        f"Requests answered per worker (its access log line, from /proc/PID/io): {spread}; workers: the "
        f"fewest that answered a shape's requests after one write. The writes took {writes}.",
    ]
    if cold.get(f"{PG_SYSTEM}_skipped"):
        lines.append(f"PostgreSQL skipped: {cold[f'{PG_SYSTEM}_skipped']}")
    return lines


def report(results: dict[str, Any]) -> str:
    meta = results["meta"]
    shapes = [s["name"] for s in results["shapes"]]
    lines = [
        "",
        "== make bench ==",
        f"data        {meta['data']['counts']['statements']:,} statements, {meta['data']['counts']['articles']:,} articles, "
        f"{meta['data']['counts']['entities']:,} entities, {meta['data']['counts']['events']:,} events "
        f"({meta['data']['built_by']}); SQLite file {meta['sqlite_file']}",
        f"load        wrk 1 thread, {meta['duration_s']} s per run, {meta['rounds']} rounds interleaved "
        f"(system order rotates each round), medians; connections {', '.join(map(str, meta['connections']))}; "
        f"errors = socket errors + HTTP status >= 400 (all rounds)",
        f"machine     {meta['machine']['cpus']} CPUs ({meta['machine']['cpu']}), {meta['machine']['memory']}; "
        f"load average before {meta['loadavg_before']}, after {meta['loadavg_after']}",
        f"veille      gunicorn.conf.py: {meta['gunicorn']['workers']} workers x {meta['gunicorn']['threads']} threads "
        f"({meta['gunicorn']['worker_class']}); every production feature on: rate limiting ON with "
        f"VEILLE_RATE_LIMIT_ANONYMOUS={RATE_LIMIT} (raised so the run is not throttled), counted in "
        f"{meta.get('rate_limit_storage', 'memory://')}, ETags, JSON access log, "
        "metrics, CORS; no response cache",
        "floor       bench/floor.py: bare WSGI + sqlite3 + orjson under the same gunicorn settings, Veille's SQL",
        "flask       bench/bareflask.py: the floor's answers from one Flask route, nothing added (no extension, "
        f"hook, schema or log): the ceiling of a Flask app doing this work; shapes {', '.join(FLASK_SHAPES)}; "
        "its ratio columns are its own",
        f"datasette   {meta['datasette_version']}, plain `datasette serve --immutable` (one process, asyncio, "
        "its default 3 SQL threads; not under gunicorn), settings "
        + ", ".join(f"{k}={v}" for k, v in DATASETTE_SETTINGS.items())
        + "; lists with _nocount=1 (no count), search and facet through ?sql= (ranked MATCH, GROUP BY)",
        "requests    no conditional headers (wrk sends Host only); no server-side response cache in any system; "
        "all servers stay up, the ones not measured are idle",
        "",
        "shapes:",
        *(line for s in results["shapes"] for line in shape_lines(s)),
        "",
        text_table(HEADER, table_rows(results["summary"], shapes, list(SYSTEMS))),
        "",
        other_work(results["runs"]),
    ]
    if results["pg"]:
        lines += [
            "",
            f"-- PostgreSQL ({results['pg']['url']}, the same data: {results['pg']['built_by']}), Veille only --",
            text_table(PG_HEADER, pg_table_rows(results["summary"], shapes)),
        ]
    elif results.get("pg_skipped"):
        lines += ["", f"-- PostgreSQL skipped: {results['pg_skipped']} --"]
    if meta.get("baseline"):
        lines += [
            "",
            f"-- Veille against the baseline {meta['baseline']} (same data, same settings, same run) --",
            text_table(BASELINE_HEADER, baseline_table_rows(results["summary"], shapes)),
        ]
    cold = cold_rows(results["cold"], results["summary"])
    if cold:
        lines += [
            "",
            "-- cold path: the first requests after a write --",
            *cold_lines(results["cold"]),
            text_table(COLD_HEADER, cold),
        ]
    lines += ["", "targets:"]
    for t in results["targets"]:
        mark = "PASS" if t["pass"] else "FAIL"
        lines.append(f"  {mark}  {t['target']}: {t['text']}")
    rss = results["rss_mb"]
    lines += [
        "",
        f"RSS after the run (MB): Veille workers {', '.join(f'{m:.0f}' for m in rss['veille'])}; "
        f"floor workers {', '.join(f'{m:.0f}' for m in rss['floor'])}"
        + (
            f"; Veille on PostgreSQL {', '.join(f'{m:.0f}' for m in rss[PG_SYSTEM])}"
            if rss.get(PG_SYSTEM)
            else ""
        ),
        f"wall time {results['wall_seconds'] / 60:.1f} min; results in var/bench/results.json, "
        "var/bench/results.md, bench/results.png",
    ]
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    shapes = [s["name"] for s in results["shapes"]]
    parts = [
        f"Measured {meta['date']} on {meta['machine']['cpus']} CPUs ({meta['machine']['cpu']}), "
        f"{meta['machine']['memory']}; {meta['data']['counts']['statements']:,} statements; "
        f"wrk, {meta['duration_s']} s per run, median of {meta['rounds']} interleaved rounds.",
        "",
        markdown_table(HEADER, table_rows(results["summary"], shapes, list(SYSTEMS))),
    ]
    if results["pg"]:
        parts += [
            "",
            "PostgreSQL (Veille only, same data):",
            "",
            markdown_table(PG_HEADER, pg_table_rows(results["summary"], shapes)),
        ]
    if meta.get("baseline"):
        parts += [
            "",
            f"Against the baseline {meta['baseline']} (same data, same settings, same run):",
            "",
            markdown_table(BASELINE_HEADER, baseline_table_rows(results["summary"], shapes)),
        ]
    cold = cold_rows(results["cold"], results["summary"])
    if cold:
        parts += ["", *cold_lines(results["cold"]), "", markdown_table(COLD_HEADER, cold)]
    parts += ["", "| target | result |", "| --- | --- |"]
    parts += [
        f"| {t['target']} | {'PASS' if t['pass'] else 'FAIL'}: {t['text']} |" for t in results["targets"]
    ]
    return "\n".join(parts) + "\n"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Hardware", "cpu model")):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1048576:.1f} GiB"
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": memory, "python": platform.python_version()}


def loadavg() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def plot(results_path: Path, png: Path) -> None:
    """req/s per shape at the highest connection count, one bar per system, log scale."""
    import matplotlib  # noqa: PLC0415  (side venv only)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    results = json.loads(results_path.read_text())
    top = max(results["meta"]["connections"])
    shapes = [s["name"] for s in results["shapes"]]
    systems = [s for s in (*SYSTEMS, PG_SYSTEM) if any(r["system"] == s for r in results["summary"])]
    index = {(r["shape"], r["system"]): r["rps"] for r in results["summary"] if r["connections"] == top}
    colours = {
        "veille": "#1f6feb",
        "datasette": "#d29922",
        "floor": "#8b949e",
        "flask": "#a371f7",
        PG_SYSTEM: "#2da44e",
    }
    width = 0.8 / len(systems)
    fig, ax = plt.subplots(figsize=(11, 5.2), dpi=120)
    for i, system in enumerate(systems):
        xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(shapes))]
        ys = [index.get((shape, system), 0) for shape in shapes]
        bars = ax.bar(xs, ys, width, label=system, color=colours.get(system))
        for bar, y in zip(bars, ys, strict=True):
            if y:
                ax.annotate(
                    f"{y:,.0f}",
                    (bar.get_x() + bar.get_width() / 2, y),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
    ax.set_xticks(range(len(shapes)), shapes)
    ax.set_yscale("log")
    ax.set_ylabel("requests/s (log scale)")
    meta = results["meta"]
    ax.set_title(
        f"Veille vs Datasette vs floor: req/s at {top} connections, "
        f"{meta['data']['counts']['statements']:,} statements (median of {meta['rounds']} round(s))"
    )
    ax.legend()
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png)
    print(f"bench: plot written to {png}")


def datasette_version() -> str:
    result = run([str(SIDE_VENV / "bin" / "datasette"), "--version"])
    return result.stdout.strip() or "datasette"


def prepare_data(config: Config) -> tuple[Path, dict[str, Any], dict[str, Any] | None, str | None]:
    """The SQLite file and the PostgreSQL database, built side by side (two cores, two builds)."""
    pg_info, pg_skipped = None, None
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pg_future = pool.submit(ensure_pg, config) if config.pg_url else None
        sqlite_path, data = ensure_sqlite(config)
        if pg_future is not None:
            try:
                pg_info = pg_future.result()
            except HarnessError:
                raise
            except Exception as exc:  # no server there is not a harness failure: report and go on
                pg_skipped = f"{type(exc).__name__}: {exc}"
                log(f"PostgreSQL skipped: {pg_skipped}")
    return sqlite_path, data, pg_info, pg_skipped


def main(*, prepare_only: bool = False, check_only: bool = False) -> int:
    started = time.monotonic()
    config = Config.from_env()
    OUT.mkdir(parents=True, exist_ok=True)
    wrk_path = ensure_wrk()
    ensure_side_venv()
    sqlite_path, data, pg_info, pg_skipped = prepare_data(config)
    if prepare_only:
        log(f"data ready in {time.monotonic() - started:.0f} s")
        return 0
    log("timing flask seed of the five-article corpus (3 fresh SQLite files)")
    seed = time_seed()
    log(f"flask seed: {seed['seconds']:.2f} s (runs {seed['runs']})")
    plan = plan_requests(sqlite_path, config)
    log(f"plan: {json.dumps(plan.facts, ensure_ascii=False)}")

    servers: dict[str, Server] = {
        "veille": veille_server("veille", f"sqlite:///{sqlite_path}", redis_url=config.redis_url),
        "floor": bare_server("floor", "floor", sqlite_path, config.redis_url),
        "flask": bare_server("flask", "bareflask", sqlite_path, config.redis_url),
        "datasette": datasette_server(sqlite_path),
    }
    if pg_info:
        servers[PG_SYSTEM] = veille_server(PG_SYSTEM, pg_info["url"], redis_url=config.redis_url)
    baseline = None
    if config.baseline:
        tree = baseline_tree(config.baseline)
        baseline = f"{config.baseline} ({tree.name.removeprefix('baseline-')})"
        servers[BASELINE_SYSTEM] = veille_server(
            BASELINE_SYSTEM, f"sqlite:///{sqlite_path}", root=tree, redis_url=config.redis_url
        )
    if config.redis_url:
        flush_redis(config.redis_url)
    try:
        for server in servers.values():
            server.start()
        capture = SqlCapture(sqlite_path)
        checks = check_equivalence(plan, servers, capture)
        if check_only:
            return 0
        load_before = loadavg()
        runs = measure(plan, servers, config, wrk_path)
        load_after = loadavg()
        rss = {
            name: servers[name].worker_rss_mb()
            for name in ("veille", "floor", PG_SYSTEM, BASELINE_SYSTEM)
            if name in servers
        }
        cold = measure_cold(plan, servers, sqlite_path, pg_info, config, wrk_path)
    finally:
        for server in servers.values():
            server.stop()

    summary = summarise(runs)
    top = max(config.connections)
    targets = evaluate_targets(summary, rss["veille"], seed, plan.facts["statements"], top, cold)
    results = {
        "meta": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "scale": config.scale,
            "data": data,
            "sqlite_file": str(sqlite_path.relative_to(ROOT)),
            "duration_s": config.duration,
            "rounds": config.rounds,
            "connections": config.connections,
            "gunicorn": gunicorn_settings(config.redis_url),
            "rate_limit_storage": config.redis_url or "memory://",
            "datasette_version": datasette_version(),
            "datasette_settings": DATASETTE_SETTINGS,
            "rate_limit_anonymous": RATE_LIMIT,
            "loadavg_before": load_before,
            "loadavg_after": load_after,
            "facts": plan.facts,
            "baseline": baseline,
        },
        "shapes": [{"name": s.name, "title": s.title, "note": s.note, "paths": s.paths} for s in plan.shapes],
        "checks": checks,
        "runs": runs,
        "summary": summary,
        "pg": pg_info,
        "pg_skipped": pg_skipped,
        "rss_mb": rss,
        "cold": cold,
        "seed": seed,
        "targets": targets,
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    results_path = OUT / "results.json"
    results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    (OUT / "results.md").write_text(markdown(results))
    print(report(results), flush=True)
    plotted = run(
        [str(SIDE_VENV / "bin" / "python"), str(Path(__file__)), "--plot", str(results_path), str(PLOT)]
    )
    if plotted.returncode != 0:
        log(f"the plot failed (not a target): {plotted.stderr[-500:]}")
    failed = [t for t in targets if not t["pass"]]
    log(
        f"{len(targets) - len(failed)} of {len(targets)} targets met" + (": see FAIL above" if failed else "")
    )
    return 0


def entry() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--plot":
        plot(Path(sys.argv[2]), Path(sys.argv[3]))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return main(prepare_only=sys.argv[1:] == ["--prepare"], check_only=sys.argv[1:] == ["--check"])
    except HarnessError as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(entry())
