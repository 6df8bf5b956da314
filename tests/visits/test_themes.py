"""Themes of observations: reference data in French and Dutch, kept by coordinators."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests.conftest import sign_in
from visits.demo import THEMES
from visits.models import Theme

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_ten_themes_of_the_coalition_in_both_languages(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    call_command("seed_demo", stdout=None)  # twice: nothing doubles

    themes = list(Theme.objects.all())
    assert [theme.code for theme in themes] == [code for code, _fr, _nl, _en in THEMES]
    assert all(theme.name_fr and theme.name_nl and theme.name_en for theme in themes)
    with translation.override("nl"):
        assert str(Theme.objects.get(code="isolation")) == "Isolatieregime"
    with translation.override("fr"):
        assert str(Theme.objects.get(code="isolation")) == "Régime d'isolement"
    # English readers get English names, not the French fallback (issue 9 §6).
    with translation.override("en"):
        assert str(Theme.objects.get(code="isolation")) == "Isolation regime"


def test_a_theme_without_an_english_name_falls_back_to_french():
    theme = Theme.objects.create(code="new", name_fr="Nouveau", name_nl="Nieuw")
    with translation.override("en"):
        assert str(Theme.objects.get(pk=theme.pk)) == "Nouveau"


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("visitor_a", True),
        ("legal", True),
        ("coordinator", True),
        ("advocacy", True),
        ("witness_pool", False),
        ("partner", False),
    ],
)
def test_who_sees_the_themes(request, persona, sees):
    Theme.objects.create(code="other", name_fr="Autre", name_nl="Andere")

    visible = Theme.objects.visible_to(request.getfixturevalue(persona))

    assert visible.exists() is sees


def test_a_coordinator_renames_a_theme_in_the_administration(client, coordinator):
    theme = Theme.objects.create(code="other", name_fr="Autre", name_nl="Andere", position=10)
    sign_in(client, coordinator)

    response = client.post(
        reverse("admin:visits_theme_change", args=[theme.pk]),
        {
            "code": "other",
            "name_fr": "Autres",
            "name_nl": "Overige",
            "position": 10,
            "active": "on",
        },
    )

    assert response.status_code == 302
    theme.refresh_from_db()
    assert (theme.name_fr, theme.name_nl) == ("Autres", "Overige")


def test_a_theme_needs_both_languages(client, coordinator):
    sign_in(client, coordinator)

    response = client.post(
        reverse("admin:visits_theme_add"),
        {"code": "new-theme", "name_fr": "Nouveau", "name_nl": "", "position": 11, "active": "on"},
    )

    assert response.status_code == 200
    assert not Theme.objects.filter(code="new-theme").exists()
