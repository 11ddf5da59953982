"""The README's Dashboards section works as written: its pandas example runs and its
Vega-Lite spec reads fields that /v1/timeline really serves, over real HTTP (gunicorn)."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from api.config import PROJECT_ROOT
from tests.servers import serve

README_HOST = "http://127.0.0.1:8000"


def dashboards_section() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Dashboards\n(.*?)^## ", readme, flags=re.S | re.M)
    assert match, "README has no Dashboards section"
    return match.group(1)


def code_block(language: str) -> str:
    blocks = re.findall(rf"^```{language}\n(.*?)^```", dashboards_section(), flags=re.S | re.M)
    assert len(blocks) == 1, f"expected one {language} block in Dashboards"
    return blocks[0]


@pytest.fixture(scope="module")
def server(seeded_url: str) -> Iterator[str]:
    with serve(seeded_url) as base:
        yield base


def test_the_pandas_example_reads_the_statements_with_plottable_dates(server: str) -> None:
    code = code_block("python")
    assert README_HOST in code
    namespace: dict[str, Any] = {}
    exec(compile(code.replace(README_HOST, server), "README.md", "exec"), namespace)
    statements = namespace["statements"]
    with urllib.request.urlopen(f"{server}/v1/statements?limit=1") as response:
        total = json.load(response)["meta"]["count"]
    assert len(statements) == min(total, 500)
    assert str(statements["said_on.start"].dtype).startswith("datetime64")
    dated_rows = statements[statements["said_on.start"].notna()]  # undated statements: empty cells
    assert (dated_rows["said_on.start"] <= dated_rows["said_on.end"]).all()
    dated = len(dated_rows)
    assert namespace["per_month"].sum() == dated > 0
    assert namespace["top_speakers"].index[0]  # an entity id


def test_the_vega_lite_spec_reads_fields_the_timeline_serves(server: str) -> None:
    spec = json.loads(code_block("json"))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v5")
    url = spec["data"]["url"]
    assert url.startswith(f"{README_HOST}/v1/timeline?")
    request = urllib.request.Request(
        url.replace(README_HOST, server), headers={"Origin": "https://example.org"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        # a chart on another origin may read it
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        body = json.load(response)
    rows = body[spec["data"]["format"]["property"]]
    assert rows and any(row["statements"] or row["events"] for row in rows)
    folded = spec["transform"][0]
    made = set(folded["as"])
    read = set(folded["fold"]) | {e["field"] for e in spec["encoding"].values()} - made
    for row in rows:
        assert read <= set(row), read - set(row)


def test_make_serve_binds_the_port_given_in_port() -> None:
    """`make -n` prints the commands without running them."""
    for args, env, port in (([], {}, "8000"), (["PORT=8123"], {}, "8123"), ([], {"PORT": "8124"}, "8124")):
        result = subprocess.run(
            ["make", "-n", "serve", *args],
            cwd=PROJECT_ROOT,
            env={"PATH": "/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        assert f"--bind 127.0.0.1:{port} " in result.stdout, result.stdout
