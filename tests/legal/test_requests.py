"""The pages of one help request (issue 10): asking, recording, reading the thread,
answering, adding information, closing and reopening, sharing, editing. Refused objects
answer 404, refused actions on a visible request 403, bad input 400 with what was typed
kept and nothing saved."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from legal import services
from legal.models import HelpRequest, Message, Topic
from move.accounts.forms import CONCURRENT_EDIT
from move.accounts.permissions import Role
from move.privacy.models import AccessLogEntry
from tests.conftest import sign_in
from tests.factories import member, with_totp
from tests.legal.conftest import ask, record

pytestmark = pytest.mark.django_db

NOBODY = ["partner", "advocacy", "witness_pool"]


def detail(help_request):
    return reverse("legal:request-detail", kwargs={"key": help_request.key})


def url(name, help_request):
    return reverse(f"legal:{name}", kwargs={"key": help_request.key})


def as_(client, request, name):
    return sign_in(client, request.getfixturevalue(name))


def ask_data(chosen, **fields):
    return {
        "topic": chosen.pk,
        "subject": "Release after four months?",
        "question": "Can the person ask for release?",
        "language": "fr",
        "urgency": "normal",
        "case_file": "",
        "centre": "",
        **fields,
    }


def record_data(chosen, **fields):
    return {
        "channel": "phone",
        "requester_kind": "relative",
        "contact_name": "Fatima El Amrani",
        "contact_phone": "+32470123456",
        "contact_email": "fatima@example.org",
        "language": "nl",
        "topic": chosen.pk,
        "subject": "Phone call from a sister",
        "question": "Wanneer kan hij vrijkomen?",
        "urgency": "urgent",
        "case_file": "",
        "centre": "",
        "asked_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        **fields,
    }


@pytest.fixture
def colleague_a(org_a):
    """Another visitor of org_a, who did not ask."""
    return with_totp(member(Role.VISITOR, org_a, email="colleague.a@example.org"))


# --- Asking --------------------------------------------------------------------------------


def test_a_visitor_asks_the_lawyer(client, visitor_a, org_a, topic):
    sign_in(client, visitor_a)

    response = client.post(reverse("legal:request-ask"), ask_data(topic))

    help_request = HelpRequest.objects.get()
    assert response.status_code == 302
    assert response.url == detail(help_request)
    assert help_request.requester == visitor_a
    assert help_request.organisation == org_a
    assert help_request.channel == HelpRequest.Channel.APP
    assert help_request.code.startswith(f"H-{timezone.localdate().year}-")
    assert help_request.messages.get().text == "Can the person ask for release?"


def test_asking_about_a_case_file_links_it_whatever_the_case_typed(
    client, visitor_a, person_a, topic, centre
):
    sign_in(client, visitor_a)

    client.post(
        reverse("legal:request-ask"),
        ask_data(topic, case_file=f" {person_a.code.lower()} ", centre=centre.pk),
    )

    help_request = HelpRequest.objects.get()
    assert help_request.person == person_a
    assert help_request.centre == centre


def test_an_unknown_code_and_a_code_of_another_organisation_get_the_same_message(
    client, visitor_b, person_a, topic
):
    sign_in(client, visitor_b)

    missing = client.post(reverse("legal:request-ask"), ask_data(topic, case_file="P-2099-9999"))
    hidden = client.post(reverse("legal:request-ask"), ask_data(topic, case_file=person_a.code))

    assert missing.status_code == hidden.status_code == 400
    assert missing.context["form"].errors["case_file"] == hidden.context["form"].errors["case_file"]
    assert HelpRequest.objects.count() == 0
    # Nothing typed is lost.
    assert "Can the person ask for release?" in hidden.content.decode()


def test_a_code_that_is_not_a_case_file_code_says_how_to_type_it(client, visitor_a, topic):
    sign_in(client, visitor_a)

    response = client.post(reverse("legal:request-ask"), ask_data(topic, case_file="Amina"))

    assert response.status_code == 400
    assert "P-2026-0042" in response.context["form"].errors["case_file"][0]
    assert HelpRequest.objects.count() == 0


def test_a_question_without_topic_nor_text_keeps_what_was_typed(client, visitor_a, topic):
    sign_in(client, visitor_a)

    response = client.post(
        reverse("legal:request-ask"), ask_data(topic, topic="", question="", subject="Kept")
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"topic", "question"}
    assert 'value="Kept"' in response.content.decode()
    assert HelpRequest.objects.count() == 0 and Message.objects.count() == 0


@pytest.mark.parametrize("name", ["legal", "coordinator", *NOBODY])
def test_only_visitors_ask_from_the_application(client, request, name, topic):
    as_(client, request, name)

    assert client.get(reverse("legal:request-ask")).status_code == 403
    assert client.post(reverse("legal:request-ask"), ask_data(topic)).status_code == 403
    assert HelpRequest.objects.count() == 0


# --- Recording -----------------------------------------------------------------------------


def test_the_lawyer_records_a_phone_request_with_the_callers_contact(client, legal, topic):
    sign_in(client, legal)

    response = client.post(reverse("legal:request-record"), record_data(topic))

    help_request = HelpRequest.objects.get()
    assert response.status_code == 302 and response.url == detail(help_request)
    assert help_request.channel == "phone" and help_request.requester_kind == "relative"
    assert help_request.requester is None and help_request.assignee == legal
    assert help_request.urgency == "urgent" and help_request.language == "nl"
    assert help_request.contact_phone == "+32470123456"
    assert help_request.status == HelpRequest.Status.IN_PROGRESS
    # Encrypted in the database.
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name FROM legal_helprequest")
        assert "Fatima" not in cursor.fetchone()[0]


def test_the_record_form_is_one_short_keyboard_form(client, legal):
    sign_in(client, legal)

    page = client.get(reverse("legal:request-record")).content.decode()

    assert page.count("autofocus") == 1
    assert 'name="channel"' in page.split("autofocus")[0].rsplit("<select", 1)[1]
    assert page.count('type="submit"') == 3  # the form's, the language's and sign out
    fields = ["channel", "requester_kind", "contact_name", "language", "topic", "subject"]
    fields += ["question", "urgency", "case_file", "centre", "asked_at"]
    positions = [page.index(f'id="id_{name}"') for name in fields]
    assert positions == sorted(positions)
    assert 'value="phone" selected' in page
    assert '<input type="tel" name="contact_phone"' in page


def test_a_request_asked_in_the_future_is_refused_and_nothing_is_saved(client, legal, topic):
    sign_in(client, legal)
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(reverse("legal:request-record"), record_data(topic, asked_at=tomorrow))

    assert response.status_code == 400
    assert "future" in response.context["form"].errors["asked_at"][0]
    assert "Wanneer kan hij vrijkomen?" in response.content.decode()
    assert HelpRequest.objects.count() == 0 and Message.objects.count() == 0


def test_a_request_asked_yesterday_keeps_its_moment(client, legal, topic):
    sign_in(client, legal)
    yesterday = timezone.localtime() - timedelta(days=1)

    client.post(
        reverse("legal:request-record"),
        record_data(topic, asked_at=yesterday.strftime("%Y-%m-%dT%H:%M")),
    )

    assert timezone.localdate(HelpRequest.objects.get().created_at) == yesterday.date()


@pytest.mark.parametrize("name", ["visitor_a", "coordinator", *NOBODY])
def test_only_the_lawyer_records_requests(client, request, name, topic):
    as_(client, request, name)

    assert client.get(reverse("legal:request-record")).status_code == 403
    assert client.post(reverse("legal:request-record"), record_data(topic)).status_code == 403
    assert HelpRequest.objects.count() == 0


# --- Reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("visitor_a", 200),
        ("visitor_b", 404),
        ("legal", 200),
        ("coordinator", 200),
        ("partner", 404),
        ("advocacy", 404),
        ("witness_pool", 404),
    ],
)
def test_who_reads_a_request(client, request, request_a, name, status):
    as_(client, request, name)

    assert client.get(detail(request_a)).status_code == status


def test_someone_signed_out_is_sent_to_sign_in(client, request_a):
    assert client.get(detail(request_a)).status_code == 302


def test_internal_notes_are_read_by_legal_and_coordinators_only(
    client, request_a, visitor_a, legal, coordinator
):
    services.add_message(legal, request_a, Message.Kind.NOTE, "Check the Dublin hit first.")
    services.add_message(legal, request_a, Message.Kind.ANSWER, "Yes, ask the council chamber.")

    pages = {}
    for person in (visitor_a, legal, coordinator):
        sign_in(client, person)
        pages[person] = client.get(detail(request_a)).content.decode()

    assert "Check the Dublin hit first." not in pages[visitor_a]
    assert "Yes, ask the council chamber." in pages[visitor_a]
    assert "Check the Dublin hit first." in pages[legal]
    assert "Check the Dublin hit first." in pages[coordinator]


def contact(help_request):
    return detail(help_request) + "?contact"


def test_the_lawyer_reads_a_callers_contact_on_its_own_page_each_read_logged(
    client, legal, caller_request
):
    sign_in(client, legal)

    page = client.get(detail(caller_request)).content.decode()
    assert "Fatima" not in page and contact(caller_request) in page
    assert not AccessLogEntry.objects.exists()

    first = client.get(contact(caller_request)).content.decode()
    client.get(contact(caller_request))

    assert "Fatima El Amrani" in first and "+32470123456" in first
    entries = AccessLogEntry.objects.filter(subject=caller_request.code, user=legal)
    assert entries.count() == 2
    assert entries.first().page == contact(caller_request)
    assert set(entries.values_list("action", flat=True)) == {AccessLogEntry.Action.READ_CONTACT}


def test_a_coordinator_reads_the_request_but_not_the_callers_contact(
    client, coordinator, caller_request
):
    sign_in(client, coordinator)

    page = client.get(detail(caller_request)).content.decode()
    refused = client.get(contact(caller_request))

    assert "Phone call from a relative" in page
    assert contact(caller_request) not in page
    assert refused.status_code == 403
    assert "Fatima" not in refused.content.decode()
    assert not AccessLogEntry.objects.filter(subject=caller_request.code).exists()


@pytest.mark.parametrize("name", ["visitor_b", *NOBODY])
def test_the_contact_page_is_404_for_those_who_do_not_see_the_request(
    client, request, caller_request, name
):
    as_(client, request, name)

    assert client.get(contact(caller_request)).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_the_contact_page_costs_few_queries(
    client, legal, caller_request, django_assert_max_num_queries
):
    sign_in(client, legal)
    client.get(reverse("home"))

    with django_assert_max_num_queries(5):
        assert client.get(contact(caller_request)).status_code == 200


def test_the_linked_case_file_is_a_link_for_those_who_may_open_it(
    client, visitor_a, colleague_a, legal, person_a, topic, org_a
):
    help_request = ask(visitor_a, topic, person=person_a)
    person_url = reverse("detainees:person-detail", kwargs={"key": person_a.key})

    sign_in(client, legal)
    assert person_url in client.get(detail(help_request)).content.decode()
    sign_in(client, visitor_a)
    assert person_url in client.get(detail(help_request)).content.decode()


def test_a_shared_request_shows_the_code_of_a_file_its_reader_may_not_open(
    client, visitor_a, visitor_b, legal, person_a, topic, org_a
):
    """A visitor of org_b who moved there keeps no access to org_a's file."""
    help_request = ask(visitor_a, topic, person=person_a)
    from move.accounts import permissions

    permissions.share(help_request, org_a, "view_helprequest")
    outsider = with_totp(member(Role.VISITOR, org_a, email="new.a@example.org"))
    person_a.organisation = visitor_b.memberships.get().organisation
    person_a.save(update_fields=["organisation"])
    sign_in(client, outsider)

    page = client.get(detail(help_request)).content.decode()

    assert person_a.code in page
    assert reverse("detainees:person-detail", kwargs={"key": person_a.key}) not in page


