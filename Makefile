# dxday — the two commands a new user needs: `make up` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dxday
PYTEST_ARGS ?=

.PHONY: install up test test-fast lint docs clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing dxday into $(VENV) ..."
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

up: install  ## start NATS and the three services, load the demo campaign
	$(VENV)/bin/dxday up

test: install lint  ## the whole suite: real nats-server, SQLite and PostgreSQL
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-fast: install  ## SQLite only, no whole-stack tests
	DXDAY_TEST_POSTGRES_URL= $(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check shared services tests
	$(VENV)/bin/lint-imports

docs: install  ## regenerate docs/asyncapi.yaml (contracts) and docs/openapi/*.json (HTTP APIs)
	$(PY) -m shared.asyncapi > docs/asyncapi.yaml
	$(PY) -m services.openapi docs/openapi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
