"""Case files in the browser: a visitor records a person met during a visit, then a
transfer and the end of the detention, reads the identity (which is logged) and is
warned before creating the same person twice; a coordinator sees the file by its code
only. Every page of the case files is checked with axe-core on a desktop and on a
360 px phone, where it must not scroll sideways.

MOVE_E2E_SCREENSHOTS=/some/dir keeps a full-page screenshot of each page checked."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from detainees import clock, services
from detainees.export_views import KIND as EXPORT
from detainees.models import Accompaniment, DetentionSpell, Family, Person, Referral
from move.accounts.permissions import Role
from move.privacy.models import AccessLogEntry, Job
from tests.e2e.conftest import axe_violations
from tests.e2e.test_accessibility import assert_styled, console_errors, screenshot
from tests.factories import CentreFactory, OrganisationFactory
from visits.models import Theme, Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
GIVEN_NAMES, SURNAME = "Selam", "Tesfamariam"
CODE = re.compile(r"P-\d{4}-\d{4}")


def field(label: str) -> re.Pattern:
    """A field's label exactly, with or without the colon Django adds."""
    return re.compile(rf"^{re.escape(label)}:?$")


@pytest.fixture
def centres(e2e_db):
    return (
        CentreFactory(name_fr="Centre fermé de Vottem", name_nl="Gesloten centrum Vottem"),
        CentreFactory(
            name_fr="Centre de rapatriement 127bis", name_nl="Repatriëringscentrum 127bis"
        ),
    )


@pytest.fixture
def visitor(make_user):
    return make_user(
        Role.VISITOR, first_name="Vera", last_name="Verbruggen", email="vera@e2e.example.org"
    )


@pytest.fixture
def visit(centres, visitor):
    """A visit Vera made to Vottem ten days ago."""
    visit = Visit.objects.create(
        centre=centres[0], date=timezone.localdate() - timedelta(days=10), status="done"
    )
    visit.visitors.add(visitor)
    return visit


