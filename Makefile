# Everyday verbs. Each one bootstraps .venv itself (installing uv with pip if missing).
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
VENV := .venv/bin
DEMO_ENV := MOVE_DEBUG=true MOVE_REQUIRE_MFA=false
# Settings that production would have, to run `check --deploy` against (it connects to
# neither the database nor Redis: their URLs only need to be well-formed).
DEPLOY_ENV := env -u MOVE_TESTING -u DJANGO_ALLOW_ASYNC_UNSAFE MOVE_DEBUG=false MOVE_SECRET_KEY=deploy-check-$$(printf '%064d' 0 | tr 0 x)-key \
	MOVE_ENCRYPTION_KEY=deploy-check-encryption-key-not-a-real-one-0123 MOVE_ALLOWED_HOSTS=move.example.org \
	DATABASE_URL=postgres://deploy-check@127.0.0.1:1/none REDIS_URL=redis://127.0.0.1:1/0

.PHONY: demo test lint format messages compilemessages bench load venv clean backup audit upgrade

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python 3.11 --compile-bytecode
	touch $@

venv: .venv/.synced

compilemessages: venv
	$(VENV)/python scripts/messages.py compile

demo: venv compilemessages
	$(DEMO_ENV) $(VENV)/python manage.py migrate --no-input -v 0
	$(DEMO_ENV) $(VENV)/python manage.py seed_demo
	@echo "Open http://127.0.0.1:8000/ and sign in with one of the accounts above."
	$(DEMO_ENV) $(VENV)/python manage.py runserver 127.0.0.1:8000

lint: venv
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format: venv
	$(VENV)/ruff check --fix .
	$(VENV)/ruff format .

# The suite runs on every core (pytest-xdist), a test file per worker at a time; each
# worker has its own test database and Redis database (tests/xdist_env.py).
PYTEST_WORKERS ?= auto

test: lint compilemessages
	$(VENV)/python scripts/messages.py check
	MOVE_DEBUG=true $(VENV)/python manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(VENV)/python manage.py check --deploy --fail-level WARNING
	$(VENV)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The report list at 100,000 reports, the case files at 1,000,000 accompaniments, the help
# desk, the lawyers and the figures on PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), each
# built in a scratch database beside DATABASE_URL's, dropped after (the newsletter's rows:
# rolled back). Production settings (MOVE_DEBUG=false: cached templates, no query log, the
# manifest of static files collected into a temporary folder); each page is timed in turn
# with a bare page and compared with it.
BENCH_ENV := env -u MOVE_TESTING -u DJANGO_ALLOW_ASYNC_UNSAFE MOVE_DEBUG=false MOVE_REQUIRE_MFA=true \
	MOVE_SECRET_KEY=bench-only-$$(printf '%064d' 0 | tr 0 x)-key \
	MOVE_ENCRYPTION_KEY=bench-only-encryption-key-not-a-real-one-0123456 \
	MOVE_ALLOWED_HOSTS=testserver MOVE_LOG_LEVEL=WARNING MOVE_CACHE_PREFIX=move-bench

bench: venv
	@test -n "$$DATABASE_URL" || { echo "bench needs DATABASE_URL (PostgreSQL)"; exit 2; }
	@test -n "$$REDIS_URL" || { echo "bench needs REDIS_URL (Redis)"; exit 2; }
	set -e; static=$$(mktemp -d); trap 'rm -rf "$$static"' EXIT; \
	export MOVE_STATIC_ROOT="$$static"; \
	$(BENCH_ENV) $(VENV)/python manage.py migrate --no-input -v 0; \
	$(BENCH_ENV) $(VENV)/python manage.py collectstatic --no-input -v 0; \
	$(BENCH_ENV) $(VENV)/python manage.py bench_reports --reports 100000; \
	$(BENCH_ENV) $(VENV)/python manage.py bench_people --accompaniments 1000000; \
	$(BENCH_ENV) $(VENV)/python manage.py bench_figures; \
	$(BENCH_ENV) $(VENV)/python manage.py bench_help_requests --requests 50000; \
	$(BENCH_ENV) $(VENV)/python manage.py bench_newsletter; \
	$(BENCH_ENV) $(VENV)/python manage.py bench_lawyers --lawyers 5000

# 50 visitors autosaving for 60 s against gunicorn + PostgreSQL + Redis (scripts/load.sh):
# a throwaway database move_load on DATABASE_URL's server, traffic to 127.0.0.1 only.
load: venv
	bash scripts/load.sh

# Regenerates the fr and nl catalogues from the code (needs GNU gettext's xgettext).
messages: venv
	MOVE_DEBUG=true $(VENV)/python manage.py makemessages --no-location --no-obsolete -l fr -l nl -i '.venv/*' -i '.tools/*' -i 'var/*'
	$(VENV)/python scripts/messages.py check || true

clean:
	rm -rf .venv .tools var

# One encrypted archive of the database and the private files in MOVE_BACKUP_DIR, then the
# retention: what the nightly job does (README, "Backups"). Uses the environment as it is.
backup: venv
	$(VENV)/python manage.py backup

# pip-audit on uv.lock's pinned dependencies; fails on a finding not accepted in
# .ci/audit-ignore.toml, and when it cannot reach PyPI's advisories.
audit: venv
	UV=$(UV) $(VENV)/python scripts/audit.py

# Every dependency to the newest version pyproject.toml allows, then the whole suite.
upgrade: venv
	$(UV) lock --upgrade
	$(MAKE) test
