"""The coalition's documents (issue 11): a file in French and one in Dutch; a public
document is downloaded by anyone, an internal one by internal roles only; legal and the
coordinators keep them; the list says which language still lacks a file."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from legal import library_files, training_views
from legal.demo_library import pdf_with_line
from legal.models import Resource
from legal.training_forms import ResourceForm
from tests.conftest import close_download, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def put(media, name, data=b"%PDF-1.4\n"):
    path = Path(media) / "private" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return name


def resource(media, *, public=False, languages=("fr", "nl"), **fields):
    files = {
        f"file_{code}": put(media, f"legal/documents/{code}-{public}.pdf") for code in languages
    }
    return Resource.objects.create(
        kind=fields.pop("kind", "toolkit"),
        title_fr=fields.pop("title_fr", "Boîte à outils juridique"),
        title_nl=fields.pop("title_nl", "Juridische toolkit"),
        public=public,
        **files,
        **fields,
    )


def documents(media):
    folder = Path(media) / "private" / "legal" / "documents"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def pdf(name="toolkit.pdf", text="Toolkit"):
    return SimpleUploadedFile(name, pdf_with_line(text), "application/pdf")


def form(**overrides):
    return {
        "kind": "guide",
        "title_fr": "Guide pour les parlementaires",
        "title_nl": "Gids voor parlementsleden",
        "description_fr": "",
        "description_nl": "",
    } | overrides


def file_url(document, language):
    return reverse("legal:resource-file", args=[document.key, language])


def body(response):
    data = b"".join(response.streaming_content)
    close_download(response)
    return data


# --- Downloading ---------------------------------------------------------------------------


def test_a_public_document_is_downloaded_by_anyone_signed_in_or_not(client, partner, media):
    document = resource(media, public=True)
    response = client.get(file_url(document, "nl"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="juridische-toolkit-nl.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == b"%PDF-1.4\n"
    sign_in(client, partner)
    assert body(client.get(file_url(document, "fr"))) == b"%PDF-1.4\n"


def test_an_internal_document_is_for_internal_roles_only(client, visitor_a, partner, media):
    document = resource(media)
    response = client.get(file_url(document, "fr"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    sign_in(client, partner)
    assert client.get(file_url(document, "fr")).status_code == 404
    client.logout()
    sign_in(client, visitor_a)
    assert body(client.get(file_url(document, "fr"))) == b"%PDF-1.4\n"


def test_another_language_or_a_missing_file_is_not_found(client, visitor_a, media):
    document = resource(media, public=True, languages=("fr",))
    assert client.get(file_url(document, "en")).status_code == 404
    assert client.get(file_url(document, "nl")).status_code == 404
    (Path(media) / "private" / document.file_fr).unlink()
    assert client.get(file_url(document, "fr")).status_code == 404


def test_an_unknown_document_asks_the_anonymous_to_sign_in_as_an_internal_one_does(client):
    import uuid

    response = client.get(reverse("legal:resource-file", args=[uuid.uuid4(), "fr"]))
    assert response.status_code == 302


# --- The list ------------------------------------------------------------------------------


def test_the_list_says_which_language_lacks_a_file(client, advocacy, media):
    resource(media, kind="vade_mecum", title_fr="Vade-mecum prison", languages=("fr",))
    resource(media, public=True, title_fr="Toolkit")
    sign_in(client, advocacy)
    response = client.get(reverse("legal:resource-list"))
    assert response.status_code == 200
    assert response.context["incomplete"] == 1
    assert b"No file in Dutch" in response.content
    assert b"Add a document" not in response.content


def test_a_partner_is_refused_the_list(client, partner):
    sign_in(client, partner)
    assert client.get(reverse("legal:resource-list")).status_code == 403


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_costs_the_same_queries_at_2_and_30_rows(
    client, legal, media, rows, django_assert_max_num_queries
):
    for number in range(rows):
        resource(media, title_fr=f"Document {number}", public=number % 2 == 0)
    sign_in(client, legal)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("legal:resource-list"))
    assert len(response.context["resources"]) == rows


def test_the_list_has_fifty_documents_a_page_and_counts_the_incomplete_on_all(
    client, legal, media, django_assert_max_num_queries
):
    Resource.objects.bulk_create(
        Resource(kind="guide", title_fr=f"Guide {number}", title_nl=f"Gids {number}")
        for number in range(52)
    )  # no files: each is incomplete
    resource(media, title_fr="Complete")
    sign_in(client, legal)
    client.get(reverse("home"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("legal:resource-list"))
    assert len(response.context["resources"]) == 50
    assert response.context["incomplete"] == 52
    assert "Page 1 of 2" in response.content.decode()
    with django_assert_max_num_queries(8):
        response = client.get(reverse("legal:resource-list"), {"page": 2})
    assert len(response.context["resources"]) == 3
    assert response.context["incomplete"] == 52


def test_a_document_without_a_dutch_title_is_counted_incomplete(client, legal, media):
    resource(media, title_nl="")
    resource(media, title_nl=None)
    resource(media)
    sign_in(client, legal)
    assert client.get(reverse("legal:resource-list")).context["incomplete"] == 2


# --- Keeping the documents -----------------------------------------------------------------


def test_legal_adds_a_document_with_its_two_files(client, legal, media):
    sign_in(client, legal)
    assert client.get(reverse("legal:resource-create")).status_code == 200
    response = client.post(
        reverse("legal:resource-create"),
        form(public="on", file_fr_upload=pdf("guide-fr.pdf"), file_nl_upload=pdf("gids.pdf")),
    )
    assert response.status_code == 302
    document = Resource.objects.get()
    assert document.public
    assert document.file_fr.startswith("legal/documents/")
    assert document.file_nl.startswith("legal/documents/")
    assert len(documents(media)) == 2


def test_a_refused_file_stores_nothing_and_keeps_what_was_typed(client, coordinator, media):
    sign_in(client, coordinator)
    text = SimpleUploadedFile("guide.pdf", b"not a pdf at all", "application/pdf")
    response = client.post(
        reverse("legal:resource-create"),
        form(file_fr_upload=pdf(), file_nl_upload=text, description_fr="Pour les élus"),
    )
    assert response.status_code == 400
    assert "not a PDF document" in str(response.context["form"].errors["file_nl_upload"])
    assert "Pour les élus" in response.content.decode()
    assert not Resource.objects.exists()
    assert documents(media) == []


def test_a_document_needs_a_title(client, legal, media):
    sign_in(client, legal)
    response = client.post(reverse("legal:resource-create"), form(title_fr="", title_nl=""))
    assert response.status_code == 400
    assert not Resource.objects.exists()


def test_a_new_file_replaces_the_old_one_which_is_deleted_once_committed(
    client, legal, media, django_capture_on_commit_callbacks
):
    document = resource(media)
    old = document.file_fr
    sign_in(client, legal)
    update = reverse("legal:resource-update", args=[document.key])
    seen = client.get(update).context["form"]["seen"].value()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            update, form(kind="toolkit", seen=seen, file_fr_upload=pdf(), remove_nl="on")
        )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.file_fr != old
    assert document.file_nl == ""
    assert documents(media) == [Path(document.file_fr).name]


def test_a_change_saved_meanwhile_is_not_overwritten(client, legal, coordinator, media):
    document = resource(media)
    sign_in(client, legal)
    update = reverse("legal:resource-update", args=[document.key])
    seen = client.get(update).context["form"]["seen"].value()
    Resource.objects.filter(pk=document.pk).update(title_fr="Changed by the coordinator")
    document.refresh_from_db()
    document.save()  # a newer updated_at, as a save by someone else
    response = client.post(update, form(kind="toolkit", seen=seen, title_fr="Mine"))
    assert response.status_code == 400
    assert "Someone else saved this document" in response.content.decode()
    assert "Mine" in response.content.decode()
    document.refresh_from_db()
    assert document.title_fr == "Changed by the coordinator"


def test_two_saves_over_the_same_version_keep_the_first_and_leave_no_file_behind(
    media, django_capture_on_commit_callbacks
):
    document = resource(media)
    old_fr = document.file_fr
    seen = document.updated_at.isoformat()
    first = ResourceForm(
        form(kind="toolkit", seen=seen),
        {"file_fr_upload": pdf("first.pdf", "First")},
        instance=Resource.objects.get(pk=document.pk),
    )
    second = ResourceForm(
        form(kind="toolkit", seen=seen, title_fr="Second"),
        {"file_fr_upload": pdf("second.pdf", "Second")},
        instance=Resource.objects.get(pk=document.pk),
    )
    assert first.is_valid() and second.is_valid()  # both against the same version
    with django_capture_on_commit_callbacks(execute=True):
        saved = training_views.save_resource(first)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(training_views.Concurrent),
    ):
        training_views.save_resource(second)
    assert "Someone else saved this document" in str(second.non_field_errors())
    document.refresh_from_db()
    assert document.file_fr == saved.file_fr != old_fr
    assert document.title_fr == "Guide pour les parlementaires"
    # Only the first one's new file and the Dutch file kept: the old French file was
    # deleted once replaced, the second one's never outlives its refusal.
    assert documents(media) == sorted([Path(document.file_fr).name, Path(document.file_nl).name])


def test_a_failed_save_removes_every_file_it_wrote(media, monkeypatch):
    document = resource(media)
    before = documents(media)
    chosen = ResourceForm(
        form(kind="toolkit", seen=document.updated_at.isoformat()),
        {"file_fr_upload": pdf("fr.pdf"), "file_nl_upload": pdf("nl.pdf")},
        instance=document,
    )
    assert chosen.is_valid()
    real_write = library_files.write
    calls = []

    def write_then_fail(upload, folder):
        calls.append(upload)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_write(upload, folder)

    monkeypatch.setattr(library_files, "write", write_then_fail)
    with pytest.raises(OSError):
        training_views.save_resource(chosen)
    assert documents(media) == before


def test_keeping_is_refused_to_other_roles(client, visitor_a, partner, media):
    document = resource(media, public=True)
    sign_in(client, visitor_a)
    assert client.get(reverse("legal:resource-create")).status_code == 403
    assert client.get(reverse("legal:resource-update", args=[document.key])).status_code == 403
    client.logout()
    sign_in(client, partner)
    # Even a public document is not found by a partner on the editing page.
    assert client.get(reverse("legal:resource-update", args=[document.key])).status_code == 404


def test_the_files_go_with_their_document_once_committed(media, django_capture_on_commit_callbacks):
    document = resource(media)
    assert len(documents(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        document.delete()
    assert documents(media) == []


def test_the_demo_pdfs_are_valid_and_say_their_title():
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf_with_line("Boîte à outils (35 pages)")))
    assert len(reader.pages) == 1
    assert "Boîte à outils (35 pages)" in reader.pages[0].extract_text()
