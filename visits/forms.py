from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from move.accounts.forms import VersionedModelForm
from move.accounts.models import User
from move.accounts.permissions import Role
from move.centres.models import Centre
from visits import search
from visits.models import Observation, Theme, Visit, VisitReport


class VisitForm(VersionedModelForm):
    class Meta:
        model = Visit
        fields = ["centre", "date", "status", "visitors"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = Centre.objects.filter(active=True)
        self.fields["visitors"].queryset = User.objects.filter(
            is_active=True,
            memberships__role=Role.VISITOR,
            memberships__organisation__active=True,
        ).distinct()
        self.fields["visitors"].widget.attrs["size"] = 6

    def clean(self):
        cleaned = super().clean()
        day, status = cleaned.get("date"), cleaned.get("status")
        if day and status == Visit.Status.DONE and day > timezone.localdate():
            self.add_error("date", _("A visit in the future cannot be done yet."))
        if self.instance.pk and hasattr(self.instance, "report"):
            changed = (
                status != Visit.Status.DONE
                or day != self.instance.date
                or cleaned.get("centre") != self.instance.centre
            )
            if changed:
                raise forms.ValidationError(
                    _("This visit has a report: it stays done, on its day, at its centre.")
                )
        return cleaned


class _LoadedChoices(ModelChoiceIterator):
    """The options from the field's queryset, read once and then from its cache."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class LoadedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that reads its rows once, for its options and to check the
    value given: one query instead of two, and no server-side cursor (iterator())."""

    iterator = _LoadedChoices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for obj in self.queryset:
            if str(obj.pk) == str(value):
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


class ReportFilterForm(forms.Form):
    """The filters of the report list (GET): every field optional."""

    q = forms.CharField(label=_("Words in the text"), required=False, max_length=200)
    centre = LoadedChoiceField(label=_("Centre"), queryset=Centre.objects.all(), required=False)
    theme = LoadedChoiceField(label=_("Theme"), queryset=None, required=False)
    organisation = LoadedChoiceField(label=_("Organisation"), queryset=None, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    raise_only = forms.BooleanField(label=_("To raise with the authorities"), required=False)

    def __init__(self, *args, **kwargs):
        from move.accounts.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(active=True)
        self.fields["organisation"].queryset = Organisation.objects.exclude(
            kind=Organisation.Kind.PARTNER
        )
        self.fields["status"].choices = [("", _("Any"))] + list(VisitReport.Status.choices)

    def apply(self, reports):
        """The filters given, those with a bad value left out (the form says which)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})  # an empty list page has no form data
        exact = {
            "centre": data.get("centre"),
            "organisation": data.get("organisation"),
            "status": data.get("status"),
            "visit_date__gte": data.get("date_from"),
            "visit_date__lte": data.get("date_to"),
        }
        reports = reports.filter(**{name: value for name, value in exact.items() if value})
        if data.get("theme") or data.get("raise_only"):
            # A subquery rather than a join: one row per report, no DISTINCT.
            observations = Observation.objects.all()
            if data.get("theme"):
                observations = observations.filter(theme=data["theme"])
            if data.get("raise_only"):
                observations = observations.filter(raise_with_authorities=True)
            reports = reports.filter(pk__in=observations.values("report_id"))
        if data.get("q"):
            reports = search.matching(reports, data["q"])
        return reports
