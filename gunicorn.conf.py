"""gunicorn settings for `make run` and the Procfile (PORT, WEB_CONCURRENCY, GUNICORN_THREADS)."""

import gc
import os
import shutil
import sys
import tempfile

# Workers share Prometheus metrics through files; the directory must be known before
# prometheus_client is first imported, in this (master) process. One we make, we remove.
OWN_METRICS_DIR = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    OWN_METRICS_DIR = tempfile.mkdtemp(prefix="veille-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = OWN_METRICS_DIR

from prometheus_client import multiprocess  # noqa: E402  (after the environment is set)

bind = "0.0.0.0:" + os.environ.get("PORT", "8000")
# Chosen by measurement (BENCHMARKS.md, "gunicorn settings"): processes, not threads. The
# request work is Python under the GIL; with 4 threads per worker a thread coming back from
# SQLite or a socket write waits for the GIL behind the others, and one statement by id served
# 214-586 req/s (2 workers x 4 threads) against 429-742 (4 x 1) at 32 connections on 2 cores.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# Rate limits counted in memory are per process: with 4 workers a client got 4 times the
# advertised limit. So unless the counts are shared (RATELIMIT_STORAGE_URI=redis://...) or
# limiting is off, one worker serves with threads instead, and the advertised limit is the
# one enforced. WEB_CONCURRENCY cannot override this (it is set by some platforms).
_storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://").strip()
_limited = os.environ.get("VEILLE_RATE_LIMIT_ENABLED", "true").lower() != "false"
if _limited and _storage.startswith("memory:"):
    if workers > 1:
        # stderr: bench/load.sh reads this file's settings from stdout
        print(
            f"gunicorn.conf.py: 1 worker, not {workers}: rate limits are counted in memory, per"
            " process; set RATELIMIT_STORAGE_URI (e.g. redis://) to run several",
            file=sys.stderr,
            flush=True,
        )
    # twice the threads the workers had: while some wait (at most VEILLE_DB_TIMEOUT_SECONDS)
    # on a stalled database, others still answer /healthz at once
    threads = max(threads, 2 * workers)
    workers = 1
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# unlimited request line: long URLs reach the app, which answers 414 problem+json past 2,083
limit_request_line = 0


def post_worker_init(worker):
    # The app is built: its ~130,000 objects (modules, the spec, SQLAlchemy's metadata) live as
    # long as the worker. Frozen, the collector no longer walks them: a full collection of them
    # took 100-160 ms, a pause that fell on whichever request was running (BENCHMARKS.md).
    gc.freeze()


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if OWN_METRICS_DIR:
        shutil.rmtree(OWN_METRICS_DIR, ignore_errors=True)
