"""Testimonies and their uses (issue 12).

The pool's keepers (advocacy.view_witness: the witness-pool volunteer, coordinators)
read and add testimonies; advocacy (advocacy.view_testimony) reads those a consent valid
today still covers (TestimonyQuerySet.visible_to), a witness by code only, never a name
nor a contact; advocacy and the keepers record uses (advocacy.record_use), each checked
against the consent by services.record_use. A testimony or a use the person may not see
is not found (404); a refused action on one they see is a 403 with its reason."""

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from advocacy import services
from advocacy.models import ANONYMITY_ORDER, LANGUAGES, Anonymity, Consent, Testimony, Use, Witness
from advocacy.testimony_forms import TestimonyFilterForm, TestimonyForm, UseForm
from move.accounts import permissions
from move.accounts.mixins import PermissionRequiredMixin

READ = "advocacy.view_testimony"
KEEP = "advocacy.view_witness"
RECORD = "advocacy.record_use"
PAGE_SIZE = 50
ANONYMITY_LABELS = dict(Anonymity.choices)
LANGUAGE_LABELS = dict(LANGUAGES)
RELATION_LABELS = dict(Witness.Relation.choices)
STATUS_LABELS = dict(Use.Status.choices)


def scopes_shown(usable: dict) -> list[dict]:
    return [
        {"code": code, "label": services.scope_label(code), "anonymity": ANONYMITY_LABELS[level]}
        for code, level in usable.items()
    ]


class FoundMixin(LoginRequiredMixin):
    """Pages of one object: found among those the person sees (else 404), then the
    action's permission asked for (else 403)."""

    permission = READ

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.find(request.user, kwargs["key"])
        permissions.require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)


def find_testimony(user, key):
    testimonies = Testimony.objects.visible_to(user).select_related("witness")
    return get_object_or_404(testimonies, key=key)


# --- Testimonies ---------------------------------------------------------------------------


def allowed_scopes(witness, day) -> set[str]:
    """The scopes of the witness's consents valid on `day`."""
    consents = services.valid_consents(day).filter(witness=witness)
    return {scope for consent in consents for scope in consent.scope_list}


class TestimonyAdd(FoundMixin, View):
    """A new testimony of a witness, its scopes within the consent valid today; none for
    a witness who withdrew."""

    permission = KEEP
    template_name = "advocacy/testimony_form.html"

    def find(self, user, key):
        witness = get_object_or_404(Witness.objects.visible_to(user), key=key)
        if witness.withdrawn_on:
            raise PermissionDenied(
                _("The witness withdrew on %(day)s: no new testimony is recorded.")
                % {"day": date_format(witness.withdrawn_on, "j F Y")}
            )
        return witness

    def get(self, request, key):
        language = request.LANGUAGE_CODE
        initial = {
            "language": language if language in LANGUAGE_LABELS else "fr",
            "recorded_on": timezone.localdate(),
        }
        return self.page(TestimonyForm(initial=initial, allowed=self.allowed()))

    def post(self, request, key):
        form = TestimonyForm(request.POST, allowed=self.allowed())
        if not form.is_valid():
            return self.page(form, status=400)
        with transaction.atomic():
            # Under the witness's lock: a withdrawal saved meanwhile wins.
            witness = Witness.objects.select_for_update().get(pk=self.object.pk)
            if witness.withdrawn_on or not set(form.cleaned_data["scopes"].split()) <= (
                self.allowed()
            ):
                form.add_error(None, _("The witness's consent changed meanwhile: check again."))
                return self.page(form, status=409)
            testimony = form.save(commit=False)
            testimony.witness = witness
            testimony.save()
        messages.success(request, _("Testimony “%(title)s” added.") % {"title": testimony.title})
        return redirect("advocacy:testimony-detail", key=testimony.key)

    def allowed(self):
        return allowed_scopes(self.object, timezone.localdate())

    def page(self, form, status=200):
        context = {
            "form": form,
            "witness": self.object,
            "no_scope": not form.fields["scopes"].choices,
        }
        return render(self.request, self.template_name, context, status=status)


