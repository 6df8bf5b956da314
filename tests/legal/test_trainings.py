"""Trainings (issue 11): every internal role reads them, legal and the coordinators keep
them; the yearly figures are counted from the records; materials are checked by their
content, stored outside the web root and served only through a permission check."""

import datetime
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from legal import library_files, training_views
from legal.models import Training, TrainingMaterial
from legal.training_forms import TrainingForm
from tests.conftest import close_download, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_bytes():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes():
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def training(**fields):
    values = {
        "topic": "Entry bans",
        "date": datetime.date(2022, 2, 15),
        "audience": Training.Audience.VISITORS,
        "trainer": "The coalition's lawyer",
        "language": "fr",
        "attendance": 14,
    } | fields
    return Training.objects.create(**values)


def stored(media, folder="trainings"):
    path = Path(media) / "private" / "legal" / folder
    return sorted(path.iterdir()) if path.exists() else []


def valid_form(**overrides):
    return {
        "topic": "Isolation in the centres",
        "date": "2022-05-17",
        "audience": "visitors",
        "audience_detail": "",
        "trainer": "Lucie",
        "language": "fr",
        "attendance": "12",
        "notes": "Royal decree of 2 August 2002.",
    } | overrides


# --- The list ------------------------------------------------------------------------------


def test_every_internal_role_reads_the_list_with_yearly_figures_counted_from_the_records(
    client, visitor_a
):
    training(date=datetime.date(2022, 2, 15), attendance=14)
    training(topic="Medical care", date=datetime.date(2022, 6, 14), attendance=11)
    training(topic="Red Cross", date=datetime.date(2022, 10, 18), attendance=None)
    training(topic="Vade-mecum", date=datetime.date(2023, 6, 13), attendance=31)
    sign_in(client, visitor_a)
    response = client.get(reverse("legal:training-list"))
    assert response.status_code == 200
    totals = {row["year"]: (row["sessions"], row["people"]) for row in response.context["totals"]}
    assert totals == {2022: (3, 25), 2023: (1, 31)}
    assert b"Medical care" in response.content
    assert b"Add a training" not in response.content  # a visitor reads, does not keep


def test_the_list_is_filtered_by_year_audience_and_language(client, legal):
    training(topic="Entry bans", language="fr")
    training(topic="Medische zorg", language="nl", date=datetime.date(2022, 6, 14))
    training(
        topic="Red Cross session",
        audience=Training.Audience.PARTNERS,
        audience_detail="Red Cross",
        date=datetime.date(2022, 10, 18),
    )
    training(topic="Vade-mecum", audience="bars", date=datetime.date(2023, 6, 13))
    sign_in(client, legal)
    url = reverse("legal:training-list")

    def topics(**query):
        return {row["topic"] for row in client.get(url, query).context["trainings"]}

    assert topics(year=2023) == {"Vade-mecum"}
    assert topics(language="nl") == {"Medische zorg"}
    assert topics(audience="partners") == {"Red Cross session"}
    assert topics(year=2022, language="fr") == {"Entry bans", "Red Cross session"}
    # The totals follow the audience and language chosen, over every year.
    totals = client.get(url, {"language": "fr"}).context["totals"]
    assert {row["year"]: row["sessions"] for row in totals} == {2022: 2, 2023: 1}


def test_a_filter_value_that_is_not_offered_is_shown_as_an_error_and_ignored(client, legal):
    training()
    sign_in(client, legal)
    response = client.get(reverse("legal:training-list"), {"year": "1999", "language": "fr"})
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert len(response.context["trainings"]) == 1


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_costs_the_same_queries_at_2_and_30_rows(
    client, coordinator, rows, django_assert_max_num_queries
):
    for number in range(rows):
        made = training(topic=f"Training {number}", date=datetime.date(2022, 1, 1 + number % 28))
        TrainingMaterial.objects.create(
            training=made, file="legal/trainings/x.pdf", name="x.pdf", content_type="a", size=1
        )
    sign_in(client, coordinator)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("legal:training-list"), {"year": 2022})
    assert len(response.context["trainings"]) == rows


