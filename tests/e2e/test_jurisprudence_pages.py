"""The jurisprudence and strategic-litigation pages in a browser: axe-core finds nothing
at 1280 and at 360 px, the page does not scroll sideways on a phone, nothing is logged
to the console (the Content-Security-Policy holds), the district shows only for the
chambers that have one."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from legal import services as help_desk_services
from legal.models import Decision, Hearing, LitigationCase, Topic
from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
EXPECTED_ERRORS = ("the server responded with a status of 400",)


@pytest.fixture
def library(make_user):
    theme_model = __import__("visits.models", fromlist=["Theme"]).Theme
    theme = theme_model.objects.create(
        code="children", name_fr="Enfants en détention", name_nl="Kinderen in detentie"
    )
    draft = Decision.objects.create(
        court="council_chamber",
        district="Bruxelles",
        date=datetime.date(2023, 2, 14),
        reference="RK/2023/1234",
        ecli="ECLI:BE:RKBRU:2023:BESCH.20230214.1",
        outcome="favourable",
        title_fr="Mise en liberté d'une mère et de ses trois enfants après un maintien prolongé",
        summary_fr=(
            "La chambre du conseil ordonne la libération. Le greffe est joignable au "
            "+32 2 508 65 11. Monsieur Karimov Abdullayev était représenté."
        ),
    )
    draft.themes.add(theme)
    published = Decision.objects.create(
        court="cce",
        date=datetime.date(2022, 6, 3),
        reference="n° 274 512",
        ecli="ECLI:BE:RVV:2022:ARR.274512",
        outcome="partly",
        title_fr="Interdiction d'entrée annulée",
        title_nl="Inreisverbod vernietigd",
        summary_fr="Le Conseil annule l'interdiction d'entrée faute de motivation.",
        summary_nl="De Raad vernietigt het inreisverbod wegens gebrek aan motivering.",
        status=Decision.Status.PUBLISHED,
        published_at=timezone.now(),
        public=True,
    )
    published.themes.add(theme)
    visitor = make_user(Role.VISITOR, email="visitor.reader@e2e.example.org")
    topic, _created = Topic.objects.get_or_create(
        code="detention",
        defaults={
            "name": "Detention",
            "name_en": "Detention",
            "name_fr": "La détention",
            "name_nl": "De detentie",
        },
    )
    help_request = help_desk_services.ask(
        visitor,
        topic=topic,
        subject="Famille au 127bis",
        question="Peut-on intervenir ?",
        language="fr",
    )
    case = LitigationCase.objects.create(
        title="Children held at the 127bis repatriation centre (third-party intervention)",
        court="ecthr",
        reference="no. 21724/23",
        our_role="intervention",
        status="pending",
        parties="M.H. and Others v. Belgium",
        summary="The coalition intervenes on the detention of children.",
    )
    case.decisions.add(draft, published)
    case.help_requests.add(help_request)
    Hearing.objects.create(
        case=case,
        starts_at=timezone.now() - datetime.timedelta(days=200),
        place="Strasbourg",
        note="Written observations filed.",
    )
    hearing = Hearing.objects.create(
        case=case, starts_at=timezone.now() + datetime.timedelta(days=20), place="Grand Chamber"
    )
    LitigationCase.objects.create(
        title="Students wrongly detained", court="council_chamber", our_role="support"
    )
    return {"draft": draft, "published": published, "case": case, "hearing": hearing}


def key_url(name, obj):
    return reverse(name, kwargs={"key": obj.key})


def send_empty(page):
    page.locator("main form.form button[type=submit]").last.click()
    page.wait_for_load_state()


LEGAL_PAGES = [
    ("decision list", lambda r: reverse("legal:decision-list"), None),
    (
        "decision list searched",
        lambda r: reverse("legal:decision-list") + "?q=enfants&year=2023",
        None,
    ),
    ("draft decision", lambda r: key_url("legal:decision-detail", r["draft"]), None),
    ("published decision", lambda r: key_url("legal:decision-detail", r["published"]), None),
    ("decision form", lambda r: reverse("legal:decision-create"), None),
    ("decision form with errors", lambda r: reverse("legal:decision-create"), send_empty),
    ("decision edit", lambda r: key_url("legal:decision-update", r["draft"]), None),
    ("case list", lambda r: reverse("legal:litigation-list"), None),
    ("case", lambda r: key_url("legal:litigation-detail", r["case"]), None),
    ("case form", lambda r: key_url("legal:litigation-update", r["case"]), None),
    ("hearing form", lambda r: key_url("legal:hearing-add", r["case"]), None),
    ("hearing form with errors", lambda r: key_url("legal:hearing-add", r["case"]), send_empty),
    ("hearing edit", lambda r: key_url("legal:hearing-update", r["hearing"]), None),
]
VISITOR_PAGES = [
    ("decision list", lambda r: reverse("legal:decision-list"), None),
    ("published decision", lambda r: key_url("legal:decision-detail", r["published"]), None),
    ("case list", lambda r: reverse("legal:litigation-list"), None),
    ("case", lambda r: key_url("legal:litigation-detail", r["case"]), None),
]


def console_errors(page) -> list[str]:
    errors = []

    def collect(message):
        if message.type == "error" and not any(e in message.text for e in EXPECTED_ERRORS):
            errors.append(message.text)

    page.on("console", collect)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def screenshot(page, name, viewport):
    """MOVE_E2E_SCREENSHOTS=/some/dir keeps a full-page screenshot of each page checked."""
    folder = os.environ.get("MOVE_E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = Path(folder) / f"{name.replace(' ', '-')}-{viewport['width']}.png"
        page.screenshot(path=str(path), full_page=True)


def check_pages(page, pages, records, who):
    console = console_errors(page)
    problems = []
    for name, url, action in pages:
        page.set_viewport_size(DESKTOP)
        response = page.goto(url(records))
        assert response.status == 200, f"{name}: HTTP {response.status}"
        if action:
            action(page)
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            problems += axe_violations(page, f"{name} ({who}) at {viewport['width']} px")
            screenshot(page, f"{who}-{name}", viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name} ({who}) is {width} px wide on a 360 px phone")
    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


def test_legal_pages_are_accessible_and_fit_a_phone(page, make_user, signed_in, library):
    signed_in(make_user(Role.LEGAL, email="legal.reader@e2e.example.org", first_name="Lena"))
    check_pages(page, LEGAL_PAGES, library, "legal")


def test_visitor_pages_are_accessible_and_fit_a_phone(page, make_user, signed_in, library):
    signed_in(make_user(Role.VISITOR, email="second.visitor@e2e.example.org"))
    check_pages(page, VISITOR_PAGES, library, "visitor")


def test_the_district_shows_only_for_the_chambers(page, make_user, signed_in, library):
    signed_in(make_user(Role.LEGAL, email="legal.writer@e2e.example.org"))
    page.goto(reverse("legal:decision-create"))
    district = page.locator("#id_district")
    page.select_option("#id_court", "cce")
    expect(district).to_be_hidden()
    page.select_option("#id_court", "council_chamber")
    expect(district).to_be_visible()
    page.select_option("#id_court", "indictment_chamber")
    expect(district).to_be_visible()


def test_legal_dismisses_a_finding_and_publishes(page, make_user, signed_in, library):
    signed_in(make_user(Role.LEGAL, email="legal.publisher@e2e.example.org"))
    draft = library["draft"]
    draft.title_nl = "Vrijlating van een moeder en haar drie kinderen"
    draft.summary_nl = "De raadkamer beveelt de vrijlating."
    draft.summary_fr = "La chambre du conseil ordonne la libération. Greffe : +32 2 508 65 11."
    draft.save()
    page.goto(key_url("legal:decision-detail", draft))
    page.get_by_role("button", name="Publish the decision").click()
    expect(page.locator(".messages")).to_contain_text("possible personal data")
    page.get_by_label("Why is this not personal data?").fill("The court's public switchboard.")
    page.get_by_role("button", name="Dismiss this finding").click()
    expect(page.locator(".messages")).to_contain_text("dismissed")
    page.get_by_role("button", name="Publish the decision").click()
    expect(page.locator(".messages")).to_contain_text("The decision is published.")
    draft.refresh_from_db()
    assert draft.status == Decision.Status.PUBLISHED
