"""The files of the trainings (slides, handouts) and of the coalition's documents (the
legal toolkit, the vade-mecums, the guide for parliamentarians).

A file is accepted for what it holds, never for its name or the type the browser
claims: a PDF or an image as legal.attachments checks them, or an office document
(Word, PowerPoint, Excel, OpenDocument) recognised by its zip signature and the parts
inside (the list of the zip's entries, and at most 100 bytes of an OpenDocument's
`mimetype`: nothing else is decompressed). It is stored under a random name in the
private folder (MEDIA_ROOT/private, outside the web root): legal/trainings/ for
materials, legal/documents/ for documents, served only by legal/training_views.py after
a permission check. A file is deleted once the change is committed: with its row, or
when a new file replaces it."""

import secrets
import zipfile
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legal.attachments import content_type_of, display_name
from legal.models import Resource, TrainingMaterial
from move.privacy.files import (  # noqa: F401 (delete_on_commit: used by the views)
    delete_file,
    delete_on_commit,
    private_root,
    stored,
    write_upload,
)

TRAININGS = "legal/trainings"
DOCUMENTS = "legal/documents"
MAX_MB = 25

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

EXTENSIONS = {
    PDF: (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    DOCX: (".docx",),
    PPTX: (".pptx",),
    XLSX: (".xlsx",),
    ODT: (".odt",),
    ODP: (".odp",),
    ODS: (".ods",),
}
TYPE_OF_EXTENSION = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}
ACCEPT = ",".join([*EXTENSIONS, *TYPE_OF_EXTENSION])  # the file picker: a hint only
# The main part of an Office Open XML package, which says what it is.
_OOXML_PARTS = (
    ("word/document.xml", DOCX),
    ("ppt/presentation.xml", PPTX),
    ("xl/workbook.xml", XLSX),
)
_ODF_TYPES = {ODT, ODP, ODS}
# An OpenDocument's `mimetype` entry is a few dozen bytes: never more is read (nor
# decompressed) from it, so a zip bomb named `mimetype` costs nothing.
_MIMETYPE_MAX = 100


def kind_label(content_type: str) -> str:
    """How a type is named in the pages."""
    labels = {
        PDF: _("PDF document"),
        "image/jpeg": _("JPEG image"),
        "image/png": _("PNG image"),
        DOCX: _("Word document"),
        PPTX: _("PowerPoint presentation"),
        XLSX: _("Excel spreadsheet"),
        ODT: _("OpenDocument text"),
        ODP: _("OpenDocument presentation"),
        ODS: _("OpenDocument spreadsheet"),
    }
    return labels.get(content_type, content_type)


def not_accepted_message() -> str:
    return _(
        "This file is not a PDF document, an image (JPEG, PNG) or an office document "
        "(Word, PowerPoint, Excel, OpenDocument): only those can be added (what the file "
        "holds was checked, not its name). Choose another file."
    )


# --- What the file holds -------------------------------------------------------------


def checked_type(upload) -> str:
    """The accepted type of what `upload` holds, or ValidationError."""
    try:
        return content_type_of(upload)
    except ValidationError:
        pass
    found = _office(upload)
    upload.seek(0)
    if found is None:
        raise ValidationError(not_accepted_message(), code="type")
    return found


def _office(upload) -> str | None:
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":
        return None
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload.file) as package:
            names = package.namelist()
            if "mimetype" in names:  # OpenDocument: its type, stored first, uncompressed
                entry = package.getinfo("mimetype")
                if entry.file_size > _MIMETYPE_MAX:
                    return None
                with package.open(entry) as part:
                    kind = part.read(_MIMETYPE_MAX).decode("ascii", "replace").strip()
                return kind if kind in _ODF_TYPES else None
            if "[Content_Types].xml" not in names:
                return None
            for part, kind in _OOXML_PARTS:
                if part in names:
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError):
        return None
    return None


def safe_name(uploaded: str, content_type: str) -> str:
    """The uploaded name made safe to show and to send back (legal.attachments rules),
    with an extension of the type found."""
    if content_type in ("application/pdf", "image/jpeg", "image/png"):
        return display_name(uploaded, content_type)
    stem = display_name(Path(uploaded or "").stem + ".pdf", PDF)[: -len(".pdf")]
    suffix = EXTENSIONS[content_type][0]
    limit = TrainingMaterial._meta.get_field("name").max_length - len(suffix)
    return f"{stem[:limit]}{suffix}"


class UploadField(forms.FileField):
    """One file, checked by its content and its size; `content_type` is set on the
    upload once it is accepted."""

    default_error_messages = {
        "required": gettext_lazy("Choose a file to add."),
        "empty": gettext_lazy("This file is empty. Choose the file again, or another one."),
        "invalid": gettext_lazy("No file was received. Choose the file again."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload or not hasattr(upload, "chunks"):
            return upload
        if upload.size > MAX_MB * 1024 * 1024:
            raise ValidationError(
                _(
                    "This file is %(size)s: files up to %(limit)s MB can be added. Make it "
                    "smaller and choose it again."
                )
                % {"size": filesizeformat(upload.size), "limit": MAX_MB},
                code="too_big",
            )
        upload.content_type_found = checked_type(upload)
        return upload


def help_text() -> str:
    return _(
        "A PDF, an image (JPEG, PNG) or an office document (Word, PowerPoint, Excel, "
        "OpenDocument), up to %(limit)s MB."
    ) % {"limit": MAX_MB}


# --- Storing -------------------------------------------------------------------------------


def stored_path(name: str) -> Path | None:
    """A stored file inside the private folder (never outside it), or None."""
    return stored(name)


def write(upload, folder: str) -> str:
    """The checked upload under a random name in `folder` of the private folder; its
    name relative to the private folder. Call it before the transaction that records it,
    and `delete_file` it if that fails."""
    return write_upload(upload, folder, EXTENSIONS[upload.content_type_found][0])


def write_bytes(name: str, content: bytes) -> None:
    """A file of the demo, under its own name, written whole or not at all."""
    path = private_root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    partial.write_bytes(content)
    partial.replace(path)


def content_type_of_stored(name: str) -> str:
    return TYPE_OF_EXTENSION.get(Path(name).suffix.lower(), "application/octet-stream")


@receiver(post_delete, sender=TrainingMaterial, dispatch_uid="legal.library_files.material")
def _material_deleted(sender, instance, **kwargs):
    delete_on_commit(instance.file)


@receiver(post_delete, sender=Resource, dispatch_uid="legal.library_files.resource")
def _resource_deleted(sender, instance, **kwargs):
    delete_on_commit(instance.file_fr, instance.file_nl)