def test_the_request_page_costs_few_queries_whatever_its_thread(
    client, legal, caller_request, person_a, rule_30_days, django_assert_max_num_queries
):
    """The worst case: a linked case file (the deadline form reads its detention), a
    deadline, a thread that grows."""
    HelpRequest.objects.filter(pk=caller_request.pk).update(person=person_a)
    services.add_deadline(legal, caller_request, rule_30_days, timezone.localdate())
    sign_in(client, legal)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8) as few:
        client.get(detail(caller_request))
    for number in range(15):
        services.add_message(legal, caller_request, Message.Kind.NOTE, f"Note {number}")
        services.add_deadline(legal, caller_request, rule_30_days, timezone.localdate())

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail(caller_request))

    assert response.content.decode().count("Note ") >= 15


def test_the_askers_page_costs_few_queries_too(
    client, visitor_a, request_a, django_assert_max_num_queries
):
    sign_in(client, visitor_a)
    client.get(reverse("home"))

    with django_assert_max_num_queries(8):
        response = client.get(detail(request_a))

    assert response.status_code == 200


# --- The thread ----------------------------------------------------------------------------


def test_the_lawyer_answers_and_the_asker_is_told(client, legal, request_a):
    sign_in(client, legal)

    with mock.patch("legal.tasks.tell_answered.delay_on_commit") as tell:
        response = client.post(
            url("request-message", request_a), {"kind": "answer", "text": "Yes, she may."}
        )

    request_a.refresh_from_db()
    assert response.status_code == 302
    assert request_a.status == HelpRequest.Status.ANSWERED
    assert request_a.first_answered_at is not None
    tell.assert_called_once()
    assert request_a.messages.filter(kind="answer", text="Yes, she may.").exists()


