"""Coordinators create and edit centres and their yearly figures. Bad input gets a
clear message, keeps what was typed and changes nothing; concurrent edits are
detected, never silently overwritten (DESIGN.md §9)."""

import re

import pytest
from django.db.models import F
from django.urls import reverse

from move.accounts.forms import CONCURRENT_EDIT, ConcurrentEditError
from move.centres.forms import CentreForm, CentreYearForm
from move.centres.models import Centre, CentreYear
from tests.centres.conftest import page
from tests.conftest import sign_in

NO_SOURCE = "Give the source of the number of people detained."
NO_CAPACITY_SOURCE = "Give the source of the capacity."
DUPLICATE_YEAR = "This centre already has figures for that year."
CONCURRENT = str(CONCURRENT_EDIT)


def create_url():
    return reverse("centres:centre-create")


def update_url(centre):
    return reverse("centres:centre-update", args=[centre.code])


def year_create_url(centre):
    return reverse("centres:centreyear-create", args=[centre.code])


def year_update_url(figures):
    return reverse("centres:centreyear-update", args=[figures.code])


def centre_data(**changes):
    data = {
        "code": "holsbeek",
        "name_fr": "Centre fermé pour femmes de Holsbeek",
        "name_nl": "Gesloten centrum voor vrouwen Holsbeek",
        "kind": Centre.Kind.ADULT_CENTRE,
        "town": "Holsbeek",
        "active": "on",
        "version": "1",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def year_data(**changes):
    data = {
        "year": "2021",
        "people_detained": "512",
        "people_detained_source_fr": "Office des étrangers, rapport annuel 2021",
        "people_detained_source_nl": "Dienst Vreemdelingenzaken, jaarverslag 2021",
        "capacity": "28",
        "capacity_source_fr": "Rapport AIDA 2021",
        "capacity_source_nl": "AIDA-rapport 2021",
        "version": "1",
    }
    for source in ("people_detained_source", "capacity_source"):  # both languages at once
        if source in changes:
            value = changes.pop(source)
            data |= {f"{source}_fr": value, f"{source}_nl": value}
    return {key: value for key, value in (data | changes).items() if value is not None}


def snapshot(model):
    return sorted(model.objects.values_list(), key=repr)


@pytest.fixture
def coordinator_client(client, coordinator):
    return sign_in(client, coordinator)


# --- Centres ------------------------------------------------------------------------------


def test_a_coordinator_creates_a_centre_with_its_french_and_dutch_names(coordinator_client):
    page(coordinator_client.get(create_url()))
    response = coordinator_client.post(create_url(), centre_data())
    centre = Centre.objects.get(code="holsbeek")
    assert response.status_code == 302
    assert response.url == reverse("centres:centre-detail", args=["holsbeek"])
    assert centre.name_fr == "Centre fermé pour femmes de Holsbeek"
    assert centre.name_nl == "Gesloten centrum voor vrouwen Holsbeek"
    assert (centre.kind, centre.town, centre.active, centre.version) == (
        Centre.Kind.ADULT_CENTRE,
        "Holsbeek",
        True,
        1,
    )
    assert "Centre saved." in page(coordinator_client.get(response.url))


@pytest.mark.parametrize("missing", ["name_nl", "name_fr", "code", "kind", "town"])
def test_a_centre_without_a_required_field_is_not_created(missing, coordinator_client):
    html = page(coordinator_client.post(create_url(), centre_data(**{missing: None})))
    assert Centre.objects.count() == 0
    assert f'id="id_{missing}_error"' in html
    assert "This field is required." in html
    assert "Please correct the fields marked below." in html


def test_a_centre_without_its_dutch_name_keeps_what_was_typed(coordinator_client):
    html = page(coordinator_client.post(create_url(), centre_data(name_nl="")))
    assert not Centre.objects.exists()
    assert 'value="Centre fermé pour femmes de Holsbeek"' in html
    assert 'value="holsbeek"' in html
    assert 'value="Holsbeek"' in html


def test_two_centres_cannot_share_a_code(coordinator_client, centre):
    before = snapshot(Centre)
    html = page(coordinator_client.post(create_url(), centre_data(code="vottem")))
    assert "Centre with this Code already exists." in html
    assert snapshot(Centre) == before


def test_a_coordinator_edits_a_centre(coordinator_client, centre):
    form = page(coordinator_client.get(update_url(centre)))
    assert 'name="version" value="1"' in form
    assert 'value="Centre fermé de Vottem"' in form
    response = coordinator_client.post(
        update_url(centre),
        centre_data(code="vottem", name_nl="Gesloten centrum Vottem (CIV)", active=None),
    )
    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.name_nl == "Gesloten centrum Vottem (CIV)"
    assert centre.active is False
    assert centre.version == 2


def test_a_centre_edit_without_a_name_changes_nothing(coordinator_client, centre):
    before = snapshot(Centre)
    html = page(coordinator_client.post(update_url(centre), centre_data(code="vottem", name_fr="")))
    assert 'id="id_name_fr_error"' in html
    assert 'value="Gesloten centrum voor vrouwen Holsbeek"' in html  # typed, not stored
    assert snapshot(Centre) == before


# --- Yearly figures -----------------------------------------------------------------------


def test_a_coordinator_adds_yearly_figures_to_a_centre(coordinator_client, centre):
    page(coordinator_client.get(year_create_url(centre)))
    response = coordinator_client.post(year_create_url(centre), year_data())
    assert response.status_code == 302
    assert response.url == reverse("centres:centre-detail", args=[centre.code])
    figures = centre.years.get(year=2021)
    assert (figures.people_detained, figures.capacity) == (512, 28)
    assert figures.people_detained_source_fr == "Office des étrangers, rapport annuel 2021"
    assert figures.people_detained_source_nl == "Dienst Vreemdelingenzaken, jaarverslag 2021"
    assert (figures.capacity_source_fr, figures.capacity_source_nl) == (
        "Rapport AIDA 2021",
        "AIDA-rapport 2021",
    )
    html = page(coordinator_client.get(response.url))
    assert "Centre saved." in html
    assert re.search(r"<td[^>]*>512</td>", html)


def test_figures_may_be_added_without_numbers_yet(coordinator_client, centre):
    data = year_data(people_detained="", people_detained_source="", capacity="", capacity_source="")
    assert coordinator_client.post(year_create_url(centre), data).status_code == 302
    figures = centre.years.get(year=2021)
    assert figures.people_detained is None and figures.capacity is None


def test_a_coordinator_edits_yearly_figures(coordinator_client, centre, figures):
    form = page(coordinator_client.get(year_update_url(figures)))
    assert 'value="622"' in form
    response = coordinator_client.post(
        year_update_url(figures),
        year_data(year="2022", people_detained="701", people_detained_source="Myria 2022"),
    )
    assert response.status_code == 302
    figures.refresh_from_db()
    assert (figures.year, figures.people_detained, figures.version) == (2022, 701, 2)
    assert figures.people_detained_source_fr == "Myria 2022"


def test_a_number_of_people_detained_without_its_source_is_not_saved(coordinator_client, centre):
    before = snapshot(CentreYear)
    html = page(
        coordinator_client.post(year_create_url(centre), year_data(people_detained_source=""))
    )
    assert NO_SOURCE in html
    assert 'name="people_detained" value="512"' in html
    assert 'name="capacity_source_fr" value="Rapport AIDA 2021"' in html
    assert snapshot(CentreYear) == before


def test_removing_the_source_of_a_number_is_refused(coordinator_client, figures):
    before = snapshot(CentreYear)
    html = page(
        coordinator_client.post(
            year_update_url(figures), year_data(year="2022", people_detained_source="")
        )
    )
    assert NO_SOURCE in html
    assert snapshot(CentreYear) == before


def test_a_capacity_without_its_source_is_not_saved(coordinator_client, centre):
    before = snapshot(CentreYear)
    html = page(coordinator_client.post(year_create_url(centre), year_data(capacity_source="")))
    assert NO_CAPACITY_SOURCE in html
    assert snapshot(CentreYear) == before


def test_a_second_set_of_figures_for_the_same_year_is_refused(coordinator_client, centre):
    before = snapshot(CentreYear)
    html = page(coordinator_client.post(year_create_url(centre), year_data(year="2022")))
    assert DUPLICATE_YEAR in html
    assert 'name="people_detained" value="512"' in html
    assert snapshot(CentreYear) == before


def test_moving_figures_onto_a_year_already_recorded_is_refused(coordinator_client, figures):
    before = snapshot(CentreYear)
    html = page(coordinator_client.post(year_update_url(figures), year_data(year="2023")))
    assert DUPLICATE_YEAR in html
    assert snapshot(CentreYear) == before


def test_the_same_year_may_be_recorded_for_another_centre(coordinator_client, centre):
    other = Centre.objects.create(
        code="merksplas", name_fr="Merksplas", name_nl="Merksplas", kind="adult_centre"
    )
    response = coordinator_client.post(year_create_url(other), year_data(year="2022"))
    assert response.status_code == 302
    assert other.years.get().year == 2022


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("1999", "Ensure this value is greater than or equal to 2000."),
        ("2101", "Ensure this value is less than or equal to 2100."),
        ("", "This field is required."),
        ("twenty", "Enter a whole number."),
    ],
)
def test_a_year_missing_or_out_of_range_is_refused(year, message, coordinator_client, centre):
    before = snapshot(CentreYear)
    html = page(coordinator_client.post(year_create_url(centre), year_data(year=year)))
    assert message in html
    assert 'id="id_year_error"' in html
    assert snapshot(CentreYear) == before


