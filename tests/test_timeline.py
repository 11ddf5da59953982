"""GET /v1/timeline: buckets, imprecise and undated items, totals, errors — checked against the seeds.

Every expectation is computed here in plain Python from ``seed_rows``, and every total is also
checked against what the list endpoints return for the same filters.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.checks import SeedRows
from schemas.vocabulary import EVENT_TYPES, STATEMENT_KINDS
from tests.test_lists import assert_bad_parameter, date_bounds, fetch_ids

Params = list[tuple[str, str]]

SERIES = ("events", "statements", "articles")
INTERVALS = ("day", "week", "month", "year")
PARAMETERS = ("interval", "entity", "event_type", "kind", "date_from", "date_to")
MAX_BUCKETS = 20_000


@dataclass(frozen=True)
class Item:
    id: str
    value: str | None
    precision: str | None
    entities: frozenset[str]  # entities the ``entity`` filter matches the item by
    type: str | None = None  # event type or statement kind

    @property
    def span(self) -> tuple[date, date] | None:
        return date_bounds(self.value) if self.value else None


def seed_items(seeds: SeedRows) -> dict[str, list[Item]]:
    """Every item of each series, with what the timeline filters look at."""
    involved: dict[str, set[str]] = defaultdict(set)
    for p in seeds.event_participants:
        involved[p["event_id"]].add(p["entity_id"])
    about: dict[str, set[str]] = defaultdict(set)
    for a in seeds.statement_about:
        about[a["statement_id"]].add(a["entity_id"])
    mentioned: dict[str, set[str]] = defaultdict(set)
    for m in seeds.mentions:
        mentioned[m["article_id"]].add(m["entity_id"])
    return {
        "events": [
            Item(
                e["id"],
                e["date_value"],
                e["date_precision"],
                frozenset(involved[e["id"]] | ({e["location_id"]} if e["location_id"] else set())),
                e["type"],
            )
            for e in seeds.events
        ],
        "statements": [
            Item(
                s["id"],
                s["said_on_value"],
                s["said_on_precision"],
                frozenset(about[s["id"]] | {s["speaker_id"]}),
                s["kind"],
            )
            for s in seeds.statements
        ],
        "articles": [
            Item(a["id"], a["published_value"], a["published_precision"], frozenset(mentioned[a["id"]]))
            for a in seeds.articles
        ],
    }


def matching(items: dict[str, list[Item]], params: Params) -> dict[str, list[Item]]:
    """The items of each series that the timeline filters ``params`` select."""
    given: dict[str, list[str]] = defaultdict(list)
    for name, value in params:
        given[name].append(value)
    first = date_bounds(given["date_from"][0])[0] if given["date_from"] else None
    last = date_bounds(given["date_to"][0])[1] if given["date_to"] else None

    def keep(series: str, item: Item) -> bool:
        if given["entity"] and not item.entities & set(given["entity"]):
            return False
        if series == "events" and given["event_type"] and item.type not in given["event_type"]:
            return False
        if series == "statements" and given["kind"] and item.type not in given["kind"]:
            return False
        if first or last:
            span = item.span
            if span is None or (first and span[1] < first) or (last and span[0] > last):
                return False
        return True

    return {series: [i for i in rows if keep(series, i)] for series, rows in items.items()}


def bucket_key(day: date, interval: str) -> date:
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def label(start: date, interval: str) -> str:
    return start.isoformat()[: {"day": 10, "week": 10, "month": 7, "year": 4}[interval]]


def fits(item: Item, interval: str) -> bool:
    """Whether one bucket contains the item's whole date."""
    span = item.span
    return span is not None and bucket_key(span[0], interval) == bucket_key(span[1], interval)


@pytest.fixture(scope="module")
def items(seed_rows: SeedRows) -> dict[str, list[Item]]:
    found = seed_items(seed_rows)
    for series, rows in found.items():
        if not rows:
            pytest.fail(f"the dataset has no {series}: nothing to count")
    return found


def most_involved(items: dict[str, list[Item]], count: int) -> list[str]:
    """The entities the most items involve, most first (ties by id)."""
    tally = Counter(e for rows in items.values() for i in rows for e in i.entities)
    return [e for e, _ in sorted(tally.items(), key=lambda p: (-p[1], p[0]))[:count]]


def location_only(seeds: SeedRows) -> str:
    """The entity that is the location of the most events it does not take part in."""
    participants = {(p["event_id"], p["entity_id"]) for p in seeds.event_participants}
    places = Counter(
        e["location_id"]
        for e in seeds.events
        if e["location_id"] and (e["id"], e["location_id"]) not in participants
    )
    if not places:
        pytest.fail("no event takes place somewhere that is not a participant: location is not exercised")
    return min(places, key=lambda p: (-places[p], p))


