"""axe-core finds nothing on the pages people use, on a desktop and on a 360 px phone,
where the page must not scroll sideways; the stylesheet loads and the
Content-Security-Policy is respected (nothing logged to the console).

One test per persona, visiting all its pages: each test flushes the database (the live
server needs committed rows), which is what makes browser tests slow.

MOVE_E2E_SCREENSHOTS=/some/dir keeps a full-page screenshot of each page checked."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations
from tests.factories import CentreFactory, CentreYearFactory
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
BRAND = "rgb(29, 79, 115)"  # --brand in static/css/move.css


@pytest.fixture
def records(coalition_org, make_user):
    """Enough data for the pages to show their tables, links and buttons."""
    make_user(Role.VISITOR, email="a-visitor-with-a-rather-long-address@e2e.example.org")
    centre = CentreYearFactory(
        centre__name_fr="Centre de rapatriement 127bis",
        centre__name_nl="Repatriëringscentrum 127bis",
        centre__town="Steenokkerzeel",
    ).centre
    CentreYearFactory(centre=centre, year=2023, people_detained=None, people_detained_source="")
    CentreFactory(name_fr="Centre fermé", name_nl="Gesloten centrum", active=False)
    visitor = make_user(Role.VISITOR, email="planner@e2e.example.org")
    visit = Visit.objects.create(centre=centre, date=timezone.localdate())
    visit.visitors.add(visitor)
    report = VisitReport.objects.create(
        visit=visit,
        organisation=coalition_org,
        language="nl",
        status="submitted",
        general_conditions="Rustige dag.",
        people_met=3,
    )
    report.authors.add(visitor)
    theme = Theme.objects.create(code="isolation", name_fr="Isolement", name_nl="Isolatie")
    Observation.objects.create(
        report=report,
        theme=theme,
        centre=centre,
        text="Isolatie verlengd.",
        raise_with_authorities=True,
    )
    return {"organisation": coalition_org, "centre": centre, "report": report}


def send_empty_form(page):
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("alert")).to_be_visible()


# persona → [(page name, URL, what to do on the page before checking it)]
PAGES = {
    "anonymous": [("login", lambda records: reverse("account_login"), None)],
    Role.VISITOR: [
        ("home", lambda records: reverse("home"), None),
        ("visit list", lambda records: reverse("visits:visit-list"), None),
        ("visit form", lambda records: reverse("visits:visit-create"), None),
        ("coverage", lambda records: reverse("visits:coverage"), None),
    ],
    Role.COORDINATOR: [
        ("home", lambda records: reverse("home"), None),
        ("centre list", lambda records: reverse("centres:centre-list"), None),
        (
            "centre detail",
            lambda records: reverse("centres:centre-detail", args=[records["centre"].code]),
            None,
        ),
        ("organisation list", lambda records: reverse("accounts:organisation-list"), None),
        (
            "organisation detail",
            lambda records: reverse(
                "accounts:organisation-detail", args=[records["organisation"].code]
            ),
            None,
        ),
        ("invitation form", lambda records: reverse("accounts:invitation-create"), None),
        ("access changes", lambda records: reverse("accounts:accesschange-list"), None),
        ("access log", lambda records: reverse("privacy:accesslog-list"), None),
        ("report list", lambda records: reverse("visits:report-list"), None),
        (
            "report detail",
            lambda records: reverse("visits:report-detail", args=[records["report"].code]),
            None,
        ),
        (
            "invitation form with errors",
            lambda records: reverse("accounts:invitation-create"),
            send_empty_form,
        ),
    ],
}


@pytest.mark.parametrize("persona", PAGES)
def test_pages_are_accessible_and_readable_on_a_phone(page, make_user, signed_in, records, persona):
    if persona != "anonymous":
        signed_in(make_user(persona, email=f"{persona}.reader@e2e.example.org", first_name="Robin"))
    console = console_errors(page)
    problems = []
    for name, url, action in PAGES[persona]:
        page.set_viewport_size(DESKTOP)
        response = page.goto(url(records))
        assert response.status == 200, f"{name}: HTTP {response.status}"
        assert_styled(page)
        if action:
            action(page)
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            where = f"{name} ({persona}) at {viewport['width']} px"
            problems += axe_violations(page, where)
            screenshot(page, f"{persona}-{name}", viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name} ({persona}) is {width} px wide on a 360 px phone")
    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


# A form with errors answers 400 on purpose; Chromium logs it.
EXPECTED_ERRORS = ("the server responded with a status of 400",)


def console_errors(page) -> list[str]:
    """Errors logged by the page from now on: CSP violations appear here."""
    errors = []

    def collect(message):
        if message.type == "error" and not any(e in message.text for e in EXPECTED_ERRORS):
            errors.append(message.text)

    page.on("console", collect)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def assert_styled(page):
    expect(page.locator(".site-header")).to_have_css("background-color", BRAND)
    expect(page.get_by_role("link", name="Skip to content")).not_to_be_in_viewport()


def screenshot(page, name, viewport):
    folder = os.environ.get("MOVE_E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = Path(folder) / f"{name.replace(' ', '-')}-{viewport['width']}.png"
        page.screenshot(path=path, full_page=True)
