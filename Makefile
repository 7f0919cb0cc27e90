# The two commands of the README: `make run` and `make test`. Both install what is missing first.
VENV   ?= .venv
PYTHON ?= python3
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install lint bench chromium clean

run: $(STAMP)
	$(VENV)/bin/atlas run

test: $(STAMP) chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

install: $(STAMP)

# A fresh venv with the project and its dev tools; redone only when pyproject.toml changes.
# pip keeps its own cache of downloaded wheels, so a second install downloads nothing.
$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# Headless browser tests use Debian's Chromium; install it when missing (needs root or sudo).
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Benchmarks (docs/performance.md): ~1.5 h with the 1M synthetic graph; BENCH_ARGS="--graphs wn18rr" for less.
bench: $(STAMP)
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

clean:
	-$(VENV)/bin/atlas neo4j stop
	rm -rf $(VENV) .atlas