def test_the_list_has_fifty_trainings_a_page_and_keeps_its_filters(
    client, legal, django_assert_max_num_queries
):
    Training.objects.bulk_create(
        Training(
            topic=f"Training {number}",
            date=datetime.date(2021, 1, 1) + datetime.timedelta(days=number),
            audience=Training.Audience.VISITORS,
            trainer="Lucie",
            language="fr",
        )
        for number in range(55)
    )
    training(topic="For partners", audience=Training.Audience.PARTNERS)
    sign_in(client, legal)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("legal:training-list"), {"audience": "visitors"})
    assert len(response.context["trainings"]) == 50
    assert response.context["trainings"][0]["topic"] == "Training 54"  # newest first
    page = response.content.decode()
    assert "Page 1 of 2" in page
    assert "?audience=visitors&amp;page=2" in page
    with django_assert_max_num_queries(8):
        response = client.get(reverse("legal:training-list"), {"audience": "visitors", "page": 2})
    assert [row["topic"] for row in response.context["trainings"]] == [
        f"Training {number}" for number in range(4, -1, -1)
    ]
    # The yearly figures count every training, not only those of the page.
    assert sum(row["sessions"] for row in response.context["totals"]) == 55


def test_a_partner_is_refused_the_list_and_does_not_find_a_training(client, partner):
    made = training()
    sign_in(client, partner)
    assert client.get(reverse("legal:training-list")).status_code == 403
    assert client.get(reverse("legal:training-detail", args=[made.key])).status_code == 404


# --- Keeping the trainings -----------------------------------------------------------------


def test_legal_adds_a_training(client, legal):
    sign_in(client, legal)
    response = client.post(reverse("legal:training-create"), valid_form())
    made = Training.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("legal:training-detail", args=[made.key])
    assert (made.topic, made.attendance, made.audience) == (
        "Isolation in the centres",
        12,
        "visitors",
    )


def test_the_attendance_may_be_empty_before_the_training(client, coordinator):
    sign_in(client, coordinator)
    day = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    response = client.post(reverse("legal:training-create"), valid_form(date=day, attendance=""))
    assert response.status_code == 302
    assert Training.objects.get().attendance is None


def test_an_attendance_for_a_training_still_to_come_is_refused(client, legal):
    sign_in(client, legal)
    day = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    response = client.post(reverse("legal:training-create"), valid_form(date=day))
    assert response.status_code == 400
    assert "still to come" in str(response.context["form"].errors["attendance"])
    assert not Training.objects.exists()


def test_a_negative_attendance_is_refused_and_what_was_typed_is_shown_again(client, legal):
    sign_in(client, legal)
    response = client.post(reverse("legal:training-create"), valid_form(attendance="-3"))
    assert response.status_code == 400
    assert "cannot be negative" in str(response.context["form"].errors["attendance"])
    assert b"Isolation in the centres" in response.content
    assert b"Royal decree of 2 August 2002." in response.content
    assert not Training.objects.exists()


def test_a_visitor_is_refused_adding_or_changing_a_training(client, visitor_a):
    made = training()
    sign_in(client, visitor_a)
    assert client.get(reverse("legal:training-create")).status_code == 403
    assert client.post(reverse("legal:training-create"), valid_form()).status_code == 403
    update = reverse("legal:training-update", args=[made.key])
    assert client.post(update, valid_form(topic="Changed")).status_code == 403
    assert Training.objects.get().topic == "Entry bans"


def test_a_coordinator_changes_a_training(client, coordinator):
    made = training(attendance=None)
    sign_in(client, coordinator)
    update = reverse("legal:training-update", args=[made.key])
    assert client.get(update).status_code == 200
    seen = made.updated_at.isoformat()
    response = client.post(update, valid_form(topic="Entry bans", attendance="17", seen=seen))
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.attendance == 17


def test_a_bad_change_changes_nothing_and_keeps_the_title(client, legal):
    made = training()
    sign_in(client, legal)
    update = reverse("legal:training-update", args=[made.key])
    response = client.post(update, valid_form(topic="", attendance="x"))
    assert response.status_code == 400
    assert response.context["training"].topic == "Entry bans"
    made.refresh_from_db()
    assert made.topic == "Entry bans"


