"""The figures' dashboard in the browser (issue 13): the coordinator and a partner open
the figures of 2022 on a desktop and on a 360 px phone; the key figures are in view, the
charts drawn, axe-core finds nothing, the page does not scroll sideways and the browser
logs no error (the charts' SVG keeps to the Content-Security-Policy: no inline style).

A few records made here (three people met in one adult centre, twelve in another) give
a small number to suppress for the partner; the figures are the real yearly.figures."""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from detainees import services
from detainees.models import Accompaniment
from move.accounts.permissions import Role
from move.centres.models import Centre
from tests.detainees.conftest import new_person
from tests.e2e.conftest import axe_violations
from tests.e2e.test_accessibility import assert_styled, console_errors, screenshot
from tests.factories import CentreFactory, CentreYearFactory
from visits.models import Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
YEAR = 2022


@pytest.fixture
def records(make_user, coalition_org):
    visitor = make_user(Role.VISITOR, email="vera@e2e.example.org")
    for code, name, people, day in (
        ("bruges", "Centre fermé pour illégaux de Bruges", 3, date(YEAR, 3, 10)),
        ("merksplas", "Centre fermé de Merksplas", 12, date(YEAR, 5, 12)),
    ):
        centre = CentreFactory(code=code, name_fr=name, kind=Centre.Kind.ADULT_CENTRE)
        CentreYearFactory(centre=centre, year=YEAR, people_detained=700)
        visit = Visit.objects.create(centre=centre, date=day, status=Visit.Status.DONE)
        visit.visitors.add(visitor)
        for number in range(people):
            person = new_person(visitor, coalition_org, name=(f"Given{code}{number}", "Surname"))
            services.record_accompaniment(visitor, person, Accompaniment(visit=visit))


def dashboard(**query) -> str:
    url = reverse("figures:dashboard", kwargs={"year": YEAR})
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def looked_at(page, name: str, url: str) -> list[str]:
    """The page opened at 1280 px, then checked there and at 360 px."""
    problems = []
    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    assert response.status == 200, f"{name}: HTTP {response.status}"
    assert_styled(page)
    key_figures = page.get_by_role("table", name=re.compile(f"^Key figures of (Q[1-4] )?{YEAR}"))
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        expect(key_figures).to_be_visible()
        expect(page.locator("svg.chart[role=img]").first).to_be_visible()
        problems += axe_violations(page, f"{name} at {viewport['width']} px")
        screenshot(page, f"figures-{name}", viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(f"{name} is {width} px wide at {viewport['width']} px")
    return problems


def test_the_coordinator_reads_the_dashboard_on_a_desktop_and_on_a_phone(
    page, make_user, signed_in, records
):
    signed_in(make_user(Role.COORDINATOR, email="cora@e2e.example.org"))
    console = console_errors(page)
    problems = looked_at(page, "coordinator", dashboard())
    people = page.get_by_role("row", name=re.compile("People accompanied in the closed centres"))
    expect(people.first).to_contain_text("15")
    expect(page.get_by_role("link", name="Figures", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_label("The key figures in French")).to_have_value(re.compile("15"))
    expect(
        page.get_by_role("heading", level=2, name="Each organisation's contribution")
    ).to_be_visible()
    problems += looked_at(page, "coordinator-quarter", dashboard(quarter=2, compare=2021))
    expect(page.get_by_role("heading", level=1)).to_contain_text("quarter 2")
    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


def test_a_partner_reads_the_published_dashboard_on_a_desktop_and_on_a_phone(
    page, make_user, signed_in, records
):
    signed_in(make_user(Role.PARTNER, email="pat@e2e.example.org"))
    console = console_errors(page)
    problems = looked_at(page, "partner", dashboard())
    expect(page.get_by_text("These are the published figures.")).to_be_visible()
    expect(
        page.get_by_role("heading", level=2, name="Each organisation's contribution")
    ).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"
