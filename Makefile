# CCHC e-Learning — `make run` serves the demo site, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help venv run test lint format check bench soak clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed ## Create .venv and install the pinned requirements

run: venv ## Migrate, load the demo content and serve http://127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv ## Run the whole test suite (SQLite unless DATABASE_URL/REDIS_URL are set)
	$(VENV)/bin/pytest

check: venv ## Django checks, migrations in sync, lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .

lint: venv ## ruff lint + format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv ## ruff format + autofix
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv ## Benchmarks against gunicorn + PostgreSQL/Redis and SQLite; writes BENCHMARKS.md (BENCH_QUICK=1: short)
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -q wrk >/dev/null 2>&1 || echo "wrk not installed: bench/run.py falls back to its Python client"
	$(PY) bench/run.py

soak: venv ## Reliability suite, heavy: faults, a minute offline, 1,500 people rushing a deadline; writes BENCHMARKS.md
	RELIABILITY_PROFILE=soak RELIABILITY_WRITE_BENCHMARKS=1 $(VENV)/bin/pytest tests/reliability -m reliability

clean: ## Remove the virtualenv and the local database
	rm -rf $(VENV) db.sqlite3 staticfiles