class TestimonyList(PermissionRequiredMixin, TemplateView):
    """The testimonies the person reads, newest first, PAGE_SIZE a page, filtered by
    language, scope usable today and the witness's relation to detention; each row with
    the scopes usable today (the witnesses' consents read in one query)."""

    permission = READ
    template_name = "advocacy/testimony_list.html"
    LISTED = [
        "pk",
        "key",
        "title",
        "language",
        "recorded_on",
        "approved_on",
        "scopes",
        "witness_id",
        "witness__key",
        "witness__code",
        "witness__relation",
        "witness__withdrawn_on",
        "use_count",
    ]

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        form = TestimonyFilterForm(self.request.GET or None)
        chosen = form.chosen() if form.is_valid() else {}
        testimonies = self.filtered(Testimony.objects.visible_to(user), chosen, today)
        testimonies = testimonies.annotate(use_count=Count("uses")).order_by("-recorded_on", "-pk")
        page = Paginator(testimonies.values(*self.LISTED), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        rows = list(page.object_list)
        self.describe(rows, today)
        return super().get_context_data(**kwargs) | {
            "form": form,
            "page_obj": page,
            "testimonies": rows,
            "filtered": bool(chosen),
            "keeper": permissions.has_perm(user, KEEP),
        }

    @staticmethod
    def filtered(testimonies, chosen, today):
        if language := chosen.get("language"):
            testimonies = testimonies.filter(language=language)
        if relation := chosen.get("relation"):
            testimonies = testimonies.filter(witness__relation=relation)
        if scope := chosen.get("scope"):
            testimonies = testimonies.filter(
                Q(approved_on__lte=today, witness__withdrawn_on__isnull=True),
                services.scope_usable_filter(today, [scope]),
            )
        return testimonies

    @staticmethod
    def describe(rows, today):
        consents = defaultdict(list)
        witnesses = {row["witness_id"] for row in rows}
        for consent in services.valid_consents(today).filter(witness_id__in=witnesses):
            consents[consent.witness_id].append(consent)
        for row in rows:
            usable = services.usable_in(
                row["scopes"].split(),
                row["approved_on"],
                row["witness__withdrawn_on"],
                consents[row["witness_id"]],
                today,
            )
            row["usable"] = scopes_shown(usable)
            row["language_label"] = LANGUAGE_LABELS.get(row["language"], row["language"])
            row["relation_label"] = RELATION_LABELS.get(
                row["witness__relation"], row["witness__relation"]
            )


class TestimonyDetail(FoundMixin, TemplateView):
    """A testimony: its text, the scopes it may be used in and those usable today with
    the anonymity required, its uses. The witness by code only."""

    template_name = "advocacy/testimony_detail.html"

    def find(self, user, key):
        return find_testimony(user, key)

    def get_context_data(self, **kwargs):
        user, testimony, today = self.request.user, self.object, timezone.localdate()
        consents = list(Consent.objects.filter(witness_id=testimony.witness_id))
        usable = services.usable_scopes(testimony, consents, today)
        uses = list(testimony.uses.all())
        return super().get_context_data(**kwargs) | {
            "testimony": testimony,
            "witness": testimony.witness,
            "scopes": [services.scope_label(code) for code in testimony.scope_list],
            "usable": scopes_shown(usable),
            "uses": uses,
            "keeper": permissions.has_perm(user, KEEP),
            "may_record": permissions.has_perm(user, RECORD),
        }


# --- Uses ----------------------------------------------------------------------------------


class UseAdd(FoundMixin, View):
    """Record a use of a testimony; the consent decides (services.record_use), and its
    refusal is shown on the form with nothing saved."""

    permission = RECORD
    template_name = "advocacy/use_form.html"

    def find(self, user, key):
        return find_testimony(user, key)

    def usable(self):
        consents = list(Consent.objects.filter(witness_id=self.object.witness_id))
        return services.usable_scopes(self.object, consents, timezone.localdate())

    def get(self, request, key):
        usable = self.usable()
        strictest = max(usable.values(), key=ANONYMITY_ORDER.get, default=Anonymity.ANONYMOUS)
        initial = {"used_on": timezone.localdate(), "anonymity": strictest}
        return self.page(UseForm(initial=initial, usable=usable), usable)

    def post(self, request, key):
        usable = self.usable()
        form = UseForm(request.POST, usable=usable)
        if not form.is_valid():
            return self.page(form, usable, status=400)
        data = form.cleaned_data
        try:
            use = services.record_use(
                self.object,
                scope=data["scope"],
                used_on=data["used_on"],
                by=request.user,
                publication=data["publication"],
                link=data["link"],
                anonymity=data["anonymity"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal.messages)
            return self.page(form, usable, status=400)
        messages.success(
            request, _("Use in “%(publication)s” recorded.") % {"publication": use.publication}
        )
        return redirect("advocacy:testimony-detail", key=self.object.key)

    def page(self, form, usable, status=200):
        context = {"form": form, "testimony": self.object, "usable": scopes_shown(usable)}
        return render(self.request, self.template_name, context, status=status)


class UseFilterForm(forms.Form):
    """The list's filter: one status (the take-down e-mail links to ?status=to_take_down)."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any")), *Use.Status.choices],
        required=False,
    )


class UseList(PermissionRequiredMixin, TemplateView):
    """Every use with its status, those to take down first (their witness withdrew),
    then the newest; PAGE_SIZE a page; ?status= keeps the uses in that status."""

    permission = READ
    template_name = "advocacy/use_list.html"
    LISTED = [
        "key",
        "publication",
        "used_on",
        "scope",
        "anonymity",
        "link",
        "status",
        "taken_down_on",
        "testimony_id",
        "testimony__key",
        "testimony__title",
        "testimony__witness__code",
    ]
    URGENCY = Case(
        When(status=Use.Status.TO_TAKE_DOWN, then=Value(0)),
        When(status=Use.Status.ONLINE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )

    def get_context_data(self, **kwargs):
        user = self.request.user
        uses = Use.objects.visible_to(user).order_by(self.URGENCY, "-used_on", "-pk")
        form = UseFilterForm(self.request.GET or None)
        filtered = bool(form.is_bound and form.is_valid() and form.cleaned_data["status"])
        if filtered:
            uses = uses.filter(status=form.cleaned_data["status"])
        page = Paginator(uses.values(*self.LISTED), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        rows = list(page.object_list)
        readable = self.readable_testimonies(user, rows)
        for row in rows:
            row["scope_label"] = services.scope_label(row["scope"])
            row["anonymity_label"] = ANONYMITY_LABELS.get(row["anonymity"], row["anonymity"])
            row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
            row["testimony_readable"] = row["testimony_id"] in readable
        return super().get_context_data(**kwargs) | {
            "page_obj": page,
            "uses": rows,
            "form": form,
            "filtered": filtered,
            "may_record": permissions.has_perm(user, RECORD),
        }

    @staticmethod
    def readable_testimonies(user, rows) -> set[int]:
        ids = {row["testimony_id"] for row in rows}
        if not ids:
            return set()
        if permissions.has_perm(user, KEEP):
            return ids
        readable = Testimony.objects.visible_to(user).filter(pk__in=ids)
        return set(readable.values_list("pk", flat=True))


class UseTakenDown(FoundMixin, View):
    """Mark a use as taken down today (POST; doing it again changes nothing)."""

    permission = RECORD
    http_method_names = ["post"]

    def find(self, user, key):
        return get_object_or_404(Use.objects.visible_to(user), key=key)

    def post(self, request, key):
        changed = (
            Use.objects.filter(pk=self.object.pk)
            .exclude(status=Use.Status.TAKEN_DOWN)
            .update(status=Use.Status.TAKEN_DOWN, taken_down_on=timezone.localdate())
        )
        if changed:
            message = _("The use in “%(publication)s” is marked as taken down.")
        else:
            message = _("The use in “%(publication)s” was already taken down.")
        messages.success(request, message % {"publication": self.object.publication})
        return redirect("advocacy:use-list")
