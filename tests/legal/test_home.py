"""The lawyer's panel on the home page (legal/home.py): what is due today and this week,
each a link to its request by code, with counts; at most two queries, whatever the rows."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legal import home
from legal.models import HelpRequest
from move.accounts import home as home_panels
from tests.conftest import PERSONAS, sign_in
from tests.legal.test_reminders import add_deadline, close, first_answer_due, new_request

pytestmark = pytest.mark.django_db

HOME = reverse("home")
PANEL = re.compile(r'<section [^>]*aria-labelledby="help-due-title">.*?</section>', re.S)


def panel(client) -> str:
    found = PANEL.search(client.get(HOME).content.decode())
    return found[0] if found else ""


def link(help_request) -> str:
    url = reverse("legal:request-detail", args=[help_request.key])
    return f'<a href="{url}">{help_request.code}</a>'


@pytest.fixture
def today():
    return timezone.localdate()


def test_the_lawyer_sees_the_deadlines_due_today_and_this_week(
    client, legal, topic, rule_30_days, today
):
    due = {}
    for name, days in [("overdue", -2), ("today", 0), ("in six days", 6), ("in a week", 7)]:
        due[name] = new_request(legal, topic)
        add_deadline(due[name], rule_30_days, today + timedelta(days=days))
    sign_in(client, legal)

    text = panel(client)

    for name in ("overdue", "today", "in six days"):
        assert link(due[name]) in text
    assert due["in a week"].code not in text
    assert "1 overdue · 1 today · 1 later, by" in re.sub(r"\s+", " ", text)
    assert "Appeal to the Council for Alien Law Litigation" in text


def test_the_lawyer_sees_the_first_answers_overdue_and_due_this_week(
    client, legal, topic, request_a, today
):
    late = first_answer_due(request_a, today - timedelta(days=1))
    soon = first_answer_due(new_request(legal, topic), today + timedelta(days=2))
    HelpRequest.objects.filter(pk=soon.pk).update(first_answered_at=None)
    answered = first_answer_due(new_request(legal, topic), today - timedelta(days=1))
    sign_in(client, legal)

    text = panel(client)

    assert link(late) in text
    assert link(soon) in text
    assert answered.code not in text
    assert "(overdue)" in text


def test_a_closed_request_and_a_deadline_done_are_left_out(
    client, legal, topic, rule_30_days, request_a, today
):
    closed, done = new_request(legal, topic), new_request(legal, topic)
    add_deadline(closed, rule_30_days, today)
    add_deadline(done, rule_30_days, today, done=True)
    close(closed)
    first_answer_due(request_a, today - timedelta(days=3))
    close(request_a)
    sign_in(client, legal)

    text = panel(client)

    assert "No deadline is due this week." in text
    assert "No first answer is due this week." in text
    assert closed.code not in text and done.code not in text and request_a.code not in text


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("anonymous", "legal")])
def test_only_the_lawyer_has_the_panel(client, request, persona, legal, topic, request_a, today):
    first_answer_due(request_a, today - timedelta(days=1))
    sign_in(client, request.getfixturevalue(persona))

    response = client.get(HOME)

    assert response.status_code == 200
    assert "help-due-title" not in response.content.decode()
    assert request_a.code not in response.content.decode()


def test_the_counts_cover_more_rows_than_are_shown(client, legal, topic, rule_30_days, today):
    for _number in range(home.HOME_ROWS + 4):
        add_deadline(new_request(legal, topic), rule_30_days, today)
    sign_in(client, legal)

    text = panel(client)

    assert text.count("(today)") == home.HOME_ROWS
    assert f"{home.HOME_ROWS + 4} today" in text
    assert "And 4 more in the queue." in text


# --- Queries ---------------------------------------------------------------------------


def grow(legal, topic, rule, today, total):
    """`total` requests, each with a deadline due this week and its first answer late."""
    for number in range(HelpRequest.objects.count(), total):
        help_request = new_request(legal, topic)
        add_deadline(help_request, rule, today + timedelta(days=number % 7))
        HelpRequest.objects.filter(pk=help_request.pk).update(
            first_answered_at=None, first_answer_due=today - timedelta(days=number % 3)
        )


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(HOME).status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def lawyer_client(client, legal):
    sign_in(client, legal)
    client.get(HOME)  # the first request of a session refreshes its expiry (a write)
    return client


@pytest.fixture
def bare_queries(lawyer_client, monkeypatch):
    """The queries of the lawyer's home page without this panel."""
    with monkeypatch.context() as patch:
        others = [p for p in home_panels._panels if p.template != "legal/home_due.html"]
        patch.setattr(home_panels, "_panels", others)
        return count_queries(lawyer_client)


def test_the_panel_costs_the_same_queries_with_3_or_20_requests_due(
    lawyer_client, legal, topic, rule_30_days, today
):
    grow(legal, topic, rule_30_days, today, 3)
    with_three = count_queries(lawyer_client)
    grow(legal, topic, rule_30_days, today, 20)

    assert count_queries(lawyer_client) == with_three


@pytest.mark.parametrize("rows", [3, 20])
def test_the_panel_adds_at_most_two_queries_to_the_home_page(
    lawyer_client,
    bare_queries,
    legal,
    topic,
    rule_30_days,
    today,
    rows,
    django_assert_max_num_queries,
):
    grow(legal, topic, rule_30_days, today, rows)

    with django_assert_max_num_queries(min(bare_queries + 2, 8)):
        text = lawyer_client.get(HOME).content.decode()

    assert len(re.findall(r'href="/legal/help/[0-9a-f-]+/"', PANEL.search(text)[0])) == 2 * min(
        rows, home.HOME_ROWS
    )
