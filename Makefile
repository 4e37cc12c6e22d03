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

.PHONY: install browser run test fuzz bench loadtest check format db-start db-stop db-status clean

# pip prints one line per package it collects and installs, so a first install shows progress.
$(VENV)/.installed: pyproject.toml
	@echo "installing partnergraph and its dependencies into $(VENV) (a minute on a fresh machine)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	@# The full log is kept (and shown when pip fails); setuptools' notes about editable
	@# installs are for packagers, not for someone running the product.
	@set -o pipefail; $(VENV)/bin/pip install --progress-bar off -e '.[dev]' 2>&1 \
	  | tee $(VENV)/install.log | { grep --line-buffered -E '^(Collecting|Successfully installed)' || true; } \
	  || { tail -n 40 $(VENV)/install.log; echo "pip failed: full log in $(VENV)/install.log"; exit 1; }
	touch $@

# GraphiQL, React and cytoscape.js for the pages, from the npm registry (pinned and checked in
# graph/web/assets.py; kept in graph/web/vendor/, not in git): nothing is fetched at run time.
ASSETS := graph/web/vendor/manifest.json

$(ASSETS): graph/web/assets.py $(VENV)/.installed
	$(VENV)/bin/python -m graph.web.assets
	touch $@

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

run: install
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

db-start: install
	$(PG) db start

db-stop: install
	$(PG) db stop

db-status: install
	$(PG) db status

clean:
	-$(PG) db stop
	rm -rf .partnergraph $(VENV)