def test_a_change_saved_meanwhile_is_not_overwritten_and_what_was_typed_is_kept(
    client, legal, coordinator
):
    made = training()
    sign_in(client, legal)
    update = reverse("legal:training-update", args=[made.key])
    seen = client.get(update).context["form"]["seen"].value()
    assert seen == made.updated_at.isoformat()
    # The coordinator saves it meanwhile (their own form, their own save).
    other = Client()
    sign_in(other, coordinator)
    assert other.post(update, valid_form(topic="Theirs", seen=seen)).status_code == 302
    response = client.post(update, valid_form(topic="Mine, typed", seen=seen))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else saved this record while you were editing it" in page
    assert 'value="Mine, typed"' in page
    assert "Edit the training “Theirs”" in page  # the title is the saved version
    made.refresh_from_db()
    assert made.topic == "Theirs"
    # Having seen the message, saving again is their choice.
    again = response.context["form"]["seen"].value()
    assert client.post(update, valid_form(topic="Mine", seen=again)).status_code == 302
    made.refresh_from_db()
    assert made.topic == "Mine"


def test_two_forms_seen_at_once_save_only_the_first(legal):
    made = training()
    seen = made.updated_at.isoformat()
    first = TrainingForm(valid_form(topic="First", seen=seen), instance=made)
    second = TrainingForm(
        valid_form(topic="Second", seen=seen), instance=Training.objects.get(pk=made.pk)
    )
    assert first.is_valid() and second.is_valid()  # both against the same version
    training_views.save_training(first)
    with pytest.raises(training_views.Concurrent):
        training_views.save_training(second)
    assert Training.objects.get().topic == "First"
    assert second.non_field_errors()


# --- Materials -----------------------------------------------------------------------------


