"""The weekly coverage grid in the browser (issue 9 §6): the current week is in view
without scrolling sideways at 1280 px, the grid is usable on a 360 px phone (one
centre a block, the page never wider than the screen), and axe finds nothing.

MOVE_E2E_SCREENSHOTS=/some/dir keeps a screenshot of each width."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from move.accounts.permissions import Role
from tests.e2e.conftest import assert_no_axe_violations
from tests.factories import CentreFactory
from visits.models import Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# The longest names of the demo's centres, so that the names column is as wide as it gets.
NAMES = [
    "Centre fermé pour femmes de Holsbeek (CIH)",
    "Centre de rapatriement 127bis",
    "Centre de transit Caricole",
    "Centre fermé de Merksplas (CIM)",
    "Maisons de retour de Sint-Gillis-Waas",
    "Unités familiales du 127bis",
]


@pytest.fixture
def grid(e2e_db, make_user, signed_in):
    """Six centres visited almost every week of the last months, visits planned ahead."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    for number, name in enumerate(NAMES):
        centre = CentreFactory(name_fr=name, name_nl=name)
        for week in range(-30, 5):
            if week and (week + number) % 7 == 0:
                continue  # a gap now and then
            day = monday + timedelta(weeks=week, days=number % 5)
            if week == 0:
                day = monday
            Visit.objects.create(
                centre=centre, date=day, status="done" if day <= today else "planned"
            )
    signed_in(make_user(Role.COORDINATOR))


def screenshot(page, name):
    folder = os.environ.get("MOVE_E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)


def horizontal(page, selector) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    return box["x"], box["x"] + box["width"]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_current_week_is_in_view_on_a_desktop_without_scrolling(page, grid):
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("visits:coverage"))

    left, right = horizontal(page, "th.now")
    assert left >= 0 and right <= DESKTOP["width"]
    assert page_width(page) <= DESKTOP["width"]
    wrap = page.locator(".coverage-wrap")
    assert wrap.evaluate("box => box.scrollWidth <= box.clientWidth")  # nothing to scroll
    assert page.locator("td.cell.now").count() == len(NAMES)
    assert page.locator("td.cell.now.done").count() == len(NAMES)
    assert_no_axe_violations(page, "coverage at 1280 px")
    screenshot(page, "coverage-1280")


def test_the_grid_is_usable_on_a_phone(page, grid):
    page.set_viewport_size(PHONE)
    page.goto(reverse("visits:coverage"))

    assert page_width(page) <= PHONE["width"]
    left, right = horizontal(page, "th.now")
    assert left >= 0 and right <= PHONE["width"]
    # One centre a block: every centre's cells of this week are on the screen, under the
    # week's number.
    for cell in page.locator("td.cell.now").all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert abs(box["x"] - left) < 2
    name = page.locator("tbody th[scope=row]").first.bounding_box()
    assert name["width"] > PHONE["width"] / 2  # the name on its own line
    assert_no_axe_violations(page, "coverage at 360 px")
    screenshot(page, "coverage-360")


def test_a_whole_year_scrolls_to_the_current_week(page, grid):
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("visits:coverage") + f"?year={timezone.localdate().isocalendar().year}")

    wrap = page.locator(".coverage-wrap").bounding_box()
    left, right = horizontal(page, "th.now")
    assert wrap["x"] <= left and right <= wrap["x"] + wrap["width"]
    assert page_width(page) <= DESKTOP["width"]
    assert_no_axe_violations(page, "coverage of a year at 1280 px")
    screenshot(page, "coverage-year-1280")


def test_earlier_weeks_and_back_to_this_week(page, grid):
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("visits:coverage"))

    page.get_by_role("link", name="Earlier weeks").click()
    assert page.locator("th.now").count() == 0
    page.get_by_role("link", name="This week").click()
    assert page.locator("th.now").count() == 1
