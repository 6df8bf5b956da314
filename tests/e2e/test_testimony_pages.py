"""The pages of the testimonies and their uses in a browser: axe-core finds nothing at
1280 and 360 px, and nothing scrolls sideways on a phone (issue 12). Advocacy records a
use refused by the consent, then one allowed, and never sees the witness's name.

MOVE_E2E_SCREENSHOTS=/some/dir keeps a full-page screenshot of each page checked."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Consent, Testimony, Use, Witness
from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
DAY = datetime.timedelta(days=1)
NAME = "Mariam Hiddenname"


@pytest.fixture
def pool(e2e_db):
    today = timezone.localdate()
    witness = Witness.objects.create(
        relation="former_detainee", name=NAME, contact="+32 470 99 88 77", languages="fr ar"
    )
    Consent.objects.create(
        witness=witness,
        scopes="website press partners",
        anonymity="first_name",
        given_on=today - 200 * DAY,
        expires_on=today + 530 * DAY,
        how="oral",
        statement="Agreed at the volunteer's office.",
    )
    testimony = Testimony.objects.create(
        witness=witness,
        title="Quatre mois au centre fermé de Vottem, puis une libération sans explication",
        text="On m'a arrêtée un matin à la commune.\nJe ne comprenais pas la procédure.",
        language="fr",
        recorded_on=today - 150 * DAY,
        approved_on=today - 140 * DAY,
        scopes="website press partners",
    )
    Use.objects.create(
        testimony=testimony,
        publication="PICUM — Booklet on detention in Europe, chapter on Belgium",
        used_on=today - 100 * DAY,
        scope="partners",
        anonymity="first_name",
        link="https://example.org/a-very-long-address/booklet-on-detention-in-europe-2026.pdf",
    )
    withdrew = Witness.objects.create(relation="relative", withdrawn_on=today - 2 * DAY)
    gone = Testimony.objects.create(
        witness=withdrew,
        title="Mon frère à Merksplas",
        text="Withdrawn.",
        language="nl",
        recorded_on=today - 300 * DAY,
        approved_on=today - 300 * DAY,
        scopes="video",
    )
    Use.objects.create(
        testimony=gone,
        publication="Video for the coalition's campaign",
        used_on=today - 250 * DAY,
        scope="video",
        anonymity="anonymous",
        status="to_take_down",
    )
    return witness, testimony


def send_empty_form(page):
    page.locator("main form.form input[type=date]").first.fill("")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()


def refused_use(page):
    page.get_by_label("Where").fill("La Libre Belgique")
    page.get_by_label("Anonymity").select_option("named")
    page.get_by_role("button", name="Record the use").click()
    page.wait_for_load_state()


def check(page, pages):
    problems = []
    for name, url, action in pages:
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
        assert NAME not in page.content(), f"{name} shows the witness's name"
    return problems


def test_testimony_and_use_pages_are_accessible_and_fit_a_phone(page, make_user, signed_in, pool):
    witness, testimony = pool
    signed_in(make_user(Role.WITNESS_POOL, email="pool@e2e.example.org"))
    pages = [
        ("testimony list", reverse("advocacy:testimony-list"), None),
        ("testimony list filtered", reverse("advocacy:testimony-list") + "?scope=press", None),
        ("testimony detail", reverse("advocacy:testimony-detail", args=[testimony.key]), None),
        ("testimony form", reverse("advocacy:testimony-add", args=[witness.key]), None),
        (
            "testimony form with errors",
            reverse("advocacy:testimony-add", args=[witness.key]),
            send_empty_form,
        ),
        ("use list", reverse("advocacy:use-list"), None),
        ("use form", reverse("advocacy:use-add", args=[testimony.key]), None),
        (
            "use form with errors",
            reverse("advocacy:use-add", args=[testimony.key]),
            send_empty_form,
        ),
        ("use form refused", reverse("advocacy:use-add", args=[testimony.key]), refused_use),
    ]
    problems = check(page, pages)
    assert not problems, "\n\n".join(problems)


def test_advocacy_records_a_use_within_the_consent_and_takes_one_down(
    page, make_user, signed_in, pool
):
    _witness, testimony = pool
    signed_in(make_user(Role.ADVOCACY, email="advocacy@e2e.example.org"))
    problems = check(
        page,
        [
            ("advocacy testimony list", reverse("advocacy:testimony-list"), None),
            (
                "advocacy testimony detail",
                reverse("advocacy:testimony-detail", args=[testimony.key]),
                None,
            ),
            ("advocacy use list", reverse("advocacy:use-list"), None),
        ],
    )
    assert not problems, "\n\n".join(problems)
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("advocacy:testimony-detail", args=[testimony.key]))
    page.get_by_role("link", name="Record a use").click()
    refused_use(page)
    assert "Named use: the consent allows first name only." in page.content()
    assert Use.objects.count() == 2
    page.get_by_label("Anonymity").select_option("anonymous")
    page.get_by_label("Scope").select_option("press")
    page.get_by_role("button", name="Record the use").click()
    page.wait_for_load_state()
    assert "recorded" in page.content()
    assert Use.objects.filter(publication="La Libre Belgique", anonymity="anonymous").exists()
    page.goto(reverse("advocacy:use-list"))
    first_row = page.locator("main tbody tr").first
    assert "To take down" in first_row.inner_text()
    first_row.get_by_role("button").click()
    page.wait_for_load_state()
    assert "marked as taken down" in page.content()
    assert Use.objects.filter(status="taken_down").count() == 1
    assert NAME not in page.content()
