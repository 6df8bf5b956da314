from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from move.accounts.models import Organisation
from move.accounts.permissions import Role


class ConcurrentEditError(Exception):
    pass


CONCURRENT_EDIT = _(
    "Someone else saved this record while you were editing it. Your text is still below: "
    "open the record in a new tab to see their version, then save again."
)


class VersionedModelForm(forms.ModelForm):
    """Detects concurrent edits: the version read with the form must still be the one
    in the database when saving, otherwise nothing is overwritten and the form is
    shown again with what the person typed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("version") != self.instance.version:
            self._offer_version(self.instance.version)
            raise ValidationError(CONCURRENT_EDIT, code="concurrent")
        return cleaned

    def _offer_version(self, version):
        # The form shown again carries the version saved meanwhile: once the person has
        # looked at it ("then save again"), saving is their choice, not a silent overwrite.
        self.data = self.data.copy()
        self.data["version"] = version

    def save(self, commit=True):
        with transaction.atomic():
            if self.instance.pk:
                seen = self.cleaned_data["version"]
                model = type(self.instance)
                bumped = model.objects.filter(pk=self.instance.pk, version=seen).update(
                    version=F("version") + 1
                )
                if not bumped:
                    current = model.objects.filter(pk=self.instance.pk).values("version")
                    self._offer_version(current[0]["version"] if current else seen)
                    raise ConcurrentEditError
                self.instance.version = seen + 1
            return super().save(commit)


class OrganisationForm(VersionedModelForm):
    class Meta:
        model = Organisation
        fields = ["name_fr", "name_nl", "short_name", "kind", "member_of", "active"]

    def clean_member_of(self):
        parent = self.cleaned_data["member_of"]
        ancestor, seen = parent, set()
        while ancestor is not None and ancestor.pk not in seen and self.instance.pk:
            if ancestor.pk == self.instance.pk:
                raise ValidationError(
                    _("An organisation cannot be a member of itself, even through another one.")
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.member_of
        return parent


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(active=True)
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="fr"
    )


class MembershipForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirm password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            from move.accounts.models import User

            probe = User(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                validate_password(first, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PeriodFilterForm(forms.Form):
    """Filters of a log page with a period (From, Until): the access log, the access
    changes."""

    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class AccessChangeFilterForm(PeriodFilterForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation concerned"),
        queryset=Organisation.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    field_order = ["organisation", "date_from", "date_to"]

    def apply(self, entries):
        """The entries matching the valid filters (an invalid one is left out)."""
        from move.accounts import access_changes

        data = self.cleaned_data if self.is_bound else {}
        if organisation := data.get("organisation"):
            entries = access_changes.concerning(entries, organisation)
        # Whole days in the local time zone, as bounds on the indexed timestamp.
        if start := data.get("date_from"):
            entries = entries.filter(timestamp__gte=_midnight(start))
        if end := data.get("date_to"):
            entries = entries.filter(timestamp__lt=_midnight(end + timedelta(days=1)))
        return entries


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))