def test_a_negative_number_of_people_is_refused(coordinator_client, centre):
    before = snapshot(CentreYear)
    html = page(coordinator_client.post(year_create_url(centre), year_data(people_detained="-3")))
    assert "Ensure this value is greater than or equal to 0." in html
    assert snapshot(CentreYear) == before


# --- Refused actions change nothing -------------------------------------------------------


@pytest.mark.parametrize("persona", ["visitor_a", "legal", "advocacy", "witness_pool"])
def test_other_roles_posting_an_edit_are_refused_and_nothing_changes(
    persona, request, client, centre, figures
):
    sign_in(client, request.getfixturevalue(persona))
    centres, years = snapshot(Centre), snapshot(CentreYear)
    answers = [
        client.post(create_url(), centre_data()),
        client.post(update_url(centre), centre_data(code="vottem")),
        client.post(year_create_url(centre), year_data()),
        client.post(year_update_url(figures), year_data(year="2022")),
    ]
    for answer in answers:
        assert "Only coordinators can edit centres." in page(answer, status=403)
    assert (snapshot(Centre), snapshot(CentreYear)) == (centres, years)


def test_a_partner_posting_an_edit_is_told_the_centre_does_not_exist(
    client, partner, centre, figures
):
    sign_in(client, partner)
    centres, years = snapshot(Centre), snapshot(CentreYear)
    page(client.post(create_url(), centre_data()), status=403)
    page(client.post(update_url(centre), centre_data(code="vottem")), status=404)
    page(client.post(year_create_url(centre), year_data()), status=404)
    page(client.post(year_update_url(figures), year_data(year="2022")), status=404)
    assert (snapshot(Centre), snapshot(CentreYear)) == (centres, years)


