"""Fixtures of the help desk: the seeded topics and rules (migration 0002), requests
asked by the personas of tests/conftest.py, case files of tests/detainees/conftest.py."""

import pytest

from legal import services
from legal.models import DeadlineRule, HelpRequest, Topic
from tests.detainees.conftest import centre, new_person, other_centre, person_a  # noqa: F401


@pytest.fixture
def topic(db):
    return Topic.objects.get(code="detention")


@pytest.fixture
def rule_30_days(db):
    return DeadlineRule.objects.get(code="cce-appeal")


@pytest.fixture
def rule_extreme_urgency_later(db):
    return DeadlineRule.objects.get(code="extreme-urgency-later")


@pytest.fixture
def rule_24_hours(db):
    return DeadlineRule.objects.get(code="indictment-chamber-appeal")


def ask(
    user,
    topic,
    subject="Release after four months?",
    question="Can P-2026-0001 ask for release?",
    **fields,
):
    return services.ask(
        user,
        topic=topic,
        subject=subject,
        question=question,
        language=fields.pop("language", "fr"),
        **fields,
    )


def record(lawyer, topic, subject="Phone call from a relative", **fields):
    fields.setdefault("channel", HelpRequest.Channel.PHONE)
    fields.setdefault("requester_kind", HelpRequest.RequesterKind.RELATIVE)
    fields.setdefault("language", "nl")
    return services.record(
        lawyer, topic=topic, subject=subject, question=fields.pop("question", "Wanneer?"), **fields
    )


@pytest.fixture
def request_a(visitor_a, topic):
    """A request asked in the application by visitor_a (org_a)."""
    return ask(visitor_a, topic)


@pytest.fixture
def caller_request(legal, topic):
    """A phone request recorded by the lawyer, with an outside caller's contact."""
    return record(
        legal,
        topic,
        contact_name="Fatima El Amrani",
        contact_phone="+32470123456",
        contact_email="fatima@example.org",
    )
