"""The lawyer directory in the browser (issue 11): a visitor in a centre finds a
Dutch-speaking detention lawyer near Merksplas in two taps on a 360 px phone, and can
call or write to them from the list; the pages of the directory (the list, a lawyer, the
form, the import and its preview) are accessible (axe-core) at 1280 and 360 px, and do
not scroll sideways on the phone.

The database is flushed between browser tests: the bars and specialities seeded by
legal's migration 0005 are created again here (get_or_create) when they are gone."""

import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from legal.models import Bar, Lawyer, Speciality
from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations
from tests.e2e.test_accessibility import assert_styled, console_errors, screenshot
from tests.factories import CentreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

BARS = [
    ("antwerp", "Antwerp", "Anvers", "Antwerpen"),
    ("turnhout", "Turnhout", "Turnhout", "Turnhout"),
    (
        "brussels-fr",
        "Brussels (French-speaking)",
        "Bruxelles (francophone)",
        "Brussel (Franstalig)",
    ),
]
SPECIALITIES = [
    ("detention", "Immigration detention", "Détention administrative", "Administratieve detentie"),
    ("asylum", "Asylum", "Asile", "Asiel"),
]


def reference(rows, model):
    return {
        code: model.objects.get_or_create(
            code=code,
            defaults={"name": en, "name_en": en, "name_fr": fr, "name_nl": nl, "position": n},
        )[0]
        for n, (code, en, fr, nl) in enumerate(rows)
    }


@pytest.fixture
def directory(e2e_db):
    """Merksplas and two other centres; the lawyer the visitor looks for, a French-
    speaking one at Merksplas, a Dutch-speaking asylum lawyer there, and one elsewhere."""
    bars, specialities = reference(BARS, Bar), reference(SPECIALITIES, Speciality)
    merksplas = CentreFactory(
        code="merksplas", name_fr="Centre fermé de Merksplas", name_nl="Merksplas", town="Merksplas"
    )
    CentreFactory(code="127bis", name_fr="Centre 127bis", name_nl="Centrum 127bis")
    vottem = CentreFactory(code="vottem", name_fr="Vottem", name_nl="Vottem", town="Vottem")

    def lawyer(name, email, bar, languages, kinds, centres, **fields):
        made = Lawyer.objects.create(
            name=name, email=email, bar=bars[bar], languages=languages, **fields
        )
        made.specialities.set([specialities[kind] for kind in kinds])
        made.centres.set(centres)
        return made

    wanted = lawyer(
        "An Peeters",
        "an.peeters-with-a-long-address@advocaten-kempen.example.be",
        "turnhout",
        "nl en",
        ["detention", "asylum"],
        [merksplas],
        firm="Advocatenkantoor Kempen",
        phone="+3214123456",
        regions="antwerp",
        legal_aid=True,
        subscribed=True,
        subscription_basis=Lawyer.Basis.CONSENT,
        newsletter_language="nl",
        notes="Answers the phone before 9 in the morning.",
    )
    lawyer(
        "Claire Dubois",
        "claire.dubois@example.be",
        "brussels-fr",
        "fr",
        ["detention"],
        [merksplas],
        phone="+32470123456",
    )
    lawyer("Bram Janssens", "bram@example.be", "antwerp", "nl", ["asylum"], [merksplas])
    lawyer("Dirk Maes", "dirk@example.be", "antwerp", "nl fr", ["detention"], [vottem])
    return {"wanted": wanted, "merksplas": merksplas}


def test_a_visitor_finds_a_dutch_speaking_detention_lawyer_near_merksplas_in_two_taps(
    page, make_user, signed_in, directory
):
    signed_in(make_user(Role.VISITOR, email="vera@e2e.example.org"))
    page.set_viewport_size(PHONE)
    page.goto(reverse("legal:lawyer-list"))
    centres = page.get_by_role("list", name="Detention lawyers who cover a centre")
    merksplas = centres.get_by_role("link", name=re.compile("Merksplas"))
    expect(merksplas).to_be_in_viewport()

    merksplas.click()  # tap 1
    expect(centres.get_by_role("link", name=re.compile("Merksplas"))).to_have_attribute(
        "aria-current", "true"
    )
    page.get_by_role("list", name="Lawyers who speak").get_by_role(
        "link", name="Dutch"
    ).click()  # tap 2

    rows = page.locator("table.lawyers tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.get_by_role("link", name="An Peeters", exact=True)).to_be_visible()
    call = row.get_by_role("link", name=re.compile(r"^Call An Peeters: \+32 14 12 34 56$"))
    expect(call).to_have_attribute("href", "tel:+3214123456")
    expect(call).to_have_text("+32 14 12 34 56")
    mail = row.get_by_role("link", name=directory["wanted"].email)
    expect(mail).to_have_attribute("href", f"mailto:{directory['wanted'].email}")
    if os.environ.get("MOVE_E2E_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['MOVE_E2E_SCREENSHOTS']}/directory-two-taps-360.png")
    expect(call).to_be_in_viewport()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the list is {width} px wide on a 360 px phone"

    row.get_by_role("link", name="An Peeters", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("An Peeters")
    expect(page.get_by_role("link", name="Call +32 14 12 34 56")).to_have_attribute(
        "href", "tel:+3214123456"
    )
    expect(page.get_by_role("link", name=re.compile("^Write to an.peeters"))).to_have_attribute(
        "href", f"mailto:{directory['wanted'].email}"
    )


def upload_file(content: str, name="lawyers.csv"):
    def action(page):
        page.get_by_label("CSV file").set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}]
        )
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")

    return action


