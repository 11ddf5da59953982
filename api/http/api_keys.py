"""API keys: created and revoked from the CLI, stored only as hashes, checked in constant time.

A key reads ``vk_<id>_<secret>``: the id finds the row, the secret is compared with
``hmac.compare_digest`` against its SHA-256. The key is shown once, when created.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from api.models import ApiKey
from api.queries.api_keys import key_named

SCOPES = ("read", "write", "admin")
PREFIX = "vk"


@dataclass(frozen=True)
class Identity:
    """Who is calling: the key's name and scopes."""

    name: str
    scopes: frozenset[str]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, *, name: str, scopes: list[str]) -> str:
    """Store a new key and return it in full (the only time it is ever visible)."""
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValueError(f"scopes must be among {', '.join(SCOPES)}")
    if key_named(session, name=name) is not None:
        raise ValueError(f"a key named {name!r} exists already")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            id=key_id,
            name=name,
            secret_hash=_digest(secret),
            scopes=" ".join(sorted(set(scopes))),
            created_at=datetime.now(UTC),
            revoked_at=None,
        )
    )
    return f"{PREFIX}_{key_id}_{secret}"


def revoke_key(session: Session, *, name: str) -> bool:
    key = key_named(session, name=name)
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = datetime.now(UTC)
    return True


def identify(session: Session, presented: str) -> Identity | None:
    """The identity of a presented key, or None when it is unknown, malformed or revoked."""
    prefix, _, rest = presented.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    key = session.get(ApiKey, key_id)
    # compare even when the key is unknown, so timing does not tell which ids exist
    expected = key.secret_hash if key is not None else _digest("")
    if not hmac.compare_digest(expected, _digest(secret)) or key is None or key.revoked_at is not None:
        return None
    return Identity(key.name, frozenset(key.scopes.split()))
