"""The source of each figure is said in the reader's language (issue 9 §6): the notes
are kept in French and Dutch, the form asks for both, the demo writes both."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from move.centres.demo import seed_centres
from move.centres.models import CentreYear
from tests.centres.conftest import page
from tests.conftest import sign_in
from tests.factories import CentreFactory, CentreYearFactory

pytestmark = pytest.mark.django_db


def speak(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


@pytest.fixture
def figures(db):
    return CentreYearFactory(
        centre=CentreFactory(code="merksplas"),
        year=2023,
        people_detained=810,
        people_detained_source_fr="Office des étrangers, rapport annuel 2023",
        people_detained_source_nl="Dienst Vreemdelingenzaken, jaarverslag 2023",
        capacity=110,
        capacity_source_fr="Rapport AIDA, mars 2023",
        capacity_source_nl="AIDA-rapport, maart 2023",
    )


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("fr", ["Office des étrangers, rapport annuel 2023", "Rapport AIDA, mars 2023"], "jaar"),
        (
            "nl",
            ["Dienst Vreemdelingenzaken, jaarverslag 2023", "AIDA-rapport, maart 2023"],
            "rapport annuel",
        ),
    ],
)
def test_the_centre_page_gives_the_sources_in_the_readers_language(
    client, visitor_a, figures, language, shown, hidden
):
    sign_in(client, visitor_a)
    speak(client, language)

    html = page(client.get(reverse("centres:centre-detail", args=[figures.centre.code])))

    for text in shown:
        assert text in html
    assert hidden not in html


def test_the_form_asks_for_the_source_in_each_language(client, coordinator, figures):
    sign_in(client, coordinator)

    html = page(client.get(reverse("centres:centreyear-update", args=[figures.code])))

    for name in ("people_detained_source", "capacity_source"):
        assert f'name="{name}_fr"' in html and f'name="{name}_nl"' in html
        assert f'name="{name}"' not in html
    assert 'lang="nl"' in html and "in Dutch" in html


def test_a_figure_with_its_source_in_one_language_only_is_refused(client, coordinator, figures):
    sign_in(client, coordinator)
    before = list(CentreYear.objects.values_list())

    html = page(
        client.post(
            reverse("centres:centreyear-update", args=[figures.code]),
            {
                "year": 2023,
                "people_detained": 811,
                "people_detained_source_fr": "Office des étrangers, rapport annuel 2023",
                "people_detained_source_nl": "",
                "capacity": 110,
                "capacity_source_fr": "Rapport AIDA, mars 2023",
                "capacity_source_nl": "AIDA-rapport, maart 2023",
                "version": figures.version,
            },
        )
    )

    assert "Give the source of the number of people detained." in html
    assert list(CentreYear.objects.values_list()) == before


def test_the_demo_sources_are_french_in_french_and_dutch_in_dutch(db):
    seed_centres()
    rows = CentreYear.objects.all()
    assert rows.count() == 12
    for row in rows:
        for french in (row.people_detained_source_fr, row.capacity_source_fr):
            assert "AIDA" in french or "personnes détenues" in french
            assert " people " not in french and "places in" not in french
        for dutch in (row.people_detained_source_nl, row.capacity_source_nl):
            assert "AIDA-landenrapport" in dutch or "mensen opgesloten" in dutch
        assert "répartition par centre" in row.people_detained_source_fr
        assert "verdeling per centrum" in row.people_detained_source_nl
    row = rows.first()
    with translation.override("nl"):
        assert (
            row.capacity_source == "AIDA-landenrapport België, beschikbare plaatsen in maart 2023"
        )
    with translation.override("fr"):
        assert row.capacity_source.startswith("Rapport AIDA sur la Belgique")
