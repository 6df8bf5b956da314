"""Attachments of the help desk: checked by content, stored outside the web root,
served only through a permission check, deleted with their request (issue 10)."""

from contextlib import suppress
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from legal import attachments, services
from legal.attachments import AttachmentForm
from legal.models import Attachment, HelpRequest, Message
from move.accounts import permissions
from move.accounts.permissions import Role
from tests.conftest import close_download, sign_in
from tests.factories import member, with_totp


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    return settings.MEDIA_ROOT


def pdf_bytes(pages=1):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(kind):
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, kind)
    return out.getvalue()


def upload(name="decision.pdf", data=None, content_type="application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, content_type)


def stored_files(media):
    folder = Path(media) / "private" / "legal"
    return sorted(folder.iterdir()) if folder.exists() else []


def add_url(help_request):
    return reverse("legal:attachment-add", kwargs={"key": help_request.key})


def download_url(attachment):
    return reverse("legal:attachment-download", kwargs={"key": attachment.key})


def post_file(client, user, help_request, file, **data):
    sign_in(client, user)
    fields = {f"attachment-{name}": value for name, value in data.items()}
    return client.post(add_url(help_request), {"attachment-file": file, **fields})


def attach(user, help_request, file=None, internal=False):
    """Through the form, as the view does."""
    form = AttachmentForm(
        {"attachment-internal": internal}, {"attachment-file": file or upload()}, user=user
    )
    assert form.is_valid(), form.errors
    return attachments.add(
        user,
        help_request,
        form.cleaned_data["file"],
        form.content_type,
        internal=form.cleaned_data.get("internal", False),
    )


def download(client, user, attachment):
    sign_in(client, user)
    response = client.get(download_url(attachment))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.streaming:
        close_download(response)
    return response, body


# --- What is accepted --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("decision.pdf", pdf_bytes(2), "application/pdf"),
        ("photo.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("scan.png", image_bytes("PNG"), "image/png"),
        # The name does not matter, the content does.
        ("scan.pdf", image_bytes("PNG"), "image/png"),
        ("letter", pdf_bytes(), "application/pdf"),
    ],
)
def test_pdf_and_jpeg_and_png_are_accepted_by_their_content(db, name, data, expected):
    form = AttachmentForm({}, {"attachment-file": upload(name, data, "application/octet-stream")})
    assert form.is_valid(), form.errors
    assert form.content_type == expected


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,  # a program
        b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
        b"%PDF-1.7\n<html><script>alert(1)</script></html>",  # starts like a PDF, is not one
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",  # an image, not accepted
        image_bytes("PNG")[:40],  # a PNG cut short
    ],
    ids=["exe", "html", "fake-pdf", "gif", "truncated-png"],
)
def test_a_file_that_is_not_a_pdf_or_an_image_is_refused_whatever_its_name(db, data):
    form = AttachmentForm({}, {"attachment-file": upload("x.pdf", data, "application/pdf")})
    assert not form.is_valid()
    message = form.errors["file"][0]
    assert "PDF" in message and "JPEG" in message and "PNG" in message


def test_a_file_larger_than_the_limit_is_refused_with_the_limit(db, settings):
    settings.MOVE_HELP_ATTACHMENT_MAX_MB = 1
    data = pdf_bytes() + b"%" + b"x" * (1024 * 1024)
    form = AttachmentForm({}, {"attachment-file": upload("big.pdf", data)})
    assert not form.is_valid()
    assert "1 MB" in form.errors["file"][0]
    assert form.errors.as_data()["file"][0].code == "too_big"


def test_a_file_at_the_limit_is_accepted(db, settings):
    settings.MOVE_HELP_ATTACHMENT_MAX_MB = 1
    data = image_bytes("PNG")
    data += b"\x00" * (1024 * 1024 - len(data))  # after IEND: still a PNG
    form = AttachmentForm({}, {"attachment-file": upload("scan.png", data, "image/png")})
    assert form.is_valid(), form.errors


def test_an_empty_file_is_refused(db):
    form = AttachmentForm({}, {"attachment-file": upload("empty.pdf", b"")})
    assert not form.is_valid()
    assert "empty" in form.errors["file"][0]


def test_no_file_is_refused(db):
    form = AttachmentForm({}, {})
    assert not form.is_valid()
    assert form.errors["file"] == ["Choose a file to add."]


