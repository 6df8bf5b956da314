"""The pages of the points of attention and the exchange meetings in a browser: axe-core
finds nothing at 1280 and 360 px, and nothing scrolls sideways on a phone (issue 12).
A visitor raises a flagged observation of a report from the report's page.

MOVE_E2E_SCREENSHOTS=/some/dir keeps a full-page screenshot of each page checked."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse

from advocacy import panels
from advocacy.models import AgendaItem, AuthorityMeeting, ExchangeMeeting, PointOfAttention
from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations
from tests.factories import CentreFactory, OrganisationFactory
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def records(coalition_org, make_user):
    panels.register()  # as advocacy/apps.py does
    coordinator = make_user(Role.COORDINATOR, first_name="Claire", last_name="Coordinatrice")
    centre = CentreFactory(
        name_fr="Centre de rapatriement 127bis", name_nl="Repatriëringscentrum 127bis"
    )
    theme, _ = Theme.objects.get_or_create(
        code="medical-care-e2e",
        defaults={"name_fr": "Soins médicaux", "name_nl": "Medische zorg", "name_en": "Care"},
    )
    visitor = make_user(Role.VISITOR, email="visitor.author@e2e.example.org")
    visit = Visit.objects.create(centre=centre, date=datetime.date(2026, 3, 2), status="done")
    report = VisitReport.objects.create(
        visit=visit, organisation=coalition_org, language="fr", status="submitted"
    )
    report.authors.add(visitor)
    flagged = Observation.objects.create(
        report=report,
        theme=theme,
        centre=centre,
        text="Aucun médecin présent le week-end ; une personne diabétique attend depuis "
        "vendredi une consultation pour adapter son traitement.",
        raise_with_authorities=True,
    )
    Observation.objects.create(
        report=report, theme=theme, centre=centre, text="Cour fermée.", position=1
    )
    point = PointOfAttention.objects.create(
        title="Accès à un médecin le week-end dans les centres fermés",
        description="Depuis janvier, aucun médecin n'est présent le week-end.",
        theme=theme,
        owner=coordinator,
        status="raised",
        first_raised_on=datetime.date(2026, 3, 10),
    )
    point.centres.add(centre)
    point.observations.add(flagged)
    meeting = AuthorityMeeting.objects.create(
        date=datetime.date(2026, 3, 10), authority="immigration_office", status="held"
    )
    AgendaItem.objects.create(
        meeting=meeting,
        point=point,
        asked="Un médecin de garde le week-end ?",
        answer="À l'étude avec le service médical.",
        follow_up="Relancer la direction.",
        follow_up_due=datetime.date(2026, 4, 30),
        follow_up_owner=coordinator,
    )
    partner_org = OrganisationFactory(short_name="Myria-e2e", kind="partner")
    exchange = ExchangeMeeting.objects.create(
        date=datetime.date(2026, 2, 3),
        notes="Réunion d'échange sur les soins médicaux dans les centres fermés.",
    )
    exchange.organisations.add(coalition_org, partner_org)
    exchange.themes.add(theme)
    exchange.points.add(point)
    return {
        "coordinator": coordinator,
        "visitor": visitor,
        "report": report,
        "point": point,
        "exchange": exchange,
    }


def send_empty_form(page):
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()


def untick_and_send(page):
    for box in page.locator("main form input[type=checkbox]:checked").all():
        box.uncheck()
    send_empty_form(page)


def pages(records):
    point, exchange, report = records["point"], records["exchange"], records["report"]
    return [
        ("point list", reverse("advocacy:point-list") + "?status=still_open", None),
        ("point detail", reverse("advocacy:point-detail", args=[point.key]), None),
        ("point form", reverse("advocacy:point-create"), None),
        ("point form with errors", reverse("advocacy:point-create"), send_empty_form),
        ("point edit", reverse("advocacy:point-update", args=[point.key]), None),
        ("point raise", reverse("advocacy:point-raise", args=[report.code]), None),
        (
            "point raise with errors",
            reverse("advocacy:point-raise", args=[report.code]),
            untick_and_send,
        ),
        ("report with its panel", reverse("visits:report-detail", args=[report.code]), None),
        ("exchange list", reverse("advocacy:exchange-list"), None),
        ("exchange detail", reverse("advocacy:exchange-detail", args=[exchange.key]), None),
        ("exchange form", reverse("advocacy:exchange-create"), None),
        ("exchange form with errors", reverse("advocacy:exchange-create"), send_empty_form),
        ("exchange edit", reverse("advocacy:exchange-update", args=[exchange.key]), None),
    ]


def test_point_and_exchange_pages_are_accessible_and_fit_a_phone(page, signed_in, records):
    signed_in(records["coordinator"])
    problems = []
    for name, url, action in pages(records):
        page.set_viewport_size(DESKTOP)
        response = page.goto(url)
        assert response.status == 200, f"{name}: HTTP {response.status}"
        if action:
            action(page)
            assert page.locator(".error-summary").count() == 1, name
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            problems += axe_violations(page, f"{name} at {viewport['width']} px")
            if folder := os.environ.get("MOVE_E2E_SCREENSHOTS"):
                shot = Path(folder) / f"{name.replace(' ', '-')}-{viewport['width']}.png"
                page.screenshot(path=str(shot), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name} is {width} px wide on a 360 px phone")
    assert not problems, "\n\n".join(problems)


def test_a_visitor_raises_a_flagged_observation_from_the_report_page(page, signed_in, records):
    signed_in(records["visitor"])
    page.goto(reverse("visits:report-detail", args=[records["report"].code]))
    page.get_by_role("link", name="Raise observation 1 as a point of attention").click()
    assert page.get_by_label("Title of the new point").input_value() == "Care"
    page.get_by_label("Title of the new point").fill("Médecin le week-end à 127bis")
    page.get_by_role("button", name="Raise the observations").click()
    page.wait_for_load_state()
    made = PointOfAttention.objects.get(title="Médecin le week-end à 127bis")
    assert page.get_by_role("heading", level=1).inner_text() == f"{made.code} — {made.title}"
    assert made.observations.count() == 1
