"""Subject access: the owning organisation's visitors export everything held on one
person (DESIGN.md §4). The page says what the export holds; the export itself is a
background job (detainees/tasks.py) whose progress and file are on privacy:job-detail."""

from django.db import transaction
from django.shortcuts import redirect
from django.utils import translation

from detainees.tasks import export_person
from detainees.views import PersonView
from move.privacy import jobs
from move.privacy.models import Job

KIND = "subject_access"


class PersonExport(PersonView):
    """Only the owning organisation's visitors export (PersonView: 404 if not visible,
    403 if not theirs)."""

    def get(self, request, key):
        earlier = Job.objects.visible_to(request.user).filter(kind=KIND, subject=self.person.code)
        return self.page("detainees/person_export.html", earlier=list(earlier[:5]))

    def post(self, request, key):
        with transaction.atomic():
            # A second click while an export is on its way follows that one.
            job = (
                Job.objects.visible_to(request.user)
                .filter(kind=KIND, subject=self.person.code)
                .filter(status__in=[Job.Status.PENDING, Job.Status.PROCESSING])
                .first()
            )
            if job is None:
                job = Job.objects.create(
                    owner=request.user,
                    kind=KIND,
                    subject=self.person.code,
                    language=translation.get_language()[:2],
                )
                jobs.enqueue(job, export_person, job.pk)
        return redirect("privacy:job-detail", code=job.code)
