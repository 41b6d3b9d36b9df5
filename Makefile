# Every target sets up what it needs: a virtual environment in .venv from the requirement files.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STACK ?= dev

.PHONY: plan test lint format bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## plan: render STACK (default dev) offline into build/plan/STACK
plan: $(BIN)/.installed
	$(BIN)/python -m tools.plan $(STACK)

## test: the whole test suite
test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

## lint: ruff and actionlint, as CI runs them
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint

## bench: offline-plan time and memory for 1, 10, 50 and 100 workload accounts
bench: $(BIN)/.installed
	$(BIN)/python -m bench.plan_accounts

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build
