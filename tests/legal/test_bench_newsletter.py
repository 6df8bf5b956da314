"""`manage.py bench_newsletter` (make bench) at a tiny size: it times the PDF and the
sending through a real local SMTP server, and leaves nothing behind."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from legal.models import Decision, Delivery, Lawyer, NewsItem, Newsletter, NewsletterDecision

pytestmark = pytest.mark.django_db

MODELS = (Newsletter, NewsletterDecision, NewsItem, Decision, Lawyer, Delivery)


def everything():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_benchmark_times_the_pdf_and_the_sending_and_leaves_nothing_behind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = everything()
    out = StringIO()

    call_command("bench_newsletter", lawyers=5, decisions=2, stdout=out)

    text = out.getvalue()
    assert re.search(r"Newsletter PDF, \d+ pages: \d+\.\d\d s \(goal <= 2 s, >= 12 pages\)", text)
    assert re.search(
        r"Sending to 5 lawyers \(5 received by the local SMTP server, both PDFs made first\): "
        r"\d+\.\d\d s \(goal <= 30 s\) ok",
        text,
    )
    assert "Rolled back" in text
    assert everything() == before
    assert not list(tmp_path.rglob("*.pdf"))  # the PDFs went to a temporary folder


def test_the_benchmark_refuses_nothing_to_measure():
    with pytest.raises(CommandError, match="at least one"):
        call_command("bench_newsletter", lawyers=0, stdout=StringIO())
