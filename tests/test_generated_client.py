"""A Python client generated from the committed openapi.yaml calls every operation.

openapi-python-client (pinned in the dev extras) generates the package into a temp dir,
offline, with the project's `openapi-python-client.yaml`; the test imports it and, against
gunicorn over real HTTP serving a throwaway seeded database, calls each operation of the
spec once — reads, the NDJSON export, and every write with a key made by `flask keys create`
— and checks that each answer is a 2xx parsed into the model the spec names.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from api.checks import SeedRows
from api.config import PROJECT_ROOT
from tests.helpers import BIN
from tests.servers import LiveServer
from tests.test_writes import ARTICLE, ARTICLE_ID, DUPLICATE, EVENT, EVENT_ID, STATEMENT, STATEMENT_ID

SPEC = PROJECT_ROOT / "openapi.yaml"
CONFIG = PROJECT_ROOT / "openapi-python-client.yaml"
PACKAGE = "veille_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("client")
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(SPEC),
            "--output-path",
            str(out / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(CONFIG),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # every operation generated: a response it cannot type would be reported here
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


class Calls:
    """Calls operations by operationId and records which were called."""

    def __init__(self, package: ModuleType, anonymous: Any, writer: Any, admin: Any) -> None:
        self.package = package
        self.clients = {"read": anonymous, "write": writer, "admin": admin}
        self.called: set[str] = set()
        self.modules = {
            path.stem: path.parent.name
            for path in Path(package.__file__).parent.joinpath("api").glob("*/*.py")
            if path.stem != "__init__"
        }

    def model(self, name: str) -> type:
        return getattr(importlib.import_module(f"{PACKAGE}.models"), name)

    def __call__(
        self,
        operation_id: str,
        expected: type | None,
        *args: Any,
        scope: str = "read",
        status: int = 200,
        **kw: Any,
    ) -> Any:
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in operation_id)
        module = importlib.import_module(f"{PACKAGE}.api.{self.modules[snake]}.{snake}")
        response = module.sync_detailed(*args, client=self.clients[scope], **kw)
        detail = f"{operation_id}: {response.status_code} {response.content[:300]!r}"
        assert response.status_code == status, detail
        if expected is None:
            assert response.parsed is None, detail
        else:
            assert isinstance(response.parsed, expected), detail
        self.called.add(operation_id)
        return response


def test_the_generated_client_calls_every_operation(
    generated: ModuleType, live_server: LiveServer, seed_rows: SeedRows
) -> None:
    base = live_server.base  # a database of its own: the writes change it
    client_module = importlib.import_module(f"{PACKAGE}.client")
    anonymous = client_module.Client(base_url=base, raise_on_unexpected_status=True)
    writer, admin = (
        client_module.AuthenticatedClient(base_url=base, token=live_server.key(s).removeprefix("Bearer "))
        for s in ("write", "admin")
    )
    call = Calls(generated, anonymous, writer, admin)
    m: Callable[[str], type] = call.model

    # reads
    overview = call("getOverview", m("Overview")).parsed
    assert overview.counts.statements == len(seed_rows.statements)
    page = call("listStatements", m("StatementPage"), limit=2).parsed
    assert len(page.data) == 2 and page.meta.next_cursor
    assert call("listStatements", m("StatementPage"), cursor=page.meta.next_cursor).parsed.data
    call("getStatement", m("StatementItem"), "st-674fa164936e678d")
    call("listStatementRevisions", m("Revisions"), "st-674fa164936e678d")
    call("listArticles", m("ArticlePage"))
    call("getArticle", m("ArticleItem"), "a-2023-05-russia-belarus-nuclear-deployment-agreement")
    call("listArticleRevisions", m("Revisions"), "a-2023-05-russia-belarus-nuclear-deployment-agreement")
    call("listEntities", m("EntityPage"))
    call("getEntity", m("EntityItem"), "sergei-shoigu")
    call("listEntityRevisions", m("Revisions"), "sergei-shoigu")
    call("getEntityRelations", m("Relations"), "sergei-shoigu")
    assert call("resolveEntity", m("ResolveResult"), name="Choïgou").parsed.data[0].id == "sergei-shoigu"
    call("listEvents", m("EventPage"))
    call("getEvent", m("EventItem"), "2023-05-25-tactical-nuclear-deployment-agreement")
    call("listEventRevisions", m("Revisions"), "2023-05-25-tactical-nuclear-deployment-agreement")
    assert call("search", m("SearchPage"), q="nucléaire").parsed.data
    call("getTimeline", m("Timeline"))
    call("listChanges", m("Changes"))
    export = call("exportDataset", generated.types.File)
    lines = export.parsed.payload.read().decode().splitlines()
    assert len(lines) == sum(
        overview.counts.to_dict()[c] for c in ("articles", "entities", "statements", "events")
    )
    assert json.loads(lines[0])["type"] == "article"

    # writes: create, change, retire, restore each collection; merge a duplicate entity
    def etag(response: Any) -> str:
        return response.headers["ETag"]

    call(
        "createArticle",
        m("ArticleItem"),
        body=m("ArticleCreate").from_dict(ARTICLE),
        scope="write",
        status=201,
    )
    statement = call(
        "createStatement",
        m("StatementItem"),
        body=m("StatementCreate").from_dict(STATEMENT),
        scope="write",
        status=201,
    )
    call("createEvent", m("EventItem"), body=m("EventCreate").from_dict(EVENT), scope="write", status=201)
    entity = call(
        "createEntity",
        m("EntityItem"),
        body=m("EntityCreate").from_dict(DUPLICATE),
        scope="write",
        status=201,
    )
    assert statement.parsed.id == STATEMENT_ID
    patches = {  # operation, id, patch model, change, item read op and model
        "patchArticle": (ARTICLE_ID, "ArticlePatch", {"notes": "Relu."}, "getArticle", "ArticleItem"),
        "patchStatement": (
            STATEMENT_ID,
            "StatementPatch",
            {"status": "proposed"},
            "getStatement",
            "StatementItem",
        ),
        "patchEvent": (EVENT_ID, "EventPatch", {"status": "proposed"}, "getEvent", "EventItem"),
        "patchEntity": (
            DUPLICATE["id"],
            "EntityPatch",
            {"description": "Doublon"},
            "getEntity",
            "EntityItem",
        ),
    }
    for operation_id, (item_id, patch, changes, read, item) in patches.items():
        # the item as it is now: creating the statement and event changed the article's `related`
        read_etag = etag(call(read, m(item), item_id))
        body = m(patch).from_dict(changes)
        call(operation_id, m(item), item_id, body=body, if_match=read_etag, scope="write")
    assert entity.parsed.id == DUPLICATE["id"]
    merged = call(
        "mergeEntity",
        m("EntityItem"),
        DUPLICATE["id"],
        body=m("Merge").from_dict({"into": "andrei-belousov"}),
        scope="write",
    )
    assert merged.parsed.id == "andrei-belousov"
    call(
        "createEntity",
        m("EntityItem"),
        body=m("EntityCreate").from_dict(
            {"id": "test-curator-entity", "name": "Test Curator", "type": "person"}
        ),
        scope="write",
        status=201,
    )
    # an article with live statements cannot be retired: the statement goes first
    for operation_id, read, item, item_id in (
        ("retireStatement", "getStatement", "StatementItem", STATEMENT_ID),
        ("retireEvent", "getEvent", "EventItem", EVENT_ID),
        ("retireArticle", "getArticle", "ArticleItem", ARTICLE_ID),
        ("retireEntity", "getEntity", "EntityItem", "test-curator-entity"),
    ):
        read_etag = etag(call(read, m(item), item_id))
        call(operation_id, None, item_id, if_match=read_etag, scope="write", status=204)
    for operation_id, item, item_id in (
        ("restoreArticle", "ArticleItem", ARTICLE_ID),
        ("restoreStatement", "StatementItem", STATEMENT_ID),
        ("restoreEvent", "EventItem", EVENT_ID),
        ("restoreEntity", "EntityItem", "test-curator-entity"),
    ):
        assert call(operation_id, m(item), item_id, scope="admin").parsed.id == item_id

    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    every = {
        op["operationId"] for item in spec["paths"].values() for op in item.values() if "operationId" in op
    }
    assert call.called == every, f"not called: {sorted(every - call.called)}"
