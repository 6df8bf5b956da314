"""Centre list and detail: every internal role reads them, in the active language;
partners do not see centres at all."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.centres.conftest import page
from tests.conftest import sign_in
from tests.factories import CentreFactory, CentreYearFactory

INTERNAL = ["visitor_a", "visitor_b", "legal", "coordinator", "advocacy", "witness_pool"]


def list_url():
    return reverse("centres:centre-list")


def detail_url(centre):
    return reverse("centres:centre-detail", args=[centre.code])


@pytest.mark.parametrize("persona", INTERNAL)
def test_every_internal_role_sees_the_list_of_centres(persona, request, client, centre):
    sign_in(client, request.getfixturevalue(persona))
    html = page(client.get(list_url()))
    assert "Centre fermé de Vottem" in html
    assert f'href="{detail_url(centre)}"' in html
    assert "2023: 623 people detained, 93 places" in html  # the latest figures


@pytest.mark.parametrize("persona", INTERNAL)
def test_every_internal_role_sees_a_centre_with_its_yearly_figures(
    persona, request, client, centre
):
    sign_in(client, request.getfixturevalue(persona))
    html = page(client.get(detail_url(centre)))
    assert "<h1>Centre fermé de Vottem</h1>" in html
    for year in (2022, 2023):
        assert re.search(rf"<td[^>]*>{year}</td>", html)
        assert f"Immigration Office, annual report {year}" in html
        assert f"AIDA {year}" in html


def test_a_partner_is_refused_the_list_of_centres(client, partner, centre):
    sign_in(client, partner)
    html = page(client.get(list_url()), status=403)
    assert "Vottem" not in html


def test_a_partner_is_told_a_centre_does_not_exist(client, partner, centre):
    sign_in(client, partner)
    html = page(client.get(detail_url(centre)), status=404)
    assert "Vottem" not in html


def test_someone_signed_out_is_sent_to_sign_in(client, centre):
    for url in (list_url(), detail_url(centre)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_an_unknown_centre_is_not_found(client, visitor_a, centre):
    sign_in(client, visitor_a)
    page(client.get(reverse("centres:centre-detail", args=["atlantis"])), status=404)


def test_a_centre_without_figures_says_so(client, visitor_a):
    sign_in(client, visitor_a)
    centre = CentreFactory()
    html = page(client.get(detail_url(centre)))
    assert "No figures recorded for this centre yet." in html
    assert "—" in page(client.get(list_url()))


def test_a_closed_centre_is_marked_in_the_list(client, visitor_a):
    sign_in(client, visitor_a)
    CentreFactory(name_fr="Centre fermé de Bruxelles", active=False)
    html = page(client.get(list_url()))
    assert "Centre fermé de Bruxelles</a> (no longer in use)" in html


# --- Languages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("nl", "Gesloten centrum Vottem", "Centre fermé de Vottem"),
        ("fr", "Centre fermé de Vottem", "Gesloten centrum Vottem"),
        # English is not a content language: the French name is the fallback.
        ("en", "Centre fermé de Vottem", "Gesloten centrum Vottem"),
    ],
)
def test_the_list_names_centres_in_the_language_of_the_reader(
    language, shown, hidden, client, visitor_a, centre
):
    sign_in(client, visitor_a)
    html = page(client.get(list_url(), headers={"accept-language": language}))
    assert f'<html lang="{language}">' in html
    assert shown in html
    assert hidden not in html


@pytest.mark.parametrize(
    ("language", "shown"),
    [("nl", "Gesloten centrum Vottem"), ("fr", "Centre fermé de Vottem")],
)
def test_a_centre_is_titled_in_the_language_of_the_reader(
    language, shown, client, visitor_a, centre
):
    sign_in(client, visitor_a)
    html = page(client.get(detail_url(centre), headers={"accept-language": language}))
    assert f"<h1>{shown}</h1>" in html
    assert f"<title>{shown} · Move</title>" in html


def test_a_centre_page_shows_both_names_whatever_the_language(client, visitor_a, centre):
    sign_in(client, visitor_a)
    html = page(client.get(detail_url(centre), headers={"accept-language": "nl"}))
    assert '<dd lang="fr">Centre fermé de Vottem</dd>' in html
    assert '<dd lang="nl">Gesloten centrum Vottem</dd>' in html


def test_a_centre_name_follows_the_active_language(centre):
    with translation.override("nl"):
        assert centre.name == "Gesloten centrum Vottem"
        assert str(centre) == "Gesloten centrum Vottem"
    with translation.override("fr"):
        assert centre.name == "Centre fermé de Vottem"


# --- What each role is offered ------------------------------------------------------------


def test_a_coordinator_is_offered_to_add_and_edit_centres_and_figures(
    client, coordinator, centre, figures
):
    sign_in(client, coordinator)
    assert f'href="{reverse("centres:centre-create")}"' in page(client.get(list_url()))
    html = page(client.get(detail_url(centre)))
    assert f'href="{reverse("centres:centre-update", args=[centre.code])}"' in html
    assert f'href="{reverse("centres:centreyear-create", args=[centre.code])}"' in html
    assert f'href="{reverse("centres:centreyear-update", args=[figures.code])}"' in html


@pytest.mark.parametrize("persona", ["visitor_a", "legal", "advocacy", "witness_pool"])
def test_other_roles_are_not_offered_to_edit_anything(persona, request, client, centre):
    sign_in(client, request.getfixturevalue(persona))
    assert "/new/" not in page(client.get(list_url()))
    html = page(client.get(detail_url(centre)))
    assert "/edit/" not in html
    assert "/years/new/" not in html


@pytest.mark.parametrize(
    ("language", "order"),
    [("fr", ["Arlon", "Zaventem"]), ("nl", ["Aarlen", "Zaventem"]), ("en", ["Arlon", "Zaventem"])],
)
def test_centres_are_listed_alphabetically_in_the_language_of_the_reader(
    language, order, client, visitor_a
):
    CentreFactory(name_fr="Zaventem", name_nl="Aarlen")
    CentreFactory(name_fr="Arlon", name_nl="Zaventem")
    sign_in(client, visitor_a)
    html = page(client.get(list_url(), headers={"accept-language": language}))
    assert html.index(f">{order[0]}</a>") < html.index(f">{order[1]}</a>")


def test_the_list_shows_the_latest_year_whose_figures_are_known(client, coordinator):
    known = CentreYearFactory(year=2022, people_detained=640, capacity=None)
    CentreYearFactory(centre=known.centre, year=2023, people_detained=None, capacity=120)
    sign_in(client, coordinator)

    html = client.get(reverse("centres:centre-list")).content.decode()

    assert "2022: 640 people detained" in html
    assert "2023:" not in html


def test_the_list_says_when_no_figure_is_published(client, coordinator):
    CentreFactory()
    sign_in(client, coordinator)

    assert "not published yet" in client.get(reverse("centres:centre-list")).content.decode()
