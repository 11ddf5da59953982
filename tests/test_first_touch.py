"""What a new user meets first: the landing URLs, /v1's links and types, headers the README
describes, and parameters that would otherwise be silently ignored together."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pytest
from flask.testing import FlaskClient

from tests.helpers import assert_problem


def test_the_root_redirects_to_the_interactive_docs(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/docs"
    assert client.get("/docs").status_code == 200


def test_v1_with_a_trailing_slash_answers_like_v1(client: FlaskClient) -> None:
    plain, slashed = client.get("/v1"), client.get("/v1/")
    assert slashed.status_code == 200
    assert slashed.get_json() == plain.get_json()
    assert slashed.headers["ETag"] == plain.headers["ETag"]


def test_v1_links_lead_to_every_entry_point(client: FlaskClient) -> None:
    links = client.get("/v1").get_json()["links"]
    expected = {"articles", "entities", "statements", "events", "search", "timeline", "changes", "export"}
    assert expected | {"openapi", "docs", "redoc", "explore"} <= set(links)
    assert links["explore"] == "http://localhost/explore"
    for name, url in links.items():
        if name in ("explore", "search"):  # the explorer is a static page; search needs q
            continue
        assert client.get(url).status_code == 200, name
    assert client.get(links["search"] + "?q=nucleaire").status_code == 200


def test_dataset_version_is_the_header_value_as_a_string_of_digits(client: FlaskClient) -> None:
    response = client.get("/v1")
    version = response.get_json()["dataset_version"]
    assert isinstance(version, str) and re.fullmatch(r"[0-9]+", version)
    assert response.headers["X-Dataset-Version"] == version
    documented = client.get("/openapi.json").get_json()["components"]["schemas"]["Overview"]
    assert documented["properties"]["dataset_version"]["type"] == "string"
    assert documented["properties"]["dataset_version"]["pattern"] == "^[0-9]+$"


def test_etag_is_the_full_sha256_of_the_body(client: FlaskClient) -> None:
    for url in ("/v1", "/v1/statements?limit=3", "/v1/entities/sergei-shoigu"):
        response = client.get(url)
        assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"', url


def test_made_request_ids_are_32_random_hex_digits(client: FlaskClient) -> None:
    made = [client.get("/healthz").headers["X-Request-ID"] for _ in range(40)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in made)
    assert len(set(made)) == len(made)
    # every position varies: no fixed per-process prefix, no counter padded with zeros
    for position in range(32):
        assert len({request_id[position] for request_id in made}) > 1, position


def test_expanding_a_field_that_fields_leaves_out_is_a_400_naming_it(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/statements?fields=id,kind&expand=speaker"), 400)
    assert "speaker" in body["errors"]["expand"][0] and "fields" in body["errors"]["expand"][0]
    kept = client.get("/v1/statements?fields=id,speaker&expand=speaker&limit=1").get_json()["data"][0]
    assert set(kept) == {"id", "speaker"} and kept["speaker"]["id"]


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_facets_with_an_export_format_are_a_400(client: FlaskClient, fmt: str) -> None:
    body = assert_problem(client.get(f"/v1/statements?format={fmt}&facets=kind"), 400)
    assert list(body["errors"]) == ["facets"]
    # facet_size has a default that Swagger UI sends with every list: it is never refused for that
    assert client.get(f"/v1/statements?format={fmt}&facet_size=50").status_code == 200


def test_limit_bounds_a_csv_or_ndjson_export_and_absent_means_every_item(client: FlaskClient) -> None:
    rows = list(
        csv.DictReader(io.StringIO(client.get("/v1/statements?limit=2&format=csv").get_data(as_text=True)))
    )
    first_page = client.get("/v1/statements?limit=2").get_json()["data"]
    assert [row["id"] for row in rows] == [item["id"] for item in first_page]
    lines = client.get("/v1/statements?limit=3&format=ndjson").get_data(as_text=True).splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["id"] == first_page[0]["id"]
    total = client.get("/v1/statements?limit=1").get_json()["meta"]["count"]
    every = client.get("/v1/statements?format=csv").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(every)))) == total


def test_csv_fuzzy_dates_have_first_and_last_day_columns(client: FlaskClient) -> None:
    text = client.get("/v1/statements?format=csv&fields=said_on").get_data(as_text=True)
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    # two seeded statements: one dated to the year, one to the month (ids pinned by stable_ids.json)
    year, month = rows["st-6f8dc8871e99739c"], rows["st-006dcc38ccd368a2"]
    assert (year["said_on.value"], year["said_on.start"], year["said_on.end"]) == (
        "2023",
        "2023-01-01",
        "2023-12-31",
    )
    assert (month["said_on.value"], month["said_on.start"], month["said_on.end"]) == (
        "2023-03",
        "2023-03-01",
        "2023-03-31",
    )
    events = client.get("/v1/events?format=csv&fields=date&limit=1").get_data(as_text=True)
    first = next(csv.DictReader(io.StringIO(events)))
    assert first["date.start"] == first["date.end"] == first["date.value"] == "1999-12-08"


def test_bom_true_starts_the_csv_with_a_byte_order_mark_for_excel(client: FlaskClient) -> None:
    # each stream read to its end before the next request (it holds its request context)
    with_bom = client.get("/v1/statements?format=csv&limit=3&bom=true").get_data()
    plain = client.get("/v1/statements?format=csv&limit=3").get_data()
    assert with_bom.startswith(b"\xef\xbb\xbfid,") and plain.startswith(b"id,")
    assert with_bom[3:] == plain
    assert with_bom.decode("utf-8-sig") == plain.decode("utf-8")
    body = assert_problem(client.get("/v1/statements?format=ndjson&bom=true"), 400)
    assert list(body["errors"]) == ["bom"]
    assert_problem(client.get("/v1/statements?bom=true"), 400)
