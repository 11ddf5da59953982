"""GET /v1/timeline: events, statements and articles counted per day, week, month or year."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.db import get_session
from api.http.smorest import Blueprint
from api.queries.timeline import MAX_BUCKETS, timeline
from schemas.timeline import TimelineArgsSchema, TimelineSchema

blp = Blueprint(
    "timeline", __name__, url_prefix="/v1", description="Counts over time, in the shape a chart wants."
)


@blp.route("/timeline")
class TimelineView(MethodView):
    @blp.doc(
        operationId="getTimeline",
        summary="Events, statements and articles per day, week, month or year",
        description=(
            "Counts of the events, statements and articles matching the filters, per `interval` "
            "bucket (`day`, ISO `week` from Monday and labelled by its Monday, `month` — the default — "
            "or `year`). Filters repeat for OR and combine with AND, as in the lists; `date_from` and "
            "`date_to` match fuzzy dates on overlap.\n\n"
            "Dates are fuzzy: an item is counted in the bucket that contains its whole date. An item "
            "less precise than the buckets (a month-precision event with `interval=day` or `week`, a "
            "year with `interval=month`) is never put on an arbitrary day: it is listed, with its "
            "value and precision, under `imprecise`. Statements without a date are counted in "
            "`undated` (none match when a date filter is given).\n\n"
            "Buckets are contiguous and zero-filled: from `date_from` to `date_to` when both are "
            f"given and that makes at most {MAX_BUCKETS:,} buckets, otherwise from the first to the last "
            "bucket holding an item (none when nothing is counted in a bucket). When the data itself "
            f"spans more than {MAX_BUCKETS:,} buckets, the request is a 400 naming `interval`.\n\n"
            "**Invariant**, for each series: the sum of its bucket counts + `imprecise.counts` "
            "(+ `undated.statements` for statements) = `totals` = the number of items the list "
            "endpoint returns with the same filters (for `entity`: `/v1/events?participant=` or "
            "`?location=`, `/v1/statements?speaker=` or `?about=`, `/v1/articles?entity=`)."
        ),
    )
    @blp.arguments(TimelineArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, TimelineSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        filters = {k: v for k, v in args.items() if k != "interval"}
        return timeline(get_session(), interval=args["interval"], filters=filters)
