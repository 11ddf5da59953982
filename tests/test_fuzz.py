"""Schemathesis, with every check, against gunicorn serving the test database over real HTTP.

Bounded for CI by SCHEMATHESIS_MAX_EXAMPLES (default 25 per operation and phase, fixed seed);
`make fuzz` runs a longer campaign.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(seeded_url: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": seeded_url,
        "VEILLE_RATE_LIMIT_ANONYMOUS": "1000000/minute",
        "VEILLE_LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
    }
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "api:create_app()",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start: " + (process.stderr.read() or b"").decode()[-2000:])
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=30)


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
