"""`manage.py bench_help_requests` (make bench) at a tiny size: it measures every case of
the queue through the real page, within the query budget, and leaves nothing behind."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from legal.models import Deadline, HelpRequest, Message
from move.accounts.models import User

pytestmark = pytest.mark.django_db


def everything():
    models = (HelpRequest, Message, Deadline, User)
    return {model.__name__: model.objects.count() for model in models}


def test_the_benchmark_measures_the_queue_and_leaves_nothing_behind(settings):
    settings.DEBUG = True
    before = everything()
    out = StringIO()

    call_command("bench_help_requests", requests=60, runs=2, stdout=out)

    text = out.getvalue()
    assert re.search(r"Built 60 requests \(\d+ open\), \d+ messages, 12 deadlines", text)
    for label in (
        "lawyer       queue (open, by deadline)",
        "lawyer       queue, 30 pages down",
        "lawyer       status and topic",
        "lawyer       full text, common word",
        "coordinator  every request",
        "visitor      own requests",
    ):
        assert label in text
    lines = [line for line in text.splitlines() if re.search(r"\d+\.\d ms .* x\d", line)]
    assert len(lines) == 10
    queries = [int(re.search(r"ms +(\d+) +\d+\.\d ms", line).group(1)) for line in lines]
    assert max(queries) <= 8
    assert "Rolled back" in text
    assert everything() == before


def test_the_benchmark_refuses_a_size_too_small_to_measure():
    with pytest.raises(CommandError, match="at least 20"):
        call_command("bench_help_requests", requests=5, stdout=StringIO())
