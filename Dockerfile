# Move's production image: one image for web (gunicorn), worker and beat (Celery) and the
# one-shot migrate service of docker-compose.yml. Configuration comes from the
# environment at run time (.env.example); nothing secret is baked in.

# ---- build: the locked dependencies, the compiled catalogues, the static files ----
FROM python:3.11-slim AS build

ARG UV_VERSION=0.13.9
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1

RUN pip install --no-cache-dir --root-user-action=ignore "uv==${UV_VERSION}"

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# The fr/nl catalogues (.po -> .mo). scripts/messages.py needs polib, a dev dependency:
# the version of uv.lock goes beside the image's environment, not into it.
RUN pip install --no-cache-dir --root-user-action=ignore --target /tmp/polib "polib==1.2.0" \
    && PYTHONPATH=/tmp/polib /app/.venv/bin/python scripts/messages.py compile

# Static files, hashed and compressed for whitenoise. Settings need production values
# to import: these are throw-away, the real ones come from .env at run time.
RUN MOVE_DEBUG=false MOVE_TESTING=false \
    MOVE_SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789abcdefghijklmnopqrstuvwxyz \
    MOVE_ENCRYPTION_KEY=collectstatic-only-not-a-real-encryption-key \
    MOVE_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/none REDIS_URL=redis://build.invalid:6379/0 \
    /app/.venv/bin/python manage.py collectstatic --no-input -v 0

# ---- runtime: the same Python, the app, a non-root user ----
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=move.settings

RUN groupadd --system --gid 10001 move \
    && useradd --system --uid 10001 --gid move --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin move

# WeasyPrint (report PDFs) draws text with Pango and HarfBuzz; DejaVu is the PDFs' font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The nightly backup (move/ops/backup.py) runs pg_dump and pg_restore, which must be of the
# database server's major version (postgres:16 in docker-compose.yml); Debian 12 ships 15.
ADD https://www.postgresql.org/media/keys/ACCC4CF8.asc /etc/apt/keyrings/pgdg.asc
RUN chmod 644 /etc/apt/keyrings/pgdg.asc \
    && echo "deb [signed-by=/etc/apt/keyrings/pgdg.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The code stays owned by root (read-only for the app); only media and beat's state are
# writable. A named volume mounted there the first time takes the folder's owner.
COPY --from=build /app /app
RUN mkdir -p /app/var/media /var/lib/move \
    && chown move:move /app/var/media /var/lib/move

USER move
EXPOSE 8000

# Workers: WEB_CONCURRENCY (read by gunicorn). Static files are served by whitenoise.
# No control socket: gunicorn would try to make it in $HOME, /app, read-only here.
CMD ["gunicorn", "move.wsgi", "--bind", "0.0.0.0:8000", \
     "--timeout", "60", "--graceful-timeout", "30", "--no-control-socket"]
