"""The help desk's queue (issue 10): who sees which requests, in which order, with
which filters, how a deadline within 48 hours and an overdue first answer stand out,
how pages follow each other, and what a page costs in queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from legal import services
from legal.models import HelpRequest, Message, Topic
from tests.conftest import sign_in
from tests.legal.conftest import ask, record

pytestmark = pytest.mark.django_db

LIST = "legal:request-list"


def codes(response) -> list[str]:
    return [item["code"] for item in response.context["requests"]]


def queue(client, **query):
    return client.get(reverse(LIST), query)


def set_deadline(help_request, hours):
    moment = timezone.now() + timedelta(hours=hours) if hours is not None else None
    HelpRequest.objects.filter(pk=help_request.pk).update(next_deadline_at=moment)


def asked_days_ago(help_request, days):
    moment = timezone.now() - timedelta(days=days)
    HelpRequest.objects.filter(pk=help_request.pk).update(created_at=moment)


# --- Who sees what -------------------------------------------------------------------------


def test_a_visitor_sees_their_own_requests_only(client, visitor_a, visitor_b, topic):
    mine = ask(visitor_a, topic)
    theirs = ask(visitor_b, topic)
    sign_in(client, visitor_a)

    response = queue(client)

    assert response.status_code == 200
    assert codes(response) == [mine.code]
    assert theirs.code not in response.content.decode()


def test_a_visitor_also_sees_what_was_shared_with_their_organisation(
    client, visitor_a, visitor_b, org_b, topic
):
    from move.accounts import permissions
    from move.accounts.permissions import Role
    from tests.factories import member, with_totp

    colleague_b = with_totp(member(Role.VISITOR, org_b, email="colleague.b@example.org"))
    theirs = ask(visitor_b, topic)
    sign_in(client, colleague_b)
    assert codes(queue(client)) == []

    permissions.share(theirs, org_b, "view_helprequest")

    assert codes(queue(client)) == [theirs.code]
    sign_in(client, visitor_a)
    assert codes(queue(client)) == []


@pytest.mark.parametrize("name", ["legal", "coordinator"])
def test_legal_and_coordinators_see_every_request(
    client, request, name, visitor_a, visitor_b, legal, topic
):
    asked = [ask(visitor_a, topic), ask(visitor_b, topic), record(legal, topic)]
    sign_in(client, request.getfixturevalue(name))

    assert sorted(codes(queue(client))) == sorted(item.code for item in asked)


@pytest.mark.parametrize("name", ["partner", "advocacy", "witness_pool"])
def test_those_without_a_help_desk_are_refused_the_queue(client, request, name, request_a):
    sign_in(client, request.getfixturevalue(name))

    response = queue(client)

    assert response.status_code == 403
    assert request_a.code not in response.content.decode()


def test_someone_signed_out_is_sent_to_sign_in(client):
    assert queue(client).status_code == 302


# --- Order ---------------------------------------------------------------------------------


def test_the_queue_shows_the_nearest_deadline_first_then_the_oldest(
    client, legal, visitor_a, topic
):
    later = ask(visitor_a, topic, subject="Later deadline")
    sooner = ask(visitor_a, topic, subject="Sooner deadline")
    old = ask(visitor_a, topic, subject="Old, no deadline")
    new = ask(visitor_a, topic, subject="New, no deadline")
    set_deadline(later, 24 * 9)
    set_deadline(sooner, 30)
    asked_days_ago(old, 10)
    sign_in(client, legal)

    assert codes(queue(client)) == [sooner.code, later.code, old.code, new.code]


def test_a_deadline_within_48_hours_stands_out_in_words(client, legal, visitor_a, topic):
    urgent = ask(visitor_a, topic)
    calm = ask(visitor_a, topic)
    set_deadline(urgent, 20)
    set_deadline(calm, 24 * 5)
    sign_in(client, legal)

    rows = queue(client).content.decode().split("<tr")

    urgent_row = next(row for row in rows if urgent.code in row)
    calm_row = next(row for row in rows if calm.code in row)
    assert "Within 48 hours:" in urgent_row and 'class="due-soon"' in urgent_row
    assert "Within 48 hours" not in calm_row


def test_a_deadline_passed_is_said_so(client, legal, visitor_a, topic):
    late = ask(visitor_a, topic)
    set_deadline(late, -3)
    sign_in(client, legal)

    row = next(r for r in queue(client).content.decode().split("<tr") if late.code in r)

    assert "Passed:" in row


def test_an_overdue_first_answer_is_marked(client, legal, visitor_a, topic):
    overdue = ask(visitor_a, topic)
    answered = ask(visitor_a, topic)
    fresh = ask(visitor_a, topic)
    for item in (overdue, answered):
        HelpRequest.objects.filter(pk=item.pk).update(
            first_answer_due=timezone.localdate() - timedelta(days=1)
        )
    services.add_message(legal, answered, Message.Kind.ANSWER, "Done.")
    sign_in(client, legal)

    rows = {
        item.code: next(r for r in queue(client).content.decode().split("<tr") if item.code in r)
        for item in (overdue, answered, fresh)
    }

    assert "First answer overdue" in rows[overdue.code]
    assert "First answer overdue" not in rows[answered.code]
    assert "First answer overdue" not in rows[fresh.code]


# --- Filters -------------------------------------------------------------------------------


def test_the_lawyer_sees_the_open_requests_unless_she_asks_for_all(client, legal, visitor_a, topic):
    open_one = ask(visitor_a, topic)
    closed = ask(visitor_a, topic)
    services.set_status(legal, closed, HelpRequest.Status.CLOSED)
    sign_in(client, legal)

    assert codes(queue(client)) == [open_one.code]
    assert sorted(codes(queue(client, status=""))) == sorted([open_one.code, closed.code])
    assert codes(queue(client, status="closed")) == [closed.code]


def test_a_visitor_sees_their_closed_requests_too(client, legal, visitor_a, topic):
    closed = ask(visitor_a, topic)
    services.set_status(legal, closed, HelpRequest.Status.CLOSED)
    sign_in(client, visitor_a)

    assert codes(queue(client)) == [closed.code]


def test_filters_by_topic_kind_centre_and_assignee(
    client, legal, visitor_a, topic, centre, other_centre
):
    dublin = Topic.objects.get(code="dublin")
    by_visitor = ask(visitor_a, topic, centre=centre)
    about_dublin = ask(visitor_a, dublin, centre=other_centre)
    by_phone = record(legal, topic)  # a relative, assigned to legal
    sign_in(client, legal)

    assert codes(queue(client, topic=dublin.pk)) == [about_dublin.code]
    assert codes(queue(client, requester_kind="relative")) == [by_phone.code]
    assert codes(queue(client, centre=centre.pk)) == [by_visitor.code]
    assert codes(queue(client, assignee=legal.pk)) == [by_phone.code]


def test_a_visitor_is_not_offered_the_assignee_filter(client, visitor_a, legal, request_a):
    sign_in(client, visitor_a)

    response = queue(client, assignee=legal.pk)

    assert "assignee" not in response.context["form"].fields
    assert codes(response) == [request_a.code]


def test_a_bad_filter_value_is_left_out_and_said(client, legal, request_a):
    sign_in(client, legal)

    response = queue(client, topic="999999", status="open")

    assert response.status_code == 200
    assert codes(response) == [request_a.code]
    assert response.context["form"].errors["topic"]


def test_a_typed_code_finds_its_request(client, legal, visitor_a, topic):
    wanted = ask(visitor_a, topic)
    ask(visitor_a, topic)
    sign_in(client, legal)

    assert codes(queue(client, q=wanted.code.lower())) == [wanted.code]


def test_the_words_of_a_thread_are_searched_in_its_language(client, legal, visitor_a, topic):
    french = ask(
        visitor_a,
        topic,
        subject="Recours",
        question="Le recours contre l'ordre de quitter le territoire est-il suspensif ?",
    )
    dutch = ask(
        visitor_a,
        topic,
        subject="Beroep",
        question="Is het beroep tegen het inreisverbod schorsend?",
        language="nl",
    )
    sign_in(client, legal)

    assert codes(queue(client, q="territoire")) == [french.code]
    assert codes(queue(client, q="inreisverbod")) == [dutch.code]


def test_an_internal_note_is_never_searched_for_an_asker(client, legal, visitor_a, request_a):
    services.add_message(legal, request_a, Message.Kind.NOTE, "Zanzibar")
    sign_in(client, visitor_a)

    assert codes(queue(client, q="Zanzibar")) == []


# --- Pages and cost ------------------------------------------------------------------------


def test_pages_follow_each_other_across_deadlines_and_ages(client, legal, visitor_a, topic):
    asked = [ask(visitor_a, topic, subject=f"Question {n}") for n in range(56)]
    for number, item in enumerate(asked[:30]):
        set_deadline(item, 24 * (number % 7) + 1)  # several share an hour: ties
    HelpRequest.objects.filter(pk__in=[item.pk for item in asked[30:40]]).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    sign_in(client, legal)

    first = queue(client)
    following = first.context["following"]
    second = client.get(reverse(LIST) + "?" + following)

    assert len(codes(first)) == 50 and len(codes(second)) == 6
    assert second.context["following"] is None
    assert set(codes(first)) | set(codes(second)) == {item.code for item in asked}
    # The order runs on across the pages.
    everything = list(HelpRequest.objects.order_by(*HelpRequest._meta.ordering))
    assert codes(first) + codes(second) == [item.code for item in everything]
    # The lawyer's default (open only) is carried to the next page.
    assert "status=open" in following


def test_an_unreadable_cursor_starts_over(client, legal, request_a):
    sign_in(client, legal)

    assert codes(queue(client, after="nonsense_x_1")) == [request_a.code]


@pytest.mark.parametrize("name", ["legal", "visitor_a"])
def test_the_queue_costs_the_same_few_queries_with_5_and_30_rows(
    client, request, name, visitor_a, legal, topic, centre, django_assert_max_num_queries
):
    for number in range(5):
        ask(visitor_a, topic, centre=centre, subject=f"Q{number}")
    sign_in(client, request.getfixturevalue(name))
    queue(client)  # the session's first page, and the reference rows read once
    with django_assert_max_num_queries(8) as five:
        assert len(codes(queue(client))) == 5
    for number in range(25):
        item = ask(visitor_a, topic, centre=centre, subject=f"More {number}")
        set_deadline(item, number)

    with django_assert_max_num_queries(len(five.captured_queries)) as thirty:
        response = queue(client)

    assert len(codes(response)) == 30
    assert len(thirty.captured_queries) == len(five.captured_queries)


def test_the_filters_offer_a_centre_created_meanwhile(client, legal, request_a):
    from tests.factories import CentreFactory

    sign_in(client, legal)
    queue(client)
    created = CentreFactory(name_fr="Holsbeek", name_nl="Holsbeek")

    page = queue(client).content.decode()

    assert f'<option value="{created.pk}">Holsbeek</option>' in page


def test_the_filters_offer_the_lawyers_as_assignees(client, legal, coordinator, request_a):
    sign_in(client, coordinator)

    page = queue(client).content.decode()
    offered = page.split('name="assignee"')[1].split("</select>")[0]

    assert f'<option value="{legal.pk}">{legal.get_full_name()}</option>' in offered
    assert f'<option value="{coordinator.pk}">' not in offered


def test_the_queue_query_reads_the_requests_table_alone(client, legal, request_a):
    """No join in the page's query: the topics come from the filter's choices."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, legal)
    with CaptureQueriesContext(connection) as captured:
        queue(client)

    rows = [q["sql"] for q in captured.captured_queries if 'FROM "legal_helprequest"' in q["sql"]]
    assert len(rows) == 1
    assert "JOIN" not in rows[0]


def test_the_rows_say_topic_status_channel_kind_and_age(client, legal, topic):
    help_request = record(legal, topic, subject="Phone call about a transfer")
    HelpRequest.objects.filter(pk=help_request.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    sign_in(client, legal)

    row = next(r for r in queue(client).content.decode().split("<tr") if help_request.code in r)

    assert reverse("legal:request-detail", kwargs={"key": help_request.key}) in row
    for text in ["Phone call about a transfer", topic.name, "In progress", "Phone", "Relative"]:
        assert text in row
    assert "3 days" in row
    assert 'lang="nl"' in row
