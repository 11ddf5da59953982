# The README's two commands are `make run` and `make test`; everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export FLASK_APP := api

# Swagger UI and ReDoc, served by the app itself (api/http/docs_assets.py): pinned npm tarballs,
# checked against their SHA-256, unpacked into a gitignored folder
VEILLE_DOCS_ASSETS_DIR ?= var/docs-assets
SWAGGER_UI_VERSION := 5.35.0
SWAGGER_UI_SHA256 := 1b8e891893404ea4c3558b6a87e2a3e494e7eedba41168c2ece5800a391a6ea6
REDOC_VERSION := 2.5.4
REDOC_SHA256 := 44922df4d0eb45c1b066c09ec251e6bd9bd7ded16bc69e87613337b9d911a56e
DOCS_STAMP := $(VEILLE_DOCS_ASSETS_DIR)/.installed-swagger-ui-dist-$(SWAGGER_UI_VERSION)-redoc-$(REDOC_VERSION)

# The /explore page's charts (api/views/explore.py): Vega, Vega-Lite and vega-embed, installed the same way
VEILLE_EXPLORE_ASSETS_DIR ?= var/explore-assets
VEGA_VERSION := 6.4.0
VEGA_SHA256 := 3521fb6ff68a94a40323954f0ba4484ba4014b157bfd37f89a3b063082320c42
VEGA_LITE_VERSION := 6.5.0
VEGA_LITE_SHA256 := 811230a6bfd2cdbfc359d0c38f624a90df86657b7f251b67be88bcc4eee32b7f
VEGA_EMBED_VERSION := 7.3.0
VEGA_EMBED_SHA256 := d9a958ced3240f0418df7d5e12e97dba6e63cecda15b8403e47a0db7eb6ea859
EXPLORE_STAMP := $(VEILLE_EXPLORE_ASSETS_DIR)/.installed-vega-$(VEGA_VERSION)-vega-lite-$(VEGA_LITE_VERSION)-vega-embed-$(VEGA_EMBED_VERSION)

.PHONY: install browsers run serve migrate seed test lint format openapi clean load fuzz extract-score bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

$(DOCS_STAMP):
	cd $(VEILLE_DOCS_ASSETS_DIR) 2>/dev/null && rm -rf swagger-ui-dist redoc .installed-* *.tgz || true
	mkdir -p $(VEILLE_DOCS_ASSETS_DIR)/swagger-ui-dist $(VEILLE_DOCS_ASSETS_DIR)/redoc
	cd $(VEILLE_DOCS_ASSETS_DIR) && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) redoc@$(REDOC_VERSION) >/dev/null
	cd $(VEILLE_DOCS_ASSETS_DIR) && printf '%s  %s\n' \
	    $(SWAGGER_UI_SHA256) swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz \
	    $(REDOC_SHA256) redoc-$(REDOC_VERSION).tgz | sha256sum --check --quiet -
	cd $(VEILLE_DOCS_ASSETS_DIR) && tar -xzf swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz --strip-components=1 -C swagger-ui-dist \
	    && tar -xzf redoc-$(REDOC_VERSION).tgz --strip-components=1 -C redoc && rm -f *.tgz
	touch $@

$(EXPLORE_STAMP):
	cd $(VEILLE_EXPLORE_ASSETS_DIR) 2>/dev/null && rm -rf vega vega-lite vega-embed .installed-* *.tgz || true
	mkdir -p $(VEILLE_EXPLORE_ASSETS_DIR)/vega $(VEILLE_EXPLORE_ASSETS_DIR)/vega-lite $(VEILLE_EXPLORE_ASSETS_DIR)/vega-embed
	cd $(VEILLE_EXPLORE_ASSETS_DIR) && npm pack --silent vega@$(VEGA_VERSION) vega-lite@$(VEGA_LITE_VERSION) \
	    vega-embed@$(VEGA_EMBED_VERSION) >/dev/null
	cd $(VEILLE_EXPLORE_ASSETS_DIR) && printf '%s  %s\n' \
	    $(VEGA_SHA256) vega-$(VEGA_VERSION).tgz \
	    $(VEGA_LITE_SHA256) vega-lite-$(VEGA_LITE_VERSION).tgz \
	    $(VEGA_EMBED_SHA256) vega-embed-$(VEGA_EMBED_VERSION).tgz | sha256sum --check --quiet -
	cd $(VEILLE_EXPLORE_ASSETS_DIR) && tar -xzf vega-$(VEGA_VERSION).tgz --strip-components=1 -C vega \
	    && tar -xzf vega-lite-$(VEGA_LITE_VERSION).tgz --strip-components=1 -C vega-lite \
	    && tar -xzf vega-embed-$(VEGA_EMBED_VERSION).tgz --strip-components=1 -C vega-embed && rm -f *.tgz
	touch $@

install: $(STAMP) $(DOCS_STAMP) $(EXPLORE_STAMP)

## make browsers: Debian's chromium and chromedriver for tests/test_browser.py (apt, as root), if missing
browsers:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
	    echo "chromium and chromedriver are installed"; \
	else \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	fi

# the port `make run`/`make serve` bind on 127.0.0.1 (PORT=8080 make run, or make run PORT=8080)
PORT ?= 8000

## make run: install, migrate and seed a SQLite database, serve it on http://127.0.0.1:$(PORT)
run: install migrate seed serve

migrate: install
	$(BIN)/flask migrate

seed: install
	$(BIN)/flask seed

serve: install
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) "api:create_app()"

## make test: install, lint, and run the whole suite (TEST_DATABASE_URL picks the backend)
test: install lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/vulture api migrations vulture_whitelist.py --min-confidence 60

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make openapi: regenerate the committed openapi.yaml from the code
openapi: install
	$(BIN)/flask openapi write --format yaml openapi.yaml

## make load: 60 s of wrk at 64 connections on gunicorn over a fresh seeded SQLite
## (LOAD_DURATION, LOAD_CONNECTIONS, LOAD_TIMEOUT)
load: install
	bash bench/load.sh

## make bench: Veille vs Datasette vs a bare WSGI floor on the same SQLite file (+ PostgreSQL), wrk
## (BENCH_SCALE articles, default 100000; BENCH_DURATION per run; see bench/bench.py)
bench: install
	$(BIN)/python bench/bench.py

## make fuzz: a longer schemathesis campaign than the test suite's (FUZZ_EXAMPLES, default 200)
fuzz: install
	SCHEMATHESIS_MAX_EXAMPLES=$${FUZZ_EXAMPLES:-200} SCHEMATHESIS_SEED=$${FUZZ_SEED:-$$RANDOM} \
		$(BIN)/pytest -s tests/test_fuzz.py

## make extract-score: score the extraction pipeline on the development set and the seeds (writes nothing)
extract-score: install
	$(BIN)/python -m api.dataset.scoring

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache veille.sqlite3 veille.sqlite3-*