def test_the_lawyer_adds_an_internal_note_that_tells_nobody(client, legal, request_a):
    sign_in(client, legal)

    with mock.patch("legal.tasks.tell_answered.delay_on_commit") as tell:
        client.post(url("request-message", request_a), {"kind": "note", "text": "Dublin?"})

    request_a.refresh_from_db()
    assert request_a.status == HelpRequest.Status.NEW
    tell.assert_not_called()
    assert request_a.messages.filter(kind="note").count() == 1


def test_the_asker_adds_information_and_the_request_goes_back_to_the_lawyer(
    client, visitor_a, legal, request_a
):
    services.add_message(legal, request_a, Message.Kind.ANSWER, "What did the order say?")
    sign_in(client, visitor_a)

    response = client.post(
        url("request-message", request_a), {"kind": "information", "text": "It says 2 months."}
    )

    request_a.refresh_from_db()
    assert response.status_code == 302
    assert request_a.status == HelpRequest.Status.IN_PROGRESS
    assert request_a.messages.filter(kind="information", author=visitor_a).exists()


@pytest.mark.parametrize(
    ("name", "kind", "status"),
    [
        ("coordinator", "answer", 403),
        ("coordinator", "information", 403),
        ("visitor_a", "answer", 403),
        ("visitor_a", "note", 403),
        ("colleague_a", "information", 404),
        ("visitor_b", "information", 404),
        ("partner", "information", 404),
        ("advocacy", "answer", 404),
        ("witness_pool", "note", 404),
    ],
)
def test_who_may_not_write_in_the_thread(client, request, request_a, name, kind, status):
    as_(client, request, name)

    response = client.post(url("request-message", request_a), {"kind": kind, "text": "Hello"})

    assert response.status_code == status
    assert request_a.messages.count() == 1


