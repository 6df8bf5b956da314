"""Pages of the case files. Who may see or do what is asked of permissions.py; what
crosses records is done by detainees/services.py."""

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from detainees import clock, listing, services
from detainees.forms import (
    AccompanimentForm,
    FamilyForm,
    IdentityForm,
    NewPersonForm,
    PersonForm,
    ReferralForm,
    ReleaseForm,
    ShareForm,
    SpellForm,
    TransferForm,
)
from detainees.models import (
    LANGUAGES,
    Accompaniment,
    Family,
    Identity,
    Person,
    Referral,
    Vulnerability,
)
from detainees.panels import person_panels
from move.accounts import permissions
from move.accounts.forms import CONCURRENT_EDIT, ConcurrentEditError
from move.accounts.mixins import PermissionRequiredMixin
from move.accounts.models import Organisation
from visits.models import Visit


def error_messages(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {None: error.messages}


def add_errors(form, error: ValidationError) -> None:
    for field, problems in error_messages(error).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


class PersonList(PermissionRequiredMixin, TemplateView):
    """The case files a person may see, newest first; pages follow the last row seen."""

    permission = "detainees.view_person"
    template_name = "detainees/person_list.html"

    def get_context_data(self, **kwargs):
        user, query = self.request.user, self.request.GET
        page = listing.person_page(user, query)
        following = None
        if page.following:
            following = query.copy()
            following["after"] = page.following
            following = following.urlencode()
        return super().get_context_data(**kwargs) | {
            "people": page.rows,
            "following": following,
            "code": page.code,
            "status": page.status,
            "centre": page.centre,
            # Coming from a visit's page: each row offers to record the meeting.
            "visit": _uuid(query.get("visit")),
            "may_create": permissions.has_perm(user, "detainees.change_person"),
        }


class PersonCreate(PermissionRequiredMixin, View):
    """A new case file; before it is saved, the visitor is shown the people of their
    organisation who may be the same person."""

    permission = "detainees.change_person"
    template_name = "detainees/person_form.html"

    def visit(self):
        code = self.request.GET.get("visit") or self.request.POST.get("visit")
        if not code:
            return None
        try:
            return (
                Visit.objects.visible_to(self.request.user).select_related("centre").get(code=code)
            )
        except (Visit.DoesNotExist, ValidationError):
            raise Http404 from None

    def get(self, request):
        visit = self.visit()
        initial = {"centre": visit.centre_id, "since": visit.date} if visit else {}
        form = NewPersonForm(user=request.user, initial=initial)
        return self.render(form, visit)

    def post(self, request):
        visit = self.visit()
        form = NewPersonForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render(form, visit, status=400)
        duplicates = []
        if not form.cleaned_data["different_person"]:
            duplicates = services.likely_duplicates(
                request.user,
                birth_year=form.cleaned_data.get("birth_year"),
                nationality=form.cleaned_data.get("nationality"),
                centre=form.cleaned_data.get("centre"),
                full_name=form.full_name(),
            )
        if duplicates:
            return self.render(form, visit, duplicates=duplicates)
        try:
            # The file and the meeting that brought it are saved together or not at all.
            with transaction.atomic():
                person = services.create_person(
                    request.user,
                    form.save(commit=False),
                    identity=form.identity(),
                    spell=form.spell(),
                    page=request.path,
                )
                if visit:
                    services.record_accompaniment(request.user, person, Accompaniment(visit=visit))
        except ValidationError as error:
            add_errors(form, error)
            return self.render(form, visit, status=400)
        messages.success(request, _("Case file %(code)s created.") % {"code": person.code})
        return redirect("detainees:person-detail", key=person.key)

    def render(self, form, visit, duplicates=(), status=200):
        context = {"form": form, "visit": visit, "duplicates": duplicates}
        return render(self.request, self.template_name, context, status=status)


class PersonView(LoginRequiredMixin, View):
    """Base for the pages of one case file: found among what the user sees (404), then
    `change` asks for the right to change it (403)."""

    change = True
    related: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.person = self.lookup(
            Person.objects.visible_to(request.user).select_related("organisation", *self.related),
            kwargs["key"],
        )
        if self.change:
            permissions.require_change_person(request.user, self.person)
        return super().dispatch(request, *args, **kwargs)

    def lookup(self, people, key) -> Person:
        return get_object_or_404(people, key=key)

    def page(self, template, status=200, **context):
        return render(self.request, template, {"person": self.person, **context}, status=status)

    def done(self, message):
        messages.success(self.request, message)
        return redirect("detainees:person-detail", key=self.person.key)


class PersonDetail(PersonView):
    change = False
    related = ("family",)

    def lookup(self, people, key):
        identity = Identity.objects.filter(person=OuterRef("pk"))
        return super().lookup(people.annotate(has_identity=Exists(identity)), key)

    def get(self, request, key):
        user, person = request.user, self.person
        spells = list(person.spells.select_related("centre").order_by("-start", "-pk"))
        meetings = listing.meetings_of(person)
        referrals = list(person.referrals.all())
        may_change = permissions.may_change_person(user, person)
        return render(
            request,
            "detainees/person_detail.html",
            {
                "person": person,
                "spells": spells,
                "meetings": meetings,
                "referrals": referrals,
                "clock": clock.clock(spells, timezone.localdate()),
                "ongoing": next((spell for spell in spells if spell.end is None), None),
                "may_change": may_change,
                "may_read_identity": permissions.may_read_identity(user, person),
                "languages": _labels(LANGUAGES, person.languages),
                "vulnerabilities": _labels(Vulnerability.choices, person.vulnerabilities),
                # What other apps show of this file (legal: "Ask the lawyer").
                "panels": person_panels(request, person),
            },
        )


def _labels(choices, values) -> str:
    return ", ".join(str(label) for value, label in choices if value in (values or []))


class PersonUpdate(PersonView):
    def get(self, request, key):
        return self.page("detainees/person_update.html", form=PersonForm(instance=self.person))

    def post(self, request, key):
        form = PersonForm(request.POST, instance=self.person)
        if form.is_valid():
            try:
                form.save()
            except ConcurrentEditError:
                form.add_error(None, CONCURRENT_EDIT)
            else:
                return self.done(_("Case file saved."))
        return self.page("detainees/person_update.html", form=form, status=400)


@method_decorator(never_cache, name="dispatch")
class IdentityDetail(PersonView):
    """Reading an identity is a deliberate act: its own page, and a line in the log."""

    change = False

    def get(self, request, key):
        identity = services.read_identity(request.user, self.person, request.path)
        return self.page(
            "detainees/identity_detail.html",
            identity=identity,
            may_change=permissions.may_change_person(request.user, self.person),
        )


@method_decorator(never_cache, name="dispatch")
class IdentityUpdate(PersonView):
    fields = ("given_names", "surname", "date_of_birth", "office_number", "contacts", "notes")

    def get(self, request, key):
        identity = services.read_identity(request.user, self.person, request.path)
        initial = {field: getattr(identity, field) for field in self.fields} if identity else {}
        initial["seen"] = services.identity_stamp(identity)
        return self.page("detainees/identity_form.html", form=IdentityForm(initial=initial))

    def post(self, request, key):
        form = IdentityForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_identity(
                    request.user, self.person, data, request.path, seen=data["seen"]
                )
            except services.IdentityChanged as changed:
                # What was typed stays; saving again is then a choice, not an accident.
                form.data = form.data.copy()
                form.data["seen"] = changed.seen
                form.add_error(None, changed.messages[0])
            else:
                return self.done(_("Identity saved."))
        return self.page("detainees/identity_form.html", form=form, status=400)


class SpellCreate(PersonView):
    def get(self, request, key):
        form = SpellForm(initial={"start": timezone.localdate()})
        return self.page("detainees/spell_form.html", form=form)

    def post(self, request, key):
        form = SpellForm(request.POST)
        if form.is_valid():
            try:
                services.add_spell(request.user, self.person, form.save(commit=False))
            except ValidationError as error:
                add_errors(form, error)
            else:
                return self.done(_("Detention recorded."))
        return self.page("detainees/spell_form.html", form=form, status=400)


class OngoingDetentionView(PersonView):
    """A form about the ongoing detention (transfer, end), shown with it."""

    form_class: type
    template_name: str

    def get(self, request, key):
        return self.render(self.form_class())

    def post(self, request, key):
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                return self.done(self.act(form.cleaned_data))
            except ValidationError as error:
                add_errors(form, error)
        return self.render(form, status=400)

    def render(self, form, status=200):
        ongoing = services.ongoing_spell(self.person)
        return self.page(self.template_name, status, form=form, ongoing=ongoing)

    def act(self, data) -> str:
        """Do it and return the message saying it was done."""
        raise NotImplementedError


class PersonTransfer(OngoingDetentionView):
    form_class, template_name = TransferForm, "detainees/person_transfer.html"

    def act(self, data):
        spell = services.transfer(
            self.request.user, self.person, data["centre"], data["on"], data["new_order"]
        )
        if spell.new_order:
            return _("New detention order recorded: the count starts again.")
        return _("Transfer to %(centre)s recorded.") % {"centre": spell.centre}


class PersonRelease(OngoingDetentionView):
    form_class, template_name = ReleaseForm, "detainees/person_release.html"

    def act(self, data):
        services.end_detention(self.request.user, self.person, data["on"], data["outcome"])
        return _("End of detention recorded.")


class AccompanimentCreate(PersonView):
    def visits(self):
        return (
            services.visits_of_organisation(self.person.organisation_id)
            .filter(date__lte=timezone.localdate())
            .select_related("centre")
            .order_by("-date")
            .distinct()[:60]
        )

    def form(self, data=None):
        # "Record a meeting" from a visit's page names the visit.
        visit = _uuid(self.request.GET.get("visit"))
        found = (
            Visit.objects.filter(code=visit).values_list("pk", flat=True).first() if visit else None
        )
        initial = {"visit": found} if found else {}
        return AccompanimentForm(data, visits=self.visits(), initial=initial)

    def get(self, request, key):
        return self.page("detainees/accompaniment_form.html", form=self.form())

    def post(self, request, key):
        form = self.form(request.POST)
        # The visit is looked up among all visits, so that one of another organisation
        # is refused with its reason rather than as an unknown choice.
        form.fields["visit"].queryset = Visit.objects.select_related("centre")
        if form.is_valid():
            try:
                services.record_accompaniment(
                    request.user,
                    self.person,
                    form.save(commit=False),
                    topics=form.cleaned_data["topics"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                return self.done(_("Meeting recorded."))
        form.fields["visit"].queryset = self.visits()
        return self.page("detainees/accompaniment_form.html", form=form, status=400)


class ReferralCreate(PersonView):
    def get(self, request, key):
        return self.page("detainees/referral_form.html", form=ReferralForm())

    def post(self, request, key):
        form = ReferralForm(request.POST)
        if form.is_valid():
            referral = form.save(commit=False)
            referral.person, referral.created_by = self.person, request.user
            referral.save()
            return self.done(_("Referral recorded."))
        return self.page("detainees/referral_form.html", form=form, status=400)


class ReferralUpdate(PersonView):
    """A referral is reached through its case file: the same 404 and 403."""

    def lookup(self, people, key):
        self.referral = get_object_or_404(
            Referral.objects.select_related("person__organisation").filter(person__in=people),
            key=key,
        )
        return self.referral.person

    def render(self, form, status=200):
        return self.page("detainees/referral_form.html", status, form=form, referral=self.referral)

    def get(self, request, key):
        return self.render(ReferralForm(instance=self.referral))

    def post(self, request, key):
        form = ReferralForm(request.POST, instance=self.referral)
        if form.is_valid():
            try:
                form.save()
            except ConcurrentEditError:
                form.add_error(None, CONCURRENT_EDIT)
            else:
                return self.done(_("Referral saved."))
        return self.render(form, status=400)


class PersonShare(PersonView):
    """Sharing a case file with another organisation of the coalition (a transfer to a
    centre it covers): an explicit grant, written in the access log."""

    def context(self, form):
        return {"form": form, "shares": services.shares_of(self.person)}

    def get(self, request, key):
        form = ShareForm(candidates=permissions.case_file_share_targets(self.person))
        return self.page("detainees/person_share.html", **self.context(form))

    def post(self, request, key):
        candidates = permissions.case_file_share_targets(self.person)
        if "withdraw" in request.POST:
            # Among the organisations it is shared with, whatever they have become since
            # (switched off, now a partner): a share can always be withdrawn.
            shared = {share["pk"] for share in services.shares_of(self.person)}
            withdrawn = _int(request.POST["withdraw"])
            organisation = Organisation.objects.filter(
                pk=withdrawn if withdrawn in shared else None
            ).first()
            if organisation is None:
                raise Http404
            services.unshare_person(request.user, self.person, organisation, request.path)
            messages.success(
                request,
                _("%(organisation)s no longer sees this case file.")
                % {"organisation": organisation.short_name},
            )
            return redirect("detainees:person-share", key=self.person.key)
        form = ShareForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                services.share_person(
                    request.user,
                    self.person,
                    form.cleaned_data["organisation"],
                    form.cleaned_data["with_identity"],
                    request.path,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Case file shared with %(organisation)s.")
                    % {"organisation": form.cleaned_data["organisation"].short_name},
                )
                return redirect("detainees:person-share", key=self.person.key)
        return self.page("detainees/person_share.html", status=400, **self.context(form))


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _int(value) -> int | None:
    """A positive number typed in ASCII digits, or None ("²".isdigit() is true)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 19 else None


class FamilyCreate(PermissionRequiredMixin, View):
    permission = "detainees.change_person"

    def get(self, request):
        form = FamilyForm(user=request.user)
        return render(request, "detainees/family_form.html", {"form": form})

    def post(self, request):
        form = FamilyForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, "detainees/family_form.html", {"form": form}, status=400)
        data = form.cleaned_data
        family = services.new_family(
            request.user, data["organisation"], data["adults"], data["children_ages"]
        )
        messages.success(
            request,
            _("Family %(code)s created: link its members from their case files.")
            % {"code": family.code},
        )
        return redirect("detainees:family-detail", key=family.key)


class FamilyDetail(LoginRequiredMixin, View):
    def get(self, request, key):
        family = get_object_or_404(Family.objects.visible_to(request.user), key=key)
        members = Person.objects.visible_to(request.user).filter(family=family).order_by("code")
        return render(
            request, "detainees/family_detail.html", {"family": family, "members": members}
        )
