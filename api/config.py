"""Every setting of the service: one table of environment variables, read here.

``SETTINGS`` is the one list of the environment variables the service reads, with their
default and meaning. The README's configuration table is printed from it (``flask
settings``) and ``tests/test_documentation.py`` holds the two to each other. Most settings
fill a Flask config key in ``create_app``; the asset folders are read when a page needs them,
and gunicorn.conf.py reads its own before the app exists (the test checks it reads no other).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def normalise_database_url(url: str) -> str:
    """Name the psycopg 3 driver explicitly; bare postgresql:// would pick psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(raw: str) -> bool:
    return raw.lower() != "false"


class Setting(NamedTuple):
    """An environment variable: its default (None: unset), what it does, how it is read."""

    name: str
    default: Any
    help: str
    # the Flask config key it fills in create_app; None when read elsewhere (the help says where)
    key: str | None = None
    # text to value; left empty, a setting takes its default unless that is text ("" is then a value)
    parse: Callable[[str], Any] = str


SETTINGS = (
    Setting(
        "DATABASE_URL",
        f"sqlite:///{PROJECT_ROOT / 'veille.sqlite3'}",
        "SQLAlchemy URL. `postgres://` and `postgresql://` are read as `postgresql+psycopg://` (psycopg 3).",
        key="DATABASE_URL",
        parse=normalise_database_url,
    ),
    Setting(
        "VEILLE_DATABASE_READ_URL",
        "",
        "A read replica of `DATABASE_URL` (same URL forms): GET and HEAD requests read from it, in read-only "
        "transactions, with the same pool and timeouts; writes, the commands and migrations use "
        "`DATABASE_URL`. Reads may lag behind writes: see [More than one machine](#more-than-one-machine).",
        key="DATABASE_READ_URL",
        parse=normalise_database_url,
    ),
    Setting(
        "VEILLE_SEEDS_DIR", PROJECT_ROOT / "seeds", "Folder `flask seed` loads.", key="SEEDS_DIR", parse=Path
    ),
    Setting(
        "VEILLE_DB_POOL_SIZE",
        5,
        "PostgreSQL connection pool size per process (overflow the same again).",
        key="DB_POOL_SIZE",
        parse=int,
    ),
    Setting(
        "VEILLE_DB_TIMEOUT_SECONDS",
        2,
        "Longest wait for the database before a 503: connecting, a pooled connection, a lock (SQLite"
        " busy timeout, PostgreSQL `lock_timeout`), the check-out ping, a rollback.",
        key="DB_TIMEOUT_SECONDS",
        parse=int,
    ),
    Setting(
        "VEILLE_DB_STATEMENT_TIMEOUT_MS",
        15000,
        "PostgreSQL `statement_timeout` of every connection; a statement unanswered this long plus"
        " `VEILLE_DB_TIMEOUT_SECONDS` closes its connection (server stalled).",
        key="DB_STATEMENT_TIMEOUT_MS",
        parse=int,
    ),
    Setting(
        "VEILLE_CACHE_MAX_AGE",
        60,
        "`Cache-Control: public, max-age=…` of successful anonymous reads.",
        key="CACHE_MAX_AGE",
        parse=int,
    ),
    Setting(
        "VEILLE_CORS_ORIGINS",
        "*",
        "Origins allowed to read cross-origin (`*` or a comma-separated list).",
        key="CORS_ORIGINS",
    ),
    Setting(
        "VEILLE_TRUSTED_PROXIES",
        0,
        "Number of reverse proxies in front (trust their `X-Forwarded-*`, for client addresses and URLs).",
        key="TRUSTED_PROXIES",
        parse=int,
    ),
    Setting(
        "VEILLE_PUBLIC_URL",
        "",
        "Origin every absolute link (`links`, `Link`, `Location`) is built on, e.g."
        " `https://api.example.org`, whatever `Host` says. Unset: a loopback `Host` (`localhost`,"
        " `127.0.0.1`, `::1`, any port) is kept, any other is replaced by `http://127.0.0.1:8000`."
        " Set it behind a proxy or on a public host.",
        key="PUBLIC_URL",
    ),
    Setting(
        "VEILLE_RATE_LIMIT_ANONYMOUS",
        "300/minute",
        "Limit per client address ([limits syntax](https://limits.readthedocs.io), e.g. `10/second;300/minute`).",
        key="RATE_LIMIT_ANONYMOUS",
    ),
    Setting(
        "VEILLE_RATE_LIMIT_KEYED",
        "3000/minute",
        "Limit per API key (once keys exist).",
        key="RATE_LIMIT_KEYED",
    ),
    Setting(
        "VEILLE_RATE_LIMIT_AUTH_FAILURES",
        "10/minute",
        "Failed authentications (unknown, malformed, revoked key) per client address; past it any"
        " request with `Authorization` from that address is 429 until the window ends.",
        key="RATE_LIMIT_AUTH_FAILURES",
    ),
    Setting(
        "VEILLE_RATE_LIMIT_ENABLED",
        True,
        "`false` turns rate limiting off.",
        key="RATELIMIT_ENABLED",
        parse=_flag,
    ),
    Setting(
        "RATELIMIT_STORAGE_URI",
        "memory://",
        "Where counts live; `redis://127.0.0.1:6379` to share them between workers and hosts.",
        key="RATELIMIT_STORAGE_URI",
    ),
    Setting(
        "VEILLE_LOG_LEVEL",
        "INFO",
        "Level of the JSON log (one line per request on `veille.access`).",
        key="LOG_LEVEL",
    ),
    Setting(
        "VEILLE_DOCS_ASSETS_DIR",
        PROJECT_ROOT / "var" / "docs-assets",
        "Where `make install` unpacks Swagger UI and ReDoc (npm `swagger-ui-dist`, `redoc`, checked by"
        " SHA-256); the app serves them at `/docs-assets/…` so `/docs` and `/redoc` work offline.",
        parse=Path,
    ),
    Setting(
        "VEILLE_EXPLORE_ASSETS_DIR",
        PROJECT_ROOT / "var" / "explore-assets",
        "Where `make install` unpacks Vega, Vega-Lite and vega-embed (npm, checked by SHA-256) for"
        " `/explore`, served at `/explore-assets/…`.",
        parse=Path,
    ),
    Setting(
        "PROMETHEUS_MULTIPROC_DIR",
        None,
        "Where gunicorn workers share metrics; unset, gunicorn.conf.py makes a temporary one.",
    ),
    Setting(
        "PORT",
        8000,
        "Port gunicorn binds: on 0.0.0.0 when run from the Procfile, on 127.0.0.1 with `make run` /"
        " `make serve`.",
        parse=int,
    ),
    Setting(
        "WEB_CONCURRENCY",
        None,
        "gunicorn worker processes; unset, 2 × CPUs (processes, not threads, serve CPU-bound Python"
        " best: see BENCHMARKS.md). Forced to 1 while rate limits are counted in memory (see Limits"
        " per deployment).",
        parse=int,
    ),
    Setting(
        "GUNICORN_THREADS",
        1,
        "Threads per worker (gthread); more can help against a distant PostgreSQL, not on SQLite. With"
        " the single in-memory-limits worker, at least twice the worker count it replaces (8 on 2 CPUs).",
        parse=int,
    ),
)
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}

