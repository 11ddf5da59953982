"""Serving a throwaway database with real gunicorn over real HTTP, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from api import create_app
from api.config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_key(url: str, scope: str = "admin") -> str:
    """A new API key with ``scope`` in the database at ``url``: the Authorization header value."""
    app = create_app({"DATABASE_URL": url})
    try:
        result = app.test_cli_runner().invoke(
            args=["keys", "create", "--name", f"e2e-{scope}", "--scope", scope]
        )
        assert result.exit_code == 0, result.output
        return f"Bearer {result.output.strip()}"
    finally:
        app.extensions["veille.engine"].dispose()


@contextmanager
def gunicorn(url: str, **environment: str) -> Iterator[str]:
    """gunicorn (the project's config) serving ``url`` on a free loopback port: its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "VEILLE_RATE_LIMIT_ANONYMOUS": "1000000/minute",
        "VEILLE_RATE_LIMIT_KEYED": "1000000/minute",
        "VEILLE_LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
        **environment,
    }
    # a file, not a pipe: a long run's log lines must never fill a pipe nobody reads
    with tempfile.TemporaryFile() as log:
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
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        try:
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        process.kill()
                        log.seek(0)
                        pytest.fail("gunicorn did not start: " + log.read().decode()[-2000:])
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)
