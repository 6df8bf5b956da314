"""The deadlines of one request: legal adds them (legal:deadline-add) and marks them
done (legal:deadline-done); a request the person does not see is not found (404), an
action on one they see but may not work on is refused (403); bad input saves nothing
and keeps what was typed. The partial templates/legal/request_deadlines.html lists
them, the ones within 48 hours said in words."""

import re
import uuid
from datetime import date, timedelta
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from legal import services
from legal.deadline_forms import DeadlineForm
from legal.models import Deadline, DeadlineRule, HelpRequest
from tests.conftest import sign_in
from tests.detainees.conftest import spell
from tests.legal.conftest import ask

pytestmark = pytest.mark.django_db


def add_url(help_request):
    return reverse("legal:deadline-add", args=[help_request.key])


def done_url(deadline):
    return reverse("legal:deadline-done", args=[deadline.key])


def detail_url(help_request):
    return reverse("legal:request-detail", args=[help_request.key]) + "#deadlines"


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def post(rule, notified_on, notified_at=None, spell_key=None) -> dict:
    data = {"deadline-rule": rule, "deadline-notified_on": notified_on}
    if notified_at is not None:
        data["deadline-notified_at"] = notified_at
    if spell_key is not None:
        data["deadline-spell"] = spell_key
    return data


@pytest.fixture
def rule_monthly(db):
    return DeadlineRule.objects.get(code="council-chamber-release")


@pytest.fixture
def linked_request(visitor_a, topic, person_a):
    """A request asked about person_a's case file (held since 30 days, ongoing)."""
    return ask(visitor_a, topic, person=person_a)


def an_hour_ago():
    return timezone.localtime() - timedelta(hours=1)


# --- Adding ----------------------------------------------------------------------------


def test_legal_adds_a_deadline_moved_over_the_national_day(client, legal, request_a):
    sign_in(client, legal)
    response = client.post(add_url(request_a), post("extreme-urgency-later", "2026-07-16"))

    assert response.status_code == 302
    assert response["Location"] == detail_url(request_a)
    deadline = Deadline.objects.get(request=request_a)
    assert deadline.due_on == date(2026, 7, 22)
    assert deadline.rule.code == "extreme-urgency-later"
    assert "21 July" in deadline.reason
    assert deadline.created_by == legal
    request_a.refresh_from_db()
    assert request_a.next_deadline_at == deadline.due_at


def test_legal_adds_a_deadline_in_hours_from_the_moment_of_notification(
    client, legal, request_a, rule_24_hours
):
    sign_in(client, legal)
    response = client.post(
        add_url(request_a), post(rule_24_hours.code, "2026-07-17", notified_at="15:30")
    )
    assert response.status_code == 302
    deadline = Deadline.objects.get(request=request_a)
    local = timezone.localtime(deadline.due_at)
    assert (local.date(), local.hour, local.minute) == (date(2026, 7, 18), 15, 30)
    assert deadline.notified_at.strftime("%H:%M") == "15:30"
    assert "not moved" in deadline.reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            post("cce-appeal", (date.today() + timedelta(days=2)).isoformat()),
            "The date of notification cannot be in the future",
            id="future-date",
        ),
        pytest.param(
            post("indictment-chamber-appeal", "2026-07-17"),
            "give the time of notification too",
            id="hours-without-time",
        ),
        pytest.param(post("", "2026-07-16"), "Choose a rule.", id="no-rule"),
        pytest.param(post("cce-appeal", "2026-02-30"), "is not a date that exists", id="no-date"),
        pytest.param(post("cce-appeal", ""), "Give the date of notification.", id="empty-date"),
    ],
)
def test_bad_input_saves_nothing_and_keeps_what_was_typed(data, message, client, legal, request_a):
    sign_in(client, legal)
    response = client.post(add_url(request_a), data)
    assert response.status_code == 400
    html = text(response)
    assert message in html
    if data["deadline-notified_on"]:
        assert f'value="{data["deadline-notified_on"]}"' in html
    assert f'action="{add_url(request_a)}"' in html  # the form, to correct and send again
    assert Deadline.objects.count() == 0
    request_a.refresh_from_db()
    assert request_a.next_deadline_at is None


