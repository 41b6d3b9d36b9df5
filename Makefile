# Every target sets up what it needs, from a lock file (exact versions with their hashes): `plan` and
# `preflight` a runtime environment in .venv-run from requirements.txt (the program's dependencies
# only), the others the development environment in .venv from requirements-dev.txt (with the test
# and lint tools). `make lock` regenerates the lock files from the ranges in requirements*.in.
PYTHON ?= python3
# Python may cache compiled modules (this machine's environment turns that off): without the cache
# every process of the tests and plans compiles the pulumi_aws modules it uses again, seconds each.
unexport PYTHONDONTWRITEBYTECODE
VENV ?= .venv
BIN := $(VENV)/bin
RUN_VENV ?= .venv-run
RUN_BIN := $(RUN_VENV)/bin
STACK ?= dev
# Options for `make lock`: UPGRADE=--upgrade moves every pin to the newest release in its range,
# UPGRADE="--upgrade-package pulumi-aws" only that package (and what it needs).
UPGRADE ?=
# The other lock files follow requirements-dev.txt, so a package has one version everywhere.
LOCKS := requirements policy/requirements examples/app-team/requirements
LOCK = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock"

.PHONY: plan preflight test lint format bench lock schema clean

# --require-hashes: a package missing from the lock, or a download that differs, fails the install.
$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile --require-hashes -r requirements-dev.txt
	touch $@

$(RUN_BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(RUN_VENV)
	$(RUN_BIN)/pip install --quiet --disable-pip-version-check --no-compile --require-hashes -r requirements.txt
	touch $@

## plan: render STACK (default dev) offline into build/plan/STACK (needs the runtime lock only)
plan: $(RUN_BIN)/.installed
	$(RUN_BIN)/python -m tools.plan $(STACK)

## preflight: read STACK's real AWS accounts (read-only, the stack's aws: settings) before `pulumi up`;
## PREFLIGHT_FLAGS="--allow-unchecked quotas" accepts a check that cannot be made (README "Preflight")
PREFLIGHT_FLAGS ?=
preflight: $(RUN_BIN)/.installed
	$(RUN_BIN)/python -m tools.preflight $(STACK) $(PREFLIGHT_FLAGS)

## test: the whole test suite, on every core (pytest-xdist)
# A test file's tests stay on one worker: a worker plans each stack a file uses and starts the AWS
# emulator once, instead of every worker doing it again for the tests it was dealt (a seventh of the CPU).
test: $(BIN)/.installed
	$(BIN)/python -m pytest -q -n auto --dist loadfile

## lint: ruff, mypy (strict on components/, tools/ and bench/, settings in pyproject.toml) and actionlint, as CI runs them
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/actionlint

## bench: offline-plan time against the mock floor, files and diagrams, memory, IAM sizes for 1 to 1,000 workload accounts
bench: $(BIN)/.installed
	$(BIN)/python -m bench.plan_accounts

## schema: regenerate schema/stack-config.schema.json from the config models (a test checks it is current)
schema: $(BIN)/.installed
	$(BIN)/python -m tools.generate.stack_schema

## lock: re-pin requirements*.txt from the ranges in requirements*.in (needs PyPI); see UPGRADE above
lock: $(BIN)/.installed
	$(LOCK) $(UPGRADE) requirements-dev.in -o requirements-dev.txt
	for lock in $(LOCKS); do $(LOCK) -c requirements-dev.txt $$lock.in -o $$lock.txt || exit 1; done

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(RUN_VENV) build
