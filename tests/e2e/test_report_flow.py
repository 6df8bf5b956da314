"""A report from the visit to its partners, in the browser: a visitor plans a visit,
writes the report in Dutch (autosave, two observations, a reload mid-typing), is stopped
by the personal-data check, fixes the text and submits; a coordinator shares it with
Myria, whose member reads it without the visitors' names and never sees a draft.

Every page on the way is checked with axe-core on a desktop and on a 360 px phone
(where it must not scroll sideways), and nothing may be logged to the console (the
Content-Security-Policy allows no inline script or style)."""

import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations
from tests.factories import CentreFactory
from visits.models import Theme, Visit, VisitReport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# After a reload, the editor first asks the server whether the copy it kept was saved
# (4 × 500 ms) and only then saves it: 10 s was once too short on a loaded CI machine.
RESTORED_SAVE = 20_000
SAVE = 10_000  # ms: the editor saves every 3 s; a scan and a save on a slow machine
PHONE_NUMBER = "0470 12 34 56"
TEXT = re.compile(r"^Observation\b")  # the text of an observation, inside its fieldset
# Answers the browser logs as errors although they are expected: the partner's look at
# a draft (404), a save refused (409).
EXPECTED_ERRORS = ("status of 409", "status of 404")
# Without a connection the browser and htmx say that the save could not be sent.
OFFLINE_ERRORS = ("net::ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest")


@pytest.fixture
def themes(e2e_db):
    return [
        Theme.objects.create(code="other", name_fr="Autre", name_nl="Andere", position=9),
        Theme.objects.create(code="isolation", name_fr="Isolement", name_nl="Isolatie"),
        Theme.objects.create(code="medical", name_fr="Soins médicaux", name_nl="Medische zorg"),
    ]


@pytest.fixture
def centre(e2e_db):
    return CentreFactory(name_fr="Centre fermé de Vottem", name_nl="Gesloten centrum Vottem")


@pytest.fixture
def visitor(make_user):
    return make_user(
        Role.VISITOR, first_name="Vera", last_name="Verbruggen", email="vera@e2e.example.org"
    )


