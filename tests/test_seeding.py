"""The loader: validation refuses bad data with nothing written; loading is idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from api import create_app
from api.dataset.seed_files import SeedError, read_seeds
from tests.helpers import SEEDS_DIR, load_seeds, migrate, snapshot


def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, target)
    return target


def edit_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def first_article_file(seeds: Path) -> Path:
    return sorted((seeds / "articles").glob("*.yaml"))[0]


def cli_seed(url: str, seeds: Path) -> Any:
    app: Flask = create_app({"DATABASE_URL": url})
    try:
        return app.test_cli_runner().invoke(args=["seed", "--path", str(seeds)])
    finally:
        app.extensions["veille.engine"].dispose()


def test_seeding_twice_writes_nothing_the_second_time(empty_url: str) -> None:
    load_seeds(empty_url)
    first = snapshot(empty_url)
    load_seeds(empty_url)
    assert snapshot(empty_url) == first
    assert first["statements"] and first["mentions"] and first["events"]


def test_ids_are_the_same_in_two_independent_loads(databases: Any, empty_url: str) -> None:
    other = databases.create()
    migrate(other)
    load_seeds(empty_url)
    load_seeds(other)
    one, two = snapshot(empty_url), snapshot(other)
    for table in ("entities", "articles", "statements", "mentions", "events", "event_evidence"):
        assert [row["id"] for row in one[table]] == [row["id"] for row in two[table]], table


def test_seed_command_reports_the_version_and_no_changes_on_rerun(empty_url: str) -> None:
    first = cli_seed(empty_url, SEEDS_DIR)
    assert first.exit_code == 0, first.output
    assert "dataset version 1" in first.output
    second = cli_seed(empty_url, SEEDS_DIR)
    assert second.exit_code == 0
    assert "dataset version 1; no changes" in second.output


def test_span_not_at_its_offsets_is_refused_and_nothing_is_written(tmp_path: Path, empty_url: str) -> None:
    seeds = seeds_copy(tmp_path)

    def shift_first_statement(data: dict[str, Any]) -> None:
        data["statements"][0]["start"] += 1

    edit_yaml(first_article_file(seeds), shift_first_statement)
    result = cli_seed(empty_url, seeds)
    assert result.exit_code == 1
    assert "is not at" in result.output
    assert "nothing was written" in result.output
    assert all(rows == [] for rows in snapshot(empty_url).values())


def test_refused_seeds_leave_a_loaded_dataset_untouched(tmp_path: Path, empty_url: str) -> None:
    load_seeds(empty_url)
    before = snapshot(empty_url)
    seeds = seeds_copy(tmp_path)

    def dangle(data: dict[str, Any]) -> None:
        data["mentions"][0]["entity"] = "no-such-entity"

    edit_yaml(first_article_file(seeds), dangle)
    assert cli_seed(empty_url, seeds).exit_code == 1
    assert snapshot(empty_url) == before


def test_dangling_references_are_named(tmp_path: Path) -> None:
    seeds = seeds_copy(tmp_path)

    def dangle(data: dict[str, Any]) -> None:
        data["statements"][0]["speaker"] = "ghost"
        data["statements"][0]["event"] = "no-such-event"

    edit_yaml(first_article_file(seeds), dangle)
    with pytest.raises(SeedError) as caught:
        read_seeds(seeds)
    text = "\n".join(caught.value.problems)
    assert "unknown speaker entity 'ghost'" in text
    assert "unknown event 'no-such-event'" in text


def test_duplicate_entity_id_is_refused(tmp_path: Path) -> None:
    seeds = seeds_copy(tmp_path)
    edit_yaml(seeds / "entities.yaml", lambda data: data.append(dict(data[0])))
    with pytest.raises(SeedError) as caught:
        read_seeds(seeds)
    assert any("duplicate entity id" in p for p in caught.value.problems)


def test_unknown_keys_and_bad_dates_are_refused(tmp_path: Path) -> None:
    seeds = seeds_copy(tmp_path)

    def spoil(data: list[dict[str, Any]]) -> None:
        data[0]["colour"] = "red"
        data[0]["date"] = {"value": "2023-02-30", "precision": "day"}

    edit_yaml(seeds / "events.yaml", spoil)
    with pytest.raises(SeedError) as caught:
        read_seeds(seeds)
    text = "\n".join(caught.value.problems)
    assert "unknown key 'colour'" in text
    assert "not a calendar date" in text


def test_a_changed_description_updates_one_row_and_bumps_the_version(tmp_path: Path, empty_url: str) -> None:
    load_seeds(empty_url)
    before = snapshot(empty_url)
    seeds = seeds_copy(tmp_path)

    def redescribe(data: list[dict[str, Any]]) -> None:
        data[0]["description"] = "changed by a curator"

    edit_yaml(seeds / "entities.yaml", redescribe)
    load_seeds(empty_url, seeds)
    after = snapshot(empty_url)
    changed = [row for row in after["entities"] if row not in before["entities"]]
    assert len(changed) == 1
    assert changed[0]["description"] == "changed by a curator"
    assert changed[0]["updated_at"] > changed[0]["created_at"]
    assert after["dataset_state"][0]["version"] == before["dataset_state"][0]["version"] + 1
    for table in ("statements", "mentions", "events", "articles"):
        assert after[table] == before[table]


def test_a_statement_removed_from_the_seeds_is_retired_not_erased(tmp_path: Path, empty_url: str) -> None:
    load_seeds(empty_url)
    seeds = seeds_copy(tmp_path)
    removed: dict[str, Any] = {}

    def drop_first(data: dict[str, Any]) -> None:
        removed.update(data["statements"].pop(0))

    edit_yaml(first_article_file(seeds), drop_first)
    load_seeds(empty_url, seeds)
    rows = snapshot(empty_url)["statements"]
    retired = [row for row in rows if row["text"] == removed["text"] and row["start"] == removed["start"]]
    assert len(retired) == 1
    assert retired[0]["deleted_at"] is not None
    app = create_app({"DATABASE_URL": empty_url})
    try:
        client = app.test_client()
        listed = client.get("/v1/statements?limit=500").get_json()["data"]
        assert retired[0]["id"] not in {s["id"] for s in listed}
        gone = client.get(f"/v1/statements/{retired[0]['id']}")
        assert gone.status_code == 410
        assert gone.mimetype == "application/problem+json"
        assert client.get(f"/v1/statements/{retired[0]['id']}/revisions").status_code == 200
    finally:
        app.extensions["veille.engine"].dispose()
