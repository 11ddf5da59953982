"""gunicorn settings for `make run` and the Procfile (PORT, WEB_CONCURRENCY, GUNICORN_THREADS)."""

import os

bind = "0.0.0.0:" + os.environ.get("PORT", "8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# let URLs up to the API's own 2,083-character limit reach the application
limit_request_line = 8190
