"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS=tests.fuzz.hooks).

A cursor is opaque and only valid when the API issued it: a generated string is, by
construction, one the API never issued, so a 400 for it is right and not a "valid request
rejected". Cursors are dropped from requests generated as valid (before every call, so
every phase is covered); requests generated as invalid keep them. tests/test_lists.py
covers bad cursors.

Likewise, parameters each valid alone but refused together because one would be ignored
(an `expand` of a field `fields` leaves out, `facets` with CSV or NDJSON, `bom=true` without CSV:
see api/views/listing.py and tests/test_first_touch.py) are made consistent in requests
generated as valid; OpenAPI cannot state such dependencies between parameters.
"""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    meta = getattr(case, "meta", None)
    negative = meta is not None and meta.generation.mode.is_negative
    if negative or not case.query:
        return
    query = {key: value for key, value in case.query.items() if key != "cursor"}
    if query.get("format") in ("csv", "ndjson"):
        query.pop("facets", None)
    if query.get("format") != "csv" and str(query.get("bom")).lower() == "true":
        query.pop("bom")
    if "fields" in query and "expand" in query:
        kept = set(str(query["fields"]).split(","))
        expand = [name for name in str(query["expand"]).split(",") if name in kept]
        query.pop("expand")
        if expand:
            query["expand"] = ",".join(expand)
    case.query = query
