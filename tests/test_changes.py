"""History and the change feed: nothing changes without a revision, and replaying the feed
rebuilds exactly what the API serves."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import SEEDS_DIR, load_seeds

COLLECTIONS = ("articles", "entities", "statements", "events")
VOLATILE = ("created_at", "updated_at", "counts")


def feed(client: FlaskClient, since: str | None = None, limit: int = 7) -> tuple[list[dict[str, Any]], str]:
    changes: list[dict[str, Any]] = []
    while True:
        query = f"?limit={limit}" + (f"&since={since}" if since else "")
        body = client.get(f"/v1/changes{query}").get_json()
        changes += body["data"]
        if body["meta"]["next_cursor"] == since or not body["data"]:
            return changes, body["meta"]["next_cursor"]
        since = body["meta"]["next_cursor"]


def replay(changes: list[dict[str, Any]], mirror: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    mirror = mirror or {c: {} for c in COLLECTIONS}
    for change in changes:
        if change["action"] in ("delete", "merge"):
            mirror[change["collection"]].pop(change["id"])
        else:
            mirror[change["collection"]][change["id"]] = change["data"]
    return mirror


def served(client: FlaskClient) -> dict[str, Any]:
    """Every list item without timestamps and counts; articles with their item's mentions."""
    mirror = {
        c: {
            i["id"]: {k: v for k, v in i.items() if k not in VOLATILE}
            for i in client.get(f"/v1/{c}?limit=500").get_json()["data"]
        }
        for c in COLLECTIONS
    }
    for article_id, article in mirror["articles"].items():
        article["mentions"] = client.get(f"/v1/articles/{article_id}").get_json()["related"]["mentions"]
    return mirror


def test_replaying_the_feed_gives_what_the_api_serves(client: FlaskClient) -> None:
    changes, cursor = feed(client)
    assert [int(c["seq"]) for c in changes] == sorted(int(c["seq"]) for c in changes)
    assert replay(changes) == served(client)
    again, same = feed(client, since=cursor)
    assert again == [] and same == cursor


def test_a_reload_that_changes_the_seeds_appears_in_the_feed_and_the_history(
    tmp_path: Path, empty_url: str, make_app: Callable[..., Flask]
) -> None:
    load_seeds(empty_url)
    app = make_app(DATABASE_URL=empty_url)
    client = app.test_client()
    before, cursor = feed(client)
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    entities = yaml.safe_load((seeds / "entities.yaml").read_text(encoding="utf-8"))
    entities[0]["description"] = "changed by a curator"
    (seeds / "entities.yaml").write_text(yaml.safe_dump(entities, allow_unicode=True), encoding="utf-8")
    article_file = sorted((seeds / "articles").glob("*.yaml"))[0]
    article = yaml.safe_load(article_file.read_text(encoding="utf-8"))
    removed = article["statements"].pop(0)
    article_file.write_text(yaml.safe_dump(article, allow_unicode=True), encoding="utf-8")
    between = datetime.now(UTC).isoformat()
    load_seeds(empty_url, seeds)
    changed = client.get(f"/v1/entities?updated_since={quote(between)}").get_json()["data"]
    assert [e["id"] for e in changed] == [entities[0]["id"]]
    after, _ = feed(client, since=cursor)
    actions = {(c["collection"], c["action"]) for c in after}
    assert ("entities", "update") in actions
    assert ("statements", "delete") in actions
    assert replay(after, replay(before)) == served(client)
    history = client.get(f"/v1/entities/{entities[0]['id']}/revisions").get_json()["data"]
    assert [r["action"] for r in history] == ["create", "update"]
    assert history[-1]["data"]["description"] == "changed by a curator"
    assert all(r["actor"] == "seed" for r in history)
    deleted = next(c for c in after if c["collection"] == "statements" and c["action"] == "delete")
    assert deleted["data"] is None
    assert removed["text"] in [
        r["data"]["text"]
        for r in client.get(f"/v1/statements/{deleted['id']}/revisions").get_json()["data"]
        if r["data"]
    ]


def test_a_bad_cursor_is_a_400_and_an_unknown_item_has_no_history(client: FlaskClient) -> None:
    assert client.get("/v1/changes?since=not-a-cursor").status_code == 400
    assert client.get("/v1/events/never-existed/revisions").status_code == 404


def test_a_cursor_past_every_revision_means_nothing_new(client: FlaskClient) -> None:
    body = client.get("/v1/changes?since=463619783545259538").get_json()
    assert body["data"] == []