def test_someone_signed_out_posting_an_edit_changes_nothing(client, centre, figures):
    centres, years = snapshot(Centre), snapshot(CentreYear)
    for url, data in [
        (create_url(), centre_data()),
        (update_url(centre), centre_data(code="vottem")),
        (year_create_url(centre), year_data()),
        (year_update_url(figures), year_data(year="2022")),
    ]:
        assert client.post(url, data).status_code == 302
    assert (snapshot(Centre), snapshot(CentreYear)) == (centres, years)


# --- Concurrent edits ---------------------------------------------------------------------


def test_the_second_of_two_concurrent_centre_edits_is_refused_and_keeps_its_text(
    client, coordinator, centre
):
    sign_in(client, coordinator)
    first_form = page(client.get(update_url(centre)))
    second_form = page(client.get(update_url(centre)))
    assert 'name="version" value="1"' in first_form and 'name="version" value="1"' in second_form

    first = client.post(update_url(centre), centre_data(code="vottem", town="Vottem (Herstal)"))
    assert first.status_code == 302
    html = page(client.post(update_url(centre), centre_data(code="vottem", town="Liège")))

    assert CONCURRENT in html
    assert 'name="town" value="Liège"' in html
    centre.refresh_from_db()
    assert (centre.town, centre.version) == ("Vottem (Herstal)", 2)


