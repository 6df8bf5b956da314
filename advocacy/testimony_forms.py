"""Forms of the testimonies and their uses (advocacy/testimony_views.py)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.models import LANGUAGES, SCOPES, Anonymity, Testimony, Use, Witness
from advocacy.services import scope_label

DATE_WIDGET = {"type": "date"}
DATE_ERRORS = {"invalid": _("Type a date, e.g. 2026-05-17.")}


def date_input():
    return forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")


class TestimonyForm(forms.ModelForm):
    """A testimony of a witness: its scopes are chosen among those the witness's
    consents valid today cover (`allowed`), never wider."""

    __test__ = False

    scopes = forms.MultipleChoiceField(
        label=_("May be used in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the scopes the witness's consent valid today covers are offered."),
        error_messages={
            "invalid_choice": _("The witness's consent does not cover this scope: %(value)s."),
        },
    )

    class Meta:
        model = Testimony
        fields = ["title", "text", "language", "recorded_on", "approved_on", "scopes"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 10}),
            "recorded_on": date_input(),
            "approved_on": date_input(),
        }
        help_texts = {
            "approved_on": _("Leave it empty until the witness has read and approved it."),
        }
        error_messages = {"recorded_on": DATE_ERRORS, "approved_on": DATE_ERRORS}

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(code, label) for code, label in SCOPES if code in allowed]

    def clean_recorded_on(self):
        day = self.cleaned_data["recorded_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A testimony cannot be recorded in the future."))
        return day

    def clean_approved_on(self):
        day = self.cleaned_data.get("approved_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The approval cannot be dated in the future."))
        return day

    def clean_scopes(self):
        return " ".join(self.cleaned_data["scopes"])

    def clean(self):
        cleaned = super().clean()
        recorded, approved = cleaned.get("recorded_on"), cleaned.get("approved_on")
        if recorded and approved and approved < recorded:
            self.add_error(
                "approved_on",
                _("The witness approves a testimony on or after the day it was recorded."),
            )
        return cleaned


class TestimonyFilterForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)
    scope = forms.ChoiceField(label=_("Usable today in"), required=False)
    relation = forms.ChoiceField(label=_("Relation to detention"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_value = [("", _("Any"))]
        self.fields["language"].choices = any_value + LANGUAGES
        self.fields["scope"].choices = any_value + SCOPES
        self.fields["relation"].choices = any_value + list(Witness.Relation.choices)

    def chosen(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value}


class UseForm(forms.Form):
    """A use of a testimony; the consent itself is checked by services.record_use."""

    publication = forms.CharField(
        label=_("Where"),
        max_length=200,
        help_text=_("The publication, page or event, e.g. PICUM booklet 2026."),
    )
    used_on = forms.DateField(label=_("Used on"), widget=date_input(), error_messages=DATE_ERRORS)
    scope = forms.ChoiceField(label=_("Scope"))
    anonymity = forms.ChoiceField(
        label=_("Anonymity"),
        choices=Anonymity.choices,
        help_text=_("As protective as the consent or more."),
    )
    link = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=Use._meta.get_field("link").max_length,
        assume_scheme="https",
        error_messages={"invalid": _("Type a web address, e.g. https://example.org/page.")},
    )

    def __init__(self, *args, usable=None, **kwargs):
        super().__init__(*args, **kwargs)
        usable = usable or {}
        self.fields["scope"].choices = [(code, scope_label(code)) for code in usable]
        self.fields["scope"].error_messages["invalid_choice"] = _(
            "This testimony may not be used in this scope today."
        )