# Flask config keys that are no environment variable: limits of a request
CONSTANTS = {"MAX_CONTENT_LENGTH": 1024 * 1024, "MAX_URL_LENGTH": 2083}


def read_setting(name: str) -> Any:
    """The value of setting ``name`` in the environment, or its default."""
    setting = SETTINGS_BY_NAME[name]
    raw = os.environ.get(name)
    if raw is None or (raw == "" and not isinstance(setting.default, str)):
        return setting.default
    try:
        return setting.parse(raw)
    except ValueError as exc:
        kind = "an integer" if setting.parse is int else "valid"
        raise RuntimeError(f"environment variable {name} must be {kind}, got {raw!r}") from exc


def settings_from_env() -> dict[str, Any]:
    """Flask config keys built from environment variables only."""
    return {s.key: read_setting(s.name) for s in SETTINGS if s.key is not None} | CONSTANTS


def documented_default(setting: Setting) -> str:
    """The default as the README shows it: the checkout's folder as ``<repo>``, no value as unset."""
    if setting.default is None or setting.default == "":
        return "unset"
    if isinstance(setting.default, bool):
        return f"`{str(setting.default).lower()}`"
    return f"`{str(setting.default).replace(str(PROJECT_ROOT), '<repo>')}`"


def settings_table() -> str:
    """The README's configuration table, one row per setting (``flask settings`` prints it)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {documented_default(s)} | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)