def test_a_refused_concurrent_edit_can_be_saved_again_on_the_new_version(
    coordinator_client, centre
):
    coordinator_client.post(update_url(centre), centre_data(code="vottem", town="Herstal"))
    page(coordinator_client.post(update_url(centre), centre_data(code="vottem", town="Liège")))
    response = coordinator_client.post(
        update_url(centre), centre_data(code="vottem", town="Liège", version="2")
    )
    assert response.status_code == 302
    centre.refresh_from_db()
    assert (centre.town, centre.version) == ("Liège", 3)


def test_the_second_of_two_concurrent_figure_edits_is_refused_and_keeps_its_text(
    coordinator_client, figures
):
    url = year_update_url(figures)
    first = coordinator_client.post(url, year_data(year="2022", people_detained="650"))
    assert first.status_code == 302
    html = page(coordinator_client.post(url, year_data(year="2022", people_detained="999")))
    assert CONCURRENT in html
    assert 'name="people_detained" value="999"' in html
    figures.refresh_from_db()
    assert (figures.people_detained, figures.version) == (650, 2)


def test_a_save_that_loses_the_race_after_checking_is_shown_again_not_overwritten(
    coordinator_client, centre, monkeypatch
):
    """Someone saves between the check of the version and the save itself."""
    check = CentreForm.clean

    def check_then_someone_else_saves(form):
        cleaned = check(form)
        Centre.objects.filter(pk=form.instance.pk).update(town="Herstal", version=F("version") + 1)
        return cleaned

    monkeypatch.setattr(CentreForm, "clean", check_then_someone_else_saves)
    html = page(coordinator_client.post(update_url(centre), centre_data(code="vottem")))
    assert CONCURRENT in html
    assert 'name="town" value="Holsbeek"' in html
    centre.refresh_from_db()
    assert (centre.town, centre.version, centre.name_fr) == ("Herstal", 2, "Centre fermé de Vottem")


def test_two_forms_saved_at_the_same_version_only_the_first_wins(figures):
    first = CentreYearForm(year_data(year="2022", people_detained="650"), instance=figures)
    second = CentreYearForm(
        year_data(year="2022", people_detained="999"),
        instance=CentreYear.objects.get(pk=figures.pk),
    )
    assert first.is_valid() and second.is_valid()
    first.save()
    with pytest.raises(ConcurrentEditError):
        second.save()
    figures.refresh_from_db()
    assert (figures.people_detained, figures.version) == (650, 2)


@pytest.mark.parametrize("code", ["new", "years", "NEW"])
def test_a_centre_code_that_is_a_word_of_the_addresses_is_refused(client, coordinator, code):
    sign_in(client, coordinator)

    response = client.post(
        reverse("centres:centre-create"),
        {
            "code": code,
            "name_fr": "Centre",
            "name_nl": "Centrum",
            "kind": "adult_centre",
            "town": "Jumet",
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert "is used by the application" in response.content.decode()
    assert not Centre.objects.filter(code__iexact=code).exists()