def test_a_visitor_writes_a_report_that_a_coordinator_shares_with_a_partner(
    page, context, signed_in, make_user, coalition_org, visitor, centre, themes
):
    coordinator = make_user(Role.COORDINATOR, email="coordinator@e2e.example.org")
    partner = make_user(Role.PARTNER, email="partner@e2e.example.org")
    console = console_errors(page)
    problems = []

    # 1. Plan the visit, then start its report from the visit list, in Dutch.
    signed_in(visitor)
    page.goto(reverse("visits:visit-create"))
    page.get_by_label("Centre").select_option(label=centre.name_fr)
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Vera Verbruggen").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Visit saved.")).to_be_visible()
    page.get_by_role("link", name="Write the report").click()
    expect(page.get_by_role("heading", name=re.compile("Report of the visit to"))).to_be_visible()
    problems += check(page, "report start")
    page.get_by_label("Language of the report").select_option(label="Nederlands")
    page.get_by_role("button", name="Start writing").click()
    expect(page).to_have_url(re.compile(r"/visits/reports/[0-9a-f-]{36}/edit/$"))
    report = VisitReport.objects.get(visit__centre=centre)
    assert report.language == "nl"

    # 2. The general conditions and two observations.
    status = page.locator("#save-status")
    page.get_by_label("General conditions").fill("Rustige dag, de bezoekzaal was open.")
    first = add_observation(page, 1)
    first.get_by_label("Theme").select_option(label="Isolement")
    first.get_by_label(TEXT).fill("Isolatie verlengd zonder uitleg.")
    second = add_observation(page, 2)
    # What was typed in the first observation survived the swap of the whole form.
    expect(first.get_by_label(TEXT)).to_have_value("Isolatie verlengd zonder uitleg.")
    second.get_by_label("Theme").select_option(label="Soins médicaux")
    second.get_by_label(TEXT).fill("Geen arts sinds drie dagen.")
    # A third one, added by mistake, is removed (after a confirmation).
    add_observation(page, 3)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove observation 3").click()
    expect(page.get_by_role("group", name=re.compile(r"^Observation \d$"))).to_have_count(2)
    expect(page.locator("#report-form")).to_have_count(1)
    expect(second.get_by_label(TEXT)).to_have_value("Geen arts sinds drie dagen.")

    # 3. Reloading right after typing loses nothing (beacon, else the browser's copy).
    typed = "Geen arts sinds drie dagen; de verpleger komt morgen."
    second.get_by_label(TEXT).fill(typed)
    page.reload()
    expect(second.get_by_label(TEXT)).to_have_value(typed)
    expect(page.locator(".conflict")).to_have_count(0)

    # 4. A phone number is found after the autosave, marked beside its field.
    first.get_by_label(TEXT).fill(f"Zijn broer: {PHONE_NUMBER}")
    expect(first.locator(".findings mark")).to_have_text(PHONE_NUMBER, timeout=SAVE)
    expect(status).to_contain_text("Saved at")
    expect(status).not_to_have_attribute("data-state", "conflict")
    problems += check(page, "editor with a finding")
    screenshots(page, "editor")
    page.get_by_role("button", name="Submit the report").click()
    # Refused: back on the editor (not left on /submit/), said once, nothing lost.
    expect(page).to_have_url(re.compile(rf"/visits/reports/{report.code}/edit/$"))
    expect(page.locator(".messages")).to_contain_text("personal data remain")
    expect(page.get_by_text(re.compile("personal data remain"))).to_have_count(1)
    expect(first.get_by_label(TEXT)).to_have_value(f"Zijn broer: {PHONE_NUMBER}")
    report.refresh_from_db()
    assert report.status == VisitReport.Status.DRAFT
    first.get_by_label(TEXT).fill("Zijn broer kwam op bezoek.")
    # With the keyboard: leaving the field sends a save, the submission waits for it.
    page.get_by_role("button", name="Submit the report").press("Enter")
    expect(page).to_have_url(re.compile(rf"/visits/reports/{report.code}/$"))
    expect(page.locator("dl.facts")).to_contain_text("Submitted")
    expect(page.get_by_text("Zijn broer kwam op bezoek.")).to_be_visible()
    expect(page.get_by_text(typed)).to_be_visible()
    problems += check(page, "report detail (author)")

    # 5. A coordinator shares it with the partner organisation.
    context.clear_cookies()
    signed_in(coordinator)
    page.goto(reverse("visits:report-detail", args=[report.code]))
    page.get_by_role("link", name="Share with partners").click()
    myria_name = partner.memberships.get().organisation.name_fr
    myria = page.get_by_label(myria_name)
    expect(myria).not_to_be_checked()  # nothing is shared by default
    problems += check(page, "share form")
    myria.check()
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text("Report shared.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Shared with partners")
    expect(page.locator(".shares")).to_contain_text(f"{myria_name}, since")
    problems += check(page, "report detail (coordinator)")
    page.get_by_role("link", name="History of changes").click()
    expect(page.get_by_role("heading", name=re.compile("History of the report"))).to_be_visible()
    problems += check(page, "report history")

    # 6. The partner reads it without the visitors' names, and never sees a draft.
    other_visit = Visit.objects.create(
        centre=centre, date=timezone.localdate() - timedelta(days=7), status="done"
    )
    other_visit.visitors.add(visitor)
    draft = VisitReport.objects.create(visit=other_visit, organisation=coalition_org, language="nl")
    draft.authors.add(visitor)
    context.clear_cookies()
    signed_in(partner)
    response = page.goto(reverse("visits:report-detail", args=[report.code]))
    assert response.status == 200
    expect(page.get_by_text("Rustige dag, de bezoekzaal was open.")).to_be_visible()
    for name in ("Vera", "Verbruggen", visitor.email):
        expect(page.locator("body")).not_to_contain_text(name)
    problems += check(page, "report detail (partner)")
    for name in ("visits:report-detail", "visits:report-update"):
        response = page.goto(reverse(name, args=[draft.code]))
        assert response.status == 404, f"{name} of a draft: HTTP {response.status}"

    # 7. The coordinator stops sharing with Myria: its member loses the report at once.
    context.clear_cookies()
    signed_in(coordinator)
    page.goto(reverse("visits:report-share", args=[report.code]))
    page.get_by_role("button", name=re.compile("^Stop sharing with")).click()
    expect(page.get_by_text("no longer reads this report")).to_be_visible()
    problems += check(page, "share page after a revocation")
    context.clear_cookies()
    signed_in(partner)
    response = page.goto(reverse("visits:report-detail", args=[report.code]))
    assert response.status == 404, f"a revoked share still reads: HTTP {response.status}"

    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


