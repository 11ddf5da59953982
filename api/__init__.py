"""Veille: a versioned REST API over a verified, source-linked news dataset."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response

from api import cli, db, problems
from api.config import settings_from_env
from api.jsonio import OrjsonProvider
from api.queries.overview import dataset_state
from api.smorest import Api
from api.views import bulk, overview, resources, search, timeline

API_DESCRIPTION = """\
Veille publishes a hand-verified dataset built from news articles: the **articles**
(verbatim), the **entities** they name, the **statements** those entities made and the
**events** they report. Every mention, statement and evidence span carries `start`/`end`
offsets such that `article.body[start:end] == text` (Unicode code points).

Lists share one grammar: filters (repeat a parameter for OR), `sort`, `limit` (1–500) and an
opaque keyset `cursor`; the body is `{data, meta, links}` and the next page is also in a
`Link: rel="next"` header. Errors are RFC 9457 `application/problem+json`.
"""


def _spec_settings() -> dict[str, Any]:
    return {
        "API_TITLE": "Veille",
        "API_VERSION": overview.API_VERSION,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        "OPENAPI_REDOC_PATH": "redoc",
        "OPENAPI_REDOC_URL": "https://cdn.jsdelivr.net/npm/redoc/bundles/redoc.standalone.js",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": API_DESCRIPTION,
                "license": {"name": "Dataset: quotations for research; code: see repository"},
            },
        },
    }


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides the environment (tests use it)."""
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    app.config.update(settings_from_env())
    app.config.update(_spec_settings())
    app.config.update(config or {})

    db.init_app(app)
    api = Api(app)
    problems.register_error_handlers(app)
    api.register_blueprint(overview.blp)
    for blueprint in resources.BLUEPRINTS.values():
        api.register_blueprint(blueprint)
    api.register_blueprint(timeline.blp)
    api.register_blueprint(search.blp)
    api.register_blueprint(bulk.blp)
    cli.init_app(app)

    @app.after_request
    def dataset_version_header(response: Response) -> Response:
        if response.status_code < 500:
            state = dataset_state(db.get_session())
            response.headers["X-Dataset-Version"] = str(state.version) if state else "0"
        return response

    return app
