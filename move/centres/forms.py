from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from move.accounts.forms import VersionedModelForm
from move.centres.models import Centre, CentreYear

# Codes that are already words of the centres' web addresses (centres/urls.py).
RESERVED_CODES = {"new", "years"}


class CentreForm(VersionedModelForm):
    class Meta:
        model = Centre
        fields = ["code", "name_fr", "name_nl", "kind", "town", "opened_on", "closed_on", "active"]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}),
            "closed_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        opened, closed = data.get("opened_on"), data.get("closed_on")
        if opened and closed and closed < opened:
            self.add_error("closed_on", _("A centre cannot close before it opens."))
        return data

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code.lower() in RESERVED_CODES:
            raise ValidationError(
                _("“%(code)s” is used by the application's addresses: choose another code."),
                params={"code": code},
            )
        return code


class CentreYearForm(VersionedModelForm):
    class Meta:
        model = CentreYear
        fields = [
            "year",
            "people_detained",
            "people_detained_source",
            "capacity",
            "capacity_source",
        ]

    def __init__(self, *args, centre=None, **kwargs):
        super().__init__(*args, **kwargs)
        if centre is not None:
            self.instance.centre = centre

    def clean_year(self):
        # The centre is not a field of this form, so ModelForm skips the constraint
        # "one figure per centre and year": without this check the save would fail.
        year = self.cleaned_data["year"]
        taken = CentreYear.objects.filter(centre_id=self.instance.centre_id, year=year)
        if self.instance.centre_id and taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("This centre already has figures for that year."), code="unique"
            )
        return year