def test_unsaved_text_comes_back_and_no_save_is_lost_or_overwritten(
    page, context, signed_in, make_user, coalition_org, visitor, centre, themes
):
    visit = Visit.objects.create(
        centre=centre, date=timezone.localdate() - timedelta(days=1), status="done"
    )
    visit.visitors.add(visitor)
    report = VisitReport.objects.create(visit=visit, organisation=coalition_org, language="nl")
    report.authors.add(visitor)
    colleague = make_user(Role.VISITOR, email="colleague@e2e.example.org")
    console = console_errors(page, OFFLINE_ERRORS)
    problems = []
    signed_in(visitor)
    editor = reverse("visits:report-update", args=[report.code])

    # The connection drops: the text stays in this browser and comes back on the next visit.
    page.goto(editor)
    status = page.locator("#save-status")
    context.set_offline(True)
    page.get_by_label("General conditions").fill("Getypt zonder verbinding.")
    expect(status).to_contain_text("no connection", timeout=SAVE)
    page.close()  # the beacon cannot leave either
    context.set_offline(False)
    page = context.new_page()
    console_errors(page, into=console)
    page.goto(editor)
    status = page.locator("#save-status")
    expect(page.get_by_label("General conditions")).to_have_value("Getypt zonder verbinding.")
    # Either the browser sent the beacon once back online (the page then finds the text on
    # the server and sends nothing more) or the restored text is saved again: both end saved.
    # The page's first "Saved." is the server's, written before the page looked at its copy:
    # wait for the server to hold the text, then for the page to say so.
    for _ in range(RESTORED_SAVE // 250):
        report.refresh_from_db()
        if report.general_conditions == "Getypt zonder verbinding.":
            break
        page.wait_for_timeout(250)
    assert report.general_conditions == "Getypt zonder verbinding."
    expect(status).to_contain_text(re.compile(r"^\s*Saved( at [0-9:]+)?\.\s*$"), timeout=SAVE)
    expect(status).to_have_attribute("data-state", re.compile("^(saved|idle)$"))

    # Someone else saves meanwhile: nothing is overwritten, both versions are shown.
    VisitReport.objects.filter(pk=report.pk).update(
        version=F("version") + 1,
        general_conditions="De versie van een collega.",
        last_saved_by=colleague,
    )
    page.get_by_label("General conditions").fill("Mijn versie.")
    conflict = page.get_by_role("region", name="Two versions of this report")
    expect(conflict).to_be_visible(timeout=SAVE)
    expect(conflict).to_contain_text("De versie van een collega.")
    expect(conflict).to_contain_text("Mijn versie.")
    expect(status).to_have_attribute("data-state", "conflict")
    problems += check(page, "editor with a conflict")
    screenshots(page, "editor-conflict")
    report.refresh_from_db()
    assert report.general_conditions == "De versie van een collega."
    page.get_by_role("button", name="Keep my version").click()
    expect(page.get_by_text("Report saved.")).to_be_visible()
    expect(page.get_by_label("General conditions")).to_have_value("Mijn versie.")

    # Submitted right after typing: the text is saved, the submission refused, and
    # the page goes on saving from the version it just saved (no conflict with itself).
    page.get_by_label("General conditions").fill(f"Bel {PHONE_NUMBER}.")
    page.get_by_role("button", name="Submit the report").click()
    expect(page).to_have_url(re.compile(rf"/visits/reports/{report.code}/edit/$"))
    expect(page.locator(".messages")).to_contain_text("personal data")
    expect(page.get_by_label("General conditions")).to_have_value(f"Bel {PHONE_NUMBER}.")
    page.get_by_label("General conditions").fill("Bel de advocaat.")
    expect(status).to_contain_text("Saved at", timeout=SAVE)
    expect(status).to_have_attribute("data-state", "saved")
    report.refresh_from_db()
    assert (report.general_conditions, report.status) == ("Bel de advocaat.", "draft")

    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


def add_observation(page, number: int):
    page.get_by_role("button", name="Add an observation").click()
    observation = page.get_by_role("group", name=f"Observation {number}", exact=True)
    expect(observation).to_be_visible()
    return observation


def check(page, name: str) -> list[str]:
    """axe-core on a desktop and on a phone, where the page must not scroll sideways."""
    problems = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        problems += axe_violations(page, f"{name} at {viewport['width']} px")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{name} is {width} px wide on a 360 px phone")
    page.set_viewport_size(DESKTOP)
    return problems


def screenshots(page, name: str) -> None:
    """Kept for a person to look at: /tmp/<name>-desktop.png and /tmp/<name>-phone.png."""
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.evaluate("window.scrollTo(0, 0)")  # the sticky save status in its place
        page.screenshot(path=f"/tmp/{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def console_errors(page, expected=(), into=None) -> list[str]:
    """Errors logged by the page from now on (CSP violations appear here), added to
    `into` if given: one list for the pages of a test."""
    errors = [] if into is None else into
    expected = (*EXPECTED_ERRORS, *expected)

    def collect(message):
        if message.type == "error" and not any(e in message.text for e in expected):
            errors.append(message.text)

    page.on("console", collect)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
