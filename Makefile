# The two commands a new user needs: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LINT_PATHS := service tests $(wildcard bench)

.PHONY: run test setup lint format typecheck browser compose-check neo4j-start neo4j-stop snapshot vendor-web bench bench-quick bench-large bench-import bench-load bench-pages soak clean

run: setup ## Set up, start the local Neo4j (unless NEO4J_URI is set), migrate, seed, serve on :8000
	$(BIN)/modelatlas serve

test: setup lint typecheck browser ## Set up, lint, type-check, then run the whole suite on a real Neo4j
	$(BIN)/pytest

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

lint: setup compose-check
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: setup
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

typecheck: setup
	$(BIN)/mypy
	$(BIN)/mypy bench

# The browser tests (tests/web) drive Debian's headless Chromium through Playwright, which
# downloads no browser: installed here when running as root with apt-get (as CI does).
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "browser: the browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi
	@test -x $(CHROMIUM) && echo "chromium is installed ($(CHROMIUM))"

# docker-compose.yml is validated without a Docker engine: `docker compose config` where the
# plugin exists, else Debian's docker-compose (installed here when running as root).
compose-check:
	@if docker compose version >/dev/null 2>&1; then docker compose -f docker-compose.yml config --quiet; \
	elif command -v docker-compose >/dev/null 2>&1; then docker-compose -f docker-compose.yml config --quiet; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null && \
	  docker-compose -f docker-compose.yml config --quiet; \
	else echo "compose-check: install docker-compose (Debian package) or the docker compose plugin" >&2; exit 1; fi
	@echo "docker-compose.yml is valid"

# Rebuild seed/snapshot/ (trimmed, gzipped public data + manifest) from ../shared/data.
SHARED_DATA ?= ../shared/data
snapshot: setup
	$(BIN)/python -m modelatlas.ingest.snapshot $(SHARED_DATA) seed/snapshot

# Re-fetch the pinned JavaScript/CSS (React, GraphiQL, Cytoscape; axe-core for tests) with
# `npm pack` and rewrite the MANIFEST.json files; needs npm at development time only.
vendor-web: setup
	$(BIN)/python -m modelatlas.web.vendor

# The service vs the raw Python driver and @neo4j/graphql (installed into bench/peer), same Neo4j,
# same data, same run; writes bench/RESULTS.md and bench/results.json. Loaded graphs are kept
# under ~/.cache/modelatlas/bench, so only the first run pays for loading them.
bench: setup
	$(BIN)/python bench/perf.py

# A reduced run (10k/30k claims, 2 s per measurement, 30 s RSS run): under 5 minutes.
bench-quick: setup
	$(BIN)/python bench/perf.py --quick

# Adds the 1M-claim dataset (its first load takes about half an hour).
bench-large: setup
	$(BIN)/python bench/perf.py --large

# Importer vs Neo4j's LOAD CSV on the same rows (synthetic 100k claims + Epoch notable models).
bench-import: setup
	$(BIN)/python bench/import_speed.py --claims 100000 --rounds 2 --json bench/results-import.json

# Every explorer page's p50 beside GraphQL's on the stored 100k bench graph (target < 50 ms).
bench-pages: setup
	$(BIN)/python bench/pages.py

# `modelatlas load` on a fresh local Neo4j: first load, unchanged restart, forced re-import.
bench-load: setup
	$(BIN)/python bench/default_load.py

# 32 clients for 2 minutes of reads and authenticated writes against a fresh local Neo4j and
# the service on loopback; prints p50/p99, throughput and RSS, fails on any 5xx or lost write.
SOAK_SECONDS ?= 120
soak: setup
	$(BIN)/python bench/soak.py --seconds $(SOAK_SECONDS) --clients 32

neo4j-start: setup
	$(BIN)/modelatlas neo4j start

neo4j-stop: setup
	$(BIN)/modelatlas neo4j stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
