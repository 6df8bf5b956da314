"""Trainings and the coalition's documents (issue 11).

Every internal role reads them (legal.view_jurisprudence); legal and the coordinators
keep them (legal.change_jurisprudence). A training or a document the person may not see
is not found (404); a refused action on one they see is a 403 with its reason. A public
document is downloaded by anyone, signed in or not; an internal one by internal roles.
Files are checked and stored by legal/library_files.py and always served as downloads."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from legal import library_files
from legal.models import Resource, Training, TrainingMaterial
from legal.training_forms import MaterialForm, ResourceForm, TrainingFilterForm, TrainingForm
from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin
from move.privacy.files import delete_file

READ = "legal.view_jurisprudence"
KEEP = "legal.change_jurisprudence"
PAGE_SIZE = 50
LISTED = [
    "key",
    "topic",
    "date",
    "audience",
    "audience_detail",
    "trainer",
    "language",
    "attendance",
    "material_count",
]


def download(path, filename: str, content_type: str) -> FileResponse:
    """Always a download, never shown in the browser; should a browser open it anyway,
    nothing in it runs."""
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


class Concurrent(Exception):
    """Someone else saved the record since the form was shown: nothing was changed."""


def save_training(form) -> Training:
    """Save the training; Concurrent when someone else saved it since the form was shown
    (checked under the row's lock, as legal/decision_views.save_decision does)."""
    with transaction.atomic():
        if form.instance.pk:
            current = Training.objects.select_for_update().values("updated_at")
            if form.concurrent(current.get(pk=form.instance.pk)["updated_at"]):
                raise Concurrent
        return form.save()


def save_resource(form) -> Resource:
    """Save a document and its new files; Concurrent when someone else saved it since
    the form was shown (nothing is then changed, no file left behind).

    The new files are written first (a failure removes every one written), then the row
    is locked, its `updated_at` compared with the one seen, and the files replaced or
    removed are taken from the locked row, not from the form's copy: they are deleted
    once the change is committed."""
    written = {}
    try:
        for code, upload in form.uploads().items():
            written[code] = library_files.write(upload, library_files.DOCUMENTS)
        with transaction.atomic():
            kept = {"file_fr": "", "file_nl": ""}
            if form.instance.pk:
                current = Resource.objects.select_for_update().values(
                    "updated_at", "file_fr", "file_nl"
                )
                kept = current.get(pk=form.instance.pk)
                if form.concurrent(kept["updated_at"]):
                    raise Concurrent
            resource = form.save(commit=False)
            replaced = []
            for code in ("fr", "nl"):
                field = f"file_{code}"
                if code in written or code in form.removed():
                    replaced.append(kept[field])
                    setattr(resource, field, written.get(code, ""))
                else:
                    setattr(resource, field, kept[field])
            resource.save()
            library_files.delete_on_commit(*replaced)
    except BaseException:
        for name in written.values():
            delete_file(name)
        raise
    return resource


class KeptObjectMixin(LoginRequiredMixin):
    """Pages that change one training or document: found among those the person reads
    (else 404), then the keeping is asked for (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.find(request.user, kwargs["key"])
        permissions.require(request.user, KEEP)
        return super().dispatch(request, *args, **kwargs)


# --- Trainings ----------------------------------------------------------------------------


class TrainingList(PermissionRequiredMixin, TemplateView):
    """The trainings, newest first, PAGE_SIZE a page, filtered by year, audience and
    language, with the number of sessions and the attendance of each year counted from
    the records."""

    permission = READ
    template_name = "legal/training_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        trainings = Training.objects.visible_to(user)
        years = list(
            trainings.annotate(year=ExtractYear("date"))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        form = TrainingFilterForm(self.request.GET or None, years)
        filters = form.filters() if form.is_bound else {}
        chosen = (
            trainings.filter(**filters)
            .annotate(material_count=Count("materials"))
            .order_by("-date", "-pk")  # a GROUP BY query ignores Meta.ordering
        )
        page = Paginator(chosen.values(*LISTED), PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        audiences = dict(Training.Audience.choices)
        languages = dict(Training._meta.get_field("language").choices)
        for row in rows:
            row["audience_label"] = audiences.get(row["audience"], row["audience"])
            row["language_label"] = languages.get(row["language"], row["language"])
        every_year = {name: value for name, value in filters.items() if name != "date__year"}
        totals = list(
            trainings.filter(**every_year)
            .annotate(year=ExtractYear("date"))
            .values("year")
            .annotate(sessions=Count("pk"), people=Sum("attendance"))
            .order_by("-year")
        )
        return super().get_context_data(**kwargs) | {
            "form": form,
            "page_obj": page,
            "trainings": rows,
            "totals": totals,
            "chosen_year": filters.get("date__year"),
            "filtered": bool(filters),
            "may_keep": permissions.has_perm(user, KEEP),
        }


class TrainingCreate(PermissionRequiredMixin, View):
    permission = KEEP
    template_name = "legal/training_form.html"

    def get(self, request):
        language = request.LANGUAGE_CODE
        initial = {"language": language if language in ("fr", "nl", "en") else "fr"}
        return self.page(TrainingForm(initial=initial))

    def post(self, request):
        form = TrainingForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        training = save_training(form)
        messages.success(request, _("Training “%(topic)s” added.") % {"topic": training.topic})
        return redirect("legal:training-detail", key=training.key)

    def page(self, form, status=200):
        return render(
            self.request, self.template_name, {"form": form, "training": None}, status=status
        )


class TrainingDetail(LoginRequiredMixin, TemplateView):
    template_name = "legal/training_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        training = get_object_or_404(Training.objects.visible_to(user), key=kwargs["key"])
        materials = list(training.materials.all())
        for material in materials:
            material.kind_label = library_files.kind_label(material.content_type)
        return super().get_context_data(**kwargs) | {
            "training": training,
            "materials": materials,
            "may_keep": permissions.has_perm(user, KEEP),
        }


class TrainingUpdate(KeptObjectMixin, View):
    template_name = "legal/training_form.html"

    @staticmethod
    def find(user, key):
        return get_object_or_404(Training.objects.visible_to(user), key=key)

    def get(self, request, key):
        return self.page(TrainingForm(instance=self.object))

    def post(self, request, key):
        form = TrainingForm(request.POST, instance=self.object)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            training = save_training(form)
        except Concurrent:
            return self.page(form, status=400)  # the form says so, with what was typed
        messages.success(request, _("Training “%(topic)s” saved.") % {"topic": training.topic})
        return redirect("legal:training-detail", key=training.key)

    def page(self, form, status=200):
        # The training as it is in the database, not as typed, for the title.
        training = Training.objects.get(pk=self.object.pk) if form.is_bound else self.object
        return render(
            self.request,
            self.template_name,
            {"form": form, "training": training},
            status=status,
        )


class MaterialAdd(KeptObjectMixin, View):
    """GET the form, POST a file: checked by its content, stored, then recorded; a
    refused file shows the form again with the reason (400), nothing stored."""

    template_name = "legal/material_form.html"

    @staticmethod
    def find(user, key):
        return get_object_or_404(Training.objects.visible_to(user), key=key)

    def get(self, request, key):
        return self.page(MaterialForm())

    def post(self, request, key):
        form = MaterialForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        upload = form.cleaned_data["file"]
        content_type = upload.content_type_found
        name = library_files.safe_name(form.cleaned_data["name"] or upload.name, content_type)
        stored = library_files.write(upload, library_files.TRAININGS)
        try:
            with transaction.atomic():
                training = Training.objects.select_for_update().get(pk=self.object.pk)
                TrainingMaterial.objects.create(
                    training=training,
                    file=stored,
                    name=name,
                    content_type=content_type,
                    size=upload.size,
                )
        except BaseException:
            delete_file(stored)
            raise
        messages.success(request, _("%(name)s was added.") % {"name": name})
        detail = reverse("legal:training-detail", kwargs={"key": self.object.key})
        return redirect(f"{detail}#materials")

    def page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "training": self.object},
            status=status,
        )


class MaterialDownload(LoginRequiredMixin, View):
    def get(self, request, key):
        trainings = Training.objects.visible_to(request.user)
        material = get_object_or_404(
            TrainingMaterial.objects.filter(training__in=trainings), key=key
        )
        path = library_files.stored_path(material.file)
        if path is None or not path.is_file():
            raise Http404
        return download(path, material.name, material.content_type)


# --- Documents ----------------------------------------------------------------------------


class ResourceList(PermissionRequiredMixin, TemplateView):
    """Every document, PAGE_SIZE a page, with the languages that still lack a file or a
    title (and how many documents lack one, counted over every page)."""

    permission = READ
    template_name = "legal/resource_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        visible = Resource.objects.visible_to(user)
        page = Paginator(visible, PAGE_SIZE).get_page(self.request.GET.get("page"))
        resources = list(page.object_list)
        for resource in resources:
            resource.files = [
                (code, label, bool(resource.file_path(code)))
                for code, label in (("fr", _("French")), ("nl", _("Dutch")))
            ]
            resource.missing_files = [label for _c, label, present in resource.files if not present]
            resource.missing_titles = [
                label
                for code, label in (("fr", _("French")), ("nl", _("Dutch")))
                if not getattr(resource, f"title_{code}")
            ]
        lacking = Q(file_fr="") | Q(file_nl="")
        for code in ("fr", "nl"):
            lacking |= Q(**{f"title_{code}": ""}) | Q(**{f"title_{code}__isnull": True})
        return super().get_context_data(**kwargs) | {
            "page_obj": page,
            "resources": resources,
            "incomplete": visible.filter(lacking).count(),  # on every page, not this one
            "may_keep": permissions.has_perm(user, KEEP),
        }


class ResourceSave:
    """Creating and changing a document (save_resource)."""

    template_name = "legal/resource_form.html"

    def page(self, form, resource, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "resource": resource},
            status=status,
        )


class ResourceCreate(PermissionRequiredMixin, ResourceSave, View):
    permission = KEEP

    def get(self, request):
        return self.page(ResourceForm(), None)

    def post(self, request):
        form = ResourceForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, None, status=400)
        resource = save_resource(form)
        messages.success(request, _("Document “%(title)s” added.") % {"title": resource})
        return redirect("legal:resource-list")


class ResourceUpdate(KeptObjectMixin, ResourceSave, View):
    @staticmethod
    def find(user, key):
        # Editing is for those who read every document: anybody else does not find it.
        if not permissions.has_perm(user, READ):
            raise Http404
        return get_object_or_404(Resource.objects.visible_to(user), key=key)

    def get(self, request, key):
        return self.page(ResourceForm(instance=self.object), self.object)

    def post(self, request, key):
        kept = Resource.objects.get(pk=self.object.pk)
        form = ResourceForm(request.POST, request.FILES, instance=self.object)
        if not form.is_valid():
            return self.page(form, kept, status=400)
        try:
            resource = save_resource(form)
        except Concurrent:
            # The form says so, with what was typed; the page shows the saved version.
            return self.page(form, Resource.objects.get(pk=self.object.pk), status=400)
        messages.success(request, _("Document “%(title)s” saved.") % {"title": resource})
        return redirect("legal:resource-list")


class ResourceFile(View):
    """A document's file in one language: a public one to anyone, an internal one to
    internal roles (anybody signed out is asked to sign in; anybody else finds nothing)."""

    def get(self, request, key, language):
        if language not in ("fr", "nl"):
            raise Http404
        resource = Resource.objects.visible_to(request.user).filter(key=key).first()
        if resource is None:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        path = library_files.stored_path(resource.file_path(language))
        if path is None or not path.is_file():
            raise Http404
        title = getattr(resource, f"title_{language}") or resource.title or resource.kind
        filename = f"{slugify(title)[:80] or 'document'}-{language}{path.suffix}"
        return download(path, filename, library_files.content_type_of_stored(path.name))
