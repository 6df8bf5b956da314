"""The PDF of a decision: checked by what it holds (legal/attachments.py's
`content_type_of`, a PDF only here), stored under a random name in
MEDIA_ROOT/private/legal/decisions/ (outside the web root), served only by
legal/decision_views.py after the permission check. A replaced or removed file is
deleted once the change is committed; a change rolled back keeps it."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from legal.attachments import content_type_of, display_name
from legal.models import Decision
from move.privacy.files import delete_on_commit, stored, write_upload

FOLDER = "legal/decisions"
PDF = "application/pdf"
NAME_MAX_LENGTH = Decision._meta.get_field("pdf_name").max_length


def max_bytes() -> int:
    """The same limit as the help desk's attachments."""
    return settings.MOVE_HELP_ATTACHMENT_MAX_MB * 1024 * 1024


def check(upload) -> None:
    """ValidationError unless `upload` is a PDF (by its content) within the size limit."""
    if upload.size > max_bytes():
        raise ValidationError(
            _(
                "This file is %(size)s: a decision's PDF may be up to %(limit)s MB. Make it "
                "smaller (a scan in a lower resolution) and choose it again."
            )
            % {"size": filesizeformat(upload.size), "limit": settings.MOVE_HELP_ATTACHMENT_MAX_MB},
            code="too_big",
        )
    try:
        found = content_type_of(upload)
    except ValidationError:
        found = None
    if found != PDF:
        raise ValidationError(
            _(
                "This file is not a PDF document: only the decision as a PDF can be added "
                "(what the file holds was checked, not its name). Choose another file."
            ),
            code="type",
        )


def write(upload) -> str:
    """The upload under a random name in the private folder; its name relative to it."""
    return write_upload(upload, FOLDER, ".pdf")


def file_name(upload) -> str:
    """The uploaded name made safe to show and to send back, at most as long as the
    column."""
    name = display_name(upload.name, PDF)
    if len(name) > NAME_MAX_LENGTH:
        name = name[: NAME_MAX_LENGTH - 4].rstrip(" .") + ".pdf"
    return name


def stored_path(decision) -> Path | None:
    """The decision's file inside the private folder (never outside it), or None."""
    return stored(decision.pdf)


@receiver(post_delete, sender=Decision, dispatch_uid="legal.decision_files.delete_file")
def delete_stored_file(sender, instance, **kwargs):
    """The file goes with its decision, once the deletion is committed."""
    delete_on_commit(instance.pdf)
