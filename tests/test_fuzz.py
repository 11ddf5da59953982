"""Schemathesis, with every check, against gunicorn over real HTTP: every operation, writes
included (an admin key is sent), on a throwaway seeded database of the backend under test.

Bounded for CI by SCHEMATHESIS_MAX_EXAMPLES (default 25 per operation and phase, fixed seed);
`make fuzz` runs a longer campaign. Statuses accepted beyond the defaults are listed, with the
reason for each, in schemathesis.toml; no check is excluded.
"""

from __future__ import annotations

import os
import re
import subprocess
import urllib.error
import urllib.request

import pytest

from api.config import PROJECT_ROOT
from tests.helpers import BIN
from tests.servers import LiveServer


@pytest.fixture(scope="module")
def server(live_server: LiveServer) -> tuple[str, str]:
    """gunicorn over a seeded database of its own (the fuzzer writes: retires, merges, creates)
    and an admin key, so every operation, writes included, is reached: (base URL, Authorization)."""
    return live_server.base, live_server.key("admin")


def test_schemathesis_finds_no_failure_with_every_check(server: tuple[str, str]) -> None:
    base, auth = server
    examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
    seed = os.environ.get("SCHEMATHESIS_SEED", "20261122")
    result = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            f"{base}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            examples,
            "--seed",
            seed,
            "--no-color",
            "--header",
            f"Authorization: {auth}",
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
    failures = max(output.find("= FAILURES ="), 0)
    # the failures first (the summary and warnings that follow can be long), then the end
    assert result.returncode == 0, output[failures : failures + 8000] + "\n…\n" + output[-2000:]
    assert generated and int(generated.group(1)) > 100, output[-2000:]


def test_gunicorn_lets_long_urls_reach_the_app_for_a_problem_json_414(server: tuple[str, str]) -> None:
    base, _auth = server
    for length in (2100, 20000):
        try:
            urllib.request.urlopen(f"{base}/v1/statements?q={'a' * length}", timeout=10)
            pytest.fail("a URL over 2,083 characters was served")
        except urllib.error.HTTPError as error:
            assert error.code == 414
            assert error.headers["Content-Type"] == "application/problem+json"
