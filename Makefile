# The two commands of the README: `make run` and `make test`. Both install what is missing first.
VENV   ?= .venv
PYTHON ?= python3
# Every version installed is pinned in $(LOCK), compiled from pyproject.toml by `make lock`.
LOCK   := requirements.lock
UV_VERSION := 0.13.8
UV     := $(VENV)/bin/uv
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | sha1sum | cut -c1-12)
# uv does not read pip's configuration; pass on an index given to pip through the environment.
ifdef PIP_INDEX_URL
export UV_INDEX_URL ?= $(PIP_INDEX_URL)
endif

.PHONY: run test install lock lint bench chromium assets clean

run: $(STAMP)
	$(VENV)/bin/atlas run

test: $(STAMP) chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

install: $(STAMP)

# A venv with uv (pinned, installed with pip), then the project and its dev tools at the versions
# of $(LOCK); redone when pyproject.toml or $(LOCK) changes. uv's cache (~/.cache/uv) keeps the
# downloaded wheels, so a second install downloads nothing.
define venv_with_uv
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
endef

$(STAMP): pyproject.toml $(LOCK)
	$(venv_with_uv)
	$(UV) pip install --quiet --python $(VENV)/bin/python \
	  --constraints $(LOCK) --build-constraints $(LOCK) -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# Recompile $(LOCK) after editing the dependencies in pyproject.toml: pins that still fit are kept.
# LOCK_ARGS=--upgrade moves everything to the newest versions; --upgrade-package NAME just one.
lock:
	$(venv_with_uv)
	$(UV) pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --custom-compile-command 'make lock' --quiet $(LOCK_ARGS) -o $(LOCK)

# Headless browser tests use Debian's Chromium; install it when missing (needs root or sudo).
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Front-end libraries the pages use (package.json; exact versions in package-lock.json), copied into
# api/static where the app serves them, with their licences. The copies are committed, so `make run`
# and `make test` need no npm and nothing is ever loaded from a CDN; rerun after changing a version.
# --ignore-scripts: swagger-ui-dist's dependency @scarf/scarf would otherwise report the install.
assets:
	npm ci --ignore-scripts --no-audit --no-fund
	cp node_modules/cytoscape/dist/cytoscape.min.js api/static/cytoscape.min.js
	cp node_modules/cytoscape/LICENSE api/static/cytoscape.LICENSE.txt
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css api/static/
	cp node_modules/swagger-ui-dist/LICENSE api/static/swagger-ui.LICENSE.txt
	cp node_modules/swagger-ui-dist/NOTICE api/static/swagger-ui.NOTICE.txt
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt api/static/swagger-ui-bundle.js.LICENSE.txt
	cp node_modules/swagger-ui-dist/favicon-32x32.png api/static/favicon-32x32.png

# Benchmarks (docs/performance.md): ~1.5 h with the 1M synthetic graph; BENCH_ARGS="--graphs wn18rr" for less.
bench: $(STAMP)
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

clean:
	-$(VENV)/bin/atlas neo4j stop
	rm -rf $(VENV) .atlas
