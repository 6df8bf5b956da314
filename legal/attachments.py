"""Attachments of the help desk: decisions and letters joined to a request (issue 10).

A file is accepted for what it holds, never for its name or the type the browser
claims: a PDF that pypdf opens, or a JPEG or PNG image that Pillow verifies. It is
stored under a random name in the private folder (MEDIA_ROOT/private/legal, outside
the web root), served only by legal/attachment_views.py after a permission check, and
deleted from the disk when its row is deleted — with its request, by cascade, too.

An attachment marked internal hangs on an internal note of the thread (a Message of
kind NOTE): only legal and the coordinators read it, as the notes themselves."""

import re
import unicodedata
import warnings
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legal.models import Attachment, HelpRequest, Message
from legal.services import HelpDeskError, closed_message
from move.accounts import permissions
from move.privacy.files import delete_file, stored, write_upload

FOLDER = "legal"

# What may be attached, by the type found in the content, with the extensions its
# name may end with (the first one is given to a name that ends with none of them).
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
ACCEPT = ",".join(EXTENSIONS)  # the browser's file picker: a hint only
_KNOWN_EXTENSIONS = {ext for extensions in EXTENSIONS.values() for ext in extensions}
_PILLOW_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
NAME_MAX_LENGTH = Attachment._meta.get_field("name").max_length
_UNSAFE_IN_NAME = re.compile(r'[<>:"/\\|?*]')


def max_bytes() -> int:
    return settings.MOVE_HELP_ATTACHMENT_MAX_MB * 1024 * 1024


def not_accepted_message() -> str:
    return _(
        "This file is not a PDF document, a JPEG image or a PNG image: only those can be "
        "added (what the file holds was checked, not its name). Choose another file."
    )


# --- What the file holds -------------------------------------------------------------


def content_type_of(upload) -> str:
    """The accepted type of what `upload` holds, or ValidationError."""
    found = _pdf(upload) or _image(upload)
    upload.seek(0)
    if found is None:
        raise ValidationError(not_accepted_message(), code="type")
    return found


def _pdf(upload) -> str | None:
    from pypdf import PdfReader

    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        return None
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a slightly damaged PDF still opens
            reader = PdfReader(upload.file, strict=False)
            if not reader.is_encrypted and len(reader.pages) < 1:
                return None
    except Exception:  # pypdf raises many kinds of errors on what is not a PDF
        return None
    return "application/pdf"


def _image(upload) -> str | None:
    from PIL import Image

    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a very large image: verify() decodes nothing
            with Image.open(upload.file) as image:
                kind = _PILLOW_TYPES.get(image.format)
                if kind is not None:
                    image.verify()
    except Exception:  # Pillow raises many kinds of errors on what is not an image
        return None
    return kind


def display_name(uploaded: str, content_type: str) -> str:
    """The uploaded name made safe to show and to send back in a download: its last
    path part, without control or reserved characters, ending with an extension of
    the type found in the content, at most NAME_MAX_LENGTH characters."""
    name = unicodedata.normalize("NFC", uploaded or "")
    name = re.split(r"[/\\]", name)[-1]
    # Control and format characters (a right-to-left override turns "fdp.exe" around).
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(_UNSAFE_IN_NAME.sub("_", name).split()).strip(" .")
    stem, suffix = _split_extension(name)
    extensions = EXTENSIONS[content_type]
    if suffix.lower() not in extensions:
        suffix = extensions[0]
    stem = stem[: NAME_MAX_LENGTH - len(suffix)].rstrip(" .") or _("attachment")
    return f"{stem}{suffix}"


def _split_extension(name: str) -> tuple[str, str]:
    """A known extension is split off (to be kept, or replaced when it says another
    type); any other stays in the name, and the right one is added after it."""
    suffix = Path(name).suffix
    if suffix.lower() in _KNOWN_EXTENSIONS:
        return name[: -len(suffix)], suffix
    return name, ""


# --- The form --------------------------------------------------------------------------


