"""axe-core finds nothing on the pages people use, on a desktop and on a 360 px phone,
where the page must not scroll sideways; the stylesheet loads and the
Content-Security-Policy is respected (nothing logged to the console).

One test per persona, visiting all its pages: each test flushes the database (the live
server needs committed rows), which is what makes browser tests slow.

MOVE_E2E_SCREENSHOTS=/some/dir keeps a full-page screenshot of each page checked."""

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from legal import services as help_desk_services
from legal.models import DeadlineRule, HelpRequest, Message, Topic
from move.accounts import permissions
from move.accounts.access_changes import acting
from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations
from tests.factories import CentreFactory, CentreYearFactory
from visits.models import Observation, Theme, Visit, VisitReport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
BRAND = "rgb(29, 79, 115)"  # --brand in static/css/move.css


@pytest.fixture
def records(coalition_org, make_user, help_desk):
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
    return {
        "organisation": coalition_org,
        "centre": centre,
        "report": report,
        "help": help_desk(visitor, visit),
    }


# The reference rows of legal's migration 0002 that the help desk's pages use: gone after
# the first browser test flushes the database, so created again when missing.
HELP_TOPICS = [
    (
        "detention",
        "Detention and its review",
        "La détention et son contrôle",
        "De detentie en de toetsing ervan",
    ),
    (
        "removal",
        "Removal and escort",
        "L'éloignement et l'escorte",
        "De verwijdering en de begeleiding",
    ),
    ("medical", "Medical care", "Soins médicaux", "Medische zorg"),
]
ALIENS_ACT = "Loi du 15 décembre 1980 / Wet van 15 december 1980"
HELP_RULES = [
    # code, days, hours, renewable every month, English, French, Dutch, article
    ("cce-appeal", 30, None, False, "Appeal to the Council for Alien Law Litigation",
     "Recours au Conseil du contentieux des étrangers",
     "Beroep bij de Raad voor Vreemdelingenbetwistingen", f"{ALIENS_ACT}, art. 39/57 §1, al. 1"),
    ("extreme-urgency-later", 5, None, False,
     "Extreme urgency: suspension of a later removal measure",
     "Extrême urgence : suspension d'une mesure d'éloignement ultérieure",
     "Uiterst dringende noodzakelijkheid: schorsing van een latere verwijderingsmaatregel",
     f"{ALIENS_ACT}, art. 39/57 §1, al. 3"),
    ("indictment-chamber-appeal", None, 24, False, "Appeal to the indictment chamber",
     "Appel devant la chambre des mises en accusation",
     "Hoger beroep bij de kamer van inbeschuldigingstelling", f"{ALIENS_ACT}, art. 72"),
    ("council-chamber-release", 30, None, True,
     "Request for release to the council chamber (renewable every month)",
     "Requête de mise en liberté à la chambre du conseil (renouvelable chaque mois)",
     "Verzoekschrift tot invrijheidstelling bij de raadkamer (elke maand te hernieuwen)",
     f"{ALIENS_ACT}, art. 71"),
]  # fmt: skip


def help_reference() -> tuple[list[Topic], dict[str, DeadlineRule]]:
    """The topics and rules of HELP_TOPICS and HELP_RULES, created when missing."""
    topics = [
        Topic.objects.get_or_create(
            code=code,
            defaults={"name": en, "name_en": en, "name_fr": fr, "name_nl": nl, "position": n},
        )[0]
        for n, (code, en, fr, nl) in enumerate(HELP_TOPICS)
    ]
    rules = {
        code: DeadlineRule.objects.get_or_create(
            code=code,
            defaults={
                "days": days,
                "hours": hours,
                "renewable_monthly": monthly,
                "name": en,
                "name_en": en,
                "name_fr": fr,
                "name_nl": nl,
                "source": source,
                "position": n,
            },
        )[0]
        for n, (code, days, hours, monthly, en, fr, nl, source) in enumerate(HELP_RULES)
    }
    return topics, rules


