# dxday — the two commands a new user needs: `make up` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dxday
PYTEST_ARGS ?=

.PHONY: install up test unit test-fast lint rules docs messages bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing dxday into $(VENV) ..."
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

up: install  ## start NATS and every service, load the demo campaign, print the sign-in links
	$(VENV)/bin/dxday up

test: install lint rules  ## the whole suite: real nats-server, SQLite and PostgreSQL, real Prometheus
	$(PY) -m pytest -q $(PYTEST_ARGS)

rules:  ## check and unit-test the Prometheus alert rules (Debian package `prometheus` provides promtool)
	@if command -v promtool >/dev/null; then \
	  promtool check rules deploy/prometheus/alerts.yml && promtool test rules tests/prometheus/alerts_test.yml; \
	elif [ -n "$$CI" ]; then echo "promtool missing (apt-get install prometheus)"; exit 1; \
	else echo "SKIPPED alert rule checks: promtool not installed (apt-get install prometheus)"; fi

unit: install  ## the unit tier: rules and use cases over fakes, no I/O, seconds
	$(PY) -m pytest -q tests/unit

test-fast: install  ## the unit tier and the contract tests: no NATS, no database, under a minute
	$(PY) -m pytest -q tests/unit tests/test_contracts.py tests/test_schedule_rules.py tests/test_templates.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check shared services launcher tests
	$(VENV)/bin/lint-imports

docs: install  ## regenerate docs/asyncapi.yaml (contracts) and docs/openapi/*.json (HTTP APIs)
	$(PY) -m launcher.asyncapi_doc > docs/asyncapi.yaml
	$(PY) -m launcher.openapi docs/openapi
	$(PY) -m launcher.nats_auth > deploy/nats/users.conf
	$(PY) -m launcher.nats_auth --helm > deploy/k8s/nats-auth-values.yaml

messages: install  ## find every marked text again and merge it into the vi/en catalogues (then write what vi lacks)
	$(PY) -m launcher.messages

BENCH_STAMP := $(VENV)/.installed-dxday-bench
$(BENCH_STAMP): pyproject.toml $(STAMP)
	@$(PY) -m pip install -q -e ".[dev,bench]"
	@touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP)  ## the real stack under load, with this machine's limits measured in the same run (about 15 min on 2 vCPUs)
	$(PY) -m tests.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
