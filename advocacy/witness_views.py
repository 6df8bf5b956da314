"""The witness pool (issue 12): witnesses, their consents, their withdrawal and their
subject-access export.

The pool's keepers (advocacy.view_witness: the witness-pool volunteer and coordinators)
find a witness; anyone else does not (404). A witness's contact is never on the list
nor on the detail page: it has its own page (advocacy.view_witness_contact), and every
read of it is written to the access log, as the edit form's is."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache

from advocacy import witnesses
from advocacy.models import LANGUAGES, SCOPES, Consent, Testimony, Witness
from advocacy.tasks import export_witness
from advocacy.witness_forms import ConsentForm, WitnessFilterForm, WitnessForm
from detainees.models import Person
from legal.training_views import Concurrent
from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin
from move.privacy import access, jobs
from move.privacy.files import delete_file, stored, write_upload
from move.privacy.models import AccessLogEntry, Job

KEEP = witnesses.KEEP
CONTACT = witnesses.CONTACT
PAGE_SIZE = 50
CONSENT_FOLDER = "advocacy/consents"
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
LISTED = ["pk", "key", "code", "relation", "languages", "withdrawn_on", "created_at"]


def _scope_labels(codes: str) -> list[str]:
    names = dict(SCOPES)
    return [str(names.get(code, code)) for code in codes.split()]


def _language_labels(codes: str) -> list[str]:
    names = dict(LANGUAGES)
    return [str(names.get(code, code)) for code in codes.split()]


def log_contact_read(request, witness: Witness, detail: str = "witness contact") -> None:
    access.record(
        request.user, AccessLogEntry.Action.READ_CONTACT, witness.code, request.path, detail
    )


class WitnessMixin(LoginRequiredMixin):
    """One witness: found among those the person keeps (else 404); `permission`, if
    any, is then asked for (else 403)."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.witness = get_object_or_404(
            Witness.objects.visible_to(request.user).select_related("keeper"), key=kwargs["key"]
        )
        if self.permission:
            permissions.require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)


# --- The list ----------------------------------------------------------------------------


class WitnessList(PermissionRequiredMixin, View):
    """The pool, newest first: codes, relations, languages and the state of consent;
    never a name nor a contact. Filtered by relation and consent state."""

    permission = KEEP

    def get(self, request):
        today = timezone.localdate()
        form = WitnessFilterForm(request.GET or None)
        chosen = form.chosen()
        valid = Q(consents__given_on__lte=today, consents__expires_on__gt=today) & (
            Q(consents__withdrawn_on__isnull=True) | Q(consents__withdrawn_on__gt=today)
        )
        rows = Witness.objects.visible_to(request.user).annotate(
            valid_until=Max("consents__expires_on", filter=valid),
            last_expiry=Max("consents__expires_on"),
        )
        if relation := chosen.get("relation"):
            rows = rows.filter(relation=relation)
        state = chosen.get("consent")
        if state == form.VALID:
            rows = rows.filter(valid_until__isnull=False, withdrawn_on__isnull=True)
        elif state == form.EXPIRING:
            rows = rows.filter(
                valid_until__isnull=False,
                valid_until__lte=today + timedelta(days=witnesses.REMINDER_DAYS),
                withdrawn_on__isnull=True,
            )
        elif state == form.EXPIRED:
            rows = rows.filter(
                valid_until__isnull=True, last_expiry__lte=today, withdrawn_on__isnull=True
            )
        elif state == form.WITHDRAWN:
            rows = rows.filter(withdrawn_on__isnull=False)
        rows = rows.order_by("-created_at", "-pk").values(*LISTED, "valid_until")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        witness_rows = list(page.object_list)
        relations = dict(Witness.Relation.choices)
        soon = today + timedelta(days=witnesses.REMINDER_DAYS)
        for row in witness_rows:
            row["relation_label"] = relations.get(row["relation"], row["relation"])
            row["language_labels"] = _language_labels(row["languages"])
            row["expiring"] = bool(row["valid_until"] and row["valid_until"] <= soon)
        return render(
            request,
            "advocacy/witness_list.html",
            {
                "form": form,
                "page_obj": page,
                "witnesses": witness_rows,
                "filtered": bool(chosen),
            },
        )


