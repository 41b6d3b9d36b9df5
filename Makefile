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
# Bytecode of what the program and its tests import from the large packages, compiled once on every core
# as the environment is made: otherwise both test workers, and each process a test starts, compiled these
# modules on first import (a fresh clone's first `make test` took a quarter longer). Only the parts used:
# all of pulumi-aws, pulumi-kubernetes and moto is 5,400 modules. A part missing here is compiled on import.
PRECOMPILED_TOP := . pulumi_aws pulumi_kubernetes moto
PRECOMPILED := pulumi pulumi_vsphere pulumi_tls pulumi_policy botocore boto3 s3transfer hypothesis pydantic \
	pydantic_settings cryptography werkzeug flask flask_cors jinja2 markupsafe itsdangerous blinker yaml \
	jsonschema jsonschema_path jsonschema_specifications referencing openapi_spec_validator \
	openapi_schema_validator pathable policy_sentry grpc google/protobuf opentelemetry urllib3 requests \
	charset_normalizer idna certifi responses dateutil jmespath dill click attr attrs packaging semver \
	parver sortedcontainers lazy_object_proxy typing_inspection annotated_types dotenv _pytest pytest \
	xdist execnet pluggy iniconfig \
	pulumi_aws/autoscaling pulumi_aws/ec2 pulumi_aws/eks pulumi_aws/iam pulumi_aws/kms pulumi_aws/lb \
	pulumi_aws/rds pulumi_aws/route53 pulumi_aws/s3 pulumi_aws/vpc \
	pulumi_kubernetes/apiextensions pulumi_kubernetes/core pulumi_kubernetes/helm pulumi_kubernetes/meta \
	pulumi_kubernetes/rbac pulumi_kubernetes/storage pulumi_kubernetes/yaml \
	moto/cloudformation moto/core moto/dynamodb moto/ec2 moto/elb moto/elbv2 moto/iam moto/moto_api \
	moto/moto_server moto/route53 moto/s3 moto/servicequotas moto/sts moto/utilities
SITE_PACKAGES = $$($(BIN)/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")

$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile --require-hashes -r requirements-dev.txt
	cd $(SITE_PACKAGES) && $(abspath $(BIN))/python -m compileall -q -j 0 -l $(PRECOMPILED_TOP) >/dev/null \
		&& $(abspath $(BIN))/python -m compileall -q -j 0 $(PRECOMPILED) >/dev/null
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
