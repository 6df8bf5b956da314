from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from modeltranslation.admin import TranslationAdmin

from move.accounts import permissions, services
from move.accounts.adminsite import RoleAdminMixin
from move.accounts.models import Invitation, Membership, Organisation, User


class MembershipInline(RoleAdminMixin, admin.TabularInline):
    """Shown, not edited: memberships change through the organisation pages, whose
    services keep the organisation's group and the last coordinator right."""

    permission = "accounts.manage_organisations"
    read_only = True
    model = Membership
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organisation")


class UserAdminForm(forms.ModelForm):
    # Who is editing: set on the form class made for each request (UserAdmin.get_form).
    actor = None

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "language", "is_active"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        changed = self.instance.pk and email.strip().lower() != self.instance.email
        if changed and not permissions.may_change_login_address_of(self.actor, self.instance):
            raise ValidationError(permissions.KEEPS_OWN_ADDRESS)
        return email

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_active and cleaned.get("is_active") is False:
            try:
                services.check_not_last_coordinator(self.instance)
            except ValidationError as error:
                self.add_error("is_active", error)
        return cleaned


@admin.register(User)
class UserAdmin(RoleAdminMixin, admin.ModelAdmin):
    permission = "accounts.manage_organisations"
    can_delete = False  # people are deactivated, never deleted: their records keep an author
    list_display = ["email", "first_name", "last_name", "is_active", "last_login"]
    list_filter = ["is_active", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    fields = [
        "email",
        "first_name",
        "last_name",
        "language",
        "is_active",
        "last_login",
        "date_joined",
    ]
    form = UserAdminForm
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        locked = obj is not None and not permissions.may_change_login_of(request.user, obj)
        return ["last_login", "date_joined", *(["email", "is_active"] if locked else [])]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user  # a class made for this request: read by clean_email
        return form


@admin.register(Organisation)
class OrganisationAdmin(RoleAdminMixin, TranslationAdmin):
    permission = "accounts.manage_organisations"
    list_display = ["short_name", "name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["short_name", "name_fr", "name_nl"]
    can_delete = False  # switched off, never deleted: reports and case files point at it

    def get_readonly_fields(self, request, obj=None):
        # Switching it off or on ends or gives back its members' access: not theirs to do.
        if obj is not None and not permissions.may_switch_organisation(request.user, obj):
            return ["active"]
        return []

    def save_model(self, request, obj, form, change):
        if change and "active" in form.changed_data:
            permissions.require_switch_organisation(request.user, obj)
        super().save_model(request, obj, form, change)


@admin.register(Invitation)
class InvitationAdmin(RoleAdminMixin, admin.ModelAdmin):
    permission = "accounts.manage_organisations"
    read_only = True
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "organisation"]
    exclude = ["token_hash"]


# Third-party models stay out of the administration site: groups are the plumbing of
# object-level shares, authenticators hold second factors, sessions and e-mail
# addresses are each person's own (pages under /accounts/). The audit log is read where
# it belongs (the history of a report), never listed whole.
def _unregister_third_party():
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession
    from auditlog.models import LogEntry
    from django.contrib.auth.models import Group

    for model in (EmailAddress, Authenticator, UserSession, Group, LogEntry):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_third_party()
