# The README's two commands are `make run` and `make test`; everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export FLASK_APP := api

# Swagger UI and ReDoc, served by the app itself (api/docs_assets.py): npm tarballs, unpacked
DOCS_ASSETS ?= var/docs-assets
DOCS_PACKAGES := swagger-ui-dist@5.35.0 redoc@2.5.4
DOCS_STAMP := $(DOCS_ASSETS)/.installed-$(subst @,-,$(subst $(eval) ,_,$(DOCS_PACKAGES)))

.PHONY: install run serve migrate seed test lint format openapi clean load fuzz extract-score

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

$(DOCS_STAMP):
	rm -rf $(DOCS_ASSETS) && mkdir -p $(DOCS_ASSETS)
	cd $(DOCS_ASSETS) && for package in $(DOCS_PACKAGES); do \
		name=$${package%@*}; \
		tarball=$$(npm pack --silent "$$package") && mkdir -p "$$name" && \
		tar -xzf "$$tarball" -C "$$name" --strip-components=1 && rm "$$tarball" || exit 1; \
	done
	touch $@

install: $(STAMP) $(DOCS_STAMP)

## make run: install, migrate and seed a SQLite database, serve it on http://127.0.0.1:8000
run: install migrate seed serve

migrate: install
	$(BIN)/flask migrate

seed: install
	$(BIN)/flask seed

serve: install
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:8000 "api:create_app()"

## make test: install, lint, and run the whole suite (TEST_DATABASE_URL picks the backend)
test: install lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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

## make fuzz: a longer schemathesis campaign than the test suite's (FUZZ_EXAMPLES, default 200)
fuzz: install
	SCHEMATHESIS_MAX_EXAMPLES=$${FUZZ_EXAMPLES:-200} SCHEMATHESIS_SEED=$${FUZZ_SEED:-$$RANDOM} \
		$(BIN)/pytest -s tests/test_fuzz.py

## make extract-score: score the extraction pipeline against the curated seeds
extract-score: install
	$(BIN)/python -m api.extract.scoring

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache veille.sqlite3 veille.sqlite3-*
