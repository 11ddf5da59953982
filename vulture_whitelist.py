"""Names vulture finds unused because only a framework or a program outside api/ uses them.

Vulture reads this file as code that uses each name (``_.name`` for an attribute or method);
it is never imported. Routes, request hooks, error handlers, commands and SQLAlchemy listeners
are recognised by their decorators instead (``[tool.vulture]`` in pyproject.toml). Dead code
does not go here: delete it.
"""

# --- entry points -----------------------------------------------------------------------------
create_app  # the app factory: gunicorn ("api:create_app()"), `flask --app api`, the tests
SEARCH_TERMS  # api.cli.synth: read by bench/bench.py and the tests, named in the README

# --- Alembic: every migration module declares these, Alembic reads them -----------------------
upgrade  # applied by `flask migrate`
downgrade  # applied by tests/test_migrations.py and `alembic downgrade`
down_revision  # the revision graph
branch_labels
depends_on

# --- Flask, werkzeug, flask-smorest, webargs, limits: overrides the library calls -------------
_.post  # MethodView methods, dispatched by HTTP method
_.patch
regex  # werkzeug BaseConverter: the pattern of an <entity_id> URL segment
ARGUMENTS_PARSER  # flask-smorest Blueprint: the webargs parser of @blp.arguments
_.handle_http_exception  # flask-smorest Api: HTTP errors as problem+json
_._register_pagination_header  # flask-smorest Api: we document no X-Pagination header
_._register_responses  # flask-smorest Api: error responses documented as problem+json
_._raw_load_json  # webargs parser: JSON bodies read with orjson
_.handle_error  # webargs parser: validation errors as 400 problem+json
SweptMemoryStorage  # limits: registered under its STORAGE_SCHEME by subclassing, picked by URI
STORAGE_SCHEME
_._MemoryStorage__schedule_expiry  # limits MemoryStorage: replaces its private timer start

# --- extraction output read by callers outside api/ -------------------------------------------
warnings  # api.extract Extraction: why an extraction is empty (tests/test_extract.py reads it)
