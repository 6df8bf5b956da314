"""Loaded before Django's settings (`-p tests.xdist_env` in pyproject.toml): under
pytest-xdist (`make test` runs the suite on every core), each worker gets a Redis database
of its own. Tests empty the cache (FLUSHDB) before each test and start real Celery workers
on its queues: two workers sharing one database would empty each other's. PostgreSQL needs
nothing: pytest-django gives each worker its own test database (test_move_gw0, ...)."""

import os

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_url = os.environ.get("REDIS_URL", "")
if _worker.startswith("gw") and _url:
    _base, _, _database = _url.rpartition("/")
    _number = int(_database) if _database.isdigit() else 0
    os.environ["REDIS_URL"] = f"{_base}/{(_number + 1 + int(_worker[2:])) % 16}"
