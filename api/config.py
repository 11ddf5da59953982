"""Every setting of the service, read from the environment (documented in README)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be an integer, got {raw!r}") from exc


def normalise_database_url(url: str) -> str:
    """Name the psycopg 3 driver explicitly; bare postgresql:// would pick psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def settings_from_env() -> dict[str, Any]:
    """Flask config keys built from environment variables only."""
    return {
        "DATABASE_URL": normalise_database_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'veille.sqlite3'}")
        ),
        # a read replica for GET and HEAD requests; empty: they read the primary like the rest
        "DATABASE_READ_URL": normalise_database_url(os.environ.get("VEILLE_DATABASE_READ_URL", "")),
        "SEEDS_DIR": Path(os.environ.get("VEILLE_SEEDS_DIR", PROJECT_ROOT / "seeds")),
        "DB_POOL_SIZE": _int("VEILLE_DB_POOL_SIZE", 5),
        "DB_TIMEOUT_SECONDS": _int("VEILLE_DB_TIMEOUT_SECONDS", 2),
        "DB_STATEMENT_TIMEOUT_MS": _int("VEILLE_DB_STATEMENT_TIMEOUT_MS", 15000),
        "CACHE_MAX_AGE": _int("VEILLE_CACHE_MAX_AGE", 60),
        "CORS_ORIGINS": os.environ.get("VEILLE_CORS_ORIGINS", "*"),
        "TRUSTED_PROXIES": _int("VEILLE_TRUSTED_PROXIES", 0),
        "PUBLIC_URL": os.environ.get("VEILLE_PUBLIC_URL", ""),
        "RATE_LIMIT_ANONYMOUS": os.environ.get("VEILLE_RATE_LIMIT_ANONYMOUS", "300/minute"),
        "RATE_LIMIT_KEYED": os.environ.get("VEILLE_RATE_LIMIT_KEYED", "3000/minute"),
        "RATE_LIMIT_AUTH_FAILURES": os.environ.get("VEILLE_RATE_LIMIT_AUTH_FAILURES", "10/minute"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": os.environ.get("VEILLE_RATE_LIMIT_ENABLED", "true").lower() != "false",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_URL_LENGTH": 2083,
        "LOG_LEVEL": os.environ.get("VEILLE_LOG_LEVEL", "INFO"),
        "MAX_PAGE_SIZE": 500,
        "DEFAULT_PAGE_SIZE": 50,
    }
