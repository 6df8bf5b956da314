"""The witness pool's pages in a browser: axe-core finds nothing at 1280 and 360 px,
and nothing scrolls sideways on a phone (issue 12); a consent is recorded with its
signed form through the page.

MOVE_E2E_SCREENSHOTS=/some/dir keeps a full-page screenshot of each page checked."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse

from advocacy.models import Consent, Testimony, Use, Witness
from legal.demo_library import pdf_with_line
from move.accounts.permissions import Role
from move.privacy.models import AccessLogEntry
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def pool(settings, tmp_path, make_user):
    settings.MEDIA_ROOT = tmp_path / "media"
    keeper = make_user(
        Role.WITNESS_POOL, email="witness-pool-volunteer-with-a-long-address@e2e.example.org"
    )
    witness = Witness.objects.create(
        relation=Witness.Relation.FORMER_DETAINEE,
        languages="fr nl en",
        name="Mamadou Exemple-Avec-Un-Nom-Assez-Long",
        contact="+32 470 00 00 00\nmamadou.exemple-avec-une-adresse-longue@example.org\nRue X 1",
        keeper=keeper,
        notes="Préfère être contacté le soir, par téléphone plutôt que par e-mail.",
    )
    private = Path(settings.MEDIA_ROOT) / "private" / "advocacy" / "consents"
    private.mkdir(parents=True)
    (private / "signed.pdf").write_bytes(pdf_with_line("Consent"))
    Consent.objects.create(
        witness=witness,
        scopes="website press partners video parliament training",
        anonymity="first_name",
        given_on=datetime.date(2026, 1, 5),
        how=Consent.How.SIGNED_FORM,
        form_file="advocacy/consents/signed.pdf",
        expires_on=datetime.date(2028, 1, 5),
    )
    Consent.objects.create(
        witness=witness,
        scopes="website",
        anonymity="anonymous",
        given_on=datetime.date(2023, 1, 5),
        how=Consent.How.ORAL,
        statement="Accord donné oralement lors d'une visite au centre 127bis, en présence de Léa.",
        expires_on=datetime.date(2025, 1, 5),
    )
    testimony = Testimony.objects.create(
        witness=witness,
        title="Quatre mois au centre 127bis, entre l'attente et l'incertitude",
        text="Ce que j'ai vécu.",
        language="fr",
        recorded_on=datetime.date(2026, 1, 10),
        approved_on=datetime.date(2026, 1, 20),
        scopes="website press",
    )
    Use.objects.create(
        testimony=testimony,
        publication="PICUM booklet on immigration detention in Europe, 2026 edition",
        used_on=datetime.date(2026, 2, 1),
        scope="partners",
        anonymity="first_name",
    )
    Witness.objects.create(relation=Witness.Relation.LAWYER, languages="nl")
    return keeper, witness


def send_empty_form(page):
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()


def pages(witness):
    key = witness.key
    return [
        ("witness list", reverse("advocacy:witness-list"), None),
        ("witness list filtered", reverse("advocacy:witness-list") + "?consent=valid", None),
        ("witness detail", reverse("advocacy:witness-detail", args=[key]), None),
        ("witness contact", reverse("advocacy:witness-contact", args=[key]), None),
        ("witness form", reverse("advocacy:witness-create"), None),
        ("witness form with errors", reverse("advocacy:witness-create"), send_empty_form),
        ("witness edit", reverse("advocacy:witness-update", args=[key]), None),
        ("consent form", reverse("advocacy:consent-add", args=[key]), None),
        ("consent form with errors", reverse("advocacy:consent-add", args=[key]), send_empty_form),
    ]


def test_witness_pages_are_accessible_and_fit_a_phone(page, signed_in, pool):
    keeper, witness = pool
    signed_in(keeper)
    problems = []
    for name, url, action in pages(witness):
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


def test_the_volunteer_records_a_signed_consent_and_reads_the_contact(
    page, signed_in, pool, tmp_path
):
    keeper, witness = pool
    signed_in(keeper)
    page.goto(reverse("advocacy:witness-detail", args=[witness.key]))
    assert "mamadou" not in page.content().lower()
    page.get_by_role("link", name="Record a consent").click()
    page.get_by_label("Press").check()
    page.get_by_label("Video").check()
    page.get_by_label("Anonymous").check()
    page.get_by_label("Given on").fill("2026-03-01")
    page.get_by_label("Signed form (stored)").check()
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_with_line("Signed"))
    page.locator("main input[type=file]").set_input_files(str(scan))
    page.get_by_role("button", name="Record the consent").click()
    page.wait_for_load_state()
    assert "Consent recorded, valid until 2028-03-01" in page.content()
    consent = Consent.objects.get(given_on=datetime.date(2026, 3, 1))
    assert consent.form_file.startswith("advocacy/consents/")
    with page.expect_download() as download:
        page.get_by_role("link", name="download the signed form of 1 March 2026").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.get_by_role("link", name="Read the contact (logged)").click()
    assert "mamadou.exemple" in page.content()
    # Two reads logged: the signed form downloaded (it holds the name), then the contact.
    assert AccessLogEntry.objects.filter(subject=witness.code).count() == 2
