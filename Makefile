# The two commands a newcomer needs: `make run` and `make test`. Each builds .venv by itself.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

FORGE := node_modules/.bin/forge

.PHONY: run test lint venv venv-dev services migrate openapi openapi-check bench clean contracts contracts-test drills

.venv/.runtime: requirements.txt sdk/python/pyproject.toml
	python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

.venv/.dev: .venv/.runtime requirements-dev.txt sdk/python/pyproject.toml
	$(PIP) install -q -r requirements-dev.txt
	touch $@

# forge and anvil (native binaries), solc-js, forge-std and Safe artifacts, at the lockfile's versions.
# `npm install`, not `npm ci`: forge/anvil list optional builds for other platforms that the registry
# here does not serve, which `npm ci` treats as a lockfile mismatch. It installs the locked versions.
node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

venv: .venv/.runtime
venv-dev: .venv/.dev

## run: the whole product on embedded defaults (private PostgreSQL under .local/, anvil, indexer, demo data)
run: .venv/.runtime node_modules/.installed
	bash scripts/run-local.sh

## test: the whole suite on PostgreSQL + Redis (starts them when they are stopped), with the distributed
## tests and the CI-sized failure drills of tests/ops (a deployment of their own: docs/deploy.md)
test: .venv/.dev node_modules/.installed
	bash scripts/ensure-services.sh
	bash scripts/ensure-browser.sh
	bash scripts/ensure-ops-tools.sh
	$(MAKE) --no-print-directory lint
	cd contracts && ../$(FORGE) test
	DJANGO_SETTINGS_MODULE=agora.settings.test $(PY) -m pytest $(PYTEST_ARGS)

## lint: ruff, the import-layer contracts (pyproject.toml) and no missing migrations
lint: .venv/.dev
	$(PY) -m ruff check .
	.venv/bin/lint-imports
	DJANGO_SETTINGS_MODULE=agora.settings.test DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
	  $(PY) manage.py makemigrations --check --dry-run

## contracts: compile with forge (solc-js wrapper) and refresh the checked-in ABI + bytecode
contracts: node_modules/.installed
	cd contracts && ../$(FORGE) build
	python3 contracts/tools/export_artifacts.py

contracts-test: node_modules/.installed
	cd contracts && ../$(FORGE) test

services:
	bash scripts/ensure-services.sh

openapi: .venv/.dev
	DJANGO_SETTINGS_MODULE=agora.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file openapi.yaml

## drills: the failure drills with the outages the issue names (RPC down a minute, ...); prints what each did
## and checked (the last output is in docs/drills.md). CI runs the same drills with outages of seconds.
drills: .venv/.dev node_modules/.installed
	bash scripts/ensure-services.sh
	bash scripts/ensure-ops-tools.sh
	AGORA_DRILL_PG_OUTAGE_SECONDS=30 AGORA_DRILL_REDIS_OUTAGE_SECONDS=30 AGORA_DRILL_RPC_OUTAGE_SECONDS=60 \
	  AGORA_DRILL_SNAPSHOT_VOTES=100000 DJANGO_SETTINGS_MODULE=agora.settings.test \
	  $(PY) -m pytest tests/ops/drills -s -p no:cacheprovider $(PYTEST_ARGS)

bench: .venv/.dev
	bash scripts/ensure-services.sh
	$(PY) bench/api.py

clean:
	rm -rf .venv node_modules staticfiles contracts/out contracts/cache .local