@pytest.fixture
def help_desk(make_user):
    """`help_desk(visitor, visit)` → a queue of four requests for the help desk's pages:
    one the visitor asked about a case file met on the visit, shared with her
    organisation, with three deadlines (passed, within 48 hours, monthly) and a thread
    with an internal note; a phone call whose first answer is overdue; an e-mail waiting
    for information; a closed request. The rules list has one rule changed (history)."""

    def make(visitor, visit):
        from tests.e2e.test_people_flow import new_person  # it imports this module

        topics, rules = help_reference()
        lawyer = make_user(
            Role.LEGAL, first_name="Lena", last_name="Lambert", email="lena@e2e.example.org"
        )
        person = new_person(visitor, visit)
        now = timezone.localtime()
        asked = help_desk_services.ask(
            visitor,
            topic=topics[1],
            subject="Second removal order after a refused flight",
            question="A new removal order was notified on 16 July. Can she still appeal?",
            language="en",
            person=person,
            centre=visit.centre,
            urgency=HelpRequest.Urgency.URGENT,
        )
        with acting(lawyer):
            permissions.share(asked, asked.organisation, "view_helprequest")
        add = help_desk_services.add_deadline
        add(lawyer, asked, rules["extreme-urgency-later"], date(2026, 7, 16))  # 22 July
        an_hour_ago = now - timedelta(hours=1)
        add(
            lawyer,
            asked,
            rules["indictment-chamber-appeal"],
            an_hour_ago.date(),
            an_hour_ago.time().replace(second=0, microsecond=0),
        )
        add(
            lawyer,
            asked,
            rules["council-chamber-release"],
            visit.date,
            spell=person.spells.get(),
        )
        for kind, text in (
            (Message.Kind.NOTE, "Ask the bar for a pro bono lawyer who speaks Tigrinya."),
            (Message.Kind.ANSWER, "Yes: an extreme-urgency request, within 5 days."),
        ):
            help_desk_services.add_message(lawyer, asked, kind, text)
        help_desk_services.add_message(
            visitor, asked, Message.Kind.INFORMATION, "The flight is planned on Friday."
        )
        called = help_desk_services.record(
            lawyer,
            channel=HelpRequest.Channel.PHONE,
            requester_kind=HelpRequest.RequesterKind.RELATIVE,
            topic=topics[0],
            subject="Een broer belt over de verlenging van de detentie",
            question="Mag de detentie nog eens verlengd worden?",
            language="nl",
            contact_name="Samir El Idrissi",
            contact_phone="+32 470 12 34 56",
            asked_at=timezone.now() - timedelta(days=6),
        )
        waiting = help_desk_services.record(
            lawyer,
            channel=HelpRequest.Channel.EMAIL,
            requester_kind=HelpRequest.RequesterKind.PARTNER,
            topic=topics[2],
            subject="Soins refusés à un détenu diabétique",
            question="Quel recours contre le refus de soins ?",
            language="fr",
            centre=visit.centre,
        )
        help_desk_services.set_status(lawyer, waiting, HelpRequest.Status.WAITING)
        closed = help_desk_services.record(
            lawyer,
            channel=HelpRequest.Channel.IN_PERSON,
            requester_kind=HelpRequest.RequesterKind.LAWYER,
            topic=topics[0],
            subject="An old question",
            question="Answered at the office.",
            language="en",
            asked_at=timezone.now() - timedelta(days=40),
        )
        help_desk_services.set_status(lawyer, closed, HelpRequest.Status.CLOSED)
        changed = rules["cce-appeal"]
        with acting(lawyer):
            changed.source = f"{ALIENS_ACT}, art. 39/57 §1, al. 1 (changed)"
            changed.save()
        return {"request": asked, "called": called, "rule": changed, "lawyer": lawyer}

    return make


def send_empty_form(page):
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("alert")).to_be_visible()


def send(button: str):
    """Send the form as it is: the page comes back with its errors (400)."""

    def action(page):
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("alert").first).to_be_visible()

    return action


def deadline_in_the_future(page):
    """On a request's page, a deadline notified tomorrow: refused on a page of its own."""
    deadlines = page.get_by_role("region", name="Deadlines")
    deadlines.get_by_label(re.compile(r"^Rule:?$")).select_option("extreme-urgency-later")
    tomorrow = timezone.localdate() + timedelta(days=1)
    deadlines.get_by_label("Date of notification").fill(tomorrow.isoformat())
    deadlines.get_by_role("button", name="Add the deadline").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(
        page.get_by_text(re.compile("date of notification cannot be in the future"))
    ).to_be_visible()


def help_request(name: str, which: str = "request", query: str = ""):
    return lambda records: reverse(f"legal:{name}", args=[records["help"][which].key]) + query


def calculator(query: str):
    return lambda records: f"{reverse('legal:calculator')}?{query}"


# persona → [(page name, URL, what to do on the page before checking it)]
PAGES = {
    "anonymous": [("login", lambda records: reverse("account_login"), None)],
    Role.VISITOR: [
        ("home", lambda records: reverse("home"), None),
        ("visit list", lambda records: reverse("visits:visit-list"), None),
        ("visit form", lambda records: reverse("visits:visit-create"), None),
        ("coverage", lambda records: reverse("visits:coverage"), None),
        ("help desk", lambda records: reverse("legal:request-list"), None),
        ("ask the lawyer", lambda records: reverse("legal:request-ask"), None),
        (
            "ask the lawyer with errors",
            lambda records: reverse("legal:request-ask"),
            send("Send the question"),
        ),
        ("help request (shared with the organisation)", help_request("request-detail"), None),
        (
            "calculator with a result",
            calculator("rule=extreme-urgency-later&notified_on=2026-07-16"),
            None,
        ),
        (
            "calculator with errors",
            calculator("rule=&notified_on=2026-02-30"),
            None,
        ),
    ],
    Role.LEGAL: [
        ("home with what is due", lambda records: reverse("home"), None),
        ("queue", lambda records: reverse("legal:request-list"), None),
        (
            "queue filtered",
            lambda records: reverse("legal:request-list") + "?status=&q=detentie",
            None,
        ),
        ("record form", lambda records: reverse("legal:request-record"), None),
        (
            "record form with errors",
            lambda records: reverse("legal:request-record"),
            send("Record the request"),
        ),
        ("request with deadlines and a note", help_request("request-detail"), None),
        ("request edit", help_request("request-update"), None),
        ("deadline with errors", help_request("request-detail"), deadline_in_the_future),
        ("phone request", help_request("request-detail", "called"), None),
        ("caller's contact", help_request("request-detail", "called", "?contact"), None),
        (
            "calculator in hours",
            # 24 hours over the night the clocks go back, ending on a Sunday.
            calculator("rule=indictment-chamber-appeal&notified_on=2026-10-24&notified_at=22:30"),
            None,
        ),
        ("rule list", lambda records: reverse("legal:rule-list"), None),
        (
            "rule edit with its history",
            lambda records: reverse("legal:rule-update", args=[records["help"]["rule"].code]),
            None,
        ),
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
        ("system", lambda records: reverse("ops:system"), None),
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
