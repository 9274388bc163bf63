# Onward — two commands on a fresh machine with Python 3.11+ and make:
#   make run    environment, migrations, content check, day-one model, demo clinic, API + scheduler
#   make test   the whole suite (set TEST_DATABASE_URL to run it on PostgreSQL)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := backend

.PHONY: venv run test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit("Onward needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/flask db upgrade
	$(BIN)/flask content validate
	$(BIN)/flask ml bootstrap
	$(BIN)/flask demo seed
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) scripts/run-dev.sh

test: venv
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
