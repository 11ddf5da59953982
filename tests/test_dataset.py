"""The curated dataset holds the line: complete, consistent, stable, and served as curated."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from api.checks import SeedRows
from api.dataset.report import build_report
from api.text import fold_marks

STABLE_IDS = json.loads((Path(__file__).parent / "stable_ids.json").read_text(encoding="utf-8"))
SIGNING = "2023-05-25-tactical-nuclear-deployment-agreement"


def test_the_consistency_report_finds_no_gap(seed_rows: SeedRows) -> None:
    report = build_report(seed_rows)
    assert report.gaps == []
    assert report.unmentioned_entities == []


def test_the_report_flags_an_alias_occurrence_without_a_mention(seed_rows: SeedRows) -> None:
    dropped = seed_rows.mentions[0]
    rows = dataclasses.replace(seed_rows, mentions=seed_rows.mentions[1:])
    gaps = build_report(rows).gaps
    assert any(f"{dropped['text']!r} at {dropped['start']}" in gap for gap in gaps), gaps


def test_the_report_flags_a_quotation_mark_outside_statements_and_terms(seed_rows: SeedRows) -> None:
    directs = [s for s in seed_rows.statements if s["kind"] == "direct"]
    dropped = directs[0]
    rows = dataclasses.replace(seed_rows, statements=[s for s in seed_rows.statements if s is not dropped])
    gaps = build_report(rows).gaps
    assert any(dropped["article_id"] in gap and "quotation mark" in gap for gap in gaps), gaps


def test_every_quotation_mark_belongs_to_a_statement_or_a_quoted_term(seed_rows: SeedRows) -> None:
    gaps = build_report(seed_rows).gaps
    assert [gap for gap in gaps if "quotation mark" in gap or "not set off" in gap] == []


def test_every_alias_occurrence_in_an_article_is_a_mention(seed_rows: SeedRows) -> None:
    gaps = build_report(seed_rows).gaps
    assert [gap for gap in gaps if "not covered by a mention" in gap] == []


def test_straight_and_curly_apostrophes_match_alike() -> None:
    assert fold_marks("l'OTAN") == fold_marks("l’OTAN")
    assert fold_marks("Choïgou") == "Choigou"
    assert len(fold_marks("Biélooussov")) == len("Biélooussov")


def test_published_ids_stay_stable(client: FlaskClient) -> None:
    for collection, ids in STABLE_IDS.items():
        for item_id in ids:
            assert client.get(f"/v1/{collection}/{item_id}").status_code == 200, (collection, item_id)


def test_an_event_reported_by_two_articles_is_one_event_with_evidence_from_both(client: FlaskClient) -> None:
    event = client.get(f"/v1/events/{SIGNING}").get_json()
    assert {span["article"] for span in event["evidence"]} == {
        "a-2023-05-russia-belarus-nuclear-deployment-agreement",
        "a-2023-05-nato-russia-tensions-escalation",
    }
    assert event["date"]["value"] == "2023-05-25"
    listed = client.get(
        "/v1/events?date_from=2023-05-25&date_to=2023-05-25&type=agreement_signing"
    ).get_json()
    assert [e["id"] for e in listed["data"]].count(SIGNING) == 1


def test_speaker_filter_returns_every_quotation_of_that_person(
    client: FlaskClient, seed_rows: SeedRows
) -> None:
    speakers = {s["speaker_id"] for s in seed_rows.statements}
    for speaker in speakers:
        expected = {s["id"]: s["said_on_value"] for s in seed_rows.statements if s["speaker_id"] == speaker}
        body = client.get(f"/v1/statements?speaker={speaker}&limit=500").get_json()
        served = {s["id"]: (s["said_on"] or {}).get("value") for s in body["data"]}
        assert served == expected, speaker
    shoigu = client.get("/v1/statements?speaker=sergei-shoigu&kind=direct").get_json()["data"]
    assert shoigu and all(s["said_on"]["value"] == "2023-05-25" for s in shoigu)


def test_dataset_report_command_prints_statistics_and_no_gaps(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["dataset", "report"])
    assert result.exit_code == 0, result.output
    assert "Consistency gaps: 0" in result.output
    assert "Statements without a said-on date" in result.output