class AttachmentForm(forms.Form):
    """One file; legal may also mark it internal. Given `user`, the "internal" box is
    offered to those who read internal notes and answer (legal) only. Its fields are
    prefixed: the request's page holds other forms."""

    prefix = "attachment"

    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": gettext_lazy("Choose a file to add."),
            "empty": gettext_lazy("This file is empty. Choose the file again, or another one."),
            "invalid": gettext_lazy("No file was received. Choose the file again."),
        },
    )
    internal = forms.BooleanField(
        label=gettext_lazy("Internal"),
        required=False,
        help_text=gettext_lazy(
            "Only legal and the coordinators see an internal file; the person who asked "
            "does not. It is added to the thread as an internal note."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.content_type = ""
        self.fields["file"].help_text = _(
            "A PDF document, or a JPEG or PNG image (a photo or a scan), up to %(limit)s MB."
        ) % {"limit": settings.MOVE_HELP_ATTACHMENT_MAX_MB}
        if user is None or not permissions.may_answer_help_request(user):
            del self.fields["internal"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise ValidationError(
                _(
                    "This file is %(size)s: files up to %(limit)s MB can be added. Make it "
                    "smaller (a scan in a lower resolution, or fewer pages) and choose it again."
                )
                % {
                    "size": filesizeformat(upload.size),
                    "limit": settings.MOVE_HELP_ATTACHMENT_MAX_MB,
                },
                code="too_big",
            )
        self.content_type = content_type_of(upload)
        return upload


# --- Who reads and adds ------------------------------------------------------------------


def _without_internal(attachments, user):
    """Internal attachments only for those who read the internal notes."""
    if permissions.reads_internal_notes(user):
        return attachments
    public = [kind for kind in Message.Kind.values if kind != Message.Kind.NOTE]
    return attachments.filter(Q(message__isnull=True) | Q(message__kind__in=public))


def readable_attachments(user):
    """The attachments `user` may download: of a request they see, and internal ones
    only for the readers of internal notes. One query."""
    attachments = Attachment.objects.filter(request__in=HelpRequest.objects.visible_to(user))
    return _without_internal(attachments, user).select_related("message", "uploaded_by")


def visible_attachments(user, help_request):
    """The attachments of a request `user` already sees (its page): one query."""
    attachments = Attachment.objects.filter(request=help_request)
    return _without_internal(attachments, user).select_related("message", "uploaded_by")


def may_add(user, help_request) -> bool:
    """Legal on any request; its asker (and the visitors it is shared with) too, while
    it is open — that is checked apart, with its own message. The request must be
    visible to `user` (callers check it first: else 404)."""
    return permissions.may_add_information(user, help_request)


def require_add(user, help_request) -> None:
    if not may_add(user, help_request):
        raise PermissionDenied(
            _("Only the person who asked and the lawyer add files to a request.")
        )


def refusal(user, help_request) -> str | None:
    """Why `user` may not add to this request now (it is closed), or None."""
    if help_request.is_open or permissions.may_answer_help_request(user):
        return None
    return closed_message()


# --- Storing ---------------------------------------------------------------------------


def stored_path(attachment: Attachment) -> Path | None:
    """The attachment's file inside the private folder (never outside it)."""
    return stored(attachment.file)


def add(user, help_request, upload, content_type: str, *, internal: bool = False) -> Attachment:
    """Store `upload` (already checked by AttachmentForm) and record it: the file is
    written first, then the rows in one transaction; if that fails, the file is removed.
    Call it outside a transaction: one rolled back around it would leave the file."""
    require_add(user, help_request)
    if reason := refusal(user, help_request):
        raise HelpDeskError(reason)
    stored = _write(upload, content_type)
    try:
        return _record(user, help_request, upload, content_type, stored, internal)
    except BaseException:
        delete_file(stored)
        raise


def _write(upload, content_type: str) -> str:
    """The upload under a random name in the private folder; its name relative to it."""
    return write_upload(upload, FOLDER, EXTENSIONS[content_type][0])


@transaction.atomic
def _record(user, help_request, upload, content_type, stored, internal) -> Attachment:
    locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if reason := refusal(user, locked):  # closed since the page was shown
        raise HelpDeskError(reason)
    legal = permissions.may_answer_help_request(user)
    name = display_name(upload.name, content_type)
    now = timezone.now()
    note = None
    if internal and legal:
        note = Message.objects.create(
            request=locked,
            kind=Message.Kind.NOTE,
            author=user,
            text=_("File added: %(name)s") % {"name": name},
            created_at=now,
        )
    attachment = Attachment.objects.create(
        request=locked,
        message=note,
        file=stored,
        name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )
    changes = {"updated_at": now, "version": F("version") + 1}
    if not legal and locked.status in (HelpRequest.Status.WAITING, HelpRequest.Status.ANSWERED):
        # As more information from the asker (services.add_message): back in the queue.
        changes["status"] = HelpRequest.Status.IN_PROGRESS
    HelpRequest.objects.filter(pk=locked.pk).update(**changes)
    return attachment


@receiver(post_delete, sender=Attachment, dispatch_uid="legal.attachments.delete_file")
def delete_stored_file(sender, instance, **kwargs):
    """The file goes with its row (its request's deletion cascades here too), once the
    deletion is committed: a deletion rolled back keeps its file."""
    name = instance.file
    transaction.on_commit(lambda: delete_file(name), robust=True)
