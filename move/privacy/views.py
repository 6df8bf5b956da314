from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from move.accounts.forms import PeriodFilterForm
from move.accounts.mixins import PermissionRequiredMixin
from move.privacy import access, jobs
from move.privacy.models import AccessLogEntry, Job

# What each kind of job is called on its page, and who may still take its file; apps
# that start jobs add theirs.
JOB_KINDS: dict[str, str] = {}
_MAY_DOWNLOAD: dict[str, Callable] = {}


def register_job_kind(kind: str, label, may_download: Callable | None = None) -> None:
    """`may_download(user, job)`: asked again at download time, so that someone who
    lost the right to the data since the job ran (left the organisation) gets nothing."""
    JOB_KINDS[kind] = label
    if may_download is not None:
        _MAY_DOWNLOAD[kind] = may_download


class AccessLogFilterForm(PeriodFilterForm):
    person = forms.CharField(label=gettext_lazy("Person (code)"), required=False, max_length=40)
    user = forms.CharField(
        label=gettext_lazy("Who (e-mail address or number)"), required=False, max_length=254
    )
    field_order = ["person", "user", "date_from", "date_to"]

    def apply(self, entries):
        """The entries matching the valid filters (an invalid one is left out)."""
        data = self.cleaned_data if self.is_bound else {}
        if person := (data.get("person") or "").strip():
            # Codes are upper case: "p-2026-0042" finds P-2026-0042, along the index.
            entries = entries.filter(subject__in={person, person.upper()})
        if who := (data.get("user") or "").strip():
            if who.isascii() and who.isdecimal():
                entries = entries.filter(user_id=int(who)) if len(who) < 19 else entries.none()
            else:
                entries = entries.filter(user_label__icontains=who)
        # Whole days in the local time zone, as bounds on the indexed timestamp.
        if start := data.get("date_from"):
            entries = entries.filter(at__gte=_midnight(start))
        if end := data.get("date_to"):
            entries = entries.filter(at__lt=_midnight(end + timedelta(days=1)))
        return entries


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class AccessLogList(PermissionRequiredMixin, ListView):
    """Who read or handled whose personal data: coordinators only, newest first."""

    permission = "privacy.view_access_log"
    template_name = "privacy/accesslog_list.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        self.form = AccessLogFilterForm(self.request.GET or None)
        if self.form.is_bound and not self.form.is_valid():
            messages.error(self.request, _("Some filters could not be read; they are left out."))
        entries = AccessLogEntry.objects.visible_to(self.request.user)
        return self.form.apply(entries).order_by("-at", "-pk")

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs) | {
            "form": self.form,
            "filters": query.urlencode(),
        }


class OwnJobMixin(LoginRequiredMixin):
    """A job and its file are its requester's alone: anyone else gets 404."""

    def get_job(self) -> Job:
        return get_object_or_404(
            Job.objects.visible_to(self.request.user), code=self.kwargs["code"]
        )


class JobDetail(OwnJobMixin, DetailView):
    """A job's status and progress; the page polls its own status part until done."""

    context_object_name = "job"

    def get_object(self, queryset=None):
        return self.get_job()

    def get_template_names(self):
        if self.request.htmx:
            return ["privacy/job_status.html"]
        return ["privacy/job_detail.html"]

    def get_context_data(self, **kwargs):
        job = self.object
        return super().get_context_data(**kwargs) | {
            "kind": JOB_KINDS.get(job.kind, job.kind),
            # The truth about a job whose worker died (move/privacy/jobs.py): silent for
            # too long, it is being started again, or it failed and may be tried again.
            "silent": jobs.silent(job),
            "max_attempts": jobs.max_attempts(),
            "may_retry": jobs.may_retry(job),
        }


class JobRetry(OwnJobMixin, View):
    """POST: start a failed job again ("Try again"), with the task and the arguments it
    recorded; the work checks again whether its owner may still have it done. Anything
    but a failed job is left as it is. Back to the job's page either way."""

    http_method_names = ["post"]

    def post(self, request, code):
        job = self.get_job()
        if jobs.retry(job):
            messages.success(request, _("The job starts again."))
        elif job.status == Job.Status.FAILED:
            messages.error(request, _("This job cannot be started again: start a new one."))
        return redirect("privacy:job-detail", code=job.code)


@method_decorator(never_cache, name="dispatch")  # the file may hold identities
class JobDownload(OwnJobMixin, View):
    def get(self, request, code):
        job = self.get_job()
        if job.status != Job.Status.READY or not job.file:
            raise Http404
        if not _MAY_DOWNLOAD.get(job.kind, lambda user, job: True)(request.user, job):
            raise Http404
        path = job_path(job)
        if path is None or not path.is_file():
            raise Http404
        access.record(request.user, AccessLogEntry.Action.DOWNLOAD, job.subject, request.path)
        return FileResponse(path.open("rb"), as_attachment=True, filename=job.filename or path.name)


def job_path(job: Job) -> Path | None:
    """The job's file inside the private folder (never outside it)."""
    root = (Path(settings.MEDIA_ROOT) / "private").resolve()
    path = (root / job.file).resolve()
    return path if path.is_relative_to(root) else None