def test_legal_adds_a_pdf_that_every_internal_role_downloads(client, legal, visitor_a, media):
    made = training()
    sign_in(client, legal)
    add = reverse("legal:material-add", args=[made.key])
    assert client.get(add).status_code == 200
    upload = SimpleUploadedFile("slides.exe", pdf_bytes(), "application/x-msdownload")
    response = client.post(add, {"file": upload})
    assert response.status_code == 302
    material = TrainingMaterial.objects.get()
    assert material.name == "slides.exe.pdf"
    assert material.content_type == "application/pdf"
    assert material.file.startswith("legal/trainings/")
    assert [path.name for path in stored(media)] == [Path(material.file).name]

    client.logout()
    sign_in(client, visitor_a)
    download = client.get(reverse("legal:material-download", args=[material.key]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    kept = (Path(media) / "private" / material.file).read_bytes()
    assert b"".join(download.streaming_content) == kept
    close_download(download)


def test_an_office_document_is_accepted_by_its_zip_signature(client, legal, media):
    made = training()
    sign_in(client, legal)
    upload = SimpleUploadedFile("handout.docx", docx_bytes(), "application/octet-stream")
    response = client.post(
        reverse("legal:material-add", args=[made.key]), {"file": upload, "name": "Handout"}
    )
    assert response.status_code == 302
    material = TrainingMaterial.objects.get()
    assert (material.name, material.content_type) == ("Handout.docx", library_files.DOCX)


@pytest.mark.parametrize(
    "name, data",
    [
        ("slides.pdf", b"just some text, not a PDF"),
        ("slides.docx", b"PK\x03\x04 not really a zip"),
        ("archive.zip", None),
    ],
)
def test_a_file_that_is_not_accepted_leaves_nothing(client, legal, media, name, data):
    if data is None:  # a real zip that is no office document
        out = BytesIO()
        with zipfile.ZipFile(out, "w") as package:
            package.writestr("notes.txt", "hello")
        data = out.getvalue()
    made = training()
    sign_in(client, legal)
    upload = SimpleUploadedFile(name, data, "application/pdf")
    response = client.post(reverse("legal:material-add", args=[made.key]), {"file": upload})
    assert response.status_code == 400
    assert "not a PDF document" in str(response.context["form"].errors["file"])
    assert not TrainingMaterial.objects.exists()
    assert stored(media) == []


def zip_of(*entries, compression=zipfile.ZIP_DEFLATED):
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as package:
        for name, content in entries:
            package.writestr(name, content)
    return out.getvalue()


def check(data, name="file.odt"):
    return library_files.checked_type(SimpleUploadedFile(name, data, "application/octet-stream"))


def test_an_opendocument_is_recognised_by_its_short_mimetype():
    odt = zip_of(("mimetype", library_files.ODT), ("content.xml", "<office:document/>"))
    assert check(odt) == library_files.ODT


def test_a_mimetype_entry_is_never_decompressed_whole(monkeypatch):
    # A zip bomb: a `mimetype` of 50 MB of spaces after a real type, a few KB compressed.
    bomb = zip_of(("mimetype", library_files.ODT + " " * 50_000_000))
    assert len(bomb) < 200_000

    def whole(*args, **kwargs):
        raise AssertionError("a part was decompressed whole")

    monkeypatch.setattr(zipfile.ZipFile, "read", whole)
    with pytest.raises(ValidationError):
        check(bomb)


@pytest.mark.parametrize(
    "part, kind",
    [
        ("word/document.xml", library_files.DOCX),
        ("ppt/presentation.xml", library_files.PPTX),
        ("xl/workbook.xml", library_files.XLSX),
    ],
)
def test_an_office_open_xml_package_is_recognised_by_its_main_part(part, kind):
    assert check(zip_of(("[Content_Types].xml", "<Types/>"), (part, "<x/>"))) == kind


@pytest.mark.parametrize("part", ["word/", "word/styles.xml", "ppt/slides/slide1.xml", "xl/x"])
def test_a_package_without_its_main_part_is_refused(part):
    with pytest.raises(ValidationError):
        check(zip_of(("[Content_Types].xml", "<Types/>"), (part, "<x/>")))


def test_a_file_over_the_limit_is_refused(client, legal, media, monkeypatch):
    monkeypatch.setattr(library_files, "MAX_MB", 0)
    made = training()
    sign_in(client, legal)
    upload = SimpleUploadedFile("slides.pdf", pdf_bytes(), "application/pdf")
    response = client.post(reverse("legal:material-add", args=[made.key]), {"file": upload})
    assert response.status_code == 400
    assert "files up to 0 MB" in str(response.context["form"].errors["file"])
    assert stored(media) == []


def test_a_visitor_may_not_add_a_material_and_a_partner_finds_none(
    client, visitor_a, partner, media
):
    made = training()
    material = TrainingMaterial.objects.create(
        training=made, file="legal/trainings/x.pdf", name="x.pdf", content_type="a", size=1
    )
    sign_in(client, visitor_a)
    upload = SimpleUploadedFile("slides.pdf", pdf_bytes(), "application/pdf")
    assert (
        client.post(reverse("legal:material-add", args=[made.key]), {"file": upload}).status_code
        == 403
    )
    assert stored(media) == []
    client.logout()
    sign_in(client, partner)
    assert client.get(reverse("legal:material-download", args=[material.key])).status_code == 404
    assert client.get(reverse("legal:material-add", args=[made.key])).status_code == 404


def test_a_material_whose_file_is_gone_is_not_found(client, visitor_a):
    material = TrainingMaterial.objects.create(
        training=training(), file="legal/trainings/gone.pdf", name="x.pdf", content_type="a", size=1
    )
    sign_in(client, visitor_a)
    assert client.get(reverse("legal:material-download", args=[material.key])).status_code == 404


def test_the_file_goes_with_its_training_once_committed(
    client, legal, media, django_capture_on_commit_callbacks
):
    made = training()
    sign_in(client, legal)
    upload = SimpleUploadedFile("slides.pdf", pdf_bytes(), "application/pdf")
    client.post(reverse("legal:material-add", args=[made.key]), {"file": upload})
    assert len(stored(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        made.delete()
    assert stored(media) == []


def test_the_detail_page_lists_the_materials_in_two_queries_after_the_session(
    client, visitor_a, django_assert_max_num_queries
):
    made = training(notes="Bring the toolkit.")
    for number in range(5):
        TrainingMaterial.objects.create(
            training=made,
            file=f"legal/trainings/{number}.pdf",
            name=f"{number}.pdf",
            content_type="application/pdf",
            size=10,
        )
    sign_in(client, visitor_a)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("legal:training-detail", args=[made.key]))
    assert response.status_code == 200
    assert response.content.count(b"PDF document") == 5
    assert b"Bring the toolkit." in response.content