def test_the_limit_is_told_beside_the_field(db, settings):
    settings.MOVE_HELP_ATTACHMENT_MAX_MB = 7
    assert "7 MB" in str(AttachmentForm().fields["file"].help_text)


def test_only_legal_is_offered_the_internal_box(visitor_a, legal, coordinator):
    assert "internal" in AttachmentForm(user=legal).fields
    assert "internal" not in AttachmentForm(user=visitor_a).fields
    assert "internal" not in AttachmentForm(user=coordinator).fields
    assert "internal" not in AttachmentForm().fields


@pytest.mark.parametrize(
    ("uploaded", "content_type", "expected"),
    [
        ("décision.pdf", "application/pdf", "décision.pdf"),
        ("../../etc/passwd.pdf", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\me\\scan.JPEG", "image/jpeg", "scan.JPEG"),
        ("photo\u202egpj.exe", "image/png", "photogpj.exe.png"),  # right-to-left override
        ('a<b>"c".pdf', "application/pdf", "a_b__c_.pdf"),
        ("scan.pdf", "image/png", "scan.png"),  # the type found, not the one named
        ("letter", "application/pdf", "letter.pdf"),
        ("   ", "application/pdf", "attachment.pdf"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 196 + ".pdf"),
    ],
)
def test_the_name_shown_is_sanitised(db, uploaded, content_type, expected):
    assert attachments.display_name(uploaded, content_type) == expected


# --- Adding ------------------------------------------------------------------------------


def test_the_asker_adds_a_pdf(client, visitor_a, request_a, media):
    response = post_file(client, visitor_a, request_a, upload("Décision OE.pdf"))
    assert response.status_code == 302
    detail = reverse("legal:request-detail", kwargs={"key": request_a.key})
    assert response["Location"] == f"{detail}#attachments"
    attachment = Attachment.objects.get(request=request_a)
    assert attachment.name == "Décision OE.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == visitor_a
    assert attachment.message is None
    assert attachment.size == len(pdf_bytes())
    assert [path.name for path in stored_files(media)] == [Path(attachment.file).name]


def test_the_file_is_kept_outside_the_web_root_under_a_random_name(
    client, visitor_a, request_a, media, settings
):
    post_file(client, visitor_a, request_a, upload("Décision OE.pdf"))
    attachment = Attachment.objects.get()
    path = attachments.stored_path(attachment)
    assert path.is_relative_to((Path(media) / "private" / "legal").resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert "Décision" not in path.name
    assert path.read_bytes() == pdf_bytes()


def test_adding_what_the_lawyer_waits_for_puts_the_request_back_in_the_queue(
    client, visitor_a, request_a, legal
):
    services.set_status(legal, request_a, HelpRequest.Status.WAITING)
    version = HelpRequest.objects.get(pk=request_a.pk).version
    post_file(client, visitor_a, request_a, upload("scan.png", image_bytes("PNG"), "image/png"))
    request_a.refresh_from_db()
    assert request_a.status == HelpRequest.Status.IN_PROGRESS
    assert request_a.version == version + 1


def test_a_visitor_of_the_organisation_it_is_shared_with_adds_a_file(
    client, request_a, org_a, visitor_a
):
    colleague = with_totp(member(Role.VISITOR, org_a, email="colleague@example.org"))
    assert post_file(client, colleague, request_a, upload()).status_code == 404
    permissions.share(request_a, org_a, "view_helprequest")
    assert post_file(client, colleague, request_a, upload()).status_code == 302
    assert Attachment.objects.get().uploaded_by == colleague


def test_legal_adds_an_internal_file_to_an_internal_note(client, legal, request_a):
    response = post_file(client, legal, request_a, upload("notes.pdf"), internal="on")
    assert response.status_code == 302
    attachment = Attachment.objects.select_related("message").get()
    assert attachment.internal
    assert attachment.message.kind == Message.Kind.NOTE
    assert "notes.pdf" in attachment.message.text


def test_the_asker_cannot_make_a_file_internal(client, visitor_a, request_a):
    post_file(client, visitor_a, request_a, upload(), internal="on")
    assert not Attachment.objects.get().internal
    assert not Message.objects.filter(kind=Message.Kind.NOTE).exists()


def test_legal_adds_to_a_closed_request(client, legal, request_a):
    services.set_status(legal, request_a, HelpRequest.Status.CLOSED)
    assert post_file(client, legal, request_a, upload()).status_code == 302
    assert Attachment.objects.count() == 1


def test_a_closed_request_takes_no_file_from_its_asker(client, visitor_a, request_a, legal, media):
    services.set_status(legal, request_a, HelpRequest.Status.CLOSED)
    response = post_file(client, visitor_a, request_a, upload())
    assert response.status_code == 400
    assert "This request is closed" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_refused_file_leaves_nothing_and_asks_for_the_file_again(
    client, visitor_a, request_a, media
):
    response = post_file(client, visitor_a, request_a, upload("x.pdf", b"<html></html>"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "only those can be added" in page
    assert "choose the file again" in page
    assert 'enctype="multipart/form-data"' in page
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_too_big_file_is_refused_by_the_page(client, visitor_a, request_a, media, settings):
    settings.MOVE_HELP_ATTACHMENT_MAX_MB = 1
    big = upload("big.pdf", pdf_bytes() + b"%" + b"x" * (1024 * 1024))
    response = post_file(client, visitor_a, request_a, big)
    assert response.status_code == 400
    assert "up to 1 MB" in response.content.decode()
    assert stored_files(media) == []


def test_an_empty_file_is_refused_by_the_page(client, visitor_a, request_a, media):
    response = post_file(client, visitor_a, request_a, upload("empty.pdf", b""))
    assert response.status_code == 400
    assert "This file is empty" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_failed_transaction_leaves_no_file(visitor_a, request_a, media, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Attachment.objects, "create", broken)
    with pytest.raises(RuntimeError):
        attach(visitor_a, request_a)
    assert stored_files(media) == []
    assert not Attachment.objects.exists()


def test_a_request_closed_while_the_file_travelled_keeps_nothing(
    visitor_a, request_a, legal, media
):
    form = AttachmentForm({}, {"attachment-file": upload()}, user=visitor_a)
    assert form.is_valid()
    services.set_status(legal, request_a, HelpRequest.Status.CLOSED)  # the page is older
    request_a.status = HelpRequest.Status.NEW
    with pytest.raises(services.HelpDeskError):
        attachments.add(visitor_a, request_a, form.cleaned_data["file"], form.content_type)
    assert stored_files(media) == []
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("visitor_b", 404),
        ("partner", 404),
        ("advocacy", 404),
        ("witness_pool", 404),
        ("coordinator", 403),
    ],
)
def test_who_may_not_add_a_file(persona_client, request_a, media, persona, status):
    response = persona_client(persona).post(add_url(request_a), {"attachment-file": upload()})
    assert response.status_code == status
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_colleague_of_the_asker_does_not_find_an_unshared_request(client, request_a, org_a):
    colleague = with_totp(member(Role.VISITOR, org_a, email="colleague@example.org"))
    assert post_file(client, colleague, request_a, upload()).status_code == 404


def test_the_asker_may_not_add_to_a_phone_request(client, visitor_a, caller_request):
    assert post_file(client, visitor_a, caller_request, upload()).status_code == 404


def test_adding_answers_post_only(client, visitor_a, request_a):
    sign_in(client, visitor_a)
    assert client.get(add_url(request_a)).status_code == 405


# --- Downloading -------------------------------------------------------------------------


def test_the_asker_downloads_their_file(client, visitor_a, request_a):
    attachment = attach(visitor_a, request_a, upload("Décision OE.pdf"))
    response, body = download(client, visitor_a, attachment)
    assert response.status_code == 200
    assert body == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''D%C3%A9cision%20OE.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache


def test_an_image_is_sent_with_the_type_found_in_it(client, visitor_a, request_a):
    attachment = attach(visitor_a, request_a, upload("scan.pdf", image_bytes("JPEG"), "x/y"))
    response, _body = download(client, visitor_a, attachment)
    assert response["Content-Type"] == "image/jpeg"
    assert 'filename="scan.jpg"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("visitor_a", 200),
        ("visitor_b", 404),
        ("partner", 404),
        ("advocacy", 404),
        ("witness_pool", 404),
        ("legal", 200),
        ("coordinator", 200),
    ],
)
def test_who_downloads_a_file(persona_client, visitor_a, request_a, persona, status):
    attachment = attach(visitor_a, request_a)
    response = persona_client(persona).get(download_url(attachment))
    if response.streaming:
        close_download(response)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("visitor_a", 404),
        ("visitor_b", 404),
        ("partner", 404),
        ("legal", 200),
        ("coordinator", 200),
    ],
)
def test_an_internal_file_only_for_the_readers_of_internal_notes(
    persona_client, legal, request_a, persona, status
):
    attachment = attach(legal, request_a, internal=True)
    response = persona_client(persona).get(download_url(attachment))
    if response.streaming:
        close_download(response)
    assert response.status_code == status


