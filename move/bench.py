"""What the benchmark commands share (`make bench`): build rows in a transaction that is
always rolled back, and time a page the way a browser asks for it."""

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import CommandError
from django.core.signals import request_started
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back(stdout, models):
    """Everything done inside is undone; then the tables of `models` are vacuumed on
    PostgreSQL (rolled-back rows stay as dead ones until then, and slowed the next runs'
    query planning)."""
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        stdout.write("Rolled back: the database is as it was.")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {', '.join(model._meta.db_table for model in models)}")


@dataclass
class Timing:
    p50: float  # ms on the clock
    cpu: float  # ms of this process's CPU: tells a slow page from a busy machine
    slowest: float
    queries: list  # the queries of one request, with their times

    @property
    def sql(self) -> float:
        """The time of the page's queries seen from here, in one request (ms)."""
        return sum(float(query["time"]) for query in self.queries) * 1000


def time_page(user, url, query, runs, what="") -> Timing:
    """`runs` requests after a warm one, then one more whose queries are kept."""
    client = Client()
    client.force_login(user)
    client.get(url, query)  # warm
    timings, cpu = [], []
    for _run in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, query)
        timings.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        if response.status_code != 200:
            raise CommandError(f"{what}: HTTP {response.status_code}")
    request_started.disconnect(reset_queries)  # or each request empties the log
    connection.queries_log.clear()  # full after a build: it keeps 9,000 at most
    try:
        with CaptureQueriesContext(connection) as captured:
            client.get(url, query)
        queries = list(captured.captured_queries)
    finally:
        request_started.connect(reset_queries)
    return Timing(statistics.median(timings), statistics.median(cpu), max(timings), queries)


def explain(stdout, sql: str) -> None:
    """The plan of one query, run (EXPLAIN ANALYZE, PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    stdout.write(f"{sql}\n{plan}\n")
