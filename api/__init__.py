"""Veille: a versioned REST API over a verified, source-linked news dataset."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from flask import Flask, Response, request
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from api import cli, db
from api.config import settings_from_env
from api.http import (
    auth,
    docs_assets,
    http_caching,
    observability,
    problems,
    rate_limits,
    request_guards,
    security_headers,
)
from api.http.jsonio import OrjsonProvider
from api.http.problems import DATABASE_UNAVAILABLE
from api.http.public_url import PublicUrl
from api.http.smorest import Api
from api.queries.dataset_version import current_version
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

EXPOSED_HEADERS = [
    "ETag",
    "Link",
    "X-Dataset-Version",
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
]

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


def _cors_origins(setting: str) -> str | list[str]:
    """``*`` (any origin, answered with ``*``) or a comma-separated list of origins."""
    return "*" if setting.strip() == "*" else [o.strip() for o in setting.split(",") if o.strip()]


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

    # after_request hooks run in reverse order of registration: the access log sees the final status
    observability.init_app(app)
    request_guards.init_app(app)
    db.init_app(app)
    api = Api(app)
    app.url_map.converters["entity_id"] = EntityIdConverter
    api.register_converter(EntityIdConverter, lambda _converter: {"type": "string", "minLength": 1})
    problems.register_error_handlers(app)
    auth.init_app(app)  # before the rate limiter: a valid key gets the keyed limit
    rate_limits.init_app(app)
    docs_assets.init_app(app)  # before http_caching: its hook then runs after, see docs_assets
    explore.init_app(app)  # its bundles get the year-long caching of docs_assets (VERSIONED_ENDPOINTS)
    http_caching.init_app(app)
    security_headers.init_app(app)  # after http_caching: sees the page before a 304 empties it
    origins = _cors_origins(app.config["CORS_ORIGINS"])
    CORS(
        app,
        resources={r"/v1*": {"origins": origins}, r"/openapi.json": {"origins": "*"}},
        methods=["GET", "HEAD", "OPTIONS"],
        expose_headers=EXPOSED_HEADERS,
        max_age=3600,
        send_wildcard=origins == "*",
    )
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

    @app.after_request
    def dataset_version_header(response: Response) -> Response:
        # /healthz and friends never touch the database: they must answer while it stalls
        if response.status_code < 500 and request.blueprint != health.blp.name:
            # when the database is down the body already says so: no version to tell
            with suppress(*DATABASE_UNAVAILABLE):
                response.headers["X-Dataset-Version"] = current_version()
        return response

    return app
