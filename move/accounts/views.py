from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from move.accounts import access_changes, permissions, services
from move.accounts import home as home_panels
from move.accounts.forms import (
    CONCURRENT_EDIT,
    AcceptInvitationForm,
    AccessChangeFilterForm,
    ConcurrentEditError,
    InvitationForm,
    MembershipForm,
    OrganisationForm,
)
from move.accounts.middleware import mfa_ready
from move.accounts.mixins import PermissionRequiredMixin, VisibleObjectMixin
from move.accounts.models import Invitation, Membership, Organisation, User


@login_required
def home(request):
    user = request.user
    memberships = user.memberships.select_related("organisation").order_by(
        "organisation__short_name", "role"
    )
    context = {
        "memberships": memberships,
        "has_totp": mfa_ready(request),
        "panels": home_panels.panels_for(request),
    }
    if permissions.has_perm(user, "accounts.manage_organisations"):
        context["pending_invitations"] = Invitation.objects.pending().count()
    return render(request, "accounts/home.html", context)


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the account: the
    e-mails a person receives are written in it."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


@login_required
def email_addresses(request):
    """Replaces allauth's page for adding e-mail addresses: the address is the login
    that a coordinator invited, and a second, unverified one could sign in too."""
    raise PermissionDenied(_("Your e-mail address is your login: ask a coordinator to change it."))


class SaveVersionedMixin:
    """Shows the form again, with what was typed, when someone else saved first."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ConcurrentEditError:
            form.add_error(None, CONCURRENT_EDIT)
            return self.form_invalid(form)


class SaveOrganisationMixin(SaveVersionedMixin):
    """Saved through the service: switching an organisation off or on is refused (403)
    to its own members, and the change is recorded with who made it."""

    def form_valid(self, form):
        try:
            self.object = services.save_organisation(form, by=self.request.user)
        except ConcurrentEditError:
            form.add_error(None, CONCURRENT_EDIT)
            return self.form_invalid(form)
        return redirect(self.get_success_url())


class OrganisationList(PermissionRequiredMixin, ListView):
    permission = "accounts.manage_organisations"
    template_name = "accounts/organisation_list.html"

    def get_queryset(self):
        return (
            Organisation.objects.visible_to(self.request.user)
            .select_related("member_of")
            .annotate(people=Count("memberships__user", distinct=True))
        )


class OrganisationCreate(PermissionRequiredMixin, SaveOrganisationMixin, CreateView):
    permission = "accounts.manage_organisations"
    model = Organisation
    form_class = OrganisationForm
    template_name = "accounts/organisation_form.html"

    def get_success_url(self):
        messages.success(self.request, _("Organisation saved."))
        return reverse("accounts:organisation-detail", args=[self.object.code])


class OrganisationDetail(VisibleObjectMixin, DetailView):
    permission = "accounts.manage_organisations"
    model = Organisation
    slug_field = slug_url_kwarg = "code"
    template_name = "accounts/organisation_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | organisation_context(self.object)


def organisation_context(organisation, membership_form=None) -> dict:
    return {
        "organisation": organisation,
        "memberships": organisation.memberships.select_related("user").order_by(
            "user__email", "role"
        ),
        "invitations": Invitation.objects.pending().filter(organisation=organisation),
        "membership_form": membership_form or MembershipForm(),
    }


class OrganisationUpdate(VisibleObjectMixin, SaveOrganisationMixin, UpdateView):
    permission = "accounts.manage_organisations"
    model = Organisation
    form_class = OrganisationForm
    slug_field = slug_url_kwarg = "code"
    template_name = "accounts/organisation_form.html"

    def get_success_url(self):
        messages.success(self.request, _("Organisation saved."))
        return reverse("accounts:organisation-detail", args=[self.object.code])


@login_required
@require_POST
def membership_create(request, code):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), code=code)
    permissions.require(request.user, "accounts.manage_organisations")
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            services.add_membership(organisation=organisation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        context = organisation_context(organisation, form)
        return render(request, OrganisationDetail.template_name, context, status=400)
    messages.success(request, _("Membership added."))
    return redirect("accounts:organisation-detail", code=code)


@login_required
@require_POST
def membership_delete(request, code):
    membership = get_object_or_404(
        Membership.objects.visible_to(request.user).select_related("organisation", "user"),
        code=code,
    )
    permissions.require(request.user, "accounts.manage_organisations")
    try:
        services.end_membership(membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Membership ended."))
    return redirect("accounts:organisation-detail", code=membership.organisation.code)


class InvitationList(PermissionRequiredMixin, ListView):
    permission = "accounts.manage_organisations"
    template_name = "accounts/invitation_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Invitation.objects.visible_to(self.request.user).select_related(
            "organisation", "invited_by"
        )


@login_required
def invitation_create(request):
    permissions.require(request.user, "accounts.manage_organisations")
    initial = {}
    wanted = request.GET.get("organisation")
    if wanted:
        initial["organisation"] = Organisation.objects.filter(code=_uuid_or_none(wanted)).first()
    form = InvitationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite(
                by=request.user,
                site_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:invitation-list")
    status = 400 if form.errors else 200
    return render(request, "accounts/invitation_form.html", {"form": form}, status=status)


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@login_required
@require_POST
def invitation_revoke(request, code):
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), code=code)
    try:
        services.revoke_invitation(invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation withdrawn."))
    return redirect("accounts:invitation-list")


def invitation_accept(request, token):
    """Public: the link from the e-mail. The person chooses a password and is signed in."""
    invitation = Invitation.objects.select_related("organisation").by_token(token)
    problem = services.invitation_problem(invitation)
    if problem:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"problem": problem},
            status=410 if invitation else 404,
        )
    if request.user.is_authenticated:
        messages.error(request, _("Sign out before accepting an invitation for someone else."))
        return redirect("home")
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            # They have just chosen their password: the MFA set-up that follows must not
            # ask for it again (allauth asks unless a recent "reauthenticated" record exists).
            record_authentication(
                request, user, method="password", email=user.email, reauthenticated=True
            )
            messages.success(request, _("Welcome to Move. Your account is ready."))
            return redirect("home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


class AccessChangeList(PermissionRequiredMixin, ListView):
    """Who gave or took whose access (memberships, roles, invitations, organisations,
    shares), newest first: every coordinator reads it, so that none can give themself
    access unseen. Each row's sentence was frozen when it was recorded: no query a row."""

    permission = "accounts.view_access_changes"
    template_name = "accounts/accesschange_list.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        self.form = AccessChangeFilterForm(self.request.GET or None)
        if self.form.is_bound and not self.form.is_valid():
            messages.error(self.request, _("Some filters could not be read; they are left out."))
        return self.form.apply(access_changes.entries()).only(
            "timestamp", "action", "object_repr", "additional_data"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["rows"] = [
            {
                "entry": entry,
                "sentence": access_changes.sentence(entry),
                "organisations": access_changes.organisation_names(entry),
            }
            for entry in context["entries"]
        ]
        return context | {"form": self.form, "filters": query.urlencode()}
