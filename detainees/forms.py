from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from detainees.models import (
    LANGUAGES,
    Accompaniment,
    DetentionSpell,
    Family,
    Person,
    Referral,
    Vulnerability,
)
from move.accounts import permissions
from move.accounts.forms import VersionedModelForm
from move.accounts.models import Organisation
from move.accounts.permissions import Role
from move.centres.models import Centre
from visits.models import Theme

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OUTCOMES_OF_RELEASE = [
    (value, label)
    for value, label in DetentionSpell.Outcome.choices
    if value not in ("", DetentionSpell.Outcome.TRANSFERRED, DetentionSpell.Outcome.NEW_ORDER)
]


class PersonForm(VersionedModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Person
        fields = [
            "sex",
            "birth_year",
            "nationality",
            "languages",
            "vulnerabilities",
            "family",
            "cannot_be_removed",
            "status",
            "legal_basis",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        owner = [self.instance.organisation_id] if self.instance.pk else list(organisations)
        self.fields["family"].queryset = Family.objects.filter(organisation__in=owner)
        self.fields["birth_year"].widget.attrs.update({"inputmode": "numeric"})

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year and year > timezone.localdate().year:
            raise ValidationError(_("The year of birth cannot be in the future."))
        return year


class NewPersonForm(PersonForm):
    """A new case file, with the organisation that keeps it, where the person is held
    and, if known, their name (kept encrypted in the identity)."""

    organisation = forms.ModelChoiceField(label=_("Kept by"), queryset=Organisation.objects.none())
    centre = forms.ModelChoiceField(
        label=_("Held in"), queryset=Centre.objects.filter(active=True), required=False
    )
    since = forms.DateField(label=_("Held since"), required=False, widget=DATE)
    ground = forms.ChoiceField(
        label=_("Legal ground of detention"),
        choices=DetentionSpell.Ground.choices,
        initial=DetentionSpell.Ground.IRREGULAR_STAY,
    )
    given_names = forms.CharField(label=_("Given names"), required=False, max_length=200)
    surname = forms.CharField(label=_("Surname"), required=False, max_length=200)
    different_person = forms.BooleanField(
        label=_("I checked: this is a different person"), required=False
    )

    class Meta(PersonForm.Meta):
        fields = ["organisation", *PersonForm.Meta.fields]
        fields.remove("status")

    def __init__(self, *args, user=None, **kwargs):
        organisations = permissions.organisations_of(user, {Role.VISITOR})
        super().__init__(*args, organisations=organisations, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=organisations)
        if len(organisations) == 1:
            self.fields["organisation"].initial = next(iter(organisations))
        self.order_fields(["organisation", "centre", "since", "ground", "given_names", "surname"])
        self.fields["family"].queryset = Family.objects.filter(organisation__in=organisations)

    def clean(self):
        cleaned = super().clean()
        centre, since = cleaned.get("centre"), cleaned.get("since")
        if centre and not since:
            self.add_error("since", _("Say since when the person is held there."))
        if since and not centre:
            self.add_error("centre", _("Say where the person is held."))
        family = cleaned.get("family")
        organisation = cleaned.get("organisation")
        if family and organisation and family.organisation_id != organisation.pk:
            self.add_error("family", _("Choose a family kept by the same organisation."))
        return cleaned

    def spell(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("centre"):
            return None
        return {"centre": data["centre"], "start": data["since"], "ground": data["ground"]}

    def identity(self) -> dict:
        return {
            "given_names": self.cleaned_data["given_names"],
            "surname": self.cleaned_data["surname"],
        }

    def full_name(self) -> str:
        return " ".join(
            filter(None, [self.cleaned_data.get("given_names"), self.cleaned_data.get("surname")])
        )


class IdentityForm(forms.Form):
    # The version the form was opened on (services.identity_stamp).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    given_names = forms.CharField(label=_("Given names"), required=False, max_length=200)
    surname = forms.CharField(label=_("Surname"), required=False, max_length=200)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    office_number = forms.CharField(
        label=_("Immigration Office file number"), required=False, max_length=40
    )
    contacts = forms.CharField(
        label=_("Contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Relatives, lawyer: names, phones, addresses."),
        max_length=2000,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def clean_date_of_birth(self):
        day = self.cleaned_data.get("date_of_birth")
        if day and day > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."))
        return day.isoformat() if day else ""


class SpellForm(forms.ModelForm):
    class Meta:
        model = DetentionSpell
        fields = ["centre", "start", "end", "ground", "new_order", "outcome"]
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = Centre.objects.all()

    def clean(self):
        cleaned = super().clean()
        end, outcome = cleaned.get("end"), cleaned.get("outcome")
        if end and not outcome:
            self.add_error("outcome", _("Say how this spell ended."))
        if outcome and not end:
            self.add_error("end", _("Say when this spell ended."))
        return cleaned

    def validate_constraints(self, exclude=None):
        # The services check the dates with a message of their own.
        pass


class TransferForm(forms.Form):
    new_order = forms.BooleanField(
        label=_("A new detention order was served"),
        required=False,
        help_text=_(
            "E.g. after a refusal to board: the count of the legal maximum starts again. "
            "The centre may stay the same."
        ),
    )
    centre = forms.ModelChoiceField(
        label=_("To the centre"), queryset=Centre.objects.filter(active=True)
    )
    on = forms.DateField(label=_("On"), widget=DATE, initial=timezone.localdate)


class ReleaseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("How the detention ended"), choices=OUTCOMES_OF_RELEASE)
    on = forms.DateField(label=_("On"), widget=DATE, initial=timezone.localdate)


class AccompanimentForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics discussed"),
        queryset=Theme.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Accompaniment
        fields = ["visit", "topics", "actions", "next_step", "next_step_on"]
        widgets = {"next_step_on": DATE, "actions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, visits=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisation's recent visits; another one is refused by the service.
        self.fields["visit"].queryset = visits
        self.fields["visit"].label_from_instance = lambda visit: (
            f"{visit.date:%d/%m/%Y} — {visit.centre}"
        )

    def validate_unique(self):
        # services.record_accompaniment says it in words of its own.
        pass


class ReferralForm(VersionedModelForm):
    class Meta:
        model = Referral
        fields = ["kind", "to_whom", "on", "outcome", "notes"]
        widgets = {"on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_on(self):
        day = self.cleaned_data.get("on")
        if day and day > timezone.localdate():
            raise ValidationError(_("A referral cannot be dated in the future."))
        return day


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Share with"),
        queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the coalition's organisations.")},
    )
    with_identity = forms.BooleanField(
        label=_("Also let them read the identity"),
        required=False,
        help_text=_("Only when their visitors need the name to follow the person up."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = candidates


class FamilyForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(label=_("Kept by"), queryset=Organisation.objects.none())
    children_ages = forms.CharField(
        label=_("Ages of the children"),
        required=False,
        help_text=_("In years, separated by commas, e.g. 3, 7, 12."),
    )

    class Meta:
        model = Family
        fields = ["organisation", "adults", "children_ages"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = permissions.organisations_of(user, {Role.VISITOR})
        field = self.fields["organisation"]
        field.queryset = Organisation.objects.filter(pk__in=organisations)
        if len(organisations) == 1:
            field.initial = next(iter(organisations))
            field.widget = forms.HiddenInput()

    def clean_children_ages(self):
        text = self.cleaned_data.get("children_ages") or ""
        try:
            ages = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise ValidationError(
                _("Write the ages as whole numbers separated by commas.")
            ) from None
        if any(age < 0 or age > 17 for age in ages):
            raise ValidationError(_("A child's age is between 0 and 17."))
        return ages