def filter_cases(items: dict[str, list[Item]], seeds: SeedRows) -> list[Params]:
    """Filter combinations drawn from the seeds: each filter alone, several together."""
    top, second = most_involved(items, 2)
    event_type = Counter(i.type for i in items["events"]).most_common(1)[0][0]
    values = sorted(i.value for rows in items.values() for i in rows if i.value)
    months = sorted(v for v in values if len(v) == 7)
    if not months:
        pytest.fail("no item dated by month: imprecise items are not exercised")
    return [
        [],
        [("entity", top)],
        [("entity", top), ("entity", second)],
        [("entity", location_only(seeds))],
        [("event_type", event_type)],
        [("kind", STATEMENT_KINDS[0])],
        [("date_from", months[len(months) // 2])],
        [("date_to", values[len(values) // 2])],
        [("date_from", months[0]), ("date_to", values[-1][:4])],
        [("date_from", values[0]), ("date_to", months[0])],
        [("entity", second), ("kind", STATEMENT_KINDS[0]), ("date_from", values[0][:4])],
        [("entity", top), ("event_type", event_type), ("date_to", months[-1])],
    ]


def get_timeline(client: FlaskClient, params: Params) -> TestResponse:
    return client.get(f"/v1/timeline?{urlencode(params)}")


def timeline(client: FlaskClient, params: Params) -> dict[str, Any]:
    response = get_timeline(client, params)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"interval", "buckets", "totals", "imprecise", "undated"}
    return body


def listed(client: FlaskClient, params: Params) -> dict[str, set[str]]:
    """Ids the list endpoints return for the timeline filters ``params``: per series, an OR over
    the entity's roles (events: participant or location; statements: speaker or about)."""
    given: dict[str, list[str]] = defaultdict(list)
    for name, value in params:
        given[name].append(value)
    roles = {
        "events": ("participant", "location"),
        "statements": ("speaker", "about"),
        "articles": ("entity",),
    }
    dates = {
        "events": ("date_from", "date_to"),
        "statements": ("said_from", "said_to"),
        "articles": ("published_from", "published_to"),
    }
    found: dict[str, set[str]] = {}
    for series in SERIES:
        common: Params = [(dates[series][0], v) for v in given["date_from"]]
        common += [(dates[series][1], v) for v in given["date_to"]]
        if series == "events":
            common += [("type", v) for v in given["event_type"]]
        if series == "statements":
            common += [("kind", v) for v in given["kind"]]
        variants = [[*common, *((role, e) for e in given["entity"])] for role in roles[series]]
        found[series] = set().union(
            *(fetch_ids(client, series, v) for v in (variants if given["entity"] else [common]))
        )
    return found


def assert_contiguous(buckets: list[dict[str, Any]], interval: str) -> None:
    """Buckets are whole calendar buckets, labelled as documented, with no gap and no overlap."""
    for bucket in buckets:
        start, end = date.fromisoformat(bucket["start"]), date.fromisoformat(bucket["end"])
        assert bucket_key(start, interval) == start == bucket_key(end, interval), bucket
        assert bucket_key(end + timedelta(days=1), interval) != start, f"{bucket} stops short"
        assert bucket["label"] == label(start, interval)
        assert all(isinstance(bucket[s], int) and bucket[s] >= 0 for s in SERIES)
    for before, after in itertools.pairwise(buckets):
        assert date.fromisoformat(after["start"]) == date.fromisoformat(before["end"]) + timedelta(days=1)


def assert_timeline(body: dict[str, Any], want: dict[str, list[Item]], params: Params, interval: str) -> None:
    """The response counts exactly ``want``: per bucket, as imprecise and as undated."""
    buckets = body["buckets"]
    assert body["interval"] == interval
    assert_contiguous(buckets, interval)
    served = {b["label"]: {s: b[s] for s in SERIES} for b in buckets if any(b[s] for s in SERIES)}
    expected: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SERIES, 0))
    for series, rows in want.items():
        for item in rows:
            if fits(item, interval):
                span = item.span
                assert span is not None
                expected[label(bucket_key(span[0], interval), interval)][series] += 1
        imprecise = [i for i in rows if i.span and not fits(i, interval)]
        assert {(i["id"], i["value"], i["precision"]) for i in body["imprecise"][series]} == {
            (i.id, i.value, i.precision) for i in imprecise
        }, f"{series} imprecise for {params}"
        for entry in body["imprecise"][series]:
            assert (date.fromisoformat(entry["start"]), date.fromisoformat(entry["end"])) == date_bounds(
                entry["value"]
            )
        assert body["imprecise"]["counts"][series] == len(imprecise)
    assert served == dict(expected), f"bucket counts for {params}"
    assert body["undated"] == {"statements": sum(1 for i in want["statements"] if i.span is None)}
    # the documented invariant
    for series in SERIES:
        placed = sum(b[series] for b in buckets) + body["imprecise"]["counts"][series]
        placed += body["undated"]["statements"] if series == "statements" else 0
        assert placed == body["totals"][series] == len(want[series]), f"{series} for {params}"
    # the range: from date_from to date_to when both are given, else the first to the last counted
    given = dict(params)
    if "date_from" in given and "date_to" in given:
        first, last = date_bounds(given["date_from"])[0], date_bounds(given["date_to"])[1]
        assert buckets[0]["start"] == bucket_key(first, interval).isoformat()
        assert buckets[-1]["start"] == bucket_key(last, interval).isoformat()
    elif served:
        assert buckets[0]["label"] == min(served) and buckets[-1]["label"] == max(served)
    else:
        assert buckets == []


# --------------------------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------------------------


def test_every_item_is_counted_once_for_every_interval_and_filter(
    client: FlaskClient, items: dict[str, list[Item]], seed_rows: SeedRows
) -> None:
    for params in filter_cases(items, seed_rows):
        want = matching(items, params)
        listed_ids = listed(client, params)
        for series in SERIES:
            assert {i.id for i in want[series]} == listed_ids[series], f"{series} for {params}"
        for interval in INTERVALS:
            body = timeline(client, [("interval", interval), *params])
            assert_timeline(body, want, params, interval)
            assert body["totals"] == {s: len(listed_ids[s]) for s in SERIES}


def test_the_filters_narrow_the_timeline(
    client: FlaskClient, items: dict[str, list[Item]], seed_rows: SeedRows
) -> None:
    everything = timeline(client, [])["totals"]
    assert everything == {s: len(items[s]) for s in SERIES}
    for params in filter_cases(items, seed_rows)[1:]:
        totals = timeline(client, params)["totals"]
        assert all(totals[s] <= everything[s] for s in SERIES)
        assert totals != everything, f"{params} selects everything: the filter is not exercised"


def test_interval_defaults_to_month(client: FlaskClient, items: dict[str, list[Item]]) -> None:
    body = timeline(client, [])
    assert body["interval"] == "month"
    assert body == timeline(client, [("interval", "month")])


@pytest.mark.parametrize("interval", ["day", "week"])
def test_items_dated_by_month_or_year_are_never_put_in_a_day_or_week_bucket(
    client: FlaskClient, items: dict[str, list[Item]], interval: str
) -> None:
    body = timeline(client, [("interval", interval)])
    for series, rows in items.items():
        by_day = [i for i in rows if i.precision == "day"]
        vague = {(i.id, i.value, i.precision) for i in rows if i.precision in ("month", "year")}
        assert sum(b[series] for b in body["buckets"]) == len(by_day)
        assert {(i["id"], i["value"], i["precision"]) for i in body["imprecise"][series]} == vague
    if not any(i.precision == "month" for rows in items.values() for i in rows):
        pytest.fail("no item dated by month in the dataset")


def test_an_item_dated_by_month_is_counted_in_its_month_and_year(
    client: FlaskClient, items: dict[str, list[Item]]
) -> None:
    monthly = [(s, i) for s in SERIES for i in items[s] if i.precision == "month"]
    if not monthly:
        pytest.fail("no item dated by month in the dataset")
    for interval in ("month", "year"):
        body = timeline(client, [("interval", interval)])
        assert all(not body["imprecise"][s] for s in SERIES if interval == "year")
        by_label = {b["label"]: b for b in body["buckets"]}
        for series, item in monthly:
            assert item.span is not None
            assert by_label[label(bucket_key(item.span[0], interval), interval)][series] >= 1
            assert item.id not in {i["id"] for i in body["imprecise"][series]}


def test_items_dated_by_year_are_imprecise_by_month(
    client: FlaskClient, items: dict[str, list[Item]]
) -> None:
    yearly = {(s, i.id) for s in SERIES for i in items[s] if i.precision == "year"}
    if not yearly:
        pytest.fail("no item dated by year in the dataset")
    body = timeline(client, [("interval", "month")])
    assert yearly <= {(s, i["id"]) for s in SERIES for i in body["imprecise"][s]}


def test_undated_statements_are_counted_apart_and_never_with_a_date_filter(
    client: FlaskClient, items: dict[str, list[Item]]
) -> None:
    undated = sum(1 for i in items["statements"] if i.value is None)
    if not undated:
        pytest.fail("no undated statement in the dataset")
    assert timeline(client, [])["undated"] == {"statements": undated}
    assert timeline(client, [("date_from", "0001")])["undated"] == {"statements": 0}
    assert timeline(client, [("date_to", "9999")])["undated"] == {"statements": 0}


def test_week_buckets_start_on_monday_and_are_labelled_by_it(
    client: FlaskClient, items: dict[str, list[Item]]
) -> None:
    buckets = timeline(client, [("interval", "week")])["buckets"]
    assert buckets
    for bucket in buckets:
        start = date.fromisoformat(bucket["start"])
        assert start.weekday() == 0
        assert bucket["label"] == bucket["start"]
        assert date.fromisoformat(bucket["end"]) - start == timedelta(days=6)


def test_a_range_without_items_is_all_zero_buckets_and_no_range_is_no_buckets(client: FlaskClient) -> None:
    body = timeline(client, [("interval", "year"), ("date_from", "0001"), ("date_to", "0003")])
    assert [b["label"] for b in body["buckets"]] == ["0001", "0002", "0003"]
    assert all(b[s] == 0 for b in body["buckets"] for s in SERIES)
    assert body["totals"] == dict.fromkeys(SERIES, 0)
    assert timeline(client, [("entity", "no-such-entity")])["buckets"] == []


def test_the_last_representable_week_ends_on_9999_12_31(client: FlaskClient) -> None:
    buckets = timeline(client, [("interval", "week"), ("date_from", "9999-12"), ("date_to", "9999")])[
        "buckets"
    ]
    assert buckets[-1]["end"] == "9999-12-31"
    assert buckets[-1]["start"] == "9999-12-27"


def test_the_largest_allowed_range_is_served(client: FlaskClient) -> None:
    first = date(2000, 1, 1)
    last = first + timedelta(days=MAX_BUCKETS - 1)
    body = timeline(
        client, [("interval", "day"), ("date_from", first.isoformat()), ("date_to", last.isoformat())]
    )
    assert len(body["buckets"]) == MAX_BUCKETS


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("interval", ["hour", "", "Month", "months", "quarter"])
def test_unknown_interval_is_a_400(client: FlaskClient, interval: str) -> None:
    body = assert_bad_parameter(get_timeline(client, [("interval", interval)]), "interval")
    assert "week" in " ".join(body["errors"]["interval"])


@pytest.mark.parametrize("parameter", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["2023-13", "2023-02-30", "2023-1", "20230101", "yesterday", ""])
def test_invalid_date_is_a_400(client: FlaskClient, parameter: str, value: str) -> None:
    assert_bad_parameter(get_timeline(client, [(parameter, value)]), parameter)


@pytest.mark.parametrize(("parameter", "value"), [("event_type", "party"), ("kind", "rumour")])
def test_invalid_type_or_kind_is_a_400(client: FlaskClient, parameter: str, value: str) -> None:
    assert_bad_parameter(get_timeline(client, [(parameter, value)]), parameter)


@pytest.mark.parametrize("parameter", ["type", "participant", "said_from", "limit", "cursor", "nonsense"])
def test_unknown_parameter_is_a_400_listing_the_allowed_ones(client: FlaskClient, parameter: str) -> None:
    body = assert_bad_parameter(get_timeline(client, [(parameter, "1")]), parameter)
    assert all(name in body["detail"] for name in PARAMETERS)


def test_interval_given_twice_is_a_400(client: FlaskClient) -> None:
    assert_bad_parameter(get_timeline(client, [("interval", "day"), ("interval", "year")]), "interval")


def test_a_range_that_ends_before_it_begins_matches_nothing(client: FlaskClient) -> None:
    reversed_range = timeline(client, [("date_from", "2024"), ("date_to", "2023-12")])
    assert reversed_range["buckets"] == []
    assert reversed_range["totals"] == {"events": 0, "statements": 0, "articles": 0}
    # a range inside one day, month or year is fine
    assert get_timeline(client, [("date_from", "2024-02"), ("date_to", "2024")]).status_code == 200


@pytest.mark.parametrize(
    ("interval", "date_from", "date_to"),
    [
        ("day", "0001", "9999"),
        ("week", "1500", "9999"),
        ("month", "0001", "9999"),
        ("day", "1950", "2054-10"),
    ],
)
def test_a_range_too_wide_to_zero_fill_falls_back_to_the_span_of_the_data(
    client: FlaskClient, interval: str, date_from: str, date_to: str
) -> None:
    wide = timeline(client, [("interval", interval), ("date_from", date_from), ("date_to", date_to)])
    unfiltered = timeline(client, [("interval", interval)])
    assert wide["buckets"] == unfiltered["buckets"]
    assert len(wide["buckets"]) <= MAX_BUCKETS


def test_data_spanning_more_buckets_than_allowed_is_a_400(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.queries.timeline.MAX_BUCKETS", 100)
    body = assert_bad_parameter(get_timeline(client, [("interval", "day")]), "interval")
    assert "at most 100" in body["detail"]


def test_every_event_type_and_kind_is_accepted(client: FlaskClient) -> None:
    params = [("event_type", t) for t in EVENT_TYPES] + [("kind", k) for k in STATEMENT_KINDS]
    assert timeline(client, params)["totals"] == timeline(client, [])["totals"]
