"""Exchange meetings (issue 12): every internal role reads them all, a partner those their
organisation attended and nothing else of the app (no points); coordinators and advocacy
keep them; the yearly count comes from the records."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from advocacy import exchange_views
from advocacy.exchange_forms import ExchangeForm
from advocacy.models import ExchangeMeeting, PointOfAttention
from move.accounts.permissions import Role
from tests.conftest import sign_in
from tests.factories import OrganisationFactory, member
from visits.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme(db):
    return Theme.objects.create(code="medical", name_fr="Soins", name_nl="Zorg", name_en="Care")


@pytest.fixture
def other_theme(db):
    return Theme.objects.create(
        code="families", name_fr="Familles", name_nl="Gezinnen", name_en="Families"
    )


@pytest.fixture
def nansen(db):
    return OrganisationFactory(short_name="Nansen", kind="partner")


@pytest.fixture
def partner_elsewhere(nansen):
    """A partner of an organisation that did not attend."""
    return member(Role.PARTNER, nansen, email="partner.nansen@example.org")


@pytest.fixture
def attended(org_a, partner_org, theme):
    """A meeting that visitor_a's organisation and the partner's attended, a point raised."""
    meeting = ExchangeMeeting.objects.create(
        date=datetime.date(2022, 3, 15), notes="Focus on medical care in Caricole."
    )
    meeting.organisations.add(org_a, partner_org)
    meeting.themes.add(theme)
    meeting.points.add(PointOfAttention.objects.create(title="Doctor at weekends", theme=theme))
    return meeting


@pytest.fixture
def without_partner(org_a, other_theme):
    meeting = ExchangeMeeting.objects.create(
        date=datetime.date(2023, 5, 9), notes="Families in the return houses."
    )
    meeting.organisations.add(org_a)
    meeting.themes.add(other_theme)
    return meeting


def valid_form(**overrides):
    base = {"date": "2022-09-20", "notes": "Focus: families.", "themes": [], "organisations": []}
    return base | overrides


# --- Reading -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["visitor_a", "visitor_b", "legal", "coordinator", "advocacy", "witness_pool"]
)
def test_every_internal_role_reads_every_meeting(
    persona_client, persona, attended, without_partner
):
    client = persona_client(persona)
    response = client.get(reverse("advocacy:exchange-list"))
    assert response.status_code == 200
    assert {row["key"] for row in response.context["meetings"]} == {
        attended.key,
        without_partner.key,
    }
    for meeting in (attended, without_partner):
        assert (
            client.get(reverse("advocacy:exchange-detail", args=[meeting.key])).status_code == 200
        )


def test_a_partner_reads_the_notes_of_the_meetings_their_organisation_attended_only(
    client, partner, attended, without_partner
):
    sign_in(client, partner)
    response = client.get(reverse("advocacy:exchange-list"))
    assert [row["key"] for row in response.context["meetings"]] == [attended.key]
    assert "Points raised" not in response.content.decode()
    detail = client.get(reverse("advocacy:exchange-detail", args=[attended.key]))
    page = detail.content.decode()
    assert "Focus on medical care in Caricole." in page
    assert "Doctor at weekends" not in page  # no points for partners
    assert "/advocacy/points/" not in page
    missing = client.get(reverse("advocacy:exchange-detail", args=[without_partner.key]))
    assert missing.status_code == 404


def test_a_partner_of_an_organisation_that_did_not_attend_finds_nothing(
    client, partner_elsewhere, attended
):
    sign_in(client, partner_elsewhere)
    response = client.get(reverse("advocacy:exchange-list"))
    assert response.status_code == 200
    assert response.context["meetings"] == []
    assert response.context["yearly"] == []
    assert client.get(reverse("advocacy:exchange-detail", args=[attended.key])).status_code == 404
    update = reverse("advocacy:exchange-update", args=[attended.key])
    assert client.get(update).status_code == 404


def test_readers_of_points_see_the_points_raised_with_links(client, advocacy, attended):
    sign_in(client, advocacy)
    page = client.get(reverse("advocacy:exchange-detail", args=[attended.key])).content.decode()
    raised = attended.points.get()
    assert reverse("advocacy:point-detail", args=[raised.key]) in page
    listed = client.get(reverse("advocacy:exchange-list")).context["meetings"]
    assert {row["key"]: row["points_count"] for row in listed} == {attended.key: 1}


def test_the_witness_pool_reads_the_meetings_but_not_the_points(client, witness_pool, attended):
    sign_in(client, witness_pool)
    page = client.get(reverse("advocacy:exchange-detail", args=[attended.key])).content.decode()
    assert "Focus on medical care in Caricole." in page
    assert "Doctor at weekends" not in page


def test_the_yearly_count_comes_from_the_records_and_the_list_filters_by_year_and_theme(
    client, visitor_a, theme, other_theme
):
    for month in range(1, 11):
        meeting = ExchangeMeeting.objects.create(date=datetime.date(2022, month, 12))
        meeting.themes.add(theme if month % 2 else other_theme)
    ExchangeMeeting.objects.create(date=datetime.date(2023, 2, 7)).themes.add(theme)
    sign_in(client, visitor_a)
    url = reverse("advocacy:exchange-list")
    response = client.get(url)
    assert [(row["year"], row["meetings"]) for row in response.context["yearly"]] == [
        (2023, 1),
        (2022, 10),
    ]
    assert "10 exchange meetings in 2022" in response.content.decode()
    assert "1 exchange meeting in 2023" in response.content.decode()
    assert len(client.get(url, {"year": 2022}).context["meetings"]) == 10
    assert len(client.get(url, {"theme": other_theme.pk}).context["meetings"]) == 5
    assert len(client.get(url, {"year": 2023, "theme": theme.pk}).context["meetings"]) == 1
    response = client.get(url, {"year": 1999})
    assert response.context["form"].errors["year"]
    assert len(response.context["meetings"]) == 11


@pytest.mark.parametrize("persona", ["partner", "coordinator"])
@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_costs_the_same_queries_at_2_and_30_rows(
    persona_client,
    persona,
    rows,
    org_a,
    partner_org,
    theme,
    other_theme,
    django_assert_max_num_queries,
):
    raised = PointOfAttention.objects.create(title="P", theme=theme)
    for number in range(rows):
        meeting = ExchangeMeeting.objects.create(date=datetime.date(2022, 1, 1 + number % 28))
        meeting.organisations.add(org_a, partner_org)
        meeting.themes.add(theme, other_theme)
        meeting.points.add(raised)
    client = persona_client(persona)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("advocacy:exchange-list"), {"theme": theme.pk})
    assert len(response.context["meetings"]) == rows
    first = response.context["meetings"][0]
    assert first["organisations"] == sorted([org_a.short_name, partner_org.short_name])
    assert len(first["themes"]) == 2


def test_anonymous_is_sent_to_sign_in(client, attended):
    assert client.get(reverse("advocacy:exchange-list")).status_code == 302
    assert client.get(reverse("advocacy:exchange-detail", args=[attended.key])).status_code == 302


# --- Keeping -------------------------------------------------------------------------------


def test_advocacy_adds_a_meeting_with_a_partner_present_and_points_raised(
    client, advocacy, partner_org, theme, partner
):
    raised = PointOfAttention.objects.create(title="Doctor at weekends", theme=theme)
    sign_in(client, advocacy)
    form = client.get(reverse("advocacy:exchange-create")).context["form"]
    assert partner_org in form.fields["organisations"].queryset
    response = client.post(
        reverse("advocacy:exchange-create"),
        valid_form(themes=[theme.pk], organisations=[partner_org.pk], points=[raised.pk]),
    )
    made = ExchangeMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("advocacy:exchange-detail", args=[made.key])
    assert list(made.organisations.all()) == [partner_org]
    assert list(made.points.all()) == [raised]
    assert made.created_by == advocacy
    # The partner now reads it.
    other = Client()
    sign_in(other, partner)
    assert other.get(reverse("advocacy:exchange-detail", args=[made.key])).status_code == 200


@pytest.mark.parametrize("persona", ["visitor_a", "legal", "witness_pool", "partner"])
def test_only_coordinators_and_advocacy_keep_the_meetings(persona_client, persona, attended):
    client = persona_client(persona)
    assert client.get(reverse("advocacy:exchange-create")).status_code == 403
    assert client.post(reverse("advocacy:exchange-create"), valid_form()).status_code == 403
    update = reverse("advocacy:exchange-update", args=[attended.key])
    assert client.get(update).status_code == 403  # they read it (the partner attended)
    assert client.post(update, valid_form(notes="Changed")).status_code == 403
    attended.refresh_from_db()
    assert attended.notes == "Focus on medical care in Caricole."
    assert ExchangeMeeting.objects.count() == 1


def test_a_bad_date_changes_nothing_and_keeps_what_was_typed(client, coordinator, attended):
    sign_in(client, coordinator)
    update = reverse("advocacy:exchange-update", args=[attended.key])
    response = client.post(update, valid_form(date="soon", notes="Typed notes."))
    assert response.status_code == 400
    assert "Type a date" in str(response.context["form"].errors["date"])
    assert "Typed notes." in response.content.decode()
    attended.refresh_from_db()
    assert attended.date == datetime.date(2022, 3, 15)


def test_the_form_shows_the_meeting_as_saved(client, coordinator, attended, partner_org, theme):
    sign_in(client, coordinator)
    form = client.get(reverse("advocacy:exchange-update", args=[attended.key])).context["form"]
    assert set(form.initial["organisations"]) == set(
        attended.organisations.values_list("pk", flat=True)
    )
    assert form.initial["themes"] == [theme.pk]
    assert form.initial["points"] == [attended.points.get().pk]


def test_a_change_saved_meanwhile_is_not_overwritten_and_what_was_typed_is_kept(
    client, coordinator, advocacy, attended
):
    sign_in(client, coordinator)
    update = reverse("advocacy:exchange-update", args=[attended.key])
    seen = client.get(update).context["form"]["seen"].value()
    other = Client()
    sign_in(other, advocacy)
    assert other.post(update, valid_form(notes="Theirs.", seen=seen)).status_code == 302
    response = client.post(update, valid_form(notes="Mine, typed.", seen=seen))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else saved this record" in page
    assert "Mine, typed." in page
    attended.refresh_from_db()
    assert attended.notes == "Theirs."


def test_two_forms_seen_at_once_save_only_the_first(coordinator, attended):
    seen = attended.updated_at.isoformat()
    first = ExchangeForm(valid_form(notes="First", seen=seen), instance=attended, user=coordinator)
    second = ExchangeForm(
        valid_form(notes="Second", seen=seen),
        instance=ExchangeMeeting.objects.get(pk=attended.pk),
        user=coordinator,
    )
    assert first.is_valid() and second.is_valid()
    exchange_views.save_exchange(first, by=coordinator)
    with pytest.raises(exchange_views.Concurrent):
        exchange_views.save_exchange(second, by=coordinator)
    assert ExchangeMeeting.objects.get().notes == "First"