# --- Creating and changing ---------------------------------------------------------------


def save_witness(form) -> Witness:
    """Save the witness; Concurrent when someone else saved it since the form was shown
    (checked under the row's lock)."""
    with transaction.atomic():
        if form.instance.pk:
            current = Witness.objects.select_for_update().values("updated_at")
            if form.concurrent(current.get(pk=form.instance.pk)["updated_at"]):
                raise Concurrent
        return form.save()


class WitnessCreate(PermissionRequiredMixin, View):
    permission = KEEP

    def get(self, request):
        return self.page(WitnessForm(user=request.user))

    def post(self, request):
        form = WitnessForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.page(form, status=400)
        witness = save_witness(form)
        messages.success(request, _("Witness %(code)s added.") % {"code": witness.code})
        return redirect("advocacy:witness-detail", key=witness.key)

    def page(self, form, status=200):
        return render(
            self.request,
            "advocacy/witness_form.html",
            {"form": form, "witness": None},
            status=status,
        )


class WitnessUpdate(WitnessMixin, View):
    """The form shows the name and the contact: its GET is a read of the contact,
    written to the access log. Without the contact permission, they are left out."""

    permission = KEEP

    def get(self, request, key):
        form = WitnessForm(instance=self.witness, user=request.user)
        return self.page(form)

    def post(self, request, key):
        form = WitnessForm(request.POST, instance=self.witness, user=request.user)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            witness = save_witness(form)
        except Concurrent:
            return self.page(form, status=400)
        messages.success(request, _("Witness %(code)s saved.") % {"code": witness.code})
        return redirect("advocacy:witness-detail", key=witness.key)

    def page(self, form, status=200):
        if (
            "contact" in form.fields
            and not form.is_bound
            and (self.witness.name or self.witness.contact)
        ):
            log_contact_read(self.request, self.witness, "witness contact (edit form)")
        witness = Witness.objects.get(pk=self.witness.pk) if form.is_bound else self.witness
        return render(
            self.request,
            "advocacy/witness_form.html",
            {"form": form, "witness": witness},
            status=status,
        )


# --- One witness -------------------------------------------------------------------------


class WitnessDetail(WitnessMixin, View):
    """Consents, testimonies and their uses; the contact is one click away, on its own
    (logged) page. The case file's link only for those who may open it."""

    permission = KEEP

    def get(self, request, key):
        witness = self.witness
        today = timezone.localdate()
        consents = list(witness.consents.all())
        for consent in consents:
            consent.scope_labels = _scope_labels(consent.scopes)
            consent.valid_today = consent.valid_on(today)
        testimonies = list(
            Testimony.objects.filter(witness=witness)
            .defer("text")
            .prefetch_related("uses")
            .order_by("-recorded_on", "-pk")
        )
        for testimony in testimonies:
            testimony.scope_labels = _scope_labels(testimony.scopes)
        person = None
        if witness.person_id:
            person = Person.objects.visible_to(request.user).filter(pk=witness.person_id).first()
        return render(
            request,
            "advocacy/witness_detail.html",
            {
                "witness": witness,
                "languages": _language_labels(witness.languages),
                "consents": consents,
                "valid_consent": next((c for c in consents if c.valid_today), None),
                "testimonies": testimonies,
                "person": person,
                "linked_elsewhere": bool(witness.person_id and person is None),
                "may_read_contact": permissions.has_perm(request.user, CONTACT),
            },
        )


@method_decorator(never_cache, name="dispatch")
class WitnessContact(WitnessMixin, View):
    """The name and the contact: each GET is written to the access log."""

    permission = CONTACT

    def get(self, request, key):
        log_contact_read(request, self.witness)
        return render(request, "advocacy/witness_contact.html", {"witness": self.witness})