def test_the_refused_page_lists_the_deadlines_already_there(client, legal, request_a):
    sign_in(client, legal)
    client.post(add_url(request_a), post("cce-appeal-detained", "2026-03-02"))
    html = text(client.post(add_url(request_a), post("", "2026-07-16")))
    assert "Thu 12 Mar 2026" in html
    assert Deadline.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("visitor_a", 403),  # the requester sees the request, may not add deadlines
        ("coordinator", 403),
        ("visitor_b", 404),
        ("advocacy", 404),
        ("witness_pool", 404),
        ("partner", 404),
    ],
)
def test_only_legal_adds_deadlines(persona, status, request, client, request_a):
    sign_in(client, request.getfixturevalue(persona))
    response = client.post(add_url(request_a), post("cce-appeal", "2026-07-16"))
    assert response.status_code == status
    assert Deadline.objects.count() == 0


def test_a_stranger_is_sent_to_sign_in(client, request_a):
    response = client.post(add_url(request_a), post("cce-appeal", "2026-07-16"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert Deadline.objects.count() == 0


def test_adding_is_a_post(client, legal, request_a):
    sign_in(client, legal)
    assert client.get(add_url(request_a)).status_code == 405


def test_an_unknown_request_is_not_found(client, legal):
    sign_in(client, legal)
    url = reverse("legal:deadline-add", args=["0e0e0e0e-0000-0000-0000-000000000000"])
    assert client.post(url, post("cce-appeal", "2026-07-16")).status_code == 404


# --- The monthly request for release follows the detention -----------------------------


def test_the_monthly_rule_may_follow_the_ongoing_detention(
    client, legal, linked_request, person_a, rule_monthly
):
    ongoing = person_a.spells.get(end__isnull=True)
    form = DeadlineForm(help_request=linked_request)
    assert [key for key, _label in form.fields["spell"].choices] == ["", str(ongoing.key)]
    sign_in(client, legal)

    response = client.post(
        add_url(linked_request), post(rule_monthly.code, "2026-07-01", spell_key=ongoing.key)
    )

    assert response.status_code == 302
    assert Deadline.objects.get(request=linked_request).spell == ongoing


def test_an_ended_detention_is_not_offered(legal, linked_request, person_a, centre):
    today = timezone.localdate()
    person_a.spells.update(end=today - timedelta(days=10))
    transferred = spell(person_a, centre, today - timedelta(days=9))
    form = DeadlineForm(help_request=linked_request)
    assert [key for key, _label in form.fields["spell"].choices] == ["", str(transferred.key)]
    person_a.spells.filter(end__isnull=True).update(end=today)
    assert "spell" not in DeadlineForm(help_request=linked_request).fields


def test_a_request_without_case_file_has_no_detention_to_follow(request_a):
    assert "spell" not in DeadlineForm(help_request=request_a).fields


def test_a_request_without_case_file_ignores_a_detention_sent(client, legal, request_a):
    sign_in(client, legal)
    data = post("council-chamber-release", "2026-07-01", spell_key=str(uuid.uuid4()))
    assert client.post(add_url(request_a), data).status_code == 302
    assert Deadline.objects.get(request=request_a).spell is None


def test_only_a_monthly_rule_follows_a_detention(client, legal, linked_request, person_a):
    ongoing = person_a.spells.get(end__isnull=True)
    sign_in(client, legal)
    response = client.post(
        add_url(linked_request), post("cce-appeal", "2026-07-01", spell_key=ongoing.key)
    )
    assert response.status_code == 400
    assert "Only a rule renewable every month follows a detention" in text(response)
    assert Deadline.objects.count() == 0


def test_another_persons_detention_cannot_be_chosen(
    client, legal, linked_request, rule_monthly, visitor_b, org_b, centre
):
    from tests.detainees.conftest import new_person

    other = new_person(visitor_b, org_b, centre, name=("Jan", "Peeters"))
    sign_in(client, legal)
    response = client.post(
        add_url(linked_request),
        post(rule_monthly.code, "2026-07-01", spell_key=other.spells.get().key),
    )
    assert response.status_code == 400
    assert Deadline.objects.count() == 0


def test_the_form_reads_rules_and_detention_in_two_queries(
    linked_request, django_assert_num_queries
):
    with django_assert_num_queries(2):
        form = DeadlineForm(help_request=linked_request)
        form.as_div()


# --- Done --------------------------------------------------------------------------------


@pytest.fixture
def deadline(legal, request_a, rule_30_days):
    return services.add_deadline(legal, request_a, rule_30_days, date(2026, 7, 11))


def test_legal_marks_a_deadline_done_and_running_again(client, legal, request_a, deadline):
    sign_in(client, legal)
    response = client.post(done_url(deadline), {"done": "1"})
    assert response.status_code == 302 and response["Location"] == detail_url(request_a)
    deadline.refresh_from_db()
    request_a.refresh_from_db()
    assert deadline.done and request_a.next_deadline_at is None

    client.post(done_url(deadline), {"done": "0"})
    deadline.refresh_from_db()
    request_a.refresh_from_db()
    assert not deadline.done and request_a.next_deadline_at == deadline.due_at


@pytest.mark.parametrize(
    ("persona", "status"),
    [("visitor_a", 403), ("coordinator", 403), ("visitor_b", 404), ("partner", 404)],
)
def test_only_legal_marks_deadlines_done(persona, status, request, client, deadline):
    sign_in(client, request.getfixturevalue(persona))
    assert client.post(done_url(deadline), {"done": "1"}).status_code == status
    deadline.refresh_from_db()
    assert not deadline.done


def test_marking_done_is_a_post(client, legal, deadline):
    sign_in(client, legal)
    assert client.get(done_url(deadline)).status_code == 405


# --- The partial -------------------------------------------------------------------------


def render_partial(help_request, user, with_form=True) -> str:
    request = RequestFactory().get("/")
    request.user = user
    context = {
        "help_request": help_request,
        "deadlines": list(Deadline.objects.filter(request=help_request).select_related("rule")),
        "deadline_form": DeadlineForm(help_request=help_request) if with_form else None,
    }
    return re.sub(
        r"\s+", " ", unescape(render_to_string("legal/request_deadlines.html", context, request))
    )


def test_the_partial_says_in_words_which_deadline_is_within_48_hours(
    legal, request_a, rule_24_hours, rule_30_days
):
    moment = an_hour_ago()
    soon = services.add_deadline(legal, request_a, rule_24_hours, moment.date(), moment.time())
    passed = services.add_deadline(legal, request_a, rule_30_days, date(2026, 7, 11))
    done = services.add_deadline(legal, request_a, rule_30_days, date(2026, 6, 1))
    services.mark_deadline_done(legal, done)

    html = render_partial(request_a, legal)

    rows = dict(re.findall(r'<tr class="due-(\w+)">(.*?)</tr>', html))
    assert set(rows) == {"soon", "passed", "done"}
    assert "Within 48 hours" in rows["soon"] and "Appeal to the indictment chamber" in rows["soon"]
    assert "Passed" in rows["passed"] and "Mon 10 Aug 2026" in rows["passed"]
    assert "Done" in rows["done"] and "Mark as running again" in rows["done"]
    assert 'name="done" value="1"' in rows["soon"]
    local_due = timezone.localtime(soon.due_at).strftime("%H:%M")
    assert local_due in rows["soon"]  # the moment, for a limit in hours
    assert f'action="{add_url(request_a)}"' in html
    assert passed.key and done.key


def test_the_partial_gives_the_reason_in_the_readers_language(legal, request_a):
    from django.utils import translation

    rule = DeadlineRule.objects.get(code="extreme-urgency-later")
    with translation.override("en"):
        services.add_deadline(legal, request_a, rule, date(2026, 7, 16))
    with translation.override("nl"):
        html = render_partial(request_a, legal, with_form=False)
    assert "21 juli" in html


def test_without_the_form_the_partial_only_reads(legal, coordinator, request_a, rule_30_days):
    services.add_deadline(legal, request_a, rule_30_days, date(2026, 7, 11))
    html = render_partial(request_a, coordinator, with_form=False)
    assert "Appeal to the Council for Alien Law Litigation" in html
    assert "Mark done" not in html and "<form" not in html


def test_the_partial_says_when_there_is_no_deadline(legal, request_a):
    html = render_partial(request_a, legal, with_form=False)
    assert "No deadline on this request." in html


def test_helprequest_is_unchanged_by_a_refused_add(client, legal, request_a):
    before = HelpRequest.objects.filter(pk=request_a.pk).values("version", "updated_at").get()
    sign_in(client, legal)
    client.post(add_url(request_a), post("cce-appeal", "2999-01-01"))
    after = HelpRequest.objects.filter(pk=request_a.pk).values("version", "updated_at").get()
    assert before == after


def test_a_rule_changed_since_keeps_the_reason_given_when_it_was_added(
    legal, request_a, rule_30_days
):
    # 20 November + 30 days = Sunday 20 December → Monday 21 December. With 31 days the
    # due day is the same Monday, but nothing moved: the reason kept is the first one.
    services.add_deadline(legal, request_a, rule_30_days, date(2026, 11, 20))
    DeadlineRule.objects.filter(pk=rule_30_days.pk).update(days=31)
    html = render_partial(request_a, legal, with_form=False)
    assert "20 December: Sunday" in html
