"""gunicorn settings for `make run` and the Procfile (PORT, WEB_CONCURRENCY, GUNICORN_THREADS)."""

import os
import shutil
import tempfile

# Workers share Prometheus metrics through files; the directory must be known before
# prometheus_client is first imported, in this (master) process. One we make, we remove.
OWN_METRICS_DIR = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    OWN_METRICS_DIR = tempfile.mkdtemp(prefix="veille-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = OWN_METRICS_DIR

from prometheus_client import multiprocess  # noqa: E402  (after the environment is set)

bind = "0.0.0.0:" + os.environ.get("PORT", "8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# unlimited request line: long URLs reach the app, which answers 414 problem+json past 2,083
limit_request_line = 0


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if OWN_METRICS_DIR:
        shutil.rmtree(OWN_METRICS_DIR, ignore_errors=True)