class WitnessWithdraw(WitnessMixin, View):
    """One action: the witness and every consent withdrawn today, their uses online
    listed to take down (and their recorders told)."""

    permission = KEEP
    http_method_names = ["post"]

    def post(self, request, key):
        already = self.witness.withdrawn_on is not None
        uses = witnesses.withdraw(self.witness, by=request.user, on=timezone.localdate())
        if already and not uses:
            messages.info(request, _("This witness had already withdrawn: nothing changed."))
        else:
            messages.success(
                request,
                ngettext(
                    "Witness %(code)s withdrew: their consents end today, and %(count)s use "
                    "is listed to take down.",
                    "Witness %(code)s withdrew: their consents end today, and %(count)s uses "
                    "are listed to take down.",
                    len(uses),
                )
                % {"code": self.witness.code, "count": len(uses)},
            )
        return redirect("advocacy:witness-detail", key=self.witness.key)


class WitnessExport(WitnessMixin, View):
    """Subject access: a job writes everything held on the witness (JSON + PDF)."""

    permission = KEEP
    http_method_names = ["post"]

    def post(self, request, key):
        code = self.witness.code
        with transaction.atomic():
            job = (
                Job.objects.visible_to(request.user)
                .filter(kind=witnesses.EXPORT_KIND, subject=code)
                .filter(status__in=[Job.Status.PENDING, Job.Status.PROCESSING])
                .first()
            )
            if job is None:
                job = Job.objects.create(
                    owner=request.user,
                    kind=witnesses.EXPORT_KIND,
                    subject=code,
                    language=translation.get_language()[:2],
                )
                jobs.enqueue(job, export_witness, job.pk, self.witness.pk)
        return redirect("privacy:job-detail", code=job.code)


# --- Consents ----------------------------------------------------------------------------


class ConsentAdd(WitnessMixin, View):
    """GET the form, POST a consent: a signed form is checked by its content and
    stored, then the consent recorded; a refusal shows the form again (400), nothing
    stored."""

    permission = KEEP

    def get(self, request, key):
        return self.page(ConsentForm())

    def post(self, request, key):
        form = ConsentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form, status=400)
        if self.witness.withdrawn_on is not None:
            form.add_error(None, _("This witness has withdrawn: record a new witness instead."))
            return self.page(form, status=400)
        upload = form.cleaned_data.get("form_upload")
        name = ""
        if form.cleaned_data["how"] == Consent.How.SIGNED_FORM and upload is not None:
            name = write_upload(upload, CONSENT_FOLDER, EXTENSIONS[form.content_type])
        try:
            with transaction.atomic():
                witness = Witness.objects.select_for_update().get(pk=self.witness.pk)
                consent = form.save(commit=False)
                consent.witness = witness
                consent.form_file = name
                if consent.how == Consent.How.SIGNED_FORM:
                    consent.statement = ""
                consent.recorded_by = request.user
                consent.save()
                witness.save(update_fields=["updated_at"])
        except BaseException:
            delete_file(name)
            raise
        messages.success(
            request,
            _("Consent recorded, valid until %(day)s.")
            % {"day": consent.expires_on.strftime("%Y-%m-%d")},
        )
        detail = reverse("advocacy:witness-detail", kwargs={"key": self.witness.key})
        return redirect(f"{detail}#consents")

    def page(self, form, status=200):
        return render(
            self.request,
            "advocacy/consent_form.html",
            {"form": form, "witness": self.witness},
            status=status,
        )


@method_decorator(never_cache, name="dispatch")
class ConsentFormDownload(LoginRequiredMixin, View):
    """The signed form, to the pool's keepers only (anyone else: 404), who must also
    read contacts (else 403); each download is written to the access log. Always a
    download, never shown in the browser."""

    def get(self, request, key):
        consent = get_object_or_404(
            Consent.objects.filter(witness__in=Witness.objects.visible_to(request.user))
            .exclude(form_file="")
            .select_related("witness"),
            key=key,
        )
        # The signed form holds the witness's name: read as the contact is, and logged.
        permissions.require(request.user, CONTACT)
        path = stored(consent.form_file)
        if path is None or not path.is_file():
            raise Http404
        log_contact_read(request, consent.witness, "signed consent form")
        extension = path.suffix.lower() or ".pdf"
        types = {ext: kind for kind, ext in EXTENSIONS.items()} | {".jpeg": "image/jpeg"}
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"consent-{consent.given_on:%Y-%m-%d}{extension}",
            content_type=types.get(extension, "application/octet-stream"),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        add_never_cache_headers(response)
        patch_cache_control(response, private=True, no_store=True)
        return response
