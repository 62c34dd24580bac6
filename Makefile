# AEO Registry. `make run` serves the dashboard with the reference data; `make test` runs the suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve load test messages lint bench ci clean

# The venv is rebuilt when pyproject.toml changes. scripts/find-python finds a Python 3.12+
# (python3.13, python3.12, python3, or a pyenv-installed version) or says what to install.
$(VENV)/.installed: pyproject.toml scripts/find-python
	@python_bin="$$(scripts/find-python)" || exit 1; \
	if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
		echo "Creating $(VENV) with $$python_bin"; rm -rf $(VENV); "$$python_bin" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --editable '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production-like serving on $(HOST):$(PORT): collectstatic, migrate, load_reference, gunicorn.
serve: install
	HOST=$(HOST) PORT=$(PORT) VENV=$(VENV) scripts/serve

# Bounded load test of `make serve` on PostgreSQL, loopback only (64 connections, 30 s, wrk).
load: install
	VENV=$(VENV) scripts/load

test: install messages
	$(PY) -m pytest $(PYTEST_ARGS)

# The message catalogues (locale/*/LC_MESSAGES/django.mo), compiled from the committed .po files
# with gettext's msgfmt (what CI uses); on a machine without GNU gettext, with Babel (pure Python,
# a dev dependency), so `make run` and `make test` need no system package for it.
# The .mo files are build output, not in git.
messages: install
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=var; \
	else \
		echo "msgfmt (GNU gettext) not found: compiling the catalogues with Babel"; \
		$(VENV)/bin/pybabel compile --domain=django --directory=locale; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

# Every benchmark of issue 6 on PostgreSQL (bench/__main__.py): throughput against a trivial view,
# page weight and time to map, CSV export of 1,000,000 rows, queries and server time per page at
# 1x/10x/100x data. Prints a table; writes var/bench/results.json. BENCH_QUICK=1: under a minute.
# Needs wrk and chromium (Debian packages, as .ci/run installs them).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aeo_bench
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk"; exit 1; }
	@command -v chromium >/dev/null || { echo "make bench needs chromium: apt-get install -y chromium"; exit 1; }
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache *.egg-info
