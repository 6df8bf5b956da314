"""`manage.py bench_lawyers` (make bench) at a tiny size: it measures every case of the
directory through the real page, within the query budget, and leaves nothing behind."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from legal.models import Lawyer
from move.accounts.models import User
from move.centres.models import Centre

pytestmark = pytest.mark.django_db


def everything():
    through = (Lawyer.specialities.through, Lawyer.centres.through)
    models = (Lawyer, User, Centre, *through)
    return {model.__name__: model.objects.count() for model in models}


def test_the_benchmark_measures_the_directory_and_leaves_nothing_behind(settings):
    settings.DEBUG = True
    before = everything()
    out = StringIO()

    call_command("bench_lawyers", lawyers=120, runs=2, stdout=out)

    text = out.getvalue()
    assert re.search(r"Built 120 lawyers over 19 bars and 6 centres \(\d+ subscribed\)", text)
    assert "Bare page" in text
    for label in (
        "visitor  directory",
        "visitor  Dutch, detention, one centre",
        "visitor  name search",
        "visitor  page 10",
        "lawyer   subscribed, legal aid",
    ):
        assert label in text
    lines = [line for line in text.splitlines() if re.search(r"\d+\.\d ms .* x\d", line)]
    assert len(lines) == 5
    # ... max, queries, their time, the bare page timed beside it.
    found = [re.search(r"ms +(\d+) +\d+\.\d ms +\d+\.\d ms$", line) for line in lines]
    queries = [int(match.group(1)) for match in found]
    assert max(queries) <= 8
    assert "Rolled back" in text
    assert everything() == before


def test_the_benchmark_refuses_a_size_too_small_to_measure():
    with pytest.raises(CommandError, match="at least 10"):
        call_command("bench_lawyers", lawyers=5, stdout=StringIO())
