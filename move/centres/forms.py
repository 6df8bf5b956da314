from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from move.accounts.forms import VersionedModelForm
from move.centres.models import Centre, CentreYear

# The sources of the figures, one field a content language (move/centres/translation.py).
SOURCE_FIELDS = {
    source: [f"{source}_{language}" for language in settings.MODELTRANSLATION_LANGUAGES]
    for source in ("people_detained_source", "capacity_source")
}
SOURCE_LABELS = {
    "people_detained_source": _("Source of the number of people detained, in %(language)s"),
    "capacity_source": _("Source of the capacity, in %(language)s"),
}
LANGUAGE_NAMES = {"fr": _("French"), "nl": _("Dutch"), "en": _("English")}
# Published in French and Dutch; English is optional (the English page falls back to French).
REQUIRED_LANGUAGES = ("fr", "nl")

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
            *SOURCE_FIELDS["people_detained_source"],
            "capacity",
            *SOURCE_FIELDS["capacity_source"],
        ]

    def __init__(self, *args, centre=None, **kwargs):
        super().__init__(*args, **kwargs)
        if centre is not None:
            self.instance.centre = centre
        for source, fields in SOURCE_FIELDS.items():
            for name in fields:
                language = name.rsplit("_", 1)[1]
                self.fields[name].label = SOURCE_LABELS[source] % {
                    "language": LANGUAGE_NAMES.get(language, language)
                }
                self.fields[name].widget.attrs["lang"] = language

    def clean(self):
        """A figure needs its source in each language: the page says it in the reader's."""
        data = super().clean()
        for figure, source, message in (
            (
                "people_detained",
                "people_detained_source",
                _("Give the source of the number of people detained."),
            ),
            ("capacity", "capacity_source", _("Give the source of the capacity.")),
        ):
            if data.get(figure) is None:
                continue
            for name in SOURCE_FIELDS[source]:
                required = name.rsplit("_", 1)[1] in REQUIRED_LANGUAGES
                if required and not (data.get(name) or "").strip():
                    self.add_error(name, message)
        return data

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
