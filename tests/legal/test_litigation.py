"""Strategic litigation (issue 11): every internal role reads the cases, legal alone keeps
them; the timeline shows a help request only to those who may read it; hearings in
Brussels time, reminded of once the week before."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from legal import litigation, litigation_forms
from legal.litigation_forms import CaseForm, HearingForm
from legal.litigation_views import save_hearing
from legal.models import Decision, Hearing, LitigationCase
from legal.tasks import remind_hearings
from move.accounts.permissions import Role
from tests.conftest import sign_in
from tests.factories import member
from tests.legal.conftest import ask

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime.datetime(2026, 3, 2, 7, 0, tzinfo=datetime.UTC)


def make_case(**fields):
    values = {
        "title": "Children at 127bis",
        "court": "ecthr",
        "reference": "no. 12345/22",
        "our_role": "intervention",
        "parties": "M.H. and Others v. Belgium",
    }
    return LitigationCase.objects.create(**(values | fields))


def url(name, obj=None):
    return reverse(f"legal:{name}", kwargs={"key": obj.key} if obj else None)


def case_data(**fields):
    data = {
        "title": "Students wrongly detained",
        "court": "council_chamber",
        "reference": "RK/2023/77",
        "our_role": "support",
        "status": "pending",
        "parties": "A.B.",
        "summary": "Two students held although their residence permits were valid.",
        "help_request_codes": "",
    }
    return data | fields


# --- Who reads, who writes -------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("visitor_a", 200),
        ("advocacy", 200),
        ("witness_pool", 200),
        ("coordinator", 200),
        ("legal", 200),
        ("partner", 404),
    ],
)
def test_every_internal_role_reads_a_case(persona_client, persona, status):
    case = make_case()
    assert persona_client(persona).get(url("litigation-detail", case)).status_code == status


@pytest.mark.parametrize("persona", ["coordinator", "visitor_a", "advocacy"])
def test_only_legal_keeps_the_cases(persona_client, persona):
    case = make_case()
    hearing = Hearing.objects.create(case=case, starts_at=NOW)
    client = persona_client(persona)
    assert client.get(url("litigation-create")).status_code == 403
    assert client.post(url("litigation-create"), case_data()).status_code == 403
    assert client.post(url("litigation-update", case), case_data()).status_code == 403
    assert (
        client.post(url("hearing-add", case), {"day": "2026-03-05", "time": "09:30"}).status_code
        == 403
    )
    assert (
        client.post(
            url("hearing-update", hearing), {"day": "2026-03-05", "time": "09:30"}
        ).status_code
        == 403
    )
    assert LitigationCase.objects.count() == 1
    assert Hearing.objects.count() == 1


def test_a_partner_finds_no_hearing(client, partner):
    hearing = Hearing.objects.create(case=make_case(), starts_at=NOW)
    sign_in(client, partner)
    assert client.get(url("hearing-update", hearing)).status_code == 404


def test_legal_adds_a_case_with_its_decisions_and_help_requests(client, legal, visitor_a, topic):
    first, second = ask(visitor_a, topic), ask(visitor_a, topic)
    decision = Decision.objects.create(
        court="cce", date=datetime.date(2022, 1, 1), outcome="other", status="published"
    )
    sign_in(client, legal)
    response = client.post(
        url("litigation-create"),
        case_data(
            decisions=[decision.pk], help_request_codes=f" {first.code.lower()},{second.code} "
        ),
    )
    case = LitigationCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("litigation-detail", case)
    assert case.created_by == legal
    assert list(case.decisions.all()) == [decision]
    assert set(case.help_requests.all()) == {first, second}


def test_a_help_request_code_is_checked(client, legal, visitor_a, topic):
    sign_in(client, legal)
    response = client.post(url("litigation-create"), case_data(help_request_codes="H-2026-9999"))
    assert response.status_code == 400
    assert "No help request with the code H-2026-9999" in response.content.decode()
    response = client.post(url("litigation-create"), case_data(help_request_codes="P-2026-0001"))
    assert response.status_code == 400
    assert "H-YEAR-NUMBER" in response.content.decode()
    assert "Students wrongly detained" in response.content.decode()  # nothing typed is lost
    assert not LitigationCase.objects.exists()


def test_editing_a_case_shows_its_help_requests_and_keeps_them(client, legal, visitor_a, topic):
    help_request = ask(visitor_a, topic)
    case = make_case()
    case.help_requests.add(help_request)
    sign_in(client, legal)
    page = client.get(url("litigation-update", case))
    assert page.context["form"].initial["help_request_codes"] == help_request.code
    response = client.post(
        url("litigation-update", case),
        case_data(
            title="Renamed",
            help_request_codes=help_request.code,
            seen=case.updated_at.isoformat(),
        ),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Renamed"
    assert list(case.help_requests.all()) == [help_request]


def decision_of(day, status="published"):
    return Decision.objects.create(court="cce", date=day, outcome="other", status=status)


def test_the_case_form_offers_recent_published_decisions_and_those_linked(
    client, legal, monkeypatch
):
    monkeypatch.setattr(litigation_forms, "LINKABLE", 2)
    oldest = decision_of(datetime.date(2020, 1, 1))
    middle = decision_of(datetime.date(2021, 1, 1))
    newest = decision_of(datetime.date(2022, 1, 1))
    draft = decision_of(datetime.date(2023, 1, 1), status="draft")
    linked_draft = decision_of(datetime.date(2019, 1, 1), status="draft")
    case = make_case()
    case.decisions.add(linked_draft)
    offered = CaseForm(user=legal).fields["decisions"].queryset
    assert list(offered) == [newest, middle]  # no draft; the most recent first, limited
    offered = CaseForm(instance=case, user=legal).fields["decisions"].queryset
    assert list(offered) == [newest, middle, linked_draft]
    sign_in(client, legal)
    response = client.post(url("litigation-create"), case_data(decisions=[draft.pk]))
    assert response.status_code == 400  # a draft is not offered, so it is refused
    response = client.post(url("litigation-create"), case_data(decisions=[oldest.pk]))
    assert response.status_code == 400  # beyond the most recent
    page = client.get(url("litigation-update", case)).content.decode()
    assert page.index("2022-01-01") < page.index("2021-01-01") < page.index("2019-01-01")
    assert "2023-01-01" not in page and "2020-01-01" not in page


@pytest.mark.parametrize("decisions", [2, 30])
def test_the_case_form_costs_the_same_few_queries_whatever_the_decisions(client, legal, decisions):
    case = make_case()
    for day in range(decisions):
        decision = decision_of(datetime.date(2020, 1, 1) + datetime.timedelta(days=day))
        case.decisions.add(decision)
    sign_in(client, legal)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("litigation-update", case)).status_code == 200
    assert len(queries) <= 8, "\n".join(q["sql"][:200] for q in queries.captured_queries)


def test_a_concurrent_edit_of_a_case_is_not_overwritten(client, legal):
    case = make_case()
    sign_in(client, legal)
    seen = case.updated_at.isoformat()
    LitigationCase.objects.filter(pk=case.pk).update(
        updated_at=case.updated_at + datetime.timedelta(seconds=3)
    )
    response = client.post(url("litigation-update", case), case_data(title="Mine", seen=seen))
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.title == "Children at 127bis"


# --- The timeline -----------------------------------------------------------------------


@pytest.fixture
def linked(visitor_a, topic):
    case = make_case()
    help_request = ask(visitor_a, topic)
    case.help_requests.add(help_request)
    draft = Decision.objects.create(
        court="ecthr", date=datetime.date(2023, 5, 1), outcome="other", title_fr="Projet interne"
    )
    public = Decision.objects.create(
        court="ecthr",
        date=datetime.date(2022, 5, 1),
        outcome="favourable",
        title_fr="Arrêt rendu",
        title_nl="Arrest",
        summary_fr="R.",
        summary_nl="S.",
        status=Decision.Status.PUBLISHED,
    )
    case.decisions.add(draft, public)
    Hearing.objects.create(
        case=case,
        starts_at=datetime.datetime(2021, 9, 1, 8, tzinfo=datetime.UTC),
        place="Strasbourg",
    )
    Hearing.objects.create(
        case=case, starts_at=timezone.now() + datetime.timedelta(days=40), place="Grand Chamber"
    )
    return case, help_request


@pytest.mark.parametrize(
    "persona, sees_request, sees_draft",
    [
        ("visitor_a", True, False),
        ("visitor_b", False, False),
        ("advocacy", False, False),
        ("witness_pool", False, False),
        ("coordinator", True, True),
        ("legal", True, True),
    ],
)
def test_the_timeline_shows_only_what_its_reader_may_read(
    persona_client, linked, persona, sees_request, sees_draft
):
    case, help_request = linked
    page = persona_client(persona).get(url("litigation-detail", case)).content.decode()
    assert (help_request.code in page) is sees_request
    assert (str(help_request.key) in page) is sees_request
    assert ("Projet interne" in page) is sees_draft
    assert "Arrêt rendu" in page
    assert "Strasbourg" in page and "Grand Chamber" in page


def test_the_timeline_is_in_the_order_of_the_dates(client, legal, linked):
    case, _request = linked
    sign_in(client, legal)
    entries = client.get(url("litigation-detail", case)).context["entries"]
    moments = [entry.moment for entry in entries]
    assert moments == sorted(moments)
    assert [entry.kind for entry in entries][:2] == ["hearing", "decision"]
    assert entries[-1].kind == "hearing" and entries[-1].coming


@pytest.mark.parametrize("persona", ["legal", "visitor_a"])
def test_the_timeline_costs_at_most_eight_queries(client, request, linked, persona):
    case, _request = linked
    sign_in(client, request.getfixturevalue(persona))
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("litigation-detail", case)).status_code == 200
    assert len(queries) <= 8, [q["sql"] for q in queries]


# --- The list ---------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_costs_the_same_few_queries_whatever_its_rows(client, advocacy, rows):
    for number in range(rows):
        case = make_case(title=f"Case {number}", status="pending" if number % 2 else "decided")
        Hearing.objects.create(
            case=case, starts_at=timezone.now() + datetime.timedelta(days=number + 1)
        )
    sign_in(client, advocacy)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("litigation-list"), {"status": "pending"})
    assert response.status_code == 200
    assert len(queries) <= 5, [q["sql"] for q in queries]
    assert all(case.status == "pending" for case in response.context["cases"])


def test_the_list_shows_the_next_hearing_not_a_past_one(client, visitor_a):
    case = make_case()
    Hearing.objects.create(
        case=case, starts_at=datetime.datetime(2020, 1, 6, 9, tzinfo=datetime.UTC)
    )
    coming = timezone.now() + datetime.timedelta(days=3)
    Hearing.objects.create(case=case, starts_at=coming + datetime.timedelta(days=10))
    Hearing.objects.create(case=case, starts_at=coming)
    sign_in(client, visitor_a)
    [row] = client.get(url("litigation-list")).context["cases"]
    assert row.next_hearing == coming


# --- Hearings ---------------------------------------------------------------------------


def test_a_hearing_is_added_in_brussels_time(client, legal):
    case = make_case()
    sign_in(client, legal)
    assert client.get(url("hearing-add", case)).status_code == 200
    response = client.post(
        url("hearing-add", case), {"day": "2026-07-01", "time": "09:30", "place": "Strasbourg"}
    )
    assert response.status_code == 302
    hearing = Hearing.objects.get()
    assert hearing.starts_at == datetime.datetime(2026, 7, 1, 9, 30, tzinfo=BRUSSELS)
    assert hearing.starts_at == datetime.datetime(2026, 7, 1, 7, 30, tzinfo=datetime.UTC)


def test_a_hearing_without_a_time_is_refused_and_what_was_typed_kept(client, legal):
    case = make_case()
    sign_in(client, legal)
    response = client.post(url("hearing-add", case), {"day": "2026-07-01", "place": "Salle 3"})
    assert response.status_code == 400
    assert "Salle 3" in response.content.decode()
    assert not Hearing.objects.exists()


def test_moving_a_hearing_resets_its_reminder(client, legal):
    hearing = Hearing.objects.create(
        case=make_case(),
        starts_at=datetime.datetime(2026, 7, 1, 9, 30, tzinfo=BRUSSELS),
        reminded_at=NOW,
    )
    sign_in(client, legal)
    page = client.get(url("hearing-update", hearing)).content.decode()
    assert 'value="2026-07-01"' in page and 'value="09:30"' in page
    client.post(
        url("hearing-update", hearing),
        {"day": "2026-07-01", "time": "09:30", "note": "Pleadings", "seen": seen_of(hearing)},
    )
    hearing.refresh_from_db()
    assert hearing.note == "Pleadings"
    assert hearing.reminded_at == NOW  # same moment: the reminder stands
    client.post(
        url("hearing-update", hearing),
        {"day": "2026-07-02", "time": "09:30", "seen": seen_of(hearing)},
    )
    hearing.refresh_from_db()
    assert hearing.reminded_at is None
    assert hearing.starts_at == datetime.datetime(2026, 7, 2, 9, 30, tzinfo=BRUSSELS)


def seen_of(hearing) -> str:
    return Hearing.objects.get(pk=hearing.pk).updated_at.isoformat()


def test_a_concurrent_edit_of_a_hearing_is_refused_and_what_was_typed_kept(client, legal):
    hearing = Hearing.objects.create(
        case=make_case(),
        starts_at=datetime.datetime(2026, 7, 1, 9, 30, tzinfo=BRUSSELS),
        place="Salle 1",
    )
    sign_in(client, legal)
    seen = hearing.updated_at.isoformat()
    assert f'value="{seen}"' in client.get(url("hearing-update", hearing)).content.decode()
    # Someone else saves it meanwhile.
    Hearing.objects.filter(pk=hearing.pk).update(
        place="Salle 2", updated_at=hearing.updated_at + datetime.timedelta(seconds=3)
    )
    typed = {"day": "2026-07-01", "time": "10:00", "place": "Salle 9", "seen": seen}
    response = client.post(url("hearing-update", hearing), typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else saved this record while you were editing it" in page
    assert 'value="Salle 9"' in page and 'value="10:00"' in page
    hearing.refresh_from_db()
    assert hearing.place == "Salle 2"
    assert hearing.starts_at == datetime.datetime(2026, 7, 1, 9, 30, tzinfo=BRUSSELS)
    # Having seen the message, saving again is their choice.
    again = typed | {"seen": response.context["form"].data["seen"]}
    assert client.post(url("hearing-update", hearing), again).status_code == 302
    hearing.refresh_from_db()
    assert hearing.place == "Salle 9"


def test_saving_a_hearing_keeps_a_reminder_claimed_meanwhile(legal):
    hearing = Hearing.objects.create(case=make_case(), starts_at=NOW + datetime.timedelta(days=2))
    local = timezone.localtime(hearing.starts_at, BRUSSELS)
    form = HearingForm(
        {
            "day": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "note": "Pleadings",
            "seen": hearing.updated_at.isoformat(),
        },
        instance=hearing,
    )
    assert form.is_valid(), form.errors
    Hearing.objects.filter(pk=hearing.pk).update(reminded_at=NOW)  # the job, meanwhile
    save_hearing(form, hearing.case, by=legal)
    hearing.refresh_from_db()
    assert hearing.note == "Pleadings"
    assert hearing.reminded_at == NOW


# --- Reminders --------------------------------------------------------------------------


@pytest.fixture
def lawyers(coalition):
    dutch = member(Role.LEGAL, coalition, email="advocaat@example.org", language="nl")
    french = member(Role.LEGAL, coalition, email="avocate@example.org", language="fr")
    member(Role.LEGAL, coalition, email="gone@example.org", is_active=False)
    member(Role.COORDINATOR, coalition, email="coord@example.org")
    return dutch, french


def test_legal_is_reminded_of_a_hearing_of_the_coming_week_once(lawyers, settings):
    case = make_case(title="M.H. and Others v. Belgium", parties="M.H.")
    hearing = Hearing.objects.create(
        case=case,
        starts_at=NOW + datetime.timedelta(days=3),
        place="Strasbourg",
        note="Bring the file of Ahmed",
    )
    Hearing.objects.create(case=case, starts_at=NOW + datetime.timedelta(days=8))  # too far
    Hearing.objects.create(case=case, starts_at=NOW - datetime.timedelta(hours=1))  # past
    assert litigation.remind_hearings(NOW) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["advocaat@example.org", "avocate@example.org"]
    hearing.refresh_from_db()
    assert hearing.reminded_at == NOW
    # Run again (the beat twice, or a retry): nothing more.
    assert litigation.remind_hearings(NOW) == 0
    assert litigation.remind_hearings(NOW + datetime.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    dutch, french = by_address["advocaat@example.org"], by_address["avocate@example.org"]
    link = settings.MOVE_SITE_URL.rstrip("/") + url("litigation-detail", case)
    for message in (dutch, french):
        assert link in message.body
        assert "no. 12345/22" not in message.body  # a file number need not be public
        assert "Reference" not in message.body
        assert "Strasbourg" in message.body
        text = message.subject + message.body
        assert "M.H." not in text and "Ahmed" not in text  # no title, parties or notes
    # 5 March 2026, 08:00 in Brussels, before the court named in each one's language.
    assert "08:00" in french.body
    for message, language in ((dutch, "nl"), (french, "fr")):
        with translation.override(language):
            assert str(case.get_court_display()) in message.body


def test_a_moved_hearing_is_reminded_of_again(client, legal, lawyers):
    hearing = Hearing.objects.create(case=make_case(), starts_at=NOW + datetime.timedelta(days=2))
    assert litigation.remind_hearings(NOW) == 3  # the two lawyers and the legal persona
    local = timezone.localtime(NOW + datetime.timedelta(days=4), BRUSSELS)
    sign_in(client, legal)
    client.post(
        url("hearing-update", hearing),
        {
            "day": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "seen": seen_of(hearing),
        },
    )
    assert litigation.remind_hearings(NOW) == 3
    assert len(mail.outbox) == 6


def test_a_refused_recipient_does_not_make_the_others_reminded_again(lawyers, monkeypatch):
    Hearing.objects.create(case=make_case(), starts_at=NOW + datetime.timedelta(days=1))
    from move.accounts import emails

    real_send = emails.send

    def refusing(name, to, language, context):
        if to == "advocaat@example.org":
            raise OSError("550 mailbox unavailable")
        real_send(name, to, language, context)

    monkeypatch.setattr(emails, "send", refusing)
    assert litigation.remind_hearings(NOW) == 1  # logged, not raised: nothing to retry
    assert litigation.remind_hearings(NOW) == 0
    assert litigation.remind_hearings(NOW + datetime.timedelta(hours=1)) == 0
    assert [m.to for m in mail.outbox] == [["avocate@example.org"]]
    assert Hearing.objects.get().reminded_at == NOW


def test_the_hearing_is_claimed_before_any_e_mail_leaves(lawyers, monkeypatch):
    hearing = Hearing.objects.create(case=make_case(), starts_at=NOW + datetime.timedelta(days=1))
    from move.accounts import emails

    claimed = []

    def spy(name, to, language, context):
        claimed.append(Hearing.objects.get(pk=hearing.pk).reminded_at)

    monkeypatch.setattr(emails, "send", spy)
    assert litigation.remind_hearings(NOW) == 2
    assert claimed == [NOW, NOW]


def test_the_task_reminds_of_the_hearings_of_now(lawyers):
    Hearing.objects.create(case=make_case(), starts_at=timezone.now() + datetime.timedelta(days=6))
    assert remind_hearings() == 2
    assert remind_hearings() == 0


def test_the_reminder_is_sent_in_each_recipients_language(lawyers, monkeypatch):
    from move.accounts import emails

    sent = []
    real_send = emails.send

    def spy(name, to, language, context):
        sent.append((to, language))
        real_send(name, to, language, context)

    monkeypatch.setattr(emails, "send", spy)
    Hearing.objects.create(case=make_case(), starts_at=NOW + datetime.timedelta(days=1))
    litigation.remind_hearings(NOW)
    assert sorted(sent) == [("advocaat@example.org", "nl"), ("avocate@example.org", "fr")]
