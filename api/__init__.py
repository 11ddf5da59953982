"""Veille: a versioned REST API over a verified, source-linked news dataset."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import cli, db
from api.config import settings_from_env
from api.http import docs_assets, pipeline, problems, request_guards
from api.http.jsonio import OrjsonProvider
from api.http.public_url import PublicUrl
from api.http.smorest import Api
from api.views import (
    articles,
    bulk,
    changes,
    entities,
    events,
    explore,
    health,
    overview,
    search,
    statements,
    timeline,
)
from api.views.entities import EntityIdConverter
from schemas.common import MAX_PAGE_SIZE

API_DESCRIPTION = f"""\
Veille publishes a hand-verified dataset built from news articles: the **articles**
(verbatim), the **entities** they name, the **statements** those entities made and the
**events** they report. Every mention, statement and evidence span carries `start`/`end`
offsets such that `article.body[start:end] == text` (Unicode code points).

Lists share one grammar: filters (repeat a parameter for OR), `sort`, `limit` (1–{MAX_PAGE_SIZE}) and an
opaque keyset `cursor`; the body is `{{data, meta, links}}` and the next page is also in a
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
        "OPENAPI_SWAGGER_UI_URL": docs_assets.swagger_ui_url(),
        "OPENAPI_REDOC_PATH": "redoc",
        "OPENAPI_REDOC_URL": docs_assets.redoc_url(),
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

    # inside ProxyFix: a trusted proxy's X-Forwarded-Host is judged like a Host header
    app.wsgi_app = PublicUrl(app.wsgi_app, app.config["PUBLIC_URL"])  # type: ignore[method-assign]
    app.wsgi_app = request_guards.ChunkedBodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])  # type: ignore[method-assign]
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    # the request hooks, one pair (and the JSON log, set up first so that what follows logs in it)
    pipeline.init_app(app, unversioned_blueprints={health.blp.name})
    db.init_app(app)
    api = Api(app)
    app.url_map.converters["entity_id"] = EntityIdConverter
    api.register_converter(EntityIdConverter, lambda _converter: {"type": "string", "minLength": 1})
    problems.register_error_handlers(app)
    docs_assets.init_app(app)
    explore.init_app(app)  # its bundles get the year-long caching of docs_assets (VERSIONED_ENDPOINTS)
    app.register_blueprint(health.blp)
    app.register_blueprint(overview.root)
    api.register_blueprint(overview.blp)
    api.register_blueprint(articles.blp)
    api.register_blueprint(entities.blp)
    api.register_blueprint(statements.blp)
    api.register_blueprint(events.blp)
    api.register_blueprint(timeline.blp)
    api.register_blueprint(search.blp)
    api.register_blueprint(bulk.blp)
    api.register_blueprint(changes.blp)
    cli.init_app(app)
    return app
