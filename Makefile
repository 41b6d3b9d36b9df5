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

## lint: ruff, as CI runs it
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build
