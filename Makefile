# The README's commands. `make run` serves the seed graph; `make test` runs every test against a
# throwaway Neo4j and stops it whatever the outcome.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PG := $(VENV)/bin/partnergraph
# The test server has its own home and port: tests never touch the data of `make run`.
TEST_PORT ?= 17687
TEST_ENV := PARTNERGRAPH_HOME=.partnergraph/test PARTNERGRAPH_BOLT_PORT=$(TEST_PORT)
PYTEST_ARGS ?=

.PHONY: install install-runtime browser run test fuzz bench loadtest check format db-start db-stop db-status clean

# uv installs exactly what uv.lock pins (`uv lock` after changing pyproject.toml's
# dependencies; CI fails with --locked when the lock is stale). uv itself comes from PyPI into
# the venv, at a pinned version; --inexact leaves pip and uv in place.
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --inexact

$(UV):
	@echo "creating $(VENV) and installing uv $(UV_VERSION)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --progress-bar off 'uv==$(UV_VERSION)'

# `make run` needs the runtime only; tests and checks add the dev group (pytest, playwright,
# schemathesis, ruff, mypy, ...).
$(VENV)/.runtime: pyproject.toml uv.lock | $(UV)
	$(SYNC) --no-dev
	touch $@

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(SYNC)
	touch $(VENV)/.runtime $@

# GraphiQL, React and cytoscape.js for the pages, from the npm registry (pinned and checked in
# graph/web/assets.py; kept in graph/web/vendor/, not in git): nothing is fetched at run time.
ASSETS := graph/web/vendor/manifest.json

$(ASSETS): graph/web/assets.py | $(VENV)/.runtime
	$(VENV)/bin/python -m graph.web.assets
	touch $@

# The runtime: what `make run` and the db targets need.
install-runtime: $(VENV)/.runtime $(ASSETS)

# Runtime and dev tools: what tests, checks and benchmarks need.
install: $(VENV)/.installed $(ASSETS)

# The browser tests (tests/browser) drive Debian's Chromium; installed here when absent and
# root can (CI runs as root on a fresh machine); without it those tests skip and say why.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; } >/dev/null \
	      || echo "chromium could not be installed: the browser tests will skip"; \
	  else \
	    echo "no chromium (and not root to install it): the browser tests will skip"; \
	  fi; \
	fi

run: install-runtime
	@if [ -z "$$NEO4J_URI" ]; then $(PG) db start; else echo "using the Neo4j at $$NEO4J_URI"; fi
	$(PG) load seeds/
	$(PG) serve

test: install browser
	@rm -rf .partnergraph/test; status=0; \
	PARTNERGRAPH_TEST_BOLT_PORT=$(TEST_PORT) $(VENV)/bin/pytest $(PYTEST_ARGS) || status=$$?; \
	env -u NEO4J_URI $(TEST_ENV) $(PG) db stop || true; \
	exit $$status

# The long schemathesis run: many generated queries per root field, against the real app.
fuzz: install
	@rm -rf .partnergraph/test; status=0; \
	PARTNERGRAPH_FUZZ_EXAMPLES=$${PARTNERGRAPH_FUZZ_EXAMPLES:-500} PARTNERGRAPH_TEST_BOLT_PORT=$(TEST_PORT) \
	$(VENV)/bin/pytest tests/api/test_schemathesis.py || status=$$?; \
	env -u NEO4J_URI $(TEST_ENV) $(PG) db stop || true; \
	exit $$status

# Speed as ratios against baselines measured side by side (bench/README.md); its own Neo4j in
# .partnergraph/bench unless NEO4J_URI is set. `make bench BENCH_ARGS=--quick` for a short run.
BENCH_ARGS ?=

bench: install
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

# N clients of mixed reads and writes, then the proof that no acknowledged write was lost; its
# own Neo4j in .partnergraph/loadtest (port 17698). `make loadtest LOADTEST_ARGS="--clients 32
# --seconds 30 --chaos"` stops and restarts Neo4j mid-run. Exit code 1 when a write was lost.
LOADTEST_ARGS ?=

loadtest: install
	$(VENV)/bin/python -m bench.loadtest $(LOADTEST_ARGS)

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict graph loaders tests bench

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

db-start: install-runtime
	$(PG) db start

db-stop: install-runtime
	$(PG) db stop

db-status: install-runtime
	$(PG) db status

clean:
	-$(PG) db stop
	rm -rf .partnergraph $(VENV)
