"""The JSON bytes of an item and their ETag: one encoding for responses and for If-Match.

A GET's ETag is the SHA-256 of its body, so the writes (which compare If-Match with the
item as it is now) and the HTTP layer (which sends the bytes) must encode alike.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

# naive datetimes are UTC (SQLite drops the offset); every timestamp ends in Z
OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z


def representation_etag(item: dict[str, Any]) -> str:
    """The ETag a GET of ``item`` carries (the SHA-256 of the JSON body)."""
    return hashlib.sha256(orjson.dumps(item, option=OPTIONS)).hexdigest()