def test_a_visitor_records_a_person_met_then_a_transfer_and_a_release(
    page, signed_in, visitor, visit, centres
):
    vottem, bis = centres
    today = timezone.localdate()
    console = console_errors(page)
    signed_in(visitor)

    # 1. From the visit's page, a new case file for someone met there.
    page.goto(reverse("visits:visit-update", args=[visit.code]))
    people_met = page.get_by_role("region", name="People met")
    expect(people_met).to_contain_text("No meeting recorded for this visit.")
    people_met.get_by_role("link", name="New person met").click()
    expect(page.get_by_role("heading", name="New case file")).to_be_visible()
    # Where and since when the person is held come from the visit.
    expect(page.get_by_label("Held in")).to_have_value(str(vottem.pk))
    expect(page.get_by_label("Held since")).to_have_value(visit.date.isoformat())
    page.get_by_label(field("Sex")).select_option(label="Female")
    page.get_by_label("Year of birth").fill("1996")
    page.get_by_label("Nationality").select_option(label="Eritrea")
    page.get_by_label("Tigrinya", exact=True).check()
    page.get_by_label("Arabic", exact=True).check()
    page.get_by_label("Medical", exact=True).check()
    page.get_by_label("Given names").fill(GIVEN_NAMES)
    page.get_by_label("Surname").fill(SURNAME)
    page.get_by_role("button", name="Create the case file").click()

    expect(page.get_by_text(re.compile(r"Case file P-\d{4}-\d{4} created\."))).to_be_visible()
    person = Person.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case file {person.code}")
    detention = page.get_by_role("region", name="Detention")
    expect(detention).to_contain_text("10 days in detention since the detention order of")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Eritrea")
    expect(facts).to_contain_text("Arabic, Tigrinya")
    expect(facts).to_contain_text("Medical")
    expect(
        page.get_by_role("heading", name=re.compile(r", Centre fermé de Vottem$"))
    ).to_be_visible()
    # The name is in the identity, not on the case file.
    expect(page.locator("main")).not_to_contain_text(SURNAME)
    assert person.accompaniments.get().visit == visit

    # 2. The visit's page now lists the person met.
    page.goto(reverse("visits:visit-update", args=[visit.code]))
    expect(people_met.get_by_role("link", name=person.code)).to_be_visible()
    people_met.get_by_role("link", name=person.code).click()

    # 3. A transfer to 127bis, under the same detention order.
    page.get_by_role("link", name="Transfer or new order").click()
    expect(page.get_by_role("heading", name=f"Transfer of {person.code}")).to_be_visible()
    page.get_by_label("To the centre").select_option(label=bis.name_fr)
    page.get_by_label(field("On")).fill((today - timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text(f"Transfer to {bis.name_fr} recorded.")).to_be_visible()
    # The count goes on from the order, not from the transfer.
    expect(detention).to_contain_text("10 days in detention")

    # 4. The end of the detention: released.
    page.get_by_role("link", name="End of detention").click()
    page.get_by_label("How the detention ended").select_option(label="Released")
    page.get_by_label(field("On")).fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Record the end of detention").click()
    expect(page.get_by_text("End of detention recorded.")).to_be_visible()
    expect(facts).to_contain_text("Released")
    expect(detention).to_contain_text("Detention ended on")
    spells = page.get_by_role("table", name="Detention spells").locator("tbody tr")
    expect(spells).to_have_count(2)
    expect(spells.nth(0)).to_contain_text(bis.name_fr)
    expect(spells.nth(0)).to_contain_text("Released")
    expect(spells.nth(1)).to_contain_text(vottem.name_fr)
    expect(spells.nth(1)).to_contain_text("Transferred to another centre")
    expect(page.get_by_role("link", name="Record a detention")).to_be_visible()
    person.refresh_from_db()
    assert person.status == Person.Status.RELEASED

    # 5. Writing the name with the new file, then reading it, are in the access log.
    reads = AccessLogEntry.objects.filter(subject=person.code, action="read_identity")
    written = AccessLogEntry.objects.get(subject=person.code, action="change_identity")
    assert (written.user, written.page) == (visitor, reverse("detainees:person-create"))
    assert not reads.exists()
    page.get_by_role("link", name="Read the identity").click()
    identity = page.locator("dl.facts")
    expect(identity).to_contain_text(GIVEN_NAMES)
    expect(identity).to_contain_text(SURNAME)
    entry = reads.get()
    assert (entry.action, entry.user, entry.page) == (
        AccessLogEntry.Action.READ_IDENTITY,
        visitor,
        reverse("detainees:identity-detail", args=[person.key]),
    )

    # 6. The same name again: the visitor is warned, and may go on after checking.
    page.goto(reverse("detainees:person-create"))
    page.get_by_label("Held in").select_option(label=vottem.name_fr)
    page.get_by_label("Held since").fill(visit.date.isoformat())
    page.get_by_label("Given names").fill(GIVEN_NAMES)
    page.get_by_label("Surname").fill(SURNAME)
    page.get_by_role("button", name="Create the case file").click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("may already have a file for this person")
    expect(warning.get_by_role("link", name=person.code)).to_be_visible()
    screenshot(page, "people-duplicate-warning", DESKTOP)
    assert Person.objects.count() == 1
    page.get_by_label("I checked: this is a different person").check()
    page.get_by_role("button", name="Create the case file").click()
    second = Person.objects.exclude(pk=person.pk).get()
    expect(page.get_by_text(f"Case file {second.code} created.")).to_be_visible()
    assert second.code != person.code and CODE.fullmatch(second.code)

    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


def test_a_coordinator_sees_the_case_file_by_its_code_and_never_the_name(
    page, signed_in, make_user, visitor, visit
):
    person = new_person(visitor, visit)
    coordinator = make_user(Role.COORDINATOR, email="coordinator@e2e.example.org")
    signed_in(coordinator)

    response = page.goto(reverse("detainees:person-detail", args=[person.key]))
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case file {person.code}")
    main = page.locator("main")
    for name in (GIVEN_NAMES, SURNAME):
        expect(main).not_to_contain_text(name)
    expect(page.get_by_role("link", name="Read the identity")).to_have_count(0)
    expect(page.get_by_role("link", name="Identity")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    # Nor by typing the address: refused, and nothing was read.
    response = page.goto(reverse("detainees:identity-detail", args=[person.key]))
    assert response.status == 403
    expect(page.locator("body")).not_to_contain_text(SURNAME)
    assert not AccessLogEntry.objects.filter(subject=person.code, user=coordinator).exists()


@pytest.fixture
def records(coalition_org, visitor, visit, centres):
    """A case file on every page: an ongoing detention near its first maximum (the
    clock warns), an identity, a meeting, a referral, a family, a share, an export."""
    jrs = OrganisationFactory(short_name="Jesuit Refugee Service", kind="member")
    OrganisationFactory(short_name="Caritas", kind="member")
    theme = Theme.objects.create(code="medical", name_fr="Soins médicaux", name_nl="Medische zorg")
    family = Family.objects.create(organisation=coalition_org, adults=2, children_ages=[3, 7])
    today = timezone.localdate()
    # The 2-month maximum is reached in 5 days.
    order = clock.add_months(today, -2) + timedelta(days=5)
    person = new_person(
        visitor,
        visit,
        spell={"centre": centres[0], "start": order, "ground": DetentionSpell.Ground.BORDER},
        family=family,
        notes="Asks for a lawyer who speaks Tigrinya.",
    )
    services.share_person(visitor, person, jrs, True, "/")
    accompaniment = person.accompaniments.get()
    accompaniment.actions = "Call the help desk about the appeal."
    accompaniment.next_step = "Bring the decision"
    accompaniment.next_step_on = today + timedelta(days=7)
    accompaniment.save()
    accompaniment.topics.set([theme])
    Referral.objects.create(
        person=person,
        kind=Referral.Kind.OUTSIDE,
        to_whom="Medimmigrant",
        on=today,
        created_by=visitor,
    )
    job = Job.objects.create(
        owner=visitor,
        kind=EXPORT,
        subject=person.code,
        status=Job.Status.PROCESSING,
        progress=40,
        step="The meetings",
    )
    return {"person": person, "family": family, "visit": visit, "job": job}


def submit(button: str):
    def send(page):
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("alert").first).to_be_visible()

    return send


def future_birth_year(page):
    page.get_by_label("Year of birth").fill(str(timezone.localdate().year + 1))
    submit("Create the case file")(page)
    expect(page.get_by_text("The year of birth cannot be in the future.")).to_be_visible()


def warns_of_the_maximum(page):
    expect(page.get_by_role("alert")).to_contain_text("Warning: The 2 months limit is reached on")


def person_page(name):
    return lambda records: reverse(f"detainees:{name}", args=[records["person"].key])


# persona → [(page name, URL, what to do on the page before checking it)]
PAGES = {
    Role.VISITOR: [
        ("person list", lambda records: reverse("detainees:person-list"), None),
        (
            "person list from a visit",
            lambda records: reverse("detainees:person-list") + f"?visit={records['visit'].code}",
            None,
        ),
        ("person create", lambda records: reverse("detainees:person-create"), None),
        (
            "person create with errors",
            lambda records: reverse("detainees:person-create"),
            future_birth_year,
        ),
        ("person detail", person_page("person-detail"), warns_of_the_maximum),
        ("person edit", person_page("person-update"), None),
        ("identity detail", person_page("identity-detail"), None),
        ("identity edit", person_page("identity-update"), None),
        ("spell create", person_page("spell-create"), None),
        ("transfer", person_page("person-transfer"), None),
        ("transfer with errors", person_page("person-transfer"), submit("Record")),
        ("release", person_page("person-release"), None),
        ("meeting form", person_page("accompaniment-create"), None),
        ("referral form", person_page("referral-create"), None),
        ("sharing", person_page("person-share"), None),
        ("family create", lambda records: reverse("detainees:family-create"), None),
        (
            "family detail",
            lambda records: reverse("detainees:family-detail", args=[records["family"].key]),
            None,
        ),
        (
            "visit with the people met",
            lambda records: reverse("visits:visit-update", args=[records["visit"].code]),
            None,
        ),
        ("export", person_page("person-export"), None),
        ("erase", person_page("person-erase"), None),
        (
            "export job",
            lambda records: reverse("privacy:job-detail", args=[records["job"].code]),
            None,
        ),
    ],
    Role.COORDINATOR: [
        ("person list", lambda records: reverse("detainees:person-list"), None),
        ("person detail", person_page("person-detail"), None),
        (
            "access log",
            lambda records: reverse("privacy:accesslog-list") + "?person=" + records["person"].code,
            None,
        ),
    ],
}


def test_the_pages_of_the_case_files_are_accessible_and_readable_on_a_phone(
    page, context, signed_in, make_user, visitor, records
):
    console = console_errors(page)
    problems = []
    for persona, pages in PAGES.items():
        context.clear_cookies()
        signed_in(visitor if persona == Role.VISITOR else make_user(persona))
        for name, url, action in pages:
            page.set_viewport_size(DESKTOP)
            response = page.goto(url(records))
            assert response.status == 200, f"{name} ({persona}): HTTP {response.status}"
            assert_styled(page)
            if action:
                action(page)
            for viewport in (DESKTOP, PHONE):
                page.set_viewport_size(viewport)
                problems += axe_violations(page, f"{name} ({persona}) at {viewport['width']} px")
                screenshot(page, f"people-{persona}-{name}", viewport)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{name} ({persona}) is {width} px wide on a 360 px phone")
    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


def new_person(visitor, visit, spell=None, **fields) -> Person:
    """A case file kept by the visitor's organisation, met during the visit."""
    person = services.create_person(
        visitor,
        Person(
            organisation=visitor.memberships.get().organisation,
            sex=Person.Sex.FEMALE,
            birth_year=1996,
            nationality="ER",
            languages=["ti", "ar"],
            vulnerabilities=["medical"],
            **fields,
        ),
        identity={"given_names": GIVEN_NAMES, "surname": SURNAME},
        spell=spell or {"centre": visit.centre, "start": visit.date},
    )
    services.record_accompaniment(visitor, person, Accompaniment(visit=visit))
    return person
