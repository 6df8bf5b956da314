"""Meetings with the authorities (issue 12): the draft agenda carried over from the
previous meeting, the individual situations (case-file codes only), the minutes, the
agenda and minutes as PDFs (a Job) and the morning reminders of the follow-ups due.

Access lives in move/accounts/permissions.py: readers hold advocacy.view_point,
keepers advocacy.change_point."""

import logging
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.models import AgendaItem, AuthorityMeeting, FollowUpReminder, PointOfAttention
from move.accounts import emails, permissions
from move.privacy import jobs
from move.privacy.files import private_root
from move.privacy.models import Job

logger = logging.getLogger(__name__)

READ = "advocacy.view_point"
KEEP = "advocacy.change_point"
KINDS = {"agenda": "meeting-agenda", "minutes": "meeting-minutes"}
DOCUMENTS = ("agenda", "minutes")
PDF_LANGUAGES = ("fr", "nl")
JOBS_FOLDER = "jobs"
# A follow-up is reminded of from so many days before it is due (and every morning
# after, until it is done): two days leave the owner a working day to prepare it.
REMIND_DAYS_BEFORE = 2
EMAIL = "follow-up-reminder"
# Our side at a meeting: the internal roles, not the witness pool nor partners.
CODE = re.compile(r"^P-\d{4}-\d{4,}$")


def _may_download(user, job) -> bool:
    return permissions.has_perm(user, READ)


def register() -> None:
    """The two PDFs' jobs, shown on privacy:job-detail; the file is taken only by someone
    who still reads the meetings."""
    from move.privacy.views import register_job_kind

    register_job_kind(
        KINDS["agenda"], gettext_lazy("Agenda of a meeting with the authorities"), _may_download
    )
    register_job_kind(
        KINDS["minutes"], gettext_lazy("Minutes of a meeting with the authorities"), _may_download
    )


# --- Who ----------------------------------------------------------------------------------


def attendees():
    """Who may attend for us: the active people who read the points and meetings."""
    return permissions.holders("advocacy.view_point").order_by("first_name", "last_name", "email")


def attendees_of(meeting):
    """attendees(), each with `attending`: on this meeting's list already."""
    from django.db.models import Exists, OuterRef, Value

    if not meeting.pk:
        return attendees().annotate(attending=Value(False))
    through = AuthorityMeeting.our_attendees.through.objects.filter(
        authoritymeeting_id=meeting.pk, user_id=OuterRef("pk")
    )
    return attendees().annotate(attending=Exists(through))


def keepers():
    """Who may own a follow-up: the active people who keep the meetings."""
    return permissions.holders(KEEP).order_by("first_name", "last_name", "email")


def user_label(user) -> str:
    return user.get_full_name() or user.email


# --- The agenda ---------------------------------------------------------------------------


def previous_meeting(meeting: AuthorityMeeting) -> AuthorityMeeting | None:
    """The last meeting with the same authority (and centre) before this one."""
    earlier = (
        AuthorityMeeting.objects.filter(
            authority=meeting.authority, centre_id=meeting.centre_id, date__lte=meeting.date
        )
        .exclude(pk=meeting.pk)
        .order_by("-date", "-pk")
    )
    if meeting.pk:
        # On the same day, the one created before.
        earlier = earlier.exclude(date=meeting.date, pk__gt=meeting.pk)
    return earlier.first()


def carry_over(meeting: AuthorityMeeting) -> list[PointOfAttention]:
    """Every point still open that was on the previous meeting's agenda with the same
    authority, added to this draft's agenda in its previous order (after what is there
    already, never twice). The points carried over, in order."""
    if meeting.status != AuthorityMeeting.Status.DRAFT:
        return []
    previous = previous_meeting(meeting)
    if previous is None:
        return []
    with transaction.atomic():
        present = set(meeting.items.values_list("point_id", flat=True))
        last = meeting.items.aggregate(last=Max("position"))["last"]
        position = -1 if last is None else last
        carried = []
        items = (
            previous.items.filter(point__in=PointOfAttention.objects.still_open())
            .select_related("point")
            .order_by("position", "pk")
        )
        for item in items:
            if item.point_id in present:
                continue
            position += 1
            AgendaItem.objects.create(meeting=meeting, point=item.point, position=position)
            present.add(item.point_id)
            carried.append(item.point)
    return carried