def test_a_file_missing_on_disk_is_not_found(client, visitor_a, request_a):
    attachment = attach(visitor_a, request_a)
    attachments.stored_path(attachment).unlink()
    response, _body = download(client, visitor_a, attachment)
    assert response.status_code == 404


def test_a_row_pointing_outside_the_private_folder_serves_nothing(
    client, visitor_a, request_a, media
):
    outside = Path(media) / "secret.pdf"
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_bytes(pdf_bytes())
    attachment = attach(visitor_a, request_a)
    Attachment.objects.filter(pk=attachment.pk).update(file="../secret.pdf")
    response, _body = download(client, visitor_a, attachment)
    assert response.status_code == 404


# --- Deleting ----------------------------------------------------------------------------


def test_the_file_is_deleted_with_its_request(
    visitor_a, legal, request_a, media, django_capture_on_commit_callbacks
):
    kept = attach(visitor_a, request_a)
    internal = attach(legal, request_a, internal=True)
    paths = [attachments.stored_path(kept), attachments.stored_path(internal)]
    assert all(path.is_file() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        HelpRequest.objects.get(pk=request_a.pk).delete()
    assert not Attachment.objects.exists()
    assert not any(path.exists() for path in paths)
    assert stored_files(media) == []


def test_the_file_is_deleted_with_its_row(visitor_a, request_a, django_capture_on_commit_callbacks):
    attachment = attach(visitor_a, request_a)
    path = attachments.stored_path(attachment)
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
    assert not path.exists()


def test_a_deletion_rolled_back_keeps_the_file(
    visitor_a, request_a, django_capture_on_commit_callbacks
):
    attachment = attach(visitor_a, request_a)
    path = attachments.stored_path(attachment)
    with (
        django_capture_on_commit_callbacks(execute=True),
        suppress(RuntimeError),
        transaction.atomic(),
    ):
        HelpRequest.objects.get(pk=request_a.pk).delete()
        raise RuntimeError("changed my mind")
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert path.is_file()


# --- The list on the request's page ------------------------------------------------------


def render_partial(user, help_request, form=None):
    request = RequestFactory().get("/")
    request.user = user
    context = {
        "help_request": help_request,
        "attachments": attachments.visible_attachments(user, help_request),
        "attachment_form": form,
    }
    return render_to_string("legal/request_attachments.html", context, request=request)


def test_the_list_shows_name_type_size_and_who_added_it(visitor_a, legal, request_a):
    attach(visitor_a, request_a, upload("Décision OE.pdf"))
    attach(legal, request_a, upload("photo.png", image_bytes("PNG"), "image/png"), internal=True)
    for_legal = render_partial(legal, request_a, AttachmentForm(user=legal))
    assert "Décision OE.pdf" in for_legal and "PDF document" in for_legal
    assert "photo.png" in for_legal and "(internal)" in for_legal and "PNG image" in for_legal
    assert "bytes" in for_legal  # a human unit
    assert str(visitor_a) in for_legal
    assert 'accept="application/pdf,image/jpeg,image/png"' in for_legal
    assert 'enctype="multipart/form-data"' in for_legal
    assert 'name="attachment-internal"' in for_legal
    for_asker = render_partial(visitor_a, request_a, AttachmentForm(user=visitor_a))
    assert "Décision OE.pdf" in for_asker and "photo.png" not in for_asker
    assert 'name="attachment-internal"' not in for_asker


def test_the_list_without_a_form_offers_no_upload(visitor_a, request_a):
    assert "<form" not in render_partial(visitor_a, request_a)


def test_the_list_costs_the_same_queries_whatever_its_length(
    visitor_a, legal, request_a, django_assert_num_queries
):
    attach(visitor_a, request_a)
    legal_reader = type(legal).objects.get(pk=legal.pk)
    with django_assert_num_queries(2):  # the attachments; the reader's roles
        render_partial(legal_reader, request_a)
    for _ in range(4):
        attach(legal, request_a, internal=True)
    legal_reader = type(legal).objects.get(pk=legal.pk)
    with django_assert_num_queries(2):
        page = render_partial(legal_reader, request_a)
    assert page.count("/legal/help/attachments/") == 5
