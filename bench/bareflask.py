"""A reference for `make bench`: Flask with nothing added, answering as the floor does.

One catch-all route over :func:`floor.answer` (the floor's SQL, its JSON, orjson): no
extension, no before/after hook, no schema, no logging. Its requests per second are what the
framework alone leaves of the floor's, the ceiling of any Flask application doing that work;
it is measured on a few shapes only (bench.py ``FLASK_SHAPES``).

    DATABASE_URL=sqlite:////path/db.sqlite3 gunicorn -c gunicorn.conf.py --pythonpath bench bareflask:app
"""

from __future__ import annotations

import floor
from flask import Flask, Response, request

app = Flask(__name__)


@app.route("/v1/<path:rest>")
def answer(rest: str) -> Response:
    status, body, headers = floor.answer(request.environ)
    return Response(body, status=int(status.split()[0]), headers=headers, mimetype="application/json")
