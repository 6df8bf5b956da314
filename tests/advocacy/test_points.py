"""Points of attention (issue 12): the register and its filters, the form with its status
moves and concurrent edits, a point's page with its observations and its history across
meetings, raising observations from a report (new point or an open one), and the panel
on the report's page. Personas at every boundary."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from advocacy import panels, point_views, points
from advocacy.models import AgendaItem, AuthorityMeeting, ExchangeMeeting, PointOfAttention
from advocacy.point_forms import PointForm
from move.accounts import permissions
from tests.conftest import sign_in
from tests.factories import CentreFactory, OrganisationFactory, member
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    return CentreFactory(name_fr="Caricole", name_nl="Caricole")


@pytest.fixture
def other_centre(db):
    return CentreFactory(name_fr="Vottem", name_nl="Vottem")


@pytest.fixture
def theme(db):
    return Theme.objects.create(code="medical", name_fr="Soins", name_nl="Zorg", name_en="Care")


@pytest.fixture
def other_theme(db):
    return Theme.objects.create(
        code="isolation", name_fr="Isolement", name_nl="Isolatie", name_en="Isolation"
    )


def make_report(organisation, centre, author=None, *, day=datetime.date(2026, 3, 2), **fields):
    visit = Visit.objects.create(centre=centre, date=day, status="done")
    fields.setdefault("status", "submitted")
    report = VisitReport.objects.create(
        visit=visit, organisation=organisation, language="fr", **fields
    )
    if author:
        report.authors.add(author)
    return report


def observe(report, theme, text="Pas de médecin le week-end.", position=0, **fields):
    return Observation.objects.create(
        report=report,
        theme=theme,
        centre=report.centre,
        text=text,
        position=position,
        **fields,
    )


@pytest.fixture
def report(org_a, centre, visitor_a):
    return make_report(org_a, centre, visitor_a)


@pytest.fixture
def flagged(report, theme):
    return observe(report, theme, raise_with_authorities=True)


@pytest.fixture
def plain(report, other_theme):
    return observe(report, other_theme, text="Cour fermée.", position=1)


def point(title="Medical care at weekends", theme=None, **fields):
    theme = theme or Theme.objects.first()
    return PointOfAttention.objects.create(title=title, theme=theme, **fields)


def valid_form(theme, **overrides):
    return {
        "title": "Medical care at weekends",
        "description": "No doctor on Saturdays and Sundays.",
        "theme": theme.pk,
        "centres": [],
        "status": "open",
        "owner": "",
    } | overrides


# --- The register ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,status",
    [
        ("visitor_a", 200),
        ("legal", 200),
        ("coordinator", 200),
        ("advocacy", 200),
        ("witness_pool", 403),
        ("partner", 403),
    ],
)
def test_the_register_is_read_by_visitors_legal_coordinators_and_advocacy(
    persona_client, persona, status, theme
):
    point(theme=theme)
    response = persona_client(persona).get(reverse("advocacy:point-list"))
    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("advocacy:point-list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_register_is_filtered_by_status_theme_centre_raised_since_and_title(
    client, advocacy, theme, other_theme, centre, other_centre
):
    first = point("Doctor at weekends", theme, status="raised")
    first.first_raised_on = datetime.date(2022, 3, 10)
    first.save()
    first.centres.add(centre)
    second = point("Isolation cells", other_theme, first_raised_on=datetime.date(2023, 6, 1))
    second.centres.add(other_centre)
    point("Closed one", theme, status="resolved")
    sign_in(client, advocacy)
    url = reverse("advocacy:point-list")

    def titles(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {row["title"] for row in response.context["points"]}

    assert titles() == {"Doctor at weekends", "Isolation cells", "Closed one"}
    assert titles(status="raised") == {"Doctor at weekends"}
    assert titles(status="still_open") == {"Doctor at weekends", "Isolation cells"}
    assert titles(theme=other_theme.pk) == {"Isolation cells"}
    assert titles(centre=centre.pk) == {"Doctor at weekends"}
    assert titles(since="2023-01-01") == {"Isolation cells"}
    assert titles(q="doctor") == {"Doctor at weekends"}
    assert titles(theme=theme.pk, q="closed") == {"Closed one"}


def test_a_filter_that_cannot_be_read_is_marked_and_left_out(client, visitor_a, theme):
    point(theme=theme)
    sign_in(client, visitor_a)
    response = client.get(reverse("advocacy:point-list"), {"since": "yesterday", "theme": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["since"]
    assert len(response.context["points"]) == 1
    assert b"Some filters could not be read" in response.content


@pytest.mark.parametrize("rows", [2, 30])
def test_the_register_costs_the_same_queries_at_2_and_30_rows(
    client, coordinator, theme, centre, other_centre, rows, django_assert_max_num_queries
):
    for number in range(rows):
        made = point(f"Point {number}", theme, owner=coordinator)
        made.centres.add(centre, other_centre)
    sign_in(client, coordinator)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("advocacy:point-list"), {"status": "open"})
    assert len(response.context["points"]) == rows
    assert response.context["points"][0]["centres"] == sorted([str(centre), str(other_centre)])


def test_the_register_has_fifty_points_a_page_and_keeps_its_filters(client, legal, theme):
    for number in range(55):
        point(f"Point {number}", theme)
    sign_in(client, legal)
    response = client.get(reverse("advocacy:point-list"), {"theme": theme.pk})
    assert len(response.context["points"]) == 50
    assert f"?theme={theme.pk}&amp;page=2" in response.content.decode()


# --- Keeping the points ----------------------------------------------------------------


def test_legal_adds_a_point_that_starts_open(client, legal, theme, centre):
    sign_in(client, legal)
    form = client.get(reverse("advocacy:point-create")).context["form"]
    assert "status" not in form.fields
    response = client.post(
        reverse("advocacy:point-create"),
        valid_form(theme, centres=[centre.pk], owner=legal.pk),
    )
    made = PointOfAttention.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("advocacy:point-detail", args=[made.key])
    assert made.status == "open"
    assert made.code.startswith("PA-")
    assert (made.owner, made.created_by) == (legal, legal)
    assert list(made.centres.all()) == [centre]


@pytest.mark.parametrize("persona", ["visitor_a", "advocacy", "witness_pool", "partner"])
def test_only_coordinators_and_legal_add_points(persona_client, persona, theme):
    client = persona_client(persona)
    assert client.get(reverse("advocacy:point-create")).status_code == 403
    assert client.post(reverse("advocacy:point-create"), valid_form(theme)).status_code == 403
    assert not PointOfAttention.objects.exists()


def test_the_owner_must_keep_points_and_an_inactive_theme_is_not_offered(
    client, coordinator, visitor_a, theme
):
    retired = Theme.objects.create(code="old", name="Old", active=False)
    sign_in(client, coordinator)
    response = client.post(reverse("advocacy:point-create"), valid_form(theme, owner=visitor_a.pk))
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert b"No doctor on Saturdays and Sundays." in response.content  # kept
    response = client.post(reverse("advocacy:point-create"), valid_form(retired))
    assert "theme" in response.context["form"].errors
    assert not PointOfAttention.objects.exists()


@pytest.mark.parametrize(
    "current,new,allowed",
    [
        ("open", "raised", True),
        ("open", "dropped", True),
        ("open", "resolved", False),
        ("open", "answered", False),
        ("raised", "answered", True),
        ("answered", "resolved", True),
        ("answered", "raised", True),
        ("resolved", "open", True),
        ("dropped", "open", True),
        ("resolved", "raised", False),
        ("dropped", "answered", False),
    ],
)
def test_the_status_moves_as_the_register_allows(client, legal, theme, current, new, allowed):
    made = point(theme=theme, status=current)
    sign_in(client, legal)
    update = reverse("advocacy:point-update", args=[made.key])
    seen = made.updated_at.isoformat()
    response = client.post(update, valid_form(theme, status=new, seen=seen))
    made.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert made.status == new
    else:
        assert response.status_code == 400
        assert "can only become" in str(response.context["form"].errors["status"])
        assert made.status == current


def test_the_form_says_how_a_status_moves(client, coordinator, theme):
    made = point(theme=theme, status="resolved")
    sign_in(client, coordinator)
    page = client.get(reverse("advocacy:point-update", args=[made.key])).content.decode()
    assert "can only be reopened" in page


@pytest.mark.parametrize(
    "persona,status", [("visitor_a", 403), ("advocacy", 403), ("witness_pool", 404)]
)
def test_others_are_refused_changing_a_point(persona_client, persona, status, theme):
    made = point(theme=theme)
    client = persona_client(persona)
    update = reverse("advocacy:point-update", args=[made.key])
    assert client.get(update).status_code == status
    assert client.post(update, valid_form(theme, title="Changed")).status_code == status
    made.refresh_from_db()
    assert made.title == "Medical care at weekends"


def test_a_change_saved_meanwhile_is_not_overwritten_and_what_was_typed_is_kept(
    client, legal, coordinator, theme
):
    made = point(theme=theme)
    sign_in(client, legal)
    update = reverse("advocacy:point-update", args=[made.key])
    seen = client.get(update).context["form"]["seen"].value()
    other = Client()
    sign_in(other, coordinator)
    assert other.post(update, valid_form(theme, title="Theirs", seen=seen)).status_code == 302
    response = client.post(update, valid_form(theme, title="Mine, typed", seen=seen))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else saved this record while you were editing it" in page
    assert 'value="Mine, typed"' in page
    assert "“Theirs”" in page  # the title is the saved version
    made.refresh_from_db()
    assert made.title == "Theirs"
    again = response.context["form"]["seen"].value()
    assert client.post(update, valid_form(theme, title="Mine", seen=again)).status_code == 302
    made.refresh_from_db()
    assert made.title == "Mine"


def test_two_forms_seen_at_once_save_only_the_first(legal, theme):
    made = point(theme=theme)
    seen = made.updated_at.isoformat()
    first = PointForm(valid_form(theme, title="First", seen=seen), instance=made)
    second = PointForm(
        valid_form(theme, title="Second", seen=seen),
        instance=PointOfAttention.objects.get(pk=made.pk),
    )
    assert first.is_valid() and second.is_valid()
    point_views.save_point(first, by=legal)
    with pytest.raises(point_views.Concurrent):
        point_views.save_point(second, by=legal)
    assert PointOfAttention.objects.get().title == "First"


# --- A point's page ----------------------------------------------------------------------


def test_a_point_shows_its_observations_history_and_exchange_meetings(
    client, visitor_b, flagged, report, theme, coordinator, django_assert_max_num_queries
):
    made = point(theme=theme)
    made.observations.add(flagged)
    later = AuthorityMeeting.objects.create(date=datetime.date(2026, 6, 10), authority="centre")
    earlier = AuthorityMeeting.objects.create(
        date=datetime.date(2026, 3, 10), authority="immigration_office", status="held"
    )
    AgendaItem.objects.create(meeting=later, point=made, asked="Again?")
    AgendaItem.objects.create(
        meeting=earlier,
        point=made,
        asked="A doctor at weekends?",
        answer="Under study.",
        follow_up="Write to the director.",
        follow_up_due=datetime.date(2026, 4, 1),
        follow_up_owner=coordinator,
    )
    exchange = ExchangeMeeting.objects.create(date=datetime.date(2026, 2, 3))
    exchange.points.add(made)
    sign_in(client, visitor_b)  # another organisation: reads the submitted report
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("advocacy:point-detail", args=[made.key]))
    assert response.status_code == 200
    assert [item.meeting for item in response.context["history"]] == [earlier, later]
    page = response.content.decode()
    assert reverse("visits:report-detail", args=[report.code]) in page
    assert "Pas de médecin le week-end." in page
    assert "Under study." in page and "Write to the director." in page
    assert reverse("advocacy:exchange-detail", args=[exchange.key]) in page
    assert "Edit the point" not in page


@pytest.mark.parametrize("persona", ["witness_pool", "partner"])
def test_the_witness_pool_and_partners_do_not_find_a_point(persona_client, persona, theme):
    made = point(theme=theme)
    response = persona_client(persona).get(reverse("advocacy:point-detail", args=[made.key]))
    assert response.status_code == 404


def test_an_observation_of_a_report_the_reader_does_not_read_is_shown_without_text(
    client, coordinator, theme, org_a, centre
):
    # A draft is read by its authors and coordinators only: legal does not read it.
    draft = make_report(org_a, centre, status="draft")
    made = point(theme=theme)
    made.observations.add(observe(draft, theme, text="Brouillon secret."))
    legal = member("legal", OrganisationFactory(kind="coalition"))
    sign_in(client, legal)
    page = client.get(reverse("advocacy:point-detail", args=[made.key])).content.decode()
    assert "Brouillon secret." not in page
    assert reverse("visits:report-detail", args=[draft.code]) not in page
    sign_in(client, coordinator)
    page = client.get(reverse("advocacy:point-detail", args=[made.key])).content.decode()
    assert "Brouillon secret." in page


def test_a_correction_awaiting_the_authors_check_is_not_shown_to_other_readers(
    client, visitor_a, visitor_b, flagged, report, theme
):
    report.awaiting_check = True
    report.save(update_fields=["awaiting_check"])
    made = point(theme=theme)
    made.observations.add(flagged)
    url = reverse("advocacy:point-detail", args=[made.key])
    sign_in(client, visitor_b)
    page = client.get(url).content.decode()
    assert "Pas de médecin le week-end." not in page
    assert "awaits its authors' check" in page
    sign_in(client, visitor_a)  # its author
    assert "Pas de médecin le week-end." in client.get(url).content.decode()


# --- Raising observations from a report ------------------------------------------------


def test_a_visitor_sees_the_flagged_observations_ticked_and_a_new_point_prefilled(
    client, visitor_b, report, flagged, plain, theme, other_theme, django_assert_max_num_queries
):
    same = point("Same theme", theme)
    other = point("Other theme", other_theme)
    point("Closed", theme, status="dropped")
    sign_in(client, visitor_b)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("advocacy:point-raise", args=[report.code]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["observations"] == [flagged.pk]
    assert form.initial["title"] == str(theme)
    assert form.initial["description"] == flagged.text
    assert form.initial["theme"] == theme.pk
    offered = [value for value, _label in form.fields["point"].choices if value]
    assert offered == [same.pk, other.pk]  # open ones only, the same theme first


def test_the_observation_asked_for_is_the_one_ticked(client, coordinator, report, flagged, plain):
    sign_in(client, coordinator)
    response = client.get(
        reverse("advocacy:point-raise", args=[report.code]), {"observation": plain.position}
    )
    assert response.context["form"].initial["observations"] == [plain.pk]
    assert response.context["form"].initial["description"] == "Cour fermée."


def test_a_visitor_raises_an_observation_as_a_new_point(
    client, visitor_a, report, flagged, theme, centre
):
    sign_in(client, visitor_a)
    response = client.post(
        reverse("advocacy:point-raise", args=[report.code]),
        {
            "observations": [flagged.pk],
            "choice": "new",
            "title": "Doctor at weekends",
            "description": "Nobody on Sundays.",
            "theme": theme.pk,
        },
    )
    made = PointOfAttention.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("advocacy:point-detail", args=[made.key])
    assert list(made.observations.all()) == [flagged]
    assert list(made.centres.all()) == [centre]
    assert (made.status, made.created_by, made.theme) == ("open", visitor_a, theme)


def test_observations_are_added_to_an_open_point_and_twice_is_harmless(
    client, coordinator, report, flagged, plain, theme, org_b, other_centre
):
    made = point(theme=theme)
    earlier = observe(make_report(org_b, other_centre, day=datetime.date(2025, 1, 5)), theme)
    made.observations.add(earlier)
    sign_in(client, coordinator)
    url = reverse("advocacy:point-raise", args=[report.code])
    data = {"observations": [flagged.pk, plain.pk], "choice": "existing", "point": made.pk}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert set(made.observations.all()) == {earlier, flagged, plain}
    assert made.observations.count() == 3
    assert PointOfAttention.objects.count() == 1


def test_raising_needs_an_observation_and_refuses_one_of_another_report(
    client, visitor_a, report, flagged, theme, org_b, other_centre
):
    foreign = observe(make_report(org_b, other_centre), theme, text="Elsewhere.")
    made = point(theme=theme)
    sign_in(client, visitor_a)
    url = reverse("advocacy:point-raise", args=[report.code])
    response = client.post(url, {"choice": "new", "title": "T", "theme": theme.pk})
    assert response.status_code == 400
    assert "Choose at least one observation" in response.content.decode()
    response = client.post(
        url, {"observations": [flagged.pk, foreign.pk], "choice": "existing", "point": made.pk}
    )
    assert response.status_code == 400
    assert "Only the observations of this report" in response.content.decode()
    assert PointOfAttention.objects.count() == 1
    assert not made.observations.exists()


def test_a_new_point_needs_a_title_and_theme_and_a_closed_point_is_refused(
    client, visitor_a, report, flagged, theme
):
    closed = point(theme=theme, status="resolved")
    sign_in(client, visitor_a)
    url = reverse("advocacy:point-raise", args=[report.code])
    response = client.post(url, {"observations": [flagged.pk], "choice": "new", "title": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "title" in errors and "theme" in errors
    response = client.post(
        url, {"observations": [flagged.pk], "choice": "existing", "point": closed.pk}
    )
    assert response.status_code == 400
    assert "no longer open" in response.content.decode()
    assert PointOfAttention.objects.count() == 1
    assert not closed.observations.exists()


def test_the_service_refuses_a_point_closed_meanwhile(visitor_a, report, flagged, theme):
    made = point(theme=theme, status="dropped")
    with pytest.raises(points.ValidationError):
        points.raise_observations(report, [flagged], by=visitor_a, point=made)
    assert not made.observations.exists()


@pytest.mark.parametrize(
    "persona,status",
    [("legal", 403), ("advocacy", 403), ("witness_pool", 404), ("partner", 404)],
)
def test_legal_and_advocacy_read_the_report_but_do_not_raise(
    persona_client, persona, status, report, flagged, theme
):
    client = persona_client(persona)
    url = reverse("advocacy:point-raise", args=[report.code])
    assert client.get(url).status_code == status
    data = {"observations": [flagged.pk], "choice": "new", "title": "T", "theme": theme.pk}
    assert client.post(url, data).status_code == status
    assert not PointOfAttention.objects.exists()


def test_a_partner_who_reads_a_shared_report_still_does_not_find_the_raising(
    client, partner, partner_org, report, flagged
):
    report.status = "shared"
    report.save(update_fields=["status"])
    permissions.share(report, partner_org, "view_visitreport")
    sign_in(client, partner)
    assert client.get(reverse("visits:report-detail", args=[report.code])).status_code == 200
    assert client.get(reverse("advocacy:point-raise", args=[report.code])).status_code == 404


def test_a_draft_is_not_found_even_by_its_author(client, visitor_a, org_a, centre, theme):
    draft = make_report(org_a, centre, visitor_a, status="draft")
    observe(draft, theme)
    sign_in(client, visitor_a)
    assert client.get(reverse("advocacy:point-raise", args=[draft.code])).status_code == 404


def test_a_visitor_of_another_organisation_raises_from_a_submitted_report(
    client, visitor_b, report, flagged
):
    sign_in(client, visitor_b)
    assert client.get(reverse("advocacy:point-raise", args=[report.code])).status_code == 200


# --- The panel on the report's page ----------------------------------------------------


@pytest.fixture
def panel_registered():
    panels.register()  # the app registers it when ready (advocacy/apps.py)


@pytest.mark.parametrize("observations", [2, 20])
def test_the_report_page_offers_raising_and_the_points_fed_within_its_budget(
    client,
    panel_registered,
    visitor_b,
    report,
    theme,
    observations,
    django_assert_max_num_queries,
):
    made = point("Doctor at weekends", theme)
    for position in range(observations):
        made.observations.add(
            observe(report, theme, position=position, raise_with_authorities=position % 2 == 0)
        )
    sign_in(client, visitor_b)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("visits:report-detail", args=[report.code]))
    page = response.content.decode()
    raise_url = reverse("advocacy:point-raise", args=[report.code])
    assert f'href="{raise_url}?observation=0"' in page
    assert f'href="{raise_url}?observation=1"' not in page  # not flagged
    assert "Raise as a point of attention" in page
    assert page.count(reverse("advocacy:point-detail", args=[made.key])) == observations


def test_advocacy_sees_the_points_fed_but_no_raising(
    client, panel_registered, advocacy, report, flagged, theme
):
    made = point("Doctor at weekends", theme)
    made.observations.add(flagged)
    sign_in(client, advocacy)
    page = client.get(reverse("visits:report-detail", args=[report.code])).content.decode()
    assert reverse("advocacy:point-detail", args=[made.key]) in page
    assert reverse("advocacy:point-raise", args=[report.code]) not in page


def test_a_partner_sees_no_panel_on_a_shared_report(
    client, panel_registered, partner, partner_org, report, flagged, theme
):
    point(theme=theme).observations.add(flagged)
    report.status = "shared"
    report.save(update_fields=["status"])
    permissions.share(report, partner_org, "view_visitreport")
    sign_in(client, partner)
    page = client.get(reverse("visits:report-detail", args=[report.code])).content.decode()
    assert "Points of attention" not in page
    assert "PA-" not in page


def test_a_draft_report_shows_no_panel(client, panel_registered, visitor_a, org_a, centre, theme):
    draft = make_report(org_a, centre, visitor_a, status="draft")
    observe(draft, theme, raise_with_authorities=True)
    sign_in(client, visitor_a)
    page = client.get(reverse("visits:report-detail", args=[draft.code])).content.decode()
    assert reverse("advocacy:point-raise", args=[draft.code]) not in page


def test_an_owner_who_no_longer_keeps_points_is_shown_and_refused_not_dropped(
    client, coordinator, legal, theme
):
    made = point(theme=theme, owner=legal)
    legal.memberships.update(role="advocacy")  # legal became advocacy: keeps points no more
    sign_in(client, coordinator)
    update = reverse("advocacy:point-update", args=[made.key])
    form = client.get(update).context["form"]
    assert legal in form.fields["owner"].queryset
    seen = made.updated_at.isoformat()
    response = client.post(update, valid_form(theme, owner=legal.pk, seen=seen))
    assert response.status_code == 400
    assert "no longer keeps the points of attention" in str(response.context["form"].errors)
    response = client.post(update, valid_form(theme, owner=coordinator.pk, seen=seen))
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.owner == coordinator
