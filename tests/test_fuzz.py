"""Schemathesis, with every check, against gunicorn serving the test database over real HTTP.

Bounded for CI by SCHEMATHESIS_MAX_EXAMPLES (default 25 per operation and phase, fixed seed);
`make fuzz` runs a longer campaign.
"""

from __future__ import annotations

import os
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from api.config import PROJECT_ROOT
from tests.helpers import BIN, gunicorn_server


@pytest.fixture(scope="module")
def server(seeded_url: str) -> Iterator[str]:
    with gunicorn_server(seeded_url) as base:
        yield base


def test_schemathesis_finds_no_failure_with_every_check(server: str) -> None:
    examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
    seed = os.environ.get("SCHEMATHESIS_SEED", "20261122")
    result = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            f"{server}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            examples,
            "--seed",
            seed,
            "--no-color",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    generated = re.search(r"(\d+) generated", output)
    print(
        f"schemathesis: {generated.group(0) if generated else 'no count'} (max examples {examples}, seed {seed})"
    )
    assert result.returncode == 0, output[-6000:]
    assert generated and int(generated.group(1)) > 100, output[-2000:]


def test_gunicorn_lets_long_urls_reach_the_app_for_a_problem_json_414(server: str) -> None:
    for length in (2100, 20000):
        try:
            urllib.request.urlopen(f"{server}/v1/statements?q={'a' * length}", timeout=10)
            pytest.fail("a URL over 2,083 characters was served")
        except urllib.error.HTTPError as error:
            assert error.code == 414
            assert error.headers["Content-Type"] == "application/problem+json"
