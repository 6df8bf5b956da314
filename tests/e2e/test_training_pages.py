"""The pages of the trainings and the documents in a browser: axe-core finds nothing at
1280 and 360 px, and nothing scrolls sideways on a phone (issue 11).

MOVE_E2E_SCREENSHOTS=/some/dir keeps a full-page screenshot of each page checked."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse

from legal.demo_library import pdf_with_line
from legal.models import Resource, Training, TrainingMaterial
from move.accounts.permissions import Role
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def library(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    training = Training.objects.create(
        topic="Risques et réalité de la détention : de l'arrestation à la libération",
        date=datetime.date(2022, 10, 18),
        audience=Training.Audience.PARTNERS,
        audience_detail="Croix-Rouge — travailleurs sociaux des centres ouverts",
        trainer="Lucie Avocate (juriste de Move)",
        language="fr",
        attendance=24,
        notes="À la demande de la Croix-Rouge.",
    )
    Training.objects.create(
        topic="Medische zorg in de gesloten centra",
        date=datetime.date(2022, 6, 14),
        audience=Training.Audience.VISITORS,
        trainer="Lucie Avocate",
        language="nl",
    )
    private = Path(settings.MEDIA_ROOT) / "private"
    (private / "legal" / "trainings").mkdir(parents=True)
    (private / "legal" / "documents").mkdir(parents=True)
    (private / "legal/trainings/slides.pdf").write_bytes(pdf_with_line("Slides"))
    TrainingMaterial.objects.create(
        training=training,
        file="legal/trainings/slides.pdf",
        name="presentation-croix-rouge-2022-version-finale-avec-annexes.pdf",
        content_type="application/pdf",
        size=2048,
    )
    (private / "legal/documents/toolkit-fr.pdf").write_bytes(pdf_with_line("Toolkit"))
    Resource.objects.create(
        kind="toolkit",
        public=True,
        title_fr="Boîte à outils juridique sur la détention administrative",
        title_nl="Juridische toolkit over administratieve detentie",
        description_fr="35 pages pour comprendre le droit de la détention administrative.",
        file_fr="legal/documents/toolkit-fr.pdf",
    )
    Resource.objects.create(kind="vade_mecum", title_fr="Vade-mecum", public=False)
    return training


def send_empty_form(page):
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()


def pages(training):
    key = training.key
    return [
        ("training list", reverse("legal:training-list") + "?year=2022", None),
        ("training detail", reverse("legal:training-detail", args=[key]), None),
        ("training form", reverse("legal:training-create"), None),
        ("training form with errors", reverse("legal:training-create"), send_empty_form),
        ("training edit", reverse("legal:training-update", args=[key]), None),
        ("material form", reverse("legal:material-add", args=[key]), None),
        ("material form with errors", reverse("legal:material-add", args=[key]), send_empty_form),
        ("resource list", reverse("legal:resource-list"), None),
        ("resource form", reverse("legal:resource-create"), None),
        ("resource form with errors", reverse("legal:resource-create"), send_empty_form),
        (
            "resource edit",
            reverse("legal:resource-update", args=[Resource.objects.first().key]),
            None,
        ),
    ]


def test_training_and_document_pages_are_accessible_and_fit_a_phone(
    page, make_user, signed_in, library
):
    signed_in(make_user(Role.LEGAL, email="lawyer.reader@e2e.example.org", first_name="Lucie"))
    problems = []
    for name, url, action in pages(library):
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


def test_a_visitor_reads_the_trainings_and_downloads_a_material(
    page, make_user, signed_in, library
):
    signed_in(make_user(Role.VISITOR, email="visitor.reader@e2e.example.org"))
    page.goto(reverse("legal:training-list"))
    page.get_by_role("link", name=library.topic).click()
    assert page.get_by_role("heading", level=1).inner_text() == library.topic
    assert page.get_by_role("link", name="Edit the training").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name=library.materials.get().name).click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