def send_empty_form(page):
    page.get_by_role("button", name="Add the lawyer").click()
    expect(page.get_by_role("alert")).to_be_visible()


GOOD_FILE = (
    "name,bar,email,phone,languages,specialities,centres,subscribed,subscription_basis\n"
    "Sofie Wouters,antwerp,sofie@example.be,0470 12 34 56,nl fr,detention,merksplas,yes,consent\n"
    "An Peeters,turnhout,an.peeters-with-a-long-address@advocaten-kempen.example.be,,nl,,,no,\n"
)
BAD_FILE = (
    "name,bar,email,phone,languages\n"
    "Sofie Wouters,Atlantis,not-an-address,12345,nl xx\n"
    ",antwerp,sofie-with-a-very-long-address-indeed@advocaten.example.be,,fr\n"
)


def pages(directory):
    wanted = directory["wanted"]
    lawyers = reverse("legal:lawyer-list")
    return [
        ("directory", lawyers, None),
        ("directory, two quick filters", f"{lawyers}?centre=merksplas&language=nl", None),
        ("directory, more filters", f"{lawyers}?bar=antwerp&legal_aid=no&q=a", None),
        ("directory, a bad filter", f"{lawyers}?region=atlantis", None),
        ("lawyer", reverse("legal:lawyer-detail", args=[wanted.key]), None),
        ("lawyer form", reverse("legal:lawyer-update", args=[wanted.key]), None),
        ("new lawyer with errors", reverse("legal:lawyer-create"), send_empty_form),
        ("import", reverse("legal:lawyer-import"), None),
        ("import preview", reverse("legal:lawyer-import"), upload_file(GOOD_FILE)),
        ("import preview with errors", reverse("legal:lawyer-import"), upload_file(BAD_FILE)),
    ]


def test_the_directory_pages_are_accessible_and_readable_on_a_phone(
    page, make_user, signed_in, directory
):
    signed_in(make_user(Role.LEGAL, email="lena@e2e.example.org", first_name="Lena"))
    console = console_errors(page)
    problems = []
    for name, url, action in pages(directory):
        page.set_viewport_size(DESKTOP)
        response = page.goto(url)
        assert response.status == 200, f"{name}: HTTP {response.status}"
        assert_styled(page)
        if action:
            action(page)
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            problems += axe_violations(page, f"{name} at {viewport['width']} px")
            screenshot(page, f"directory-{name}", viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name} is {width} px wide on a 360 px phone")
    assert not problems, "\n\n".join(problems)
    assert console == [], f"the browser logged errors (a CSP violation?): {console}"


def test_an_import_is_previewed_then_confirmed_in_the_browser(
    page, make_user, signed_in, directory
):
    signed_in(make_user(Role.COORDINATOR, email="cora@e2e.example.org"))
    page.goto(reverse("legal:lawyer-import"))
    upload_file(BAD_FILE)(page)
    errors = page.get_by_role("table", name="Errors, by line and column")
    expect(errors.get_by_role("row")).to_have_count(6)  # the header and five errors
    expect(errors).to_contain_text("No bar is called “Atlantis”.")
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert Lawyer.objects.count() == 4

    upload_file(GOOD_FILE)(page)
    expect(page.get_by_text("1 new, 1 already in the directory, to update")).to_be_visible()
    page.get_by_role("button", name="Import these 2 lawyers").click()
    expect(page.get_by_text("Import done: 1 lawyer added, 1 lawyer updated.")).to_be_visible()
    assert Lawyer.objects.count() == 5
    sofie = Lawyer.objects.get(email="sofie@example.be")
    assert sofie.phone == "+32470123456"
    assert list(sofie.centres.values_list("code", flat=True)) == ["merksplas"]
