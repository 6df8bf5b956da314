"""Subject access: the owning organisation's visitors export everything held on one
person (DESIGN.md §4). The page says what the export holds; the export itself is a
background job (detainees/tasks.py) whose progress and file are on privacy:job-detail."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.views.generic import TemplateView

from detainees.models import Person
from detainees.tasks import export_person
from move.accounts import permissions
from move.privacy.models import Job

KIND = "subject_access"


class PersonExport(LoginRequiredMixin, TemplateView):
    template_name = "detainees/person_export.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Not visible: 404; visible but not one's own organisation's: 403.
        self.person = get_object_or_404(Person.objects.visible_to(request.user), key=kwargs["key"])
        permissions.require_change_person(request.user, self.person)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        earlier = Job.objects.visible_to(self.request.user).filter(
            kind=KIND, subject=self.person.code
        )
        return super().get_context_data(**kwargs) | {
            "person": self.person,
            "earlier": list(earlier[:5]),
        }

    def post(self, request, *args, **kwargs):
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
                export_person.delay_on_commit(job.pk)
        return redirect("privacy:job-detail", code=job.code)