def parse_situations(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Lines "P-2026-0042" or "P-2026-0042: what was asked" → [(code, note)], and the
    lines that do not start with a code."""
    found, unreadable, seen = [], [], set()
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        head, _sep, note = line.partition(" ")
        code = head.rstrip(":").upper()
        if not CODE.match(code):
            head, _sep, note = line.partition(":")
            code = head.strip().upper()
        if not CODE.match(code):
            unreadable.append(line)
            continue
        if code in seen:
            continue
        seen.add(code)
        found.append((code, note.strip().lstrip(":—–-").strip()))
    return found, unreadable


def situations_text(situations) -> str:
    return "\n".join(
        f"{situation.person.code}: {situation.note}" if situation.note else situation.person.code
        for situation in situations
    )


def hold(meeting: AuthorityMeeting) -> None:
    """The meeting is held: its points still "open" become "raised", first raised on its
    date when they never were."""
    points = PointOfAttention.objects.filter(agenda_items__meeting=meeting)
    points.filter(status=PointOfAttention.Status.OPEN).update(
        status=PointOfAttention.Status.RAISED, updated_at=timezone.now()
    )
    points.filter(first_raised_on__isnull=True).update(
        first_raised_on=meeting.date, updated_at=timezone.now()
    )


# --- PDFs ---------------------------------------------------------------------------------


def pdf_context(meeting: AuthorityMeeting, document: str) -> dict:
    items = list(
        meeting.items.select_related("point", "point__theme", "follow_up_owner").order_by(
            "position", "pk"
        )
    )
    return {
        "meeting": meeting,
        "document": document,
        "items": items,
        "situations": list(meeting.situations.select_related("person").order_by("pk")),
        "ours": [user_label(user) for user in meeting.our_attendees.order_by("first_name")],
        "generated_on": timezone.localdate(),
    }


def pdf_html(meeting: AuthorityMeeting, document: str, language: str) -> str:
    with translation.override(language):
        return render_to_string("advocacy/meeting_pdf.html", pdf_context(meeting, document))


def _progress(job: Job, progress: int, step: str) -> None:
    jobs.progress(job, progress, step)


def _failed(job: Job, reason: str) -> None:
    job.status, job.last_error, job.finished_at = Job.Status.FAILED, reason, timezone.now()
    try:
        jobs.save(job, "status", "last_error", "finished_at", release=True)
    except DatabaseError:
        logger.warning("Meeting PDF %s: its status could not be saved", job.code)


def make_pdf(job_pk: int, meeting_pk: int, document: str, language: str) -> None:
    """The agenda or the minutes of a meeting as a PDF in French or Dutch, stored under
    the private folder for the job's owner; a failure marks the job failed with a reason.
    A job finished or held by another run is left alone; a run that loses its job (queued
    again by move/privacy/jobs.py) stops quietly."""
    job = Job.objects.select_related("owner").filter(pk=job_pk).first()
    if job is None or not jobs.claim(job):
        return
    with translation.override(job.language or language):
        try:
            _make_or_fail(job, meeting_pk, document, language)
        except jobs.Superseded:
            logger.info("Meeting PDF %s: taken over by another run, this one stops", job.code)


def _make_or_fail(job: Job, meeting_pk: int, document: str, language: str) -> None:
    from visits.pdf import html_to_pdf

    try:
        if document not in DOCUMENTS or language not in PDF_LANGUAGES:
            raise ValueError(_("This document cannot be made."))
        meeting = AuthorityMeeting.objects.visible_to(job.owner).filter(pk=meeting_pk).first()
        if meeting is None:
            raise ValueError(_("This meeting is no longer there for you."))
        _progress(job, 10, _("Reading the meeting"))
        html = pdf_html(meeting, document, language)
        _progress(job, 40, _("Writing the PDF"))
        pdf = html_to_pdf(html)
        _progress(job, 90, _("Storing the PDF"))
        _store(job, meeting, document, language, pdf)
    except jobs.Superseded:
        raise
    except ValueError as refusal:
        _failed(job, str(refusal))
    except Exception:
        logger.exception("Meeting PDF %s failed", job.code)
        _failed(job, _("The PDF could not be made. Try again later."))


def _store(job: Job, meeting, document: str, language: str, pdf: bytes) -> None:
    """Written beside its place then moved there in one step (jobs.ready)."""
    folder = private_root() / JOBS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".", suffix=".part", delete=False) as out:
        partial = Path(out.name)
        out.write(pdf)
    filename = f"meeting-{meeting.date:%Y-%m-%d}-{document}-{language}.pdf"
    jobs.ready(job, partial, f"{JOBS_FOLDER}/{job.code}.pdf", filename)


# --- Follow-up reminders ------------------------------------------------------------------


def follow_ups_due(today: date):
    """Follow-ups not done, due on today + REMIND_DAYS_BEFORE at the latest (overdue
    ones included), with an active owner."""
    return (
        AgendaItem.objects.filter(
            follow_up_done=False,
            follow_up_due__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
            follow_up_owner__is_active=True,
        )
        .select_related("follow_up_owner", "meeting", "point")
        .order_by("follow_up_due", "pk")
    )


def remind_follow_ups(today: date) -> int:
    """E-mail each follow-up due to its owner, once per follow-up and day however many
    times this runs (the FollowUpReminder row is written first, in the transaction that
    sends; a failed sending rolls it back so a retry sends again). No personal data: the
    point's code and title, the meeting's date, the due date and a link. The number of
    e-mails sent."""
    from legal.reminders import site_link

    sent = 0
    for item in follow_ups_due(today):
        owner = item.follow_up_owner
        try:
            with transaction.atomic():
                _row, created = FollowUpReminder.objects.get_or_create(
                    item=item, recipient=owner, on=today
                )
                if not created:
                    continue
                emails.send(
                    EMAIL,
                    owner.email,
                    owner.language,
                    {
                        "point": item.point,
                        "meeting": item.meeting,
                        "due": item.follow_up_due,
                        "overdue": item.follow_up_due < today,
                        "link": site_link("advocacy:meeting-detail", key=item.meeting.key),
                    },
                )
        except IntegrityError:
            continue  # another run claimed it meanwhile
        sent += 1
    return sent
