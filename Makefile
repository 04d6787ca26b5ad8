# TIGRE e-RCP. Two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_PASSWORD ?= tigre-demo
export DEMO_PASSWORD

.PHONY: install run test lint bench messages clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

## Start web + Celery worker + Celery beat on http://127.0.0.1:8000 with the dev settings (SQLite and a filesystem
## broker unless DATABASE_URL / REDIS_URL are set). Ctrl-C stops all three.
DEV_ENV := DJANGO_SETTINGS_MODULE=tigre.settings.dev
## On PostgreSQL, migrations and the demo run as DATABASE_URL's role (the owner); `db_roles` then sets up the
## application's role (tigre_app, password DATABASE_APP_PASSWORD), which the three processes connect as
## (docs/privacy.md#the-access-trail-and-its-two-roles). On SQLite there are no roles: db_roles prints nothing.
DATABASE_APP_PASSWORD ?= tigre-app-dev
export DATABASE_APP_PASSWORD
run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_demo
	$(DEV_ENV) $(PY) manage.py demo_summary
	APP_URL="$$($(DEV_ENV) $(PY) manage.py db_roles --print-url)" && \
	if [ -n "$$APP_URL" ]; then export DATABASE_URL="$$APP_URL"; fi && \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho --procfile Procfile.dev start

## The whole suite on PostgreSQL and Redis: DATABASE_URL / REDIS_URL when set, otherwise throwaway servers that
## the suite starts from the installed binaries on free ports and removes at the end (tests/servers.py).
test: install
	$(PY) -m pytest

## What CI checks before the tests: style, types, the import contracts of pyproject.toml (one direction of
## dependencies, docs/architecture.md) and models without a migration.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

## The benchmark on PostgreSQL (BENCH_DATABASE_URL, default tigre_bench; created if missing) and Redis:
## bench/results.json and a table of targets vs figures. Installs Debian's wrk (the load test) and HarfBuzz's
## subsetter (without it WeasyPrint subsets fonts with fontTools, about twice as slow) if missing.
BENCH_ENV := DJANGO_SETTINGS_MODULE=bench.settings
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
bench: install
	@need=""; for pkg in wrk libharfbuzz-subset0; do dpkg -s $$pkg >/dev/null 2>&1 || need="$$need $$pkg"; done; \
	[ -z "$$need" ] || { $(SUDO) apt-get install -y $$need || { $(SUDO) apt-get update && $(SUDO) apt-get install -y $$need; }; }
	$(BENCH_ENV) $(PY) -c "import environ, psycopg2; from psycopg2 import sql; \
	u = environ.Env().db_url_config(environ.Env().str('BENCH_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/tigre_bench')); \
	c = psycopg2.connect(dbname='postgres', user=u['USER'], password=u['PASSWORD'] or None, host=u['HOST'], port=u['PORT'] or 5432); \
	c.autocommit = True; cur = c.cursor(); cur.execute('SELECT 1 FROM pg_database WHERE datname = %s', [u['NAME']]); \
	cur.fetchone() or cur.execute(sql.SQL('CREATE DATABASE {}').format(sql.Identifier(u['NAME'])))"
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v 0
	$(BENCH_ENV) $(PY) manage.py bench

## After changing UI strings: the English catalogue (then translate what is new in locale/en) and the French
## plural forms, both compiled (the .mo files are committed).
messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=static/vendor --ignore=bench
	$(PY) manage.py french_plurals
	$(PY) manage.py compilemessages -l en -l fr --ignore=.venv

clean:
	rm -rf $(VENV) var

## Pro Santé Connect: a local development provider on http://127.0.0.1:8900 with invented identities, for the PSC
## button of `make run` (README "Pro Santé Connect"). Never in production.
.PHONY: psc-dev-provider
psc-dev-provider: install
	$(PY) -m tigre.accounts.psc_devprovider --port 8900
