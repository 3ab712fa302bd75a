# The two commands a newcomer needs:
#   make run    install, create the SQLite database with the program and demo data, serve
#               http://127.0.0.1:8000 (this machine only; HOST=0.0.0.0 to expose it, see README)
#   make test   install what the tests need (PostgreSQL, Chromium included) and run them all
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test test-ready install install-test system-test-deps synapse oidc-provider setup lint format messages translations bench

# uv installs the packages: ~15 s on a fresh clone where pip took ~50 s (it fetches, unpacks
# and compiles in parallel; both resolve the same versions). pip, as configured on the
# machine, installs them when uv cannot.
UV := $(BIN)/uv
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Also into a .venv made before uv was used here.
$(UV): | $(BIN)/python
	$(BIN)/pip install --quiet "uv>=0.13,<0.14" || echo "uv not installed: pip installs the packages"

# $(call packages,VENV,WHAT): install WHAT into VENV, with uv if it works, else with pip.
packages = $(UV) pip install --quiet --compile-bytecode --python $(1)/bin/python $(2) \
	|| { echo "uv failed: pip installs the packages instead"; $(1)/bin/pip install --quiet $(2); }

# The project is installed editable, so no installer compiles its modules; with
# PYTHONDONTWRITEBYTECODE set (as on our CI machines) every `mm`, gunicorn worker and test
# process would compile them again from source. Compiled once here (a second run checks dates only).
OWN_CODE := domain storage notices services transports digest web bot cli locales reports programs
compile-own = $(BIN)/python -m compileall -q -j0 $(OWN_CODE) $(1) >/dev/null

install: $(BIN)/python | $(UV)
	$(call packages,$(VENV),-e .)
	$(call compile-own)

install-test: $(BIN)/python | $(UV)
	$(call packages,$(VENV),-e '.[test]')
	$(call compile-own,tests benchmarks)

# Creates or upgrades the database, loads the program settings and the demo data (idempotent).
setup: install
	$(BIN)/mm db upgrade
	$(BIN)/mm program load
	$(BIN)/mm demo

run: setup
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) 'web:create_app()'

# PostgreSQL, Chromium, Node.js (for the certified OpenID Connect provider) and nginx
# (tests/test_deploy.py) come from Debian; installed only when missing (needs root).
system-test-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing (install them as root; their tests will be skipped)"; \
	  fi; \
	fi

# Synapse, the Matrix homeserver the tests start, in a virtual environment of its own: its
# pinned dependencies (Twisted and friends) are not the project's, and it runs as a process.
SYNAPSE_VENV ?= .venv-synapse
SYNAPSE_PACKAGE := "matrix-synapse>=1.100,<2"
synapse: $(SYNAPSE_VENV)/bin/synapse_homeserver

$(SYNAPSE_VENV)/bin/synapse_homeserver: | $(UV)
	$(PYTHON) -m venv $(SYNAPSE_VENV)
	$(call packages,$(SYNAPSE_VENV),$(SYNAPSE_PACKAGE))

# panva's oidc-provider (OpenID Certified) from npm, at the version package-lock.json pins,
# for the OpenID Connect tests (tests/support/certified_provider.py).
OIDC_PROVIDER_DIR := tests/support/oidc-provider
oidc-provider: $(OIDC_PROVIDER_DIR)/node_modules/.package-lock.json

$(OIDC_PROVIDER_DIR)/node_modules/.package-lock.json: $(OIDC_PROVIDER_DIR)/package-lock.json | system-test-deps
	cd $(OIDC_PROVIDER_DIR) && npm ci --no-audit --no-fund --loglevel=error

# The suite runs in TEST_WORKERS processes (pytest-xdist), a test file per worker at a time so
# that a file's servers start once; most tests wait on a server, a browser or a database, so
# three processes keep two cores busy (21 min in one process, 16 in two, 12.5 in three).
# TEST_WORKERS=0 runs it in this process (four workers took longer on 2 cores: 993 s against 907).
# What the tests need is made side by side first (on a fresh clone: the project's packages
# ~15 s with uv, then the lint and type check ~25 s, beside Synapse's and the OpenID
# provider's; 70 s in all, where pip took 110).
# pytest rewrites the asserts of every test module it imports, and every worker imports them
# all to collect; with PYTHONDONTWRITEBYTECODE set it keeps none of that (18 s a worker against
# 10 s), so it is cleared for the run (what it writes is in __pycache__/, ignored by git).
TEST_WORKERS ?= 3
test:
	$(MAKE) --no-print-directory -j4 test-ready
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test-ready: system-test-deps install-test synapse oidc-provider lint

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# New msgids from the code into the Swedish catalogue; translate them in
# locales/sv/LC_MESSAGES/messages.po, then `make translations` compiles it.
messages: install-test
	$(BIN)/python -m locales.catalogue update

translations: install-test
	$(BIN)/python -m locales.catalogue compile
	$(BIN)/python -m locales.catalogue check

# National scale (290 municipalities, 100 000 placements) on SQLite and PostgreSQL, side by
# side with bare floors; a few minutes on 2 cores. Not part of `make test`.
bench: system-test-deps install-test
	$(BIN)/python benchmarks/national.py
