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
        "SEEDS_DIR": Path(os.environ.get("VEILLE_SEEDS_DIR", PROJECT_ROOT / "seeds")),
        "DB_POOL_SIZE": _int("VEILLE_DB_POOL_SIZE", 5),
        "DB_TIMEOUT_SECONDS": _int("VEILLE_DB_TIMEOUT_SECONDS", 5),
        "MAX_PAGE_SIZE": 500,
        "DEFAULT_PAGE_SIZE": 50,
    }
