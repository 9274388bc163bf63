# Onward — two commands on a fresh machine with Python 3.11+ and make:
#   make run    runtime environment, then one `flask onward setup` (migrations, content check,
#               day-one model, demo clinic), then API + scheduler
#   make test   the whole suite (set TEST_DATABASE_URL to run it on PostgreSQL)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# One stamp per kind of install, named after the dependency files' checksum: an edit to either
# file re-installs, and `make run` never waits for the test tools (docs/architecture.md, item 47).
DEPS    := $(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
RUNTIME := $(VENV)/.runtime-$(DEPS)
TOOLS   := $(VENV)/.test-$(DEPS)
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := backend

.PHONY: venv run test lint bench clean

# --no-compile: each process compiles what it imports on first use, instead of pip compiling
# every module of scipy, scikit-learn, pandas and matplotlib up front.
$(RUNTIME): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit("Onward needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-compile -c constraints.txt -e .
	rm -f $(VENV)/.installed-* $(VENV)/.runtime-* $(VENV)/.test-* && touch $(RUNTIME)

$(TOOLS): $(RUNTIME)
	$(BIN)/pip install --quiet --no-compile -c constraints.txt -e '.[test]'
	touch $(TOOLS)

# The development environment: runtime, test tools, ruff and import-linter (CI runs this).
venv: $(TOOLS)

run: $(RUNTIME)
	$(BIN)/flask onward setup
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) scripts/run-dev.sh

test: $(TOOLS)
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
