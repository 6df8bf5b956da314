#!/usr/bin/env bash
# `make load`: the load test of issue 9 §8, against Move as production runs it.
#
# gunicorn (WEB_CONCURRENCY workers, as the Dockerfile) + PostgreSQL + Redis, MOVE_DEBUG=false,
# on a throwaway database (LOAD_DATABASE_URL, default: DATABASE_URL's server, database
# move_load) that this script drops, creates, migrates and seeds with LOAD_USERS visitors,
# each with a visit and a draft report. Then locust, headless: LOAD_RAMP seconds for every
# visitor to sign in (a password hash each), then LOAD_SECONDS of each autosaving the draft
# every 3 s and reading the report list and a report. The figures are those of the
# visitors signed in: the sign-in ramp is measured apart (one line, its errors counted).
# Afterwards: requests/s, p50/p95/p99 per endpoint, errors, and the check that every
# visitor's last typed text is in the database. Exits non-zero if a goal is missed.
#
# Two settings differ from a real server, on purpose: MOVE_SECURE=false (plain HTTP on
# 127.0.0.1; in production TLS ends at the reverse proxy, which does the same work for
# Django) and MOVE_REQUIRE_MFA=false (the visitors sign in with a password only; the
# second factor is a step of the sign-in, not of the autosave measured here).
# Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=.venv/bin/python
: "${DATABASE_URL:?make load needs DATABASE_URL (a PostgreSQL server; the database itself is not touched)}"
: "${REDIS_URL:?make load needs REDIS_URL}"
LOAD_USERS=${LOAD_USERS:-50}
LOAD_SECONDS=${LOAD_SECONDS:-60}
LOAD_RAMP=${LOAD_RAMP:-20}
WEB_CONCURRENCY=${WEB_CONCURRENCY:-3}
export WEB_CONCURRENCY
LOAD_DATABASE_URL=${LOAD_DATABASE_URL:-$($PYTHON -c '
import os, urllib.parse as parse
print(parse.urlsplit(os.environ["DATABASE_URL"])._replace(path="/move_load").geturl())')}
LOAD_REDIS_URL=${LOAD_REDIS_URL:-$REDIS_URL}

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Production settings, throwaway secrets.
export -n MOVE_TESTING DJANGO_ALLOW_ASYNC_UNSAFE 2>/dev/null || true
unset MOVE_TESTING DJANGO_ALLOW_ASYNC_UNSAFE
export MOVE_DEBUG=false MOVE_SECURE=false MOVE_REQUIRE_MFA=false MOVE_LOG_LEVEL=WARNING \
    MOVE_SECRET_KEY="load-test-only-$(printf '%064d' 0 | tr 0 x)" \
    MOVE_ENCRYPTION_KEY="load-test-only-encryption-key-not-a-real-one-0123" \
    MOVE_ALLOWED_HOSTS=127.0.0.1 MOVE_CACHE_PREFIX="move-load-$$" \
    MOVE_STATIC_ROOT="$work/static" MOVE_MEDIA_ROOT="$work/media" \
    DATABASE_URL="$LOAD_DATABASE_URL" REDIS_URL="$LOAD_REDIS_URL"

echo "== A fresh database: $($PYTHON -c 'import os, urllib.parse as p; u = p.urlsplit(os.environ["DATABASE_URL"]); print(u.hostname + u.path)')"
$PYTHON - <<'PY'
import os
import urllib.parse

import psycopg

url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
if not name.startswith("move_load"):
    raise SystemExit(f"LOAD_DATABASE_URL must name a throwaway database move_load*, not {name}")
server = url._replace(path="/postgres").geturl()
with psycopg.connect(server, autocommit=True) as connection:
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.execute(f'CREATE DATABASE "{name}"')
PY
$PYTHON manage.py migrate --no-input -v 0
$PYTHON manage.py collectstatic --no-input -v 0
password="load-$(date +%s)-password"
$PYTHON scripts/load/seed.py --visitors "$LOAD_USERS" --password "$password" --out "$work/visitors.json"

port=$($PYTHON -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== gunicorn on 127.0.0.1:$port, $WEB_CONCURRENCY workers"
.venv/bin/gunicorn move.wsgi --bind "127.0.0.1:$port" --timeout 60 --graceful-timeout 30 \
    --error-logfile "$work/gunicorn.log" &
server_pid=$!
for _ in $(seq 100); do
    if $PYTHON -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/accounts/login/', timeout=2)" 2>/dev/null; then break; fi
    sleep 0.2
done

echo "== locust: $LOAD_USERS visitors signing in within ${LOAD_RAMP} s, then autosaving for $LOAD_SECONDS s"
export LOAD_RAMP_STATS="$work/ramp.json"
LOAD_VISITORS="$work/visitors.json" LOAD_PASSWORD="$password" LOAD_TYPED="$work/typed.json" \
    LOAD_USERS="$LOAD_USERS" \
    .venv/bin/locust -f scripts/load/locustfile.py --headless --only-summary \
    --users "$LOAD_USERS" --spawn-rate 25 --run-time "$((LOAD_RAMP + LOAD_SECONDS))s" --stop-timeout 10 \
    --host "http://127.0.0.1:$port" --csv "$work/load" --loglevel WARNING || true
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
if grep -q "Traceback" "$work/gunicorn.log"; then
    echo "== gunicorn logged errors:"; grep -A20 "Traceback" "$work/gunicorn.log" | head -60
fi

echo "== Lost edits"
lost=0
$PYTHON scripts/load/check.py "$work/typed.json" || lost=$?
echo "== Figures"
$PYTHON scripts/load/summary.py "$work/load" "$lost"
