from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from move.accounts.forms import VersionedModelForm
from move.accounts.models import User
from move.accounts.permissions import Role
from move.centres.models import Centre
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


class ReportFilterForm(forms.Form):
    """The filters of the report list (GET): every field optional."""

    q = forms.CharField(label=_("Words in the text"), required=False, max_length=200)
    centre = forms.ModelChoiceField(
        label=_("Centre"), queryset=Centre.objects.all(), required=False
    )
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=None, required=False)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, required=False)
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
        if data.get("centre"):
            reports = reports.filter(visit__centre=data["centre"])
        observations = Observation.objects.all()
        if data.get("theme"):
            observations = observations.filter(theme=data["theme"])
        if data.get("raise_only"):
            observations = observations.filter(raise_with_authorities=True)
        if data.get("organisation"):
            reports = reports.filter(organisation=data["organisation"])
        if data.get("status"):
            reports = reports.filter(status=data["status"])
        if data.get("date_from"):
            reports = reports.filter(visit__date__gte=data["date_from"])
        if data.get("date_to"):
            reports = reports.filter(visit__date__lte=data["date_to"])
        if data.get("q"):
            words = data["q"]
            in_text = Observation.objects.filter(text__icontains=words)
            reports = reports.filter(
                models.Q(general_conditions__icontains=words)
                | models.Q(atmosphere__icontains=words)
                | models.Q(pk__in=in_text.values("report_id"))
            )
        if data.get("theme") or data.get("raise_only"):
            # Subqueries rather than joins: one row per report, no DISTINCT.
            reports = reports.filter(pk__in=observations.values("report_id"))
        return reports
