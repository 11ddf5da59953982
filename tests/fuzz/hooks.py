"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS=tests.fuzz.hooks).

A cursor is opaque and only valid when the API issued it: a generated string is, by
construction, one the API never issued, so a 400 for it is right and not a "valid request
rejected". Cursors are dropped from requests generated as valid (before every call, so
every phase is covered); requests generated as invalid keep them. tests/test_lists.py
covers bad cursors.
"""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    meta = getattr(case, "meta", None)
    negative = meta is not None and meta.generation.mode.is_negative
    if not negative and case.query and "cursor" in case.query:
        case.query = {key: value for key, value in case.query.items() if key != "cursor"}