def test_a_reply_to_a_closed_request_is_refused_and_its_text_kept(
    client, visitor_a, legal, request_a
):
    services.set_status(legal, request_a, HelpRequest.Status.CLOSED)
    sign_in(client, visitor_a)

    response = client.post(
        url("request-message", request_a), {"kind": "information", "text": "One more thing"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert services.closed_message() in page
    assert "One more thing" in page
    assert request_a.messages.count() == 1


def test_the_lawyer_cannot_answer_a_closed_request_either(client, legal, request_a):
    services.set_status(legal, request_a, HelpRequest.Status.CLOSED)
    sign_in(client, legal)

    response = client.post(url("request-message", request_a), {"kind": "answer", "text": "Late"})

    assert response.status_code == 400
    assert "Late" in response.content.decode()
    assert request_a.messages.count() == 1


def test_an_empty_message_is_refused(client, legal, request_a):
    sign_in(client, legal)

    response = client.post(url("request-message", request_a), {"kind": "answer", "text": "  "})

    assert response.status_code == 400
    assert request_a.messages.count() == 1


def test_the_closed_page_offers_no_form_to_the_asker(client, visitor_a, legal, request_a):
    services.set_status(legal, request_a, HelpRequest.Status.CLOSED)
    sign_in(client, visitor_a)

    page = client.get(detail(request_a)).content.decode()

    assert url("request-message", request_a) not in page
    assert "This request is closed" in page


# --- Status --------------------------------------------------------------------------------


def test_the_lawyer_closes_and_reopens_a_request(client, legal, request_a):
    sign_in(client, legal)

    closed = client.post(url("request-status", request_a), {"status": "closed"})
    request_a.refresh_from_db()
    assert closed.status_code == 302
    assert request_a.status == "closed" and request_a.closed_at is not None

    client.post(url("request-status", request_a), {"status": "in_progress"})
    request_a.refresh_from_db()
    assert request_a.status == "in_progress" and request_a.closed_at is None


def test_a_status_that_cannot_follow_is_refused_with_its_reason(client, legal, request_a):
    sign_in(client, legal)

    response = client.post(url("request-status", request_a), {"status": "answered"})

    request_a.refresh_from_db()
    assert response.status_code == 400
    assert "cannot become" in response.content.decode()
    assert request_a.status == HelpRequest.Status.NEW


def test_an_unknown_status_is_refused(client, legal, request_a):
    sign_in(client, legal)

    assert client.post(url("request-status", request_a), {"status": "lost"}).status_code == 400
    request_a.refresh_from_db()
    assert request_a.status == HelpRequest.Status.NEW


@pytest.mark.parametrize(
    ("name", "status"),
    [("visitor_a", 403), ("coordinator", 403), ("visitor_b", 404), *((n, 404) for n in NOBODY)],
)
def test_only_the_lawyer_changes_the_status(client, request, request_a, name, status):
    as_(client, request, name)

    assert client.post(url("request-status", request_a), {"status": "closed"}).status_code == (
        status
    )
    request_a.refresh_from_db()
    assert request_a.status == HelpRequest.Status.NEW


def test_the_status_page_answers_only_posts(client, legal, request_a):
    sign_in(client, legal)

    assert client.get(url("request-status", request_a)).status_code == 405


# --- Sharing -------------------------------------------------------------------------------


def test_the_lawyer_shares_a_request_with_the_askers_organisation(
    client, legal, colleague_a, request_a
):
    sign_in(client, legal)
    assert client.post(url("request-share", request_a), {"action": "share"}).status_code == 302

    sign_in(client, colleague_a)
    assert client.get(detail(request_a)).status_code == 200
    assert request_a.code in client.get(reverse("legal:request-list")).content.decode()
    added = client.post(
        url("request-message", request_a), {"kind": "information", "text": "From a colleague"}
    )
    assert added.status_code == 302

    sign_in(client, legal)
    client.post(url("request-share", request_a), {"action": "unshare"})
    sign_in(client, colleague_a)
    assert client.get(detail(request_a)).status_code == 404


def test_the_share_is_recorded_as_a_change_of_access_by_the_lawyer(client, legal, request_a):
    from auditlog.models import LogEntry

    sign_in(client, legal)
    client.post(url("request-share", request_a), {"action": "share"})

    entry = LogEntry.objects.order_by("-pk").first()
    assert entry.actor == legal


def test_a_callers_request_cannot_be_shared(client, legal, caller_request):
    sign_in(client, legal)

    response = client.post(url("request-share", caller_request), {"action": "share"})

    assert response.status_code == 400
    assert "cannot be shared" in response.content.decode()


def test_a_share_without_its_choice_is_refused(client, legal, colleague_a, request_a):
    sign_in(client, legal)

    response = client.post(url("request-share", request_a), {"action": "everyone"})

    assert response.status_code == 400
    assert "Choose to share the request" in response.content.decode()
    sign_in(client, colleague_a)
    assert client.get(detail(request_a)).status_code == 404


@pytest.mark.parametrize(
    ("name", "status"),
    [("visitor_a", 403), ("coordinator", 403), ("visitor_b", 404), *((n, 404) for n in NOBODY)],
)
def test_only_the_lawyer_shares(client, request, request_a, colleague_a, name, status):
    as_(client, request, name)

    assert client.post(url("request-share", request_a), {"action": "share"}).status_code == status
    sign_in(client, colleague_a)
    assert client.get(detail(request_a)).status_code == 404


# --- Editing -------------------------------------------------------------------------------


def update_data(help_request, **fields):
    return {
        "topic": help_request.topic_id,
        "subject": help_request.subject,
        "assignee": "",
        "urgency": help_request.urgency,
        "case_file": help_request.person.code if help_request.person else "",
        "centre": help_request.centre_id or "",
        "version": help_request.version,
        **fields,
    }


def test_the_lawyer_files_a_request_under_another_topic_and_assigns_it(
    client, legal, request_a, centre
):
    dublin = Topic.objects.get(code="dublin")
    sign_in(client, legal)

    response = client.post(
        url("request-update", request_a),
        update_data(request_a, topic=dublin.pk, assignee=legal.pk, centre=centre.pk),
    )

    request_a.refresh_from_db()
    assert response.status_code == 302
    assert request_a.topic == dublin and request_a.assignee == legal
    assert request_a.centre == centre and request_a.version == 2


def test_the_lawyer_links_a_case_file_already_linked_to_another_request(
    client, visitor_a, legal, person_a, topic, caller_request
):
    ask(visitor_a, topic, person=person_a)
    sign_in(client, legal)

    client.post(
        url("request-update", caller_request), update_data(caller_request, case_file=person_a.code)
    )

    caller_request.refresh_from_db()
    assert caller_request.person == person_a


def test_the_lawyer_cannot_link_a_case_file_she_may_not_open(
    client, legal, person_a, caller_request
):
    sign_in(client, legal)

    response = client.post(
        url("request-update", caller_request), update_data(caller_request, case_file=person_a.code)
    )
    missing = client.post(
        url("request-update", caller_request), update_data(caller_request, case_file="P-2099-0001")
    )

    caller_request.refresh_from_db()
    assert response.status_code == missing.status_code == 400
    assert response.context["form"].errors == missing.context["form"].errors
    assert caller_request.person is None


def test_an_edit_made_meanwhile_is_never_written_over(client, legal, request_a):
    sign_in(client, legal)
    stale = update_data(request_a, subject="Mine")
    client.post(url("request-update", request_a), update_data(request_a, subject="Theirs"))

    response = client.post(url("request-update", request_a), stale)

    request_a.refresh_from_db()
    assert response.status_code == 400
    assert str(CONCURRENT_EDIT) in response.content.decode()
    assert 'value="Mine"' in response.content.decode()
    assert request_a.subject == "Theirs"


@pytest.mark.parametrize(
    ("name", "status"),
    [("visitor_a", 403), ("coordinator", 403), ("visitor_b", 404), *((n, 404) for n in NOBODY)],
)
def test_only_the_lawyer_edits_a_request(client, request, request_a, name, status):
    as_(client, request, name)

    assert client.get(url("request-update", request_a)).status_code == status
    response = client.post(url("request-update", request_a), update_data(request_a, subject="X"))
    assert response.status_code == status
    request_a.refresh_from_db()
    assert request_a.subject != "X"


def test_a_missing_request_is_404_for_the_lawyer_too(client, legal, request_a):
    sign_in(client, legal)
    key = request_a.key
    request_a.delete()

    assert client.get(reverse("legal:request-detail", kwargs={"key": key})).status_code == 404


def test_a_recorded_request_is_found_again_by_code_on_its_page(client, legal, topic):
    help_request = record(legal, topic)
    sign_in(client, legal)

    assert help_request.code in client.get(detail(help_request)).content.decode()
