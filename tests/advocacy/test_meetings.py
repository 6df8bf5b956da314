"""Meetings with the authorities (issue 12): personas at each boundary, the agenda
carried over, the bad inputs, who sees a case-file code as a link, the minutes and the
query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy import meetings
from advocacy.models import AgendaItem, AuthorityMeeting, PointOfAttention, Situation
from detainees.models import Person
from move.privacy.models import Job
from tests.conftest import sign_in
from visits.models import Theme

pytestmark = pytest.mark.django_db
MAX_QUERIES = 8


@pytest.fixture
def theme(db):
    return Theme.objects.create(
        code="health", name_fr="Santé", name_nl="Gezondheid", name_en="Health"
    )


def point(theme, title="Point", status=PointOfAttention.Status.OPEN):
    return PointOfAttention.objects.create(title=title, theme=theme, status=status)


def meeting(day, **fields):
    fields.setdefault("authority", AuthorityMeeting.Authority.IMMIGRATION_OFFICE)
    return AuthorityMeeting.objects.create(date=day, **fields)


@pytest.fixture
def person_a(org_a):
    return Person.objects.create(code="P-2026-0042", organisation=org_a)


@pytest.fixture
def world(theme, person_a):
    """Last quarter's meeting with three points (one still open, one resolved, one
    dropped) and a situation."""
    last = meeting(datetime.date(2026, 3, 10), status=AuthorityMeeting.Status.HELD)
    open_point = point(theme, "Access to a doctor", PointOfAttention.Status.RAISED)
    resolved = point(theme, "Interpreters", PointOfAttention.Status.RESOLVED)
    dropped = point(theme, "Visiting hours", PointOfAttention.Status.DROPPED)
    other = point(theme, "Phones", PointOfAttention.Status.OPEN)
    for position, p in enumerate([resolved, open_point, dropped]):
        AgendaItem.objects.create(meeting=last, point=p, position=position)
    Situation.objects.create(meeting=last, person=person_a, note="Release asked")
    return {
        "last": last,
        "open": open_point,
        "resolved": resolved,
        "dropped": dropped,
        "other": other,
    }


# --- carry over -----------------------------------------------------------------------


def test_last_quarters_open_point_carried_over(world, theme):
    second_open = point(theme, "Isolation cells", PointOfAttention.Status.ANSWERED)
    AgendaItem.objects.create(meeting=world["last"], point=second_open, position=5)
    draft = meeting(datetime.date(2026, 6, 9))
    carried = meetings.carry_over(draft)
    assert carried == [world["open"], second_open]  # in their previous order
    assert [i.point for i in draft.items.order_by("position")] == carried
    assert world["resolved"] not in carried and world["dropped"] not in carried


def test_carry_over_never_doubles_a_point(world):
    draft = meeting(datetime.date(2026, 6, 9))
    AgendaItem.objects.create(meeting=draft, point=world["open"], position=0)
    assert meetings.carry_over(draft) == []
    assert meetings.carry_over(draft) == []
    assert draft.items.count() == 1


def test_carry_over_only_from_the_same_authority(world, theme):
    from tests.factories import CentreFactory

    centre = CentreFactory()
    draft = meeting(datetime.date(2026, 6, 9), authority="centre", centre=centre)
    assert meetings.carry_over(draft) == []
    held = meeting(datetime.date(2026, 7, 1), status=AuthorityMeeting.Status.HELD)
    assert meetings.carry_over(held) == []  # only a draft is pre-filled


def test_create_carries_over_and_offers_other_open_points(client, coordinator, world):
    sign_in(client, coordinator)
    response = client.post(
        reverse("advocacy:meeting-create"),
        {"date": "2026-06-09", "authority": "immigration_office", "their_attendees": "Director"},
    )
    assert response.status_code == 302
    draft = AuthorityMeeting.objects.get(date=datetime.date(2026, 6, 9))
    assert list(draft.items.values_list("point", flat=True)) == [world["open"].pk]
    assert draft.created_by == coordinator
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert world["other"].title in body  # offered
    assert world["resolved"].title not in body  # not offered


def test_create_bad_input_changes_nothing(client, legal):
    sign_in(client, legal)
    response = client.post(reverse("advocacy:meeting-create"), {"authority": "centre"})
    assert response.status_code == 400
    assert "Choose the centre whose management you meet." in response.content.decode()
    response = client.post(
        reverse("advocacy:meeting-create"), {"date": "2026-06-09", "authority": "other"}
    )
    assert "Say which authority you meet." in response.content.decode()
    assert not AuthorityMeeting.objects.exists()


def test_attendee_choices_are_internal_roles_only(client, coordinator, witness_pool, partner):
    sign_in(client, coordinator)
    body = client.get(reverse("advocacy:meeting-create")).content.decode()
    assert coordinator.email in body or coordinator.get_full_name() in body
    assert partner.get_full_name() not in body and witness_pool.get_full_name() not in body


# --- the agenda and the situations --------------------------------------------------------


def edit_data(form_meeting, **extra):
    data = {
        "date": form_meeting.date.isoformat(),
        "authority": form_meeting.authority,
        "seen": form_meeting.updated_at.isoformat(),
        "situations": "",
    }
    for item in form_meeting.items.all():
        data[f"order_{item.pk}"] = item.position + 1
    return data | extra


def test_adding_a_resolved_point_is_refused(client, coordinator, world):
    sign_in(client, coordinator)
    draft = meeting(datetime.date(2026, 6, 9))
    response = client.post(
        reverse("advocacy:meeting-update", kwargs={"key": draft.key}),
        edit_data(draft, add_points=[world["resolved"].pk], their_attendees="Typed"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "already resolved or dropped" in body
    assert "Typed" in body  # nothing typed is lost
    assert not draft.items.exists()


def test_agenda_add_remove_reorder(client, coordinator, world, theme):
    sign_in(client, coordinator)
    draft = meeting(datetime.date(2026, 6, 9))
    meetings.carry_over(draft)
    third = point(theme, "Food")
    first = draft.items.get()
    response = client.post(
        reverse("advocacy:meeting-update", kwargs={"key": draft.key}),
        edit_data(draft, add_points=[world["other"].pk, third.pk]),
    )
    assert response.status_code == 302
    assert [i.point for i in draft.items.order_by("position")] == [
        world["open"],
        *sorted([world["other"], third], key=lambda p: p.code),
    ]
    draft.refresh_from_db()
    items = list(draft.items.order_by("position"))
    data = edit_data(draft)
    data[f"order_{items[0].pk}"] = 3
    data[f"order_{items[2].pk}"] = 1
    data[f"remove_{items[1].pk}"] = "on"
    assert (
        client.post(reverse("advocacy:meeting-update", kwargs={"key": draft.key}), data).status_code
        == 302
    )
    assert [i.pk for i in draft.items.order_by("position")] == [items[2].pk, first.pk]


@pytest.mark.parametrize("code", ["P-2026-0077", "P-2099-0001"])
def test_a_code_not_readable_answers_as_one_that_does_not_exist(client, legal, org_b, code):
    Person.objects.create(code="P-2026-0077", organisation=org_b)  # legal may not open it
    sign_in(client, legal)
    draft = meeting(datetime.date(2026, 6, 9))
    response = client.post(
        reverse("advocacy:meeting-update", kwargs={"key": draft.key}),
        edit_data(draft, situations=f"{code}: asked", notes="Kept"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f"No case file you may open has the code {code}." in body
    assert "Kept" in body
    assert not Situation.objects.filter(meeting=draft).exists()


def test_situations_by_code_with_notes(client, coordinator, person_a):
    sign_in(client, coordinator)  # coordinators open every case file, pseudonymised
    draft = meeting(datetime.date(2026, 6, 9))
    response = client.post(
        reverse("advocacy:meeting-update", kwargs={"key": draft.key}),
        edit_data(draft, situations="p-2026-0042: release asked\n\n"),
    )
    assert response.status_code == 302
    situation = Situation.objects.get(meeting=draft)
    assert (situation.person, situation.note) == (person_a, "release asked")
    draft.refresh_from_db()
    client.post(reverse("advocacy:meeting-update", kwargs={"key": draft.key}), edit_data(draft))
    assert not Situation.objects.filter(meeting=draft).exists()


def test_a_line_without_a_code_is_refused(client, coordinator):
    sign_in(client, coordinator)
    draft = meeting(datetime.date(2026, 6, 9))
    response = client.post(
        reverse("advocacy:meeting-update", kwargs={"key": draft.key}),
        edit_data(draft, situations="Mr Somebody"),
    )
    assert response.status_code == 400
    assert "starts with a case-file code" in response.content.decode()


def test_concurrent_edit_is_detected_and_nothing_typed_lost(client, coordinator):
    sign_in(client, coordinator)
    draft = meeting(datetime.date(2026, 6, 9))
    data = edit_data(draft, their_attendees="My version")
    theirs = AuthorityMeeting.objects.get(pk=draft.pk)
    theirs.their_attendees = "Theirs"
    theirs.save()  # someone else saved meanwhile
    response = client.post(reverse("advocacy:meeting-update", kwargs={"key": draft.key}), data)
    assert response.status_code == 400
    assert "My version" in response.content.decode()
    draft.refresh_from_db()
    assert draft.their_attendees == "Theirs"


# --- who sees a code as a link ------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, linked",
    [("visitor_a", True), ("coordinator", True), ("visitor_b", False), ("advocacy", False)],
)
def test_code_is_a_link_only_for_who_may_open_it(persona_client, world, person_a, persona, linked):
    client = persona_client(persona)
    response = client.get(reverse("advocacy:meeting-detail", kwargs={"key": world["last"].key}))
    assert response.status_code == 200
    body = response.content.decode()
    link = reverse("detainees:person-detail", kwargs={"key": person_a.key})
    assert "P-2026-0042" in body
    assert (link in body) is linked


@pytest.mark.parametrize("persona", ["witness_pool", "partner"])
def test_outsiders_do_not_find_a_meeting(persona_client, world, persona):
    client = persona_client(persona)
    for name in ("meeting-detail", "meeting-update", "meeting-minutes"):
        url = reverse(f"advocacy:{name}", kwargs={"key": world["last"].key})
        assert client.get(url).status_code == 404
    assert client.get(reverse("advocacy:meeting-list")).status_code == 403


@pytest.mark.parametrize("persona", ["visitor_a", "advocacy"])
def test_readers_may_not_keep(persona_client, world, persona):
    client = persona_client(persona)
    key = world["last"].key
    assert client.get(reverse("advocacy:meeting-update", kwargs={"key": key})).status_code == 403
    assert client.post(reverse("advocacy:meeting-minutes", kwargs={"key": key})).status_code == 403
    assert client.get(reverse("advocacy:meeting-create")).status_code == 403
    detail = client.get(reverse("advocacy:meeting-detail", kwargs={"key": key}))
    assert reverse("advocacy:meeting-update", kwargs={"key": key}) not in detail.content.decode()


# --- the minutes --------------------------------------------------------------------------


def minutes_data(m, **extra):
    return {"seen": m.updated_at.isoformat(), "notes": ""} | extra


def test_holding_the_meeting_raises_its_open_points(client, legal, coordinator, theme):
    sign_in(client, legal)
    m = meeting(datetime.date(2026, 6, 9))
    fresh = point(theme, "Fresh")
    answered = point(theme, "Answered", PointOfAttention.Status.RAISED)
    answered.first_raised_on = datetime.date(2026, 3, 10)
    answered.save()
    a = AgendaItem.objects.create(meeting=m, point=fresh, position=0)
    b = AgendaItem.objects.create(meeting=m, point=answered, position=1)
    data = minutes_data(
        m,
        held="on",
        **{
            f"asked_{a.pk}": "Asked",
            f"answer_{b.pk}": "They will",
            f"status_{b.pk}": "answered",
            f"follow_up_{b.pk}": "Check in June",
            f"follow_up_due_{b.pk}": "2026-06-30",
            f"follow_up_owner_{b.pk}": coordinator.pk,
        },
    )
    response = client.post(reverse("advocacy:meeting-minutes", kwargs={"key": m.key}), data)
    assert response.status_code == 302
    m.refresh_from_db()
    fresh.refresh_from_db()
    answered.refresh_from_db()
    b.refresh_from_db()
    assert m.status == AuthorityMeeting.Status.HELD
    assert (fresh.status, fresh.first_raised_on) == ("raised", m.date)
    assert (answered.status, answered.first_raised_on) == ("answered", datetime.date(2026, 3, 10))
    assert (b.follow_up_owner, b.follow_up_due, b.answer) == (
        coordinator,
        datetime.date(2026, 6, 30),
        "They will",
    )


def test_minutes_bad_input_changes_nothing(client, legal, theme):
    sign_in(client, legal)
    m = meeting(datetime.date(2026, 6, 9))
    p = point(theme, "P", PointOfAttention.Status.RAISED)
    item = AgendaItem.objects.create(meeting=m, point=p)
    url = reverse("advocacy:meeting-minutes", kwargs={"key": m.key})
    # Answered without an answer, and a status changed without holding the meeting.
    response = client.post(
        url,
        minutes_data(
            m, held="on", **{f"status_{item.pk}": "answered", f"asked_{item.pk}": "Typed"}
        ),
    )
    assert response.status_code == 400
    assert "Write what the authority answered" in response.content.decode()
    assert "Typed" in response.content.decode()
    response = client.post(url, minutes_data(m, **{f"status_{item.pk}": "resolved"}))
    assert "Mark the meeting held" in response.content.decode()
    response = client.post(url, minutes_data(m, **{f"follow_up_due_{item.pk}": "2026-07-01"}))
    assert "Choose who does the follow-up" in response.content.decode()
    p.refresh_from_db()
    item.refresh_from_db()
    assert p.status == "raised" and item.asked == "" and m.status == "draft"


def test_follow_up_owner_must_be_a_keeper(client, legal, advocacy, theme):
    sign_in(client, legal)
    m = meeting(datetime.date(2026, 6, 9))
    item = AgendaItem.objects.create(meeting=m, point=point(theme))
    response = client.post(
        reverse("advocacy:meeting-minutes", kwargs={"key": m.key}),
        minutes_data(
            m,
            **{f"follow_up_owner_{item.pk}": advocacy.pk, f"follow_up_due_{item.pk}": "2026-07-01"},
        ),
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.follow_up_owner is None


def test_minutes_concurrent_edit(client, legal, theme):
    sign_in(client, legal)
    m = meeting(datetime.date(2026, 6, 9))
    item = AgendaItem.objects.create(meeting=m, point=point(theme))
    data = minutes_data(m, **{f"asked_{item.pk}": "Mine"})
    m.save()
    response = client.post(reverse("advocacy:meeting-minutes", kwargs={"key": m.key}), data)
    assert response.status_code == 400
    assert "Mine" in response.content.decode()
    item.refresh_from_db()
    assert item.asked == ""


# --- PDF requests -------------------------------------------------------------------------


def test_pdf_request_makes_a_job(
    client, advocacy, world, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "advocacy.meeting_views.make_meeting_pdf.delay", lambda *args: queued.append(args)
    )
    sign_in(client, advocacy)
    url = reverse("advocacy:meeting-pdf", kwargs={"key": world["last"].key})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"document": "agenda", "language": "nl"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:job-detail", kwargs={"code": job.code})
    assert (job.owner, job.kind) == (advocacy, "meeting-agenda")
    assert queued == [(job.pk, world["last"].pk, "agenda", "nl")]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Agenda of a meeting with the authorities" in page.content.decode()


@pytest.mark.parametrize(
    "data", [{}, {"document": "x", "language": "nl"}, {"document": "agenda", "language": "de"}]
)
def test_bad_pdf_request_is_400(client, visitor_a, world, data):
    sign_in(client, visitor_a)
    response = client.post(reverse("advocacy:meeting-pdf", kwargs={"key": world["last"].key}), data)
    assert response.status_code == 400
    assert "Choose the document" in response.content.decode()
    assert not Job.objects.exists()


def test_pdf_job_kinds_are_registered_and_rechecked(advocacy, partner):
    from move.privacy import views

    assert {"meeting-agenda", "meeting-minutes"} <= set(views.JOB_KINDS)
    check = views._MAY_DOWNLOAD["meeting-agenda"]
    assert check(advocacy, None) and not check(partner, None)


# --- query counts -------------------------------------------------------------------------


def many(count, theme, org_a):
    m = meeting(datetime.date(2026, 6, 9))
    for n in range(count):
        p = point(theme, f"Point {n}")
        AgendaItem.objects.create(
            meeting=m, point=p, position=n, follow_up_due=datetime.date(2026, 7, 1)
        )
        person = Person.objects.create(code=f"P-2026-{n + 100:04d}", organisation=org_a)
        Situation.objects.create(meeting=m, person=person)
        meeting(datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
    return m


@pytest.mark.parametrize("count", [2, 30])
@pytest.mark.parametrize(
    "name", ["meeting-list", "meeting-detail", "meeting-update", "meeting-minutes"]
)
def test_pages_cost_few_queries(client, coordinator, theme, org_a, count, name):
    m = many(count, theme, org_a)
    sign_in(client, coordinator)
    url = (
        reverse("advocacy:meeting-list")
        if name == "meeting-list"
        else reverse(f"advocacy:{name}", kwargs={"key": m.key})
    )
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= MAX_QUERIES, [q["sql"] for q in queries]
    if name == "meeting-list":
        assert "Next follow-up due" in response.content.decode()


def test_list_filters(client, visitor_a, world):
    meeting(datetime.date(2025, 5, 5), authority="other", authority_detail="Ombudsman")
    sign_in(client, visitor_a)
    body = client.get(reverse("advocacy:meeting-list"), {"year": 2025}).content.decode()
    assert "Ombudsman" in body and "10 March 2026" not in body
    body = client.get(
        reverse("advocacy:meeting-list"), {"authority": "immigration_office"}
    ).content.decode()
    assert "Ombudsman" not in body and "10 March 2026" in body


def test_a_resolved_point_cannot_be_set_back_to_answered_from_the_minutes(client, legal, theme):
    sign_in(client, legal)
    m = meeting(datetime.date(2026, 6, 9))
    p = point(theme, "Closed already", PointOfAttention.Status.RESOLVED)
    item = AgendaItem.objects.create(meeting=m, point=p)
    before = PointOfAttention.objects.get(pk=p.pk).updated_at
    data = minutes_data(
        m,
        held="on",
        **{
            f"status_{item.pk}": "answered",
            f"answer_{item.pk}": "They will",
            f"asked_{item.pk}": "Typed",
        },
    )
    response = client.post(reverse("advocacy:meeting-minutes", kwargs={"key": m.key}), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "A point that is resolved can only become open" in page
    assert "Typed" in page
    p.refresh_from_db()
    item.refresh_from_db()
    m.refresh_from_db()
    assert p.status == "resolved" and p.updated_at == before
    assert item.asked == "" and m.status == "draft"


@pytest.mark.parametrize("status", ["", "answered"])
def test_a_point_form_opened_before_the_minutes_detects_their_change(
    client, legal, coordinator, theme, status
):
    from django.test import Client

    p = point(theme, "Raised, never dated", PointOfAttention.Status.RAISED)
    m = meeting(datetime.date(2026, 6, 9))
    item = AgendaItem.objects.create(meeting=m, point=p)
    editor = Client()
    sign_in(editor, legal)
    update = reverse("advocacy:point-update", args=[p.key])
    seen = editor.get(update).context["form"]["seen"].value()

    sign_in(client, coordinator)
    data = minutes_data(
        m, held="on", **{f"status_{item.pk}": status, f"answer_{item.pk}": "They will"}
    )
    response = client.post(reverse("advocacy:meeting-minutes", kwargs={"key": m.key}), data)
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.first_raised_on == m.date and p.status == (status or "raised")

    form = {
        "title": "Mine, typed",
        "description": "",
        "theme": theme.pk,
        "centres": [],
        "status": "raised",
        "owner": "",
        "seen": seen,
    }
    response = editor.post(update, form)
    assert response.status_code == 400
    assert "Someone else saved this record while you were editing it" in response.content.decode()
    p.refresh_from_db()
    assert p.title == "Raised, never dated" and p.status == (status or "raised")
