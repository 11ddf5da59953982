"""Real servers for end-to-end tests: gunicorn as `make run` starts it, and a private
PostgreSQL cluster that a test may freeze, stop and restart."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api import create_app
from api.config import PROJECT_ROOT
from tests.helpers import close_app, new_key

BIN = Path(sys.executable).parent


def _pg_bin() -> Path:
    """Where initdb and pg_ctl are: VEILLE_PG_BIN, else on PATH, else Debian's newest."""
    if configured := os.environ.get("VEILLE_PG_BIN"):
        return Path(configured)
    if found := shutil.which("initdb"):
        return Path(found).parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return debian[-1].parent if debian else Path("/usr/local/bin")


PG_BIN = _pg_bin()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def http_get(url: str, *, timeout: float = 10.0, headers: dict[str, str] | None = None) -> Reply:
    """One GET over a new connection; any status is a Reply, only a transport failure raises."""
    started = time.monotonic()
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw_headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, raw_headers, body = error.code, error.headers, error.read()
    elapsed = time.monotonic() - started
    return Reply(status, {k.lower(): v for k, v in raw_headers.items()}, body, elapsed)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, startup_seconds: float = 30.0) -> Iterator[str]:
    """gunicorn with the project's gunicorn.conf.py, as `make serve` runs it; yields its base URL."""
    port = free_port()
    metrics = tempfile.mkdtemp(prefix="veille-test-metrics-")
    full_env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics, **env}
    command = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*command, "api:create_app()"],
            cwd=PROJECT_ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield _started(process, f"http://127.0.0.1:{port}", log, startup_seconds)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            shutil.rmtree(metrics, ignore_errors=True)


@contextlib.contextmanager
def serve(url: str, **environment: str) -> Iterator[str]:
    """gunicorn serving the database at ``url`` for a test: limits far above what a test sends
    (unless ``environment`` says otherwise), quiet logs; yields its base URL."""
    env = {
        "DATABASE_URL": url,
        "VEILLE_RATE_LIMIT_ANONYMOUS": "1000000/minute",
        "VEILLE_RATE_LIMIT_KEYED": "1000000/minute",
        "VEILLE_RATE_LIMIT_AUTH_FAILURES": "1000000/minute",
        "VEILLE_LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
        **environment,
    }
    with gunicorn(env) as base:
        yield base


def create_key(url: str, scope: str = "admin") -> str:
    """A new API key with ``scope`` in the database at ``url``: the Authorization header value."""
    app = create_app({"DATABASE_URL": url})
    try:
        return new_key(app, f"e2e-{scope}", scope)
    finally:
        close_app(app)


@dataclass
class LiveServer:
    """gunicorn serving a database of its own: its base URL, the database's URL, keys on demand."""

    base: str
    url: str
    keys: dict[str, str] = field(default_factory=dict)

    def key(self, scope: str = "admin") -> str:
        """The Authorization value of a key with ``scope``, made on first use."""
        if scope not in self.keys:
            self.keys[scope] = create_key(self.url, scope)
        return self.keys[scope]


def _started(process: subprocess.Popen[bytes], base: str, log: Any, startup_seconds: float) -> str:
    deadline = time.monotonic() + startup_seconds
    while True:
        with contextlib.suppress(OSError):
            if http_get(base + "/healthz", timeout=2).status == 200:
                return base
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError("gunicorn did not start:\n" + log.read().decode(errors="replace")[-3000:])
        time.sleep(0.2)


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, on its own port and socket folder.

    PostgreSQL refuses to run as root; as root the cluster belongs to the ``postgres`` system
    user (``VEILLE_PG_USER``) and its commands run through ``runuser``.
    """

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="veille-chaos-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        self.user = os.environ.get("VEILLE_PG_USER", "postgres") if os.geteuid() == 0 else None
        self.sockets.mkdir()
        if self.user:
            shutil.chown(self.root, self.user)
            shutil.chown(self.sockets, self.user)
            self.root.chmod(0o755)

    def _run(self, *command: str, timeout: float = 60) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, timeout=timeout, capture_output=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "start", "-D", str(self.data), "-w", "-t", "60",
            "-l", str(self.log), "-o", options,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")

    def processes(self) -> list[int]:
        """The postmaster first, then every process it started (backends, checkpointer, ...)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                # the parent pid is the second field after the parenthesised command name
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:
                    children.append(int(entry.name))
        return [postmaster, *children]

    def signal_all(self, signum: int) -> None:
        # the postmaster first: stopped, it cannot start a process we would miss
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def remove(self) -> None:
        """Stop whatever runs (resumed first, in case it is frozen) and delete the folder."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self.signal_all(signal.SIGCONT)
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
